"""planner/session.py: one loaded model, changed a little and run again."""

from __future__ import annotations

import highspy
import numpy as np

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
