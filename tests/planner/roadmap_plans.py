"""RoadmapPlan fixtures built from real single-period plans (until the roadmap solve lands).

Each period's CapacityPlan is a real solve of the demo campus (planner.pipeline): the capex
budget grows 1.5 -> 3 -> 6 B USD, so the fleet grows period by period like a phased build-out
(the 6 B USD plan is the golden plan file). The timeline points are derived from those plans
by the same definitions planner/roadmap_plan.py states (energised = the sites' utility power,
used = facility design power, stranded = their difference, cash flow = -(capex + opex)),
so every figure the presentation shows traces back to a solved plan. The layout of one period
is not continued into the next (that is planner/roadmap_layout.py's job, not presentation's).
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections import defaultdict
from pathlib import Path

from dcplan.planner.plan import CapacityPlan, Diagnosis, load_plan
from dcplan.planner.roadmap_plan import Order, PeriodPlan, RoadmapPlan, TimelinePoint, UnitChange
from dcplan.planner.roadmap_timeline import fabric_swing_figures

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "aws-hybrid-campus.plan.json"


def _solve(budget: str | None, utility_power: str | None = None) -> CapacityPlan:
    from dcplan.models.catalog import load_catalog
    from dcplan.planner.pipeline import PlanOptions, plan_scenario
    from dcplan.planner.scenario import DEMO_SCENARIO, parse_scenario
    from dcplan.planner.solve import SolveSettings

    data = tomllib.loads(Path(DEMO_SCENARIO).read_text())
    if budget is not None:
        data["scenario"]["budget"] = budget
    if utility_power is not None:
        data["site"][0]["utility_power"] = utility_power
    options = PlanOptions(settings=SolveSettings(time_limit_s=30), marginals=False)
    return plan_scenario(parse_scenario(data), load_catalog([]), options)


@functools.cache
def period_plans() -> tuple[CapacityPlan, ...]:
    """Three real plans of the demo campus: 1.5, 3 and 6 B USD of capex (the last is the golden plan)."""
    return (_solve("1.5e9 USD"), _solve("3e9 USD"), load_plan(GOLDEN))


@functools.cache
def infeasible_plan() -> CapacityPlan:
    """The demo campus on a 1 MW utility connection: infeasible, with its diagnosis."""
    plan = _solve(None, utility_power="1 MW")
    assert not plan.feasible
    return plan


def label(t: int, period: str) -> str:
    return f"{2026 + t // 4}Q{t % 4 + 1}" if period == "quarter" else str(2026 + t)


def start_date(t: int, period: str) -> str:
    if period == "year":
        return dt.date(2026 + t, 1, 1).isoformat()
    return dt.date(2026 + t // 4, 3 * (t % 4) + 1, 1).isoformat()


def _units(plan: CapacityPlan) -> dict[tuple[str, str, str, str], int]:
    out: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for row in plan.rows:
        out[(row.template, row.system, row.cooling, row.hall)] += row.units
    return out


def _changes(before: CapacityPlan | None, after: CapacityPlan) -> tuple[list[UnitChange], list[UnitChange]]:
    families = {m.system: m.family for m in after.mix} | ({m.system: m.family for m in before.mix} if before else {})
    old, new = (_units(before) if before else {}), _units(after)
    added, retired = [], []
    for key in sorted(set(old) | set(new)):
        template, system, cooling, hall = key
        delta = new.get(key, 0) - old.get(key, 0)
        if delta:
            change = UnitChange(
                option=f"{template}/{system}/{cooling}",
                system=system,
                family=families.get(system, "?"),
                row=template,
                hall=hall,
                units=abs(delta),
                why="" if delta > 0 else "refresh",
            )
            (added if delta > 0 else retired).append(change)
    return added, retired


def _point(t: int, plan: CapacityPlan, previous: CapacityPlan | None, period: str, cumulative: float) -> TimelinePoint:
    energised = sum(s["utility_power"]["value"] for s in plan.scenario.get("site", [])) / 1000.0  # kW -> MW
    used = plan.energy.facility_power_design.m_as("MW") if plan.energy else 0.0
    generation: dict[str, int] = defaultdict(int)
    systems: dict[str, int] = defaultdict(int)
    cloud: dict[str, int] = {}
    for m in plan.mix:
        if m.place.startswith("cloud:"):
            cloud[m.place.removeprefix("cloud:")] = m.units
        else:
            generation[m.family] += m.units
            systems[m.system] += m.units
    capex_total = plan.costs.capex_total.m_as("USD") / 1e6 if plan.costs else 0.0
    capex_before = previous.costs.capex_total.m_as("USD") / 1e6 if previous is not None and previous.costs else 0.0
    capex = max(0.0, capex_total - capex_before)
    years = 0.25 if period == "quarter" else 1.0
    opex = plan.costs.annual_opex.m_as("USD") / 1e6 * years if plan.costs else 0.0
    return TimelinePoint(
        period=label(t, period),
        energised_mw=energised,
        used_mw=used,
        stranded_mw=energised - used,
        units_by_generation=dict(generation),
        units_by_system=dict(systems),
        cloud_units=cloud,
        capex_musd=capex,
        opex_musd=opex,
        cash_flow_musd=-(capex + opex),
        cumulative_cash_musd=cumulative - (capex + opex),
        discount_factor=1.08 ** -(t * years),
        delivered_pflops=sum(w.delivered_pflops for w in plan.workloads),
        peak_pflops=plan.compute_total.m_as("PFLOPS"),
        energised_note="energisation range 2026Q2-2026Q4 (fixture)" if t == 0 else None,
        **fabric_swing_figures(plan),
    )


def _orders(plans: list[CapacityPlan], period: str) -> list[Order]:
    """Distribution transformers added between periods, ordered two periods before delivery."""
    orders = []
    previous: dict[str, int] = {}
    for t, plan in enumerate(plans):
        now = {e.scope: e.count for e in plan.equipment if "transformer" in e.item.lower()}
        for scope, count in sorted(now.items()):
            if count > previous.get(scope, 0):
                orders.append(
                    Order(
                        equipment="distribution-transformer",
                        owner=scope,
                        count=count - previous.get(scope, 0),
                        ordered=label(t - 2, period) if t >= 2 else "before start",
                        delivered=label(t, period),
                        lead_time_periods=2,
                    )
                )
        previous = now
    return orders


def roadmap_of(plans: list[CapacityPlan], period: str = "quarter", status: str | None = None) -> RoadmapPlan:
    """A roadmap whose period t holds ``plans[t]``; its timeline derived from the plans."""
    periods, points, cumulative = [], [], 0.0
    for t, plan in enumerate(plans):
        previous = plans[t - 1] if t else None
        added, retired = _changes(previous, plan)
        periods.append(
            PeriodPlan(
                index=t, period=label(t, period), start=start_date(t, period), plan=plan, added=added, retired=retired
            )
        )
        points.append(_point(t, plan, previous, period, cumulative))
        cumulative = points[-1].cumulative_cash_musd
    feasible = all(p.feasible for p in plans) and bool(plans)
    first = plans[0] if plans else infeasible_plan()
    solver = first.solver.model_copy(update={"status": status or ("optimal" if feasible else "infeasible")})
    diagnosis = (
        Diagnosis(feasible=True, summary="every period feasible")
        if feasible
        else next((p.diagnosis for p in plans if not p.feasible), Diagnosis(feasible=False, summary="no periods"))
    )
    years = 0.25 if period == "quarter" else 1.0
    return RoadmapPlan(
        scenario_id="aws-roadmap-fixture",
        scenario_name="AWS campus roadmap (fixture from single-period plans)",
        scenario={"roadmap": {"start": "2026Q1", "period": period, "periods": len(plans)}},
        objective="max-cumulative-delivered",
        objective_note="sum over periods of delivered PFLOPS x days, not discounted; straight-line residual value",
        period_length=period,  # type: ignore[arg-type]
        periods=periods,
        timeline=points,
        orders=_orders(plans, period),
        cumulative_delivered_pflop_days=sum(p.delivered_pflops * years * 365.25 for p in points),
        npv_tco_musd=-sum(p.cash_flow_musd * p.discount_factor for p in points),
        residual_value_musd=0.25 * sum(p.capex_musd for p in points),
        solver=solver,
        diagnosis=diagnosis,
        notes=["fixture: periods are independent single-period solves"],
    )


def growing_roadmap(periods: int = 3) -> RoadmapPlan:
    """``periods`` quarters: the 1.5, 3, 6 B USD plans, then the 6 B USD plan held."""
    plans = list(period_plans())
    return roadmap_of([plans[min(t, len(plans) - 1)] for t in range(periods)])


def cycling_roadmap(periods: int = 40) -> RoadmapPlan:
    """``periods`` quarters cycling through the three plans: growth, then retirements ('refresh')."""
    plans = period_plans()
    return roadmap_of([plans[t % len(plans)] for t in range(periods)])


def infeasible_roadmap() -> RoadmapPlan:
    """One feasible period, then one on a 1 MW connection: the roadmap is infeasible."""
    return roadmap_of([period_plans()[0], infeasible_plan()])


def empty_roadmap() -> RoadmapPlan:
    """No periods at all (a solve that found no plan): nothing to show, no crash."""
    return roadmap_of([], status="no-plan-within-limit")
