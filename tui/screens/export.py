"""Export: choose a format and a path, then write through planner's exporters (atomically)."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Select, Static

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
            yield Checkbox("overwrite an existing file", value=False, id="export-force")
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
        if path.value:
            path.value = str(Path(path.value).with_suffix(f".{event.value}"))

    @on(Button.Pressed, "#export-go")
    def export(self) -> None:
        from planner.cli.common import UserError
        from planner.export import write_plan

        plan = self.app.state.plan  # type: ignore[attr-defined]
        status = self.query_one("#export-status", Static)
        if plan is None:
            status.update("[b red]No plan to export: solve first.[/]")
            return
        path = Path(self.query_one("#export-path", Input).value.strip())
        force = self.query_one("#export-force", Checkbox).value
        try:
            write_plan(plan, path, force=force)
        except UserError as exc:
            status.update(f"[b red]{exc}[/]")
            return
        self.app.state.plan_path = path  # type: ignore[attr-defined]
        status.update(f"[green]written {path}[/green]")
