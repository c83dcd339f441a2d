"""Timeline: a roadmap plan period by period (a Gantt-like view, the floor plan of each period).

The app state's ``roadmap`` (a planner.roadmap_plan.RoadmapPlan, from a roadmap solve or a
roadmap plan file) is shown as: a period list (click, or up/down/enter), a Gantt-like
timeline (units by generation, MW energised vs used, money, orders; click a column to select
its period), the selected period's figures, its floor plan, its unit changes and the orders,
and the cash flow of every period. ``[`` / ``]`` step to the previous / next period, ``{`` /
``}`` to the first / last. The selected period's CapacityPlan becomes the app's plan, so the
Plan screen (``p``) shows that period in full. Presentation only: every figure is the plan's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, ScrollableContainer, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from dcplan.tui.widgets.floorplan import floor_plan_text, system_colours
from dcplan.tui.widgets.gantt import Gantt
from dcplan.tui.widgets.solver_text import gap_text

if TYPE_CHECKING:
    from dcplan.planner.roadmap_plan import PeriodPlan, RoadmapPlan, TimelinePoint

NO_ROADMAP = (
    "No roadmap plan: open a scenario with a [roadmap] table and solve it on the Optimise screen (F5), "
    "or open a roadmap plan file (ctrl+p, Open plan)."
)


def period_option_text(period: PeriodPlan) -> Text:
    """A period list entry: label, a mark for its plan's state (✓ feasible and re-checked), its units."""
    plan = period.plan
    mark, style = ("✓", "green3") if plan.feasible and plan.recheck.ok else ("✗", "red3")
    text = Text(f"{period.period:<8}", style="bold")
    text.append(f" {mark} ", style=style)
    text.append(f"{sum(m.units for m in plan.mix):>7,}")
    return text


def summary_text(roadmap: RoadmapPlan) -> Text:
    s = roadmap.solver
    gap = f", gap {gap_text(s.gap)}" if s.gap is not None else ""
    text = Text()
    text.append(roadmap.scenario_name, style="bold")
    text.append(f": {s.status}{gap}; {len(roadmap.periods)} {roadmap.period_length} periods; ")
    text.append(f"{roadmap.cumulative_delivered_pflop_days:,.0f} PFLOP-days delivered; ")
    text.append(f"NPV TCO {roadmap.npv_tco_musd:,.0f} MUSD; residual {roadmap.residual_value_musd:,.0f} MUSD")
    if not roadmap.feasible:
        text.append(f"\nINFEASIBLE: {roadmap.diagnosis.summary}", style="bold red")
    return text


def onsite_detail_line(point: Any) -> str:
    """'on-site 7 gensets, 0.7 MW, 6,132 MWh generated (15,330 MWh fuel, 3,066 t CO2)' for a
    period with gensets ([[onsite_power]]), else ''."""
    if not point.onsite_gensets:
        return ""
    return (
        f"on-site {point.onsite_gensets:,} gensets, {point.onsite_mw:,.3g} MW, "
        f"{point.onsite_generated_mwh:,.0f} MWh generated ({point.onsite_fuel_mwh:,.0f} MWh fuel, "
        f"{point.onsite_co2_t:,.0f} t CO2)\n"
    )


def period_detail_text(roadmap: RoadmapPlan, index: int) -> Text:
    """The selected period's figures: plan state, power, units by generation, money, changes, orders."""
    period = roadmap.periods[index]
    plan = period.plan
    point = next((p for p in roadmap.timeline if p.period == period.period), None)
    text = Text()
    text.append(f"{period.period}", style="bold")
    text.append(f" (starts {period.start}): {plan.solver.status}; ")
    text.append(f"re-check {'passed' if plan.recheck.ok else 'FAILED'}", style="green3" if plan.recheck.ok else "red3")
    text.append(f"; {plan.diagnosis.summary}\n")
    if point is not None:
        text.append(
            f"power   {point.energised_mw:,.1f} MW energised, {point.used_mw:,.1f} MW used, "
            f"{point.stranded_mw:,.1f} MW stranded"
        )
        text.append(f"  ({point.energised_note})\n" if point.energised_note else "\n")
        units = ", ".join(f"{g} {n:,}" for g, n in point.units_by_generation.items()) or "none"
        cloud = ", ".join(f"{c} {n:,}" for c, n in point.cloud_units.items())
        text.append(f"units   {units}" + (f"; cloud {cloud}" if cloud else "") + "\n")
        text.append(
            f"money   capex {point.capex_musd:,.1f} MUSD, opex {point.opex_musd:,.1f} MUSD, "
            f"cash flow {point.cash_flow_musd:,.1f} MUSD, cumulative {point.cumulative_cash_musd:,.1f} MUSD "
            f"(discount factor {point.discount_factor:.4f})\n"
        )
        text.append(f"compute {point.delivered_pflops:,.0f} PFLOPS delivered, {point.peak_pflops:,.0f} PFLOPS peak\n")
        text.append(onsite_detail_line(point))
        text.append(fabric_swing_text(point, bool(plan.swing)))
    added, retired = sum(c.units for c in period.added), sum(c.units for c in period.retired)
    text.append(f"changes {added:,} units added, {retired:,} retired\n")
    ordered = [o for o in roadmap.orders if o.ordered == period.period]
    delivered = [o for o in roadmap.orders if o.delivered == period.period]
    if ordered or delivered:
        text.append(f"orders  {len(ordered)} placed, {len(delivered)} delivered this period\n")
    return text


def fabric_swing_text(point: TimelinePoint, swing: bool) -> str:
    """The period's placed network racks and, where a [[utility_limit]] applies, its swing
    mitigation; empty when there is neither."""
    lines = ""
    if point.network_racks:
        lines += f"fabric  {point.network_racks:,} network racks, {point.network_kw:,.0f} kW\n"
    if swing:
        lines += (
            f"swing   battery {point.battery_mw:,.1f} MW / {point.battery_mwh:,.1f} MWh, "
            f"power floor {point.floor_mw:,.1f} MW\n"
        )
    return lines


class TimelineScreen(Screen[None]):
    """Shows the app's roadmap plan; the selected period's plan is the app's plan."""

    TITLE = "Timeline"
    BINDINGS = [
        ("left_square_bracket", "step(-1)", "Previous period"),
        ("right_square_bracket", "step(1)", "Next period"),
        ("left_curly_bracket", "first", "First"),
        ("right_curly_bracket", "last", "Last"),
        ("p", "open_plan", "Period in Plan"),
    ]
    DEFAULT_CSS = """
    #timeline-summary { padding: 0 1; background: $boost; height: auto; }
    #timeline-body { height: 1fr; }
    #timeline-periods { width: 24; height: 1fr; }
    #timeline-tabs { width: 1fr; height: 1fr; }
    #timeline-gantt-scroll { height: auto; max-height: 70%; }
    #timeline-detail { height: auto; padding: 1 0 0 0; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.selected: int | None = None
        self._shown: Any = None  # the roadmap the widgets show (refilled when the state's changes)
        self._colours: dict[str, str] = {}  # system -> floor plan colour, the same in every period

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="timeline-summary")
        with Horizontal(id="timeline-body"):
            yield OptionList(id="timeline-periods")
            with TabbedContent(id="timeline-tabs"):
                with TabPane("Timeline", id="tab-timeline"), VerticalScroll():
                    with ScrollableContainer(id="timeline-gantt-scroll"):
                        yield Gantt(id="timeline-gantt")
                    yield Static("", id="timeline-detail")
                with TabPane("Floor plan", id="tab-period-floor"), VerticalScroll():
                    yield Static("", id="timeline-floor")
                with TabPane("Changes & orders", id="tab-changes"), VerticalScroll():
                    yield DataTable(id="timeline-changes", show_cursor=False, zebra_stripes=True)
                    yield Static("[b]Orders and deliveries[/b]", id="timeline-orders-title")
                    yield DataTable(id="timeline-orders", show_cursor=False, zebra_stripes=True)
                with TabPane("Cash flow", id="tab-cash"), VerticalScroll():
                    yield DataTable(id="timeline-cash", show_cursor=False, zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#timeline-changes", DataTable).add_columns(
            "change", "system", "family", "row", "hall", "units", "why"
        )
        self.query_one("#timeline-orders", DataTable).add_columns(
            "equipment", "hall or site", "count", "ordered", "delivered", "lead [periods]"
        )
        self.query_one("#timeline-cash", DataTable).add_columns(
            "period", "MW energised", "MW used", "MW stranded", "capex MUSD", "opex MUSD", "cash flow MUSD",
            "cumulative MUSD", "delivered PFLOPS",
        )  # fmt: skip
        self.refresh_roadmap()

    def on_screen_resume(self) -> None:
        self.refresh_roadmap()

    @property
    def roadmap(self) -> RoadmapPlan | None:
        return getattr(self.app.state, "roadmap", None)  # type: ignore[attr-defined]

    def refresh_roadmap(self) -> None:
        """Refill every widget when the state holds a different roadmap than the one shown."""
        roadmap = self.roadmap
        if roadmap is self._shown and roadmap is not None:
            return
        self._shown = roadmap
        periods = self.query_one("#timeline-periods", OptionList)
        periods.clear_options()
        if roadmap is None:
            self.query_one("#timeline-summary", Static).update(Text(NO_ROADMAP))  # "[roadmap]" is not markup
            self._select(None)
            return
        self.query_one("#timeline-summary", Static).update(summary_text(roadmap))
        self._colours = system_colours([s for p in roadmap.periods for s in p.plan.layout.system])
        periods.add_options([Option(period_option_text(p), id=str(p.index)) for p in roadmap.periods])
        self._fill_orders(roadmap)
        self._fill_cash(roadmap)
        self._select(0 if roadmap.periods else None)

    def _fill_orders(self, roadmap: RoadmapPlan) -> None:
        table = self.query_one("#timeline-orders", DataTable)
        table.clear()
        for o in roadmap.orders:  # ids are text, never markup
            table.add_row(
                *(Text(str(v)) for v in (o.equipment, o.owner, o.count, o.ordered, o.delivered, o.lead_time_periods))
            )

    def _fill_cash(self, roadmap: RoadmapPlan) -> None:
        table = self.query_one("#timeline-cash", DataTable)
        table.clear()
        for p in roadmap.timeline:
            figures = (p.energised_mw, p.used_mw, p.stranded_mw, p.capex_musd, p.opex_musd, p.cash_flow_musd)
            cells = [f"{v:,.1f}" for v in (*figures, p.cumulative_cash_musd)] + [f"{p.delivered_pflops:,.0f}"]
            table.add_row(Text(p.period), *(Text(c, justify="right") for c in cells))

    def _select(self, index: int | None) -> None:
        """Show period ``index`` everywhere (None: nothing to show) and make its plan the app's."""
        roadmap = self.roadmap
        if roadmap is None or not roadmap.periods:
            index = None
        elif index is not None:
            index = max(0, min(index, len(roadmap.periods) - 1))
        self.selected = index
        self.query_one("#timeline-gantt", Gantt).show(roadmap, index)
        detail = self.query_one("#timeline-detail", Static)
        floor = self.query_one("#timeline-floor", Static)
        changes = self.query_one("#timeline-changes", DataTable)
        changes.clear()
        if roadmap is None or index is None:
            detail.update("" if roadmap is None else "no periods: the roadmap has no plan to show")
            floor.update("no period selected")
            return
        period = roadmap.periods[index]
        detail.update(period_detail_text(roadmap, index))
        plan = period.plan
        floor.update(
            floor_plan_text(plan, self._colours) if len(plan.layout) else Text(f"{period.period}: no racks placed")
        )
        for word, items in (("added", period.added), ("retired", period.retired)):
            for c in items:
                changes.add_row(*(Text(str(v)) for v in (word, c.system, c.family, c.row, c.hall, c.units, c.why)))
        periods = self.query_one("#timeline-periods", OptionList)
        if periods.highlighted != index:
            periods.highlighted = index
        self.app.state.plan = plan  # type: ignore[attr-defined]

    @on(OptionList.OptionHighlighted, "#timeline-periods")
    @on(OptionList.OptionSelected, "#timeline-periods")
    def _period_chosen(self, event: OptionList.OptionHighlighted | OptionList.OptionSelected) -> None:
        if event.option_index != self.selected:
            self._select(event.option_index)

    @on(Gantt.PeriodClicked)
    def _period_clicked(self, event: Gantt.PeriodClicked) -> None:
        self._select(event.index)

    def action_step(self, delta: int) -> None:
        if self.selected is not None:
            self._select(self.selected + delta)

    def action_first(self) -> None:
        if self.selected is not None:
            self._select(0)

    def action_last(self) -> None:
        roadmap = self.roadmap
        if self.selected is not None and roadmap is not None:
            self._select(len(roadmap.periods) - 1)

    async def action_open_plan(self) -> None:
        """The selected period on the Plan screen (its plan is already the app's plan)."""
        if self.selected is None:
            self.app.notify("no period selected", title="dcplan")
            return
        await self.app.run_action("switch_mode('plan')")  # type: ignore[attr-defined]
