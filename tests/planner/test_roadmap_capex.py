"""The plan's capex per period is the solver's (planner.roadmap_timeline.row_infrastructure_musd):
busway and rack PDUs are charged per row template, built once for the dearest system the
template may host, from the layout's rows and racks, as planner.roadmap_families charges
rows_built / racks_built. Before, the plan priced them from its "all rows" equipment lines
and disagreed by up to 1.2 % a period on tests/data/roadmap/small.toml, so a binding
period budget could fail the roadmap re-check.
"""

from __future__ import annotations

import tomllib
from typing import Any

import numpy as np
import pytest

from dcplan.planner.pipeline import PlanOptions
from dcplan.planner.roadmap_pipeline import plan_roadmap
from dcplan.planner.scenario import parse_scenario
from dcplan.planner.solve import SolveSettings
from tests.planner.conftest import HANDCAT

SMALL = HANDCAT.parent / "roadmap" / "small.toml"


def _solved(raw: dict[str, Any], catalog: Any) -> tuple[Any, Any]:
    """(the RoadmapPlan, the solver's RoadmapOutcome) of a small.toml variant."""
    from dcplan.planner import roadmap_solve

    seen: dict[str, Any] = {}
    solve = roadmap_solve.solve_roadmap

    def spy(inputs: Any, settings: Any) -> Any:
        seen["outcome"] = solve(inputs, settings)
        return seen["outcome"]

    options = PlanOptions(settings=SolveSettings(time_limit_s=60.0, process="in-process"), marginals=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(roadmap_solve, "solve_roadmap", spy)
        plan = plan_roadmap(parse_scenario(raw), catalog, options)
    return plan, seen["outcome"]


@pytest.mark.parametrize(("period", "budget_musd"), [("2027Q3", 200.0), ("2026Q4", 200.0)])
def test_plan_and_solver_capex_agree_at_a_binding_period_budget(catalog: Any, period: str, budget_musd: float) -> None:
    """2027Q3 spends 213 MUSD unconstrained, 2026Q4 248: at 200 the solver builds UPS
    modules, generators and rows a period AHEAD of their load to stay within the budget.
    The plan counts them from the period the solve has them (infrastructure_built), so its
    capex is the solver's, the budget binds in both and the roadmap re-check passes (it
    failed before: the plan put the pre-built equipment in the period of its load)."""
    raw = tomllib.loads(SMALL.read_text(encoding="utf-8"))
    raw["period_budget"].append({"period": period, "capex": f"{budget_musd * 1e6:g} USD"})
    plan, outcome = _solved(raw, catalog)
    assert outcome.status == "optimal"
    t = next(p.index for p in plan.periods if p.period == period)
    assert outcome.capex_musd[t] == pytest.approx(budget_musd, rel=1e-3)  # the budget binds
    planned = [point.capex_musd for point in plan.timeline]
    np.testing.assert_allclose(planned, outcome.capex_musd, rtol=1e-9, atol=1e-9)
    assert planned[t] <= budget_musd * (1 + 1e-6)
    assert plan.recheck.ok, plan.recheck.violations


def test_the_unconstrained_small_roadmap_agrees_too(catalog: Any) -> None:
    """Every period of small.toml (rows refreshed from GB300 to Vera Rubin, a second hall,
    a template whose racks change system): the same capex as the solver's."""
    plan, outcome = _solved(tomllib.loads(SMALL.read_text(encoding="utf-8")), catalog)
    np.testing.assert_allclose([p.capex_musd for p in plan.timeline], outcome.capex_musd, rtol=1e-9, atol=1e-9)
    assert plan.recheck.ok
