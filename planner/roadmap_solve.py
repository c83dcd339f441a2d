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
    SolveOutcome,
    SolveSettings,
    _attach_callbacks,
    _relative_gap,
    _values,
    classify_run,
    close_session,
    highs_options,
    open_session,
    run_termination,
    sigint_stops_highs,
    start_result,
    uses_start,
)


@dataclass
class RoadmapOutcome(SolveOutcome):
    """What the roadmap solve returned: SolveOutcome's status, objective, bound, gap, timings,
    termination and highs_settings (``model`` the RoadmapModel; ``values`` empty: they are
    per period), one SolveOutcome per period, the linking values and the money per period
    [MUSD] (undiscounted).

    ``objective``, ``bound`` and ``gap``: max-cumulative-delivered, the cumulative work
    sum_t w_t days_t delivered_t [PFLOP-days] (optimised first; NPV TCO then minimised with
    the work fixed: ``npv_tco_musd``); min-npv-tco, the NPV TCO [MUSD]."""

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
    options = roadmap_options(settings, model)
    run_settings = settings if settings.cancel is not None else replace(settings, cancel=threading.Event())
    tried = roadmap_uses_start(settings, model)
    start = roadmap_start(model, run_settings) if tried else None
    if start is not None:
        options = {**options, "start": "lp-rounding", "start_gap": f"{start.gap:.6g}"}
        cancelled = run_settings.cancel is not None and run_settings.cancel.is_set()
        if start.gap <= settings.rel_gap or cancelled:
            result = start_result(start, None, settings.rel_gap)
            if model.work is not None and not cancelled:
                # the start alone meets the gap on the work: phase 1 is done, the NPV polish
                # (phase 2) still picks the cheapest plan of that work
                result, polished = _polish_start(model, settings, run_settings, result, t1)
                options = {**options, "polish": polished}
            t3 = time.perf_counter()
            return _outcome(model, result, run_settings, options, (build_s, 0.0, t3 - t1))
    result, polish, t2 = _run(model, settings, run_settings, start, t1 if tried else None)
    if polish is not None:
        options = {**options, "polish": polish}
    t3 = time.perf_counter()
    final = start_result(start, result, settings.rel_gap) if start is not None else result
    return _outcome(model, final, run_settings, options, (build_s, t2 - t1, t3 - t2))


def _run(
    model: RoadmapModel, settings: SolveSettings, run_settings: SolveSettings, start: Any, started: float | None
) -> tuple[Any, str | None, float]:
    """HiGHS on the session: phase 1 (and the polish), or the one phase of min-npv-tco;
    (result, what the polish did or None, when HiGHS started). ``started``: when the start
    began, whose time counts towards the limit. SIGINT: KeyboardInterrupt once HiGHS stopped."""
    run_session = open_session(settings)
    two_phase = model.work is not None
    polish = None
    try:
        run_session.set_options(_phase_options(settings, model, two_phase))
        run_session.load(_lp_with(model.lp, cost=model.work) if model.work is not None else model.lp)
        if start is not None:
            run_session.set_start(start.col_value)
        t2 = time.perf_counter()
        limit_s = settings.time_limit_s - (t2 - started if started is not None else 0.0)
        _attach_callbacks(run_session, run_settings, t2)
        with sigint_stops_highs(run_settings) as interrupted:
            result = run_session.run(max(limit_s * (1.0 - POLISH_SHARE if two_phase else 1.0), 0.0))
            cancelled = run_settings.cancel is not None and run_settings.cancel.is_set()
            if two_phase and result.has_solution and not cancelled:
                result = _polish(model, run_session, result, settings, limit_s - (time.perf_counter() - t2))
                polish = result.detail
    finally:
        close_session(run_session, settings)
    if interrupted.is_set():
        raise KeyboardInterrupt
    return result, polish, t2


def _polish_start(
    model: RoadmapModel, settings: SolveSettings, run_settings: SolveSettings, first: Any, started: float
) -> tuple[Any, str]:
    """Phase 2 (``_polish``) on the LP-rounding start that met the gap alone, on a session
    of its own, in the time left of the limit (``started``: when the start began);
    (the polished result, what the polish did). SIGINT: KeyboardInterrupt once HiGHS stopped."""
    run_session = open_session(settings)
    try:
        run_session.set_options(_phase_options(settings, model, two_phase=True))
        t2 = time.perf_counter()
        _attach_callbacks(run_session, run_settings, t2)
        with sigint_stops_highs(run_settings) as interrupted:
            result = _polish(model, run_session, first, settings, settings.time_limit_s - (t2 - started))
    finally:
        close_session(run_session, settings)
    if interrupted.is_set():
        raise KeyboardInterrupt
    return result, result.detail


#: max-cumulative-delivered runs in two phases (``_polish``): the MIP on the work alone, then
#: the NPV TCO minimised with what delivers work fixed. Measured on the XL roadmap campus over
#: 10 quarters (load 11): 5.0 s + 0.27 s to 0.45 %, where the one-phase MIP with the eps x NPV
#: costs took 14.2 s (load 7): those tiny costs on every column made the LP 3-7x slower.
#: Phase 1's gap target is PHASE_GAP_SHARE x rel_gap (the cost term moves the objective by at
#: most 1 % of one unit's work: ~1e-9 of it on the campus), the polish gets POLISH_SHARE of
#: the time limit, and fixes these block columns at phase 1's values
PHASE_GAP_SHARE = 0.999
POLISH_SHARE = 0.1
POLISH_GAP = 1e-4
POLISH_FIXED = frozenset({"units", "rent", "alloc", "port"})


def _phase_options(settings: SolveSettings, model: RoadmapModel, two_phase: bool) -> dict[str, Any]:
    options = roadmap_options(settings, model)
    if two_phase:
        options["mip_rel_gap"] = settings.rel_gap * PHASE_GAP_SHARE
    return options


def _lp_with(lp: Any, cost: Any = None, lower: Any = None, upper: Any = None, sense: Any = None) -> Any:
    """A copy of the HighsLp ``lp`` with other costs, column bounds or sense."""
    import highspy

    out = highspy.HighsLp()
    for name in ("num_col_", "num_row_", "sense_", "col_cost_", "col_lower_", "col_upper_", "row_lower_"):
        setattr(out, name, getattr(lp, name))
    out.row_upper_, out.integrality_, out.a_matrix_ = lp.row_upper_, lp.integrality_, lp.a_matrix_
    for name, value in (("col_cost_", cost), ("col_lower_", lower), ("col_upper_", upper), ("sense_", sense)):
        if value is not None:
            setattr(out, name, value)
    return out


def _polish(model: RoadmapModel, session: Any, first: Any, settings: SolveSettings, left_s: float) -> Any:
    """Phase 2: minimise NPV TCO with the columns that deliver work (POLISH_FIXED block
    columns) fixed at phase 1's values, started from phase 1's plan (the plan of lower NPV
    of the two; their work is the same). Objective, bound and gap stay phase 1's: the work
    [PFLOP-days], the objective's first term, optimised first (what eps x NPV TCO in one
    objective meant: cost only breaks ties). ``detail``: what the polish did."""
    import highspy

    from dcplan.planner.session import RunResult

    x = np.asarray(first.col_value, dtype=np.float64)
    fixed = np.array([name in POLISH_FIXED for name, _ in model.columns[: _first_linking(model)]], dtype=bool)
    fixed = np.concatenate([fixed, np.zeros(model.num_col - len(fixed), dtype=bool)])
    if model.work is not None:
        fixed |= model.work != 0  # every column that delivers work (a hook's too)
    lower, upper = np.asarray(model.lp.col_lower_), np.asarray(model.lp.col_upper_)
    lp = _lp_with(
        model.lp,
        cost=model.npv_tco,
        lower=np.where(fixed, x, lower),
        upper=np.where(fixed, x, upper),
        sense=highspy.ObjSense.kMinimize,
    )
    session.set_options({"mip_rel_gap": POLISH_GAP})
    session.load(lp)
    session.set_start(x)
    # the polish minimises NPV TCO: its incumbents are not the objective the progress
    # reports describe (the work), so it reports none; the cancel still stops it
    session.watch(None, session.cancel)
    second = session.run(max(left_s, 0.0))
    polished = second.has_solution and second.col_value is not None
    polished = polished and model.npv_tco @ second.col_value <= model.npv_tco @ x
    y = np.asarray(second.col_value, dtype=np.float64) if polished else x
    return RunResult(
        status=first.status,
        has_solution=True,
        objective=first.objective,
        bound=first.bound,
        gap=first.gap,
        col_value=y,
        row_dual=None,
        elapsed_s=first.elapsed_s + second.elapsed_s,
        detail=("polished: " if polished else "not polished: ") + second.detail,
        model_status=first.model_status,
    )


def _first_linking(model: RoadmapModel) -> int:
    """The first column that is not a block column."""
    return model.block_start[-1] + model.blocks[-1].num_col


def roadmap_options(settings: SolveSettings, model: RoadmapModel) -> dict[str, Any]:
    """``planner.solve.highs_options`` with presolve ``auto`` meaning HiGHS's ``choose`` at
    every size: on the roadmap campus HiGHS's presolve pays (XL over 5 quarters, 6,495
    columns: 4.7 s to 0.48 % with it, where the start and HiGHS without it took 9.4 s; over
    10 quarters 14.2 s; load 7), unlike the single-period campuses' presolve-off rule."""
    options = highs_options(settings, model.num_col, model.num_row, model.nnz)
    if settings.presolve == "auto":
        options["presolve"] = "choose"
    return options


def roadmap_uses_start(settings: SolveSettings, model: RoadmapModel) -> bool:
    """The LP-rounding start runs only when asked (``start = "on"``): ``auto`` is off for the
    roadmap, measured above (the start's rounding repairs take most of its time on the
    stacked periods and leave 0.6-0.8 % to close). An unknown value is one clear error."""
    if settings.start == "auto":
        return False
    return uses_start(settings, model.num_col, delivered=True)


#: the start's first LP: dual simplex (on the roadmap campus the primal simplex start.py uses
#: for one period took 4x as long: 27 s against 6.7 s for 10 XL periods at load 7)
START_LP_OPTIONS = {"simplex_strategy": 1}


def roadmap_start(model: RoadmapModel, settings: SolveSettings) -> Any:
    """The LP-rounding start (planner/start.py) on the roadmap, or None.

    max-cumulative-delivered: the start works on the objective without its cost term
    (``model.work``): the LP with the tiny eps x NPV costs on every column took 3-7x the
    simplex time of the work-only LP (10 XL periods: 13.4 s against 1.9 s, load 7.7); the
    start's objective and gap are the work's, as phase 1 of the MIP (``_polish``)."""
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
    return start


def _outcome(
    model: RoadmapModel, result: Any, settings: SolveSettings, options: dict[str, Any], times: tuple[float, ...]
) -> RoadmapOutcome:
    cancelled = settings.cancel is not None and settings.cancel.is_set()
    killed = result.detail.startswith("watchdog")
    # a watchdog stop without a user cancel (inside the root's cut loop on the XL roadmap) is
    # the time limit: planner.solve.classify_run's rule, as for a single-period solve
    status = classify_run(result.model_status, result.has_solution, cancelled)
    termination = run_termination(result.model_status, killed, cancelled)
    highs_settings = {"presolve": options["presolve"], "process": settings.process}
    highs_settings.update((k, options[k]) for k in ("start", "start_gap", "polish") if k in options)
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
    primary = model.work if model.work is not None else np.asarray(model.lp.col_cost_)
    outcome.objective = float(np.dot(primary, x))
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
    first = _first_linking(model)
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
