"""Export: choose a format and a path, then write through planner's exporters (atomically).

A single-period plan is written by planner.export; a roadmap plan (the app state's
``roadmap``: every period and the timeline) by planner.roadmap_export, as ``dcplan export``
writes it, except SVG: a roadmap has no one floor plan, so .svg writes the floor plan of the
period selected on the Timeline screen. Either way every file the export would write is
checked first and nothing is overwritten without a Yes.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from dcplan.tui.screens.dialogs import ConfirmScreen

FORMATS = [
    ("JSON (re-loadable)", "json"),
    ("CSV bill of materials", "csv"),
    ("XLSX workbook", "xlsx"),
    ("Markdown report", "md"),
    ("HTML report", "html"),
    ("SVG floor plan", "svg"),
]
ROADMAP_FORMATS = [
    ("JSON: whole roadmap", "json"),
    ("CSV: timeline, orders, changes, mix", "csv"),
    ("XLSX: timeline + a sheet per period", "xlsx"),
    ("Markdown report + timeline charts", "md"),
    ("HTML report with timeline charts", "html"),
    ("SVG floor plan of one period", "svg"),
]
#: what an export of a roadmap plan writes, by format (shown under the format)
ROADMAP_DETAIL = {
    "json": "every period's plan and the timeline; re-loadable (dcplan tui --plan)",
    "csv": "4 files: the timeline, and -orders, -changes and -mix CSVs beside it",
    "xlsx": "Summary, Timeline, Periods, Orders, Changes, then one sheet per period",
    "md": "the report; its timeline charts as SVG files beside it",
    "html": "one self-contained report: timeline charts, each period's plan and floor plan",
    "svg": "the floor plan of the period selected on the Timeline screen (F9)",
}


class ExportScreen(Screen[None]):
    TITLE = "Export"

    def __init__(self) -> None:
        super().__init__()
        self._kind = "plan"  # what the format list is for: "plan" or "roadmap"
        self._proposed: str | None = None  # the file name this screen proposed (replaced while not edited)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="export", classes="form"):
            yield Static("", id="export-plan", classes="title")
            yield Label("Format", classes="field-label")
            yield Select(FORMATS, value="json", allow_blank=False, id="export-format")
            yield Static("", id="export-detail")
            yield Label("File", classes="field-label")
            yield Input("", id="export-path")
            yield Button("Export", variant="primary", id="export-go")
            yield Static("", id="export-status")
        yield Footer()

    def on_mount(self) -> None:
        self._refresh()

    def on_screen_resume(self) -> None:
        self._refresh()

    def _roadmap(self) -> Any:
        """The roadmap plan being exported, or None for a single-period plan."""
        return self.app.state.roadmap  # type: ignore[attr-defined]

    def _refresh(self) -> None:
        plan = self.app.state.plan  # type: ignore[attr-defined]
        roadmap = self._roadmap()
        label = self.query_one("#export-plan", Static)
        if roadmap is not None:
            label.update(
                Content.from_markup(
                    "roadmap: [b]$name[/b] ($status), $n $length periods and the timeline$period",
                    name=roadmap.scenario_name,
                    status=roadmap.solver.status,
                    n=len(roadmap.periods),
                    length=roadmap.period_length,
                    period=f"; selected period {self._period_label()}" if self._period_label() else "",
                )
            )
        elif plan is not None:
            label.update(
                Content.from_markup("plan: [b]$name[/b] ($status)", name=plan.scenario_name, status=plan.solver.status)
            )
        else:
            label.update("No plan yet: solve first (F5).")
        select = self.query_one("#export-format", Select)
        kind = "roadmap" if roadmap is not None else "plan"
        if self._kind != kind:  # the formats (and the default file name) of what is exported now
            self._kind = kind
            value = select.value
            options = ROADMAP_FORMATS if roadmap is not None else FORMATS
            select.set_options(options)
            with select.prevent(Select.Changed):
                # Textual keeps the old option's label when the value stays: step off it and back
                select.value = options[-1][1] if value != options[-1][1] else options[0][1]
                select.value = value if isinstance(value, str) else "json"
        path = self.query_one("#export-path", Input)
        shown = roadmap if roadmap is not None else plan
        if shown is not None and (not path.value or path.value == self._proposed):
            path.value = self._proposed = f"plan-{shown.scenario_id}.{select.value}"
        self._show_detail()

    def _period_label(self) -> str | None:
        """The label of the roadmap period whose plan is the app's plan (the Timeline's selection)."""
        roadmap, plan = self._roadmap(), self.app.state.plan  # type: ignore[attr-defined]
        if roadmap is None:
            return None
        return next((p.period for p in roadmap.periods if p.plan is plan), None)

    def _show_detail(self) -> None:
        detail = ""
        if self._roadmap() is not None:
            detail = ROADMAP_DETAIL.get(str(self.query_one("#export-format", Select).value), "")
        shown = self.query_one("#export-detail", Static)
        shown.update(Content(detail))
        shown.display = bool(detail)

    @on(Select.Changed, "#export-format")
    def _format(self, event: Select.Changed) -> None:
        self._show_detail()
        if event.value is Select.BLANK:
            return
        path = self.query_one("#export-path", Input)
        if path.value.strip():
            # no file name to give a suffix to (".", "dir/..."): leave the text as typed
            with contextlib.suppress(ValueError):
                named = str(Path(path.value.strip()).with_suffix(f".{event.value}"))
                if path.value == self._proposed:
                    self._proposed = named
                path.value = named

    @on(Button.Pressed, "#export-go")
    @on(Input.Submitted, "#export-path")
    def export(self) -> None:
        """Write the plan; when a file it would write exists, ask before overwriting (No leaves it untouched)."""
        from dcplan.models.errors import DcplanError

        plan = self.app.state.plan  # type: ignore[attr-defined]
        if plan is None and self._roadmap() is None:
            self._status("[b red]No plan to export: solve first.[/]")
            return
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self._status("[b red]Name the file to write.[/]")
            return
        path = Path(text).expanduser()
        if self._roadmap() is not None and _is_svg(path) and plan is None:
            self._status("[b red]No period selected to draw: pick one on the Timeline screen (F9).[/]")
            return
        try:
            # os.path's tests answer False for a name the OS refuses (too long, NUL): the write says why
            existing = [p for p in self._output_paths(path) if os.path.lexists(p) and not os.path.isdir(p)]
        except DcplanError as exc:
            self._status(Content.from_markup("[b red]$error[/]", error=str(exc)))
            return
        if not existing:
            self._write(path, force=False)
            return
        names = ", ".join(str(p) for p in existing)
        question = f"{names} already exist{'s' if len(existing) == 1 else ''}. Overwrite?"

        def answered(overwrite: bool | None) -> None:
            if overwrite:
                self._write(path, force=True)
            else:
                self._status(Content(f"not written: {names} left as it was"))

        self.app.push_screen(ConfirmScreen(question), answered)

    def _output_paths(self, path: Path) -> list[Path]:
        """Every file an export to ``path`` may write; one line (DcplanError) for a format it cannot."""
        from dcplan.planner.export import output_paths

        roadmap = self._roadmap()
        if roadmap is None or _is_svg(path):
            return output_paths(path)
        from dcplan.planner.export_roadmap import roadmap_output_paths
        from dcplan.planner.roadmap_export import ROADMAP_SUFFIXES, csv_paths

        if path.suffix.lower() == ".csv":
            return csv_paths(path)
        if path.suffix.lower() in ROADMAP_SUFFIXES:
            return roadmap_output_paths(path)
        return [path]  # the exporter says which formats a roadmap has, in one line

    def _write_files(self, path: Path, force: bool) -> list[Path]:
        from dcplan.planner.export import write_plan

        roadmap = self._roadmap()
        if roadmap is None or _is_svg(path):
            return write_plan(self.app.state.plan, path, force=force)  # type: ignore[attr-defined]
        from dcplan.planner.roadmap_export import write_roadmap_plan

        return write_roadmap_plan(roadmap, path, force=force)

    def _write(self, path: Path, force: bool) -> None:
        from dcplan.models.errors import DcplanError

        try:
            written = self._write_files(path, force)
        except (DcplanError, OSError) as exc:
            self._status(Content.from_markup("[b red]$error[/]", error=str(exc)))
            return
        except Exception as exc:  # shown, not raised: the plan in memory must survive a failed write
            self._status(Content.from_markup("[b red]not written: $error[/]", error=f"{type(exc).__name__}: {exc}"))
            return
        self.app.state.plan_path = path  # type: ignore[attr-defined]
        names = ", ".join(str(p) for p in written) if written else str(path)
        self._status(Content.from_markup("[green]written $path[/green]", path=names))

    def _status(self, text: str | Content) -> None:
        self.query_one("#export-status", Static).update(text)


def _is_svg(path: Path) -> bool:
    return path.suffix.lower() == ".svg"
