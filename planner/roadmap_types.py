"""The plain-float hand-over between a roadmap scenario and the time-expanded model (issue 14).

``planner.roadmap_inputs.roadmap_inputs(scenario, catalog)`` produces a ``RoadmapInputs``;
``planner.roadmap_model.build_roadmap`` reads nothing else. One single-period ``ModelData``
per period carries that period's physics and limits (site utility power, workload demand,
cloud quota and price); the roadmap adds what links periods: stock, life, lead times,
availability dates, budgets and prices over time.

Units: MUSD for money, years and hours for time, as the names say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dcplan.planner.modeldata import ModelData

#: the roadmap objectives ([roadmap] objective)
ROADMAP_OBJECTIVES = ("max-cumulative-delivered", "min-npv-tco")

#: equipment classes whose builds wait for their lead time, and the block column each counts
#: (planner.matrix names): an increment of the column in period t needs an order in
#: period t - lead_periods[class]
LEAD_TIME_COLUMNS: dict[str, str] = {
    "distribution-transformer": "xfmr_n",
    "ups": "ups_n",
    "generator": "gen_n",
}


@dataclass(frozen=True)
class PeriodInput:
    """One period of the roadmap, with its single-period model data.

    Every period's ``data`` lists the same options, clouds, halls and sites in the same
    order (an option not yet available is present, with ``installable`` saying it may hold
    no units), so a key means the same thing in every period.
    """

    index: int
    label: str  # "2027Q3" (quarters) or "2027" (years)
    start: date
    years_from_start: float  # [y] roadmap start to this period's start
    years: float  # [y] length of the period
    hours: float  # [h] length of the period
    data: ModelData  # this period's limits and demands; its scenario has no budget or objective of its own
    installable: frozenset[str]  # option keys that may hold units (available_from <= period start)
    purchasable: frozenset[str]  # option keys that may be added (installable and before available_until)
    unit_capex_usd: dict[str, float]  # option key -> capex [USD] of one unit bought in this period
    halls_ready: frozenset[str]  # halls whose shell and fit-out are done by this period's start
    capex_budget_musd: float | None = None  # capex spent in this period [MUSD]
    allocation_caps: dict[str, int] = field(default_factory=dict)  # system id -> most units added
    energised_note: str | None = None  # e.g. "utility step to 100 MW expected 2027Q2-2028Q2"


@dataclass(frozen=True)
class Ordered:
    """Equipment ordered before the roadmap starts: ``count`` more of ``column`` may exist
    from period ``delivered`` on without waiting for its lead time."""

    equipment: str  # a LEAD_TIME_COLUMNS class
    owner: str  # hall id (transformer, ups) or site id (generator)
    count: int
    delivered: int  # period index


@dataclass(frozen=True)
class RoadmapInputs:
    """Everything ``build_roadmap`` needs, as plain floats."""

    scenario: Any  # the validated roadmap Scenario (echoed in the plan)
    periods: list[PeriodInput]
    objective: str  # one of ROADMAP_OBJECTIVES
    discount_rate: float  # per year
    discount_delivered: bool  # max-cumulative-delivered: weigh period t by the discount factor
    it_life_years: dict[str, float]  # option key -> IT life [y]
    facility_life_years: float  # buildings, electrical and cooling plant [y] (residual value)
    lead_periods: dict[str, int]  # LEAD_TIME_COLUMNS class -> whole periods from order to delivery
    ordered: list[Ordered] = field(default_factory=list)
    total_capex_budget_musd: float | None = None
    #: extensions (NVLink Fusion slots, density classes, cloud terms, AI Factory, switch
    #: trays): name -> that extension's own input object (planner.roadmap_slots etc.)
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def period_years(self) -> float:
        return self.periods[0].years

    @property
    def horizon_years(self) -> float:
        """[y] from the roadmap start to the end of its last period."""
        last = self.periods[-1]
        return last.years_from_start + last.years

    def discount_factor(self, years: float) -> float:
        """``(1 + r)^-y``: the present value of 1 USD paid ``years`` after the roadmap start."""
        return float((1.0 + self.discount_rate) ** -years)
