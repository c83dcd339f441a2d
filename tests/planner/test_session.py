"""planner/session.py: one loaded model, changed a little and run again."""

from __future__ import annotations

from typing import Any

import highspy
import numpy as np
import pytest

from dcplan.planner.matrix import build_direct
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.session import InProcessSession


def _session(demo, catalog):
    model = build_direct(build_model_data(demo, catalog))
    session = InProcessSession({"mip_rel_gap": 1e-3, "threads": 1, "random_seed": 0})
    session.load(model.lp)
    return model, session


def test_a_mip_run_reports_a_solution_a_bound_and_no_duals(demo, catalog):
    model, session = _session(demo, catalog)
    result = session.run(30)
    assert result.status == "optimal" and result.has_solution
    assert result.col_value is not None and len(result.col_value) == model.num_col
    assert result.bound is not None and result.gap is not None and result.gap <= 1e-3
    assert result.row_dual is None  # a MIP has no duals


def test_tightening_a_binding_row_lowers_the_optimum_and_a_warm_start_is_accepted(demo, catalog):
    model, session = _session(demo, catalog)
    base = session.run(30)
    row = model.rows.index(next(r for r in model.rows if r[0] == "budget"))
    upper = float(model.lp.row_upper_[row])
    session.change_row_bounds(row, -highspy.kHighsInf, upper * 0.5)
    tight = session.run(30)
    assert tight.objective is not None and base.objective is not None
    assert tight.objective < base.objective
    session.change_row_bounds(row, -highspy.kHighsInf, upper)
    session.set_start(base.col_value)
    again = session.run(30)
    assert again.objective is not None and abs(again.objective - base.objective) <= 2e-3 * abs(base.objective)


def test_an_lp_run_has_row_duals(demo, catalog):
    model = build_direct(build_model_data(demo, catalog))
    lp = model.lp
    lp.integrality_ = [highspy.HighsVarType.kContinuous] * lp.num_col_
    session = InProcessSession()
    session.load(lp)
    result = session.run(30)
    assert result.status == "optimal" and result.row_dual is not None
    assert result.bound == result.objective
    assert np.count_nonzero(result.row_dual) > 0


def _hard_mip(n: int = 300, rows: int = 40, seed: int = 0) -> highspy.HighsLp:
    """A seeded random packing MIP (n integers in [0, 10], rows of 40 terms, column-wise as
    the sessions take it) that HiGHS does not close within a second: a run of it ends at its
    time limit."""
    from scipy.sparse import csc_matrix

    rng = np.random.default_rng(seed)
    dense = np.zeros((rows, n))
    for r in range(rows):
        dense[r, rng.choice(n, 40, replace=False)] = rng.random(40) * 3
    a = csc_matrix(dense)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, rows
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = -rng.random(n), np.zeros(n), np.full(n, 10.0)
    lp.row_lower_, lp.row_upper_ = np.full(rows, -highspy.kHighsInf), rng.random(rows) * 50 + 10
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, rows
    return lp


@pytest.mark.parametrize("kind", ["in-process", "child"])
def test_an_lp_after_a_long_run_gets_its_whole_time_limit(demo, catalog, kind):
    """HiGHS 1.16 checks an LP against the run time of every earlier run of the same Highs
    (ERGO-Code/HiGHS#1477). A session that ran a MIP to its 0.6 s limit, then loads an LP and
    runs it with 0.3 s (far more than the demo's LP takes), must solve it, with duals: before
    planner.highs_clock.run_time_limit_s the LP stopped at once ("time limit reached"), and the
    marginal values of a pooled child lost every LP estimate. A MIP after them still runs
    for its own limit (HiGHS times a MIP from its start)."""
    from dcplan.planner.session import ChildSession

    session: Any = InProcessSession({"threads": 1}) if kind == "in-process" else ChildSession({"threads": 1})
    try:
        session.load(_hard_mip())
        first = session.run(0.6)
        assert first.status == "time-limit", (first.detail, first.model_status, first.elapsed_s)
        lp = build_direct(build_model_data(demo, catalog)).lp
        lp.integrality_ = [highspy.HighsVarType.kContinuous] * lp.num_col_
        session.load(lp)
        result = session.run(0.3)
        assert result.status == "optimal" and result.row_dual is not None, result.detail
        session.load(_hard_mip())  # a MIP's limit counts from its own start: all 0.6 s, not more
        again = session.run(0.6)
        assert again.status == "time-limit" and 0.4 <= again.elapsed_s <= 0.6 + 1.0, again.elapsed_s
    finally:
        session.close()


def test_runs_with_other_thread_counts_in_one_process_all_solve(demo, catalog):
    """HiGHS sizes one thread scheduler per process at its first run; a later run with
    another ``threads`` returned kError / kNotset at once, which a solve read as "no plan
    within the limit" (in-process solves after a default-threads run; a pooled child whose
    solve and marginal values ask different counts). Two in-process sessions with 2 and then
    1 thread (whatever this process ran before: one of them differs from it) both solve."""
    lp = build_direct(build_model_data(demo, catalog)).lp
    for threads in (2, 1):
        session = InProcessSession({"threads": threads, "mip_rel_gap": 1e-3})
        session.load(lp)
        result = session.run(30)
        assert result.status == "optimal", (threads, result.detail, result.model_status)
        session.close()
