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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from dcplan.models.catalog.rows import (
    CatalogError,
    CatalogRow,
    display_path,
    read_catalog_file,
    shorten,
    validate_pending,
)
from dcplan.models.catalog.schema import (
    KINDS,
    Busway,
    Chip,
    Claim,
    Cooling,
    Defaults,
    Efficiency,
    Entry,
    Fabric,
    Fluid,
    Generator,
    Goodput,
    LeadTime,
    Plant,
    PowerChain,
    PrimeMover,
    RackPdu,
    RackSlot,
    Site,
    Storage,
    System,
    Transformer,
    Ups,
)
from dcplan.models.errors import DcplanError

ENV_VAR = "DCPLAN_CATALOG"
BUILTIN_DIR = Path(__file__).resolve().parents[2] / "catalogs"

E = TypeVar("E", bound=Entry)
_T = TypeVar("_T")


class UnknownIdError(DcplanError, KeyError):
    """An id that is not in the catalog; the message suggests close matches.

    Still a ``KeyError`` (callers looking ids up may catch that); ``close`` holds the
    suggestions, ``kind`` and ``entry_id`` what was asked for.
    """

    def __init__(self, kind: str, entry_id: str, known: Iterable[str]):
        from difflib import get_close_matches  # only for an unknown id (difflib: ~3 ms of a start)

        known = sorted(known)
        self.kind = kind
        self.entry_id = entry_id
        self.close = get_close_matches(str(entry_id), known, n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in self.close)}?" if self.close else ""
        self.message = f"unknown {kind} id {shorten(entry_id)}{hint} (see `dcplan catalog list`)"
        super().__init__(
            self.message,
            expected="a catalog id" if kind == "catalog" else f"a catalog {kind} id",
            got=str(entry_id)[:200],
        )

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class CatalogItem:
    """An entry with the file it came from and the files it replaced."""

    entry: Entry
    origin: Path
    overrides: tuple[Path, ...] = ()


class PendingItem(CatalogItem):
    """An item of a lazily loaded catalog (``load_catalog(lazy=True)``): its row is validated,
    and the ids it names checked against the catalog, the first time ``entry`` is read.

    A problem is the same CatalogError, in the same words, that the eager load raises for
    that entry (its validation lines, else its unknown references).
    """

    row: CatalogRow
    catalog: Catalog
    _entry: Entry | None

    def __init__(self, row: CatalogRow, origin: Path, overrides: tuple[Path, ...], catalog: Catalog):
        for name, value in (("origin", origin), ("overrides", overrides), ("row", row), ("catalog", catalog)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_entry", None)

    @property
    def entry(self) -> Entry:  # type: ignore[override]
        if self._entry is not None:
            return self._entry
        entry = validate_pending(self.row)
        problems = _reference_problems(self.catalog, entry, self.origin)
        if problems:
            raise CatalogError(problems)
        object.__setattr__(self, "_entry", entry)
        return entry

    def rebound(self, catalog: Catalog) -> PendingItem:
        """The same pending item, its references checked against ``catalog``."""
        return PendingItem(self.row, self.origin, self.overrides, catalog) if self._entry is None else self


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

    def claim(self, entry_id: str) -> Claim:
        return self._typed("claim", entry_id, Claim)

    def efficiency(self, entry_id: str) -> Efficiency:
        return self._typed("efficiency", entry_id, Efficiency)

    def goodput(self, entry_id: str) -> Goodput:
        return self._typed("goodput", entry_id, Goodput)

    def lead_time(self, entry_id: str) -> LeadTime:
        return self._typed("lead_time", entry_id, LeadTime)

    def rack_slot(self, entry_id: str) -> RackSlot:
        return self._typed("rack_slot", entry_id, RackSlot)

    def fabric(self, entry_id: str) -> Fabric:
        return self._typed("fabric", entry_id, Fabric)

    def storage(self, entry_id: str) -> Storage:
        return self._typed("storage", entry_id, Storage)

    def prime_mover(self, entry_id: str) -> PrimeMover:
        return self._typed("prime_mover", entry_id, PrimeMover)

    def families(self) -> set[str]:
        """Every system family, read without validating entries a lazy load has not read."""
        found: set[str] = set()
        for item in self.items["system"].values():
            if isinstance(item, PendingItem) and item._entry is None:
                family = item.row.data.get("family")
                if isinstance(family, str):
                    found.add(family)
            else:
                found.add(item.entry.family)  # type: ignore[attr-defined]
        return found

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


def load_folder(folder: Path, *, defer: bool = False) -> list[tuple[Entry | CatalogRow, Path]]:
    """All entries of one folder's ``*.toml`` files (not sub-folders); ids unique in the folder.

    With ``defer`` the entries with valid ids come as CatalogRows (``read_catalog_file``).
    """
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
    loaded: list[tuple[Entry | CatalogRow, Path]] = []
    seen: dict[str, Path] = {}
    for path in files:
        entries = problems.attempt(partial(read_catalog_file, defer=defer), path)
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


def _references(entry: Entry) -> list[tuple[str, str, str]]:
    """(kind, id, field) of every catalog id ``entry`` names."""
    if isinstance(entry, System):
        return [("chip", entry.chip, "chip"), *(("cooling", cooling_id, "cooling") for cooling_id in entry.cooling)]
    if isinstance(entry, Cooling):
        return [("plant", entry.plant, "plant")]
    if isinstance(entry, PowerChain):
        return [
            (kind, getattr(entry, kind), kind) for kind in ("rack_pdu", "busway", "ups", "transformer", "generator")
        ]
    if isinstance(entry, Defaults):
        return [("power_chain", entry.power_chain, "power_chain"), ("fluid", entry.liquid_fluid, "liquid_fluid")]
    if isinstance(entry, Efficiency | Goodput):
        # "family" is not an entry kind: it must be the family of some system
        named = [(name, getattr(entry, name)) for name in ("system", "chip", "family") if hasattr(entry, name)]
        return [(name, value, name) for name, value in named if value is not None]
    if isinstance(entry, Claim):
        return [("system", entry.subject, "subject"), ("system", entry.baseline, "baseline")]
    if isinstance(entry, RackSlot):
        admits = [("system", system_id, "admits") for system_id in entry.admits]
        return admits + [("system", trays.system, "switch_trays") for trays in entry.switch_trays]
    if isinstance(entry, Fabric):
        storage = [("storage", entry.storage, "storage")] if entry.storage else []
        return [("system", system_id, "systems") for system_id in entry.systems] + storage
    return []


def _reference_problems(catalog: Catalog, entry: Entry, origin: Path) -> list[str]:
    """One line per id ``entry`` names that the catalog does not hold."""
    problems: list[str] = []
    families: set[str] | None = None
    for kind, ref, field_name in _references(entry):
        if kind == "family":
            families = catalog.families() if families is None else families
            if ref not in families:
                known = ", ".join(sorted(families)) or "none"
                problems.append(
                    f"{display_path(origin)}: {entry.kind} '{entry.id}' field 'family': "
                    f"no system has family {ref!r} (known: {known})"
                )
        elif ref not in catalog.items[kind]:
            known = ", ".join(sorted(catalog.items[kind])) or "none"
            problems.append(
                f"{display_path(origin)}: {entry.kind} '{entry.id}' field '{field_name}': "
                f"unknown {kind.replace('_', ' ')} {ref!r} (known: {known})"
            )
    return problems


def _check_references(catalog: Catalog) -> list[str]:
    problems: list[str] = []
    for kind in (
        "system",
        "cooling",
        "power_chain",
        "defaults",
        "efficiency",
        "goodput",
        "claim",
        "rack_slot",
        "fabric",
    ):
        for item in catalog.items[kind].values():
            problems += _reference_problems(catalog, item.entry, item.origin)
    return problems


def load_catalog(
    extra_dirs: Sequence[Path | str] = (), *, builtin: bool = True, use_env: bool = True, lazy: bool = False
) -> Catalog:
    """Load the built-in catalog, then DCPLAN_CATALOG folders, then ``extra_dirs``.

    ``lazy`` (for a command that reads a few entries, `dcplan size`): every file is read and
    checked as a whole (TOML, tables, ids: unique, same kind on override), but an entry is
    validated, and the ids it names checked, only when it is first read (PendingItem); a
    problem in an entry the command never reads is not reported. ``dcplan catalog validate``
    and every other caller load eagerly: all entries, all references.
    """
    folders: list[Path] = [BUILTIN_DIR] if builtin else []
    if use_env:
        folders += catalog_dirs_from_env()
    folders += [Path(d).expanduser() for d in extra_dirs]
    # No on-disk cache: a pickle can run code planted by another user, and a safe (JSON,
    # re-validated) cache saved only ~0-40 ms of a ~150 ms load when measured
    return extend_catalog(Catalog(), folders, lazy=lazy)


def extend_catalog(base: Catalog, folders: Sequence[Path | str], *, lazy: bool = False) -> Catalog:
    """A new catalog: ``base`` with the entries of ``folders`` layered over it, in order.

    Same rules as ``load_catalog`` (an id replaces an earlier one of the same kind; every
    file all-or-nothing; references checked over the merged result); ``base`` is not changed.
    """
    paths = [Path(d).expanduser() for d in folders]
    catalog = Catalog(items={kind: {} for kind in base.items}, folders=[*base.folders, *paths])
    for kind, by_id in base.items.items():
        catalog.items[kind] = {k: i.rebound(catalog) if isinstance(i, PendingItem) else i for k, i in by_id.items()}
    problems = _Problems()
    for folder in paths:
        for entry, path in problems.attempt(partial(load_folder, defer=lazy), folder) or ():
            _merge(catalog, entry, path, problems.lines)
    if not problems.lines and not lazy:
        problems.lines = _check_references(catalog)
    if problems.lines:
        raise problems.error()
    return catalog


def _merge(catalog: Catalog, entry: Entry | CatalogRow, path: Path, problems: list[str]) -> None:
    for kind, item in catalog.find(entry.id):
        if kind != entry.kind:
            problems.append(
                f"{display_path(path)}: {entry.kind} '{entry.id}': id already used by a {kind} in "
                f"{display_path(item.origin)}; an override must be the same kind"
            )
            return
    previous = catalog.items[entry.kind].get(entry.id)
    overrides = (*previous.overrides, previous.origin) if previous else ()
    if isinstance(entry, CatalogRow):
        catalog.items[entry.kind][entry.id] = PendingItem(entry, path, overrides, catalog)
    else:
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
