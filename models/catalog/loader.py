"""Load, validate and merge catalog folders.

The built-in catalog (``catalogs/*.toml``) is loaded first, then each user folder in order
(``DCPLAN_CATALOG``, then ``--catalog`` flags). An entry whose id already exists replaces
the earlier one (same kind only), and the merged view remembers which file won.

A file is all-or-nothing: if any entry in it is invalid the whole load fails with a
``CatalogError`` listing one line per problem (file, kind, id, field, what was expected).
"""

from __future__ import annotations

import errno
import os
import stat
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from dcplan.models.catalog.schema import (
    KINDS,
    Busway,
    Chip,
    Cooling,
    Defaults,
    Entry,
    Fluid,
    Generator,
    Plant,
    PowerChain,
    RackPdu,
    Site,
    System,
    Transformer,
    Ups,
)
from dcplan.models.errors import DcplanError, InputFileError, ProblemsError
from dcplan.models.files import MAX_NESTING, nesting_exceeds, read_text

ENV_VAR = "DCPLAN_CATALOG"
BUILTIN_DIR = Path(__file__).resolve().parents[2] / "catalogs"

E = TypeVar("E", bound=Entry)
_T = TypeVar("_T")


class CatalogError(ProblemsError):
    """One or more problems in catalog files; ``lines`` holds one message per problem.

    ``file``/``entry``/``field``/``expected`` locate the first problem (for ``--json``).
    """


class UnknownIdError(DcplanError, KeyError):
    """An id that is not in the catalog; the message suggests close matches.

    Still a ``KeyError`` (callers looking ids up may catch that); ``close`` holds the
    suggestions, ``kind`` and ``entry_id`` what was asked for.
    """

    def __init__(self, kind: str, entry_id: str, known: Iterable[str]):
        known = sorted(known)
        self.kind = kind
        self.entry_id = entry_id
        self.close = get_close_matches(str(entry_id), known, n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in self.close)}?" if self.close else ""
        self.message = f"unknown {kind} id {_short(entry_id)}{hint} (see `dcplan catalog list`)"
        super().__init__(
            self.message,
            expected="a catalog id" if kind == "catalog" else f"a catalog {kind} id",
            got=str(entry_id)[:200],
        )

    def __str__(self) -> str:
        return self.message


def _short(text: object, limit: int = 80) -> str:
    """``repr(text)``, cut to ``limit`` characters so a 10,000-character id stays one readable line."""
    shown = repr(text)
    return shown if len(shown) <= limit else f"{shown[: limit - 5]}...' ({len(str(text)):,} characters)"


@dataclass(frozen=True)
class CatalogItem:
    """An entry with the file it came from and the files it replaced."""

    entry: Entry
    origin: Path
    overrides: tuple[Path, ...] = ()


@dataclass
class Catalog:
    """The merged catalog: ``items[kind][id]``."""

    items: dict[str, dict[str, CatalogItem]] = field(default_factory=lambda: {kind: {} for kind in KINDS})
    folders: list[Path] = field(default_factory=list)

    def get(self, kind: str, entry_id: str) -> Entry:
        try:
            return self.items[kind][entry_id].entry
        except KeyError:
            raise UnknownIdError(kind.replace("_", " "), entry_id, self.items.get(kind, {})) from None

    def _typed(self, kind: str, entry_id: str, cls: type[E]) -> E:
        entry = self.get(kind, entry_id)
        assert isinstance(entry, cls)
        return entry

    def system(self, entry_id: str) -> System:
        return self._typed("system", entry_id, System)

    def chip(self, entry_id: str) -> Chip:
        return self._typed("chip", entry_id, Chip)

    def cooling(self, entry_id: str) -> Cooling:
        return self._typed("cooling", entry_id, Cooling)

    def plant(self, entry_id: str) -> Plant:
        return self._typed("plant", entry_id, Plant)

    def site(self, entry_id: str) -> Site:
        return self._typed("site", entry_id, Site)

    def fluid(self, entry_id: str) -> Fluid:
        return self._typed("fluid", entry_id, Fluid)

    def power_chain(self, entry_id: str) -> PowerChain:
        return self._typed("power_chain", entry_id, PowerChain)

    def ups(self, entry_id: str) -> Ups:
        return self._typed("ups", entry_id, Ups)

    def transformer(self, entry_id: str) -> Transformer:
        return self._typed("transformer", entry_id, Transformer)

    def generator(self, entry_id: str) -> Generator:
        return self._typed("generator", entry_id, Generator)

    def rack_pdu(self, entry_id: str) -> RackPdu:
        return self._typed("rack_pdu", entry_id, RackPdu)

    def busway(self, entry_id: str) -> Busway:
        return self._typed("busway", entry_id, Busway)

    @property
    def defaults(self) -> Defaults:
        return self._typed("defaults", "planning", Defaults)

    def entries(self, kind: str) -> list[Entry]:
        return [item.entry for item in self.items[kind].values()]

    def find(self, entry_id: str) -> list[tuple[str, CatalogItem]]:
        """Every (kind, item) with this id (ids are unique across kinds after loading)."""
        return [(kind, by_id[entry_id]) for kind, by_id in self.items.items() if entry_id in by_id]

    def all_ids(self) -> list[str]:
        return sorted({entry_id for by_id in self.items.values() for entry_id in by_id})

    def __iter__(self) -> Iterator[tuple[str, CatalogItem]]:
        for kind, by_id in self.items.items():
            for item in by_id.values():
                yield kind, item


def _catalog_file_model() -> type[BaseModel]:
    """CatalogFile with every kind typed (built here to keep one list of kinds: KINDS)."""
    fields: dict[str, Any] = {
        "sources": (dict[str, str], Field(default_factory=dict, description="short keys for source URLs"))
    }
    for kind, cls in KINDS.items():
        fields[kind] = (list[cls], Field(default_factory=list))  # type: ignore[valid-type]
    return create_model(  # type: ignore[call-overload,no-any-return]
        "CatalogFile", __config__=ConfigDict(extra="forbid", title="dcplan catalog file"), **fields
    )


def catalog_json_schema() -> dict[str, Any]:
    """The JSON Schema of a catalog file, generated from the pydantic models."""
    schema = _catalog_file_model().model_json_schema()
    schema["$id"] = "https://dcplan.dev/schema/catalog-file.json"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


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
    """One catalog file's TOML through ``models.files.read_text`` (regular, bounded, UTF-8)."""
    where = display_path(path)
    try:
        text = read_text(path, "catalog file")
    except InputFileError as exc:
        raise CatalogError(exc.lines, file=where, expected=exc.expected) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError([f"{where}: malformed TOML: {exc}"], file=where, expected="valid TOML") from None
    except RecursionError:
        raise CatalogError(
            [f"{where}: nested too deeply to read (arrays or tables inside one another hundreds of levels deep)"],
            file=where,
            expected="a catalog file of [[kind]] tables",
        ) from None


def _problem(where: str, label: str, loc: str, message: str) -> str:
    field_part = f" field '{loc}'" if loc else ""
    if not label:
        return f"{where}: {message}"
    return f"{where}: {label}{field_part}: {message}"


def parse_catalog_file(path: Path) -> list[Entry]:
    """Validate every entry of one file; raise CatalogError listing all problems.

    The error's ``file``/``entry``/``field``/``expected`` locate the first problem.
    """
    data = _read_toml(path)
    where = display_path(path)
    if nesting_exceeds(data):
        raise CatalogError(
            [f"{where}: nested more than {MAX_NESTING} levels deep (tables or arrays inside one another)"],
            file=where,
            expected="a catalog file of [[kind]] tables",
        )
    problems: list[str] = []
    first: dict[str, str | None] = {}

    def add(label: str, loc: str, message: str, entry: str | None = None, context: Any = None) -> None:
        if not problems:
            context = context or {}
            first.update(
                entry=entry or label,
                field=loc or None,
                expected=context.get("expected") or message,
                got=context.get("got"),
            )
        problems.append(_problem(where, label, loc, message))

    sources = data.pop("sources", {})
    if not isinstance(sources, dict) or not all(isinstance(v, str) for v in sources.values()):
        raise CatalogError(
            [f"{where}: [sources] must map short keys to source strings"],
            file=where,
            entry="[sources]",
            expected="short keys mapped to source strings",
        )
    entries: list[Entry] = []
    for kind, rows in data.items():
        cls = KINDS.get(kind)
        if cls is None:
            expected = ", ".join(f"[[{k}]]" for k in KINDS)
            add("", "", f"unknown table [[{_short(kind)[1:-1]}]]; expected one of {expected}", entry=f"[[{kind}]]")
            continue
        if isinstance(rows, dict):
            rows = [rows]
        if not isinstance(rows, list):
            add(f"[[{kind}]]", "", "must be an array of tables")
            continue
        for index, row in enumerate(rows):
            label = (
                f"{kind} {_short(row.get('id'))}"
                if isinstance(row, dict) and isinstance(row.get("id"), str)
                else f"{kind} #{index + 1}"
            )
            if not isinstance(row, dict):
                add(label, "", "must be a table")
                continue
            try:
                entries.append(cls.model_validate(_resolve_sources(row, sources)))
            except ValidationError as exc:
                for error in exc.errors():
                    loc = _format_loc(error["loc"])
                    message = error["msg"].removeprefix("Value error, ")
                    if error["type"] == "missing":
                        message = "is required but missing"
                    elif error["type"] == "extra_forbidden":
                        message = "is not a known field"
                    add(label, loc, message, context=error.get("ctx"))
            except RecursionError:
                add(label, "", "nested too deeply to validate")
    if problems:
        raise CatalogError(
            problems,
            file=where,
            entry=first.get("entry"),
            field=first.get("field"),
            expected=first.get("expected"),
            got=first.get("got"),
        )
    return entries


def _not_regular(path: Path) -> str | None:
    """None for a regular file (symlinks followed), else what it is, in words."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symlink loop"
        if exc.errno == errno.ENOENT:
            return "a dangling symlink"
        return f"cannot be read: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device or other special file"


def catalog_dirs_from_env() -> list[Path]:
    """Folders named in DCPLAN_CATALOG (os.pathsep-separated), in order."""
    raw = os.environ.get(ENV_VAR, "")
    return [Path(part).expanduser() for part in raw.split(os.pathsep) if part.strip()]


def load_folder(folder: Path) -> list[tuple[Entry, Path]]:
    """All entries of one folder's ``*.toml`` files (not sub-folders); ids unique in the folder."""
    where = display_path(folder)
    if _not_regular(folder) == "a symlink loop":
        raise CatalogError([f"{where}: catalog folder is a symlink loop"], file=where, expected="a folder")
    if not folder.exists():
        raise CatalogError([f"{where}: catalog folder does not exist"])
    if not folder.is_dir():
        raise CatalogError([f"{where}: catalog path is not a folder"])
    try:
        names = sorted(p for p in folder.iterdir() if p.suffix == ".toml")
    except OSError as exc:
        raise CatalogError([f"{where}: cannot read catalog folder: {exc.strerror or exc}"]) from None
    problems = _Problems()
    files: list[Path] = []
    for path in names:
        # a FIFO would block the read, a folder or a symlink loop named *.toml would be
        # skipped without a word: each is a problem the user should hear about
        kind = _not_regular(path)
        if kind:
            problems.lines.append(
                f"{display_path(path)}: is not a regular file ({kind}); catalog files must be TOML files"
            )
        else:
            files.append(path)
    loaded: list[tuple[Entry, Path]] = []
    seen: dict[str, Path] = {}
    for path in files:
        entries = problems.attempt(parse_catalog_file, path)
        for entry in entries or ():
            if entry.id in seen:
                other = display_path(seen[entry.id])
                problems.lines.append(
                    f"{display_path(path)}: {entry.kind} '{entry.id}': duplicate id (also defined in {other})"
                )
                continue
            seen[entry.id] = path
            loaded.append((entry, path))
    if problems.lines:
        raise problems.error()
    return loaded


class _Problems:
    """Problems gathered over several files or folders, every one reported at once, and the
    first CatalogError among them (whose location the combined error keeps)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.first: CatalogError | None = None

    def attempt(self, load: Callable[[Path], _T], path: Path) -> _T | None:
        """``load(path)``, or None with its CatalogError's lines recorded."""
        try:
            return load(path)
        except CatalogError as exc:
            self.first = self.first or exc
            self.lines.extend(exc.lines)
            return None

    def error(self) -> CatalogError:
        return _combined(self.lines, self.first)


def _combined(problems: list[str], first: CatalogError | None) -> CatalogError:
    """One CatalogError of all ``problems``, located where the first parsed error was."""
    if first is None or not problems or first.lines[0] != problems[0]:
        return CatalogError(problems)
    return CatalogError(
        problems, file=first.file, entry=first.entry, field=first.field, expected=first.expected, got=first.got
    )


def _check_references(catalog: Catalog) -> list[str]:
    problems: list[str] = []

    def need(item: CatalogItem, kind: str, ref: str, field_name: str) -> None:
        if ref not in catalog.items[kind]:
            known = ", ".join(sorted(catalog.items[kind])) or "none"
            problems.append(
                f"{display_path(item.origin)}: {item.entry.kind} '{item.entry.id}' field '{field_name}': "
                f"unknown {kind.replace('_', ' ')} {ref!r} (known: {known})"
            )

    for item in catalog.items["system"].values():
        system = item.entry
        assert isinstance(system, System)
        need(item, "chip", system.chip, "chip")
        for cooling_id in system.cooling:
            need(item, "cooling", cooling_id, "cooling")
    for item in catalog.items["cooling"].values():
        assert isinstance(item.entry, Cooling)
        need(item, "plant", item.entry.plant, "plant")
    for item in catalog.items["power_chain"].values():
        chain = item.entry
        assert isinstance(chain, PowerChain)
        for kind in ("rack_pdu", "busway", "ups", "transformer", "generator"):
            need(item, kind, getattr(chain, kind), kind)
    for item in catalog.items["defaults"].values():
        defaults = item.entry
        assert isinstance(defaults, Defaults)
        need(item, "power_chain", defaults.power_chain, "power_chain")
        need(item, "fluid", defaults.liquid_fluid, "liquid_fluid")
    return problems


def load_catalog(extra_dirs: Sequence[Path | str] = (), *, builtin: bool = True, use_env: bool = True) -> Catalog:
    """Load the built-in catalog, then DCPLAN_CATALOG folders, then ``extra_dirs``."""
    folders: list[Path] = [BUILTIN_DIR] if builtin else []
    if use_env:
        folders += catalog_dirs_from_env()
    folders += [Path(d).expanduser() for d in extra_dirs]
    # No on-disk cache: a pickle can run code planted by another user, and a safe (JSON,
    # re-validated) cache saved only ~0-40 ms of a ~150 ms load when measured
    return extend_catalog(Catalog(), folders)


def extend_catalog(base: Catalog, folders: Sequence[Path | str]) -> Catalog:
    """A new catalog: ``base`` with the entries of ``folders`` layered over it, in order.

    Same rules as ``load_catalog`` (an id replaces an earlier one of the same kind; every
    file all-or-nothing; references checked over the merged result); ``base`` is not changed.
    """
    paths = [Path(d).expanduser() for d in folders]
    catalog = Catalog(items={kind: dict(by_id) for kind, by_id in base.items.items()}, folders=[*base.folders, *paths])
    problems = _Problems()
    for folder in paths:
        for entry, path in problems.attempt(load_folder, folder) or ():
            _merge(catalog, entry, path, problems.lines)
    if not problems.lines:
        problems.lines = _check_references(catalog)
    if problems.lines:
        raise problems.error()
    return catalog


def _merge(catalog: Catalog, entry: Entry, path: Path, problems: list[str]) -> None:
    for kind, item in catalog.find(entry.id):
        if kind != entry.kind:
            problems.append(
                f"{display_path(path)}: {entry.kind} '{entry.id}': id already used by a {kind} in "
                f"{display_path(item.origin)}; an override must be the same kind"
            )
            return
    previous = catalog.items[entry.kind].get(entry.id)
    overrides = (*previous.overrides, previous.origin) if previous else ()
    catalog.items[entry.kind][entry.id] = CatalogItem(entry=entry, origin=path, overrides=overrides)


def validate_folder(folder: Path | str, *, with_builtin: bool = True) -> Catalog:
    """Validate one folder on its own terms (and its references against the built-ins)."""
    folder = Path(folder)
    try:
        resolved = folder.resolve()
    except (OSError, RuntimeError):  # a symlink loop: load_folder says so in one line
        resolved = folder
    if with_builtin and resolved != BUILTIN_DIR:
        return load_catalog([folder], use_env=False)
    return load_catalog(use_env=False)
