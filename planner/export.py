"""Writing plans: atomic files, no silent overwrite, format chosen by extension."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from planner.cli.common import UserError
from planner.plan import CapacityPlan

FORMATS = {".json": "json"}


def format_for(path: Path) -> str:
    """The export format named by a file extension; one-line error for unknown ones."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UserError(f"{path}: unknown plan format {suffix or '(none)'}; use one of {', '.join(sorted(FORMATS))}")
    return FORMATS[suffix]


def check_output_path(path: Path, force: bool) -> None:
    """Fail early (before solving) if the output cannot or must not be written."""
    format_for(path)
    if path.exists() and not force:
        raise UserError(f"{path}: already exists; pass --force to overwrite it")
    if path.exists() and path.is_dir():
        raise UserError(f"{path}: is a folder, not a file")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"{path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UserError(f"{path}: folder {parent} is not writable")


def write_atomic(path: Path, write: Callable[[Path], None], force: bool) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``.

    A crash or error leaves any existing file untouched and no partial file behind.
    """
    check_output_path(path, force)
    parent = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()


def write_plan(plan: CapacityPlan, path: Path, force: bool = False) -> None:
    """Write ``plan`` in the format its extension names."""
    kind = format_for(path)
    if kind == "json":
        write_atomic(path, lambda tmp: tmp.write_text(plan.to_json_text(), encoding="utf-8"), force)
