"""Optimise: solve the scenario in a child process, with live incumbent, bound, gap and cancel."""

from __future__ import annotations

import time
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, RichLog, Sparkline, Static

from dcplan.tui.format import markup_escape
from dcplan.tui.solver_process import FINISH_TIMEOUT_S, phase_text
from dcplan.tui.state import adopt_plan
from dcplan.tui.widgets.inputs import Field
from dcplan.tui.widgets.solver_text import gap_text, objective_text


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
        self.phases: list[str] = []  # the phases this solve went through, as shown
        self.objective = ("max-compute", "fp8")  # (objective, precision) of the scenario being solved
        self.previous: tuple[Any, str | None] = (None, None)  # the plan before this solve, and its name
        self._solved: tuple[Any, str] | None = None  # the last plan this screen produced, and when
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
        from dcplan.models.errors import DcplanError
        from dcplan.planner.textinput import parse_duration_s, parse_ratio

        values = []
        for field_id, input_id, parse in (
            ("time-limit-field", "time-limit", lambda t: parse_duration_s("time limit", t)),
            ("gap-field", "gap", lambda t: parse_ratio("gap", t)),
        ):
            field = self.query_one(f"#{field_id}", Field)
            try:
                values.append(parse(self.query_one(f"#{input_id}", Input).value))
                field.show_error(None)
            except DcplanError as exc:
                field.show_error(str(exc).split(": ", 1)[-1])
                return None
        return values[0], values[1]

    @on(Button.Pressed, "#solve")
    def action_solve(self) -> None:
        from dcplan.planner.scenario import ScenarioError, parse_scenario
        from dcplan.tui.solver_process import SolveRequest, SolverProcess

        if self._poll_timer is not None:  # a solve is running (its child may linger a moment after it ends)
            return
        state = self.app.state  # type: ignore[attr-defined]
        if not state.scenario_data:
            self._status("[b red]No scenario loaded: open one on the Scenario screen[/]")
            return
        try:
            parsed = parse_scenario(state.scenario_data)
        except ScenarioError as exc:
            self._status(f"[b red]The scenario is invalid:[/] {markup_escape(exc.lines[0])}")
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
        # a roadmap's objective is [roadmap]'s (cumulative delivered PFLOP-days, or NPV of TCO)
        objective = parsed.roadmap.objective if parsed.roadmap is not None else parsed.scenario.objective
        self.objective = (objective, parsed.scenario.precision)
        self.previous = (state.plan, self._describe_previous(state))
        self.gaps = []
        self.last = {}
        self.phases = []
        self.query_one("#optimise-gap", Sparkline).data = []
        self.query_one("#optimise-log", RichLog).clear()
        self.query_one("#optimise-figures", Static).update("")
        self.started = time.perf_counter()
        self.solver = SolverProcess(request)
        self._status("starting the solver process ...")
        self.query_one("#solve", Button).disabled = True
        self.query_one("#cancel", Button).disabled = False
        self._poll_timer = self.set_interval(0.1, self._poll, name="solver-poll")

    def _describe_previous(self, state: Any) -> str | None:
        """How to name the plan shown before this solve, should it be kept ("solved 10:42")."""
        if state.plan is None:
            return None
        if self._solved is not None and self._solved[0] is state.plan:
            return f"solved {self._solved[1]}"
        if state.plan_path is not None:
            return f"loaded from {state.plan_path.name}"
        return "shown before this solve"

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.solver is not None and self._poll_timer is not None:
            self._poll()  # the latest phase (or the plan, which ends the solve) before deciding
        if self._poll_timer is None:
            return  # no solve running, or it just ended
        if self.solver.alive and not self.solver.cancel_requested:
            self.solver.cancel()
            if self.solver.nothing_to_keep:  # still starting or building the model: end it now
                phase = self.solver.phase
                self.solver.kill()
                self.query_one("#optimise-log", RichLog).write(f"cancel requested: solver process ended ({phase})")
                self._finish(f"[b yellow]Cancelled[/] before the solve started ({phase}){self._keep_previous()}")
                self.app.notify("solve cancelled", title="dcplan")
                return
            self.query_one("#cancel", Button).disabled = True
            self._status(f"cancelling ({self.solver.phase}): the solver stops at its next check ...")
            self.query_one("#optimise-log", RichLog).write("cancel requested")

    def _status(self, text: str) -> None:
        self.query_one("#optimise-status", Static).update(text)

    def _poll(self) -> None:
        if self.solver is None:
            return
        log = self.query_one("#optimise-log", RichLog)
        for message in self.solver.poll():
            kind = message[0]
            if kind == "phase":
                self._show_phase(phase_text(message), log)
            elif kind == "progress":
                _, incumbent, bound, gap, elapsed = message
                if not reports_objective(self.objective[0], incumbent, bound, self.last.get("incumbent")):
                    continue
                self.last = {"incumbent": incumbent, "bound": bound, "gap": gap, "elapsed": elapsed}
                if gap is not None:
                    self.gaps.append(min(gap, 1.0))
                    self.query_one("#optimise-gap", Sparkline).data = list(self.gaps[-120:])
            elif kind == "plan":
                self._finish_plan(message[1])
                return
            elif kind == "error":
                log.write(f"[b red]{message[1]}[/]")
                self._finish(f"[b red]solve failed:[/] {markup_escape(str(message[1]))}")
                return
        self._show_figures(self.last.get("incumbent"), self.last.get("bound"), self.last.get("gap"))
        if self.solver.cancel_overdue():
            self._give_up_on_cancel()
        elif not self.solver.alive and not self.solver.messages.qsize():
            previous = self._keep_previous()
            self._finish(f"[b red]The solver process ended without a result[/]{previous}")

    def _show_phase(self, text: str, log: RichLog) -> None:
        if self.phases and self.phases[-1] == text:
            return
        self.phases.append(text)
        log.write(f"phase: {text}")
        if self.solver.cancel_requested:
            self._status(f"cancelling ({text}) ...")
        else:
            self._status(f"{text} ...")

    def _show_figures(self, incumbent: float | None, bound: float | None, gap: float | None) -> None:
        objective, precision = self.objective
        elapsed = time.perf_counter() - self.started
        self.query_one("#optimise-figures", Static).update(
            f"elapsed {elapsed:6.1f} s   incumbent {objective_text(incumbent, objective, precision)}   "
            f"bound {objective_text(bound, objective, precision)}   gap {gap_text(gap)}"
        )

    def _keep_previous(self) -> str:
        """Say which plan stays shown: the one from before this solve (the app state still holds it)."""
        plan, described = self.previous
        return f": showing the previous plan ({described})" if plan is not None else ": no plan to show"

    def _give_up_on_cancel(self) -> None:
        """The child did not stop in time after Cancel: kill it and keep the previous plan."""
        acknowledged = self.solver.acknowledged
        phase = self.solver.phase
        self.solver.kill()
        previous = self._keep_previous()
        limit = FINISH_TIMEOUT_S if acknowledged else self.solver.ack_timeout_s
        self.query_one("#optimise-log", RichLog).write(f"solver process killed ({phase}, no answer in {limit:g} s)")
        self._finish(
            f"[b yellow]Cancelled[/]: the solver did not stop within {limit:g} s ({phase}) and was stopped{previous}"
        )
        self.app.notify("solve cancelled", title="dcplan")

    def _finish_plan(self, plan: Any) -> None:
        state = self.app.state  # type: ignore[attr-defined]
        s = plan.solver
        self._show_figures(s.objective, s.bound, s.gap)  # the plan's own figures, as the Plan screen shows them
        log = self.query_one("#optimise-log", RichLog)
        log.write(f"{s.status}: {plan.diagnosis.summary}")
        cancelled = self.solver.cancel_requested
        empty = s.objective is None and s.status != "infeasible"  # no plan, and no diagnosis either
        # HiGHS's first incumbent is often "deploy nothing": no better than no plan at all
        roadmap = getattr(plan, "kind", None) == "roadmap"
        peak = (
            max((p.peak_pflops for p in plan.timeline), default=0.0) if roadmap else plan.compute_total.m_as("PFLOPS")
        )
        trivial = s.status == "cancelled" and peak <= 0
        if (empty or trivial) and (cancelled or self.previous[0] is not None):
            # never replace a plan by an empty one
            previous = self._keep_previous()
            if trivial:
                head = "Cancelled before a plan deploying anything was found"
            elif cancelled:
                head = "Cancelled before any plan was found"
            else:
                head = f"No plan found ({plan.diagnosis.summary})"
            self._finish(f"[b yellow]{head}[/]{previous}")
            self.app.notify("solve cancelled" if cancelled else "no plan found", title="dcplan")
            return
        shows = adopt_plan(state, state.plan_path, plan)  # a roadmap: its first period's plan is the app's plan
        self._solved = (state.plan, time.strftime("%H:%M"))
        if cancelled and s.status == "cancelled":
            text = f"[b yellow]Cancelled[/]: kept the best plan found (gap {gap_text(s.gap)})"
        elif cancelled:
            skipped = (
                "; marginal values not computed" if "marginal values not computed" in plan.diagnosis.summary else ""
            )
            text = f"[b yellow]Cancelled[/] after the solve: kept the {s.status} plan (gap {gap_text(s.gap)}){skipped}"
        else:
            colour = "green" if plan.feasible else "red"
            text = f"[b {colour}]{s.status}[/]: {plan.diagnosis.summary}"
        self._finish(f"{text} - press {'F9 for the timeline' if shows == 'timeline' else 'F6 for the plan'}")
        self.app.notify(f"solve {s.status}", title="dcplan")

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


def reports_objective(objective: str, incumbent: float | None, bound: float | None, best: float | None = None) -> bool:
    """Whether a progress report is of the objective being shown (``best``: the incumbent shown).

    A roadmap's max-cumulative-delivered solve runs a second phase that minimises NPV of TCO
    with the delivered work fixed (planner.roadmap_solve._polish), and its progress (M USD)
    arrives on the same channel. A maximisation's incumbent never falls and its bound is
    never below its incumbent, so a report that breaks either is the polish's and is not
    shown as PFLOP-days (the plan's own figures are shown when it arrives).
    """
    if objective != "max-cumulative-delivered":
        return True
    if incumbent is None:
        return best is None  # no incumbent after one: not the maximisation's report
    slack = 1e-9 * max(abs(incumbent), 1.0)
    if best is not None and incumbent < best - slack:
        return False
    return bound is None or bound >= incumbent - slack
