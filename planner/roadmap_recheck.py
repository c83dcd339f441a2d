"""The roadmap-level independent re-check: what links periods, from the plans' own figures.

Every period's plan carries its own single-period re-check (planner.recheck). This adds the
checks no single period can make, each recomputed from the laid-out plans (units per option
from the layout, equipment counts from models/, money from planner.roadmap_timeline), never
from the solver's linking columns:

- stock balance: units_t = units_{t-1} + added_t - retired_t per option (units_{-1} = 0);
- availability: units only of options installable in t, additions only of purchasable ones;
- life: L = ceil(life / period years) periods; every unit added in tau is retired by tau + L,
  i.e. sum_{tau<=t} retired >= sum_{tau<=t-L} added;
- allocation caps: units of a system added in t <= its cap;
- halls: racks only in halls ready in t;
- lead times: a count of transformers / UPS modules / generators in t < lead periods within
  what was on order before the start and delivered by t;
- budgets: capex_t <= the period's budget, the sum over a year's periods <= that year's
  budget (``extras["capex_budget_groups"]``), sum_t capex_t <= the total budget [MUSD];
- density classes: the rows built for class k or above cover the rows whose racks need it;
- cloud terms: no reserved / capacity-block rental ends before its term (starts from the
  rented units, planner.roadmap_timeline.term_starts); AI Factory minimum commitments;
- water loops: one supply class per [[water_loop]] hall over the roadmap, from the periods'
  water lines (planner.roadmap_water.water_class_checks).
- on-site power: the plans' gensets never fall and none stands before the prime mover's
  lead time (planner.roadmap_onsite.onsite_roadmap_checks).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from dcplan.planner.plan import Recheck
from dcplan.planner.roadmap_onsite import onsite_roadmap_checks
from dcplan.planner.roadmap_plan import PeriodPlan
from dcplan.planner.roadmap_timeline import PeriodMoney, lead_time_counts, rented, term_starts, units_by_option
from dcplan.planner.roadmap_types import RoadmapInputs
from dcplan.planner.roadmap_water import water_class_checks

REL_TOL = 1e-6  # money: the solver's and the plan's sums of the same terms, in another order
Checked = tuple[int, list[str]]


def _stock_checks(inputs: RoadmapInputs, periods: list[PeriodPlan]) -> Checked:
    violations: list[str] = []
    checked = 0
    before: dict[str, int] = {}
    for period in periods:
        inp = inputs.periods[period.index]
        now = units_by_option(period, {o.key for o in inp.data.options})
        added = {c.option: c.units for c in period.added}
        retired = {c.option: c.units for c in period.retired}
        for key in sorted(set(now) | set(before) | set(added) | set(retired)):
            checked += 1
            expected = before.get(key, 0) + added.get(key, 0) - retired.get(key, 0)
            if now.get(key, 0) != expected:
                violations.append(
                    f"{period.period} {key}: {now.get(key, 0)} units laid out, but {before.get(key, 0)} before "
                    f"+ {added.get(key, 0)} added - {retired.get(key, 0)} retired = {expected}"
                )
            if now.get(key, 0) > 0 and key not in inp.installable:
                violations.append(f"{period.period} {key}: {now[key]} units of an option not available yet")
            if added.get(key, 0) > 0 and key not in inp.purchasable:
                violations.append(f"{period.period} {key}: {added[key]} units bought when it cannot be bought")
        before = now
    return checked, violations


def _life_checks(inputs: RoadmapInputs, periods: list[PeriodPlan]) -> Checked:
    violations: list[str] = []
    added: dict[str, list[int]] = defaultdict(lambda: [0] * len(periods))
    retired: dict[str, list[int]] = defaultdict(lambda: [0] * len(periods))
    for t, period in enumerate(periods):
        for change in period.added:
            added[change.option][t] += change.units
        for change in period.retired:
            retired[change.option][t] += change.units
    years = inputs.period_years
    for key in sorted(added):
        life = inputs.it_life_years.get(key)
        if not life or years <= 0:
            continue
        lifetime = math.ceil(life / years - 1e-9)
        for t in range(lifetime, len(periods)):
            due = sum(added[key][: t - lifetime + 1])
            gone = sum(retired[key][: t + 1])
            if gone < due:
                violations.append(
                    f"{periods[t].period} {key}: {due} units reached the end of their {life:g}-year life "
                    f"but only {gone} were retired"
                )
    return len(added) * len(periods), violations


def _allocation_and_hall_checks(inputs: RoadmapInputs, periods: list[PeriodPlan]) -> Checked:
    violations: list[str] = []
    checked = 0
    for period in periods:
        inp = inputs.periods[period.index]
        by_system: dict[str, int] = defaultdict(int)
        for change in period.added:
            by_system[change.system] += change.units
        for system, cap in sorted(inp.allocation_caps.items()):
            checked += 1
            if by_system.get(system, 0) > cap:
                violations.append(
                    f"{period.period} {system}: {by_system[system]} units added over the allocation of {cap}"
                )
        for hall in period.plan.halls:
            checked += 1
            if hall.racks > 0 and hall.hall not in inp.halls_ready:
                violations.append(f"{period.period} hall {hall.hall}: {hall.racks} racks before the hall is ready")
    return checked, violations


def _lead_time_checks(inputs: RoadmapInputs, periods: list[PeriodPlan]) -> Checked:
    violations: list[str] = []
    checked = 0
    for (equipment, owner), series in sorted(lead_time_counts(periods).items()):
        lead = inputs.lead_periods.get(equipment, 0)
        for t in range(min(lead, len(series))):
            checked += 1
            on_order = sum(
                o.count for o in inputs.ordered if o.equipment == equipment and o.owner == owner and o.delivered <= t
            )
            if series[t] > on_order:
                violations.append(
                    f"{periods[t].period} {owner}: {series[t]} {equipment} in place, but its {lead}-period lead "
                    f"time leaves only the {on_order} ordered before the start"
                )
    return checked, violations


def _budget_checks(inputs: RoadmapInputs, periods: list[PeriodPlan], money: list[PeriodMoney]) -> Checked:
    violations: list[str] = []
    checked = 0
    for period, figures in zip(periods, money, strict=True):
        budget = inputs.periods[period.index].capex_budget_musd
        if budget is None:
            continue
        checked += 1
        if figures.capex_musd > budget * (1 + REL_TOL) + 1e-6:
            violations.append(f"{period.period}: capex {figures.capex_musd:,.3f} MUSD over its budget of {budget:,.3f}")
    labels = [p.period for p in periods]
    for indices, cap in inputs.extras.get("capex_budget_groups", []):  # a year's budget over its periods
        checked += 1
        spent = sum(money[t].capex_musd for t in indices if t < len(money))
        if spent > cap * (1 + REL_TOL) + 1e-6:
            span = f"{labels[min(indices)]}..{labels[max(indices)]}"
            violations.append(f"{span}: capex {spent:,.3f} MUSD over the budget of {cap:,.3f} for those periods")
    total = inputs.total_capex_budget_musd
    if total is not None:
        checked += 1
        spent = sum(m.capex_musd for m in money)
        if spent > total * (1 + REL_TOL) + 1e-6:
            violations.append(f"capex over the horizon {spent:,.3f} MUSD over the total budget of {total:,.3f}")
    return checked, violations


def _density_checks(
    inputs: RoadmapInputs, periods: list[PeriodPlan], linking: dict[str, dict[tuple[Any, ...], float]]
) -> Checked:
    """Rows standing at density class k or above (the solve's ``density_rows``) cover the
    plan's rows whose racks need class k or above (rack kW from the plan's own rows)."""
    slots = inputs.extras.get("slots")
    classes = getattr(slots, "density", {}) or {}
    standing = linking.get("density_rows", {})
    violations: list[str] = []
    checked = 0
    for period in periods:
        for template, levels in sorted(classes.items()):
            needs = [_class_of(levels, float(row.rack_power.m_as("kW"))) for row in period.plan.rows]
            needs = [k for k, row in zip(needs, period.plan.rows, strict=True) if row.template == template]
            for k in range(len(levels)):
                checked += 1
                need = sum(1 for n in needs if n is None or n >= k)
                have = sum(round(standing.get((period.index, template, j), 0.0)) for j in range(k, len(levels)))
                if need > have:
                    violations.append(
                        f"{period.period} {template}: {need} rows with racks above {levels[k - 1].rack_kw:g} kW "
                        f"but {have} built for them"
                        if k
                        else f"{period.period} {template}: {need} rows used but {have} built"
                    )
    return checked, violations


def _class_of(levels: list[Any], rack_kw: float) -> int | None:
    """The lowest density class covering ``rack_kw`` [kW] (None: none does)."""
    for k, level in enumerate(levels):
        if rack_kw <= level.rack_kw * (1 + 1e-9):
            return k
    return None


def _cloud_checks(inputs: RoadmapInputs, periods: list[PeriodPlan]) -> Checked:
    """No reserved / capacity-block rental ends before its term; an AI Factory holds at least
    its minimum commitment in every period of its window."""
    cloud = inputs.extras.get("cloud")
    violations: list[str] = []
    checked = 0
    for term in getattr(cloud, "terms", []):
        series = [rented(p).get(term.key, 0) for p in periods]
        for t, start in enumerate(term_starts(series, term.periods)):
            checked += 1
            if start < 0:
                violations.append(
                    f"{periods[t].period} {term.key}: {-start} {term.term} units given back before their "
                    f"{term.periods}-period term ended"
                )
    for factory in getattr(cloud, "factories", []):
        window = range(max(0, factory.from_period), min(len(periods), factory.from_period + factory.commit_periods))
        for t in window:
            checked += 1
            keys = {o.key for o in inputs.periods[periods[t].index].data.options}
            held = sum(units_by_option(periods[t], keys).get(key, 0) for key in factory.keys)
            if held < factory.min_units:
                violations.append(
                    f"{periods[t].period} AI Factory {factory.id}: {held} units below the commitment of {factory.min_units}"
                )
    return checked, violations


def roadmap_recheck(
    inputs: RoadmapInputs,
    periods: list[PeriodPlan],
    money: list[PeriodMoney],
    linking: dict[str, dict[tuple[Any, ...], float]] | None = None,
) -> Recheck:
    """Every roadmap-level check (module docstring) plus each period's own re-check."""
    checked = 0
    violations: list[str] = []
    for count, found in (
        _stock_checks(inputs, periods),
        _life_checks(inputs, periods),
        _allocation_and_hall_checks(inputs, periods),
        _lead_time_checks(inputs, periods),
        _budget_checks(inputs, periods, money),
        _density_checks(inputs, periods, linking or {}),
        _cloud_checks(inputs, periods),
        water_class_checks(periods),  # one supply class per hall (planner.roadmap_water)
        onsite_roadmap_checks(inputs, periods),
    ):
        checked += count
        violations += found
    for period in periods:
        checked += period.plan.recheck.checked
        violations += [f"{period.period}: {line}" for line in period.plan.recheck.violations]
    return Recheck(ok=not violations, checked=checked, violations=violations)
