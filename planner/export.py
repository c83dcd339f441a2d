"""Writing plans: atomic files, no silent overwrite, format chosen by extension.

=========  ==================================================================================
.json      the CapacityPlan (versioned; schema in catalogs/plan.schema.json; re-loadable)
.csv       bill of materials; the per-row table goes to ``<stem>-rows.csv`` next to it
.xlsx      workbook: Summary, Mix, Halls, Bill of materials, Rows, Layout, Limits, Assumptions
.md        Markdown report; its charts and floor plan go to ``<stem>-<chart>.svg`` next to it
.html      self-contained HTML report (inline CSS and SVG, no scripts, no external resources)
.svg       floor plan: halls, rows and rack slots to scale
=========  ==================================================================================

Every file is written through a temporary file in the same folder and renamed into place.
All files of a multi-file format are checked (exists without ``force``, folder missing or
not writable) before any is written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from planner.cli.common import UserError
from planner.plan import CapacityPlan

FORMATS = {".json": "json", ".csv": "csv", ".xlsx": "xlsx", ".md": "md", ".html": "html", ".htm": "html", ".svg": "svg"}
EXTENSIONS = {"json": ".json", "csv": ".csv", "xlsx": ".xlsx", "md": ".md", "html": ".html", "svg": ".svg"}
MD_ASSETS = ("power", "heat", "capex", "compute", "floorplan")


def format_for(path: Path) -> str:
    """The export format named by a file extension; one-line error for unknown ones."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UserError(f"{path}: unknown plan format {suffix or '(none)'}; use one of {', '.join(sorted(FORMATS))}")
    return FORMATS[suffix]


def asset_path(path: Path, name: str) -> Path:
    """A file written next to a report: ``plan.md`` + 'power' -> ``plan-power.svg``."""
    return path.with_name(f"{path.stem}-{name}.svg")


def output_paths(path: Path) -> list[Path]:
    """Every file an export to ``path`` may write (the path itself first)."""
    kind = format_for(path)
    if kind == "csv":
        from planner.report.csvfiles import rows_csv_path

        return [path, rows_csv_path(path)]
    if kind == "md":
        return [path, *(asset_path(path, name) for name in MD_ASSETS)]
    return [path]


def check_output_file(path: Path, force: bool) -> None:
    """One file: not a folder, not overwritten without ``force``, in a writable folder."""
    if path.is_dir():
        raise UserError(f"{path}: is a folder, not a file")
    if path.exists() and not force:
        raise UserError(f"{path}: already exists; pass --force to overwrite it")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"{path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UserError(f"{path}: folder {parent} is not writable")


def check_output_path(path: Path, force: bool) -> None:
    """Fail early (before solving) if the output, or a file written next to it, cannot or must not be written."""
    for one in output_paths(path):
        check_output_file(one, force)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, write: Callable[[Path], None], force: bool) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``.

    A crash or error leaves any existing file untouched and no partial file behind. The
    file gets the usual permissions (0666 less the umask), not the temporary file's 0600.
    """
    check_output_file(path, force)
    parent = path.parent if str(path.parent) else Path(".")
    tmp: Path | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
        os.close(fd)
        tmp = Path(tmp_name)
        write(tmp)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()


def _text(text: str) -> Callable[[Path], None]:
    return lambda tmp: tmp.write_text(text, encoding="utf-8")


def write_plan(plan: CapacityPlan, path: Path, force: bool = False) -> list[Path]:
    """Write ``plan`` in the format its extension names; returns the files written."""
    kind = format_for(path)
    writes: list[tuple[Path, Callable[[Path], None]]]
    if kind == "json":
        writes = [(path, _text(plan.to_json_text()))]
    elif kind == "csv":
        from planner.report.csvfiles import rows_csv_path, write_bom_csv, write_rows_csv

        writes = [
            (path, lambda tmp: write_bom_csv(plan, tmp)),
            (rows_csv_path(path), lambda tmp: write_rows_csv(plan, tmp)),
        ]
    elif kind == "xlsx":
        from planner.report.xlsx import write_xlsx

        writes = [(path, lambda tmp: write_xlsx(plan, tmp))]
    elif kind == "md":
        from planner.report.charts import charts
        from planner.report.floorplan import floorplan_svg
        from planner.report.markdown import render_markdown

        svgs = {**charts(plan), "floorplan": floorplan_svg(plan)}
        assets = {name: asset_path(path, name) for name in svgs}
        report = render_markdown(plan, {name: p.name for name, p in assets.items()})
        writes = [(assets[name], _text(svg)) for name, svg in svgs.items()] + [(path, _text(report))]
    elif kind == "html":
        from planner.report.html import render_html

        writes = [(path, _text(render_html(plan)))]
    else:  # svg
        from planner.report.floorplan import floorplan_svg

        writes = [(path, _text(floorplan_svg(plan)))]
    for target, _ in writes:
        check_output_file(target, force)
    for target, write in writes:
        write_atomic(target, write, force)
    return sorted((target for target, _ in writes), key=lambda target: target != path)  # ``path`` first
