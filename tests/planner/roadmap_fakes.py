"""A roadmap outcome built from single-period solves, for the output tests.

Each period is the hand-checkable scenario (tests/planner/conftest.py) at its own utility
power, solved on its own; the roadmap's linking values are the stock's increases and
decreases (or what the test gives). This stands in for planner.roadmap_solve in tests of the
output side: it exercises evaluate / recheck / build_plan per period, the layout
continuity, the timeline and the roadmap re-check on real single-period plans.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from dcplan.models.catalog import Catalog
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.roadmap_types import Ordered, PeriodInput, RoadmapInputs
from dcplan.planner.solve import SolveOutcome, SolveSettings, solve_model_data
from tests.planner.conftest import scenario

QUARTER_HOURS = 0.25 * 8766.0


@dataclass
class FakeRoadmapOutcome:
    """The attributes planner.roadmap_pipeline.assemble_roadmap reads (DESIGN14 RoadmapOutcome)."""

    status: str
    periods: list[SolveOutcome]
    linking: dict[str, dict[tuple, float]] = field(default_factory=dict)
    objective: float | None = 1.0
    bound: float | None = 1.0
    gap: float | None = 0.0
    build_s: float = 0.0
    handover_s: float = 0.0
    solve_s: float = 0.0
    termination: str = "Optimal"
    highs_settings: dict[str, Any] = field(default_factory=dict)


def period_scenario(power_mw: float) -> Any:
    return scenario(site=[{"id": "cold-aws", "utility_power": f"{power_mw:g} MW"}])


def inputs_for(
    datas: list[Any],
    *,
    it_life_years: float = 5.0,
    lead_periods: dict[str, int] | None = None,
    ordered: list[Ordered] | None = None,
    budgets_musd: list[float | None] | None = None,
    objective: str = "max-cumulative-delivered",
) -> RoadmapInputs:
    """RoadmapInputs of quarterly periods from 2026Q1, period t's limits those of ``datas[t]``."""
    periods: list[PeriodInput] = []
    for t, data in enumerate(datas):
        keys = frozenset(o.key for o in data.options)
        periods.append(
            PeriodInput(
                index=t,
                label=f"{2026 + t // 4}Q{t % 4 + 1}",
                start=date(2026 + t // 4, 3 * (t % 4) + 1, 1),
                years_from_start=0.25 * t,
                years=0.25,
                hours=QUARTER_HOURS,
                data=data,
                installable=keys,
                purchasable=keys,
                unit_capex_usd={o.key: o.capex_per_unit_usd for o in data.options},
                halls_ready=frozenset(data.halls),
                capex_budget_musd=(budgets_musd or [None] * len(datas))[t],
            )
        )
    return RoadmapInputs(
        scenario=datas[0].scenario,
        periods=periods,
        objective=objective,
        discount_rate=0.08,
        discount_delivered=False,
        it_life_years={o.key: it_life_years for o in datas[0].options},
        facility_life_years=15.0,
        lead_periods=lead_periods or {},
        ordered=ordered or [],
    )


def roadmap(
    catalog: Catalog,
    powers_mw: list[float],
    linking: dict[str, dict[tuple, float]] | None = None,
    **fields: Any,
) -> tuple[RoadmapInputs, FakeRoadmapOutcome]:
    """Inputs and outcome of a quarterly roadmap whose period t has ``powers_mw[t]`` of
    utility power, each period solved on its own; ``fields``: those of ``inputs_for``."""
    datas = [build_model_data(period_scenario(power), catalog) for power in powers_mw]
    outcomes = [solve_model_data(data, SolveSettings(process="in-process", rel_gap=1e-9)) for data in datas]
    return inputs_for(datas, **fields), FakeRoadmapOutcome(status="optimal", periods=outcomes, linking=linking or {})


def with_status(outcome: FakeRoadmapOutcome, status: str) -> FakeRoadmapOutcome:
    """The same outcome without a plan (``status`` infeasible or no plan within the limit)."""
    return replace(outcome, status=status, periods=[], objective=None, bound=None, gap=None)
