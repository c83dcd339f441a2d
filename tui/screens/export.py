"""Export: choose a format and a path, then write through planner's exporters (atomically)."""

from __future__ import annotations

import contextlib
from pathlib import Path

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


class ExportScreen(Screen[None]):
    TITLE = "Export"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="export", classes="form"):
            yield Static("", id="export-plan", classes="title")
            yield Label("Format", classes="field-label")
            yield Select(FORMATS, value="json", allow_blank=False, id="export-format")
            yield Label("File", classes="field-label")
            yield Input("", id="export-path")
            yield Button("Export", variant="primary", id="export-go")
            yield Static("", id="export-status")
        yield Footer()

    def on_mount(self) -> None:
        self._refresh()

    def on_screen_resume(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        plan = self.app.state.plan  # type: ignore[attr-defined]
        label = self.query_one("#export-plan", Static)
        label.update(
            f"plan: [b]{plan.scenario_name}[/b] ({plan.solver.status})" if plan else "No plan yet: solve first (F5)."
        )
        path = self.query_one("#export-path", Input)
        if not path.value and plan is not None:
            path.value = f"plan-{plan.scenario_id}.{self.query_one('#export-format', Select).value}"

    @on(Select.Changed, "#export-format")
    def _format(self, event: Select.Changed) -> None:
        path = self.query_one("#export-path", Input)
        if path.value.strip():
            # no file name to give a suffix to (".", "dir/..."): leave the text as typed
            with contextlib.suppress(ValueError):
                path.value = str(Path(path.value.strip()).with_suffix(f".{event.value}"))

    @on(Button.Pressed, "#export-go")
    @on(Input.Submitted, "#export-path")
    def export(self) -> None:
        """Write the plan; when a file it would write exists, ask before overwriting (No leaves it untouched)."""
        from dcplan.models.errors import DcplanError
        from dcplan.planner.export import output_paths

        plan = self.app.state.plan  # type: ignore[attr-defined]
        if plan is None:
            self._status("[b red]No plan to export: solve first.[/]")
            return
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self._status("[b red]Name the file to write.[/]")
            return
        path = Path(text).expanduser()
        try:
            existing = [p for p in output_paths(path) if p.exists() and not p.is_dir()]
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

    def _write(self, path: Path, force: bool) -> None:
        from dcplan.models.errors import DcplanError
        from dcplan.planner.export import write_plan

        try:
            write_plan(self.app.state.plan, path, force=force)  # type: ignore[attr-defined]
        except (DcplanError, OSError) as exc:
            self._status(Content.from_markup("[b red]$error[/]", error=str(exc)))
            return
        except Exception as exc:  # shown, not raised: the plan in memory must survive a failed write
            self._status(Content.from_markup("[b red]not written: $error[/]", error=f"{type(exc).__name__}: {exc}"))
            return
        self.app.state.plan_path = path  # type: ignore[attr-defined]
        self._status(Content.from_markup("[green]written $path[/green]", path=str(path)))

    def _status(self, text: str | Content) -> None:
        self.query_one("#export-status", Static).update(text)
