"""The roadmap's timeline, orders and money, recomputed from each period's checked plan.

Nothing here reads a solver column: the figures come from the per-period CapacityPlans
(laid out and sized by models/) and the roadmap inputs (prices, lives, lead times).

Money per period t [MUSD] (cash at the period's start, as the model states it):

- capex_t = sum_o unit_capex_t[o] x added[o,t] / 1e6 + sum_k price_k x max(0, n_k,t - max_{tau<t} n_k,tau) / 1e6
  where k runs over the plan's equipment lines (item, catalog id, scope: UPS modules,
  transformers, generators, rack PDUs, busway, CDUs, ...) and the halls built: infrastructure
  is built once and kept, so only a count above every earlier period's is bought;
- opex_t = years_t x annual opex of the period's plan (energy + cloud) / 1e6;
- residual at the horizon end E [MUSD]: straight line, units by their IT life, infrastructure
  by the facility life: sum_t capex part x max(0, 1 - (E - s_t) / life);
- NPV TCO = sum_t df_t (capex_t + opex_t) - df_E x residual, df(y) = (1 + r)^-y.

Compute: delivered_t [PFLOPS] is the sum of the plan's workloads' delivered PFLOPS (its
peak PFLOPS when it has no workloads); cumulative delivered = sum_t days_t x delivered_t
[PFLOP-days], undiscounted (the objective note says when the solver weighed it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

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

    @property
    def capex_musd(self) -> float:
        return self.units_capex_musd + self.infra_capex_musd


def _units_of(period: PeriodPlan) -> dict[str, int]:
    return {change.option: change.units for change in period.added}


def _equipment_counts(period: PeriodPlan) -> dict[tuple[str, str, str], tuple[int, float]]:
    """(item, catalog id, scope) -> (count, price of one [USD]) of the period's plan."""
    counts: dict[tuple[str, str, str], tuple[int, float]] = {}
    for line in period.plan.equipment:
        if line.count <= 0:
            continue
        price = float(line.capex.m_as("USD")) / line.count
        counts[(line.item, line.catalog_id or "", line.scope)] = (line.count, price)
    costs = period.plan.costs
    if costs is not None:
        for name, value in (("halls", costs.capex_halls), ("porting", costs.capex_porting)):
            usd = float(value.m_as("USD"))
            if usd > 0:
                counts[(name, "", "")] = (1, usd)
    return counts


def period_money(inputs: RoadmapInputs, periods: list[PeriodPlan]) -> list[PeriodMoney]:
    """Capex and opex of each period (module docstring)."""
    built: dict[tuple[str, str, str], float] = defaultdict(float)  # most ever built, in USD terms
    money: list[PeriodMoney] = []
    for period in periods:
        inp = inputs.periods[period.index]
        figures = PeriodMoney()
        for key, units in sorted(_units_of(period).items()):
            usd = inp.unit_capex_usd.get(key, 0.0) * units
            figures.units_by_option[key] = usd / 1e6
            figures.units_capex_musd += usd / 1e6
        for line, (count, price) in sorted(_equipment_counts(period).items()):
            usd = count * price
            if usd > built[line]:
                figures.infra_capex_musd += (usd - built[line]) / 1e6
                built[line] = usd
        if period.plan.costs is not None:
            figures.opex_musd = inp.years * float(period.plan.costs.annual_opex.m_as("USD")) / 1e6
        money.append(figures)
    return money


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
    """The plan's delivered PFLOPS: its workloads' sum, else its peak."""
    if period.plan.workloads:
        return sum(w.delivered_pflops for w in period.plan.workloads)
    return peak_pflops(period)


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
            )
        )
    return points


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
