"""Independent re-check of a plan against every limit, from the layout and models/ figures.

A plan that fails here is a bug in the formulation or the layout; tests treat any
violation as a failure. The same pass produces the utilisation of every limit.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from dcplan.models.availability import deployable_at
from dcplan.models.catalog import Catalog
from dcplan.models.units import ureg
from dcplan.planner.evaluate import Evaluation
from dcplan.planner.layout import RowFill
from dcplan.planner.marginals_swing import SWING_LIMIT, swing_use_figures
from dcplan.planner.matrix_workloads import basis_terms, share_members
from dcplan.planner.modeldata import ModelData
from dcplan.planner.plan import LimitUse, Recheck
from dcplan.planner.recheck_fabric import fabric_shortfalls
from dcplan.planner.recheck_onsite import onsite_headroom_kw, onsite_violations
from dcplan.planner.solve import SolveOutcome
from dcplan.planner.swing_plan import swing_violations
from dcplan.planner.water_plan import reuse_violations, water_violations

REL_TOL = 1e-6
# Units parsed once (``q.m_as("MW")`` re-parses the string on every call).
_MW, _M2, _USD, _PFLOPS = ureg.Unit("MW"), ureg.Unit("m**2"), ureg.Unit("USD"), ureg.Unit("PFLOPS")


def _use(
    limit: str, scope: str, used: float, allowed: float, unit: str, step: float = 0.0, sense: str = "<="
) -> LimitUse:
    """A LimitUse; binding when the slack is below ``step`` (one unit's worth) or ~0.

    For ``>=`` limits ``used`` is what the plan achieves and ``allowed`` the requirement.
    """
    if sense == "<=":
        utilisation = used / allowed if allowed else (0.0 if used == 0 else float("inf"))
        slack = allowed - used
    else:
        utilisation = allowed / used if used else (0.0 if allowed == 0 else float("inf"))
        slack = used - allowed
    binding = slack < max(step, abs(allowed) * 1e-6)
    return LimitUse(
        limit=limit,
        scope=scope,
        sense=sense,
        used=used,
        allowed=allowed,
        unit=unit,
        utilisation=utilisation,
        binding=binding,  # type: ignore[arg-type]
    )


def violates(use: LimitUse) -> bool:
    """True when a limit is broken beyond a relative tolerance of 1e-6."""
    if use.sense == "<=":
        return use.used > use.allowed * (1 + REL_TOL) + 1e-9
    return use.used < use.allowed * (1 - REL_TOL) - 1e-9


def limit_uses(catalog: Catalog, data: ModelData, ev: Evaluation, outcome: SolveOutcome) -> list[LimitUse]:
    """Utilisation of every scenario limit, in the limit's own unit.

    In order: site utility power, each hall's caps, the budgets, the share bounds, the
    workload demands, and the most loaded row of each row template.
    """
    # each hall's options and used rows, grouped once (per hall over all of them was halls x
    # rows: 365 x 7,205 on the 10M-chip campus)
    hall_options: dict[str, list[Any]] = defaultdict(list)
    for option in data.options:
        hall_options[option.hall].append(option)
    rows_used = Counter(f.option.hall for f in ev.fills)
    return [
        *_site_uses(data, ev, outcome.values),
        *(
            use
            for hall_id in sorted(data.halls)
            for use in _hall_uses(data, ev, hall_id, hall_options[hall_id], rows_used[hall_id])
        ),
        *_budget_uses(data, ev),
        *_share_uses(data, ev, outcome),
        *_demand_uses(data, outcome),
        *_row_uses(ev),
        *_swing_uses(data, ev, outcome),
    ]


def _swing_uses(data: ModelData, ev: Evaluation, outcome: SolveOutcome) -> list[LimitUse]:
    """Each [[utility_limit]] site's swing after mitigation against its band [MW]
    (planner.marginals_swing); one step is one more unit's swing."""
    units: dict[str, int] = defaultdict(int)
    for fill in ev.fills:
        units[fill.option.key] += fill.units
    return [
        _use(SWING_LIMIT, site, used, band, "MW", step)
        for site, used, band, step in swing_use_figures(data, units, outcome.values)
    ]


def _site_uses(data: ModelData, ev: Evaluation, values: dict[str, dict[Any, float]]) -> list[LimitUse]:
    """Design-day facility power [MW] against each site's utility power, plus its on-site
    generation and any curtailment offer taken (planner.recheck_onsite); one step is the
    smallest facility power of one unit of any option."""
    min_fac = min((o.facility_design_kw_per_unit for o in data.options), default=0.0)
    return [
        _use(
            "utility power (design day)",
            site_id,
            ev.site_totals[site_id]["facility_design_kw"] / 1000.0,
            site.limits.utility_power.m_as(_MW) + onsite_headroom_kw(data, values, site_id) / 1000.0,
            "MW",
            min_fac / 1000.0,
        )
        for site_id, site in sorted(data.sites.items())
    ]


def _hall_uses(data: ModelData, ev: Evaluation, hall_id: str, opts: list[Any], used_rows: int) -> list[LimitUse]:
    """A hall's IT power, liquid and air plant [MW], whitespace [m²] and rows against its caps
    (``opts``: the hall's options; ``used_rows``: its rows the plan fills).

    Each step is the smallest one-unit increment of an option in the hall: IT kW, liquid
    loop kW, air loop + design electrical loss kW, gross area x racks per unit.
    """
    hall_data = data.halls[hall_id]
    totals = ev.hall_totals[hall_id]
    hall = hall_data.hall
    step_it = min((o.coeff.it_provisioned_kw for o in opts), default=0.0) / 1000.0
    step_l = min((o.coeff.liquid_loop_kw for o in opts if o.coeff.liquid_loop_kw > 0), default=0.0) / 1000.0
    step_a = min((o.coeff.air_loop_kw + o.coeff.electrical_loss_design_kw for o in opts), default=0.0) / 1000.0
    uses = [
        _use("hall IT power", hall_id, totals["it_kw"] / 1000.0, hall.it_power_cap.m_as(_MW), "MW", step_it),
        _use(
            "hall liquid plant",
            hall_id,
            totals["liquid_loop_kw"] / 1000.0,
            hall.liquid_plant_capacity.m_as(_MW),
            "MW",
            step_l,
        ),
        _use(
            "hall air plant", hall_id, totals["air_loop_kw"] / 1000.0, hall.air_plant_capacity.m_as(_MW), "MW", step_a
        ),
    ]
    if hall.area is not None:
        step = min((o.coeff.gross_area_m2 * o.racks_per_unit for o in opts), default=0.0)
        uses.append(_use("hall whitespace", hall_id, totals["gross_area_m2"], hall.area.m_as(_M2), "m2", step))
    rows_total = hall_data.total_rows
    if rows_total:
        uses.append(_use("hall rows", hall_id, used_rows, rows_total, "rows", 1.0))
    return uses


def _budget_uses(data: ModelData, ev: Evaluation) -> list[LimitUse]:
    """Capex [MUSD] against the capex budget (step: the cheapest unit) and annual opex
    (energy + cloud) [MUSD/yr] against the opex budget, where the scenario sets them."""
    header = data.scenario.scenario
    uses = []
    capex_musd = sum(ev.capex.values()) / 1e6
    min_unit_capex = min((o.capex_per_unit_usd for o in data.options), default=0.0) / 1e6
    if header.budget is not None:
        uses.append(_use("capex budget", "plan", capex_musd, header.budget.m_as(_USD) / 1e6, "MUSD", min_unit_capex))
    if header.annual_opex_budget is not None:
        opex = (ev.opex["energy"] + ev.opex["cloud"]) / 1e6
        uses.append(_use("annual opex budget", "plan", opex, header.annual_opex_budget.m_as(_USD) / 1e6, "MUSD"))
    return uses


def _share_uses(data: ModelData, ev: Evaluation, outcome: SolveOutcome) -> list[LimitUse]:
    """Each family/software group's share of the plan on its basis against its min and max."""
    uses = []
    for bound in data.scenario.share:
        total = _basis_total(data, ev, outcome, bound.basis, None)
        group = _basis_total(data, ev, outcome, bound.basis, share_members(data, bound))
        share = group / total if total else 0.0
        if bound.min > 0:
            uses.append(_use(f"minimum share ({bound.label})", "plan", share, bound.min, "share", sense=">="))
        if bound.max < 1:
            uses.append(_use(f"maximum share ({bound.label})", "plan", share, bound.max, "share"))
    return uses


def _basis_total(data: ModelData, ev: Evaluation, outcome: SolveOutcome, basis: str, members: set[str] | None) -> float:
    """A share basis summed over the layout's units (delivered: over the allocations)."""
    if basis == "delivered":
        alloc = outcome.values.get("alloc", {})
        return sum(w * alloc.get(index, 0.0) for _, index, w in basis_terms(data, basis, members))
    units = units_by_supply(ev)
    return sum(w * units.get(key, 0) for _, key, w in basis_terms(data, basis, members))


def units_by_supply(ev: Evaluation) -> dict[str, int]:
    """Deployment units per option key (placed in the layout) and per cloud key (rented)."""
    units: dict[str, int] = defaultdict(int)
    for fill in ev.fills:
        units[fill.option.key] += fill.units
    for key, rented in ev.rented.items():
        units[key] += rented
    return units


def _demand_uses(data: ModelData, outcome: SolveOutcome) -> list[LimitUse]:
    """What each workload is allocated [its demand unit: delivered or peak PFLOPS, or chips]
    against its demand floor."""
    uses = []
    served = _served(data, outcome)
    for workload in data.workloads:
        need = data.needs[workload.id]
        # A demand is a floor on the allocation; the allocation merely meets it, so "binding"
        # says nothing here (marginal re-solves would), and it is reported as not binding.
        use = _use(f"demand {workload.id}", "plan", served.get(workload.id, 0.0), need.value, need.unit, sense=">=")
        uses.append(use.model_copy(update={"binding": False}))
    return uses


def _row_uses(ev: Evaluation) -> list[LimitUse]:
    """Row limits: the most loaded row of each template, its IT kW per feed against the
    busway's feed kW (compared as floats; one LimitUse each, step one unit's IT kW)."""
    worst: dict[str, tuple[float, RowFill]] = {}
    for fill in ev.fills:
        share = fill.units * fill.option.coeff.it_provisioned_kw / fill.option.busway_feed_kw
        if fill.template not in worst or share > worst[fill.template][0]:
            worst[fill.template] = (share, fill)
    uses = []
    for template in sorted(worst):
        fill = worst[template][1]
        option = fill.option
        uses.append(
            _use(
                "row busway per feed",
                template,
                option.coeff.it_provisioned_kw * fill.units,
                option.busway_feed_kw,
                "kW",
                option.coeff.it_provisioned_kw,
            )
        )
    return uses


def _served(data: ModelData, outcome: SolveOutcome) -> dict[str, float]:
    """Each workload's allocation in its demand unit: ``sum_e rate[w, e] x alloc[w, e]``."""
    served: dict[str, float] = defaultdict(float)
    for pair, value in outcome.values.get("alloc", {}).items():
        served[pair[0]] += data.pairs[pair].rate * value
    return served


Checked = tuple[int, list[str]]  # (checks made, violations found)


def recheck(catalog: Catalog, data: ModelData, ev: Evaluation, outcome: SolveOutcome, uses: list[LimitUse]) -> Recheck:
    """Every limit verified from the layout; returns the violations (empty for a good plan)."""
    parts = [
        _limit_violations(uses),
        _sizing_violations(ev),
        _layout_violations(ev),
        _row_load_violations(ev),
        _availability_violations(catalog, data, ev),
        _candidate_violations(data, ev),
        _allocation_violations(data, ev, outcome),
        swing_violations(catalog, data, ev, outcome.values),  # planner.swing_plan
        water_violations(catalog, data, ev),  # planner.water_plan
        reuse_violations(catalog, data, ev, outcome.values),  # heat credited <= what the layout gives
        onsite_violations(data, ev, outcome.values),  # planner.recheck_onsite
    ]
    fabric_checked, notes = fabric_shortfalls(catalog, data, ev.fills)
    violations = [v for _, found in parts for v in found]
    checked = sum(n for n, _ in parts) + fabric_checked
    return Recheck(ok=not violations, checked=checked, violations=violations, notes=notes)


def _limit_violations(uses: list[LimitUse]) -> Checked:
    """Every scenario limit's use, beyond the relative tolerance (``violates``)."""
    violations = []
    for use in uses:  # the swing band is re-checked from the catalog by swing_violations
        if violates(use) and use.limit != SWING_LIMIT:
            verb = "exceeds" if use.sense == "<=" else "falls short of"
            violations.append(
                f"{use.limit} ({use.scope}): {use.used:,.6g} {use.unit} {verb} {use.allowed:,.6g} {use.unit}"
            )
    return len(uses), violations


def _sizing_violations(ev: Evaluation) -> Checked:
    """Sizing checks of each group (rack power vs cooling, floor load vs the hall's slab,
    coolant inlet), all but the rack-PDU-vs-busway-tap-off check, which is not counted as a violation."""
    checked, violations = 0, []
    for (hall_id, system_id, cooling_id), result in ev.groups.items():
        for check in result.checks:
            checked += 1
            if not check.ok and check.limit != "rack PDU vs busway tap-off":
                violations.append(f"{hall_id} {system_id} on {cooling_id}: {check.message}")
    return checked, violations


def _layout_violations(ev: Evaluation) -> Checked:
    """Row geometry and rack packing from the layout itself.

    Each row's slots fit its positions without a repeat; each unit's racks are adjacent in
    one row; a row's racks hold its units, at most x servers each, and only its last rack
    may be part-full (``ceil(units / per rack)`` racks, or ``units x slots per unit``).
    """
    by_row: dict[str, list[int]] = defaultdict(list)
    unit_rows: dict[str, set[str]] = defaultdict(set)
    unit_slots: dict[str, list[int]] = defaultdict(list)
    layout = ev.layout
    for _hall, row, slot, unit in zip(layout.hall, layout.row, layout.slot, layout.unit, strict=True):
        by_row[row].append(slot)
        unit_rows[unit].add(row)
        unit_slots[unit].append(slot)
    violations = []
    positions = {fill.row: fill.option.positions for fill in ev.fills}
    for row, slots in by_row.items():
        if max(slots) > positions[row] or len(set(slots)) != len(slots):
            violations.append(
                f"row {row}: {len(slots)} racks in {positions[row]} positions (slots {min(slots)}-{max(slots)})"
            )
    for unit, rows in unit_rows.items():
        slots = sorted(unit_slots[unit])
        if len(rows) != 1 or slots != list(range(slots[0], slots[0] + len(slots))):
            violations.append(f"unit {unit}: racks not adjacent in one row ({sorted(rows)}, slots {slots})")
    for fill in ev.fills:
        per_rack = fill.option.units_per_rack
        slots_per_unit = fill.option.racks_per_unit_slots
        expected_racks = fill.units * slots_per_unit if per_rack == 1 else -(-fill.units // per_rack)
        if fill.racks != expected_racks or len(by_row.get(fill.row, [])) != fill.racks + fill.network_racks:
            violations.append(
                f"row {fill.row}: {fill.units} units at {per_rack} per rack need {expected_racks} racks; "
                f"the plan has {fill.racks} and the layout {len(by_row.get(fill.row, []))}"
            )
    return len(by_row) + len(unit_rows) + len(ev.fills), violations


def _row_load_violations(ev: Evaluation) -> Checked:
    """Each row's IT kW per feed against its busway, and its liquid and air heat [kW]
    against the row's own capacities where the cooling sets them."""
    violations = []
    for fill in ev.fills:
        row_kw = fill.option.coeff.it_provisioned_kw * fill.units
        if row_kw > fill.option.busway_feed_kw * (1 + REL_TOL):
            violations.append(
                f"row {fill.row}: {row_kw:,.0f} kW per feed exceeds the busway's {fill.option.busway_feed_kw:,.0f} kW"
            )
        for capacity, per_unit, what in (
            (fill.option.row_liquid_kw, fill.option.coeff.liquid_kw, "liquid"),
            (fill.option.row_air_kw, fill.option.coeff.room_air_kw, "air"),
        ):
            if capacity is not None and per_unit * fill.units > capacity * (1 + REL_TOL):
                violations.append(
                    f"row {fill.row}: {per_unit * fill.units:,.0f} kW {what} heat exceeds the row's {capacity:,.0f} kW"
                )
    return len(ev.fills), violations


def _availability_violations(catalog: Catalog, data: ModelData, ev: Evaluation) -> Checked:
    """Every deployed system may be deployed by the site's operator."""
    violations = []
    for fill in ev.fills:
        system = catalog.system(fill.option.system)
        unavailable = deployable_at(system, catalog.site(fill.option.site), data.sites[fill.option.site].operator)
        if unavailable:
            violations.append(f"{fill.option.system} placed at {fill.option.site}: {unavailable}")
    return len(ev.fills), violations


def _candidate_violations(data: ModelData, ev: Evaluation) -> Checked:
    """Cloud rentals within their quota; each candidate's units (built + rented) within
    its [min, max]."""
    violations = []
    units_by_system: dict[str, int] = defaultdict(int)
    for fill in ev.fills:
        units_by_system[fill.option.system] += fill.units
    for cloud in data.clouds:
        units_by_system[cloud.system] += ev.rented.get(cloud.key, 0)
        if ev.rented.get(cloud.key, 0) > cloud.quota:
            violations.append(f"cloud {cloud.offer.id}: {ev.rented[cloud.key]} units exceed the quota of {cloud.quota}")
    for candidate in data.scenario.candidate:
        count = units_by_system.get(candidate.system, 0)
        if count < candidate.min_units or (candidate.max_units is not None and count > candidate.max_units):
            violations.append(
                f"{candidate.system}: {count} units outside [{candidate.min_units}, {candidate.max_units}]"
            )
    return len(data.clouds) + len(data.scenario.candidate), violations


def _allocation_violations(data: ModelData, ev: Evaluation, outcome: SolveOutcome) -> Checked:
    """No supply group (planner.delivered.supply_groups) gives more deployment units to its
    workloads than the layout holds (or rents) of its supplies."""
    given: dict[str, float] = defaultdict(float)
    for (_, key), value in outcome.values.get("alloc", {}).items():
        given[key] += value
    units = units_by_supply(ev)
    violations = []
    for key, value in given.items():
        group = data.supply_groups.get(key, [key])
        held = sum(units.get(k, 0) for k in group)
        if value > held * (1 + REL_TOL) + 1e-6:
            where = f"supply {key}" if len(group) == 1 else f"supply group {key} ({len(group)} supplies)"
            violations.append(f"{where}: {value:,.2f} units allocated but the layout holds {held:,}")
    return len(given), violations
