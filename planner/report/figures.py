"""Key figures of a plan (summary, solver, costs, energy) and the breakdowns its charts draw.

Values are plain Python numbers taken from the plan; the only arithmetic is summing, unit
conversion and the design-day power remainder ("misc").
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from dcplan.planner.plan import CapacityPlan
from dcplan.planner.report.cells import Figure, as_usd
from dcplan.planner.report.quantity import prose_units, termination_text

CAPEX_CATEGORIES = (
    ("IT", "capex_it"),
    ("electrical", "capex_electrical"),
    ("cooling", "capex_cooling"),
    ("building", "capex_building"),
    ("halls", "capex_halls"),
)


def porting_figures(costs: Any) -> list[Figure]:
    """The [[porting]] capex, shown only by plans that pay some (plans without keep their figures)."""
    usd = as_usd(costs.capex_porting)
    return [Figure("capex", "porting", usd, "USD", kind="usd")] if usd else []


def summary_figures(plan: CapacityPlan) -> list[Figure]:
    s = plan.solver
    out = [
        Figure("plan", "scenario", plan.scenario_name, kind="text"),
        Figure("plan", "scenario id", plan.scenario_id, kind="text"),
        Figure("plan", "objective", plan.objective, kind="text"),
        Figure("plan", "precision", plan.precision, kind="text"),
        Figure("plan", "provisioning basis", plan.provisioning_basis, kind="text"),
        *(
            [Figure("plan", "quick-estimate inputs", plan.quick_estimate_bases, kind="text")]
            if plan.quick_estimate_bases
            else []
        ),
        Figure("plan", "feasible", plan.feasible, kind="bool"),
        Figure("plan", "solver status", s.status, kind="text"),
        Figure("plan", "MIP gap", s.gap, kind="ratio", decimals=3),
        Figure("plan", "re-check passed", plan.recheck.ok, kind="bool"),
        Figure("plan", "re-checks", plan.recheck.checked, kind="int"),
        Figure("plan", "plan schema version", plan.schema_version, kind="text"),
        Figure(
            "mix",
            "peak dense compute",
            float(plan.compute_total.m_as("PFLOPS")),
            f"PFLOPS {plan.precision}",
            decimals=0,
        ),
        *(
            [Figure("mix", "delivered compute (workloads)", sum(w.delivered_pflops for w in plan.workloads), "PFLOPS")]
            if plan.workloads
            else []
        ),
        Figure("mix", "systems (units)", sum(m.units for m in plan.mix), kind="int"),
        Figure("mix", "chips", sum(m.chips for m in plan.mix), kind="int"),
        Figure("mix", "racks", sum(m.racks for m in plan.mix), kind="int"),
        Figure("mix", "rows used", len(plan.rows), kind="int"),
        Figure("mix", "halls built", sum(1 for h in plan.halls if h.built), kind="int"),
    ]
    if plan.energy is not None:
        e = plan.energy
        out += [
            Figure("power", "IT power provisioned", float(e.it_power_provisioned.m_as("MW")), "MW", decimals=2),
            Figure("power", "facility power (design day)", float(e.facility_power_design.m_as("MW")), "MW", decimals=2),
            Figure("power", "PUE (design day)", e.pue_design, decimals=3),
            Figure("power", "PUE (annual)", e.pue_annual, decimals=3),
        ]
    if plan.costs is not None:
        c = plan.costs
        out += [
            Figure("money", "capex", as_usd(c.capex_total), "USD", kind="usd"),
            Figure("money", "annual opex", as_usd(c.annual_opex), "USD/yr", kind="usd"),
            Figure("money", f"TCO ({c.tco_horizon_years:g} years)", as_usd(c.tco), "USD", kind="usd"),
        ]
    return out


def cost_figures(plan: CapacityPlan) -> list[Figure]:
    c = plan.costs
    if c is None:
        return []
    return [
        Figure("capex", "IT", as_usd(c.capex_it), "USD", kind="usd"),
        Figure("capex", "cooling", as_usd(c.capex_cooling), "USD", kind="usd"),
        Figure("capex", "electrical", as_usd(c.capex_electrical), "USD", kind="usd"),
        Figure("capex", "building", as_usd(c.capex_building), "USD", kind="usd"),
        Figure("capex", "optional halls", as_usd(c.capex_halls), "USD", kind="usd"),
        *porting_figures(c),
        Figure("capex", "capex total", as_usd(c.capex_total), "USD", kind="usd"),
        Figure("opex", "energy", as_usd(c.annual_energy_cost), "USD/yr", kind="usd"),
        Figure("opex", "cloud rental", as_usd(c.annual_cloud_cost), "USD/yr", kind="usd"),
        Figure("opex", "annual opex", as_usd(c.annual_opex), "USD/yr", kind="usd"),
        Figure("TCO", "TCO", as_usd(c.tco), "USD", kind="usd"),
        Figure("TCO", "horizon", c.tco_horizon_years, "years", decimals=0),
        Figure("TCO", "discount rate", c.discount_rate, kind="ratio"),
    ]


def power_breakdown_mw(plan: CapacityPlan) -> dict[str, float]:
    """Design-day facility power split: IT, cooling, electrical losses and the rest (misc)."""
    e = plan.energy
    if e is None:
        return {}
    it = float(e.it_power_provisioned.m_as("MW"))
    cooling = float(e.cooling_power_design.m_as("MW"))
    losses = float(e.electrical_losses_design.m_as("MW"))
    facility = float(e.facility_power_design.m_as("MW"))
    return {
        "IT": it,
        "cooling": cooling,
        "electrical losses": losses,
        "misc": max(0.0, facility - it - cooling - losses),
    }


def energy_figures(plan: CapacityPlan) -> list[Figure]:
    e = plan.energy
    if e is None:
        return []
    split = power_breakdown_mw(plan)
    return [
        Figure("power", "IT power provisioned", split["IT"], "MW", decimals=2),
        Figure("power", "IT power (annual average)", float(e.it_power_average.m_as("MW")), "MW", decimals=2),
        Figure("power", "cooling power (design day)", split["cooling"], "MW", decimals=2),
        Figure("power", "electrical losses (design day)", split["electrical losses"], "MW", decimals=2),
        Figure("power", "misc (remainder of facility power)", split["misc"], "MW", decimals=2),
        Figure("power", "facility power (design day)", float(e.facility_power_design.m_as("MW")), "MW", decimals=2),
        Figure(
            "power", "facility power (annual average)", float(e.facility_power_average.m_as("MW")), "MW", decimals=2
        ),
        Figure("power", "PUE (design day)", e.pue_design, decimals=3),
        Figure("power", "PUE (annual)", e.pue_annual, decimals=3),
        Figure("heat", "heat to liquid", float(e.heat_to_liquid.m_as("MW")), "MW", decimals=2),
        Figure("heat", "heat to air", float(e.heat_to_air.m_as("MW")), "MW", decimals=2),
        Figure("energy", "IT energy", float(e.it_energy.m_as("MWh")), "MWh/yr", decimals=0),
        Figure("energy", "facility energy", float(e.facility_energy.m_as("MWh")), "MWh/yr", decimals=0),
        Figure("carbon", "carbon", float(e.carbon.m_as("t")), "t CO2e/yr", decimals=0),
        Figure("water", "water", float(e.water.m_as("m**3")), "m3/yr", decimals=0),
        Figure("water", "WUE", e.wue, "L/kWh", decimals=3),
    ]


def heat_split_mw(plan: CapacityPlan) -> dict[str, float]:
    e = plan.energy
    if e is None:
        return {}
    return {"to liquid": float(e.heat_to_liquid.m_as("MW")), "to air": float(e.heat_to_air.m_as("MW"))}


def capex_breakdown_usd(plan: CapacityPlan) -> dict[str, float]:
    c = plan.costs
    if c is None:
        return {}
    return {name: as_usd(getattr(c, attr)) for name, attr in CAPEX_CATEGORIES}


def compute_by_family_pflops(plan: CapacityPlan) -> dict[str, dict[str, float]]:
    """PFLOPS per family, split by place (site or cloud offer)."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for line in plan.mix:
        out[line.family][line.place] += float(line.compute.m_as("PFLOPS"))
    return {family: dict(places) for family, places in sorted(out.items())}


def solver_figures(plan: CapacityPlan) -> list[Figure]:
    s = plan.solver
    ratio = []
    if s.ratio is not None:  # min-cost-per-delivered: the plan's ratio and the loop that found it
        from dcplan.planner.ratio import ratio_text

        ratio = [
            Figure("solver", "cost per delivered work", ratio_text(s.ratio), kind="text"),
            Figure("solver", "Dinkelbach solves", len(s.ratio.iterations), kind="int"),
        ]
    return [
        Figure("solver", "status", s.status, kind="text"),
        Figure("solver", "termination", termination_text(s.termination), kind="text"),
        Figure("solver", "objective", s.objective_name, kind="text"),
        *ratio,
        Figure("solver", "objective value", s.objective, decimals=3),
        Figure("solver", "best bound", s.bound, decimals=3),
        Figure("solver", "MIP gap", s.gap, kind="ratio", decimals=3),
        Figure("solver", "time limit", s.time_limit_s, "s", decimals=0),
        Figure("solver", "total time", s.total_s, "s", decimals=2),
        Figure("solver", "solve time", s.solve_s, "s", decimals=2),
        Figure("diagnosis", "feasible", plan.diagnosis.feasible, kind="bool"),
        Figure("diagnosis", "diagnosis", prose_units(plan.diagnosis.summary), kind="text"),
        Figure("re-check", "re-check passed", plan.recheck.ok, kind="bool"),
        Figure("re-check", "checks", plan.recheck.checked, kind="int"),
    ]
