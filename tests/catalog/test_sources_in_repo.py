"""Every document a shipped file names as a source is in this repository.

Catalog sources, scenario comments and code comments may cite a URL, an arithmetic, an
assumption or one of the repository's own documents (docs/*.md); a bare "facility.md" or
a path outside the repository sends the reader to a file they do not have.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: "name.md" not preceded by "/" (a URL or docs/ path) or a word character
BARE_MD = re.compile(r"(?<![/\w.-])[\w-]+\.md\b")
SHIPPED = ("catalogs", "planner", "models", "tui", "docs")
#: files dcplan writes, named in help texts and docstrings
OUTPUT_NAMES = {"README.md", "plan.md", "roadmap.md", "sweep.md"}


def _shipped_files() -> list[Path]:
    files = [ROOT / "README.md"]
    for folder in SHIPPED:
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in {".toml", ".py", ".md", ".tcss"}]
    return files


def test_no_source_names_a_document_outside_the_repository() -> None:
    bad = []
    for path in _shipped_files():
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            if "/work/" in line or "../shared" in line:
                bad.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
            for match in BARE_MD.finditer(line):
                name = match.group(0)
                if name not in OUTPUT_NAMES and not (ROOT / "docs" / name).exists():
                    bad.append(f"{path.relative_to(ROOT)}:{number}: {name}")
    assert not bad, "\n".join(bad)


def test_the_pattern_finds_a_bare_document_name() -> None:
    assert BARE_MD.findall("96 % at 50 % load (facility.md); see peers-2.md A7") == ["facility.md", "peers-2.md"]
    assert not BARE_MD.findall("docs/reference.md, https://x.org/a.md")


def test_every_docs_reference_is_a_file_here() -> None:
    cited = set()
    for path in _shipped_files():
        cited |= set(re.findall(r"docs/([\w-]+\.md)", path.read_text(encoding="utf-8")))
    assert cited, "no docs/*.md cited at all: the pattern is wrong"
    assert all((ROOT / "docs" / name).exists() for name in cited), cited
