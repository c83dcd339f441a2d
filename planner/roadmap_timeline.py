"""The roadmap's timeline, orders and money, recomputed from each period's checked plan.

Nothing here reads a solver column: the figures come from the per-period CapacityPlans
(laid out and sized by models/) and the roadmap inputs (prices, lives, lead times).

Money per period t [MUSD] (cash at the period's start, as the model states it):

- capex_t = sum_o unit_capex_t[o] x added[o,t] / 1e6 + sum_k price_k x max(0, n_k,t - max_{tau<t} n_k,tau) / 1e6
  where k runs over the plan's equipment lines (item, catalog id, scope: UPS modules,
  transformers, generators, rack PDUs, busway, CDUs, ...) and the halls built: infrastructure
  is built once and kept, so only a count above every earlier period's is bought; plus rows
  built for a density class (``density_builds``). Busway and rack PDUs (with their tap-offs,
  planner.evaluate.ROW_ITEMS) are kept where they were built, in their row template, and a
  template's are built for the dearest system it may host (a refreshed row keeps them): per
  template r, ``busway_r x d max_(tau<=t) rows_r,tau + pdu_r x d max_(tau<=t) racks_r,tau``
  with rows / racks from the layout and busway_r [USD per row] / pdu_r [USD per rack] the
  largest among r's options, as the solver charges them (planner.roadmap_families); the
  plan's "all rows" equipment lines would let PDUs move between templates and price a
  template's racks at the system in them now, which disagreed with the solver's capex by up
  to 1.2 % a period on tests/data/roadmap/small.toml (the budget re-check compares these);
  equipment and rows the solver builds AHEAD of need (to spread a binding budget, a decision
  a period's plan, sized to its own load, cannot show: ``infrastructure_built``) count from
  the period the solve has them in place: UPS modules, transformers, generators, optional
  halls and the rows / racks of a template are ``max(the plan's count, the solve's)``;
- opex_t = years_t x annual opex of the period's plan (energy + cloud) / 1e6, with cloud terms
  at their locked prices and AI Factory committed rates (``extension_opex``);
- residual at the horizon end E [MUSD]: straight line, units by their IT life, infrastructure
  by the facility life: sum_t capex part x max(0, 1 - (E - s_t) / life);
- NPV TCO = sum_t df_t (capex_t + opex_t) - df_E x residual, df(y) = (1 + r)^-y.

Compute: delivered_t [PFLOPS] is the sum of the plan's workloads' delivered PFLOPS (its
peak PFLOPS less any curtailed work when it has no workloads); cumulative delivered = sum_t days_t x delivered_t
[PFLOP-days], undiscounted (the objective note says when the solver weighed it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from dcplan.planner.roadmap_plan import Order, PeriodPlan, TimelinePoint
from dcplan.planner.roadmap_types import RoadmapInputs

#: the plan's equipment item of each lead-time class (models.equipment names)
LEAD_TIME_ITEMS = {"distribution-transformer": "transformers", "ups": "UPS modules", "generator": "generators"}
HOURS_PER_DAY = 24.0


@dataclass
class PeriodMoney:
    """One period's money [MUSD], split the way the residual value treats it."""

    units_capex_musd: float = 0.0  # system purchases (IT life)
    infra_capex_musd: float = 0.0  # equipment and halls built (facility life)
    opex_musd: float = 0.0
    #: option key -> capex [MUSD] of the units bought (per-option residual by its IT life)
    units_by_option: dict[str, float] = field(default_factory=dict)
    #: kept units' fabric share upgraded to a tier added this period (planner.roadmap_fabric)
    fabric_upgrade_musd: float = 0.0

    @property
    def capex_musd(self) -> float:
        return self.units_capex_musd + self.infra_capex_musd + self.fabric_upgrade_musd


def _units_of(period: PeriodPlan) -> dict[str, int]:
    return {change.option: change.units for change in period.added}


def _equipment_counts(
    period: PeriodPlan, data: Any = None, built: dict[tuple[str, str], int] | None = None
) -> dict[tuple[str, str, str], tuple[int, float]]:
    """(item, catalog id, scope) -> (count, price of one [USD]) of the period's plan, without
    the row items (busway, tap-offs, rack PDUs: ``row_infrastructure_musd``). With ``data``
    and ``built`` (``infrastructure_built`` of the period): UPS modules, transformers and
    generators as (item, "", owner) at max(the plan's count, the solve's) and the period's
    ModelData price, optional halls as ("halls", "", hall) when either has them built."""
    from dcplan.planner.evaluate import ROW_ITEMS

    counts: dict[tuple[str, str, str], tuple[int, float]] = {}
    kept = built is not None and data is not None
    for line in period.plan.equipment:
        if line.count <= 0 or line.item in ROW_ITEMS:
            continue
        price = float(line.capex.m_as("USD")) / line.count
        counts[(line.item, "" if kept and line.item in BUILT_ITEMS else line.catalog_id or "", line.scope)] = (
            line.count,
            price,
        )
    costs = period.plan.costs
    if kept:
        _with_built(counts, period, data, built or {})
    if costs is not None:
        names = (
            (("porting", costs.capex_porting),)
            if kept
            else (("halls", costs.capex_halls), ("porting", costs.capex_porting))
        )
        for name, value in names:
            usd = float(value.m_as("USD"))
            if usd > 0:
                counts[(name, "", "")] = (1, usd)
    return counts


#: the plan's equipment items the solve may build ahead of need, by the block column counting them
BUILT_ITEMS = {"UPS modules": "ups_n", "transformers": "xfmr_n", "generators": "gen_n"}


def _with_built(
    counts: dict[tuple[str, str, str], tuple[int, float]],
    period: PeriodPlan,
    data: Any,
    built: dict[tuple[str, str], int],
) -> None:
    """Raise the UPS / transformer / generator counts to the solve's and add the halls built."""
    prices: dict[tuple[str, str], float] = {}
    for h, hall in data.halls.items():
        prices[("UPS modules", h)] = hall.ups_capex_usd
        prices[("transformers", h)] = hall.transformer_capex_usd
    for s, site in data.sites.items():
        prices[("generators", s)] = site.generator_capex_usd
    for (item, owner), price in prices.items():
        count = max(counts.get((item, "", owner), (0, 0.0))[0], built.get((item, owner), 0))
        if count > 0:
            counts[(item, "", owner)] = (count, price)
    used = {h.hall for h in period.plan.halls if h.built}
    for h, hall in data.halls.items():
        if hall.build_cost_usd > 0 and ((hall.optional and h in used) or built.get(("halls", h), 0) > 0):
            counts[("halls", "", h)] = (1, hall.build_cost_usd)


def infrastructure_built(inputs: RoadmapInputs, outcome: Any) -> list[dict[tuple[str, str], int]]:
    """Per period, what the solve has built (physical units, built once and kept): (item,
    owner) -> count for UPS modules and transformers of a hall (``a n + b used``, planner.
    matrix._redundancy_terms), generators of a site, ("halls", hall) 1 when fitted out, and
    ("rows", template) / ("racks", template) from rows_built / racks_built. Empty dicts when
    the outcome carries no such values (a plan assembled from single-period outcomes)."""
    from dcplan.planner.matrix import _redundancy_terms

    linking = getattr(outcome, "linking", {}) or {}
    out: list[dict[tuple[str, str], int]] = []
    for t, period_outcome in enumerate(getattr(outcome, "periods", []) or []):
        values = getattr(period_outcome, "values", {}) or {}
        data = inputs.periods[t].data
        counts: dict[tuple[str, str], int] = {}
        for h, hall in data.halls.items():
            used = values.get("hall_used", {}).get(h, 0.0)
            a, b, _ = _redundancy_terms(hall.redundancy)
            for item in ("UPS modules", "transformers"):
                counts[(item, h)] = round(a * values.get(BUILT_ITEMS[item], {}).get(h, 0.0) + b * used)
            counts[("halls", h)] = round(used)
        for s, site in data.sites.items():
            a, b, _ = _redundancy_terms(site.generator_redundancy)
            used = values.get("site_used", {}).get(s, 0.0)
            counts[("generators", s)] = round(a * values.get("gen_n", {}).get(s, 0.0) + b * used)
        for name, item in (("rows_built", "rows"), ("racks_built", "racks")):
            for (tt, template), value in linking.get(name, {}).items():
                if tt == t:
                    counts[(item, template)] = round(value)
        out.append(counts)
    return out


def row_prices_usd(data: Any) -> dict[str, tuple[float, float]]:
    """Row template -> (busway [USD per row], PDUs and tap-offs [USD per rack]): the largest
    among the template's options (a row's busway and PDUs serve any system it may host)."""
    prices: dict[str, tuple[float, float]] = {}
    for o in data.options:
        busway, pdu = prices.get(o.row, (0.0, 0.0))
        prices[o.row] = (max(busway, o.busway_capex_per_row_usd), max(pdu, o.pdu_capex_per_rack_usd))
    return prices


def row_infrastructure_musd(
    inputs: RoadmapInputs, periods: list[PeriodPlan], built: list[dict[tuple[str, str], int]] | None = None
) -> list[float]:
    """Capex [MUSD] per period of busway and rack PDUs built (module docstring): per row
    template, the rows and racks in place (laid out, or built by the solve: ``built``) above
    every earlier period's, at row_prices_usd."""
    most: dict[str, tuple[int, int]] = {}
    money: list[float] = []
    for t, period in enumerate(periods):
        prices = row_prices_usd(inputs.periods[period.index].data)
        now: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in period.plan.rows:
            if row.units > 0:
                now[row.template][0] += 1
                now[row.template][1] += row.racks
        solve = built[t] if built is not None and t < len(built) else {}
        for (item, template), count in solve.items():
            if item in ("rows", "racks"):
                at = 0 if item == "rows" else 1
                now[template][at] = max(now[template][at], count)
        usd = 0.0
        for template, (rows, racks) in sorted(now.items()):
            rows_before, racks_before = most.get(template, (0, 0))
            busway, pdu = prices.get(template, (0.0, 0.0))
            usd += busway * max(0, rows - rows_before) + pdu * max(0, racks - racks_before)
            most[template] = (max(rows, rows_before), max(racks, racks_before))
        money.append(usd / 1e6)
    return money


def density_builds(inputs: RoadmapInputs, linking: dict[str, dict[tuple[Any, ...], float]]) -> dict[int, float]:
    """Period -> capex [MUSD] of rows built (or rebuilt) for a density class ([[row]] density):
    rows built for class k in t x that class's capex per row. Which class a row is built for
    is a decision the layout cannot show (a row built for 230 kW may hold 140 kW racks), so
    it is read from the solve (``density_build``); planner.roadmap_recheck checks that the
    rows standing at each class cover the plan's racks."""
    slots = inputs.extras.get("slots")
    classes = getattr(slots, "density", {}) or {}
    money: dict[int, float] = defaultdict(float)
    for (t, row, k), rows in linking.get("density_build", {}).items():
        if round(rows) > 0 and row in classes and k < len(classes[row]):
            money[t] += round(rows) * classes[row][k].capex_usd / 1e6
    return dict(money)


def units_by_option(period: PeriodPlan, keys: frozenset[str] | set[str] = frozenset()) -> dict[str, int]:
    """Units per option key (``template/system/cooling``, planner.modeldata) in the period's
    plan, counted from its rows (the layout's fills); a row in a ``[[water_loop]]`` hall is
    ``template/system/cooling@class`` of its hall's class when that is one of ``keys``."""
    units: dict[str, int] = defaultdict(int)
    loop_class = {w.hall: w.water_class for w in period.plan.water if w.water_class}
    for row in period.plan.rows:
        key = f"{row.template}/{row.system}/{row.cooling}"
        at = f"{key}@{loop_class.get(row.hall)}"
        units[at if at in keys else key] += row.units
    return dict(units)


def rented(period: PeriodPlan) -> dict[str, int]:
    """Cloud option key (``cloud:<offer>``) -> units rented in the period's plan."""
    units: dict[str, int] = defaultdict(int)
    for line in period.plan.mix:
        if line.place.startswith("cloud:"):
            units[line.place] += line.units
    return dict(units)


def term_starts(series: list[int], term_periods: int) -> list[int]:
    """Units whose reserved / capacity-block term starts in each period, from the units rented:
    rent_t = sum of the starts of the last d periods, so s_t = r_t - r_(t-1) + s_(t-d)
    (negative: a rental ended before its term, which the re-check reports)."""
    starts: list[int] = []
    for t, rent in enumerate(series):
        before = series[t - 1] if t else 0
        ended = starts[t - term_periods] if t >= term_periods else 0
        starts.append(rent - before + ended)
    return starts


def _cost(inputs: RoadmapInputs, t: int, key: str) -> float:
    """Annual cost [USD] of one unit of cloud offer ``key`` rented in period t."""
    return next((c.annual_cost_usd for c in inputs.periods[t].data.clouds if c.key == key), 0.0)


def extension_opex(inputs: RoadmapInputs, periods: list[PeriodPlan]) -> list[float]:
    """Opex [MUSD] per period the single-period plans do not price, from the plans' units:

    - reserved / capacity-block rentals are paid at the price of the period their term
      started, for the whole term (its periods past the horizon in the last period), in
      place of the period's own price: + sum_starts y x cost_tau x s_tau - y x cost_t x r_t;
    - an AWS AI Factory's committed rate: + rate [USD/h] x hours_t x its units in t / 1e6.
    """
    extra = [0.0] * len(periods)
    cloud = inputs.extras.get("cloud")
    last = len(periods) - 1
    for term in getattr(cloud, "terms", []):
        series = [rented(p).get(term.key, 0) for p in periods]
        for t, (start, rent) in enumerate(zip(term_starts(series, term.periods), series, strict=True)):
            extra[t] -= inputs.periods[t].years * _cost(inputs, t, term.key) * rent / 1e6
            for paid in range(t, t + term.periods):
                at = min(paid, last)
                extra[at] += inputs.periods[at].years * _cost(inputs, t, term.key) * max(start, 0) / 1e6
    for factory in getattr(cloud, "factories", []):
        for t, period in enumerate(periods):
            units = units_by_option(period, {o.key for o in inputs.periods[t].data.options})
            held = sum(units.get(key, 0) for key in factory.keys)
            extra[t] += factory.rate_usd_per_hour * inputs.periods[t].hours * held / 1e6
    return extra


def period_money(
    inputs: RoadmapInputs,
    periods: list[PeriodPlan],
    density: dict[int, float] | None = None,
    in_place: list[dict[tuple[str, str], int]] | None = None,
) -> list[PeriodMoney]:
    """Capex and opex of each period (module docstring), with ``density``: capex [MUSD] of
    rows built for a density class per period (``density_builds``), and ``in_place``: what
    the solve has built per period (``infrastructure_built``; None: the plans' counts only)."""
    built: dict[tuple[str, str, str], float] = defaultdict(float)  # most ever built, in USD terms
    money: list[PeriodMoney] = []
    extra_opex = extension_opex(inputs, periods)
    row_capex = row_infrastructure_musd(inputs, periods, in_place)
    for t, period in enumerate(periods):
        solve = in_place[t] if in_place is not None and t < len(in_place) else None
        inp = inputs.periods[period.index]
        figures = PeriodMoney()
        for key, units in sorted(_units_of(period).items()):
            usd = inp.unit_capex_usd.get(key, 0.0) * units
            figures.units_by_option[key] = usd / 1e6
            figures.units_capex_musd += usd / 1e6
        data = inputs.periods[period.index].data
        for line, (count, price) in sorted(_equipment_counts(period, data, solve).items()):
            usd = count * price
            if usd > built[line]:
                figures.infra_capex_musd += (usd - built[line]) / 1e6
                built[line] = usd
        figures.infra_capex_musd += row_capex[len(money)] + (density or {}).get(period.index, 0.0)
        if period.plan.costs is not None:
            figures.opex_musd = inp.years * float(period.plan.costs.annual_opex.m_as("USD")) / 1e6
        figures.opex_musd += extra_opex[len(money)]
        figures.fabric_upgrade_musd = fabric_upgrade_musd(inputs, period, periods[t - 1] if t else None)
        money.append(figures)
    return money


def fabric_upgrade_musd(inputs: RoadmapInputs, period: PeriodPlan, before: PeriodPlan | None) -> float:
    """The capex [MUSD] of raising the fabric share of the units kept from ``before`` to a
    tier added in ``period`` (planner.roadmap_fabric): sum_o rise_o x (units_o,t - added_o,t)."""
    if before is None:
        return 0.0
    from dcplan.planner.roadmap_fabric import upgrades

    t = period.index
    rises = {key: musd for tau, key, musd in upgrades(inputs.periods[t - 1 : t + 1]) if tau == 1}
    if not rises:
        return 0.0
    units, added = units_by_option(period), _units_of(period)
    return sum(musd * (units.get(key, 0) - added.get(key, 0)) for key, musd in rises.items())


def residual_musd(inputs: RoadmapInputs, periods: list[PeriodPlan], money: list[PeriodMoney]) -> float:
    """Straight-line value left at the horizon end [MUSD] (module docstring)."""
    end = inputs.horizon_years
    total = 0.0
    for period, figures in zip(periods, money, strict=True):
        age = end - inputs.periods[period.index].years_from_start
        for key, musd in figures.units_by_option.items():
            life = inputs.it_life_years.get(key, 0.0)
            total += musd * max(0.0, 1.0 - age / life) if life > 0 else 0.0
        if inputs.facility_life_years > 0:
            total += figures.infra_capex_musd * max(0.0, 1.0 - age / inputs.facility_life_years)
    return total


def npv_tco_musd(inputs: RoadmapInputs, periods: list[PeriodPlan], money: list[PeriodMoney], residual: float) -> float:
    """sum_t df_t (capex_t + opex_t) - df_E x residual [MUSD]."""
    spent = sum(
        inputs.discount_factor(inputs.periods[p.index].years_from_start) * (m.capex_musd + m.opex_musd)
        for p, m in zip(periods, money, strict=True)
    )
    return spent - inputs.discount_factor(inputs.horizon_years) * residual


def delivered_pflops(period: PeriodPlan) -> float:
    """The plan's delivered PFLOPS: its workloads' sum, else its peak less the work its
    curtailed hours lose (an [[onsite_power]] offer taken: OnsiteLine.work_lost_pflops, as
    planner.roadmap_onsite charges the solve's delivered figure)."""
    if period.plan.workloads:
        return sum(w.delivered_pflops for w in period.plan.workloads)
    return peak_pflops(period) - sum(line.work_lost_pflops for line in period.plan.onsite)


def peak_pflops(period: PeriodPlan) -> float:
    return float(period.plan.compute_total.m_as("PFLOPS"))


def cumulative_delivered_pflop_days(inputs: RoadmapInputs, periods: list[PeriodPlan]) -> float:
    return sum(inputs.periods[p.index].hours / HOURS_PER_DAY * delivered_pflops(p) for p in periods)


def _energised_mw(inputs: RoadmapInputs, index: int) -> float:
    """Utility power of the period's sites [MW]: the period's own site limits (its ModelData's
    sites, which carry the [[site_power]] ramp; the echoed scenario keeps the start's)."""
    sites = inputs.periods[index].data.sites.values()
    return sum(float(site.limits.utility_power.m_as("MW")) for site in sites)


def _used_mw(period: PeriodPlan) -> float:
    return sum(float(hall.facility_power_design.m_as("MW")) for hall in period.plan.halls)


def timeline(inputs: RoadmapInputs, periods: list[PeriodPlan], money: list[PeriodMoney]) -> list[TimelinePoint]:
    """One point per period: power, units by generation and system, money, compute."""
    points: list[TimelinePoint] = []
    cumulative = 0.0
    for period, figures in zip(periods, money, strict=True):
        inp = inputs.periods[period.index]
        by_family: dict[str, int] = defaultdict(int)
        by_system: dict[str, int] = defaultdict(int)
        clouds: dict[str, int] = {}
        for line in period.plan.mix:
            if line.place.startswith("cloud:"):
                clouds[line.place.removeprefix("cloud:")] = (
                    clouds.get(line.place.removeprefix("cloud:"), 0) + line.units
                )
                continue
            by_family[line.family] += line.units
            by_system[line.system] += line.units
        energised, used = _energised_mw(inputs, period.index), _used_mw(period)
        cash = -(figures.capex_musd + figures.opex_musd)
        cumulative += cash
        points.append(
            TimelinePoint(
                period=period.period,
                energised_mw=energised,
                used_mw=used,
                stranded_mw=energised - used,
                units_by_generation=dict(sorted(by_family.items())),
                units_by_system=dict(sorted(by_system.items())),
                cloud_units=dict(sorted(clouds.items())),
                capex_musd=figures.capex_musd,
                opex_musd=figures.opex_musd,
                cash_flow_musd=cash,
                cumulative_cash_musd=cumulative,
                discount_factor=inputs.discount_factor(inp.years_from_start),
                delivered_pflops=delivered_pflops(period),
                peak_pflops=peak_pflops(period),
                energised_note=inp.energised_note,
                **fabric_swing_figures(period.plan),
            )
        )
    return points


def with_onsite_columns(
    inputs: RoadmapInputs, periods: list[PeriodPlan], points: list[TimelinePoint]
) -> list[TimelinePoint]:
    """The points with their on-site columns from the periods' OnsiteLines (planner.plan_onsite):
    gensets and their usable MW, and generated MWh, fuel MWh and t CO2 over the period
    (the lines' yearly figures x y_t [y]); the points unchanged without an [[onsite_power]]."""
    out: list[TimelinePoint] = []
    for period, point in zip(periods, points, strict=True):
        lines = period.plan.onsite
        if not lines:
            out.append(point)
            continue
        years = inputs.periods[period.index].years
        out.append(
            point.model_copy(
                update={
                    "onsite_gensets": sum(line.units for line in lines),
                    "onsite_mw": sum(line.generation_mw for line in lines),
                    "onsite_generated_mwh": years * sum(line.generated_mwh_per_year for line in lines),
                    "onsite_fuel_mwh": years * sum(line.fuel_mwh_per_year for line in lines),
                    "onsite_co2_t": years * sum(line.carbon_t_per_year for line in lines),
                }
            )
        )
    return out


def fabric_swing_figures(plan: Any) -> dict[str, Any]:
    """A period's placed fabric and swing mitigation, from its CapacityPlan: network racks (the
    layout's ``network+storage`` racks) and their IT kW (the sum of their rack kW), and per
    site of a [[utility_limit]] the battery MW and MWh bought and the power floor held [MW]."""
    from dcplan.planner.layout import NETWORK_SYSTEM

    layout = plan.layout
    kw = [k for s, k in zip(layout.system, layout.rack_kw, strict=True) if s == NETWORK_SYSTEM]
    swing = plan.swing
    return {
        "network_racks": len(kw),
        "network_kw": float(sum(kw)),
        "battery_mw": sum(float(line.battery_power.m_as("MW")) for line in swing),
        "battery_mwh": sum(float(line.battery_energy.m_as("MWh")) for line in swing),
        "floor_mw": sum(float(line.floor.m_as("MW")) for line in swing),
    }


def lead_time_counts(periods: list[PeriodPlan]) -> dict[tuple[str, str], list[int]]:
    """(lead-time class, owner) -> the count in place in each period, kept once built (the
    most of this and every earlier period's plan)."""
    counts: dict[tuple[str, str], list[int]] = {}
    for t, period in enumerate(periods):
        for line in period.plan.equipment:
            for equipment, item in LEAD_TIME_ITEMS.items():
                if line.item == item:
                    counts.setdefault((equipment, line.scope), [0] * len(periods))[t] += line.count
    for series in counts.values():
        for t in range(1, len(series)):
            series[t] = max(series[t], series[t - 1])
    return counts


def orders(inputs: RoadmapInputs, periods: list[PeriodPlan]) -> list[Order]:
    """Each increment of long-lead equipment, ordered its lead time before first use
    ("before start" when that falls before the roadmap, i.e. the [[ordered]] stock)."""
    labels = [p.period for p in periods]
    result: list[Order] = []
    for (equipment, owner), series in sorted(lead_time_counts(periods).items()):
        lead = inputs.lead_periods.get(equipment, 0)
        for t, count in enumerate(series):
            step = count - (series[t - 1] if t else 0)
            if step <= 0:
                continue
            ordered = t - lead
            result.append(
                Order(
                    equipment=equipment,
                    owner=owner,
                    count=step,
                    ordered=labels[ordered] if ordered >= 0 else "before start",
                    delivered=labels[t],
                    lead_time_periods=lead,
                )
            )
    return result
