"""An on-disk cache of validated catalogs, so start-up skips TOML parsing and validation.

The key hashes everything a catalog depends on: the dcplan version, the schema and unit
code (path, size, mtime), and every catalog file read (path, size, mtime). Any change
misses the cache. Only catalogs that loaded without error are stored. The cache is an
optimisation: any failure to read or write it is ignored.

Where: ``$DCPLAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/dcplan``, else ``~/.cache/dcplan``.
``DCPLAN_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_CODE = [Path(__file__).resolve().parent / name for name in ("schema.py", "sourced.py", "loader.py")]
_CODE.append(Path(__file__).resolve().parents[1] / "units.py")
KEEP = 16


def cache_dir() -> Path | None:
    if os.environ.get("DCPLAN_NO_CACHE"):
        return None
    if os.environ.get("DCPLAN_CACHE_DIR"):
        return Path(os.environ["DCPLAN_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "dcplan"


def _stamp(path: Path) -> str:
    stat = path.stat()
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def cache_key(folders: Sequence[Path]) -> str | None:
    """A hash of the code and of every catalog file in ``folders``; None if a folder is unreadable."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    try:
        digest.update(version("dcplan").encode())
    except PackageNotFoundError:
        digest.update(b"unknown")
    try:
        for path in _CODE:
            digest.update(_stamp(path).encode())
        for folder in folders:
            digest.update(f"folder:{folder.resolve()}".encode())
            for path in sorted(p for p in folder.iterdir() if p.suffix == ".toml" and p.is_file()):
                digest.update(_stamp(path.resolve()).encode())
    except OSError:
        return None  # let the loader report the problem
    return digest.hexdigest()[:32]


def load(key: str) -> Any:
    """The cached catalog for ``key``, or None."""
    where = cache_dir()
    if where is None:
        return None
    try:
        with (where / f"catalog-{key}.pickle").open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # a missing, partial or incompatible cache file is just a miss
        return None


def store(key: str, catalog: Any) -> None:
    """Write the catalog atomically; keep only the newest KEEP entries."""
    where = cache_dir()
    if where is None:
        return
    try:
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".catalog-", suffix=".tmp", dir=where)
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(catalog, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, where / f"catalog-{key}.pickle")
        entries = sorted(where.glob("catalog-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except Exception:  # the cache is an optimisation only
        return
