"""The shared status rule of a session run (planner.solve.classify_run / run_termination):
a watchdog stop without a user cancel is the time limit, for a single-period solve and a
roadmap alike; a user cancel is "cancelled"; never "infeasible" for an unknown.

The watchdog stop is real: a stand-in child (the documented ``argv`` seam of ChildSession)
that ignores its own time limit but obeys the watchdog's "stop", answering as HiGHS does
after an interrupt callback (model status kInterrupt, the incumbent so far).
"""

from __future__ import annotations

import sys
import threading
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from dcplan.planner import session as sessions
from dcplan.planner.matrix import build_direct
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.solve import SolveSettings, classify_run, run_termination
from tests.planner.test_solve_child import stand_in

OBEYS_STOP = stand_in(
    """
    if message.get("cmd") == "stop":
        send(encode({"type": "result", "status": "interrupted", "model_status": "kInterrupt",
                     "has_solution": True, "objective": 7.0, "bound": 10.0, "gap": 0.3,
                     "detail": "stopped", "arrays": ["col_value"]}, [np.zeros(n)]))
    """
)


@pytest.mark.parametrize(
    ("model_status", "has_solution", "cancelled", "expected"),
    [
        ("kInterrupt", True, False, "feasible-with-gap"),  # the watchdog's stop at the limit
        ("kInterrupt", False, False, "no-plan-within-limit"),
        ("kInterrupt", True, True, "cancelled"),  # the user's cancel
        ("kInterrupt", False, True, "cancelled"),
        ("", True, False, "feasible-with-gap"),  # the watchdog killed the child (status unknown)
        ("", False, False, "no-plan-within-limit"),
        ("kTimeLimit", True, False, "feasible-with-gap"),
        ("kTimeLimit", False, False, "no-plan-within-limit"),
        ("kOptimal", True, False, "optimal"),
        ("kOptimal", True, True, "optimal"),  # finished before the cancel was seen: whole optimum
        ("kInfeasible", False, False, "infeasible"),
        ("kUnboundedOrInfeasible", False, True, "infeasible"),
        ("kUnknown", False, False, "no-plan-within-limit"),  # never "infeasible" for an unknown
    ],
)
def test_classify_run(model_status: str, has_solution: bool, cancelled: bool, expected: str) -> None:
    assert classify_run(model_status, has_solution, cancelled) == expected


def test_run_termination() -> None:
    assert run_termination("kInterrupt", killed=False, cancelled=False) == "maxTimeLimit"
    assert run_termination("kInterrupt", killed=False, cancelled=True) == "unknown"
    assert run_termination("", killed=True, cancelled=False) == "watchdogKilled"
    assert run_termination("kTimeLimit", killed=False, cancelled=False) == "maxTimeLimit"
    assert run_termination("kOptimal", killed=False, cancelled=True) == "convergenceCriteriaSatisfied"


def _watchdog_stopped_run(lp: Any, cancel: threading.Event | None = None) -> Any:
    """One run of the stand-in child at a 0.2 s limit: the watchdog (or the cancel) stops it."""
    session = sessions.ChildSession(argv=[sys.executable, "-c", OBEYS_STOP])
    try:
        session.load(lp)
        session.watch(None, cancel)
        return session.run(0.2)
    finally:
        session.close()


def test_a_single_period_watchdog_stop_is_the_time_limit(demo: Any, catalog: Any) -> None:
    from dcplan.planner.solve import _outcome

    model = build_direct(build_model_data(demo, catalog))
    result = _watchdog_stopped_run(model.lp)
    assert result.model_status == "kInterrupt" and result.has_solution
    times = (0.0, 0.0, 0.0)
    outcome = _outcome(model, result, SolveSettings(), {"presolve": "choose"}, times)
    assert (outcome.status, outcome.termination) == ("feasible-with-gap", "maxTimeLimit")
    cancel = threading.Event()
    cancel.set()
    outcome = _outcome(model, result, SolveSettings(cancel=cancel), {"presolve": "choose"}, times)
    assert outcome.status == "cancelled"


def test_a_roadmap_watchdog_stop_is_the_time_limit(ideal_catalog: Any) -> None:
    """The roadmap's _outcome uses the same rule (it special-cased it before): with the
    incumbent, feasible-with-gap and its values read per period; without, no plan."""
    from dcplan.planner.roadmap_model import build_roadmap
    from dcplan.planner.roadmap_solve import _outcome
    from tests.planner.test_roadmap_model import roadmap, site_data

    model = build_roadmap(roadmap(site_data(ideal_catalog, 1), 2))
    stopped = _watchdog_stopped_run(model.lp)
    assert stopped.model_status == "kInterrupt"
    options = {"presolve": "choose"}
    outcome = _outcome(model, stopped, SolveSettings(), options, (0.0, 0.0, 0.0))
    assert (outcome.status, outcome.termination) == ("feasible-with-gap", "maxTimeLimit")
    assert outcome.col_value is not None and np.array_equal(outcome.col_value, np.zeros(model.num_col))
    empty = replace(stopped, has_solution=False, col_value=None, objective=None)
    assert _outcome(model, empty, SolveSettings(), options, (0.0, 0.0, 0.0)).status == "no-plan-within-limit"
    cancel = threading.Event()
    cancel.set()
    assert _outcome(model, stopped, SolveSettings(cancel=cancel), options, (0.0, 0.0, 0.0)).status == "cancelled"
