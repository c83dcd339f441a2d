"""Solve a scenario's MIP with HiGHS through Pyomo's persistent interface.

- time limit and relative gap options; one thread and a fixed seed, so the same input
  gives the same plan;
- a progress callback (incumbent, bound, gap, elapsed) fed by HiGHS's MIP callbacks;
- cancellation through HiGHS's MIP, simplex and interior-point interrupt callbacks;
- a time-limited solve returns its best plan and gap, it does not raise;
- Ctrl-C (SIGINT) during the HiGHS run stops HiGHS through the same interrupt callback and
  then raises KeyboardInterrupt, so an interrupted solve never turns into a plan.

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

import pyomo.environ as pyo

from dcplan.planner.formulation import build_model
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


@dataclass
class SolveSettings:
    time_limit_s: float = 60.0
    rel_gap: float = 1e-3
    threads: int = 1
    seed: int = 0
    on_progress: Callable[[Progress], None] | None = None
    cancel: threading.Event | None = None


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

    @property
    def has_solution(self) -> bool:
        return self.status in SOLUTION_STATUSES and bool(self.values)


def _relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None or not math.isfinite(bound) or not math.isfinite(objective):
        return None
    return abs(bound - objective) / max(abs(objective), 1e-9)


def _attach_callbacks(highs: Any, settings: SolveSettings, started: float) -> None:
    """Subscribe to HiGHS MIP callbacks for progress and cancellation."""
    last = {"t": 0.0}

    def on_improving(event: Any) -> None:
        if settings.on_progress is None:
            return
        out = event.data_out
        settings.on_progress(
            Progress(
                incumbent=float(out.objective_function_value),
                bound=float(out.mip_dual_bound) if math.isfinite(out.mip_dual_bound) else None,
                gap=float(out.mip_gap) if math.isfinite(out.mip_gap) else None,
                elapsed_s=time.perf_counter() - started,
            )
        )

    def on_interrupt(event: Any) -> None:
        if settings.cancel is not None and settings.cancel.is_set():
            event.data_in.user_interrupt = True
        now = time.perf_counter() - started
        if settings.on_progress is not None and now - last["t"] > 0.25:
            last["t"] = now
            out = event.data_out
            incumbent = float(out.objective_function_value)
            settings.on_progress(
                Progress(
                    incumbent=incumbent if math.isfinite(incumbent) else None,
                    bound=float(out.mip_dual_bound) if math.isfinite(out.mip_dual_bound) else None,
                    gap=float(out.mip_gap) if math.isfinite(out.mip_gap) else None,
                    elapsed_s=now,
                )
            )

    def on_lp_interrupt(event: Any) -> None:
        # the root LP (simplex or interior point) of a large campus runs for seconds without
        # any MIP interrupt callback: a cancel (or Ctrl-C) is seen here too
        if settings.cancel is not None and settings.cancel.is_set():
            event.data_in.user_interrupt = True

    highs.cbMipImprovingSolution.subscribe(on_improving)
    highs.cbMipInterrupt.subscribe(on_interrupt)
    highs.cbSimplexInterrupt.subscribe(on_lp_interrupt)
    highs.cbIpmInterrupt.subscribe(on_lp_interrupt)


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
    HiGHS 1.16 has no callback during presolve, so on a very large model (a 160-hall
    campus presolves for ~13 s) Ctrl-C takes effect when presolve ends. (Running HiGHS in a
    thread would not help: Pyomo redirects the process's stdout/stderr descriptors for the
    whole run, so abandoning it would swallow every later message.)
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


VALUE_COMPONENTS = ("units", "rows", "racks", "rent", "hall_used", "site_used", "ups_n", "xfmr_n", "gen_n", "alloc")


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


def solve_model_data(
    data: ModelData, settings: SolveSettings | None = None, elastic: frozenset[str] = frozenset()
) -> SolveOutcome:
    """Build, hand over and solve; read back the variable values if a solution exists.

    Raises KeyboardInterrupt when SIGINT arrived during the HiGHS run (after HiGHS stops).
    """
    from pyomo.contrib.solver.common.results import SolutionStatus
    from pyomo.contrib.solver.solvers.highs import Highs

    settings = settings or SolveSettings()
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
    # SIGINT must reach HiGHS through the interrupt callback, which reads settings.cancel.
    run_settings = settings if settings.cancel is not None else replace(settings, cancel=threading.Event())
    _attach_callbacks(solver._solver_model, run_settings, t2)
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
    objective = bound = None
    compute = tco = None
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
    )
