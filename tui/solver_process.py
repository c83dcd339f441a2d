"""Run a solve in a separate process and stream progress back through a queue.

The Pyomo build is pure Python and would hold the GIL in a thread, stalling the UI
(121 ms timer gaps were measured); in a child process the UI only polls a queue.
Cancellation sets a multiprocessing Event that HiGHS's interrupt callback and the pipeline
(between its phases) read. The child reports each phase; the first phase it reports after
the cancel is its acknowledgement (the solve has stopped; the incumbent, if any, is being
laid out and re-checked). A child that has not acknowledged in time is killed, as is one
that acknowledged but has not sent its plan within FINISH_TIMEOUT_S. "In time" is
ACK_TIMEOUT_S while no incumbent has been reported (the child is starting, building the
model or in HiGHS's presolve, where no callback runs, and there is nothing to lose), and
INCUMBENT_ACK_TIMEOUT_S once there is one: HiGHS reads the cancel only at its interrupt
callback, which it skips inside root-node LP solves and sub-MIP heuristics (gaps of up to
2 s measured on the long test campus with the machine loaded), and killing the child then
would throw away the incumbent the user asked to keep.

A Cancel that finds the child still before the solve (``BEFORE_SOLVE_PHASES``: starting, that
is importing and loading the catalog, or building the model) with no incumbent reported ends
it at once (``nothing_to_keep``): there is nothing to keep, and in its start-up the child cannot
read the cancel at all (its imports and catalog take over 5 s on a loaded machine), so waiting
ACK_TIMEOUT_S for an answer only delayed the kill; an answer that did come just in time left
the child building the model of a solve it would not run, under the FINISH_TIMEOUT_S deadline.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_CONTEXT = mp.get_context("spawn")


def prepare() -> None:
    """Start multiprocessing's resource tracker while stderr is still a real file.

    Textual replaces sys.stderr while it runs; the tracker (needed by spawned queues and
    events) passes stderr's descriptor to its helper process and fails on the stand-in.
    """
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()


@dataclass
class SolveRequest:
    scenario: dict[str, Any]
    catalog_dirs: list[str]
    time_limit_s: float
    rel_gap: float
    marginals: bool = True


ACK_TIMEOUT_S = 1.0  # from Cancel to the child's acknowledgement, else it is killed
INCUMBENT_ACK_TIMEOUT_S = 3.0  # the same once the solver has reported an incumbent
# from the acknowledgement to the plan: the child has stopped solving and lays out and
# re-checks the incumbent (seconds for a large campus on a loaded machine); past this it is stuck
FINISH_TIMEOUT_S = 20.0
#: the phases before HiGHS runs (planner.pipeline, planner.roadmap_pipeline): no solution exists yet
BEFORE_SOLVE_PHASES = ("starting", "building model")


def solve_in_child(request: SolveRequest, messages: Any, cancel: Any) -> None:
    """Child-process entry: send ('phase', text, cancelled) and ('progress', ...) as
    the solve runs, then ('plan', CapacityPlan or RoadmapPlan for a scenario with [roadmap])
    or ('error', text, traceback)."""
    try:
        # not an acknowledgement of an early cancel: the imports and the catalog come first
        messages.put(("phase", "starting", False))
        from dcplan.models.catalog import load_catalog
        from dcplan.planner.pipeline import Phase, PlanOptions, plan_scenario
        from dcplan.planner.scenario import parse_scenario
        from dcplan.planner.solve import Progress, SolveSettings

        catalog = load_catalog([Path(d) for d in request.catalog_dirs])
        scenario = parse_scenario(request.scenario)

        def report(progress: Progress) -> None:
            messages.put(("progress", progress.incumbent, progress.bound, progress.gap, progress.elapsed_s))

        def phase(p: Phase) -> None:
            messages.put(("phase", p.text, p.cancelled))

        settings = SolveSettings(time_limit_s=request.time_limit_s, rel_gap=request.rel_gap, on_progress=report)
        options = PlanOptions(settings=settings, marginals=request.marginals, on_phase=phase, cancel=cancel)
        if scenario.roadmap is not None:  # a roadmap: one RoadmapPlan of every period (the Timeline screen)
            from dcplan.planner.roadmap_pipeline import plan_roadmap

            plan: Any = plan_roadmap(scenario, catalog, options)
        else:
            plan = plan_scenario(scenario, catalog, options)
        # sent as the object: the queue pickles it, and unpickling in the UI thread costs
        # ~20 ms for a 1M-chip plan where parsing its 3 MB of JSON costs ~130 ms
        messages.put(("plan", plan))
    except Exception as exc:  # the UI shows it; the process must not die silently
        messages.put(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))


def _child_main(request: SolveRequest, messages: Any, cancel: Any) -> None:
    """The child process: solve, wait until the last message is in the pipe, and exit at once.

    Skipping the interpreter's teardown (freeing the Pyomo model and the plan, unloading
    HiGHS) saves ~0.5 s between the plan reaching the UI and the process being gone.
    """
    from multiprocessing import util

    solve_in_child(request, messages, cancel)
    messages.close()
    messages.join_thread()  # the queue's feeder thread has written everything
    util._exit_function()  # what multiprocessing runs at a child's exit: finalizers (semaphores)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def phase_text(message: tuple[Any, ...]) -> str:
    """The text of a ('phase', text, cancelled) message: "marginal values 2/5"."""
    return str(message[1])


class SolverProcess:
    """A running solve: poll() returns the messages that arrived; cancel() asks it to stop.

    After cancel(), poll() notes the child's acknowledgement (a phase reported with the
    cancel flag set, or its final message); ``cancel_overdue`` says when it is too late and
    kill() should end the child.
    """

    def __init__(self, request: SolveRequest) -> None:
        self.messages = _CONTEXT.Queue()
        self.cancel_event = _CONTEXT.Event()
        self.cancel_requested_at: float | None = None  # time.monotonic() of the first cancel()
        self.acknowledged_at: float | None = None
        self.killed = False
        self.killed_at: float | None = None  # time.monotonic() when kill() returned with the child gone
        self.has_incumbent = False  # a progress report carried an incumbent
        self.phase = "starting"  # the last phase the child reported, as text
        self.process = _CONTEXT.Process(
            target=_child_main, args=(request, self.messages, self.cancel_event), daemon=True
        )
        self.process.start()

    def poll(self, limit: int = 200) -> list[tuple[Any, ...]]:
        out = []
        if self.killed:
            return out  # a killed child may have left half a message in the pipe
        for _ in range(limit):
            try:
                message = self.messages.get_nowait()
            except queue.Empty:
                break
            out.append(message)
            if message[0] == "phase":
                self.phase = phase_text(message)
                if message[-1] and self.acknowledged_at is None:
                    self.acknowledged_at = time.monotonic()
            elif message[0] == "progress" and message[1] is not None:
                self.has_incumbent = True
            elif message[0] in ("plan", "error") and self.cancel_requested_at is not None:
                self.acknowledged_at = self.acknowledged_at or time.monotonic()
        return out

    def cancel(self) -> None:
        if self.cancel_requested_at is None:
            self.cancel_requested_at = time.monotonic()
        self.cancel_event.set()

    @property
    def cancel_requested(self) -> bool:
        return self.cancel_requested_at is not None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    def cancel_overdue(self, now: float | None = None) -> bool:
        """True when a cancelled child is still running past its deadline (see the module docstring)."""
        if self.cancel_requested_at is None or self.killed or not self.alive:
            return False
        now = time.monotonic() if now is None else now
        if self.acknowledged_at is None:
            return now - self.cancel_requested_at > self.ack_timeout_s
        return now - self.acknowledged_at > FINISH_TIMEOUT_S

    @property
    def nothing_to_keep(self) -> bool:
        """No incumbent reported and the child, as last heard, before the solve: a Cancel ends it at once."""
        return not self.has_incumbent and self.phase in BEFORE_SOLVE_PHASES

    @property
    def ack_timeout_s(self) -> float:
        return INCUMBENT_ACK_TIMEOUT_S if self.has_incumbent else ACK_TIMEOUT_S

    def kill(self) -> None:
        """End the child now (SIGKILL: it may be deep in HiGHS or the model build; it holds nothing to clean up)."""
        self.killed = True
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=1.0)
        if not self.process.is_alive():
            self.killed_at = time.monotonic()

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        """Ask nicely, then kill (used when the app quits mid-solve)."""
        self.cancel()
        self.process.join(timeout=ACK_TIMEOUT_S)
        if self.process.is_alive():
            self.kill()
