"""Plan view: floor plan, utilisation of every limit, mix and costs, workloads, binding limits, diagnosis."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from dcplan.tui.widgets.floorplan import floor_plan_text, utilisation_text
from dcplan.tui.widgets.solver_text import gap_text

# what each marginal-value method means (planner.marginals), shown once under the binding limits
_METHOD_LEGEND = {
    "re-solve": "re-solve: the MIP solved again with that limit relaxed by one step, from this plan",
    "LP estimate": "LP estimate: the limit's dual in the LP relaxation with this plan's halls and sites, "
    "x the step (where no re-solve could measure it: see the plan's marginal_note)",
}


class PlanScreen(Screen[None]):
    """Shows the app's current plan (from a solve, or loaded from a plan file)."""

    TITLE = "Plan"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="plan-summary", classes="title")
        with TabbedContent(id="plan-tabs"):
            with TabPane("Floor plan", id="tab-floor"), VerticalScroll():
                yield Static("", id="plan-floor")
            with TabPane("Limits", id="tab-limits"), VerticalScroll():
                yield Static("", id="plan-limits")
            with TabPane("Mix & costs", id="tab-mix"), VerticalScroll():
                yield DataTable(id="plan-mix", show_cursor=False, zebra_stripes=True)
                yield Static("", id="plan-costs")
            with TabPane("Workloads", id="tab-workloads"), VerticalScroll():
                yield Static("", id="plan-workloads-note")
                yield DataTable(id="plan-workloads", show_cursor=False, zebra_stripes=True)
                yield Static("[b]Where each workload runs[/b]", id="plan-placements-title")
                yield DataTable(id="plan-placements", show_cursor=False, zebra_stripes=True)
            with TabPane("Diagnosis", id="tab-diagnosis"), VerticalScroll():
                yield Static("", id="plan-diagnosis")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#plan-mix", DataTable).add_columns(
            "system", "place", "units", "chips", "racks", "PFLOPS", "share"
        )
        self.refresh_plan()

    def on_screen_resume(self) -> None:
        self.refresh_plan()

    def refresh_plan(self) -> None:
        plan = self.app.state.plan  # type: ignore[attr-defined]
        summary = self.query_one("#plan-summary", Static)
        if plan is None:
            summary.update("No plan yet: solve the scenario on the Optimise screen (F5).")
            return
        s = plan.solver
        gap = f", gap {gap_text(s.gap)}" if s.gap is not None else ""
        delivered = (
            f" peak, {sum(w.delivered_pflops for w in plan.workloads):,.0f} PFLOPS delivered" if plan.workloads else ""
        )
        roadmap = self.app.state.roadmap  # type: ignore[attr-defined]
        period = next((p.period for p in roadmap.periods if p.plan is plan), None) if roadmap is not None else None
        # a roadmap's period (the Timeline's selection) says so: the figures are that period's
        where = f"period [b]{period}[/b] of the roadmap (F9: the timeline and the other periods): " if period else ""
        summary.update(
            f"{where}[b]{plan.scenario_name}[/b]: {s.status}{gap}; {plan.compute_total.m_as('PFLOPS'):,.0f} PFLOPS "
            f"{plan.precision}{delivered}; "
            f"re-check {'passed' if plan.recheck.ok else '[b red]FAILED[/]'} ({plan.recheck.checked} checks)"
        )
        self.query_one("#plan-floor", Static).update(floor_plan_text(plan) if len(plan.layout) else "no racks placed")
        self.query_one("#plan-limits", Static).update(
            utilisation_text(plan.limits) if plan.limits else "no limits (no plan)"
        )
        from dcplan.planner.report.text import mix_rows, plan_money_energy_lines

        mix = self.query_one("#plan-mix", DataTable)
        mix.clear()
        for row in mix_rows(plan):
            mix.add_row(*row)
        if plan.costs is not None and plan.energy is not None:
            from dcplan.planner.water_plan import water_text_lines

            water = water_text_lines(plan)  # [[water_loop]] halls: the class chosen, heat reuse
            self.query_one("#plan-costs", Static).update(Text("\n".join(plan_money_energy_lines(plan) + water)))
        self._show_workloads(plan)
        lines = [f"[b]{'feasible' if plan.feasible else 'INFEASIBLE'}[/b]: {plan.diagnosis.summary}"]
        lines += [f"  - ({r.group}) {r.text}" for r in plan.diagnosis.relaxations]
        binding = [u for u in plan.limits if u.binding]
        if binding:
            lines.append("\n[b]Binding limits[/b]")
            lines += [f"  - {u.limit} ({u.scope}): {u.marginal_text or 'no marginal value computed'}" for u in binding]
            lines += sorted({f"  [dim]{_METHOD_LEGEND[u.marginal_method]}[/dim]" for u in binding if u.marginal_method})
        if plan.pruned:
            lines.append("\n[b]Options ruled out before solving[/b]")
            lines += [f"  - {p}" for p in plan.pruned]
        self.query_one("#plan-diagnosis", Static).update("\n".join(lines))

    def _show_workloads(self, plan: Any) -> None:
        """The per-workload table and its placements (planner.report.workloads), or why there are none."""
        from dcplan.planner.report.workloads import NO_WORKLOADS, is_figure, placement_rows, workload_rows

        note = self.query_one("#plan-workloads-note", Static)
        note.update(Text(NO_WORKLOADS if not plan.workloads else "Sustained delivered compute per workload."))
        self.query_one("#plan-placements-title", Static).display = bool(plan.workloads)
        for table_id, (headers, rows) in (
            ("#plan-workloads", workload_rows(plan)),
            ("#plan-placements", placement_rows(plan)),
        ):
            table = self.query_one(table_id, DataTable)
            table.clear(columns=True)
            table.display = bool(rows)
            table.add_columns(*(Text(header) for header in headers))  # '[tokens/s]' is not markup
            right = [is_figure(header) for header in headers]
            for row in rows:  # ids are text, never markup
                table.add_row(*(Text(c, justify="right" if r else "left") for c, r in zip(row, right, strict=True)))
