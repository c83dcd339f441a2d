"""Solver figures as text, shared by the Optimise and Plan screens (presentation only).

One format for the gap on both screens, so the gap the Optimise screen ends on is the
plan's gap as the Plan screen shows it.
"""

from __future__ import annotations


def gap_text(gap: float | None) -> str:
    """A relative gap as a percentage with three decimals ("0.034%"), "-" when unknown."""
    return "-" if gap is None else f"{gap:.3%}"


# objectives whose MIP value is compute (PFLOPS), not money: min-time-to-train maximises the
# delivered PFLOPS of its target workload (its time is the budget over that rate)
COMPUTE_OBJECTIVES = ("max-compute", "max-delivered", "min-time-to-train", "max-cumulative-delivered")


def objective_unit(objective: str, precision: str) -> str:
    """The unit of the MIP objective: max-compute is peak PFLOPS at the scenario's precision
    (less a tie-break of a few millionths of TCO), max-delivered delivered PFLOPS of all
    workloads, min-time-to-train delivered PFLOPS of its target, min-cost-per-delivered the
    plan's TCO per delivered PFLOP-day (planner/ratio.py reports the best ratio and its proven
    bound after each of its solves), min-tco TCO in millions of USD; a roadmap's
    max-cumulative-delivered the delivered PFLOP-days summed over its periods, min-npv-tco
    the NPV of TCO over the horizon in millions of USD."""
    if objective == "max-compute":
        return f"PFLOPS {precision}"
    if objective == "max-delivered":
        return "PFLOPS delivered"
    if objective == "min-time-to-train":
        return "PFLOPS delivered to the target"
    if objective == "min-cost-per-delivered":
        return "USD per PFLOP-day"
    if objective == "max-cumulative-delivered":
        return "PFLOP-days delivered"
    if objective == "min-npv-tco":
        return "M USD NPV"
    return "M USD"


def objective_text(value: float | None, objective: str, precision: str) -> str:
    """An objective value with its unit: "184,320 PFLOPS fp8", "79,528 PFLOPS delivered",
    "1,234.5 M USD"; "-" when unknown."""
    if value is None:
        return "-"
    number = (
        f"{value:,.0f}"
        if objective in COMPUTE_OBJECTIVES
        else f"{value:,.2f}"
        if objective == "min-cost-per-delivered"
        else f"{value:,.1f}"
    )
    return f"{number} {objective_unit(objective, precision)}"
