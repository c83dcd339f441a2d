"""RoadmapPlan: the result of a roadmap solve, a CapacityPlan per period plus the timeline.

A roadmap plan file is JSON with ``"kind": "roadmap"``; a single-period plan file has no
``kind`` (or ``"single"``). Money in USD as ``{"value", "unit"}`` like CapacityPlan;
timeline figures are plain floats whose names carry their units.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from dcplan.planner.plan import (
    CapacityPlan,
    Diagnosis,
    Recheck,
    SolverInfo,
    _Model,
    load_plan,
)

ROADMAP_SCHEMA_VERSION = "1.0"


class UnitChange(_Model):
    """Units of one option (row template x system x cooling) added or retired in a period."""

    option: str
    system: str
    family: str
    row: str
    hall: str
    units: int
    why: str = Field(default="", description="retired: 'end of life' | 'refresh' | 'early'")


class Order(_Model):
    """Long-lead equipment: ordered in one period to arrive in a later one."""

    equipment: str = Field(description="lead-time class, e.g. 'distribution-transformer'")
    owner: str = Field(description="hall or site id")
    count: int
    ordered: str = Field(description="period label of the order ('before start' when pre-ordered)")
    delivered: str = Field(description="period label of delivery (first use)")
    lead_time_periods: int


class TimelinePoint(_Model):
    """One period of the timeline: power, units, money and compute."""

    period: str
    energised_mw: float = Field(description="utility power available at the sites")
    used_mw: float = Field(description="facility design power of the installed fleet")
    stranded_mw: float = Field(description="energised_mw - used_mw")
    units_by_generation: dict[str, int] = Field(description="system family -> installed units")
    units_by_system: dict[str, int]
    cloud_units: dict[str, int] = Field(default_factory=dict, description="cloud offer -> rented units")
    capex_musd: float
    opex_musd: float
    cash_flow_musd: float = Field(description="-(capex + opex) of the period")
    cumulative_cash_musd: float
    discount_factor: float
    delivered_pflops: float
    peak_pflops: float
    energised_note: str | None = None
    #: [[onsite_power]] (planner.roadmap_timeline.with_onsite_columns): 0 without one
    onsite_gensets: int = Field(default=0, description="gensets standing at the sites (built, kept)")
    onsite_mw: float = Field(default=0.0, description="usable MW of those gensets")
    onsite_generated_mwh: float = Field(default=0.0, description="energy they generate over the period")
    onsite_fuel_mwh: float = Field(default=0.0, description="fuel burnt over the period")
    onsite_co2_t: float = Field(default=0.0, description="CO2 of that fuel over the period")
    # the placed fabric and the swing mitigation (issue 15, per period: planner.roadmap_timeline)
    network_racks: int = Field(default=0, description="network and storage racks placed at the rows' ends")
    network_kw: float = Field(default=0.0, description="IT kW at those racks")
    battery_mw: float = Field(default=0.0, description="facility battery power bought for swing smoothing")
    battery_mwh: float = Field(default=0.0, description="its energy")
    floor_mw: float = Field(default=0.0, description="job-level power floor held")


class PeriodPlan(_Model):
    """A period's plan: the single-period plan of its stock, and what changed."""

    index: int
    period: str
    start: str = Field(description="ISO date of the period's first day")
    plan: CapacityPlan
    added: list[UnitChange] = Field(default_factory=list)
    retired: list[UnitChange] = Field(default_factory=list)


class RoadmapPlan(_Model):
    """A solved (or diagnosed) roadmap."""

    kind: Literal["roadmap"] = "roadmap"
    schema_version: str = ROADMAP_SCHEMA_VERSION
    scenario_id: str
    scenario_name: str
    scenario: dict[str, Any] = Field(description="the validated roadmap scenario, echoed")
    objective: str
    objective_note: str = Field(description="what the objective sums, discounted or not, and the residual rule")
    period_length: Literal["quarter", "year"]
    periods: list[PeriodPlan]
    timeline: list[TimelinePoint]
    orders: list[Order]
    cumulative_delivered_pflop_days: float
    npv_tco_musd: float
    residual_value_musd: float
    solver: SolverInfo
    diagnosis: Diagnosis
    notes: list[str] = Field(default_factory=list, description="assumptions and what-if switches in force")
    recheck: Recheck = Field(
        default_factory=lambda: Recheck(ok=True, checked=0),
        description="the roadmap-level re-check (stock, life, availability, allocation, halls ready, lead "
        "times, budgets) with every period's own re-check folded in",
    )

    @property
    def feasible(self) -> bool:
        return self.diagnosis.feasible

    def to_json_text(self, pretty: bool = False) -> str:
        return self.model_dump_json(indent=1 if pretty else None) + "\n"


def load_any_plan(path: Path | str) -> CapacityPlan | RoadmapPlan:
    """A plan file of either kind (``planner.plan.load_plan``, under the name that says so)."""
    return load_plan(path)


def roadmap_json_schema() -> dict[str, Any]:
    """The roadmap plan's JSON Schema (its own $id beside the capacity plan's)."""
    identity = {"$id": "https://dcplan.dev/schema/roadmap-plan.json", "title": "dcplan roadmap plan"}
    return {**RoadmapPlan.model_json_schema(mode="serialization"), **identity}
