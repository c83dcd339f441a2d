"""Marginal values of each period's binding limits: LP estimates on the whole roadmap.

The method is the single-period "LP estimate" (planner.marginals) applied to the
time-expanded model: one LP of the solved roadmap with the halls and sites built as in the
plan (``hall_used``, ``site_used`` of every period fixed to the plan's) and every other
integer (units, added, retired, rows, racks, UPS modules, transformers, generators)
continuous, solved once. A limit of period t is its row in block t; its dual ``y``
[objective units per model unit] times the step in model units (1 MW = 1,000 kW, 100 m2)
is the value, ``value = y x step``:

- max-cumulative-delivered: the PFLOP-days over the horizon that one more step of the
  limit in that period only is worth (the objective's own weighing; it includes the
  tie-break x NPV term);
- min-npv-tco: the NPV of TCO saved [MUSD].

It is the LP's rate at its optimum: exact for the LP while its basis holds, a guide for the
MIP. Then, with the solve's settings, each binding limit is re-solved as an incremental MIP
(planner.roadmap_resolve: one bound changed, warm-started from the plan, on one session)
within what is left of the budget, largest estimate first: a re-solve's change is the value
("re-solve"); a limit the budget did not reach, or whose change was within the runs' gaps,
keeps its LP estimate and says why. Shares, budgets and the other limits without a step
(planner.marginals.STEPS) are "not valued", as is every limit when neither method gave one.
Every binding limit ends with a value or ``marginal_text = "not valued: <reason>"``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from dcplan.planner.marginals import MODEL_UNITS, ROW_FAMILIES, STEPS, _lp_copy, not_valued, step_text
from dcplan.planner.plan import LimitUse
from dcplan.planner.roadmap_resolve import RESOLVE_NOTE, Resolved, Resolves
from dcplan.planner.session import quiet_highs

#: the per-period limits valued here (budgets are the roadmap's own money rows, not a block's)
VALUED = tuple(limit for limit in STEPS if "budget" not in limit)
NOTE = (
    "LP estimate on the whole roadmap: halls and sites built as in the plan, every other integer continuous; "
    "dual x step of this period's row, i.e. one more step in this period only"
)


class RoadmapDuals:
    """The row duals of the roadmap LP (or why there are none), and how to read them."""

    def __init__(
        self,
        row_of: dict[tuple[str, Any], int],
        dual: np.ndarray | None,
        objective: str,
        why: str,
        resolves: Resolves | None = None,
    ):
        self.row_of = row_of
        self.dual = dual
        self.npv = objective == "min-npv-tco"
        self.why = why  # the reason given when dual is None
        self.resolves = resolves  # the MIP re-solves (None: not run)

    def benefit(self, value: float) -> float:
        """The value of a change of the LP objective: PFLOP-days gained, or MUSD of NPV saved."""
        return -value if self.npv else value

    def amount(self, value: float) -> str:
        if self.npv:
            return f"{-value if round(value, 1) != 0 else 0.0:+,.1f} MUSD NPV"
        return f"{value if round(value) != 0 else 0.0:+,.0f} PFLOP-days"

    def estimate(self, key: tuple[str, Any], use: LimitUse) -> float | None:
        """The LP estimate of one step of ``use`` (its row ``key``), or None without duals."""
        if self.dual is None or key not in self.row_of:
            return None
        size, unit = STEPS[use.limit]
        return self.benefit(float(self.dual[self.row_of[key]]) * size * MODEL_UNITS[unit])

    def value(self, uses: list[LimitUse], t: int, label: str) -> list[LimitUse]:
        """Period t's limit uses with a value (re-solve, else LP estimate) or a reason for
        each binding limit."""
        if self.dual is None and not (self.resolves is not None and self.resolves.by_row):
            return not_valued(uses, f"roadmap ({self.why})")
        out = []
        for use in uses:
            key = (ROW_FAMILIES.get(use.limit, ""), (t, None if use.scope == "plan" else use.scope))
            if not use.binding or use.limit not in VALUED or key not in self.row_of:
                out += not_valued([use], "roadmap (shares and budgets are not priced per period)")
                continue
            resolved, why = self._resolved(key)
            if resolved is not None and resolved.value is not None:
                out.append(self._valued(use, label, resolved.value, resolved.method, RESOLVE_NOTE))
                continue
            estimate = self.estimate(key, use)
            if estimate is None:
                reason = self.why or "the estimate LP gave no dual"
                out += not_valued([use], f"roadmap ({why}; {reason})" if why else f"roadmap ({reason})")
                continue
            out.append(self._valued(use, label, estimate, "LP estimate", f"{NOTE}; {why}" if why else NOTE))
        return out

    def _resolved(self, key: tuple[str, Any]) -> tuple[Resolved | None, str]:
        """The re-solve of row ``key`` and, when it gave no value, why."""
        if self.resolves is None:
            return None, ""
        resolved = self.resolves.by_row.get(key)
        if resolved is not None:
            return resolved, resolved.why
        if key in self.resolves.within_gap:
            gap = self.resolves.within_gap[key]
            return None, f"not re-solved: a change this small is within the plan's own gap (±{self.amount(gap)[1:]})"
        if self.resolves.why_none:
            return None, f"not re-solved: {self.resolves.why_none}"
        if key in self.resolves.targets:
            return None, f"not re-solved within the marginal-value budget of {self.resolves.budget_s:g} s"
        return None, "not re-solved: the solver's row is not at its bound in the plan"

    def _valued(self, use: LimitUse, label: str, value: float, method: str, note: str) -> LimitUse:
        text = f"{step_text(use)} {use.limit} ({use.scope}) in {label} = {self.amount(value)} ({method})"
        update = {
            "marginal": value,
            "marginal_step": step_text(use),
            "marginal_method": "re-solve" if method.startswith("re-solve") else method,
            "marginal_text": text,
            "marginal_note": note,
        }
        return use.model_copy(update=update)


def roadmap_duals(
    outcome: Any,
    objective: str,
    budget_s: float,
    settings: Any = None,
    stop: Callable[[], bool] | None = None,
) -> RoadmapDuals:
    """The estimate LP (module docstring) and, with ``settings`` (the solve's), the MIP
    re-solves in the time left, all within ``budget_s`` wall seconds; ``stop()`` true ends
    the re-solves (the limits not reached keep their estimates)."""
    started = time.perf_counter()
    duals = _estimate_lp(outcome, objective, budget_s)
    if settings is None or getattr(outcome, "col_value", None) is None or not hasattr(outcome.model, "lp"):
        return duals
    from dcplan.planner.roadmap_resolve import resolve_limits

    estimates: dict[int, float] = {}
    if duals.dual is not None:
        estimates = {i: abs(float(d)) for i, d in enumerate(duals.dual)}
    left_s = budget_s - (time.perf_counter() - started)
    duals.resolves = resolve_limits(outcome, settings, left_s, estimates, stop)
    duals.resolves.budget_s = budget_s
    return duals


def _estimate_lp(outcome: Any, objective: str, budget_s: float) -> RoadmapDuals:
    """Solve the roadmap's estimate LP (module docstring) within ``budget_s`` wall seconds."""
    model = getattr(outcome, "model", None)
    x = getattr(outcome, "col_value", None)
    if model is None or x is None or not hasattr(model, "lp"):
        return RoadmapDuals({}, None, objective, "no solved roadmap model to price limits on")
    import highspy

    started = time.perf_counter()
    lower = np.asarray(model.lp.col_lower_, dtype=np.float64).copy()
    upper = np.asarray(model.lp.col_upper_, dtype=np.float64).copy()
    fixed = np.array([name in ("hall_used", "site_used") for name, _ in model.columns], dtype=bool)
    lower[fixed] = upper[fixed] = np.round(np.asarray(x, dtype=np.float64)[fixed])
    highs = quiet_highs()  # stdout may be a --json answer: HiGHS's banner goes to /dev/null
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("time_limit", max(budget_s, 0.01))
    highs.passModel(_lp_copy(model.lp, lower, upper))
    from dcplan.planner.highs_clock import run_highs

    run_highs(highs)
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        status = highs.modelStatusToString(highs.getModelStatus())
        return RoadmapDuals(
            {}, None, objective, f"the estimate LP ended {status} after {time.perf_counter() - started:.1f} s"
        )
    dual = np.asarray(highs.getSolution().row_dual, dtype=np.float64)
    row_of = {name: i for i, name in enumerate(model.rows)}
    return RoadmapDuals(row_of, dual, objective, "")
