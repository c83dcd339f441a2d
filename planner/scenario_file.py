"""Scenario files as the user wrote them: load, edit in place, save — comments and key order kept.

The scenario editor keeps the ``tomlkit`` document parsed from the file and applies each
edit to it in place (``apply_edit``, ``add_item``, ``remove_item``), so saving changes only
the values the user changed: comments, blank lines and key order survive a round trip.
The plain mapping the rest of dcplan validates is ``document.unwrap()``.

``dumps`` refuses (``ScenarioFileError``) to produce text that would not read back as the
same data (a lone surrogate, an integer TOML cannot hold, ...), and ``save_atomic`` writes
through a temporary file in the target's folder renamed into place, refusing to replace an
existing file unless asked to (``TargetExistsError``, decided atomically with a hard link
or ``O_EXCL``, not an ``exists()`` check). Nothing here imports textual: the screen only
presents.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import stat
import tomllib
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.exceptions
from tomlkit.items import AoT, Array, InlineTable, Table
from tomlkit.toml_document import TOMLDocument

from dcplan.models.errors import DcplanError
from dcplan.models.files import create_only, read_text

# The package's own data folder (shipped catalogs and demo scenarios): never written to
# without the user's explicit choice.
PACKAGE_DATA_DIR = Path(__file__).resolve().parents[1] / "catalogs"

# TOML integers are signed 64-bit (toml.io v1.0.0, "Integer"); Python's are unbounded.
TOML_INT_MIN, TOML_INT_MAX = -(2**63), 2**63 - 1


class ScenarioFileError(DcplanError):
    """A scenario file that cannot be read, edited or written as asked (one line; file and field named)."""


class TargetExistsError(ScenarioFileError):
    """The file to write exists and the caller did not allow replacing it."""


Location = tuple[str | int, ...]


def _where(loc: Location) -> str:
    """('hall', 0, 'id') -> '[[hall]] #1 field id'; ('scenario', 'name') -> '[scenario] field name'."""
    if not loc:
        return "scenario"
    if len(loc) > 1 and isinstance(loc[1], int):
        head = f"[[{loc[0]}]] #{loc[1] + 1}"
        rest = loc[2:]
    else:
        head = f"[{loc[0]}]"
        rest = loc[1:]
    return head + (f" field {'.'.join(str(p) for p in rest)}" if rest else "")


# reading -------------------------------------------------------------------------------
def parse_document(text: str, where: str = "scenario") -> tuple[TOMLDocument, dict[str, Any]]:
    """Parse TOML text into (tomlkit document, plain dict); ScenarioFileError when malformed.

    The plain dict comes from ``tomllib`` (what every other loader of dcplan reads), and
    must equal the document's own view: otherwise editing could change what is not edited.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError(f"{where}: malformed TOML: {exc}", file=where, expected="a TOML file") from None
    except RecursionError:
        raise ScenarioFileError(f"{where}: TOML nested too deeply", file=where, expected="a TOML file") from None
    try:
        document = tomlkit.parse(text)
        plain = document.unwrap()
    except (tomlkit.exceptions.TOMLKitError, ValueError) as exc:
        raise ScenarioFileError(
            f"{where}: cannot edit this TOML while keeping its layout: {exc}", file=where, expected="a TOML file"
        ) from None
    except RecursionError:
        raise ScenarioFileError(f"{where}: TOML nested too deeply", file=where, expected="a TOML file") from None
    if not same_data(plain, data):
        raise ScenarioFileError(
            f"{where}: cannot edit this TOML while keeping its layout (the format-preserving reader disagrees)",
            file=where,
            expected="a TOML file",
        )
    return document, data


def load_document(path: Path | str) -> tuple[TOMLDocument, dict[str, Any]]:
    """Read a scenario file (regular files only, through models.files.read_text) for editing."""
    path = Path(path)
    _check_name(path)
    text = read_text(path, "scenario file")
    return parse_document(text, str(path))


def _check_name(path: Path) -> None:
    """A path the OS can be asked about (a NUL byte makes os calls raise ValueError)."""
    if "\x00" in str(path):
        shown = str(path).replace("\x00", "\\x00")
        raise ScenarioFileError(
            f"{shown}: a file name cannot contain a NUL character", file=shown, expected="a file name"
        )


def new_document(data: Mapping[str, Any]) -> TOMLDocument:
    """A fresh document holding ``data`` (tables in the usual scenario order, unknown ones last)."""
    from dcplan.planner.scenario import TABLE_ORDER

    document = tomlkit.document()
    order = [t for t in TABLE_ORDER if t in data] + [t for t in data if t not in TABLE_ORDER]
    for key in order:
        value = data[key]
        if value is None or (key in TABLE_ORDER and isinstance(value, list) and not value):
            continue  # no items yet: written as [[key]] tables once there are some
        document[key] = _toml_item(value)
    return document


def _is_tables(value: Any) -> bool:
    """A non-empty list of mappings: what TOML writes as an array of tables ``[[key]]``."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _toml_item(value: Any) -> Any:
    """``value`` as a new TOML item: a list of mappings as ``[[tables]]``, a mapping as a
    ``[table]``, anything else plain (None dropped inside)."""
    if _is_tables(value):
        tables = tomlkit.aot()
        for item in value:
            tables.append(_table(item))
        return tables
    if isinstance(value, Mapping):
        return _table(value)
    return _plain(value)


def _plain(value: Any) -> Any:
    """Drop None (TOML has no null) inside values given to tomlkit."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value if v is not None]
    return value


def _table(values: Mapping[str, Any]) -> Table:
    table = tomlkit.table()
    for key, value in values.items():
        if value is not None:
            table[key] = _plain(value)
    return table


# editing -------------------------------------------------------------------------------
def _container(document: TOMLDocument, loc: Location, create: bool) -> Any:
    """The table or array at ``loc`` (tables created on the way when ``create``)."""
    node: Any = document
    for step in loc:
        if isinstance(step, int):
            if not isinstance(node, AoT | Array | list) or not 0 <= step < len(node):
                raise ScenarioFileError(f"{_where(loc)}: no such item", field=_where(loc))
            node = node[step]
        else:
            if not isinstance(node, MutableMapping):
                raise ScenarioFileError(f"{_where(loc)}: not a table", field=_where(loc))
            if step not in node:
                if not create:
                    raise ScenarioFileError(f"{_where(loc)}: no such table", field=_where(loc))
                node[step] = tomlkit.table()
            node = node[step]
    return node


def apply_edit(document: TOMLDocument, loc: Location, value: Any) -> None:
    """Set the value at ``loc`` (e.g. ('hall', 0, 'it_power_cap')) in place; None removes the key.

    A replaced value keeps its place and its end-of-line comment; a new key goes at the end
    of its table.
    """
    if not loc or not isinstance(loc[-1], str):
        raise ScenarioFileError(f"{_where(loc)}: not a field", field=_where(loc))
    parent = _container(document, loc[:-1], create=value is not None)
    if not isinstance(parent, Table | InlineTable | TOMLDocument):
        raise ScenarioFileError(f"{_where(loc[:-1])}: not a table", field=_where(loc))
    key = loc[-1]
    if value is None:
        if key in parent:
            del parent[key]
        return
    if isinstance(value, float) and not math.isfinite(value):
        # tomlkit would write nan/inf, which TOML allows, but no dcplan field means it
        raise ScenarioFileError(f"{_where(loc)}: expected a finite number, got {value!r}", field=_where(loc))
    parent[key] = _plain(value)


def add_item(document: TOMLDocument, table: str, item: Mapping[str, Any]) -> int:
    """Append an item to the array of tables ``table`` (created if absent); its index."""
    current = document.get(table)
    if isinstance(current, Array) and not current:
        del document[table]  # `table = []`: the first item makes it an array of tables
        current = None
    if current is None:
        document[table] = _toml_item([item])
        return 0
    if isinstance(current, AoT):
        current.append(_table(item))
    elif isinstance(current, Array) and all(isinstance(v, Mapping) for v in current):
        current.append(_plain(dict(item)))  # an inline array of tables stays inline
    else:
        raise ScenarioFileError(
            f"[[{table}]]: is not an array of tables; fix it in the file first", field=table, expected="[[table]] items"
        )
    return len(current) - 1


def remove_item(document: TOMLDocument, table: str, index: int) -> None:
    """Remove item ``index`` of ``table``; the whole key when it was the last item."""
    current = document.get(table)
    if not isinstance(current, AoT | Array) or not 0 <= index < len(current):
        raise ScenarioFileError(f"[[{table}]] #{index + 1}: no such item", field=table)
    if len(current) == 1:
        del document[table]  # tomlkit would otherwise write an empty `table = []` at the top
    else:
        del current[index]


def sync(document: TOMLDocument, data: Mapping[str, Any]) -> None:
    """Make ``document`` hold ``data``, changing only what differs (the rest keeps its comments).

    For picking up a file's layout when the data was edited before the file was read.
    """
    _sync_table(document, data)


def _unwrapped(value: Any) -> Any:
    return value.unwrap() if hasattr(value, "unwrap") else value


def _sync_table(table: Any, data: Mapping[str, Any]) -> None:
    for key in [k for k in table if k not in data or data[k] is None]:
        del table[key]
    for key, value in data.items():
        if value is None:
            continue
        current = table.get(key)
        if current is not None and same_data(_unwrapped(current), value):
            continue
        if isinstance(value, Mapping) and isinstance(current, Table | InlineTable):
            _sync_table(current, value)
        elif _is_tables(value) and isinstance(current, AoT | Array) and all(isinstance(v, Mapping) for v in current):
            while len(current) > len(value):
                del current[len(current) - 1]
            for i, item in enumerate(value):
                if i < len(current):
                    _sync_table(current[i], item)
                else:
                    current.append(_table(item) if isinstance(current, AoT) else _plain(dict(item)))
        else:
            table[key] = _toml_item(value)


# writing -------------------------------------------------------------------------------
def same_data(a: Any, b: Any) -> bool:
    """Equal as data (key order aside): same types where TOML distinguishes them, NaN equal to NaN."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and bool(a == b)


def _unwritable(value: Any, loc: Location) -> tuple[Location, str] | None:
    """The first value TOML cannot hold faithfully, with why."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = _unwritable(key, loc) or _unwritable(item, (*loc, key))
            if found:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _unwritable(item, (*loc, index))
            if found:
                return found
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return loc, f"contains U+{ord(value[exc.start]):04X}, which cannot be written as UTF-8"
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int) and not TOML_INT_MIN <= value <= TOML_INT_MAX:
        return loc, "is an integer beyond TOML's 64-bit range"
    elif isinstance(value, float) and not math.isfinite(value):
        return loc, f"is {value!r}, expected a finite number"
    return None


def dumps(document: TOMLDocument) -> str:
    """The document as TOML text, proven to read back (tomllib) as the same data.

    Raises ScenarioFileError naming the field when a value cannot be written faithfully.
    """
    data = document.unwrap()
    found = _unwritable(data, ())
    if found:
        loc, why = found
        raise ScenarioFileError(f"{_where(loc)}: {why}", field=_where(loc), expected="text TOML can hold")
    text = tomlkit.dumps(document)
    try:
        back = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ScenarioFileError(f"cannot be saved: the TOML written would not read back ({exc})") from None
    if not same_data(back, data):
        raise ScenarioFileError("cannot be saved: the TOML written would not read back as the same data")
    return text


def is_package_data(path: Path | str) -> bool:
    """Whether ``path`` lies inside dcplan's own data folder (shipped catalogs and scenarios)."""
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(PACKAGE_DATA_DIR))
    except ValueError:  # outside the folder (or a name with a NUL byte, which save refuses)
        return False
    return True


def proposed_save_path(path: Path | str, folder: Path | None = None) -> Path:
    """Where to offer saving a copy of a shipped file: the same name in the working folder."""
    return (folder or Path.cwd()) / Path(path).name


def save_atomic(path: Path | str, text: str, overwrite: bool) -> Path:
    """Write ``text`` to ``path`` atomically; the path written (a symlink is written through).

    A temporary file in the same folder is written, flushed and renamed into place, and
    removed on every failure. Without ``overwrite`` an existing file is never replaced
    (TargetExistsError), decided by the kernel (hard link / O_EXCL). With it, the existing
    file's permission bits are kept. Other failures: ScenarioFileError with the reason.
    """
    target = Path(path)
    _check_name(target)
    shown = str(target)
    try:
        if target.is_symlink():
            target = Path(os.path.realpath(target))  # replace the file the link names, not the link
    except OSError as exc:
        raise ScenarioFileError(f"{shown}: cannot write: {exc.strerror or exc}", file=shown) from None
    payload = text.encode("utf-8")
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise ScenarioFileError(f"{shown}: cannot write: {exc.strerror or exc}", file=shown) from None
    if existing is not None:
        if not overwrite:
            raise TargetExistsError(f"{shown}: exists", file=shown, expected="a new file")
        if not stat.S_ISREG(existing.st_mode):
            kind = "a folder" if stat.S_ISDIR(existing.st_mode) else "not a regular file"
            raise ScenarioFileError(f"{shown}: is {kind}; not replaced", file=shown, expected="a file")
    folder = target.parent
    tmp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    except OSError as exc:
        raise ScenarioFileError(f"{shown}: cannot write: {exc.strerror or exc}", file=shown) from None
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                if existing is not None:
                    os.fchmod(handle.fileno(), stat.S_IMODE(existing.st_mode))
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            if overwrite:
                os.replace(tmp, target)
            else:
                create_only(tmp, target)
        except FileExistsError:
            raise TargetExistsError(f"{shown}: exists", file=shown, expected="a new file") from None
        except OSError as exc:
            raise ScenarioFileError(f"{shown}: cannot write: {exc.strerror or exc}", file=shown) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return target
