"""Run a solve in a separate process and stream progress back through a queue.

The Pyomo build is pure Python and would hold the GIL in a thread, stalling the UI
(performance.md measured 121 ms timer gaps); in a child process the UI only polls a queue.
Cancellation sets a multiprocessing Event that HiGHS's interrupt callback reads.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
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


def solve_in_child(request: SolveRequest, messages: Any, cancel: Any) -> None:
    """Child-process entry: solve and send ('progress', ...), then ('plan', CapacityPlan) or ('error', text)."""
    try:
        from models.catalog import load_catalog
        from planner.pipeline import PlanOptions, plan_scenario
        from planner.scenario import parse_scenario
        from planner.solve import Progress, SolveSettings

        messages.put(("status", "building the model"))
        catalog = load_catalog([Path(d) for d in request.catalog_dirs])
        scenario = parse_scenario(request.scenario)

        def report(progress: Progress) -> None:
            messages.put(("progress", progress.incumbent, progress.bound, progress.gap, progress.elapsed_s))

        settings = SolveSettings(
            time_limit_s=request.time_limit_s, rel_gap=request.rel_gap, on_progress=report, cancel=cancel
        )
        plan = plan_scenario(
            scenario, catalog, PlanOptions(settings=settings, marginals=request.marginals, marginal_budget_s=10.0)
        )
        # sent as the object: the queue pickles it, and unpickling in the UI thread costs
        # ~20 ms for a 1M-chip plan where parsing its 3 MB of JSON costs ~130 ms
        messages.put(("plan", plan))
    except Exception as exc:  # the UI shows it; the process must not die silently
        messages.put(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))


class SolverProcess:
    """A running solve: poll() returns the messages that arrived; cancel() asks HiGHS to stop."""

    def __init__(self, request: SolveRequest) -> None:
        self.messages = _CONTEXT.Queue()
        self.cancel_event = _CONTEXT.Event()
        self.process = _CONTEXT.Process(
            target=solve_in_child, args=(request, self.messages, self.cancel_event), daemon=True
        )
        self.process.start()

    def poll(self, limit: int = 200) -> list[tuple[Any, ...]]:
        out = []
        for _ in range(limit):
            try:
                out.append(self.messages.get_nowait())
            except queue.Empty:
                break
        return out

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        """Ask nicely, then terminate (used when the app quits mid-solve)."""
        self.cancel_event.set()
        self.process.join(timeout=2.0)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=2.0)
