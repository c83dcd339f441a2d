"""Reading one catalog file: its TOML, its ``[[kind]]`` tables, and each entry validated
(now, or later for a lazily loaded catalog) with one problem line per field.

Every line reads ``<file>: <kind> '<id>' field '<field>': <what was expected>``; the
CatalogError's ``file``/``entry``/``field``/``expected``/``got`` locate the first problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli
from pydantic import ValidationError

from dcplan.models.catalog.base import build_field_models_first
from dcplan.models.catalog.schema import ID_RE, KINDS, Entry
from dcplan.models.errors import InputFileError, ProblemsError
from dcplan.models.files import MAX_NESTING, nesting_exceeds, read_text


class CatalogError(ProblemsError):
    """One or more problems in catalog files; ``lines`` holds one message per problem.

    ``file``/``entry``/``field``/``expected`` locate the first problem (for ``--json``).
    """


def shorten(text: object, limit: int = 80) -> str:
    """``repr(text)``, cut to ``limit`` characters so a 10,000-character id stays one readable line."""
    shown = repr(text)
    return shown if len(shown) <= limit else f"{shown[: limit - 5]}...' ({len(str(text)):,} characters)"


@dataclass(frozen=True)
class CatalogRow:
    """One ``[[kind]]`` table of a catalog file, read (sources resolved) but not validated."""

    kind: str
    id: str
    label: str
    data: dict[str, Any]
    where: str


def display_path(path: Path) -> str:
    """A path relative to the working directory when that is shorter."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return str(path)


def _format_loc(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for piece in loc:
        if isinstance(piece, int):
            parts[-1:] = [f"{parts[-1]}[{piece}]"] if parts else [f"[{piece}]"]
        elif piece in {"function-plain[_validate()]", "function-after[_check()]"}:
            continue
        else:
            parts.append(str(piece))
    return ".".join(parts)


def _resolve_sources(node: Any, sources: Mapping[str, str]) -> Any:
    """Replace ``source = "<key>"`` with the URL from the file's [sources] table."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "source" and isinstance(value, str) and value in sources:
                out[key] = sources[value]
            else:
                out[key] = _resolve_sources(value, sources)
        return out
    if isinstance(node, list):
        return [_resolve_sources(item, sources) for item in node]
    return node


def _read_toml(path: Path) -> dict[str, Any]:
    """One catalog file's TOML through ``models.files.read_text`` (regular, bounded, UTF-8).

    Parsed by tomli < 2.4, the parser the standard library ships as ``tomllib`` (TOML 1.0,
    the same results and error messages), in its mypyc-compiled wheel: the built-in catalogs
    take ~3.3x fewer instructions to parse (callgrind: 102 M vs 336 M; ~7 vs ~20 ms), ~12 %
    of `dcplan size`. Scenario files are read by tomllib (planner/scenario_file.py).
    """
    where = display_path(path)
    try:
        return tomli.loads(read_text(path, "catalog file"))
    except InputFileError as exc:
        raise CatalogError(exc.lines, file=where, expected=exc.expected) from None
    except tomli.TOMLDecodeError as exc:
        problem, expected = f"malformed TOML: {exc}", "valid TOML"
    except RecursionError:
        problem = "nested too deeply to read (arrays or tables inside one another hundreds of levels deep)"
        expected = "a catalog file of [[kind]] tables"
    raise CatalogError([f"{where}: {problem}"], file=where, expected=expected)


def _problem(where: str, label: str, loc: str, message: str) -> str:
    field_part = f" field '{loc}'" if loc else ""
    if not label:
        return f"{where}: {message}"
    return f"{where}: {label}{field_part}: {message}"


class _FileProblems:
    """The problems of one catalog file, one line each, and where the first one is."""

    def __init__(self, where: str):
        self.where = where
        self.lines: list[str] = []
        self.first: dict[str, str | None] = {}

    def add(self, label: str, loc: str, message: str, entry: str | None = None, context: Any = None) -> None:
        if not self.lines:
            context = context or {}
            self.first.update(
                entry=entry or label,
                field=loc or None,
                expected=context.get("expected") or message,
                got=context.get("got"),
            )
        self.lines.append(_problem(self.where, label, loc, message))

    def raise_any(self) -> None:
        """The CatalogError listing every problem, located at the first one, if there is any."""
        if self.lines:
            first = self.first
            raise CatalogError(
                self.lines,
                file=self.where,
                entry=first.get("entry"),
                field=first.get("field"),
                expected=first.get("expected"),
                got=first.get("got"),
            )


def _validate_row(cls: type[Entry], label: str, data: dict[str, Any], problems: _FileProblems) -> Entry | None:
    """``cls`` validated from one row, or None with each of its problems added."""
    try:
        build_field_models_first(cls)
        return cls.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = _format_loc(error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "missing":
                message = "is required but missing"
            elif error["type"] == "extra_forbidden":
                message = "is not a known field"
            problems.add(label, loc, message, context=error.get("ctx"))
    except RecursionError:
        problems.add(label, "", "nested too deeply to validate")
    return None


def validate_pending(row: CatalogRow) -> Entry:
    """A pending row's entry, or the CatalogError the eager load gives for it."""
    problems = _FileProblems(row.where)
    entry = _validate_row(KINDS[row.kind], row.label, row.data, problems)
    problems.raise_any()
    assert entry is not None
    return entry


def parse_catalog_file(path: Path) -> list[Entry]:
    """Validate every entry of one file; raise CatalogError listing all problems.

    The error's ``file``/``entry``/``field``/``expected`` locate the first problem.
    """
    return [entry for entry in read_catalog_file(path, defer=False) if isinstance(entry, Entry)]


def read_catalog_file(path: Path, *, defer: bool) -> list[Entry | CatalogRow]:
    """One file's entries in file order; raise CatalogError listing all problems.

    With ``defer`` a row whose ``id`` is a valid id is returned as a CatalogRow, validated
    later (PendingItem); a row without one cannot be looked up, so it is validated now.
    """
    data = _read_toml(path)
    where = display_path(path)
    if nesting_exceeds(data):
        line = f"{where}: nested more than {MAX_NESTING} levels deep (tables or arrays inside one another)"
        raise CatalogError([line], file=where, expected="a catalog file of [[kind]] tables")
    problems = _FileProblems(where)
    sources = data.pop("sources", {})
    if not isinstance(sources, dict) or not all(isinstance(v, str) for v in sources.values()):
        raise CatalogError(
            [f"{where}: [sources] must map short keys to source strings"],
            file=where,
            entry="[sources]",
            expected="short keys mapped to source strings",
        )
    entries: list[Entry | CatalogRow] = []
    for kind, rows in data.items():
        cls = KINDS.get(kind)
        if cls is None:
            expected = ", ".join(f"[[{k}]]" for k in KINDS)
            problems.add("", "", f"unknown table [[{shorten(kind)[1:-1]}]]; expected one of {expected}", f"[[{kind}]]")
            continue
        if isinstance(rows, dict):
            rows = [rows]
        if not isinstance(rows, list):
            problems.add(f"[[{kind}]]", "", "must be an array of tables")
            continue
        for index, row in enumerate(rows):
            entries.extend(_read_row(cls, kind, index, row, sources, problems, defer))
    problems.raise_any()
    return entries


def _read_row(
    cls: type[Entry], kind: str, index: int, row: Any, sources: dict[str, str], problems: _FileProblems, defer: bool
) -> list[Entry | CatalogRow]:
    """One ``[[kind]]`` row: its entry, its pending CatalogRow, or nothing (problems added)."""
    entry_id = row.get("id") if isinstance(row, dict) else None
    label = f"{kind} {shorten(entry_id)}" if isinstance(entry_id, str) else f"{kind} #{index + 1}"
    if not isinstance(row, dict):
        problems.add(label, "", "must be a table")
        return []
    resolved = _resolve_sources(row, sources)
    if defer and isinstance(entry_id, str) and ID_RE.match(entry_id):
        return [CatalogRow(kind=kind, id=entry_id, label=label, data=resolved, where=problems.where)]
    entry = _validate_row(cls, label, resolved, problems)
    return [] if entry is None else [entry]
