"""A roadmap scenario -> ``RoadmapInputs`` (issue 14): one union ModelData, per-period limits.

``roadmap_inputs(scenario, catalog)`` builds the single-period model data ONCE, from the
scenario without its roadmap tables, money caps or roadmap-only fields (the *period
scenario*), and derives each period's data from it with ``dataclasses.replace`` where only
its limits differ: the site utility power (``[[site_power]]`` steps), the demand floors
(``[[demand]]`` steps) and the cloud quotas and prices (``[[cloud_schedule]]`` steps). Every
period keeps the union's scenario, options, halls, pairs and supply groups as the SAME
objects, so the model builds one block and patches its limits for the others
(planner.roadmap_model.same_structure); a workload whose demand steps to 0 ends (its pairs
give no delivered compute from then on: one more pairs object per distinct set of ended
workloads).

Dates (models.calendar): a step takes effect in the period containing its ``from`` date
(before the start: at the start, the latest such step holding); a system is installable in
period t when ``available_from.value <= start_t`` and purchasable when also
``start_t < available_until.value`` and its allocation cap in t is not 0; a hall is ready in
t when its shell is ready by start_t (a shell ready mid-period is usable from the next
period) plus ``ceil(fit_out / period length)`` whole periods; equipment on order is
delivered in the period containing its date (0 if before the start).

Money: ``unit_capex_usd[key] = capex_per_unit - c_IT + c_IT,t`` where ``c_IT,t`` is the
system's purchase price in period t: ``c_IT x (1 - d)^(years from start to start_t)`` for
a ``decline_per_year`` d (the system's own, else ``"*"``), or the latest ``[[price]]`` step's
capex. Options without IT capex (AWS AI Factory: AWS owns the IT) keep their capex.
``[[period_budget]]`` of one period is that PeriodInput's ``capex_budget_musd``; a year
budget over several periods is ``extras["capex_budget_groups"]``: a list of
``(period indices, MUSD)`` the model caps the sum of (one period covered: per period too).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from dcplan.models.calendar import Calendar, parse_day
from dcplan.models.catalog import Catalog
from dcplan.models.catalog.schedule import EQUIPMENT_OF_KIND
from dcplan.models.errors import DcplanError
from dcplan.models.units import Q_
from dcplan.planner.delivered import EfficiencyLookup, Need, PairData, need_of, supply_groups
from dcplan.planner.modeldata import CloudOption, ModelData, Option, SiteData, build_model_data
from dcplan.planner.roadmap_types import LEAD_TIME_COLUMNS, Ordered, PeriodInput, RoadmapInputs
from dcplan.planner.scenario import Scenario
from dcplan.planner.scenario_roadmap import ROADMAP_FIELDS, ROADMAP_TABLES, STEP_DEMAND_FIELDS

USD_PER_MUSD = 1e6
#: the workload demand fields a [[demand]] step replaces (every form, so the step's holds alone)
_ALL_DEMAND_FIELDS = ("tokens", "flops", "deadline", *STEP_DEMAND_FIELDS)


class RoadmapInputError(DcplanError):
    """A roadmap scenario that cannot be turned into model inputs (one line)."""


def period_scenario(scenario: Scenario) -> Scenario:
    """The scenario one period's block is built from: no roadmap tables or roadmap-only
    fields, no capex or opex cap (the roadmap has its own money rows), and the objective
    whose terms the roadmap sums (max-delivered when every workload has a class, else
    max-compute: the block's own objective is discarded, but it decides what is pruned)."""
    classed = bool(scenario.workload) and all(w.workload_class is not None for w in scenario.workload)
    objective = "max-delivered" if classed else "max-compute"
    data = scenario.model_dump(mode="json")
    data["scenario"] = dict(data["scenario"], objective=objective, budget=None, annual_opex_budget=None, target=None)
    for name in ("roadmap", *ROADMAP_TABLES):
        data.pop(name, None)
    for table, fields in ROADMAP_FIELDS.items():
        data[table] = [{k: v for k, v in item.items() if k not in fields} for item in data.get(table, [])]
    data["scenario"] = {k: v for k, v in data["scenario"].items() if v is not None}
    from dcplan.planner.scenario import parse_scenario

    derived = parse_scenario(data, scenario.source)
    return derived


def _effective(cal: Calendar, when: object) -> int:
    """The period a step takes effect in: the one containing its date, 0 if before the start."""
    return max(0, cal.index_of(parse_day(when)))


def _step_values(cal: Calendar, steps: Sequence[tuple[Any, Any]], base: Any) -> list[Any]:
    """Per period, the value of the latest step in effect (``base`` before the first one).

    ``steps`` are (from, value); steps before the start hold in order of their dates."""
    out = [base] * cal.periods
    for when, value in sorted(steps, key=lambda step: parse_day(step[0])):
        t = _effective(cal, when)
        for i in range(t, cal.periods):
            out[i] = value
    return out


def halls_ready(scenario: Scenario, cal: Calendar) -> list[frozenset[str]]:
    """Per period, the halls usable: shell ready by the period start, plus whole periods of fit-out."""
    first: dict[str, int] = {}
    for hall in scenario.hall:
        ready = 0 if hall.ready is None else max(0, cal.first_period_from(parse_day(hall.ready)))
        fit_out = 0 if hall.fit_out is None else cal.periods_for(float(hall.fit_out.magnitude))  # canonical years
        first[hall.id] = ready + fit_out
    return [frozenset(h for h, t0 in first.items() if t0 <= t) for t in range(cal.periods)]


def _site_schedules(scenario: Scenario, data: ModelData, cal: Calendar) -> list[dict[str, SiteData]]:
    """Per period, the sites with that period's utility power (the union's objects where unchanged).

    Powers are read as magnitudes in their canonical kW (as planner.matrix reads them):
    pint's ``m_as`` parses its unit text each call (~0.5 ms), 2 x 20 of them per site."""
    base_kw = {site_id: float(site.limits.utility_power.magnitude) for site_id, site in data.sites.items()}
    per_site: dict[str, list[float]] = {}
    for site_id in data.sites:
        steps = [(s.from_, float(s.power.magnitude)) for s in scenario.site_power if s.site == site_id]
        per_site[site_id] = _step_values(cal, steps, base_kw[site_id])
    out: list[dict[str, SiteData]] = []
    cache: dict[tuple[str, float], SiteData] = {}
    for t in range(cal.periods):
        if all(per_site[site_id][t] == base_kw[site_id] for site_id in data.sites):
            out.append(data.sites)
            continue
        sites: dict[str, SiteData] = {}
        for site_id, site in data.sites.items():
            kw = per_site[site_id][t]
            if kw == base_kw[site_id]:
                sites[site_id] = site
                continue
            if (site_id, kw) not in cache:
                limits = site.limits.model_copy(update={"utility_power": Q_(kw, "kW")})
                cache[site_id, kw] = replace(site, limits=limits)
            sites[site_id] = cache[site_id, kw]
        out.append(sites)
    return out


def _step_need(workload: Any, field: str, value: Any) -> Need:
    """The demand floor of ``workload`` with its demand restated as ``field = value``."""
    update = dict.fromkeys(_ALL_DEMAND_FIELDS)
    update[field] = value
    return need_of(workload.model_copy(update=update))


def _need_schedules(
    scenario: Scenario, data: ModelData, cal: Calendar
) -> tuple[list[dict[str, Need]], list[frozenset[str]]]:
    """Per period, the demand floors, and the workloads ended (a step to 0)."""
    per_workload: dict[str, list[tuple[Need, bool]]] = {}
    for workload in data.workloads:
        steps = []
        for step in (d for d in scenario.demand if d.workload == workload.id):
            value = getattr(step, step.field_name)
            zero = float(value.magnitude if hasattr(value, "magnitude") else value) == 0.0
            steps.append((step.from_, (_step_need(workload, step.field_name, value), zero)))
        per_workload[workload.id] = _step_values(cal, steps, (data.needs[workload.id], False))
    needs: list[dict[str, Need]] = []
    ended: list[frozenset[str]] = []
    for t in range(cal.periods):
        period = {w: per_workload[w][t][0] for w in data.needs}
        same = all(period[w] is data.needs[w] or period[w] == data.needs[w] for w in period)
        needs.append(data.needs if same else period)
        ended.append(frozenset(w for w in data.needs if per_workload[w][t][1]))
    return needs, ended


def _ended_pairs(data: ModelData, ended: frozenset[str]) -> dict[tuple[str, str], PairData]:
    """The union's pairs with the ended workloads' giving nothing (rate and delivered 0)."""
    pairs = dict(data.pairs)
    for key, pair in data.pairs.items():
        if key[0] in ended:
            pairs[key] = replace(pair, rate=0.0, delivered_pflops_per_unit=0.0)
    return pairs


def _cloud_schedules(scenario: Scenario, data: ModelData, cal: Calendar) -> list[list[CloudOption]]:
    """Per period, the cloud options with that period's quota and hourly price."""
    out: list[list[CloudOption]] = [data.clouds] * cal.periods
    for index, cloud in enumerate(data.clouds):
        steps = [s for s in scenario.cloud_schedule if s.cloud == cloud.offer.id]
        if not steps:
            continue
        quota = _step_values(cal, [(s.from_, s.quota) for s in steps if s.quota is not None], cloud.quota)
        hourly = _step_values(
            cal, [(s.from_, float(s.price.magnitude)) for s in steps if s.price is not None], cloud.hourly_usd
        )
        for t in range(cal.periods):
            if (quota[t], hourly[t]) != (cloud.quota, cloud.hourly_usd):
                if out[t] is data.clouds:
                    out[t] = list(data.clouds)
                out[t][index] = replace(cloud, quota=int(quota[t]), hourly_usd=hourly[t])
    return out


def _availability(catalog: Catalog, systems: set[str], cal: Calendar) -> tuple[dict[str, int], dict[str, int]]:
    """(system -> first installable period, system -> first period no longer purchasable)."""
    first: dict[str, int] = {}
    until: dict[str, int] = {}
    starts = cal.starts
    for system_id in sorted(systems):
        system = catalog.system(system_id)
        start = system.available_from.value if system.available_from is not None else None
        end = system.available_until.value if system.available_until is not None else None
        first[system_id] = next((t for t, s in enumerate(starts) if start is None or start <= s), cal.periods)
        until[system_id] = next((t for t, s in enumerate(starts) if end is not None and s >= end), cal.periods)
    return first, until


def _allocation_caps(scenario: Scenario, cal: Calendar) -> list[dict[str, int]]:
    caps: list[dict[str, int]] = [{} for _ in range(cal.periods)]
    for cap in scenario.allocation:
        first = 0 if cap.from_ is None else _effective(cal, cap.from_)
        last = cal.periods - 1 if cap.until is None else cal.index_of_text(cap.until)
        for t in range(first, min(last, cal.periods - 1) + 1):
            caps[t][cap.system] = cap.max_units
    return caps


def _it_prices(scenario: Scenario, catalog: Catalog, systems: set[str], cal: Calendar) -> dict[str, list[float]]:
    """system -> its purchase price per period [USD] (the catalog capex without a [[price]])."""
    declines = {p.system: float(p.decline_per_year) for p in scenario.price if p.decline_per_year is not None}
    out: dict[str, list[float]] = {}
    for system_id in sorted(systems):
        system = catalog.system(system_id)
        base = float(system.capex.magnitude) if system.capex is not None else 0.0
        steps = [
            (p.from_, float(p.capex.m_as("USD")))
            for p in scenario.price
            if p.system == system_id and p.capex is not None
        ]
        decline = declines.get(system_id, declines.get("*") if not steps else None)
        if decline is not None:
            out[system_id] = [base * (1.0 - decline) ** cal.years_from_start(t) for t in range(cal.periods)]
        else:
            out[system_id] = _step_values(cal, steps, base)
    return out


def _has_it_capex(option: Option) -> bool:
    """Whether the option's capex includes the IT purchase (not so for an AI Factory's units,
    whose capex is the full one less ``capex_it``; a placed fabric's network-rack PDUs add to
    the full one)."""
    c = option.coeff
    full = c.capex_it_usd + c.capex_cooling_usd + c.capex_building_usd + c.capex_electrical_per_unit_usd
    return c.capex_it_usd > 0 and option.capex_per_unit_usd >= full - 1e-6 * max(1.0, full)


def _unit_capex(options: list[Option], prices: dict[str, list[float]], periods: int) -> list[dict[str, float]]:
    """Per period, option key -> capex of one unit bought then [USD]."""
    out: list[dict[str, float]] = [{} for _ in range(periods)]
    for o in options:
        # the system's price replaces its catalog capex; the placed fabric's share stays
        fabric_usd = o.fabric.capex_usd if o.fabric is not None else 0.0
        it = o.coeff.capex_it_usd - fabric_usd if _has_it_capex(o) else None
        for t in range(periods):
            out[t][o.key] = o.capex_per_unit_usd if it is None else o.capex_per_unit_usd - it + prices[o.system][t]
    return out


def _lead_periods(catalog: Catalog, cal: Calendar, enforce: bool) -> dict[str, int]:
    """LEAD_TIME_COLUMNS class -> whole periods from order to delivery: the longest catalog
    ``[[lead_time]]`` value of its equipment class, ``ceil(years / y - 1e-9)``; 0 when the
    roadmap does not enforce lead times or the catalog has none for the class."""
    years: dict[str, float] = {}
    for entry_id in catalog.items.get("lead_time", {}):
        entry = catalog.lead_time(entry_id)
        years[entry.equipment] = max(years.get(entry.equipment, 0.0), float(entry.lead_time.value.m_as("year")))
    out: dict[str, int] = {}
    for column_class in LEAD_TIME_COLUMNS:
        equipment = EQUIPMENT_OF_KIND.get(column_class, column_class)  # "generator" -> "diesel-generator"
        out[column_class] = cal.periods_for(years.get(equipment, 0.0)) if enforce else 0
    return out


def _it_lives(catalog: Catalog, options: list[Option]) -> dict[str, float]:
    """option key -> IT life [y]: its system's it_life, else the catalog default (canonical
    years read as magnitudes, once per system)."""
    default = float(catalog.defaults.it_life.value.magnitude)
    by_system: dict[str, float] = {}
    for system_id in {o.system for o in options}:
        life = catalog.system(system_id).it_life
        by_system[system_id] = float(life.value.magnitude) if life is not None else default
    return {o.key: by_system[o.system] for o in options}


def _budgets(scenario: Scenario, cal: Calendar) -> tuple[list[float | None], list[tuple[tuple[int, ...], float]]]:
    """(per period capex cap [MUSD] or None, year budgets over several periods)."""
    per_period: list[float | None] = [None] * cal.periods
    groups: list[tuple[tuple[int, ...], float]] = []
    for budget in scenario.period_budget:
        covered = tuple(cal.indices_of(budget.period))
        musd = float(budget.capex.m_as("USD")) / USD_PER_MUSD
        if len(covered) == 1:
            t = covered[0]
            per_period[t] = musd if per_period[t] is None else min(musd, per_period[t] or musd)
        elif covered:
            groups.append((covered, musd))
    return per_period, groups


def _energised_notes(scenario: Scenario, cal: Calendar) -> list[str | None]:
    notes: list[list[str]] = [[] for _ in range(cal.periods)]
    for step in scenario.site_power:
        t = cal.index_of_text(step.from_)
        if 0 <= t < cal.periods and (step.low is not None or step.high is not None):
            low = cal.label_of(parse_day(step.low or step.from_))
            high = cal.label_of(parse_day(step.high or step.from_))
            notes[t].append(f"{step.site}: utility step to {step.power.m_as('MW'):,.4g} MW expected {low}-{high}")
    return ["; ".join(n) if n else None for n in notes]


def _ordered(scenario: Scenario, cal: Calendar) -> list[Ordered]:
    return [
        Ordered(equipment=o.equipment, owner=o.owner, count=o.count, delivered=_effective(cal, o.delivered))
        for o in scenario.ordered
    ]


def _consistent(data: ModelData) -> ModelData:
    """``data`` with no pair, eligible supply or supply group naming an option that is not in
    it (an extension that removes options, e.g. slot-blocked ones, may leave them: then
    build_direct would look them up); the same object when nothing refers to a missing one."""
    keys = {o.key for o in data.options} | {c.key for c in data.clouds}
    if all(k in keys for ks in data.eligible.values() for k in ks):
        return data
    eligible = {w: [k for k in ks if k in keys] for w, ks in data.eligible.items()}
    pairs = {wk: pair for wk, pair in data.pairs.items() if wk[1] in keys}
    return replace(data, eligible=eligible, pairs=pairs, supply_groups=supply_groups(eligible, pairs))


def _extras(
    scenario: Scenario, catalog: Catalog, data: ModelData, cal: Calendar, lookup: Any
) -> tuple[ModelData, dict[str, Any]]:
    """EXTRAS' slot, density, cloud-term and AI Factory inputs (planner.roadmap_cloud), when present."""
    try:
        from dcplan.planner.roadmap_cloud import roadmap_extras
    except ImportError:  # the extensions are not merged: the core roadmap only
        return data, {}
    return roadmap_extras(
        scenario,
        catalog,
        data,
        period_years=cal.years_per_period,
        periods=cal.periods,
        period_of=cal.index_of_text,
        lookup=lookup,
    )


def roadmap_inputs(scenario: Scenario, catalog: Catalog, efficiency: EfficiencyLookup | None = None) -> RoadmapInputs:
    """Everything the time-expanded model reads, from a scenario with ``[roadmap]``.

    One ``build_model_data`` of the period scenario (the union of every period's options,
    clouds, halls and sites); each period's data is that object, or a ``replace`` of it with
    the period's sites / needs / clouds (and pairs, once a workload ended). ``timings``:
    ``extras["build_s"]`` [s] of the union data and of the derivation (measured, reported).
    """
    roadmap = scenario.roadmap
    if roadmap is None:
        raise RoadmapInputError(f"{scenario.source}: no [roadmap] table: this is a single-period scenario")
    cal = roadmap.calendar()
    began = time.perf_counter()
    data = build_model_data(period_scenario(scenario), catalog, efficiency)
    data, extras = _extras(scenario, catalog, data, cal, efficiency)
    data = _consistent(data)
    from dcplan.planner.roadmap_onsite import onsite_within_options

    data = onsite_within_options(data)  # [[onsite_power]] figures of the options left
    union_s = time.perf_counter() - began
    bases, fabric_notes = _fabric_bases(scenario, catalog, data, cal, efficiency)
    if fabric_notes:
        extras["fabric_notes"] = fabric_notes
    periods = _periods(scenario, catalog, bases, cal)
    per_period_budget, groups = _budgets(scenario, cal)
    periods = [replace(p, capex_budget_musd=per_period_budget[p.index]) for p in periods]
    if groups:
        extras["capex_budget_groups"] = groups
    extras["build_s"] = {"union_s": union_s, "periods_s": time.perf_counter() - began - union_s}
    header = scenario.scenario
    budget = float(header.budget.m_as("USD")) / USD_PER_MUSD if header.budget is not None else None
    return RoadmapInputs(
        scenario=scenario,
        periods=periods,
        objective=roadmap.objective,
        discount_rate=float(header.discount_rate),
        discount_delivered=roadmap.discount_delivered,
        it_life_years=_it_lives(catalog, data.options),
        facility_life_years=float(roadmap.facility_life.m_as("year")),
        lead_periods=_lead_periods(catalog, cal, roadmap.lead_times),
        ordered=_ordered(scenario, cal),
        total_capex_budget_musd=budget,
        extras=extras,
    )


def _fabric_bases(
    scenario: Scenario, catalog: Catalog, data: ModelData, cal: Calendar, lookup: Any
) -> tuple[list[ModelData], list[str]]:
    """Per period, the union data sized at the period's fabric cluster (planner.roadmap_fabric:
    ``data`` itself wherever that is the union's), and notes where it cannot be."""
    from dcplan.planner.roadmap_fabric import period_fabric_data, period_placed

    if scenario.fabric is None or not scenario.fabric.place:
        return [data] * cal.periods, []
    base = period_scenario(scenario)

    def rebuild(placed: Any) -> ModelData:
        fresh = build_model_data(base, catalog, lookup, placed=placed)
        return _consistent(_extras(scenario, catalog, fresh, cal, lookup)[0])

    return period_fabric_data(data, period_placed(base, catalog, halls_ready(scenario, cal)), rebuild)


def _periods(scenario: Scenario, catalog: Catalog, bases: list[ModelData], cal: Calendar) -> list[PeriodInput]:
    """Every period's PeriodInput (without its capex budget), its data derived from
    ``bases[t]`` (the union data, sized at the period's fabric cluster)."""
    data = bases[0] if bases else None
    assert data is not None
    systems = {o.system for o in data.options}
    first, until = _availability(catalog, systems, cal)
    caps = _allocation_caps(scenario, cal)
    prices = _it_prices(scenario, catalog, systems, cal)
    capex = [_unit_capex(b.options, prices, cal.periods)[t] for t, b in enumerate(bases)]
    sites = _site_schedules(scenario, data, cal)
    needs, ended = _need_schedules(scenario, data, cal)
    clouds = _cloud_schedules(scenario, data, cal)
    ready = halls_ready(scenario, cal)
    notes = _energised_notes(scenario, cal)
    pairs_of: dict[frozenset[str], dict[tuple[str, str], PairData]] = {frozenset(): data.pairs}
    out: list[PeriodInput] = []
    for t, start in enumerate(cal.starts):
        if ended[t] not in pairs_of:
            pairs_of[ended[t]] = _ended_pairs(data, ended[t])
        changes: dict[str, Any] = {}
        if sites[t] is not data.sites:
            changes["sites"] = sites[t]
        if needs[t] is not data.needs:
            changes["needs"] = needs[t]
        if clouds[t] is not data.clouds:
            changes["clouds"] = clouds[t]
        if pairs_of[ended[t]] is not data.pairs:
            changes["pairs"] = pairs_of[ended[t]]
        installable = frozenset(o.key for o in data.options if first[o.system] <= t)
        purchasable = frozenset(
            key
            for key, o in ((o.key, o) for o in data.options)
            if key in installable and t < until[o.system] and caps[t].get(o.system) != 0
        )
        base = bases[t]
        changes = {k: v for k, v in changes.items() if getattr(base, k) is not v}
        out.append(
            PeriodInput(
                index=t,
                label=cal.label(t),
                start=start,
                years_from_start=cal.years_from_start(t),
                years=cal.years_per_period,
                hours=cal.hours(t),
                data=replace(base, **changes) if changes else base,
                installable=installable,
                purchasable=purchasable,
                unit_capex_usd=capex[t],
                halls_ready=ready[t],
                allocation_caps=caps[t],
                energised_note=notes[t],
            )
        )
    return out


__all__ = ["RoadmapInputError", "halls_ready", "period_scenario", "roadmap_inputs"]
