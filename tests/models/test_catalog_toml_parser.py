"""Catalog files are parsed by tomli (models/catalog/rows.py), the standard library's
``tomllib`` as a mypyc-compiled wheel, pinned below 2.4 so it reads TOML 1.0 as tomllib does.

These tests hold the switch to what a user relies on: every built-in catalog and shipped
scenario reads to the same data, a damaged file (seeded mutations of the real files) gets
the same result or the same error message from both parsers, the loader still reports a
malformed file in its one line, and `dcplan size` prints the same bytes whichever parser
read the catalog.
"""

from __future__ import annotations

import contextlib
import io
import random
import tomllib
from pathlib import Path

import pytest
import tomli

from dcplan.models.catalog import CatalogError, load_catalog
from dcplan.models.catalog import rows as catalog_rows
from dcplan.planner.cli.core import State
from dcplan.planner.cli.size_run import run_size
from tests.conftest import REPO, user_system_toml

TEXTS = [p.read_text(encoding="utf-8") for p in sorted((REPO / "catalogs").rglob("*.toml"))]
#: characters that break TOML in the ways people do: brackets, quotes, '=', escapes, dots
DAMAGE = "[]{}=\"',.#\n \\x1-+:eE0tT_"


def _outcome(parse, text: str) -> tuple[str, object]:
    try:
        return "ok", parse(text)
    except (tomllib.TOMLDecodeError, tomli.TOMLDecodeError) as exc:
        return "error", str(exc)


def test_tomli_is_a_toml_1_0_parser_compiled_with_mypyc():
    major, minor = (int(part) for part in tomli.__version__.split(".")[:2])
    assert (major, minor) < (2, 4), "tomli 2.4+ reads TOML 1.1, which tomllib (scenario files) refuses"
    # the compiled wheel is the point of the dependency; a pure-Python tomli is as slow as tomllib
    assert Path(tomli._parser.__file__).suffix in (".so", ".pyd"), tomli._parser.__file__


def test_every_shipped_toml_file_reads_the_same():
    assert len(TEXTS) > 10
    for text in TEXTS:
        assert tomli.loads(text) == tomllib.loads(text)


def test_damaged_files_get_the_same_result_or_the_same_message():
    rng = random.Random(12)
    errors = 0
    for _ in range(120):
        chars = list(rng.choice(TEXTS))
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(chars))
            roll = rng.random()
            if roll < 0.4:
                chars[at] = rng.choice(DAMAGE)
            elif roll < 0.7:
                del chars[at]
            else:
                chars.insert(at, rng.choice(DAMAGE))
        text = "".join(chars)
        expected = _outcome(tomllib.loads, text)
        errors += expected[0] == "error"
        assert _outcome(tomli.loads, text) == expected, text
    assert errors > 25  # the mutations do break files: the messages were compared


def test_a_malformed_catalog_file_is_still_one_line_naming_it(user_dir):
    (user_dir / "broken.toml").write_text("[[system]\nid = 3\n")
    with pytest.raises(CatalogError) as caught:
        load_catalog([user_dir], use_env=False)
    (line,) = caught.value.lines
    kind, message = _outcome(tomllib.loads, "[[system]\nid = 3\n")  # tomllib's own words
    assert kind == "error"
    assert line.endswith(f"broken.toml: malformed TOML: {message}"), line


def _size_outputs(folders: list[Path]) -> list[str]:
    """stdout of a few `dcplan size` runs (text and JSON), in process."""
    runs = [
        {"system": "trn3-ultraserver-gen2", "count": "50"},
        {"system": "user-test-rack", "power": "1MW", "redundancy": "2N", "as_json": True, "catalog": folders},
    ]
    outputs = []
    for options in runs:
        buffer = io.StringIO()
        State.catalog_dirs = []
        with contextlib.redirect_stdout(buffer):
            run_size(**options)
        outputs.append(buffer.getvalue())
    return outputs


def test_size_prints_the_same_bytes_whichever_parser_reads_the_catalog(user_dir, monkeypatch):
    (user_dir / "mine.toml").write_text(user_system_toml(id="user-test-rack"))
    monkeypatch.delenv("DCPLAN_CATALOG", raising=False)
    with_tomli = _size_outputs([user_dir])
    monkeypatch.setattr(catalog_rows, "tomli", tomllib)
    with_tomllib = _size_outputs([user_dir])
    assert with_tomli == with_tomllib
    assert "user-test-rack" in with_tomli[1]
