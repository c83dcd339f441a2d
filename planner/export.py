"""Writing plans: atomic files, no silent overwrite, format chosen by extension.

=========  ==================================================================================
.json      the CapacityPlan (versioned; schema in catalogs/plan.schema.json; re-loadable)
.csv       bill of materials; ``<stem>-rows.csv`` (per row), ``<stem>-workloads.csv`` (per workload)
           and ``<stem>-workload-placements.csv`` (per placement) next to it
.xlsx      workbook: Summary, Mix, Workloads, Placements, Halls, Bill of materials, Rows, Layout,
           Limits, Assumptions
.md        Markdown report; its charts and floor plan go to ``<stem>-<chart>.svg`` next to it
.html      self-contained HTML report (inline CSS and SVG, no scripts, no external resources)
.svg       floor plan: halls, rows and rack slots to scale
=========  ==================================================================================

How files are written (``commit_files``):

* Every file of an export is rendered in memory first, then written into one staging
  folder ``.dcplan-<host>-<pid>-<token>.tmp/`` in the target's folder and fsynced. Only
  when the whole set is on disk are the files moved into place, in one burst.
* Without ``force`` a file is put in place with ``os.link`` (which fails if the name
  exists), so "refuse if it exists" is atomic: of two writers racing for one name exactly
  one succeeds, the other gets "already exists". With ``force`` it is ``os.replace``.
* A multi-file set (CSV + rows CSV, Markdown + SVGs) is replaced together: any failure or
  Ctrl-C before the last file is in place puts the previous files back (or removes the new
  ones), so a reader never finds a new ``plan.csv`` next to an old ``plan-rows.csv`` after
  a failed export. (Only a SIGKILL inside the final burst of renames, microseconds long,
  could split a set; the next export of the set rewrites all of it.)
* The staging folder is removed on every catchable failure path, including
  KeyboardInterrupt. SIGKILL cannot be caught, so each write first removes stale staging
  folders of dcplan's own (recognised by name) whose process on this host is gone, or
  that are older than a day.
* ``--force`` keeps an existing target's permission bits; a new file gets 0666 less the
  umask. A target that is a symlink is written through: the file it points at is
  replaced and the link stays (without ``--force`` an existing link, even a dangling one,
  counts as an existing file).
* An OSError (full disk, no permission, ...) becomes one line,
  ``<file>: cannot write: no space left on device``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import stat
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from dcplan.models.errors import DcplanError
from dcplan.models.files import create_only
from dcplan.planner.plan import CapacityPlan
from dcplan.planner.roadmap_plan import RoadmapPlan

FORMATS = {".json": "json", ".csv": "csv", ".xlsx": "xlsx", ".md": "md", ".html": "html", ".htm": "html", ".svg": "svg"}
EXTENSIONS = {"json": ".json", "csv": ".csv", "xlsx": ".xlsx", "md": ".md", "html": ".html", "svg": ".svg"}
MD_ASSETS = ("power", "heat", "capex", "compute", "floorplan")


class OutputFileError(DcplanError):
    """An output file that must not or cannot be written (exists, no folder, unknown format);
    one line, exit 2. Raised before anything is written, or after rolling back."""


def format_from_suffix(path: Path, formats: Mapping[str, str], what: str) -> str:
    """The format ``path``'s extension names in ``formats`` (``{".json": "json", ...}``, any
    case of extension); else an OutputFileError of one line listing the choices:
    ``out.txt: unknown plan format .txt; use one of .csv, .json`` (``what`` = "plan")."""
    suffix = path.suffix.lower()
    if suffix not in formats:
        raise OutputFileError(
            f"{path}: unknown {what} format {suffix or '(none)'}; use one of {', '.join(sorted(formats))}"
        )
    return formats[suffix]


def format_for(path: Path) -> str:
    """The export format named by a file extension; one-line error for unknown ones."""
    return format_from_suffix(path, FORMATS, "plan")


def asset_path(path: Path, name: str) -> Path:
    """A file written next to a report: ``plan.md`` + 'power' -> ``plan-power.svg``."""
    return path.with_name(f"{path.stem}-{name}.svg")


def output_paths(path: Path) -> list[Path]:
    """Every file an export to ``path`` may write (the path itself first)."""
    kind = format_for(path)
    if kind == "csv":
        from dcplan.planner.report.csvfiles import companion_csv_paths

        return [path, *companion_csv_paths(path)]
    if kind == "md":
        return [path, *(asset_path(path, name) for name in MD_ASSETS)]
    return [path]


def check_output_file(path: Path, force: bool) -> None:
    """One file: not a folder, not overwritten without ``force``, in a writable folder."""
    if path.is_dir():
        raise OutputFileError(f"{path}: is a folder, not a file")
    if os.path.lexists(path) and not force:
        raise OutputFileError(f"{path}: already exists; pass --force to overwrite it")
    parent = _real_target(path).parent if force else _parent(path)
    if not parent.is_dir():
        raise OutputFileError(f"{path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise OutputFileError(f"{path}: folder {parent} is not writable")


def check_output_path(path: Path, force: bool) -> None:
    """Fail early (before solving) if the output, or a file written next to it, cannot or must not be written."""
    for one in output_paths(path):
        check_output_file(one, force)


def _parent(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _real_target(path: Path) -> Path:
    """Where a write to ``path`` lands: a symlink is followed to the file it names (even a dangling one)."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


def _umask() -> int:
    try:  # Linux: read it without changing it (os.umask is process-wide and not thread-safe)
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


STAGING_PREFIX = ".dcplan-"
STAGING_SUFFIX = ".tmp"
STALE_AFTER_S = 24 * 3600.0


def _host() -> str:
    return "".join(ch for ch in socket.gethostname() if ch.isalnum() or ch == "-")[:40] or "host"


def _staging_name() -> str:
    return f"{STAGING_PREFIX}{_host()}-{os.getpid()}-{secrets.token_hex(4)}{STAGING_SUFFIX}"


def _alive(pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) is not a probe elsewhere (0 is CTRL_C_EVENT on Windows)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def remove_stale_staging(folder: Path, now: float | None = None) -> list[Path]:
    """Remove staging folders left by killed dcplan writes in ``folder``; returns those removed.

    A staging folder is ours when its name is ``.dcplan-<host>-<pid>-<8 hex>.tmp``. It is
    stale when its process is gone (same host) or it is older than ``STALE_AFTER_S``; a
    live writer's folder (a concurrent export) is left alone.
    """
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(STAGING_PREFIX) and name.endswith(STAGING_SUFFIX)):
            continue
        parts = name[len(STAGING_PREFIX) : -len(STAGING_SUFFIX)].rsplit("-", 2)
        if len(parts) != 3 or not parts[1].isdigit() or len(parts[2]) != 8:
            continue
        host, pid = parts[0], int(parts[1])
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
            if not entry.is_dir(follow_symlinks=False):
                continue
        except OSError:
            continue
        if pid == os.getpid() and host == _host():
            continue
        if age > STALE_AFTER_S or (host == _host() and not _alive(pid)):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def _write_bytes(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` (it must not exist) with ``data``, fsynced. The one place file bytes are written."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fchmod(fd, mode)
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


Content = bytes | Callable[[Path], None]


def commit_files(files: Mapping[Path, Content], force: bool) -> list[Path]:
    """Write a set of files atomically as a set (see the module notes); returns the paths given.

    Each value is the file's bytes, or a function that writes the file at the path it is
    given (a staging path). Raises OutputFileError (one line) for an existing file without
    ``force`` or an OSError; nothing of the new set stays behind on any failure.
    """
    for path in files:
        check_output_file(path, force)
    targets = {path: (_real_target(path) if force else path) for path in files}
    staging: dict[Path, Path] = {}  # real parent folder -> its staging folder
    placed: list[tuple[Path, Path | None, bool]] = []  # (target, backup of the old file, it existed)
    current = next(iter(files))
    try:
        for path, content in files.items():
            current = path
            target = targets[path]
            folder = _parent(target)
            if folder not in staging:
                remove_stale_staging(folder)
                staging[folder] = folder / _staging_name()
                os.mkdir(staging[folder], 0o700)
            staged = staging[folder] / target.name
            try:
                mode = stat.S_IMODE(os.stat(target).st_mode) if force else None
            except FileNotFoundError:
                mode = None
            mode = (0o666 & ~_umask()) if mode is None else mode
            if isinstance(content, bytes):
                _write_bytes(staged, content, mode)
            else:
                content(staged)
                with staged.open("rb") as handle:
                    os.fsync(handle.fileno())
                os.chmod(staged, mode)
        for path in files:  # the burst: every file of the set is complete on disk
            current = path
            target = targets[path]
            staged = staging[_parent(target)] / target.name
            if force:
                backup, existed = None, os.path.lexists(target)
                if existed:
                    backup = staged.with_name(staged.name + ".old")
                    try:
                        os.link(target, backup)  # keep the old file to put back if the set fails
                    except OSError:  # a file system without hard links: no way back for this file
                        backup = None
                os.replace(staged, target)
                placed.append((target, backup, existed))
            else:
                try:
                    create_only(staged, target)
                except FileExistsError:
                    raise OutputFileError(f"{path}: already exists; pass --force to overwrite it") from None
                placed.append((target, None, False))
        for folder in staging:
            _fsync_dir(folder)
    except BaseException as exc:
        _roll_back(placed)
        if isinstance(exc, OSError):
            raise OutputFileError(f"{current}: cannot write: {_reason(exc)}") from None
        raise
    finally:
        for folder in staging.values():
            shutil.rmtree(folder, ignore_errors=True)
    return list(files)


def _roll_back(placed: list[tuple[Path, Path | None, bool]]) -> None:
    """Undo the files of a set already put in place: old files back, new ones removed."""
    for target, backup, existed in reversed(placed):
        try:
            if backup is not None:
                os.replace(backup, target)
            elif not existed:
                os.unlink(target)
        except OSError:
            pass


def write_atomic(path: Path, write: Callable[[Path], None], force: bool) -> None:
    """Write one file atomically: ``write`` fills a staging file, which then takes ``path``'s place.

    A crash or error leaves any existing file untouched and no partial file behind; without
    ``force`` an existing file (even one created by a concurrent writer) is never replaced.
    """
    commit_files({path: write}, force)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")


def render_files(plan: CapacityPlan, path: Path, pretty: bool = False) -> dict[Path, bytes]:
    """Every file an export of ``plan`` to ``path`` writes, rendered in memory (``path`` first);
    ``pretty``: indented rather than compact plan JSON."""
    kind = format_for(path)
    if kind == "json":
        return {path: _utf8(plan.to_json_text(pretty))}
    if kind == "csv":
        from dcplan.planner.report.csvfiles import csv_texts

        return {name: _utf8(text) for name, text in csv_texts(plan, path).items()}
    if kind == "xlsx":
        from dcplan.planner.report.xlsx import xlsx_bytes

        return {path: xlsx_bytes(plan)}
    if kind == "md":
        from dcplan.planner.report.charts import charts
        from dcplan.planner.report.floorplan import floorplan_svg
        from dcplan.planner.report.markdown import render_markdown

        svgs = {**charts(plan), "floorplan": floorplan_svg(plan)}
        assets = {name: asset_path(path, name) for name in svgs}
        report = render_markdown(plan, {name: p.name for name, p in assets.items()})
        return {path: _utf8(report), **{assets[name]: _utf8(svg) for name, svg in svgs.items()}}
    if kind == "html":
        from dcplan.planner.report.html import render_html

        return {path: _utf8(render_html(plan))}
    from dcplan.planner.report.floorplan import floorplan_svg

    return {path: _utf8(floorplan_svg(plan))}


def write_plan(plan: CapacityPlan, path: Path, force: bool = False, pretty: bool = False) -> list[Path]:
    """Write ``plan`` in the format its extension names, as one atomic set; returns the files written."""
    for one in output_paths(path):
        check_output_file(one, force)
    return commit_files(render_files(plan, path, pretty), force)


def read_plan(path: Path | str) -> CapacityPlan | RoadmapPlan:
    """A saved plan: ``planner.plan.load_plan`` (read through ``models.files.read_text``, so a
    FIFO, folder, device, huge or binary file is one PlanFileError line, never a hang)."""
    from dcplan.planner.plan import load_plan

    return load_plan(path)
