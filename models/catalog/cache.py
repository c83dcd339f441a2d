"""An on-disk cache of validated catalogs, so start-up skips reading and parsing TOML.

Safety first: a cache file is data, never code. It is JSON of the validated entries (each
entry's canonical ``model_dump``), and a hit re-validates every entry through its pydantic
model, so a planted or corrupt file can at worst be a miss, never run anything. The folder
must be a real folder owned by the current user and not writable by group or others
(created 0700; an owned folder that is merely readable by others is tightened to 0700); any
other folder is ignored, and so is a cache file that is not a regular file owned by the user.

The key is a SHA-256 over the contents (not size or mtime) of every catalog file read and of
the schema/unit code, plus the versions of Python, dcplan, pydantic, pydantic-core and pint.
Any change misses. Only catalogs that loaded without error are stored, and only when their
JSON reads back to the same data. The cache is an optimisation: any failure to read or
write it is a miss.

Where: ``$DCPLAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/dcplan``, else ``~/.cache/dcplan``.
``DCPLAN_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.catalog.loader import Catalog

_HERE = Path(__file__).resolve().parent
_CODE = [_HERE / name for name in ("schema.py", "sourced.py", "loader.py", "cache.py")]
_CODE.append(_HERE.parent / "units.py")
KEEP = 16
FORMAT = 1
_MAX_CACHE_BYTES = 32 * 1024 * 1024  # far above any real catalog (the built-in one is ~150 kB)


def cache_dir() -> Path | None:
    """The configured cache folder (not yet checked), or None when caching is off."""
    if os.environ.get("DCPLAN_NO_CACHE"):
        return None
    if os.environ.get("DCPLAN_CACHE_DIR"):
        return Path(os.environ["DCPLAN_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "dcplan"


def _uid() -> int | None:
    getuid = getattr(os, "getuid", None)
    return getuid() if getuid is not None else None


def safe_dir(create: bool = False) -> Path | None:
    """The cache folder if it is safe to use: a real folder (not a symlink) owned by this
    user and not group/world-writable. With ``create`` a missing folder is made 0700."""
    where = cache_dir()
    if where is None:
        return None
    try:
        if create and not os.path.lexists(where):
            where.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                where.mkdir(mode=0o700)
        info = os.lstat(where)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode):
        return None  # a symlink (possibly planted) or a file
    uid = _uid()
    if uid is not None and info.st_uid != uid:
        return None
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None  # someone else may have written into it: never trust its contents
    if info.st_mode & 0o077:
        try:
            os.chmod(where, 0o700)  # ours and not writable by others: just tighten it
        except OSError:
            return None
    return where


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = [f"python={sys.version}", f"format={FORMAT}"]
    for package in ("dcplan", "pydantic", "pydantic-core", "pint"):
        try:
            parts.append(f"{package}={version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package}=unknown")
    return ";".join(parts)


def cache_key(folders: Sequence[Path]) -> str | None:
    """SHA-256 of the versions, the code and the contents of every ``*.toml`` in ``folders``.

    None (no caching) when a folder or file cannot be read as a regular file: the loader
    then runs and reports the problem itself.
    """
    from models.errors import DcplanError
    from models.files import read_bytes

    digest = hashlib.sha256(_versions().encode())
    try:
        for path in _CODE:
            digest.update(f"\0code:{path.name}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        for folder in folders:
            digest.update(f"\0folder:{Path(folder).resolve()}\0".encode())
            for path in sorted(p for p in Path(folder).iterdir() if p.suffix == ".toml"):
                data = read_bytes(path, "catalog file")  # refuses FIFOs, loops, folders: no hang
                digest.update(f"\0file:{path.name}\0".encode())
                digest.update(hashlib.sha256(data).digest())
    except (OSError, DcplanError):
        return None
    return digest.hexdigest()


def _file(where: Path, key: str) -> Path:
    return where / f"catalog-{key[:40]}.json"


def _to_json(key: str, catalog: Catalog) -> str:
    items = {
        kind: {
            entry_id: {
                "entry": item.entry.model_dump(mode="json"),
                "origin": str(item.origin),
                "overrides": [str(p) for p in item.overrides],
            }
            for entry_id, item in by_id.items()
        }
        for kind, by_id in catalog.items.items()
    }
    document = {"format": FORMAT, "key": key, "folders": [str(f) for f in catalog.folders], "items": items}
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _from_json(key: str, text: str) -> Catalog | None:
    """Rebuild a Catalog, re-validating every entry; None if anything is off."""
    from models.catalog.loader import Catalog, CatalogItem
    from models.catalog.schema import KINDS

    document = json.loads(text)
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("key") != key:
        return None
    catalog = Catalog(folders=[Path(f) for f in document["folders"]])
    items = document["items"]
    if set(items) != set(KINDS):
        return None
    for kind, by_id in items.items():
        model = KINDS[kind]
        for entry_id, item in by_id.items():
            entry = model.model_validate(item["entry"])
            if entry.id != entry_id:
                return None
            overrides = tuple(Path(p) for p in item["overrides"])
            catalog.items[kind][entry_id] = CatalogItem(entry=entry, origin=Path(item["origin"]), overrides=overrides)
    return catalog


def load(key: str) -> Catalog | None:
    """The cached catalog for ``key``, or None (missing, unsafe, corrupt or stale file)."""
    where = safe_dir()
    if where is None:
        return None
    path = _file(where, key)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        uid = _uid()
        if not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid):
            return None
        if info.st_size > _MAX_CACHE_BYTES:
            return None
        with os.fdopen(fd, "rb") as handle:
            fd = -1
            text = handle.read(_MAX_CACHE_BYTES + 1).decode("utf-8")
        return _from_json(key, text)
    except Exception:  # a partial, corrupt, hand-edited or incompatible file is just a miss
        return None
    finally:
        if fd >= 0:
            os.close(fd)


def store(key: str, catalog: Catalog) -> None:
    """Write the catalog atomically (temp file in the folder, then rename), 0600; keep only
    the newest KEEP entries. Skipped when the files changed while loading or the JSON does
    not read back to the same data."""
    where = safe_dir(create=True)
    if where is None:
        return
    tmp: str | None = None
    try:
        if cache_key(catalog.folders) != key:
            return  # a catalog file changed between hashing and parsing: do not file it under the old key
        text = _to_json(key, catalog)
        again = _from_json(key, text)
        if again is None or _to_json(key, again) != text:
            return  # something does not survive JSON: never serve a different catalog
        fd, tmp = tempfile.mkstemp(prefix=".catalog-", suffix=".tmp", dir=where)  # mode 0600
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, _file(where, key))
        tmp = None
        entries = sorted(where.glob("catalog-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in [*entries[KEEP:], *where.glob("catalog-*.pickle")]:  # pickles of older dcplan: never read
            old.unlink(missing_ok=True)
    except Exception:  # the cache is an optimisation only
        return
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
