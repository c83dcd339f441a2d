"""planner/marginals.py: a value or a reason for every binding limit, within the budget.

Re-solve values are checked against today's method (a cold solve of the relaxed scenario),
LP estimates against the LP itself, and the hostile paths (no budget, a re-solve that finds
no plan or reports the relaxation infeasible, noise within the gap, cancel) through a
session that wraps the in-process one.
"""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from typing import Any

import highspy
import numpy as np
import pytest

from dcplan.planner.evaluate import evaluate
from dcplan.planner.marginals import (
    ROW_FAMILIES,
    MarginalResult,
    Solved,
    base_columns,
    compute_per_column,
    fixed_halls_lp,
    marginal_values,
    relaxed_scenario,
)
from dcplan.planner.matrix import build_direct, tie_break_weight
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.recheck import limit_uses
from dcplan.planner.session import InProcessSession, RunResult
from dcplan.planner.solve import SolveSettings, solve_model_data
from tests.planner.conftest import scenario

EXACT = SolveSettings(time_limit_s=20, rel_gap=1e-9)
TWO_BINDING = {"header": {"budget": "10e6 USD"}, "share": [{"software": "cuda", "min": 0.5}]}
# 1.2 MW of utility (12 units): beta (2 PFLOPS/kW) would take it all; a 50 % cap on CUDA binds at 8 alpha + 4 beta
MAX_SHARE = {"site": [{"id": "cold-aws", "utility_power": "1.2 MW"}], "share": [{"software": "cuda", "max": 0.5}]}
# min-tco: 1,000 PFLOPS on 0.8 MW needs 2 beta (3 M USD each) beside 6 alpha (1 M USD); +1 MW: 10 alpha
MIN_TCO = {
    "header": {"objective": "min-tco"},
    "site": [{"id": "cold-aws", "utility_power": "0.8 MW"}],
    "workload": [{"id": "train", "demand": "1000 PFLOPS", "software": ["neuron", "cuda"]}],
}


class Plan:
    """A scenario solved once, with its limit uses: what marginal_values takes."""

    def __init__(self, scn: Any, catalog: Any, settings: SolveSettings = EXACT) -> None:
        self.scenario, self.catalog, self.settings = scn, catalog, settings
        self.data = build_model_data(scn, catalog)
        self.outcome = solve_model_data(self.data, settings)
        assert self.outcome.has_solution
        self.uses = limit_uses(catalog, self.data, evaluate(catalog, self.data, self.outcome), self.outcome)

    def values(self, budget_s: float = 10.0, **kw: Any) -> MarginalResult:
        solved = Solved(self.catalog, self.scenario, self.data, self.settings, self.outcome)
        return marginal_values(solved, self.uses, budget_s, **kw)

    def relaxable(self) -> list[Any]:
        return [u for u in self.uses if u.binding and relaxed_scenario(self.scenario, u) is not None]

    def cold_change(self, use: Any) -> tuple[float, float]:
        """Today's method: the relaxed scenario built and solved from scratch; (value, its absolute gap)."""
        relaxed = relaxed_scenario(self.scenario, use)
        assert relaxed is not None
        cold = solve_model_data(build_model_data(relaxed, self.catalog), self.settings)
        assert cold.objective is not None and cold.bound is not None
        if self.scenario.scenario.objective == "max-compute":
            value = (cold.compute_pflops or 0.0) - (self.outcome.compute_pflops or 0.0)
        elif self.scenario.scenario.objective == "max-delivered":
            # delivered PFLOPS - eps x TCO: the tie-break is under 1 % of one unit's delivered compute
            value = cold.objective - (self.outcome.objective or 0.0)
        else:
            value = (self.outcome.tco_musd or 0.0) - (cold.tco_musd or 0.0)
        return value, abs(cold.bound - cold.objective)


class Wrapped(InProcessSession):
    """The in-process session, recording runs; ``mip`` may replace what a MIP run returns."""

    def __init__(self, mip: Any = None, lp: Any = None) -> None:
        super().__init__()
        self.mip, self.lp = mip, lp
        self.is_mip = False
        self.relaxed_rows: list[int] = []
        self.runs = 0

    def load(self, lp: Any) -> None:
        super().load(lp)
        self.is_mip = any(v != highspy.HighsVarType.kContinuous for v in lp.integrality_)

    def change_row_bounds(self, row: int, lower: float, upper: float) -> None:
        if upper > float(self.highs.getLp().row_upper_[row]):
            self.relaxed_rows.append(row)
        super().change_row_bounds(row, lower, upper)

    def close(self) -> None:
        self.final_upper = np.asarray(self.highs.getLp().row_upper_)  # the bounds the session was left with
        super().close()

    def run(self, time_limit_s: float) -> RunResult:
        self.runs += 1
        result = super().run(time_limit_s)
        change = self.mip if self.is_mip else self.lp
        return change(result) if change is not None else result


def no_plan(result: RunResult) -> RunResult:
    return RunResult("time-limit", False, None, None, None, None, None, result.elapsed_s, "no plan")


def infeasible(result: RunResult) -> RunResult:
    return RunResult("infeasible", False, None, None, None, None, None, result.elapsed_s, "infeasible")


WITHIN_GAP = "not re-solved: a change this small is within the plan's own gap"


def valued_or_reasoned(uses: list[Any]) -> list[str]:
    """The binding limits that have neither a value (with its method and text) nor a reason."""
    bad = []
    for u in uses:
        if not u.binding:
            continue
        valued = u.marginal is not None and u.marginal_method in ("re-solve", "LP estimate") and u.marginal_text
        reasoned = (
            u.marginal is None and u.marginal_method is None and (u.marginal_text or "").startswith("not valued: ")
        )
        if not (valued or reasoned):
            bad.append(f"{u.limit} ({u.scope}): {u.marginal!r} {u.marginal_method!r} {u.marginal_text!r}")
    return bad


def test_demo_resolve_values_match_a_cold_resolve_of_the_relaxed_scenario(demo, catalog):
    settings = SolveSettings(time_limit_s=30, rel_gap=1e-3)
    solved = Plan(demo, catalog, settings)
    result = solved.values()
    resolved = [u for u in result.uses if u.marginal_method == "re-solve"]
    # the demo's gap resolves every 1 MW step but the swing band's: 1 MW less battery is worth
    # less than the plan's gap, so that limit keeps its LP estimate and says why
    in_gap = [u for u in result.uses if WITHIN_GAP in (u.marginal_note or "")]
    assert [u.limit for u in in_gap] == ["utility swing band"]
    assert len(resolved) + len(in_gap) == len(solved.relaxable()) and len(resolved) >= 2
    base_gap = abs((solved.outcome.bound or 0.0) - (solved.outcome.objective or 0.0))
    for use in resolved:
        cold, cold_gap = solved.cold_change(use)
        # each value is within the gaps of the runs behind it: the plan, the re-solve, the cold run
        resolve_gap = settings.rel_gap * abs(solved.outcome.objective or 0.0)
        assert abs(use.marginal - cold) <= base_gap + resolve_gap + cold_gap + 1e-6, (use.marginal_text, cold)
        assert use.marginal_text.endswith("(re-solve)") and "±" in use.marginal_note
    assert valued_or_reasoned(result.uses) == []


@pytest.mark.parametrize(
    "changes",
    [TWO_BINDING, MAX_SHARE, MIN_TCO, {"site": [{"id": "cold-aws", "utility_power": "1 MW"}]}],
    ids=["budget-and-share-floor", "share-ceiling", "min-tco", "power"],
)
def test_exact_resolves_equal_cold_resolves_for_bounds_shares_and_both_objectives(ideal_catalog, changes):
    solved = Plan(scenario(**changes), ideal_catalog)
    relaxable = solved.relaxable()
    assert relaxable
    if changes is MAX_SHARE:
        assert any(u.limit == "maximum share (software cuda)" for u in relaxable)
    result = solved.values()
    assert not result.cancelled
    by_key = {(u.limit, u.scope): u for u in result.uses}
    for use in relaxable:
        got = by_key[(use.limit, use.scope)]
        assert got.marginal_method == "re-solve", got.marginal_text
        cold, cold_gap = solved.cold_change(use)
        assert got.marginal == pytest.approx(cold, abs=1e-6 + cold_gap), got.marginal_text
    assert valued_or_reasoned(result.uses) == []


def test_min_tco_values_are_tco_saved(ideal_catalog):
    """+1 MW lets 10 alpha replace 6 alpha + 2 beta: the value is the TCO saved, written as a TCO change."""
    result = Plan(scenario(**MIN_TCO), ideal_catalog).values()
    power = next(u for u in result.uses if u.limit.startswith("utility power"))
    assert power.marginal is not None and power.marginal > 1.0  # at least the 2 M USD of capex saved
    assert f"= -{power.marginal:,.1f} MUSD TCO (re-solve)" in power.marginal_text


def test_lp_estimates_are_the_lp_rate_times_the_step(demo, catalog):
    """With every MIP re-solve finding no plan, each limit keeps its LP estimate: dual x step.

    Checked against the LP itself: relaxing the row by a thousandth of the step changes the
    LP optimum by a thousandth of the estimate (the dual is the LP's rate at its optimum).
    """
    solved = Plan(demo, catalog, SolveSettings(time_limit_s=30, rel_gap=1e-3))
    result = solved.values(session_factory=lambda: Wrapped(mip=no_plan))
    model = build_direct(solved.data)
    x = base_columns(model, solved.outcome)
    estimated = [u for u in result.uses if u.marginal_method == "LP estimate"]
    assert len(estimated) == len(solved.relaxable()) >= 2
    lp = InProcessSession()
    lp.load(fixed_halls_lp(model, x))
    base = lp.run(30)
    assert base.objective is not None
    for use in estimated:
        why = WITHIN_GAP if use.limit == "utility swing band" else "the re-solve found no plan"
        assert why in use.marginal_note and "LP relaxation" in use.marginal_note
        row = model.rows.index((ROW_FAMILIES[use.limit], use.scope))
        upper = float(model.lp.row_upper_[row])
        lp.change_row_bounds(row, -highspy.kHighsInf, upper + 1.0)  # 1 kW = a thousandth of 1 MW
        moved = lp.run(30)
        lp.change_row_bounds(row, -highspy.kHighsInf, upper)
        assert moved.objective is not None
        assert (moved.objective - base.objective) * 1000 == pytest.approx(use.marginal, rel=1e-3)
        assert use.marginal_text.endswith("(LP estimate)")


def test_resolves_run_most_valuable_first_and_put_every_bound_back(ideal_catalog):
    scn = scenario(
        site=[{"id": "cold-aws", "utility_power": "1 MW"}],
        hall=[
            dict(scenario().model_dump(mode="json")["hall"][0], it_power_cap="1 MW", liquid_plant_capacity="1 MW"),
        ],
    )
    solved = Plan(scn, ideal_catalog)
    estimates = solved.values(session_factory=lambda: Wrapped(mip=no_plan)).uses
    session = Wrapped()
    steps: list[tuple[int, int]] = []
    result = solved.values(session_factory=lambda: session, on_step=lambda k, n: steps.append((k, n)))
    n = len(solved.relaxable())
    assert n >= 2 and steps == [(k, n) for k in range(1, n + 1)]
    model = build_direct(solved.data)
    by_row = {model.rows.index(r): r for r in model.rows}
    order = [by_row[row] for row in session.relaxed_rows]
    value = {(u.limit, u.scope): u.marginal for u in estimates if u.marginal is not None}
    family_limit = {"site_utility_power": "utility power (design day)", "hall_it_power": "hall IT power"}
    family_limit |= {"hall_liquid_plant": "hall liquid plant", "hall_air_plant": "hall air plant"}
    ordered = [abs(value[(family_limit[f], i)]) for f, i in order]
    assert ordered == sorted(ordered, reverse=True)
    # every bound is back where the plan had it once the re-solves are over
    assert np.array_equal(session.final_upper, np.asarray(model.lp.row_upper_))
    assert valued_or_reasoned(result.uses) == []


def test_zero_budget_gives_every_binding_limit_a_reason_and_runs_nothing(ideal_catalog):
    solved = Plan(scenario(**TWO_BINDING), ideal_catalog)

    def no_session() -> Any:
        raise AssertionError("no session may be made without a budget")

    for budget_s in (0.0, -1.0):
        result = solved.values(budget_s, session_factory=no_session)
        binding = [u for u in result.uses if u.binding]
        assert binding and all(u.marginal is None for u in binding)
        relaxable = {(u.limit, u.scope) for u in solved.relaxable()}
        for u in binding:
            if (u.limit, u.scope) in relaxable:
                assert u.marginal_text == f"not valued: no time for marginal values (budget {budget_s:g} s)"
        assert valued_or_reasoned(result.uses) == []


def test_a_resolve_reporting_the_relaxation_infeasible_keeps_the_lp_estimate_and_says_so(ideal_catalog):
    solved = Plan(scenario(**TWO_BINDING), ideal_catalog)
    result = solved.values(session_factory=lambda: Wrapped(mip=infeasible))
    relaxed = [u for u in result.uses if u.binding and relaxed_scenario(solved.scenario, u) is not None]
    assert relaxed
    for u in relaxed:
        assert u.marginal_method == "LP estimate" and u.marginal is not None
        assert "reported the relaxed model infeasible" in u.marginal_note
    # and without an LP estimate either, the limit is not valued, giving both reasons
    dead = solved.values(session_factory=lambda: Wrapped(mip=infeasible, lp=no_plan))
    for u in dead.uses:
        if u.binding and relaxed_scenario(solved.scenario, u) is not None:
            assert u.marginal is None
            assert u.marginal_text.startswith("not valued: the re-solve reported the relaxed model infeasible")
            assert u.marginal_text.endswith("and the LP gave no estimate")
    assert valued_or_reasoned(dead.uses) == []


def test_a_change_within_the_two_runs_gaps_is_noise_not_a_value(ideal_catalog):
    """A re-solve whose own gap is wide: its change is noise, so the LP estimate stands and says so."""
    solved = Plan(scenario(**TWO_BINDING), ideal_catalog)

    def wide_gap(result: RunResult) -> RunResult:
        assert result.objective is not None
        bound = result.objective + 1e6  # far above any change a step could make
        return RunResult(
            "time-limit", True, result.objective, bound, 1.0, result.col_value, None, result.elapsed_s, "gap"
        )

    result = solved.values(session_factory=lambda: Wrapped(mip=wide_gap))
    for u in result.uses:
        if u.binding and relaxed_scenario(solved.scenario, u) is not None:
            assert u.marginal_method == "LP estimate", u.marginal_text
            assert "within the two runs' gaps" in u.marginal_note and "noise" in u.marginal_note


def test_a_plan_with_a_wide_gap_is_not_resolved_where_the_estimate_is_within_it(demo, catalog):
    """A 1 MW step worth ~1,800 PFLOPS cannot be measured against a plan whose gap is ~24,000 PFLOPS."""
    solved = Plan(demo, catalog, SolveSettings(time_limit_s=30, rel_gap=1e-3))
    objective = solved.outcome.objective or 0.0
    solved.outcome.bound = objective * 1.1
    session = Wrapped()
    result = solved.values(session_factory=lambda: session)
    assert session.relaxed_rows == []  # no re-solve was run
    for u in result.uses:
        if u.binding and relaxed_scenario(solved.scenario, u) is not None:
            assert u.marginal_method == "LP estimate"
            assert "within the plan's own gap" in u.marginal_note
    assert valued_or_reasoned(result.uses) == []


def test_cancel_keeps_finished_resolves_and_discards_the_rest(ideal_catalog):
    hall = dict(scenario().model_dump(mode="json")["hall"][0], it_power_cap="1 MW", liquid_plant_capacity="0.9 MW")
    scn = scenario(site=[{"id": "cold-aws", "utility_power": "1 MW"}], hall=[hall], header={"budget": "10e6 USD"})
    solved = Plan(scn, ideal_catalog)
    n = len(solved.relaxable())
    assert n >= 3
    for cancel_after in (1, 2):
        session = Wrapped()
        steps: list[int] = []
        result = solved.values(
            session_factory=lambda s=session: s,
            on_step=lambda k, _n, steps=steps: steps.append(k),
            cancelled=lambda steps=steps, c=cancel_after: len(steps) >= c,
        )
        assert result.cancelled and steps == list(range(1, cancel_after + 1))
        # the re-solve under way when the cancel came is discarded; the ones before it kept
        assert result.count("re-solve") == cancel_after - 1
        assert result.count("LP estimate") == 0
        cancelled = [u for u in result.uses if u.marginal_text == "not valued: marginal values cancelled"]
        assert len(cancelled) == n - (cancel_after - 1)
        assert valued_or_reasoned(result.uses) == []


def test_limits_that_are_not_planning_limits_say_so(demo, catalog):
    result = Plan(demo, catalog, SolveSettings(time_limit_s=30, rel_gap=1e-3)).values()
    busway = [u for u in result.uses if u.binding and u.limit == "row busway per feed"]
    assert busway  # the demo's DLC rows fill their busway
    assert all(u.marginal is None and "property of the row template" in u.marginal_text for u in busway)


def test_compute_per_column_gives_the_plan_its_compute(demo, catalog):
    solved = Plan(demo, catalog, SolveSettings(time_limit_s=30, rel_gap=1e-3))
    model = build_direct(solved.data)
    x = base_columns(model, solved.outcome)
    # the demo maximises delivered PFLOPS - eps x TCO: the objective's compute is objective + eps x TCO
    assert solved.data.scenario.scenario.objective == "max-delivered"
    delivered = (solved.outcome.objective or 0.0) + tie_break_weight(solved.data) * (solved.outcome.tco_musd or 0.0)
    assert float(compute_per_column(model, solved.data) @ x) == pytest.approx(delivered, rel=1e-9)
    assert math.isclose(float(np.asarray(model.lp.col_cost_) @ x), solved.outcome.objective or 0.0, rel_tol=1e-9)


def _long_resolves(catalog: Any) -> Plan:
    """Campus M solved to 0.5 %, its re-solves asked for gap 0 (a proof that takes minutes), the
    plan taken as exact so that its binding limit is re-solved rather than estimated."""
    from tests.bench.campus import campus

    plan = Plan(campus("M"), catalog, SolveSettings(time_limit_s=30, rel_gap=0.005))
    assert plan.relaxable()
    plan.outcome.bound = plan.outcome.objective
    plan.settings = SolveSettings(time_limit_s=60, rel_gap=0.0)
    return plan


def test_a_cancel_stops_a_running_resolve_at_once(catalog):
    plan = _long_resolves(catalog)
    cancel = threading.Event()
    timer = threading.Timer(0.5, cancel.set)
    timer.start()
    started = time.perf_counter()
    result = plan.values(60.0, cancelled=cancel.is_set)
    elapsed_s = time.perf_counter() - started
    timer.cancel()
    assert cancel.is_set() and result.cancelled
    assert elapsed_s < 2.5  # HiGHS stopped at its next interrupt check, not at the 60 s slice
    for use in plan.relaxable():
        got = next(u for u in result.uses if (u.limit, u.scope) == (use.limit, use.scope))
        assert got.marginal is None and got.marginal_text == "not valued: marginal values cancelled"


def test_ctrl_c_during_a_resolve_stops_it_and_raises_keyboard_interrupt(catalog):
    plan = _long_resolves(catalog)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        plan.values(60.0)
    timer.cancel()
    assert time.perf_counter() - started < 2.5
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is put back


def test_limits_the_budget_does_not_reach_keep_their_lp_estimate_and_say_so(demo, catalog):
    """Re-solves that take longer than their slice use up a 0.4 s budget after the first."""
    plan = Plan(demo, catalog, SolveSettings(time_limit_s=30, rel_gap=1e-3))

    def slow(result: RunResult) -> RunResult:
        time.sleep(0.4)
        return result

    started = time.perf_counter()
    result = plan.values(0.4, session_factory=lambda: Wrapped(mip=slow))
    assert time.perf_counter() - started < 1.5
    relaxable = {(u.limit, u.scope) for u in plan.relaxable()}
    got = [u for u in result.uses if (u.limit, u.scope) in relaxable]
    assert len(got) >= 2
    assert sum(1 for u in got if u.marginal_method == "re-solve") == 1  # the first, most valuable one
    for u in got:
        if u.marginal_method != "re-solve":
            assert u.marginal_method == "LP estimate" and u.marginal is not None
            assert any(
                why in u.marginal_note
                for why in ("not re-solved within the marginal-value budget of 0.4 s", WITHIN_GAP)
            )
    assert valued_or_reasoned(result.uses) == []


def test_a_time_limited_resolve_outside_the_gaps_is_a_value_that_names_its_gap(ideal_catalog):
    plan = Plan(scenario(**TWO_BINDING), ideal_catalog)

    def stopped_near(result: RunResult) -> RunResult:
        assert result.objective is not None
        bound = result.objective * (1 + 1e-4)
        return RunResult("time-limit", True, result.objective, bound, 1e-4, result.col_value, None, 0.0, "limit")

    result = plan.values(session_factory=lambda: Wrapped(mip=stopped_near))
    budget = next(u for u in result.uses if u.limit == "capex budget")
    assert budget.marginal_method == "re-solve" and budget.marginal is not None and budget.marginal > 1.0
    assert budget.marginal_text.endswith("(re-solve time-limit, gap 0.01%)")


@pytest.mark.parametrize("which", ["demo", "budget-and-power"])
def test_each_limit_maps_to_its_row_in_model_units(which, demo, catalog, ideal_catalog):
    """The row of a limit holds the limit itself: row upper bound = allowed x model units per unit."""
    from dcplan.planner.marginals import MODEL_UNITS, ROW_FAMILIES

    if which == "demo":
        plan = Plan(demo, catalog, SolveSettings(time_limit_s=30, rel_gap=1e-3))
    else:
        plan = Plan(
            scenario(site=[{"id": "cold-aws", "utility_power": "1 MW"}], header={"budget": "10e6 USD"}), ideal_catalog
        )
    model = build_direct(plan.data)
    checked = 0
    for use in plan.uses:
        if use.limit not in ROW_FAMILIES:
            continue
        row = model.rows.index((ROW_FAMILIES[use.limit], None if use.scope == "plan" else use.scope))
        assert float(model.lp.row_upper_[row]) == pytest.approx(use.allowed * MODEL_UNITS[use.unit], rel=1e-12)
        checked += 1
    assert checked >= 3
