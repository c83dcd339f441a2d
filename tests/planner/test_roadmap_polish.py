"""The NPV polish (phase 2 of max-cumulative-delivered, planner.roadmap_solve._polish) runs
when the LP-rounding start alone meets the gap too, not only after a MIP run.

The hand roadmap (tests/planner/test_roadmap_model.py): 1 MW, three quarters, 10 beta a
period. The start is made wasteful on purpose: one extra beta bought in period 0 (feasible:
the stock and life rows only bound the stock from above; 3 MUSD more NPV, the same work),
so the start's gap stays 0 and only the polish can take the purchase back.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from dcplan.planner import roadmap_solve
from dcplan.planner.roadmap_solve import solve_roadmap
from tests.planner.test_roadmap_model import BETA, SETTINGS, roadmap, site_data


def _wasteful_start(real: Any) -> Any:
    def start(model: Any, settings: Any) -> Any:
        found = real(model, settings)
        assert found is not None and found.gap == 0.0
        x = found.col_value.copy()
        x[model.columns.index(("add", (0, BETA)))] += 1.0
        return replace(found, col_value=x)

    return start


@pytest.mark.parametrize("process", ["in-process", "child"])
def test_the_polish_runs_when_the_start_meets_the_gap(ideal_catalog: Any, monkeypatch: Any, process: str) -> None:
    inputs = roadmap(site_data(ideal_catalog, 1, candidate=[{"system": "beta"}]), 3)
    settings = replace(SETTINGS, process=process)
    plain = solve_roadmap(inputs, settings)  # HiGHS alone (start = auto is off for a roadmap)
    monkeypatch.setattr(roadmap_solve, "roadmap_start", _wasteful_start(roadmap_solve.roadmap_start))
    started = solve_roadmap(inputs, replace(settings, start="on"))
    assert started.highs_settings["start_gap"] == "0"
    assert started.highs_settings["polish"].startswith("polished")
    assert started.status == "optimal" and started.objective == pytest.approx(plain.objective)
    assert started.npv_tco_musd == pytest.approx(plain.npv_tco_musd)  # the extra purchase is gone
    x = np.asarray(started.col_value)
    assert x[started.model.columns.index(("add", (0, BETA)))] == pytest.approx(10.0)


def test_a_cancel_before_the_run_skips_the_polish(ideal_catalog: Any) -> None:
    """A cancel set before the start: the start's plan (if any) is reported as it is, no
    polish runs (the user asked to stop)."""
    import threading

    cancel = threading.Event()
    cancel.set()
    inputs = roadmap(site_data(ideal_catalog, 1, candidate=[{"system": "beta"}]), 3)
    outcome = solve_roadmap(inputs, replace(SETTINGS, start="on", cancel=cancel))
    assert "polish" not in outcome.highs_settings


def test_the_polish_reports_no_progress(ideal_catalog: Any, monkeypatch: Any) -> None:
    """Progress reports describe the work (phase 1's objective): the polish, which minimises
    NPV TCO, forwards none (the TUI had shown the NPV as the objective), but keeps the cancel."""
    from dcplan.planner import session

    watched: list[tuple[bool, bool]] = []
    real_run = session.InProcessSession.run

    def run(self: Any, time_limit_s: float) -> Any:
        watched.append((self.on_progress is not None, self.cancel is not None))
        return real_run(self, time_limit_s)

    monkeypatch.setattr(session.InProcessSession, "run", run)
    inputs = roadmap(site_data(ideal_catalog, 1, candidate=[{"system": "beta"}]), 3)
    reports: list[Any] = []
    outcome = solve_roadmap(inputs, replace(SETTINGS, process="in-process", on_progress=reports.append))
    assert outcome.highs_settings.get("polish", "").startswith("polished"), outcome.highs_settings
    assert watched == [(True, True), (False, True)], watched
