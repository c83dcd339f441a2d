"""The LP-rounding start (planner/start.py) and how a solve uses it (planner/solve.py).

The start must be feasible for every row, bound and integrality of the model it was built
from (checked here independently of ``violation``, with the matrix multiplied out by
numpy), never better than the LP bound, and a solve that uses it must give the plan the
solve without it gives, within the gap target.
"""

from __future__ import annotations

import threading

import highspy
import numpy as np
import pytest

from dcplan.models.errors import DcplanError
from dcplan.planner.matrix import build_direct
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.scenario import SCENARIO_DIR, load_scenario
from dcplan.planner.session import RunResult
from dcplan.planner.solve import SolveSettings, solve_model_data, start_result, uses_start
from dcplan.planner.start import FEAS_TOL, Start, lp_start, violation
from tests.bench.campus import campus

SHIPPED = ["aws-hybrid-campus", "enterprise-hybrid"]


def _scenario(name: str):
    if name in SHIPPED:
        return load_scenario(SCENARIO_DIR / f"{name}.toml")
    if name == "min-tco":
        scen = load_scenario(SCENARIO_DIR / "enterprise-hybrid.toml")
        return scen.model_copy(update={"scenario": scen.scenario.model_copy(update={"objective": "min-tco"})})
    return campus(name)


def _worst(lp: highspy.HighsLp, x: np.ndarray) -> float:
    """The largest violation, from the CSC arrays multiplied out with a dense matrix."""
    m = lp.a_matrix_
    dense = np.zeros((lp.num_row_, lp.num_col_))
    start, index, value = np.asarray(m.start_), np.asarray(m.index_), np.asarray(m.value_)
    for j in range(lp.num_col_):
        dense[index[start[j] : start[j + 1]], j] = value[start[j] : start[j + 1]]
    act = dense @ x
    lo, up = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    scale = np.maximum(1.0, np.abs(np.where(np.isfinite(up), up, np.where(np.isfinite(lo), lo, 0.0))))
    integer = np.array([int(v) != 0 for v in lp.integrality_])
    return float(
        max(
            np.max((act - up) / scale),
            np.max((lo - act) / scale),
            np.max(x - np.asarray(lp.col_upper_)),
            np.max(np.asarray(lp.col_lower_) - x),
            np.max(np.abs(x[integer] - np.round(x[integer])), initial=0.0),
        )
    )


#: Min-cost models whose demands are met through continuous allocations (enterprise-hybrid is
#: min-tco in delivered terms): rounding the LP's units up overfills a hall's IT power and
#: rounding them down leaves a demand short, and the repair does not move units between
#: halls, so the start finds nothing there. The solve falls back to the MIP alone.
NO_START = ("enterprise-hybrid", "min-tco")


@pytest.mark.parametrize("name", NO_START)
def test_a_min_cost_model_without_a_start_falls_back_to_the_mip(name, catalog):
    data = build_model_data(_scenario(name), catalog)
    assert lp_start(build_direct(data).lp, 20.0) is None  # the known limit above; a start found would be welcome
    gap = 5e-3
    without = solve_model_data(data, SolveSettings(time_limit_s=60, rel_gap=gap, start="off"))
    with_start = solve_model_data(data, SolveSettings(time_limit_s=60, rel_gap=gap, start="on"))
    assert with_start.status == without.status == "optimal"
    assert with_start.objective == pytest.approx(without.objective, rel=2 * gap)


@pytest.mark.parametrize("name", [n for n in [*SHIPPED, "min-tco", "S", "M", "L", "XL"] if n not in NO_START])
def test_the_start_is_feasible_and_the_plan_with_it_is_the_same(name, catalog):
    data = build_model_data(_scenario(name), catalog)
    model = build_direct(data)
    start = lp_start(model.lp, 20.0)
    assert start is not None
    assert _worst(model.lp, start.col_value) <= FEAS_TOL
    assert violation(model.lp, start.col_value) <= FEAS_TOL
    sign = 1.0 if start.maximise else -1.0
    assert sign * (start.lp_bound - start.objective) >= -1e-6 * abs(start.lp_bound)  # never past the LP bound
    assert start.objective == pytest.approx(float(np.dot(model.lp.col_cost_, start.col_value)))
    gap = 5e-3
    without = solve_model_data(data, SolveSettings(time_limit_s=60, rel_gap=gap, start="off"))
    with_start = solve_model_data(data, SolveSettings(time_limit_s=60, rel_gap=gap, start="on"))
    assert with_start.highs_settings["start"] == "lp-rounding"
    assert "start" not in without.highs_settings
    assert with_start.status == without.status == "optimal"
    assert with_start.objective == pytest.approx(without.objective, rel=2 * gap)
    assert with_start.gap is not None and with_start.gap <= gap + 1e-9


def test_an_unknown_start_setting_is_one_clear_error(catalog):
    data = build_model_data(campus("S"), catalog)
    with pytest.raises(DcplanError, match="start: expected one of auto, on, off, got 'sometimes'"):
        solve_model_data(data, SolveSettings(start="sometimes"))  # type: ignore[arg-type]


def test_the_start_is_on_by_size_and_off_for_the_shipped_scenarios(catalog):
    assert uses_start(SolveSettings(), 5000) and not uses_start(SolveSettings(), 4999)
    assert uses_start(SolveSettings(), 500, delivered=True) and not uses_start(SolveSettings(), 499, delivered=True)
    assert not uses_start(SolveSettings(start="off"), 10**6, delivered=True)
    assert uses_start(SolveSettings(start="on"), 10) and not uses_start(SolveSettings(start="off"), 10**6)
    for name in SHIPPED:
        model = build_direct(build_model_data(_scenario(name), catalog))
        objective = _scenario(name).scenario.objective
        assert not uses_start(SolveSettings(), model.num_col, objective in ("max-delivered", "min-time-to-train"))


def _lp(cost, lower, upper, rows, row_lower, row_upper, integer, maximise=True) -> highspy.HighsLp:
    """A small HighsLp from a dense row list."""
    dense = np.asarray(rows, dtype=np.float64).reshape(len(row_lower), len(cost))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cost), len(row_lower)
    lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_, lp.col_upper_ = np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
    lp.row_lower_, lp.row_upper_ = np.asarray(row_lower, dtype=np.float64), np.asarray(row_upper, dtype=np.float64)
    kind = highspy.HighsVarType
    lp.integrality_ = [kind.kInteger if i else kind.kContinuous for i in integer]
    csc_start, index, value = [0], [], []
    for j in range(len(cost)):
        nz = np.flatnonzero(dense[:, j])
        index += nz.tolist()
        value += dense[nz, j].tolist()
        csc_start.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(csc_start, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(value, dtype=np.float64)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = lp.num_col_, lp.num_row_
    return lp


INF = highspy.kHighsInf


def test_a_knapsack_start_respects_its_rows_and_shares_the_rest():
    """max 5u + 4v - 0.001 r, 3u + 2v <= 7.5 (a hall's power), u <= 4 r, r binary: the LP
    has v = 3.75 (r = 0); the start is integral and within every row, and no better than
    the integer optimum (u = 1, v = 2, r = 1: 12.999)."""
    lp = _lp(
        cost=[5.0, 4.0, -0.001],
        lower=[0, 0, 0],
        upper=[10, 10, 1],
        rows=[[3, 2, 0], [1, 0, -4]],
        row_lower=[-INF, -INF],
        row_upper=[7.5, 0.0],
        integer=[1, 1, 1],
    )
    start = lp_start(lp, 5.0)
    assert start is not None
    x = start.col_value
    assert _worst(lp, x) <= FEAS_TOL and np.all(x == np.round(x))
    assert 12.0 - 1e-9 <= start.objective <= 12.999 + 1e-9  # v = 3.75 rounded to 3 at worst
    assert start.lp_bound == pytest.approx(15.0)


def _two_halls(
    cap_a: float, build_a: float, cap_b: float, build_b: float, budget: float, gain_b: float = 1.0
) -> highspy.HighsLp:
    """max uA + gain_b uB; columns uA, uB (integer units), yA, yB (binary halls built):
    uA <= cap_a yA, uB <= cap_b yB, uA + uB + build_a yA + build_b yB <= budget (1 per unit)."""
    return _lp(
        cost=[1.0, gain_b, 0.0, 0.0],
        lower=[0, 0, 0, 0],
        upper=[cap_a, cap_b, 1, 1],
        rows=[[1, 0, -cap_a, 0], [0, 1, 0, -cap_b], [1, 1, build_a, build_b]],
        row_lower=[-INF, -INF, -INF],
        row_upper=[0.0, 0.0, budget],
        integer=[1, 1, 1, 1],
    )


def test_with_a_gap_target_the_start_fixes_to_1_the_binary_the_lp_moved_after_the_first_fixing():
    """Hall A: 10 units worth 1, build 30 (4 per unit of value in the LP); hall B: 20 units
    worth 1.01, build 10 (1.5 / 1.01 per unit); budget 52. The LP fills B (30, worth 20.2) and
    builds A to 22 / 40 = 0.55 (uA 5.5): bound 25.7. With yA fixed to 1 (from 0.5) the LP
    fills A (40) and gives B the 12 left at 1.5: uB 8, yB 0.4. Rounded to 0 (no target), yB
    closes B: the start is uA 10 (objective 10). With a target, yB is fixed to 1: the LP puts
    the 52 - 40 = 12 on B (worth more), uA 0 lets A close, and its 30 fill B: uB 20, the
    integer optimum 20.2 (A alone 10; B alone 20.2; both 12 x 1.01 = 12.12)."""
    lp = _two_halls(10, 30, 20, 10, 52, gain_b=1.01)
    once = lp_start(lp, 5.0)
    assert once is not None and once.lp_bound == pytest.approx(25.7) and once.objective == pytest.approx(10.0)
    for target in (0.005, 1.6):  # 0.27 from the bound: above the first target, within the second
        start = lp_start(lp, 5.0, target_gap=target)
        assert start is not None and start.objective == pytest.approx(20.2)
        assert _worst(lp, start.col_value) <= FEAS_TOL and start.gap == pytest.approx((25.7 - 20.2) / 20.2)


def _counted_roundings(monkeypatch, replace_second: bool = False, stop_after_first: bool = False) -> list[bool]:
    """``_round_and_fill`` counted per call; ``replace_second``: its second call returns the
    empty plan (feasible, objective 0); ``stop_after_first``: no time left after the first."""
    from dcplan.planner import start as start_module

    rounds = start_module._round_and_fill
    calls: list[bool] = []

    def counted(a, x, clock, seed):
        found = rounds(a, x, clock, seed)
        calls.append(True)
        return np.zeros_like(found) if replace_second and len(calls) == 2 else found

    monkeypatch.setattr(start_module, "_round_and_fill", counted)
    if stop_after_first:
        monkeypatch.setattr(start_module, "_Clock", _stopping_clock(start_module._Clock, calls))
    return calls


def _stopping_clock(clock_class, calls):
    class Stopping(clock_class):
        def left(self) -> float:
            return 0.0 if calls else super().left()

    return Stopping


def test_a_start_that_misses_the_target_rounds_the_first_fixing_too_and_keeps_the_better(monkeypatch):
    """The second rounding (from the first fixing's LP: uA 10, objective 10, as above)
    replaced by the empty plan: the first start (20.2) is kept; a target of 0 is missed."""
    calls = _counted_roundings(monkeypatch, replace_second=True)
    start = lp_start(_two_halls(10, 30, 20, 10, 52, gain_b=1.01), 5.0, target_gap=0.0)
    assert len(calls) == 2 and start is not None and start.objective == pytest.approx(20.2)


def test_no_second_rounding_when_the_time_left_is_less_than_the_first_took(monkeypatch):
    """No time left once the first rounding ends: the second does not run (a target of 0 is
    missed), and the first start (20.2) is returned."""
    calls = _counted_roundings(monkeypatch, stop_after_first=True)
    start = lp_start(_two_halls(10, 30, 20, 10, 52, gain_b=1.01), 5.0, target_gap=0.0)
    assert len(calls) == 1 and start is not None and start.objective == pytest.approx(20.2)


def test_a_start_within_the_target_rounds_once(monkeypatch):
    calls = _counted_roundings(monkeypatch)
    start = lp_start(_two_halls(10, 30, 20, 10, 52, gain_b=1.01), 5.0, target_gap=0.3)  # 20.2 is 0.27 off
    assert len(calls) == 1 and start is not None and start.objective == pytest.approx(20.2)


def test_no_start_for_an_infeasible_model():
    lp = _lp(cost=[1.0], lower=[0], upper=[10], rows=[[1]], row_lower=[2.5], row_upper=[2.7], integer=[1])
    assert lp_start(lp, 5.0) is None  # the LP is feasible (u = 2.5), no integer is


def test_no_start_when_the_lp_itself_is_infeasible():
    lp = _lp(cost=[1.0], lower=[0], upper=[1], rows=[[1]], row_lower=[3], row_upper=[INF], integer=[1])
    assert lp_start(lp, 5.0) is None


def test_a_pure_lp_start_is_the_lp_optimum():
    lp = _lp(
        cost=[1.0, 2.0],
        lower=[0, 0],
        upper=[INF, INF],
        rows=[[1, 1]],
        row_lower=[-INF],
        row_upper=[3.5],
        integer=[0, 0],
    )
    start = lp_start(lp, 5.0)
    assert start is not None and start.objective == pytest.approx(7.0) and start.gap == pytest.approx(0.0)


def test_violation_sees_rows_bounds_and_integrality():
    lp = _lp(cost=[1.0, 1.0], lower=[0, 0], upper=[5, 5], rows=[[1, 1]], row_lower=[1], row_upper=[4], integer=[1, 0])
    assert violation(lp, np.array([2.0, 1.5])) == 0.0
    assert violation(lp, np.array([4.0, 1.0])) == pytest.approx(1.0 / 4.0)  # row above 4, relative
    assert violation(lp, np.array([0.0, 0.5])) == pytest.approx(0.5)  # row below 1
    assert violation(lp, np.array([6.0, 0.5])) == pytest.approx(1.0)  # above u's bound (the row: 0.625)
    assert violation(lp, np.array([2.0, -0.5])) == pytest.approx(0.5)  # below v's bound
    assert violation(lp, np.array([1.5, 1.0])) == pytest.approx(0.5)  # u not integral


def test_a_zero_deadline_gives_no_start_rather_than_a_late_one(catalog):
    model = build_direct(build_model_data(campus("L"), catalog))
    assert lp_start(model.lp, 0.0) is None


def _start(objective: float, bound: float, maximise: bool = True) -> Start:
    return Start(np.array([objective]), objective, bound, abs(bound - objective) / abs(objective), 0.0, 0.0, maximise)


def _run(objective: float | None, bound: float | None, model_status: str = "kTimeLimit") -> RunResult:
    has = objective is not None
    return RunResult(
        status="time-limit",
        has_solution=has,
        objective=objective,
        bound=bound,
        gap=None,
        col_value=np.array([objective]) if has else None,
        row_dual=None,
        elapsed_s=1.0,
        detail="HiGHS",
        model_status=model_status,
    )


def test_folding_the_start_into_a_run_keeps_the_better_plan_and_the_tighter_bound():
    # maximising: the MIP found more, and its bound is below the LP's
    folded = start_result(_start(99.0, 102.0), _run(100.0, 101.0), rel_gap=1e-3)
    assert folded.objective == 100.0 and folded.bound == 101.0 and folded.model_status == "kTimeLimit"
    # the start is better, the MIP has no plan: the start with the MIP's bound
    folded = start_result(_start(99.0, 102.0), _run(None, 100.0), rel_gap=0.02)
    assert folded.objective == 99.0 and folded.bound == 100.0 and folded.model_status == "kOptimal"
    assert folded.gap == pytest.approx(1.0 / 99.0) and folded.detail == "the LP-rounding start"
    # minimising: the larger bound is the tighter
    folded = start_result(_start(100.0, 97.0, maximise=False), _run(101.0, 98.0), rel_gap=1e-3)
    assert folded.objective == 100.0 and folded.bound == 98.0
    # the start alone within the gap; and cancelled before the MIP (outside the gap)
    assert start_result(_start(99.6, 100.0), None, rel_gap=5e-3).model_status == "kOptimal"
    assert start_result(_start(90.0, 100.0), None, rel_gap=5e-3).model_status == "kInterrupt"


def test_a_cancel_stops_the_start_and_the_solve(catalog):
    import time

    data = build_model_data(campus("L"), catalog)
    model = build_direct(data)
    assert lp_start(model.lp, 20.0, stop=lambda: True) is None
    cancel = threading.Event()
    cancel.set()
    began = time.perf_counter()
    outcome = solve_model_data(data, SolveSettings(time_limit_s=20, rel_gap=1e-9, start="on", cancel=cancel))
    assert outcome.status == "cancelled" and "start" not in outcome.highs_settings
    assert time.perf_counter() - began < 5.0  # not the 20 s limit


def test_with_the_start_a_solve_still_returns_within_the_limit(catalog):
    """The start, the hand-over and the MIP together within limit + 2 s (the MIP gets what
    the start left; the 10M campus, where the start takes its whole share, is the benchmark
    tests/bench/test_bench_scale.py::test_bench_wall_past_the_time_limit)."""
    import time

    data = build_model_data(campus("L"), catalog)
    limit_s = 1.0
    began = time.perf_counter()
    outcome = solve_model_data(data, SolveSettings(time_limit_s=limit_s, rel_gap=1e-9, start="on"))
    wall = time.perf_counter() - began
    assert outcome.has_solution and outcome.highs_settings["start"] == "lp-rounding"
    assert wall <= limit_s + 2.0, f"{wall:.2f} s for a {limit_s:g} s limit"


def _delivered_like() -> highspy.HighsLp:
    """max 3a - 0.001u: a (continuous) delivered from units u (integer), a - u <= 0, a power
    row 2u <= 9. The LP has u = a = 4.5; the integer optimum u = a = 4. Without the implied
    gain u would be a helper at its lower bound, and a = u = 0 a feasible (worthless) start."""
    return _lp(
        cost=[-0.001, 3.0],
        lower=[0, 0],
        upper=[10, INF],
        rows=[[-1, 1], [2, 0]],
        row_lower=[-INF, -INF],
        row_upper=[0.0, 9.0],
        integer=[1, 0],
    )


def test_a_start_raises_the_units_whose_allocations_gain():
    """The gain sits on the continuous allocation only: the units it comes from are worth
    3 per unit through ``a - u <= 0`` (implied gain), so they are rounded as value columns
    and the allocation follows them (the optimum here)."""
    lp = _delivered_like()
    start = lp_start(lp, 5.0)
    assert start is not None
    assert _worst(lp, start.col_value) <= FEAS_TOL
    assert start.col_value.tolist() == pytest.approx([4.0, 4.0])
    assert start.objective == pytest.approx(12.0 - 0.004)
