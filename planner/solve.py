"""Solve a scenario's MIP with HiGHS: the matrix built with numpy (planner/matrix.py) and
run on a Session (planner/session.py), by default HiGHS in a child process with a watchdog.

- time limit and relative gap options; one thread and a fixed seed, so the same input
  gives the same plan;
- HiGHS settings chosen by model size (``highs_options``; the measured table is in
  tests/bench/test_bench_scale.py), or as the caller sets them (``SolveSettings.presolve``);
- a hard time limit: with the child process (``SolveSettings.process = "child"``) the solve
  returns no later than ``time_limit_s + planner.session.STOP_GRACE_S + KILL_GRACE_S``
  (1 s) after HiGHS starts, with the last incumbent streamed if HiGHS ignores its limit
  (it does inside presolve and primal heuristics);
- for large models and mid-size delivered ones (``uses_start``), the LP-rounding start of
  planner/start.py first: it is
  the plan when it is within the gap target of the LP bound (the 10M-chip campus: 0.49 %
  in ~3 s), else HiGHS's start; its time counts towards the time limit, and the plan
  reports it in ``solver.settings`` (``start``, ``start_gap``). No progress reports or
  cancel checks run inside it (its LP solves honour the limit);
- a progress callback (incumbent, bound, gap, elapsed) fed by HiGHS's MIP callbacks;
- cancellation through HiGHS's MIP, simplex and interior-point interrupt callbacks;
- a time-limited solve returns its best plan and gap, it does not raise;
- Ctrl-C (SIGINT) during the HiGHS run stops HiGHS through the same interrupt callback and
  then raises KeyboardInterrupt, so an interrupted solve never turns into a plan.

The min-cost-per-delivered objective is a loop of such solves on one session
(planner/ratio.py: Dinkelbach's method, the same status words).

The elastic model of the infeasibility diagnosis (``elastic`` non-empty) is still built
with Pyomo (planner/formulation.py) and solved in this process: it runs only for a
proven-infeasible scenario, and its slack terms have no matrix builder yet.

Status words (one exit code each, planner/cli/common.py):

- ``optimal``: the relative gap target was met (exit 0);
- ``feasible-with-gap``: the time limit passed with a plan whose gap is above the target (exit 3);
- ``cancelled``: the caller's cancel event stopped the solve (exit 3 with a plan);
- ``infeasible``: HiGHS proved that no plan exists (exit 4, with the elastic diagnosis);
- ``no-plan-within-limit``: the time limit passed before any plan was found. The problem is
  not known to be infeasible, so no diagnosis is run (exit 5);
- ``interrupted``: SIGINT; never returned, KeyboardInterrupt is raised instead (exit 130).
"""

from __future__ import annotations

import gc
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from dcplan.planner.modeldata import ModelData

Status = Literal["optimal", "feasible-with-gap", "cancelled", "infeasible", "no-plan-within-limit", "interrupted"]
#: Statuses that carry a plan (when the solver returned values).
SOLUTION_STATUSES: tuple[str, ...] = ("optimal", "feasible-with-gap", "cancelled")


@dataclass(frozen=True)
class Progress:
    """One progress report from the solver (objective in the model's units)."""

    incumbent: float | None
    bound: float | None
    gap: float | None
    elapsed_s: float


Presolve = Literal["auto", "choose", "on", "off"]
PRESOLVE_CHOICES: tuple[str, ...] = ("auto", "choose", "on", "off")
StartMode = Literal["auto", "on", "off"]
START_CHOICES: tuple[str, ...] = ("auto", "on", "off")


@dataclass
class SolveSettings:
    """``presolve``: HiGHS's presolve option, or ``auto`` (chosen by model size, see
    ``highs_options``); ``process``: ``child`` (HiGHS in a child process with a watchdog:
    the hard time limit) or ``in-process`` (HiGHS's own time limit only); ``start``: the
    LP-rounding start of planner/start.py, ``auto`` from ``START_FROM_COLUMNS`` columns
    (see ``uses_start``)."""

    time_limit_s: float = 60.0
    rel_gap: float = 1e-3
    threads: int = 1
    seed: int = 0
    on_progress: Callable[[Progress], None] | None = None
    cancel: threading.Event | None = None
    presolve: Presolve = "auto"
    process: Literal["child", "in-process"] = "child"
    start: StartMode = "auto"


@dataclass
class SolveOutcome:
    """What the solver returned, plus timings (seconds)."""

    status: Status
    model: Any
    objective: float | None
    bound: float | None
    gap: float | None
    build_s: float
    handover_s: float
    solve_s: float
    termination: str
    values: dict[str, dict[Any, float]] = field(default_factory=dict)
    compute_pflops: float | None = None
    tco_musd: float | None = None
    #: the HiGHS options the run used that depend on the settings or the model size
    highs_settings: dict[str, Any] = field(default_factory=dict)
    #: min-cost-per-delivered: the plan's ratio, bound and iterations (planner.plan.RatioResult)
    ratio: Any = None

    @property
    def has_solution(self) -> bool:
        return self.status in SOLUTION_STATUSES and bool(self.values)


def _relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None or not math.isfinite(bound) or not math.isfinite(objective):
        return None
    return abs(bound - objective) / max(abs(objective), 1e-9)


def _attach_callbacks(session: Any, settings: SolveSettings, started: float) -> None:
    """Progress reports and the cancel event for the session's next run."""
    on_progress = settings.on_progress

    def report(incumbent: float | None, bound: float | None, gap: float | None, elapsed_s: float) -> None:
        if on_progress is not None:
            on_progress(Progress(incumbent=incumbent, bound=bound, gap=gap, elapsed_s=elapsed_s))

    session.watch(report if on_progress is not None else None, settings.cancel)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while allocating many small objects.

    Building a model (or a large layout) allocates tens of thousands of objects; with
    large plans alive in the process the collector would rescan them several times
    (measured at 1M chips: a 0.05 s build took 0.1 s). Nothing made here is cyclic
    garbage, and the collector runs again as soon as the block ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def sigint_stops_highs(settings: SolveSettings) -> Iterator[threading.Event]:
    """While HiGHS runs, SIGINT sets the cancel event and marks the solve interrupted.

    HiGHS runs in C and its callbacks are where Python code (and so this handler) runs; a
    KeyboardInterrupt raised inside a callback is swallowed by the bindings, so Ctrl-C
    would otherwise either be lost or turn into a "cancelled" plan. The handler only asks
    HiGHS to stop; ``solve_model_data`` raises KeyboardInterrupt once HiGHS has returned.
    HiGHS 1.16 has no callback during presolve: with HiGHS in the child process (the
    default) the watchdog kills a child that has not stopped ``KILL_GRACE_S`` (0.5 s) after
    the cancel, so Ctrl-C takes effect within that; in process (``process="in-process"``,
    and the elastic diagnosis) it takes effect when presolve ends.
    Only the main thread can install a signal handler: elsewhere (UI workers, sweep
    workers) the yielded event is never set and SIGINT keeps its usual meaning.
    """
    interrupted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield interrupted
        return
    previous = signal.getsignal(signal.SIGINT)

    def on_sigint(signum: int, frame: Any) -> None:
        interrupted.set()
        if settings.cancel is not None:
            settings.cancel.set()

    signal.signal(signal.SIGINT, on_sigint)
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


VALUE_COMPONENTS = (
    "units",
    "rows",
    "racks",
    "rent",
    "hall_used",
    "site_used",
    "ups_n",
    "xfmr_n",
    "gen_n",
    "alloc",
    "port",
    "battery_kw",  # planner.matrix_swing
    "battery_kwh",
    "floor_kw",
    "water_class",  # planner.matrix_water
    "heat_reuse",
    "prime_n",  # planner.matrix_onsite
    "prime_kw",
    "curtail",
    "curtail_loss",
)


def classify(termination: Any, has_solution: bool, cancelled: bool) -> Status:
    """The status word of a HiGHS result (see the module docstring).

    Without a solution, a time limit (or any stop that is not a proof) is
    "no-plan-within-limit", never "infeasible": only a proof of infeasibility is.
    """
    from pyomo.contrib.solver.common.results import TerminationCondition

    if termination == TerminationCondition.convergenceCriteriaSatisfied and has_solution:
        return "optimal"
    if termination in (TerminationCondition.provenInfeasible, TerminationCondition.infeasibleOrUnbounded):
        return "infeasible"
    if cancelled or termination == TerminationCondition.interrupted:
        # Pyomo maps HiGHS's kInterrupt to "unknown"; the cancel flag says what happened.
        return "cancelled"
    return "feasible-with-gap" if has_solution else "no-plan-within-limit"


#: HiGHS model status -> the termination name the plan reports (Pyomo's words, which the
#: plans used before the matrix path; ``watchdogKilled``: the child was stopped by the watchdog)
TERMINATION = {
    "kOptimal": "convergenceCriteriaSatisfied",
    "kInfeasible": "provenInfeasible",
    "kUnboundedOrInfeasible": "infeasibleOrUnbounded",
    "kUnbounded": "unbounded",
    "kTimeLimit": "maxTimeLimit",
    "kIterationLimit": "iterationLimit",
    "kSolutionLimit": "iterationLimit",
    "kObjectiveBound": "objectiveLimit",
    "kObjectiveTarget": "objectiveLimit",
}


def classify_run(model_status: str, has_solution: bool, cancelled: bool) -> Status:
    """The status word of a session run (same rules as ``classify``).

    ``cancelled`` is the user's cancel (the event set, or Ctrl-C). HiGHS reports
    ``kInterrupt`` for any stop through its interrupt callback; without a user cancel the
    only one that stops it is the child's watchdog at the time limit (planner.session: the
    in-process callbacks interrupt on the cancel event alone), so that stop is the time
    limit: feasible-with-gap with an incumbent, no-plan-within-limit without. A watchdog
    kill (the child gone, model status empty) classifies the same way.
    """
    if model_status == "kOptimal" and has_solution:
        return "optimal"
    if model_status in ("kInfeasible", "kUnboundedOrInfeasible"):
        return "infeasible"
    if cancelled:
        return "cancelled"
    return "feasible-with-gap" if has_solution else "no-plan-within-limit"


def run_termination(model_status: str, killed: bool, cancelled: bool) -> str:
    """The termination name of a session run: ``watchdogKilled`` when the watchdog killed the
    child, ``maxTimeLimit`` for its stop at the limit (kInterrupt without a user cancel, as
    ``classify_run``), else TERMINATION's name of the model status (``unknown`` if none)."""
    if killed:
        return "watchdogKilled"
    if model_status == "kInterrupt" and not cancelled:
        return TERMINATION["kTimeLimit"]
    return TERMINATION.get(model_status, "unknown")


#: models at least this large (columns) get presolve off under ``presolve = "auto"``;
#: below it HiGHS's default (``choose``) keeps today's plans. Measured table:
#: tests/bench/test_bench_scale.py.
PRESOLVE_OFF_FROM_COLUMNS = 5000


def highs_options(settings: SolveSettings, num_col: int, num_row: int, nnz: int) -> dict[str, Any]:
    """Every HiGHS option a solve sets (a pooled child keeps options between solves).

    ``presolve = "auto"``: ``choose`` (HiGHS's default) below ``PRESOLVE_OFF_FROM_COLUMNS``
    columns, ``off`` from there: HiGHS 1.16's presolve on the large campuses runs for
    minutes (78 s on the 10M-chip campus) where the root LP without it takes seconds.
    """
    presolve = settings.presolve
    if presolve == "auto":
        presolve = "off" if num_col >= PRESOLVE_OFF_FROM_COLUMNS else "choose"
    return {
        "threads": int(settings.threads),
        "mip_rel_gap": float(settings.rel_gap),
        "mip_abs_gap": 1e-9,
        "random_seed": int(settings.seed),
        "presolve": presolve,
    }


#: models at least this large (columns) get the LP-rounding start under ``start = "auto"``;
#: below it HiGHS alone is fast and gives the shipped scenarios their golden plans.
START_FROM_COLUMNS = 5000
#: the same for the delivered objectives (max-delivered, min-time-to-train), whose gains sit
#: on the continuous allocations: HiGHS's root heuristics find weak incumbents there (the
#: 1.1M-chip 4-class campus, 846 columns: 2.2 % from the bound by rounding, 0.37 % only after
#: a sub-MIP, 1.7 s), where the start (0.2 s, 1.3 % from the LP bound) lets HiGHS close the
#: 0.5 % gap at its root cuts (0.7 s; same run, load 5.3)
START_DELIVERED_FROM_COLUMNS = 500
#: the same for models that place network and storage racks (a placing ``[fabric]`` table):
#: each row's reserved end positions (ceil of units x per-unit racks) leave HiGHS's branch and
#: bound slow to close 0.5 % (XL campus, 848 columns, seeds 0-3: 0.6-3.0 s of MIP; L campus,
#: 350 columns: 2.6-2.7 s), where the start alone ends at 0.11-0.19 % in ~0.2 s (load 2-3)
START_FABRIC_FROM_COLUMNS = 300
#: the share of the time limit the start may take (the MIP, if it still runs, gets the rest)
START_SHARE = 0.5


def uses_start(settings: SolveSettings, num_col: int, delivered: bool = False, fabric: bool = False) -> bool:
    """Whether a solve builds the LP-rounding start (planner/start.py) before the MIP.

    Measured on the 10M-chip campus (11,780 columns, table in tests/bench/test_bench_scale.py):
    the start alone is within 0.5 % of the LP bound in ~2.5 s, where HiGHS with presolve off
    is at 0.69 % after 20 s; the MIP then runs only if the start misses the gap target.
    ``delivered``: a delivered objective, started from ``START_DELIVERED_FROM_COLUMNS``;
    ``fabric``: network and storage racks placed, started from ``START_FABRIC_FROM_COLUMNS``.
    An unknown ``start`` is one clear error (DcplanError).
    """
    if settings.start not in START_CHOICES:
        from dcplan.models.errors import DcplanError

        raise DcplanError(f"start: expected one of {', '.join(START_CHOICES)}, got {settings.start!r}")
    if settings.start == "auto":
        threshold = START_FROM_COLUMNS
        if delivered:
            threshold = min(threshold, START_DELIVERED_FROM_COLUMNS)
        if fabric:
            threshold = min(threshold, START_FABRIC_FROM_COLUMNS)
        return num_col >= threshold
    return settings.start == "on"


def open_session(settings: SolveSettings) -> Any:
    """The session a solve (or its marginal re-solves) runs on: a pooled HiGHS child with
    its watchdog (``process = "child"``) or HiGHS in this process."""
    from dcplan.planner import session

    return session.acquire() if settings.process == "child" else session.InProcessSession()


def close_session(run_session: Any, settings: SolveSettings) -> None:
    """Give a session from ``open_session`` back (to the pool) or close it."""
    from dcplan.planner import session

    if settings.process == "child":
        session.release(run_session)
    else:
        run_session.close()


def _values(model: Any, col_value: np.ndarray) -> dict[str, dict[Any, float]]:
    """{variable: {index: value}} over every variable of the formulation (0 where HiGHS never
    saw the column: no row or objective names it), plus the empty ``slack`` of a non-elastic model."""
    solved = dict(zip(model.columns, col_value.tolist(), strict=True))
    values: dict[str, dict[Any, float]] = {name: {} for name in VALUE_COMPONENTS}
    for name, index in model.all_columns:
        values[name][index] = float(solved.get((name, index), 0.0))
    values["slack"] = {}
    return values


def solve_model_data(
    data: ModelData, settings: SolveSettings | None = None, elastic: frozenset[str] = frozenset()
) -> SolveOutcome:
    """Build, hand over and solve; read back the variable values if a solution exists.

    ``outcome.model`` is the DirectModel (planner/matrix.py), or the Pyomo model when
    ``elastic`` is non-empty. Raises KeyboardInterrupt when SIGINT arrived during the HiGHS
    run (after HiGHS stops).
    """
    from dcplan.planner.matrix import build_direct
    from dcplan.planner.matrix_workloads import DELIVERED_OBJECTIVES

    settings = settings or SolveSettings()
    if elastic:
        return _solve_pyomo(data, settings, elastic)
    if data.scenario.scenario.objective == "min-cost-per-delivered":
        from dcplan.planner.ratio import solve_ratio  # Dinkelbach's loop of parametric solves

        return solve_ratio(data, settings)
    t0 = time.perf_counter()
    with paused_gc():
        model = build_direct(data)
    t1 = time.perf_counter()
    options = highs_options(settings, model.num_col, model.num_row, model.nnz)
    # SIGINT must reach HiGHS through the interrupt callback, which reads settings.cancel.
    run_settings = settings if settings.cancel is not None else replace(settings, cancel=threading.Event())
    delivered = data.scenario.scenario.objective in DELIVERED_OBJECTIVES
    tried = uses_start(settings, model.num_col, delivered, fabric=bool(data.placed_fabric))
    start = _start(model, run_settings) if tried else None
    if start is not None:
        options = {**options, "start": "lp-rounding", "start_gap": f"{start.gap:.6g}"}
        if start.gap <= settings.rel_gap or (run_settings.cancel is not None and run_settings.cancel.is_set()):
            t3 = time.perf_counter()
            return _outcome(
                model, start_result(start, None, settings.rel_gap), run_settings, options, (t1 - t0, 0.0, t3 - t1)
            )
    run_session = open_session(settings)
    try:
        run_session.set_options(highs_options(settings, model.num_col, model.num_row, model.nnz))
        run_session.load(model.lp)
        if start is not None:
            run_session.set_start(start.col_value)
        t2 = time.perf_counter()
        # the start's time (found or not) and the hand-over after it count towards the limit
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
    return _outcome(model, result, run_settings, options, (t1 - t0, t2 - t1, t3 - t2))


def _start(model: Any, settings: SolveSettings) -> Any:
    """The LP-rounding start within ``START_SHARE`` of the time limit, or None; the gap target
    is the start's (planner.start.lp_start ``target_gap``)."""
    from dcplan.planner.start import lp_start

    cancel = settings.cancel
    stop = cancel.is_set if cancel is not None else None
    limit_s = START_SHARE * settings.time_limit_s
    return lp_start(model.lp, limit_s, seed=settings.seed, stop=stop, target_gap=settings.rel_gap)


def start_result(start: Any, result: Any, rel_gap: float) -> Any:
    """A RunResult with the LP-rounding start folded in: the better plan of the start and the
    MIP run, the tighter of their bounds (the LP bound is one), and "kOptimal" when that
    meets ``rel_gap``. ``result`` None: the start alone (the MIP did not run)."""
    from dcplan.planner.session import RunResult

    sign = 1.0 if start.maximise else -1.0
    mip = result is not None and result.has_solution and result.objective is not None
    use_start = not mip or sign * (start.objective - result.objective) >= 0
    bounds = [start.lp_bound] + ([result.bound] if result is not None and result.bound is not None else [])
    bound = min(bounds) if start.maximise else max(bounds)
    objective = start.objective if use_start else result.objective
    gap = abs(bound - objective) / max(abs(objective), 1e-9)
    if gap <= rel_gap or (result is not None and result.model_status == "kOptimal"):
        model_status, status = "kOptimal", "optimal"
    elif result is None:  # cancelled before the MIP ran
        model_status, status = "kInterrupt", "interrupted"
    else:
        model_status, status = result.model_status, result.status
    return RunResult(
        status=status,
        has_solution=True,
        objective=objective,
        bound=bound,
        gap=gap,
        col_value=start.col_value if use_start else result.col_value,
        row_dual=None,
        elapsed_s=0.0 if result is None else result.elapsed_s,
        detail="the LP-rounding start" if use_start or result is None else result.detail,
        model_status=model_status,
    )


def _outcome(
    model: Any, result: Any, settings: SolveSettings, options: dict[str, Any], times: tuple[float, float, float]
) -> SolveOutcome:
    """The SolveOutcome of a session run on a DirectModel."""
    cancelled = settings.cancel is not None and settings.cancel.is_set()
    killed = result.detail.startswith("watchdog")
    status = classify_run(result.model_status, result.has_solution, cancelled)
    values: dict[str, dict[Any, float]] = {}
    objective = bound = compute = tco = None
    if result.has_solution and result.col_value is not None:
        x = result.col_value
        values = _values(model, x)
        objective = float(np.dot(np.asarray(model.lp.col_cost_), x))
        compute = float(np.dot(model.compute, x))
        tco = float(np.dot(model.tco, x))
        bound = result.bound
    termination = run_termination(result.model_status, killed, cancelled)
    gap = _relative_gap(objective, bound)
    return SolveOutcome(
        status=status,
        model=model,
        objective=objective,
        bound=bound,
        gap=gap if status != "optimal" else gap or 0.0,
        build_s=times[0],
        handover_s=times[1],
        solve_s=times[2],
        termination=termination,
        values=values,
        compute_pflops=compute,
        tco_musd=tco,
        highs_settings={"presolve": options["presolve"], "process": settings.process}
        | {k: options[k] for k in ("start", "start_gap") if k in options},
    )


def _solve_pyomo(data: ModelData, settings: SolveSettings, elastic: frozenset[str]) -> SolveOutcome:
    """The elastic model through Pyomo's persistent HiGHS interface, in this process."""
    import pyomo.environ as pyo
    from pyomo.contrib.solver.common.results import SolutionStatus
    from pyomo.contrib.solver.solvers.highs import Highs

    from dcplan.planner.formulation import build_model

    t0 = time.perf_counter()
    with paused_gc():
        model = build_model(data, elastic)
    t1 = time.perf_counter()
    solver = Highs()
    solver.config.time_limit = settings.time_limit_s
    solver.config.rel_gap = settings.rel_gap
    solver.config.threads = settings.threads
    solver.config.load_solutions = False
    solver.config.raise_exception_on_nonoptimal_result = False
    solver.config.solver_options = {"random_seed": settings.seed, "mip_abs_gap": 1e-9}
    solver.set_instance(model)
    t2 = time.perf_counter()
    run_settings = settings if settings.cancel is not None else replace(settings, cancel=threading.Event())
    _attach_pyomo_callbacks(solver._solver_model, run_settings, t2)
    with sigint_stops_highs(run_settings) as interrupted:
        results = solver.solve(model)
    if interrupted.is_set():
        raise KeyboardInterrupt
    t3 = time.perf_counter()
    termination = results.termination_condition
    has_solution = results.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)
    cancelled = run_settings.cancel is not None and run_settings.cancel.is_set()
    status = classify(termination, has_solution, cancelled)
    values: dict[str, dict[Any, float]] = {}
    objective = bound = compute = tco = None
    if has_solution:
        results.solution_loader.load_vars()
        for name in VALUE_COMPONENTS:
            component = getattr(model, name)
            values[name] = {index: float(pyo.value(var)) for index, var in component.items()}
        values["slack"] = {(family, index): float(pyo.value(var)) for family, index, var, _ in model.slack_terms}
        objective = float(pyo.value(model.objective))
        compute = float(pyo.value(model.compute_total))
        tco = float(pyo.value(model.tco))
        bound = results.objective_bound
        bound = float(bound) if bound is not None and math.isfinite(bound) else None
    return SolveOutcome(
        status=status,
        model=model,
        objective=objective,
        bound=bound,
        gap=_relative_gap(objective, bound) if status != "optimal" else _relative_gap(objective, bound) or 0.0,
        build_s=t1 - t0,
        handover_s=t2 - t1,
        solve_s=t3 - t2,
        termination=str(termination.name if hasattr(termination, "name") else termination),
        values=values,
        compute_pflops=compute,
        tco_musd=tco,
        highs_settings={"presolve": "choose", "process": "in-process"},
    )


def _attach_pyomo_callbacks(highs: Any, settings: SolveSettings, started: float) -> None:
    """Progress and cancel on the Highs object Pyomo holds (the elastic model's run)."""
    from dcplan.planner.session import InProcessSession

    watched = InProcessSession(highs=highs)
    watched.started = started
    on_progress = None
    if settings.on_progress is not None:
        progress = settings.on_progress

        def on_progress(i: float | None, b: float | None, g: float | None, e: float) -> None:
            progress(Progress(incumbent=i, bound=b, gap=g, elapsed_s=e))

    watched.watch(on_progress, settings.cancel)
