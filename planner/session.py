"""One HiGHS model kept loaded across runs: the interface the solve and the marginal values share.

A session holds one LP/MIP (a ``highspy.HighsLp`` from ``planner.matrix``) and runs it
again after small changes (one row bound, a warm start), so a re-solve costs neither a
rebuild nor a hand-over. ``InProcessSession`` runs HiGHS in this process; a session that
runs HiGHS in a child process (so a run can be stopped at its deadline even where HiGHS
ignores its time limit) implements the same methods.

Status words of a run (``RunResult.status``):

- ``optimal``: HiGHS met the gap target (or solved the LP);
- ``time-limit``: the time limit passed (with or without a solution: see ``has_solution``);
- ``infeasible``: HiGHS proved there is no solution;
- ``interrupted``: the run was stopped on request (cancel) or by a watchdog;
- ``other``: any other HiGHS model status (its text in ``detail``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


@dataclass
class RunResult:
    """What one run returned. Objective and bound in the model's units (PFLOPS or MUSD)."""

    status: str
    has_solution: bool
    objective: float | None
    bound: float | None
    gap: float | None
    col_value: np.ndarray | None
    row_dual: np.ndarray | None
    elapsed_s: float
    detail: str = ""


class Session(Protocol):
    """A loaded HiGHS model that can be changed a little and run again."""

    def load(self, lp: Any) -> None:
        """Replace the loaded model with ``lp`` (a highspy.HighsLp)."""

    def set_options(self, options: dict[str, Any]) -> None:
        """Set HiGHS options by name (``{"presolve": "off", "mip_rel_gap": 1e-3}``)."""

    def change_row_bounds(self, row: int, lower: float, upper: float) -> None:
        """Set the bounds of one row (HiGHS row index)."""

    def set_start(self, col_value: np.ndarray) -> None:
        """Give HiGHS a starting solution (one value per column) for the next run."""

    def run(self, time_limit_s: float) -> RunResult:
        """Run the loaded model; return no later than about ``time_limit_s`` from now."""

    def close(self) -> None:
        """Release the model (and any process holding it)."""


_STATUS = {
    "kOptimal": "optimal",
    "kTimeLimit": "time-limit",
    "kInfeasible": "infeasible",
    "kInterrupt": "interrupted",
}


def run_result(highs: Any, elapsed_s: float) -> RunResult:
    """Read a finished run off a ``highspy.Highs``; gap = |bound - objective| / max(|objective|, 1e-9)."""
    import highspy

    model_status = highs.getModelStatus()
    info = highs.getInfo()
    has_solution = info.primal_solution_status >= 2  # kSolutionStatusFeasible
    objective = float(info.objective_function_value) if has_solution else None
    is_mip = highs.getNumCol() > 0 and any(v != highspy.HighsVarType.kContinuous for v in highs.getLp().integrality_)
    if is_mip:
        bound: float | None = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
    else:
        bound = objective if model_status == highspy.HighsModelStatus.kOptimal else None
    gap = abs(bound - objective) / max(abs(objective), 1e-9) if objective is not None and bound is not None else None
    solution = highs.getSolution() if has_solution else None
    row_dual = None
    if solution is not None and not is_mip and info.dual_solution_status >= 2:
        row_dual = np.asarray(solution.row_dual, dtype=np.float64)
    name = highs.modelStatusToString(model_status)
    key = str(model_status).rsplit(".", 1)[-1]
    return RunResult(
        status=_STATUS.get(key, "other"),
        has_solution=has_solution,
        objective=objective,
        bound=bound,
        gap=gap,
        col_value=np.asarray(solution.col_value, dtype=np.float64) if solution is not None else None,
        row_dual=row_dual,
        elapsed_s=elapsed_s,
        detail=name,
    )


def quiet_highs() -> Any:
    """A ``highspy.Highs`` with its output off; the banner HiGHS prints (from C, on the
    process's stdout) when the first one is made is sent to /dev/null, since stdout may be
    a ``--json`` answer or a protocol pipe."""
    import os
    import sys

    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
            highs = highspy.Highs()
            highs.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return highs


class InProcessSession:
    """A Session on a highspy.Highs in this process (HiGHS's own time limit only: no watchdog)."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.highs = quiet_highs()
        self.set_options(options or {})

    def load(self, lp: Any) -> None:
        self.highs.passModel(lp)

    def set_options(self, options: dict[str, Any]) -> None:
        for name, value in options.items():
            self.highs.setOptionValue(name, value)

    def change_row_bounds(self, row: int, lower: float, upper: float) -> None:
        self.highs.changeRowBounds(int(row), float(lower), float(upper))

    def set_start(self, col_value: np.ndarray) -> None:
        import highspy

        solution = highspy.HighsSolution()
        solution.col_value = list(map(float, col_value))
        solution.value_valid = True
        self.highs.setSolution(solution)

    def run(self, time_limit_s: float) -> RunResult:
        self.highs.setOptionValue("time_limit", max(float(time_limit_s), 0.0))
        started = time.perf_counter()
        self.highs.run()
        return run_result(self.highs, time.perf_counter() - started)

    def close(self) -> None:
        self.highs.clear()
