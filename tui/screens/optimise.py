"""Optimise: solve the scenario in a child process, with live incumbent, bound, gap and cancel."""

from __future__ import annotations

import time
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, RichLog, Sparkline, Static

from tui.widgets.inputs import Field


class OptimiseScreen(Screen[None]):
    """Run and watch a solve; the UI thread only polls a queue."""

    TITLE = "Optimise"
    BINDINGS = [("ctrl+r", "solve", "Solve"), ("ctrl+x", "cancel", "Cancel")]

    def __init__(self) -> None:
        super().__init__()
        self.solver: Any = None
        self.started = 0.0
        self.gaps: list[float] = []
        self.last: dict[str, Any] = {}
        self._poll_timer: Any = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="optimise"):
            yield Static("", id="optimise-scenario", classes="title")
            with Horizontal(id="optimise-settings"):
                yield Field("Time limit", Input("60 s", id="time-limit"), id="time-limit-field")
                yield Field("Relative gap", Input("0.1 %", id="gap"), id="gap-field")
                yield Checkbox("marginal values", value=True, id="marginals")
                yield Button("Solve", variant="primary", id="solve")
                yield Button("Cancel", variant="error", id="cancel", disabled=True)
            yield Static("idle", id="optimise-status")
            yield Static("", id="optimise-figures")
            yield Label("relative gap over time", classes="field-label")
            yield Sparkline([], id="optimise-gap")
            yield RichLog(id="optimise-log", max_lines=500, markup=True)
        yield Footer()

    def on_screen_resume(self) -> None:
        self._show_scenario()

    def on_mount(self) -> None:
        self._show_scenario()
        self.query_one("#solve", Button).focus()

    def _show_scenario(self) -> None:
        state = self.app.state  # type: ignore[attr-defined]
        data = state.scenario_data
        name = data.get("scenario", {}).get("name", "?") if data else "no scenario loaded"
        where = f" ({state.scenario_path})" if state.scenario_path else ""
        self.query_one("#optimise-scenario", Static).update(f"[b]{name}[/b]{where}")

    def _settings(self) -> tuple[float, float] | None:
        from planner.cli.common import UserError
        from planner.cli.solve_cmd import parse_duration_s, parse_ratio

        values = []
        for field_id, input_id, parse in (
            ("time-limit-field", "time-limit", lambda t: parse_duration_s("time limit", t)),
            ("gap-field", "gap", lambda t: parse_ratio("gap", t)),
        ):
            field = self.query_one(f"#{field_id}", Field)
            try:
                values.append(parse(self.query_one(f"#{input_id}", Input).value))
                field.show_error(None)
            except UserError as exc:
                field.show_error(str(exc).split(": ", 1)[-1])
                return None
        return values[0], values[1]

    @on(Button.Pressed, "#solve")
    def action_solve(self) -> None:
        from planner.scenario import ScenarioError, parse_scenario
        from tui.solver_process import SolveRequest, SolverProcess

        if self.solver is not None and self.solver.alive:
            return
        state = self.app.state  # type: ignore[attr-defined]
        if not state.scenario_data:
            self._status("[b red]No scenario loaded: open one on the Scenario screen[/]")
            return
        try:
            parse_scenario(state.scenario_data)
        except ScenarioError as exc:
            self._status(f"[b red]The scenario is invalid:[/] {exc.lines[0]}")
            return
        settings = self._settings()
        if settings is None:
            return
        request = SolveRequest(
            scenario=state.scenario_data,
            catalog_dirs=[str(d) for d in state.catalog_dirs],
            time_limit_s=settings[0],
            rel_gap=settings[1],
            marginals=self.query_one("#marginals", Checkbox).value,
        )
        self.gaps = []
        self.last = {}
        self.query_one("#optimise-gap", Sparkline).data = []
        self.query_one("#optimise-log", RichLog).clear()
        self.started = time.perf_counter()
        self.solver = SolverProcess(request)
        self._status("starting the solver process ...")
        self.query_one("#solve", Button).disabled = True
        self.query_one("#cancel", Button).disabled = False
        self._poll_timer = self.set_interval(0.1, self._poll, name="solver-poll")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.solver is not None and self.solver.alive:
            self.solver.cancel()
            self._status("cancelling: HiGHS stops at its next check and returns its best plan ...")

    def _status(self, text: str) -> None:
        self.query_one("#optimise-status", Static).update(text)

    def _poll(self) -> None:
        if self.solver is None:
            return
        log = self.query_one("#optimise-log", RichLog)
        for message in self.solver.poll():
            kind = message[0]
            if kind == "status":
                self._status(message[1])
                log.write(message[1])
            elif kind == "progress":
                _, incumbent, bound, gap, elapsed = message
                self.last = {"incumbent": incumbent, "bound": bound, "gap": gap, "elapsed": elapsed}
                if gap is not None:
                    self.gaps.append(min(gap, 1.0))
                    self.query_one("#optimise-gap", Sparkline).data = list(self.gaps[-120:])
                self._status("solving ...")
            elif kind == "plan":
                self._finish_plan(message[1])
                return
            elif kind == "error":
                log.write(f"[b red]{message[1]}[/]")
                self._finish(f"[b red]solve failed:[/] {message[1]}")
                return
        elapsed = time.perf_counter() - self.started
        fmt = lambda v: "-" if v is None else f"{v:,.1f}"  # noqa: E731
        gap = self.last.get("gap")
        self.query_one("#optimise-figures", Static).update(
            f"elapsed {elapsed:6.1f} s   incumbent {fmt(self.last.get('incumbent'))}   "
            f"bound {fmt(self.last.get('bound'))}   gap {'-' if gap is None else f'{gap:.3%}'}"
        )
        if not self.solver.alive and not self.solver.messages.qsize():
            self._finish("[b red]the solver process ended without a result[/]")

    def _finish_plan(self, plan: Any) -> None:
        state = self.app.state  # type: ignore[attr-defined]
        state.plan = plan
        summary = plan.diagnosis.summary
        status = plan.solver.status
        self.query_one("#optimise-log", RichLog).write(f"{status}: {summary}")
        colour = "green" if plan.feasible else "red"
        self._finish(f"[b {colour}]{status}[/]: {summary} - press F6 for the plan")
        self.app.notify(f"solve {status}", title="dcplan")

    def _finish(self, text: str) -> None:
        self._status(text)
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        self.query_one("#solve", Button).disabled = False
        self.query_one("#cancel", Button).disabled = True

    def on_unmount(self) -> None:
        if self.solver is not None and self.solver.alive:
            self.solver.stop()
