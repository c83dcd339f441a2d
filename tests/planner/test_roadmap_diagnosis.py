"""Why a roadmap has no plan (planner/roadmap_diagnosis.py), on hand-derived roadmaps of the
hand catalog (beta: 3 MUSD, 100 kW, 100 kVA a unit; a hall transformer 3,000 kVA; two rows
of 8): a floor of n beta in a period is a [[candidate]] minimum there."""

from __future__ import annotations

from typing import Any

import pytest

from dcplan.planner.roadmap_diagnosis import available_data, block_status, diagnose_roadmap
from dcplan.planner.roadmap_formulation import solve_roadmap_formulation
from dcplan.planner.roadmap_solve import solve_roadmap
from dcplan.planner.roadmap_types import PeriodInput
from tests.planner.test_roadmap_formulation import BETA, SETTINGS, period_data, roadmap


def floor(catalog: Any, n: int) -> Any:
    return period_data(catalog, candidate=[{"system": "beta", "min_units": n}])


def diagnosed(catalog: Any, inputs: Any) -> Any:
    # the premise: the roadmap has no plan, in the Pyomo model and in the production solve
    assert solve_roadmap_formulation(inputs, SETTINGS).status == "infeasible"
    assert solve_roadmap(inputs, SETTINGS).status == "infeasible"
    return diagnose_roadmap(catalog, inputs, SETTINGS)


def limits(diagnosis: Any) -> set[str]:
    return {r.limit for r in diagnosis.relaxations}


def test_the_first_period_with_no_plan_of_its_own_gets_the_single_period_diagnosis(ideal_catalog):
    """4 beta asked in period 1 (2026Q2) while beta is not installable before period 2: the
    block of 2026Q2 alone has no plan; its diagnosis names the period, what is unavailable
    and the single-period relaxation (lower the minimum by 4 units)."""
    free, four = period_data(ideal_catalog), floor(ideal_catalog, 4)
    inputs = roadmap([free, four, four], installable=[frozenset(), frozenset(), frozenset({BETA})])
    d = diagnosed(ideal_catalog, inputs)
    assert not d.feasible
    assert d.summary.startswith("in 2026Q2 (the first period with no plan of its own; not yet available: beta)")
    assert "beta: lower the minimum by 4 units" in d.summary
    (minimum,) = [r for r in d.relaxations if r.limit == "minimum units"]
    assert minimum.scope == "2026Q2: beta" and minimum.amount == pytest.approx(4)


def test_a_hall_not_ready_is_named(ideal_catalog):
    inputs = roadmap([floor(ideal_catalog, 2)] * 2, halls_ready=[frozenset(), frozenset({"h1"})])
    d = diagnosed(ideal_catalog, inputs)
    assert d.summary.startswith("in 2026Q1 (the first period with no plan of its own; hall not ready: h1)")


def test_a_period_budget_short_by_what_the_floor_costs(ideal_catalog):
    """12 beta in period 0 cost 36 MUSD against a 30 MUSD budget: short by 6.0 MUSD, and no
    other linking family helps (every period alone has a plan)."""
    inputs = roadmap([floor(ideal_catalog, 12)] * 2, capex_budget_musd=[30.0, None])
    d = diagnosed(ideal_catalog, inputs)
    assert d.summary.startswith("every period has a plan on its own, but the roadmap has none: relax capex budgets")
    assert "capex budget of 2026Q1 short by 6.0 MUSD" in d.summary
    assert limits(d) == {"capex budgets"}
    (budget,) = d.relaxations
    assert budget.amount == pytest.approx(6.0) and budget.scope == "2026Q1" and budget.unit == "MUSD"


def test_a_total_budget(ideal_catalog):
    """4 beta (12 MUSD) against 10 MUSD over the horizon: total short by 2.0 MUSD."""
    d = diagnosed(ideal_catalog, roadmap([floor(ideal_catalog, 4)] * 2, total_capex_budget_musd=10.0))
    assert "total capex budget short by 2.0 MUSD" in d.summary and limits(d) == {"capex budgets"}


def test_a_transformer_lead_time(ideal_catalog):
    """4 beta (400 kVA) in every period with a two-period transformer lead time and nothing
    on order: one transformer more is needed in each of 2026Q1 and 2026Q2 (periods 0 and 1
    come before anything ordered at the start can arrive)."""
    inputs = roadmap([floor(ideal_catalog, 4)] * 3, lead_periods={"distribution-transformer": 2})
    d = diagnosed(ideal_catalog, inputs)
    assert "h1: 1 more distribution-transformer needed in 2026Q1, before its lead time of 2 periods" in d.summary
    assert limits(d) == {"equipment lead times"}
    assert "h1: 1 more distribution-transformer needed in 2026Q2" in d.summary
    assert {r.scope for r in d.relaxations} == {"2026Q1: h1", "2026Q2: h1"}


def test_an_allocation_cap(ideal_catalog):
    """8 beta asked in period 0 with 5 allocated: short by 3 units."""
    inputs = roadmap([floor(ideal_catalog, 8)] * 2, allocation_caps=[{"beta": 5}, {"beta": 5}])
    d = diagnosed(ideal_catalog, inputs)
    assert "beta: allocation of 5 in 2026Q1 short by 3 units" in d.summary
    assert limits(d) == {"vendor allocation caps"}


def test_end_of_life_without_a_way_to_refresh_names_both_ways_out(ideal_catalog):
    """4 beta in every period, an IT life of one quarter, beta purchasable in period 0 only:
    either let the 4 serve past their life in 2026Q2 and 2026Q3, or buy 4 in each of those
    periods outside the purchase window."""
    four = floor(ideal_catalog, 4)
    purchasable = [frozenset({BETA}), frozenset(), frozenset()]
    inputs = roadmap([four] * 3, it_life_years={BETA: 0.25}, purchasable=purchasable)
    d = diagnosed(ideal_catalog, inputs)
    assert limits(d) == {
        "IT life (end-of-life retirement)",
        "purchase windows (available_from / available_until, zero allocations)",
    }
    assert f"{BETA}: 4 units would serve past their IT life (0.25 y) in 2026Q2" in d.summary
    assert f"{BETA}: buy 4 units in 2026Q3, outside its purchase window" in d.summary
    life = [r for r in d.relaxations if r.limit.startswith("IT life")]
    assert sum(r.amount for r in life) == pytest.approx(8)


def test_only_together(ideal_catalog):
    """8 beta in period 0, 5 allocated, 18 MUSD (6 beta): neither the cap (5 < 8) nor the
    budget alone restores a plan; together: 3 more units and 6.0 MUSD more."""
    inputs = roadmap(
        [floor(ideal_catalog, 8)] * 2, allocation_caps=[{"beta": 5}, {"beta": 5}], capex_budget_musd=[18.0, None]
    )
    d = diagnosed(ideal_catalog, inputs)
    assert "no single linking family restores it, relaxing these together does" in d.summary
    assert "beta: allocation of 5 in 2026Q1 short by 3 units" in d.summary
    assert "capex budget of 2026Q1 short by 6.0 MUSD" in d.summary


def test_a_feasible_roadmap_is_said_to_be_feasible(ideal_catalog):
    """Called on a roadmap that has a plan (a caller's mistake), it says so instead of
    inventing a relaxation."""
    inputs = roadmap([floor(ideal_catalog, 4)] * 2, capex_budget_musd=[30.0, 30.0])
    d = diagnose_roadmap(ideal_catalog, inputs, SETTINGS)
    assert d.feasible and d.relaxations == []


def test_available_data_closes_what_is_unavailable(ideal_catalog):
    data = period_data(ideal_catalog, candidates=("alpha", "beta"))
    period = roadmap([data], installable=[frozenset({BETA})]).periods[0]
    closed, notes = available_data(period)
    assert {o.key: o.rows_available for o in closed.options} == {"r1/alpha/ideal-dlc": 0, BETA: 2}
    assert notes == ["not yet available: alpha"]
    assert block_status(closed, SETTINGS) == "feasible"
    asks = floor(ideal_catalog, 1)
    shut = PeriodInput(**{**period.__dict__, "data": asks, "installable": frozenset()})
    assert block_status(available_data(shut)[0], SETTINGS) == "infeasible"
