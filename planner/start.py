"""A primal heuristic for large models: a feasible integer plan built from the LP relaxation.

HiGHS 1.16's own heuristics find weak incumbents on the large campuses (0.72 % from the
bound on the 10M-chip campus after 12 s, where the LP bound is within 0.06 % of the MIP
bound), and its root LP without presolve takes seconds. ``lp_start`` works from the
DirectModel's arrays only (row bounds, matrix, column bounds, integrality, costs), never
from knowledge of the constraint families, in six steps:

1. the LP relaxation (HiGHS primal simplex with presolve: ~1 s on the 10M campus), whose
   objective is a valid bound for the MIP;
2. the binary columns: fractional ones are fixed to 1 (from 0.5) or 0 and the LP is solved
   again (dual simplex from the last basis); with a gap target (``target_gap``), the binary
   columns fractional after that fixing are then fixed to 1 until none is (``_redive``),
   and when the start from there (steps 3-6) misses the target, steps 3-6 run again from
   the first fixing's LP and the better start is kept;
3. rounding: *value* columns (integer, objective gain > 0 in the maximising sense, counting
   the gain of the continuous columns whose capacity they raise: ``_Arrays._implied_gain``) are
   rounded to the nearest integer; the other integer columns (*helpers*) start at their
   lower bound and are raised to the least value every row needs (planner/start_moves.py); a row no
   raise can satisfy sheds value columns (the least gain per unit of the row first) or
   lowers a helper for good, whose rows then shed;
4. the continuous columns from an LP over them alone, every integer column fixed;
5. fill: value columns are raised again (towards the LP value first, then as far as they
   go), each raise with the helpers it needs, while every row holds and the objective
   gains; then swaps (one unit of a value column down, its neighbours in the same sparse
   rows up) and a last fill. Helpers are lowered again where their rows allow (``trim``);
6. when continuous columns gain (the delivered objectives), the LP of step 4 again, for the
   integer columns the fills raised.

The start is checked against every row, bound and integrality (``violation``) before it is
returned; ``None`` when a step fails (the caller solves the MIP as before). Every HiGHS run
here is an LP, which honours its time limit (the MIP's presolve and heuristics are what
ignore it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from dcplan.planner.highs_clock import run_highs
from dcplan.planner.start_moves import INT_TOL, Repair, complete, fill, swap, trim

#: a row or bound holds within this (absolute, plus relative to the bound's size)
FEAS_TOL = 1e-7
#: a value column's LP value is rounded up from this fractional part (the rows shed what does not fit)
ROUND_UP_FROM = 0.5
#: a fractional binary column at least this is fixed to 1, below it to 0
BINARY_UP_FROM = 0.5
#: the most LP solves of ``_redive`` (the 10M campus needs 4)
MAX_DIVE_ROUNDS = 10


@dataclass
class Start:
    """A feasible integer point and the LP bound it is measured against (model units)."""

    col_value: np.ndarray
    objective: float
    lp_bound: float
    gap: float  # |lp_bound - objective| / max(|objective|, 1e-9)
    lp_s: float
    heuristic_s: float
    maximise: bool = True


class _Arrays:
    """The model as numpy and Python lists: columns' and rows' entries, bounds, gains."""

    def __init__(self, lp: Any) -> None:
        import highspy

        m = lp.a_matrix_
        if m.format_ != highspy.MatrixFormat.kColwise:
            raise ValueError("lp_start needs a column-wise matrix (planner.matrix builds one)")
        self.n, self.m = int(lp.num_col_), int(lp.num_row_)
        self.start = np.asarray(m.start_, dtype=np.int64)
        self.index = np.asarray(m.index_, dtype=np.int64)
        self.value = np.asarray(m.value_, dtype=np.float64)
        self.cost = np.asarray(lp.col_cost_, dtype=np.float64)
        self.maximise = lp.sense_ == highspy.ObjSense.kMaximize
        self.gain = self.cost if self.maximise else -self.cost  # objective gain per unit, maximising
        self.col_lo = np.asarray(lp.col_lower_, dtype=np.float64)
        self.col_up = np.asarray(lp.col_upper_, dtype=np.float64)
        self.row_lo = np.asarray(lp.row_lower_, dtype=np.float64)
        self.row_up = np.asarray(lp.row_upper_, dtype=np.float64)
        self.integer = np.array([int(v) != 0 for v in lp.integrality_], dtype=bool)
        self.binary = self.integer & (self.col_lo == 0.0) & (self.col_up == 1.0)
        col_of = np.repeat(np.arange(self.n), np.diff(self.start))
        self.cols = [
            list(zip(self.index[a:b].tolist(), self.value[a:b].tolist(), strict=True))
            for a, b in zip(self.start[:-1].tolist(), self.start[1:].tolist(), strict=True)
        ]
        order = np.lexsort((col_of, self.index))
        row_start = np.zeros(self.m + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.index, minlength=self.m), out=row_start[1:])
        r_cols, r_vals = col_of[order].tolist(), self.value[order].tolist()
        self.rows = [
            list(zip(r_cols[a:b], r_vals[a:b], strict=True))
            for a, b in zip(row_start[:-1].tolist(), row_start[1:].tolist(), strict=True)
        ]
        continuous_rows = np.zeros(self.m, dtype=bool)
        continuous_rows[self.index[~self.integer[col_of]]] = True
        self.continuous_rows = continuous_rows
        self.gain = self.gain + self._implied_gain()
        self._repair_lists: dict[bytes, tuple[Any, ...]] = {}

    def _implied_gain(self) -> np.ndarray:
        """Per integer column, the gain it lets a continuous column make: in a row
        ``sum_k a_k x_k - sum_j b_j y_j <= u`` (a_k > 0 on gaining continuous columns x_k,
        b_j > 0 on integer columns y_j), one more unit of y_j lets x_k grow by b_j / a_k,
        worth ``max_k gain_k / a_k x b_j``. A delivered objective gains on the allocations
        only, bounded by the units they come from (``sum_w alloc - units <= 0``): without
        this no integer column would gain and the rounding would have nothing to raise."""
        implied = np.zeros(self.n)
        for i, entries in enumerate(self.rows):
            if math.isfinite(self.row_lo[i]) or not math.isfinite(self.row_up[i]):
                continue  # only rows with an upper bound alone cap what a column may take
            best = max(
                (self.gain[k] / v for k, v in entries if v > 0 and not self.integer[k] and self.gain[k] > 0),
                default=0.0,
            )
            for j, v in entries if best > 0 else ():
                if self.integer[j] and v < 0:
                    implied[j] = max(implied[j], best * -v)
        return implied

    def repair_lists(self, fixed: np.ndarray) -> tuple[Any, ...]:
        """What every ``start_moves.Repair`` over the same ``fixed`` columns reads and never changes, built
        once (0.15-0.3 s per build on the 10M campus; a start builds four): row bounds, row
        bounds widened by their tolerance, column upper bounds, gains, and per row the helper
        columns that lower (a < 0) or raise (a > 0) its activity when raised, the cheapest per
        unit of the row first."""
        key = fixed.tobytes()
        if key not in self._repair_lists:
            lo, up = self.row_lo.tolist(), self.row_up.tolist()
            hi_tol = [u + self.tol(u) for u in up]  # ``excess`` runs ~700k times on the 10M campus
            lo_tol = [b - self.tol(b) for b in lo]
            gain = self.gain.tolist()
            value = self.integer & (self.gain > 0) & ~fixed
            helper = (self.integer & ~value & ~fixed).tolist()
            lowers: list[list[tuple[int, float]]] = []
            raises: list[list[tuple[int, float]]] = []
            for entries in self.rows:
                mine = [(j, v) for j, v in entries if helper[j]]
                lowers.append(sorted(((j, v) for j, v in mine if v < 0), key=lambda e: -gain[e[0]] / -e[1]))
                raises.append(sorted(((j, v) for j, v in mine if v > 0), key=lambda e: -gain[e[0]] / e[1]))
            self._repair_lists[key] = (lo, up, hi_tol, lo_tol, self.col_up.tolist(), gain, lowers, raises)
        return self._repair_lists[key]

    def activity(self, x: np.ndarray) -> np.ndarray:
        """A @ x, one value per row."""
        col_of = np.repeat(np.arange(self.n), np.diff(self.start))
        return np.bincount(self.index, weights=self.value * x[col_of], minlength=self.m)

    def tol(self, bound: float) -> float:
        return FEAS_TOL * max(1.0, abs(bound))


def violation(lp: Any, x: np.ndarray) -> float:
    """The largest violation of a row, a column bound or integrality by ``x`` (0: feasible),
    each row measured in its own units, relative to max(1, |bound|)."""
    a = _Arrays(lp)
    return _violation(a, x)


def _violation(a: _Arrays, x: np.ndarray) -> float:
    act = a.activity(x)
    scale_up = np.maximum(1.0, np.abs(np.where(np.isfinite(a.row_up), a.row_up, 0.0)))
    scale_lo = np.maximum(1.0, np.abs(np.where(np.isfinite(a.row_lo), a.row_lo, 0.0)))
    worst = [
        np.max((act - a.row_up) / scale_up, initial=0.0),
        np.max((a.row_lo - act) / scale_lo, initial=0.0),
        np.max(x - a.col_up, initial=0.0),
        np.max(a.col_lo - x, initial=0.0),
        np.max(np.abs(x[a.integer] - np.round(x[a.integer])), initial=0.0),
    ]
    return float(max(worst))


class _LP:
    """The LP relaxation on a quiet in-process Highs, re-solved after bound changes."""

    def __init__(self, lp: Any, a: _Arrays, seed: int, options: dict[str, Any] | None = None) -> None:
        import highspy

        from dcplan.planner.session import quiet_highs

        self.highspy = highspy
        self.h = quiet_highs()
        self.h.passModel(lp)
        idx = np.arange(a.n, dtype=np.int32)
        self.h.changeColsIntegrality(a.n, idx, np.zeros(a.n, dtype=np.uint8))
        defaults = {"threads": 1, "random_seed": int(seed), "presolve": "on", "simplex_strategy": 4}
        for name, value in (defaults | (options or {})).items():
            self.h.setOptionValue(name, value)

    def solve(self, clock: _Clock) -> np.ndarray | None:
        """The optimal column values, or None (infeasible, or the deadline passed)."""
        # HiGHS's time limit counts the run time of every run of this Highs so far
        self.h.setOptionValue("time_limit", self.h.getRunTime() + clock.left())
        run_highs(self.h)
        if self.h.getModelStatus() != self.highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(self.h.getSolution().col_value, dtype=np.float64)

    def warm(self) -> None:
        """Later solves start from the last basis: dual simplex, no presolve."""
        self.h.setOptionValue("presolve", "off")
        self.h.setOptionValue("simplex_strategy", 1)

    def fix(self, cols: np.ndarray, values: np.ndarray) -> None:
        self.h.changeColsBounds(len(cols), cols.astype(np.int32), values, values)

    def objective(self) -> float:
        return float(self.h.getInfo().objective_function_value)


def _dive_binaries(lp: _LP, a: _Arrays, x: np.ndarray, clock: _Clock) -> np.ndarray | None:
    """Fix the fractional binary columns at once, to 1 from ``BINARY_UP_FROM`` and to 0 below.

    Measured on the 10M campus (its 74 optional halls are fractional in the LP): fixing
    them all at once gave 0.50 % at the end, a dive fixing a quarter per LP solve 0.67 %, and
    fixing from 0.7 up 0.73 % (the LP kept more, the rounding lost more)."""
    frac = np.flatnonzero(a.binary & (np.abs(x - np.round(x)) > INT_TOL))
    if len(frac) == 0:
        return x
    lp.fix(frac, (x[frac] >= BINARY_UP_FROM).astype(np.float64))
    return lp.solve(clock)


def _redive(lp: _LP, a: _Arrays, x: np.ndarray, clock: _Clock) -> np.ndarray | None:
    """After ``_dive_binaries``: the binary columns still fractional (the LP left them free
    and moved them once the others were fixed) fixed to 1, and the LP solved again, until
    none is fractional (at most ``MAX_DIVE_ROUNDS`` solves); None if none was fractional
    (the rounding would repeat itself) or a solve fails.

    Measured on the 10M campus (2026-12-02, load 4.9): fixing the 76 fractional optional
    halls takes budget, and the LP then turns one hall it had at 1 down to 0.39; the rounding
    closed it, which lost 32,946 of the start's 47,985 rounding loss, and the start ended at
    0.505 % of the LP bound. Fixed to 1 (4 LP solves, ~0.1 s) the start ends at 0.4935 %;
    fixed to 1 from 0.5 (the first fixing's rule) 0.506 % after 10 solves, from 0.3 0.4935 %.
    Not always better (a budget that fits one hall less is better met by closing it), so
    when its start misses the gap target ``lp_start`` rounds the first fixing's LP too and
    keeps the better start of the two."""
    for rounds in range(MAX_DIVE_ROUNDS):
        frac = np.flatnonzero(a.binary & (np.abs(x - np.round(x)) > INT_TOL))
        if len(frac) == 0:
            return x if rounds > 0 else None
        lp.fix(frac, np.ones(len(frac)))
        solved = lp.solve(clock)
        if solved is None:
            return None
        x = solved
    return None


class _Clock:
    """The start's deadline, and a caller's stop request (a cancel) that ends it early."""

    def __init__(self, seconds: float, stop: Callable[[], bool] | None) -> None:
        self.at = time.perf_counter() + seconds
        self.stop = stop

    def left(self) -> float:
        """Seconds left (0 once stopped)."""
        if self.stop is not None and self.stop():
            return 0.0
        return max(self.at - time.perf_counter(), 0.0)

    def passed(self) -> bool:
        return self.left() <= 0.0


def lp_start(
    lp: Any,
    deadline_s: float,
    seed: int = 0,
    stop: Callable[[], bool] | None = None,
    lp_options: dict[str, Any] | None = None,
    target_gap: float | None = None,
) -> Start | None:
    """A feasible integer point of ``lp`` (a HighsLp MIP) from its LP relaxation, within
    ``deadline_s`` seconds, or None (see the module docstring). ``stop()`` true ends it
    early, at the next step (an LP solve under way runs to its end). ``lp_options``: HiGHS
    options of the first LP solve over the defaults (primal simplex with presolve).
    ``target_gap``: the binary columns the LP makes fractional after the first fixing are
    fixed to 1 (``_redive``) and the rounding starts from that LP; when the start is then
    further than ``target_gap`` from the LP bound, the rounding runs again from the LP of the
    first fixing (if the time left is at least what the first rounding took) and the better
    start is returned. None: the first fixing's LP alone."""
    t0 = time.perf_counter()
    clock = _Clock(deadline_s, stop)
    a = _Arrays(lp)
    relax = _LP(lp, a, seed, lp_options)
    x_lp = relax.solve(clock)
    if x_lp is None:
        return None
    bound = relax.objective()
    t1 = time.perf_counter()
    relax.warm()
    x = _dive_binaries(relax, a, x_lp, clock)
    if x is None:
        return None
    x_up = _redive(relax, a, x, clock) if target_gap is not None else None
    tries = [x] if x_up is None else [x_up, x]
    t2 = time.perf_counter()
    start = _round_and_fill(a, tries[0], clock, seed)
    # a second rounding cut short by the deadline is wasted (its fill ends early): it runs
    # only when the time left is at least what the first took
    fits = clock.left() >= time.perf_counter() - t2
    missed = start is None or (target_gap is not None and _gap(bound, a.cost @ start) > target_gap)
    if len(tries) == 2 and missed and fits:
        again = _round_and_fill(a, tries[1], clock, seed)
        if again is not None and (start is None or _better(a, again, start)):
            start = again
    if start is None:
        return None
    objective = float(a.cost @ start)
    return Start(start, objective, bound, _gap(bound, objective), t1 - t0, time.perf_counter() - t1, a.maximise)


def _gap(bound: float, objective: float) -> float:
    return abs(bound - objective) / max(abs(objective), 1e-9)


def _better(a: _Arrays, x: np.ndarray, than: np.ndarray) -> bool:
    """Whether ``x`` has the better objective (in the model's sense) than ``than``."""
    sign = 1.0 if a.maximise else -1.0
    return bool(sign * float(a.cost @ x - a.cost @ than) > 0.0)


def _round_and_fill(a: _Arrays, x: np.ndarray, clock: _Clock, seed: int) -> np.ndarray | None:
    """Steps 3-6 from the LP values ``x`` (binary columns integral): the start, checked
    against every row, bound and integrality, or None."""
    fixed = a.binary.copy()
    rounded = _rounded(a, x, fixed, clock, seed)
    if rounded is None:
        return None
    rep = Repair(a, rounded, fixed)
    fill(rep, x, clock)
    trim(rep)
    swap(rep, x, clock)
    trim(rep)
    fill(rep, x, clock)
    start = rep.array()
    start[a.integer] = np.round(start[a.integer])
    if np.any(a.gain[~a.integer] > 0):
        # the continuous columns again, for the integer columns the fills raised (implied gains)
        again = _continuous(a, start, clock, seed)
        if again is None:
            return None
        start = again
    if _violation(a, start) > FEAS_TOL:
        return None
    return start


def _rounded(a: _Arrays, x: np.ndarray, fixed: np.ndarray, clock: _Clock, seed: int) -> np.ndarray | None:
    """Steps 3 and 4: ``x`` rounded (value columns to the nearest integer, helpers raised
    from their lower bounds as the rows need), with the continuous columns that fit it.

    If no continuous columns fit (rows the completion leaves to them, such as a demand met
    through continuous allocations, when no column gains: a min-cost model), the helpers
    start again from the LP's values rounded up instead of their lower bounds."""
    value = a.integer & (a.gain > 0) & ~fixed
    helpers = a.integer & ~value & ~fixed
    for helper_start in (a.col_lo, np.ceil(x - INT_TOL)):
        start = x.copy()
        start[fixed] = np.round(x[fixed])
        start[value] = np.floor(x[value] + (1.0 - ROUND_UP_FROM))
        start[helpers] = np.minimum(helper_start[helpers], a.col_up[helpers])
        rep = Repair(a, start, fixed)
        if not complete(rep, fixed):
            continue
        trim(rep, keep_continuous_rows=True)
        found = _continuous(a, rep.array(), clock, seed)
        if found is not None:
            return found
    return None


def _continuous(a: _Arrays, x: np.ndarray, clock: _Clock, seed: int) -> np.ndarray | None:
    """``x`` with its continuous columns from the LP over them alone, every integer column
    fixed at its value in ``x`` (the rows that hold a continuous column, their bounds less the
    integer columns' activity). A small LP of its own: fixing the integers in the relaxation
    and solving it again took 6-9 s on the 10M campus."""
    import highspy

    from dcplan.planner.session import quiet_highs

    cont = np.flatnonzero(~a.integer)
    fixed = x.copy()
    fixed[cont] = 0.0
    if len(cont) == 0:
        return fixed
    act = a.activity(fixed)
    rows = np.flatnonzero(a.continuous_rows)
    row_of = np.full(a.m, -1, dtype=np.int64)
    row_of[rows] = np.arange(len(rows))
    starts, index, value = [0], [], []
    for j in cont.tolist():
        lo, hi = a.start[j], a.start[j + 1]
        index.append(row_of[a.index[lo:hi]])
        value.append(a.value[lo:hi])
        starts.append(starts[-1] + hi - lo)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cont), len(rows)
    lp.sense_ = highspy.ObjSense.kMaximize if a.maximise else highspy.ObjSense.kMinimize
    lp.col_cost_ = a.cost[cont]
    if not np.any(a.cost[cont]):
        # the objective does not see them: as small as the rows allow, so rows that bound
        # them by integer columns (alloc <= compute of the units) keep room for swaps
        lp.sense_, lp.col_cost_ = highspy.ObjSense.kMinimize, np.ones(len(cont))
    lp.col_lower_, lp.col_upper_ = a.col_lo[cont], a.col_up[cont]
    lp.row_lower_, lp.row_upper_ = a.row_lo[rows] - act[rows], a.row_up[rows] - act[rows]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.concatenate(index).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate(value)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = lp.num_col_, lp.num_row_
    h = quiet_highs()
    for name, v in {
        "threads": 1,
        "random_seed": int(seed),
        "time_limit": clock.left(),
    }.items():
        h.setOptionValue(name, v)
    h.passModel(lp)
    run_highs(h)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    fixed[cont] = np.asarray(h.getSolution().col_value, dtype=np.float64)
    return fixed
