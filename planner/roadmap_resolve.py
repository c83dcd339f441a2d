"""Marginal values of each period's binding limits by incremental MIP re-solves of the roadmap.

The single-period "re-solve" method (planner.marginals) on the time-expanded model: the
roadmap MIP is loaded once into a Session (the solve's kind: a pooled HiGHS child or in
process); per binding limit of period t, that limit's row in block t gets its upper bound
raised by one step (planner.marginals.STEPS: +1 MW, +100 m2) IN PERIOD t ONLY, the run
starts from the plan's columns (a relaxation keeps the plan feasible), and the bound is put
back. The value is

- max-cumulative-delivered: the change of cumulative delivered work over the horizon
  [PFLOP-days] (the roadmap's phase-1 objective, ``RoadmapModel.work``: sum_t w_t days_t
  delivered_t) per step of the limit in period t;
- min-npv-tco: the NPV of TCO saved [MUSD] per step of the limit in period t.

A change is a value only when it exceeds the two runs' absolute gaps (|bound - objective| of
the base solve and of the re-solve, summed); a smaller one is noise and the limit keeps its
LP estimate (planner.roadmap_marginals), saying so. A limit whose LP estimate is within the
plan's own absolute gap is not re-solved (no re-solve could tell its change from noise). Limits are re-solved largest LP
estimate first, each with (budget left) / (re-solves left) seconds, capped at the solve's
time limit; the ones the budget does not reach keep their LP estimate with that reason.
Binding here is planner.recheck's sense: a slack below one unit's worth (``binding_rows``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dcplan.planner.marginals import MIN_SLICE_S, MODEL_UNITS, ROW_FAMILIES, STEPS, session_options

BINDING_TOL = 1e-6
RESOLVE_NOTE = (
    "re-solve: the roadmap MIP with this limit one step looser in this period only, warm-started from "
    "the plan; the value is the change of the roadmap objective (cumulative delivered PFLOP-days over the "
    "horizon, or NPV of TCO saved) outside the two runs' gaps"
)


@dataclass
class Resolved:
    """What the re-solve of one row gave: a value, or why there is none."""

    value: float | None  # PFLOP-days gained or MUSD of NPV saved; None: see why
    why: str
    method: str = "re-solve"


@dataclass
class Resolves:
    """Re-solve results by roadmap row name ``(family, (t, scope))``."""

    by_row: dict[tuple[str, Any], Resolved] = field(default_factory=dict)
    targets: set[tuple[str, Any]] = field(default_factory=set)  # every binding row meant to be re-solved
    #: binding rows not re-solved: their LP estimate is within the plan's own absolute gap
    #: (no re-solve could tell such a change from noise) -> that gap
    within_gap: dict[tuple[str, Any], float] = field(default_factory=dict)
    why_none: str = ""  # why nothing was re-solved (empty: see by_row)
    budget_s: float = 0.0


def binding_rows(model: Any, x: np.ndarray, families: set[str]) -> list[int]:
    """Rows of ``families`` binding at x, as planner.recheck calls a limit binding: the slack
    ``upper - A x`` below one unit's worth (the largest coefficient of an integer column in
    the row, e.g. one unit's kW) or within BINDING_TOL (relative) of the bound."""
    lp = model.lp
    starts = np.asarray(lp.a_matrix_.start_, dtype=np.int64)
    index = np.asarray(lp.a_matrix_.index_, dtype=np.int64)
    value = np.asarray(lp.a_matrix_.value_, dtype=np.float64)
    cols = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
    activity = np.bincount(index, weights=value * x[cols], minlength=int(lp.num_row_))
    integer = np.asarray([int(v) != 0 for v in lp.integrality_], dtype=bool)[cols]
    one_unit = np.zeros(int(lp.num_row_))
    np.maximum.at(one_unit, index[integer], np.abs(value[integer]))
    upper = np.asarray(lp.row_upper_, dtype=np.float64)
    out = []
    for i, (family, _) in enumerate(model.rows):
        slack = upper[i] - activity[i]
        at_bound = math.isfinite(upper[i]) and slack < max(one_unit[i], BINDING_TOL * max(1.0, abs(upper[i])))
        if family in families and at_bound:
            out.append(i)
    return out


def _objective_lp(model: Any) -> tuple[Any, np.ndarray]:
    """The LP the re-solves run and its objective per column: the work alone (maximised) for
    max-cumulative-delivered, the NPV TCO (minimised) for min-npv-tco."""
    from dcplan.planner.roadmap_solve import _lp_with

    if model.work is not None:
        return _lp_with(model.lp, cost=model.work), np.asarray(model.work, dtype=np.float64)
    return model.lp, np.asarray(model.lp.col_cost_, dtype=np.float64)


def _abs_gap(run: Any) -> float:
    if run.objective is not None and run.bound is not None and math.isfinite(run.bound):
        return abs(run.bound - run.objective)
    return 0.0 if run.status == "optimal" else math.inf


def resolve_limits(
    outcome: Any,
    settings: Any,
    budget_s: float,
    estimates: dict[int, float],
    stop: Callable[[], bool] | None = None,
) -> Resolves:
    """Re-solve every binding valued row of the solved roadmap ``outcome`` (module docstring)
    within ``budget_s`` seconds; ``estimates``: row -> LP estimate (the order of the runs)."""
    from dcplan.planner.roadmap_solve import roadmap_options
    from dcplan.planner.solve import close_session, open_session

    model, x = outcome.model, np.asarray(outcome.col_value, dtype=np.float64)
    step_of = {ROW_FAMILIES[limit]: size * MODEL_UNITS[unit] for limit, (size, unit) in STEPS.items()}
    families = {ROW_FAMILIES[limit] for limit in STEPS if "budget" not in limit}
    rows = binding_rows(model, x, families)
    if not rows:
        return Resolves(why_none="no binding limit to re-solve")
    deadline = time.perf_counter() + budget_s
    rows.sort(key=lambda i: -abs(estimates.get(i, 0.0)) * step_of[model.rows[i][0]])  # largest estimate first
    lp, objective = _objective_lp(model)
    sign = 1.0 if model.work is not None else -1.0  # a gain of work, or NPV saved
    base = float(objective @ x)
    base_noise = (
        abs(outcome.bound - outcome.objective) if outcome.bound is not None and outcome.objective is not None else 0.0
    )
    out = Resolves(targets={model.rows[i] for i in rows}, budget_s=budget_s)
    if base_noise > 1e-6 * max(1.0, abs(base)):  # a plan with a gap: small estimates cannot be told from noise
        for i in [i for i in rows if i in estimates and abs(estimates[i]) * step_of[model.rows[i][0]] <= base_noise]:
            out.within_gap[model.rows[i]] = base_noise
            rows.remove(i)
    if budget_s <= MIN_SLICE_S:
        out.why_none = f"no time left in the marginal-value budget ({budget_s:.2f} s after the LP)"
        return out
    session = open_session(settings)
    if stop is not None:  # a cancel stops the run in progress too (its result is then discarded)
        from dcplan.planner.marginals import _StopEvent

        session.watch(None, _StopEvent(stop))
    try:
        session.set_options(roadmap_options(settings, model) | session_options(settings))
        session.load(lp)
        lower = np.asarray(lp.row_lower_, dtype=np.float64)
        upper = np.asarray(lp.row_upper_, dtype=np.float64)
        for k, row in enumerate(rows):
            left_s = deadline - time.perf_counter()
            if left_s <= MIN_SLICE_S or (stop is not None and stop()):
                break
            slice_s = min(left_s / (len(rows) - k), settings.time_limit_s)
            step = step_of[model.rows[row][0]]
            session.change_row_bounds(row, float(lower[row]), float(upper[row]) + step)
            session.set_start(x)
            try:
                run = session.run(slice_s)
            finally:
                session.change_row_bounds(row, float(lower[row]), float(upper[row]))
            if stop is not None and stop():
                break  # the run the cancel interrupted is discarded
            out.by_row[model.rows[row]] = _judged(run, objective, base, sign, base_noise, slice_s)
    finally:
        close_session(session, settings)
    return out


def _judged(run: Any, objective: np.ndarray, base: float, sign: float, base_noise: float, slice_s: float) -> Resolved:
    """The re-solve's change as the value, unless it is noise or there is no plan."""
    if not run.has_solution or run.col_value is None:
        return Resolved(None, f"the re-solve found no plan within its {slice_s:.2f} s ({run.status})")
    value = sign * (float(objective @ np.asarray(run.col_value)) - base)
    noise = base_noise + _abs_gap(run)
    if not math.isfinite(noise):
        return Resolved(None, f"the re-solve stopped after its {slice_s:.2f} s ({run.status}) without a bound")
    if noise > 1e-6 * max(1.0, abs(base)) and abs(value) <= noise:
        return Resolved(None, f"the re-solve's change ({value:+,.4g}) is within the two runs' gaps (±{noise:,.4g})")
    method = "re-solve" if run.status == "optimal" else f"re-solve {run.status}"
    return Resolved(value, "", method)
