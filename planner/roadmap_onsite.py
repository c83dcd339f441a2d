"""On-site generation over a roadmap (issue 15, item 3, per period): the bridge genset
before grid energisation.

Each period's block carries the single-period on-site rows of its site (planner.matrix_onsite,
planner.formulation_onsite): ``site_utility_power[s]`` gains P_usable x prime_n[s] [kW],
``prime_energy[s]``: sum_o avg_o units[o] - prime_kw[s] - G_c curtail[s] <= P_grid,t [kW]
(P_grid,t: the period's [[site_power]] step), ``prime_capacity``, ``prime_share``, the
islanded ``prime_step`` and the curtailment ``curtail_link``. So a period whose grid is small
runs its gensets, and a period with the grid energised stops running them whenever fuel
costs more than grid energy (c_e > c_grid: prime_kw only costs). What links the periods is
added here, once for the direct builder (``onsite_hook``, in
planner.roadmap_model.ROADMAP_HOOKS) and once for the Pyomo formulation
(``define_roadmap_onsite``, called by planner.roadmap_formulation_hooks.define_extensions):

- prime_kept[t, s] (t >= 1): prime_n[s, t] - prime_n[s, t-1] >= 0 [units]: a genset bought
  stays (owned plant: the catalog prices a purchase, USD/kW, and gives no rental rate, so a
  rented bridge genset would need an unsourced price; once the grid is energised a kept
  genset stands idle as prime reserve, costing no fuel);
- lead time: prime_n[s, t] <= 0 while s_t < lead_time - 1e-9 [y] (the catalog's
  [[prime_mover]] lead_time counted from the roadmap start; not enforced when [roadmap]
  lead_times = false, as every other lead time);
- capex_t += c_unit (prime_n[s, t] - prime_n[s, t-1]) [MUSD], c_unit = capex per kW x
  P_rated: bought when built, as the timeline charges the plans' genset equipment lines
  (planner.roadmap_timeline: a count above every earlier period's);
- residual += share(t) x that capex, share(t) = max(0, 1 - (E - s_t) / facility_life): a
  genset is electrical plant, written off like the rest (planner.roadmap_families);
- opex_t += y_t x (c_e + v - c_grid) x 8760 h x prime_kw[s, t] / 1e6 [MUSD]: fuel and
  variable O&M (v, per kWh) only while the units run (the options' energy already counts
  every kWh at the grid price);
- opex_t += y_t x f x P_rated x prime_n[s, t] / 1e6 [MUSD]: fixed O&M (f, per kW-year of
  rating) for every genset owned, idle or running;
- curtailment: the block's curtail[s] is a binary per period (the offer may be taken in some
  periods only); delivered_t -= curtail_loss[s, t] [PFLOPS], the work the curtailed hours
  lose (planner.scenario_roadmap refuses a curtailment offer unless the roadmap's delivered
  figure is peak PFLOPS: objective max-cumulative-delivered and no [[workload]]).

A site without an ``[[onsite_power]]`` row has no on-site columns: nothing is added.
"""

from __future__ import annotations

from typing import Any

INF = float("inf")
LEAD_TOL_Y = 1e-9
#: the plan's equipment item of a site's gensets (planner.roadmap_timeline charges it when built)
GENSET_ITEM = "gensets"


def _add(terms: dict[int, float], col: int, coef: float) -> None:
    terms[col] = terms.get(col, 0.0) + coef


def enforces_lead_times(inputs: Any) -> bool:
    """The [roadmap] lead_times flag (True when the inputs carry no [roadmap], as hand-built ones)."""
    roadmap = getattr(inputs.scenario, "roadmap", None)
    return True if roadmap is None else bool(roadmap.lead_times)


def before_lead_time(inputs: Any, t: int, site: Any) -> bool:
    """Whether period t starts before the prime mover's lead time from the roadmap start."""
    if site.prime is None or not enforces_lead_times(inputs):
        return False
    return inputs.periods[t].years_from_start < site.prime.lead_time_years - LEAD_TOL_Y


def onsite_within_options(data: Any) -> Any:
    """``data`` with each SiteOnsite's per-option figures (average kW, step kW, PFLOPS) only
    for the options it still lists: the roadmap's slot extension removes options after the
    union data (and its on-site figures) were built. The same object when nothing is dropped."""
    from dataclasses import replace

    keys = {o.key for o in data.options}
    if all(k in keys for o in data.onsite.values() for k in o.average_kw):
        return data

    def kept(per_option: dict[str, float]) -> dict[str, float]:
        return {k: v for k, v in per_option.items() if k in keys}

    onsite = {
        s: replace(o, average_kw=kept(o.average_kw), step_kw=kept(o.step_kw), pflops=kept(o.pflops))
        for s, o in data.onsite.items()
    }
    return replace(data, onsite=onsite)


def onsite_hook(b: Any) -> None:
    """The linking rows, bounds and money of the on-site columns on a RoadmapBuild (module docstring)."""
    from dcplan.planner.roadmap_families import facility_residual_share  # it imports roadmap_model

    for t, period in enumerate(b.periods):
        share = facility_residual_share(b, t)
        for site, o in sorted(period.data.onsite.items()):
            n = b.block_col(t, "prime_n", site)
            if n is not None:
                if before_lead_time(b.inputs, t, o):
                    b.set_upper(n, 0.0)
                musd = o.prime_capex_musd()
                before = b.block_col(t - 1, "prime_n", site) if t > 0 else None
                _add(b.capex[t], n, musd)
                _add(b.residual, n, musd * share)
                if before is not None:
                    b.add_row("prime_kept", (t, site), {n: 1.0, before: -1.0}, 0.0, INF)
                    _add(b.capex[t], before, -musd)
                    _add(b.residual, before, -musd * share)
                _add(b.opex[t], n, period.years * o.fixed_om_musd())
            kw = b.block_col(t, "prime_kw", site)
            if kw is not None:
                _add(b.opex[t], kw, period.years * o.generation_opex_musd())
            loss = b.block_col(t, "curtail_loss", site)
            if loss is not None:
                _add(b.delivered[t], loss, -1.0)


def define_roadmap_onsite(m: Any, inputs: Any) -> None:
    """The Pyomo twin of ``onsite_hook``: prime_kept rows, the lead-time bounds, the genset
    capex on its increments, its residual and fuel into ``m.hook_money``, the curtailed work
    into its delivered terms."""
    import pyomo.environ as pyo

    from dcplan.planner.roadmap_families import residual_share

    end, life = inputs.horizon_years, inputs.facility_life_years
    rows: dict[tuple[int, str], Any] = {}
    for t, period in enumerate(inputs.periods):
        block = m.period[t]
        share = residual_share(end, period.years_from_start, life)
        for site, o in sorted(period.data.onsite.items()):
            if site in block.ONU:
                now = block.prime_n[site]
                if before_lead_time(inputs, t, o):
                    now.setub(0)
                before = m.period[t - 1].prime_n[site] if t > 0 else 0.0
                if t > 0:
                    rows[(t, site)] = now - before >= 0
                musd = o.prime_capex_musd()
                m.hook_money.add_capex(t, musd * (now - before))
                m.hook_money.residual.append(musd * share * (now - before))
                m.hook_money.add_opex(t, period.years * o.generation_opex_musd() * block.prime_kw[site])
                m.hook_money.add_opex(t, period.years * o.fixed_om_musd() * now)
            if site in block.ONC:
                m.hook_money.add_delivered(t, -1.0 * block.curtail_loss[site])
    m.prime_kept = pyo.Constraint(list(rows), rule=lambda model, *key: rows[key])


def onsite_npv_bound_musd(inputs: Any) -> float:
    """An upper bound of the gensets' NPV [MUSD] for the tie-break weight of both builders
    (planner.roadmap_families._npv_bound, planner.roadmap_formulation.roadmap_tie_break):
    sum_t df_t x sum_s (n_max c_unit + y_t (|c_e + v - c_grid| 8760 h n_max P_usable / 1e6
    + n_max f P_rated / 1e6))."""
    bound = 0.0
    for period in inputs.periods:
        df = inputs.discount_factor(period.years_from_start)
        for o in period.data.onsite.values():
            if o.has_units:
                fuel = period.years * abs(o.generation_opex_musd()) * o.max_units * o.prime.usable_kw
                fixed = period.years * o.max_units * o.fixed_om_musd()
                bound += df * (o.max_units * o.prime_capex_musd() + fuel + fixed)
    return bound


def genset_equipment(data: Any, values: dict[str, dict[Any, float]]) -> list[Any]:
    """A 'gensets' equipment line per site that built units: count n, unit capacity
    P_usable [kW], capex n x c_unit [USD] (what planner.roadmap_timeline charges when built)."""
    from dcplan.models.units import qty
    from dcplan.planner.plan import EquipmentCount
    from dcplan.planner.plan_onsite import solved

    out = []
    for site in sorted(data.onsite):
        o = data.onsite[site]
        n = round(solved(values, "prime_n", site)) if o.has_units else 0
        if n <= 0:
            continue
        out.append(
            EquipmentCount(
                item=GENSET_ITEM,
                catalog_id=o.prime_id,
                scope=site,
                count=n,
                unit_capacity=o.prime.usable_kw,
                capacity_unit="kW",
                installed=n * o.prime.usable_kw,
                used=min(solved(values, "prime_kw", site), n * o.prime.usable_kw),
                capex=qty(n * o.prime.capex_usd_per_unit, "USD"),
            )
        )
    return out


def with_roadmap_onsite(plan: Any, data: Any, values: dict[str, dict[Any, float]], ev: Any) -> Any:
    """A period's plan with its OnsiteLines and carbon (planner.plan_onsite.with_onsite) and
    its gensets as equipment lines (unchanged without an [[onsite_power]])."""
    from dcplan.planner.plan_onsite import with_onsite

    if not data.onsite:
        return plan
    plan = with_onsite(plan, data, values, ev)
    return plan.model_copy(update={"equipment": [*plan.equipment, *genset_equipment(data, values)]})


def onsite_roadmap_checks(inputs: Any, periods: list[Any]) -> tuple[int, list[str]]:
    """The roadmap re-check of the plans' on-site lines: per site, the gensets built never
    fall (kept once built) and none stands before the prime mover's lead time."""
    checked, bad = 0, []
    before: dict[str, int] = {}
    for period in periods:
        data = inputs.periods[period.index].data
        for line in period.plan.onsite:
            o = data.onsite.get(line.site)
            if o is None or not o.has_units:
                continue
            checked += 2
            if line.units < before.get(line.site, 0):
                bad.append(
                    f"{period.period} {line.site}: {line.units} gensets, fewer than the {before[line.site]} built before"
                )
            if line.units > 0 and before_lead_time(inputs, period.index, o):
                bad.append(
                    f"{period.period} {line.site}: {line.units} gensets before the {o.prime.lead_time_years:g}-year "
                    f"lead time of {o.prime_id} from the roadmap start"
                )
            before[line.site] = max(before.get(line.site, 0), line.units)
    return checked, bad


def onsite_orders(inputs: Any, periods: list[Any]) -> list[Any]:
    """Each increment of a site's gensets (the plans' OnsiteLines), ordered its lead time
    before it stands: L = ceil(lead_time / y - 1e-9) periods (0 when [roadmap] lead_times =
    false), the order's equipment the [[prime_mover]] id."""
    import math

    from dcplan.planner.roadmap_plan import Order

    labels = [p.period for p in periods]
    years = inputs.period_years
    out: list[Any] = []
    before: dict[str, int] = {}
    for t, period in enumerate(periods):
        data = inputs.periods[period.index].data
        for line in period.plan.onsite:
            o = data.onsite.get(line.site)
            step = line.units - before.get(line.site, 0)
            before[line.site] = max(before.get(line.site, 0), line.units)
            if o is None or o.prime is None or step <= 0:
                continue
            lead = math.ceil(o.prime.lead_time_years / years - 1e-9) if enforces_lead_times(inputs) and years > 0 else 0
            out.append(
                Order(
                    equipment=o.prime_id or "prime mover",
                    owner=line.site,
                    count=step,
                    ordered=labels[t - lead] if t >= lead else "before start",
                    delivered=labels[t],
                    lead_time_periods=lead,
                )
            )
    return out


def _register() -> None:
    from dcplan.planner.roadmap_model import register_hook  # imported late: roadmap_model imports this module

    register_hook(onsite_hook)


_register()

__all__ = [
    "GENSET_ITEM",
    "before_lead_time",
    "define_roadmap_onsite",
    "enforces_lead_times",
    "genset_equipment",
    "onsite_hook",
    "onsite_npv_bound_musd",
    "onsite_orders",
    "onsite_roadmap_checks",
    "onsite_within_options",
    "with_roadmap_onsite",
]
