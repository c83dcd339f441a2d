"""The integer moves of the LP-rounding start (planner/start.py, steps 3 and 5): a value
column raised or lowered with the helper columns its rows then need (``Repair``), the
completion that makes every row hold (``complete``), helpers lowered where their rows allow
(``trim``), the fill towards the LP's values and beyond (``fill``) and one-for-some swaps
(``swap``). They read the model through planner.start's ``_Arrays`` and stop at its clock.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from dcplan.planner.start import _Arrays as Arrays
    from dcplan.planner.start import _Clock as Clock

#: a value this close to an integer is that integer
INT_TOL = 1e-6
#: a row with more entries than this (a budget, a site) is not where swaps trade columns
DENSE_ROW_ENTRIES = 64
#: the most repair steps one raise may take before it is given up
MAX_REPAIR_STEPS = 400


class Repair:
    """Integer moves that keep every row: a value column raised (or lowered) and the other
    integer columns raised as the rows then need. ``x`` and ``act`` are Python lists."""

    def __init__(self, a: Arrays, x: np.ndarray, fixed: np.ndarray) -> None:
        self.a = a
        self.x = x.tolist()
        self.act = a.activity(x).tolist()
        value = a.integer & (a.gain > 0) & ~fixed
        self.value = value
        self.frozen: set[int] = set()  # helpers lowered to make a row hold: never raised again
        shared = a.repair_lists(fixed)
        self.lo, self.up, self.hi_tol, self.lo_tol, self.col_up, self.gain, self.lowers, self.raises = shared

    def excess(self, i: int, act: float) -> float:
        """How far ``act`` is above the row's upper bound (> 0) or below its lower (< 0)."""
        if act > self.hi_tol[i]:
            return act - self.up[i]
        if act < self.lo_tol[i]:
            return act - self.lo[i]
        return 0.0

    def move(self, j: int, delta: int) -> tuple[dict[int, float], dict[int, float], float] | None:
        """Raise column ``j`` by ``delta`` and the helpers its rows then need: (column
        changes, row activity changes, objective gain), or None if some row cannot hold."""
        change: dict[int, float] = {j: float(delta)}
        dact: dict[int, float] = {}
        queue = self._apply(j, float(delta), dact)
        steps = 0
        while queue:
            i = queue.pop()
            steps += 1
            if steps > MAX_REPAIR_STEPS:
                return None
            ex = self.excess(i, self.act[i] + dact.get(i, 0.0))
            if ex == 0.0:
                continue
            step = self._helper(i, ex, change)
            if step is None:
                return None
            k, amount = step
            change[k] = change.get(k, 0.0) + amount
            queue.extend(self._apply(k, amount, dact))
        return change, dact, sum(self.gain[k] * d for k, d in change.items())

    def _apply(self, j: int, amount: float, dact: dict[int, float]) -> list[int]:
        rows = []
        for i, v in self.a.cols[j]:
            dact[i] = dact.get(i, 0.0) + v * amount
            rows.append(i)
        return rows

    def _helper(self, i: int, ex: float, change: dict[int, float]) -> tuple[int, float] | None:
        """The cheapest helper raise that brings row ``i`` back within its bounds."""
        for k, v in self.lowers[i] if ex > 0 else self.raises[i]:
            if k in self.frozen:
                continue
            amount = math.ceil(abs(ex) / abs(v) - 1e-9)
            if self.x[k] + change.get(k, 0.0) + amount <= self.col_up[k] + INT_TOL:
                return k, float(amount)
        return None

    def commit(self, change: dict[int, float], dact: dict[int, float]) -> None:
        for k, d in change.items():
            self.x[k] += d
        for i, d in dact.items():
            self.act[i] += d

    def array(self) -> np.ndarray:
        return np.asarray(self.x, dtype=np.float64)


def complete(rep: Repair, fixed: np.ndarray) -> bool:
    """Raise helper columns (and shed value columns where no raise helps) until every row
    without a continuous column holds; False if some row cannot be made to hold."""
    a = rep.a
    queue = [i for i in range(a.m) if not a.continuous_rows[i] and rep.excess(i, rep.act[i]) != 0.0]
    steps = 0
    while queue:
        i = queue.pop()
        ex = rep.excess(i, rep.act[i])
        if ex == 0.0:
            continue
        steps += 1
        if steps > 50 * a.m:
            return False
        step = rep._helper(i, ex, {}) or _shed(rep, i, ex) or _lower_helper(rep, i, ex)
        if step is None:
            return False
        k, amount = step
        dact: dict[int, float] = {}
        queue.extend(r for r in rep._apply(k, amount, dact) if not a.continuous_rows[r])
        rep.commit({k: amount}, dact)
    return True


def _lower_helper(rep: Repair, i: int, ex: float) -> tuple[int, float] | None:
    """Lower the raised helper column of row ``i`` that does most for it, never to be raised
    again: the rows that needed it then shed value columns."""
    best: tuple[float, int, float] | None = None
    for j, v in rep.a.rows[i]:
        if rep.value[j] or j in rep.frozen or (v > 0) != (ex > 0) or rep.x[j] - rep.a.col_lo[j] <= INT_TOL:
            continue
        if rep.a.integer[j] and (best is None or abs(v) * rep.x[j] > best[0]):
            amount = min(rep.x[j] - rep.a.col_lo[j], math.ceil(abs(ex) / abs(v) - 1e-9))
            best = (abs(v) * rep.x[j], j, -float(amount))
    if best is None:
        return None
    rep.frozen.add(best[1])
    return best[1], best[2]


def _shed(rep: Repair, i: int, ex: float) -> tuple[int, float] | None:
    """Lower the value column of row ``i`` that loses the least gain per unit of the row."""
    best: tuple[float, int, float] | None = None
    for j, v in rep.a.rows[i]:
        if not rep.value[j] or rep.x[j] <= INT_TOL or (v > 0) != (ex > 0):
            continue
        amount = min(rep.x[j], math.ceil(abs(ex) / abs(v) - 1e-9))
        cost = rep.gain[j] / abs(v)
        if best is None or cost < best[0]:
            best = (cost, j, -float(amount))
    return None if best is None else (best[1], best[2])


def trim(rep: Repair, keep_continuous_rows: bool = False) -> None:
    """Lower every raised helper column as far as its rows allow (frees budget rows);
    ``keep_continuous_rows``: not the ones in a row with a continuous column (their values
    are not known yet)."""
    a = rep.a
    for k in np.flatnonzero(a.integer & ~rep.value & (a.gain <= 0)).tolist():
        if keep_continuous_rows and any(a.continuous_rows[i] for i, _ in a.cols[k]):
            continue
        _trim_column(rep, k)


def _trim_column(rep: Repair, k: int) -> tuple[dict[int, float], dict[int, float], float] | None:
    """Lower helper column ``k`` as far as its rows allow; the move made, if any."""
    a = rep.a
    room = rep.x[k] - a.col_lo[k]
    if room <= INT_TOL:
        return None
    for i, v in a.cols[k]:
        if v < 0 and math.isfinite(rep.up[i]):
            room = min(room, (rep.up[i] + a.tol(rep.up[i]) - rep.act[i]) / -v)
        elif v > 0 and math.isfinite(rep.lo[i]):
            room = min(room, (rep.act[i] - rep.lo[i] + a.tol(rep.lo[i])) / v)
    drop = math.floor(room + INT_TOL)
    if drop < 1:
        return None
    dact: dict[int, float] = {}
    rep._apply(k, -float(drop), dact)
    change = {k: -float(drop)}
    rep.commit(change, dact)
    return change, dact, -rep.gain[k] * drop


def fill(rep: Repair, target: np.ndarray, clock: Clock) -> None:
    """Raise value columns while every row holds and the objective gains: towards
    ``target`` (the LP's values) first, then each as far as it goes, largest gain first."""
    a = rep.a
    value = np.flatnonzero(rep.value)
    wanted = [j for j in value[np.argsort(-a.gain[value], kind="stable")].tolist()]
    for j, towards in [(j, True) for j in wanted] + [(j, False) for j in wanted]:
        if clock.passed():
            return
        room = (math.ceil(target[j] - INT_TOL) if towards else a.col_up[j]) - rep.x[j]
        delta = int(min(room, 1 << 20))
        while delta >= 1:
            moved = rep.move(j, delta)
            if moved is not None and moved[2] > 0:
                rep.commit(moved[0], moved[1])
                if towards:
                    break
                delta = min(delta, int(a.col_up[j] - rep.x[j]))
                continue
            delta //= 2


def _neighbours(rep: Repair) -> dict[int, list[int]]:
    """Per value column, the other value columns it shares a row of at most
    ``DENSE_ROW_ENTRIES`` entries with (the ones a swap trades it for)."""
    out: dict[int, set[int]] = {}
    for entries in rep.a.rows:
        if len(entries) > DENSE_ROW_ENTRIES:
            continue
        members = [j for j, _ in entries if rep.value[j]]
        for j in members:
            out.setdefault(j, set()).update(k for k in members if k != j)
    return {j: sorted(ks) for j, ks in out.items()}


def swap(rep: Repair, target: np.ndarray, clock: Clock) -> None:
    """Lower a value column by one and raise its neighbours while they fit; kept when the
    objective gains. Columns furthest below their LP value's neighbourhood go first."""
    near = _neighbours(rep)
    behind = {j: sum(rep.gain[k] * max(target[k] - rep.x[k], 0.0) for k in ks) for j, ks in near.items()}
    for j in sorted(near, key=lambda j: -behind[j]):
        if clock.passed():
            return
        if behind[j] <= 0 or rep.x[j] - rep.a.col_lo[j] < 1 - INT_TOL:
            continue
        down = rep.move(j, -1)
        if down is None:
            continue
        rep.commit(down[0], down[1])
        undo = [down]
        helpers = {
            k
            for i, _ in rep.a.cols[j]
            if len(rep.a.rows[i]) <= DENSE_ROW_ENTRIES
            for k, _ in rep.a.rows[i]
            if rep.a.integer[k] and not rep.value[k]
        }
        for k in sorted(helpers):
            if k not in rep.frozen and (trimmed := _trim_column(rep, k)) is not None:
                undo.append(trimmed)
        gained = sum(step[2] for step in undo)
        for k in near[j]:
            up = rep.move(k, 1)
            while up is not None and up[2] > 0:
                rep.commit(up[0], up[1])
                undo.append(up)
                gained += up[2]
                up = rep.move(k, 1)
        if gained <= 1e-9 * max(1.0, abs(rep.gain[j])):
            for change, dact, _ in reversed(undo):
                rep.commit({k: -d for k, d in change.items()}, {i: -d for i, d in dact.items()})
