"""Marginal values per period by incremental MIP re-solves of the roadmap
(planner.roadmap_resolve, through planner.roadmap_marginals and the pipeline).

Hand case (tests/planner/test_roadmap_model.py): 1 MW holds 10 beta (100 kW, 200 PFLOPS),
one row of 20 positions, quarters of 91.25 days, delivered work undiscounted. +1 MW of
utility power in period t only holds 10 more beta in t: 10 x 200 PFLOPS x 91.25 days =
182,500 PFLOP-days of cumulative delivered work (units bought in t may retire after it).
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from typing import Any

import pytest

from dcplan.planner.pipeline import PlanOptions
from dcplan.planner.roadmap_marginals import roadmap_duals
from dcplan.planner.roadmap_pipeline import plan_roadmap
from dcplan.planner.roadmap_resolve import binding_rows, resolve_limits
from dcplan.planner.roadmap_solve import solve_roadmap
from dcplan.planner.scenario import parse_scenario
from dcplan.planner.solve import SolveSettings
from tests.planner.conftest import HANDCAT
from tests.planner.test_roadmap_model import roadmap, site_data

SETTINGS = SolveSettings(time_limit_s=30.0, rel_gap=1e-9, process="in-process")
STEP_WORK = 10 * 200.0 * 91.25  # PFLOP-days


@pytest.fixture(scope="module")
def hand(ideal_catalog: Any) -> Any:
    outcome = solve_roadmap(roadmap(site_data(ideal_catalog, 1, candidate=[{"system": "beta"}]), 3), SETTINGS)
    assert outcome.status == "optimal"
    return outcome


def test_one_more_mw_in_one_period_is_ten_more_units_there(hand: Any) -> None:
    resolves = resolve_limits(hand, SETTINGS, 10.0, {})
    for t in range(3):
        key = ("site_utility_power", (t, "cold-aws"))
        assert key in resolves.targets
        assert resolves.by_row[key].value == pytest.approx(STEP_WORK, rel=1e-9), resolves.by_row[key]
        assert resolves.by_row[key].method == "re-solve"


def test_only_rows_at_their_bound_are_re_solved(hand: Any) -> None:
    import numpy as np

    rows = binding_rows(hand.model, np.asarray(hand.col_value), {"site_utility_power", "hall_area"})
    assert {hand.model.rows[i][0] for i in rows} == {"site_utility_power"}  # the hall's area is not full


def test_min_npv_tco_values_are_npv_saved(ideal_catalog: Any) -> None:
    """A demand floor of 10 beta a period met at 1 MW; the site limit binds but a step of it
    saves nothing (the floor is already met): the re-solve's change is 0 with exact runs."""
    data = site_data(ideal_catalog, 1, candidate=[{"system": "beta", "min_units": 10}])
    outcome = solve_roadmap(roadmap(data, 2, objective="min-npv-tco"), SETTINGS)
    resolves = resolve_limits(outcome, SETTINGS, 10.0, {})
    values = [r.value for r in resolves.by_row.values()]
    assert values and all(v == pytest.approx(0.0, abs=1e-6) for v in values)


def test_a_budget_too_small_keeps_the_estimates_and_says_why(hand: Any) -> None:
    duals = roadmap_duals(hand, "max-cumulative-delivered", 0.01, SETTINGS)
    assert duals.resolves is not None and not duals.resolves.by_row
    assert "no time left" in duals.resolves.why_none


def test_a_stop_before_the_first_run_re_solves_nothing(hand: Any) -> None:
    resolves = resolve_limits(hand, SETTINGS, 10.0, {}, stop=lambda: True)
    assert resolves.targets and not resolves.by_row


def test_every_binding_limit_of_every_period_has_a_value_or_a_reason(catalog: Any) -> None:
    """small.toml through the pipeline (default settings: the child process): each binding
    limit says re-solve, LP estimate or "not valued: <reason>", and the re-solved ones name
    the period and the meaning."""
    raw = tomllib.loads((HANDCAT.parent / "roadmap" / "small.toml").read_text(encoding="utf-8"))
    options = PlanOptions(settings=replace(SolveSettings(), time_limit_s=30.0), marginal_budget_s=3.0)
    plan = plan_roadmap(parse_scenario(raw), catalog, options)
    binding = [(p.period, u) for p in plan.periods for u in p.plan.limits if u.binding]
    assert binding
    for period, use in binding:
        text = use.marginal_text or ""
        if use.marginal_method is None:
            assert text.startswith("not valued: "), (period, use.limit, text)
        else:
            assert use.marginal is not None and f" in {period} = " in text, (period, use.limit, text)
            assert use.marginal_method in ("re-solve", "LP estimate") and use.marginal_note
            if use.marginal_method == "LP estimate":
                assert "re-solve" in use.marginal_note or "not re-solved" in use.marginal_note


def test_a_limit_within_the_plans_gap_is_not_re_solved(hand: Any) -> None:
    """A plan 547,500 PFLOP-days from its bound (a 100 % gap): a step worth about 182,500
    could not be told from noise, so it is not re-solved and keeps its LP estimate, saying why."""
    loose = replace(hand, bound=hand.objective * 2.0)
    duals = roadmap_duals(loose, "max-cumulative-delivered", 10.0, SETTINGS)
    assert duals.resolves is not None and not duals.resolves.by_row
    assert set(duals.resolves.within_gap) == duals.resolves.targets
    key = ("site_utility_power", (0, "cold-aws"))
    _, why = duals._resolved(key)
    assert why.startswith("not re-solved: a change this small is within the plan's own gap (±")
