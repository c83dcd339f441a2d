"""Solve the roadmap MIP (planner.roadmap_model) with HiGHS, as planner.solve does one period.

The same session (a pooled HiGHS child with its watchdog, or in process), the same HiGHS
options by model size (``planner.solve.highs_options``), the same LP-rounding start
(planner/start.py works on any column-wise MIP; ``uses_start`` with the delivered
threshold, since the cumulative objective gains on continuous allocations when the
scenario has workloads), the same cancel event and SIGINT handling, and the same status
words (``planner.solve.classify_run``): optimal, feasible-with-gap, cancelled, infeasible,
no-plan-within-limit, and KeyboardInterrupt for SIGINT.

Each period's values are handed back as a single-period ``SolveOutcome`` (``periods[t]``:
its block's DirectModel and values in single-period naming, its compute and undiscounted
capex + opex as ``tco_musd``) so planner.evaluate / recheck / build_plan read a period as
they read a plan; the linking values are in ``linking[name][(t, index)]``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from dcplan.planner.roadmap_model import RoadmapModel, build_roadmap
from dcplan.planner.roadmap_types import RoadmapInputs
from dcplan.planner.solve import (
    SOLUTION_STATUSES,
    TERMINATION,
    SolveOutcome,
    SolveSettings,
    Status,
    _attach_callbacks,
    _relative_gap,
    _values,
    classify_run,
    close_session,
    highs_options,
    open_session,
    sigint_stops_highs,
    start_result,
    uses_start,
)


@dataclass
class RoadmapOutcome:
    """What the roadmap solve returned: status and figures like SolveOutcome, one SolveOutcome
    per period, the linking values and the money per period [MUSD] (undiscounted)."""

    status: Status
    model: RoadmapModel
    objective: float | None
    bound: float | None
    gap: float | None
    build_s: float
    handover_s: float
    solve_s: float
    termination: str
    highs_settings: dict[str, Any] = field(default_factory=dict)
    periods: list[SolveOutcome] = field(default_factory=list)
    linking: dict[str, dict[tuple[Any, ...], float]] = field(default_factory=dict)
    capex_musd: list[float] = field(default_factory=list)
    opex_musd: list[float] = field(default_factory=list)
    delivered_pflops: list[float] = field(default_factory=list)
    residual_musd: float | None = None
    npv_tco_musd: float | None = None
    col_value: np.ndarray | None = None

    @property
    def has_solution(self) -> bool:
        return self.status in SOLUTION_STATUSES and self.col_value is not None


def solve_roadmap(inputs: RoadmapInputs, settings: SolveSettings | None = None) -> RoadmapOutcome:
    """Build, hand over and solve the roadmap; read back every period's values if a plan exists.

    Raises KeyboardInterrupt when SIGINT arrived during the HiGHS run (after HiGHS stops).
    """
    settings = settings or SolveSettings()
    t0 = time.perf_counter()
    model = build_roadmap(inputs)
    return solve_roadmap_model(model, settings, t0)


def solve_roadmap_model(model: RoadmapModel, settings: SolveSettings, t0: float | None = None) -> RoadmapOutcome:
    """Solve a built roadmap model (``t0``: when its build started, for the build time)."""
    t1 = time.perf_counter()
    build_s = t1 - t0 if t0 is not None else model.build_s
    options = highs_options(settings, model.num_col, model.num_row, model.nnz)
    run_settings = settings if settings.cancel is not None else replace(settings, cancel=threading.Event())
    tried = uses_start(settings, model.num_col, delivered=True)
    start = roadmap_start(model, run_settings) if tried else None
    if start is not None:
        options = {**options, "start": "lp-rounding", "start_gap": f"{start.gap:.6g}"}
        if start.gap <= settings.rel_gap or (run_settings.cancel is not None and run_settings.cancel.is_set()):
            t3 = time.perf_counter()
            result = start_result(start, None, settings.rel_gap)
            return _outcome(model, result, run_settings, options, (build_s, 0.0, t3 - t1))
    run_session = open_session(settings)
    try:
        run_session.set_options(highs_options(settings, model.num_col, model.num_row, model.nnz))
        run_session.load(model.lp)
        if start is not None:
            run_session.set_start(start.col_value)
        t2 = time.perf_counter()
        limit_s = settings.time_limit_s - (t2 - t1 if tried else 0.0)
        _attach_callbacks(run_session, run_settings, t2)
        with sigint_stops_highs(run_settings) as interrupted:
            result = run_session.run(max(limit_s, 0.0))
    finally:
        close_session(run_session, settings)
    if interrupted.is_set():
        raise KeyboardInterrupt
    t3 = time.perf_counter()
    if start is not None:
        result = start_result(start, result, settings.rel_gap)
    return _outcome(model, result, run_settings, options, (build_s, t2 - t1, t3 - t2))


#: the start's first LP: dual simplex (on the roadmap campus the primal simplex start.py uses
#: for one period took 4x as long: 27 s against 6.7 s for 10 XL periods at load 7)
START_LP_OPTIONS = {"simplex_strategy": 1}


def roadmap_start(model: RoadmapModel, settings: SolveSettings) -> Any:
    """The LP-rounding start (planner/start.py) on the roadmap, or None.

    max-cumulative-delivered: the start works on the objective without its cost term
    (``model.work``): the LP with the tiny eps x NPV costs on every column took 3-7x the
    simplex time of the work-only LP (10 XL periods: 13.4 s against 1.9 s, load 7.7). Its LP
    optimum is still an upper bound of the full objective since NPV TCO >= 0 (every capex
    term is paid on a non-negative increment, the residual credited for it is at most that
    capex, and df_E <= df_t for a discount rate >= 0), so the start's gap is measured
    against it with the full objective of the rounded point."""
    from dataclasses import replace as dc_replace

    from dcplan.planner.solve import START_SHARE
    from dcplan.planner.start import lp_start

    cancel = settings.cancel
    stop = cancel.is_set if cancel is not None else None
    full = np.array(model.lp.col_cost_, dtype=np.float64)  # a copy: the LP's buffer is replaced below
    if model.work is not None:
        model.lp.col_cost_ = model.work
    try:
        start = lp_start(model.lp, START_SHARE * settings.time_limit_s, settings.seed, stop, START_LP_OPTIONS)
    finally:
        model.lp.col_cost_ = full
    if start is None or model.work is None:
        return start
    objective = float(full @ start.col_value)
    gap = abs(start.lp_bound - objective) / max(abs(objective), 1e-9)
    return dc_replace(start, objective=objective, gap=gap)


def _outcome(
    model: RoadmapModel, result: Any, settings: SolveSettings, options: dict[str, Any], times: tuple[float, ...]
) -> RoadmapOutcome:
    cancelled = settings.cancel is not None and settings.cancel.is_set()
    killed = result.detail.startswith("watchdog")
    status = classify_run(result.model_status, result.has_solution, cancelled)
    termination = "watchdogKilled" if killed else TERMINATION.get(result.model_status, "unknown")
    highs_settings = {"presolve": options["presolve"], "process": settings.process} | {
        k: options[k] for k in ("start", "start_gap") if k in options
    }
    outcome = RoadmapOutcome(
        status=status,
        model=model,
        objective=None,
        bound=None,
        gap=None,
        build_s=times[0],
        handover_s=times[1],
        solve_s=times[2],
        termination=termination,
        highs_settings=highs_settings,
    )
    if not (result.has_solution and result.col_value is not None):
        return outcome
    x = np.asarray(result.col_value, dtype=np.float64)
    outcome.col_value = x
    outcome.objective = float(np.dot(np.asarray(model.lp.col_cost_), x))
    outcome.bound = result.bound
    gap = _relative_gap(outcome.objective, outcome.bound)
    outcome.gap = gap if status != "optimal" else gap or 0.0
    outcome.capex_musd = (model.capex @ x).tolist()
    outcome.opex_musd = (model.opex @ x).tolist()
    outcome.delivered_pflops = (model.delivered @ x).tolist()
    outcome.residual_musd = float(model.residual @ x)
    outcome.npv_tco_musd = float(model.npv_tco @ x)
    outcome.periods = [_period(model, t, x, outcome, termination) for t in range(model.periods)]
    outcome.linking = linking_values(model, x)
    return outcome


def _period(model: RoadmapModel, t: int, x: np.ndarray, outcome: RoadmapOutcome, termination: str) -> SolveOutcome:
    """Period t as a single-period SolveOutcome (objective: its delivered PFLOPS)."""
    block = model.blocks[t]
    xt = x[model.block_slice(t)]
    return SolveOutcome(
        status=outcome.status,
        model=block,
        objective=outcome.delivered_pflops[t],
        bound=None,
        gap=outcome.gap,
        build_s=0.0,
        handover_s=0.0,
        solve_s=0.0,
        termination=termination,
        values=_values(block, xt),
        compute_pflops=float(np.dot(block.compute, xt)) if block.compute is not None else None,
        tco_musd=outcome.capex_musd[t] + outcome.opex_musd[t],
        highs_settings=dict(outcome.highs_settings),
    )


def linking_values(model: RoadmapModel, x: np.ndarray) -> dict[str, dict[tuple[Any, ...], float]]:
    """{name: {(t, index): value}} of every column that is not a block column (add, ret,
    rows_built, racks_built and the hooks' columns)."""
    first = model.block_start[-1] + model.blocks[-1].num_col
    out: dict[str, dict[tuple[Any, ...], float]] = {}
    for (name, index), value in zip(model.columns[first:], x[first:].tolist(), strict=True):
        out.setdefault(name, {})[index] = float(value)
    out["ret"] = retirements(model, x, out.get("add", {}))
    return out


def retirements(model: RoadmapModel, x: np.ndarray, add: dict[Any, float]) -> dict[tuple[Any, ...], float]:
    """ret[(t, key)] = units[t-1] + add[t] - units[t] for t >= 1 (the stock rows' slack)."""
    out: dict[tuple[Any, ...], float] = {}
    previous: dict[Any, float] = {}
    for t in range(model.periods):
        base = model.block_start[t]
        current = {i: float(x[base + c]) for c, (n, i) in enumerate(model.blocks[t].columns) if n == "units"}
        if t > 0:
            for key, units in current.items():
                out[(t, key)] = max(0.0, previous.get(key, 0.0) + add.get((t, key), 0.0) - units)
        previous = current
    return out
