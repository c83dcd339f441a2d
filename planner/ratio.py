"""min-cost-per-delivered: the least TCO per delivered PFLOP-day, by Dinkelbach's method.

The ratio of a plan x::

    R(x) = TCO(x) [USD] / W(x) [PFLOP-day],   W(x) = D(x) x T,
    D(x) = sum_(w, e) d[w, e] x alloc[w, e]  [delivered PFLOPS],   T = horizon years x 365.25 [days]

TCO is the plan's present value (capex + PV factor x annual opex, discounted at the
scenario's rate, as every objective counts it); the work is *not* discounted (PFLOP-days
delivered over the horizon, as ``cost_per_unit`` of planner.workload_results), so a higher
discount rate lowers the ratio. Every demand stays a floor (the scenario rules need a
deadline on every budget), so every plan delivers at least W_min > 0 (below). USD per
million tokens is reported beside it when every workload has a model size (tokens from
models.workload.flops_per_token); the PFLOP-day ratio is what is optimised.

Method (Dinkelbach 1967, for a ratio of linear functions over a MIP with W > 0):

0. start: lambda = 0, i.e. min TCO under every demand (the same model), plan x_0;
   lambda_1 = R(x_0).
k. solve P(lambda_k): min F(x) = TCO(x) - lambda_k x W(x) [MUSD]. Only the alloc columns'
   costs change (-lambda_k x T / 1e6 x d): the LP is handed to the same HiGHS session again
   with the new cost vector (no rebuild) and warm started from the best plan so far, which
   every P accepts (the rows do not change) and which scores F = 0, so F(x_k+1) <= 0 and
   R(x_k+1) < lambda_k unless F(x_k+1) = 0. lambda_k+1 = R(x_k+1).

Stop when ``F(x_k+1) >= -tol_k`` with ``tol_k = TOL_SHARE x rel_gap x lambda_k x W_min / 1e6``
[MUSD] (relative to the least work any plan delivers, at the solve's relative gap target), or
after ``MAX_ITERATIONS`` parametric solves, or when the one time limit is spent.

Bound. HiGHS's dual bound b_k <= min_x F(x). For the best-ratio plan x*,
``TCO(x*) - lambda_k W(x*) >= b_k``, so ``R* >= lambda_k + b_k / W(x*)``; b_k <= 0 is most
negative over the *least* work, so ``R* >= lambda_k + min(b_k, 0) / W_min`` with
``W_min = T x sum_w need(w) x min_e d[w, e] / rate[w, e]`` (each demand row
``sum_e rate x alloc >= need`` forces that much delivered work). The proven bound is the best
over the iterations; ratio gap = (R(plan) - bound) / R(plan). Why the stop proves the gap:
each P runs with HiGHS's absolute gap ``tol_k``, so it ends with
``b_k >= F - max(tol_k, rel_gap |F|) >= -2 tol_k`` once ``F >= -tol_k`` (rel_gap <= 1), hence
``R* >= lambda_k (1 - 2 TOL_SHARE rel_gap)`` while ``R(plan) <= lambda_k``: a ratio gap of at
most rel_gap / 2. (HiGHS may measure its relative gap against max(1, |F|) rather than |F|;
the status word does not rest on this argument: ``optimal`` also checks the proven gap.)

Status words: ``optimal`` only when the stopping test was met on a run HiGHS ended optimal
and the proven ratio gap is within the target; ``feasible-with-gap`` for a plan whose ratio
is not proven (the iteration cap, the time limit, a run ended by its limit), with the bound
when there is one; ``cancelled`` (the cancel event, the TUI's stop) with the best plan so far;
``infeasible`` when the start proves it (the pipeline then diagnoses as for every objective);
``no-plan-within-limit`` when the start finds no plan. Time: the start may use
``START_SHARE`` of the time limit, each parametric solve what remains. Ctrl-C stops HiGHS and
raises KeyboardInterrupt, as planner.solve does. The LP-rounding start of planner/start.py
is not used in the loop (its warm start is the previous plan).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from dcplan.models.workload import SECONDS_PER_DAY
from dcplan.planner.matrix_workloads import delivered_per_column, horizon_days
from dcplan.planner.modeldata import ModelData
from dcplan.planner.plan import RatioIteration, RatioResult
from dcplan.planner.solve import (
    Progress,
    SolveOutcome,
    SolveSettings,
    Status,
    close_session,
    highs_options,
    open_session,
    sigint_stops_highs,
)

USD_PER_MUSD = 1e6
#: parametric solves after the start (Dinkelbach converges superlinearly; 2-4 in practice)
MAX_ITERATIONS = 10
#: share of the relative gap target the stopping test allows per solve (see the module doc)
TOL_SHARE = 0.25
#: share of the time limit the min-TCO start may take
START_SHARE = 0.5


def least_delivered_pflops(data: ModelData) -> float:
    """D_min [PFLOPS]: sum_w need(w) x min_e d[w, e] / rate[w, e] over pairs that serve the
    demand (rate > 0); every plan delivers at least this (its demand rows are floors)."""
    total = 0.0
    for workload in data.workloads:
        ratios = [
            data.pairs[workload.id, e].delivered_pflops_per_unit / data.pairs[workload.id, e].rate
            for e in data.eligible.get(workload.id, [])
            if data.pairs[workload.id, e].rate > 0
        ]
        need = data.needs[workload.id].value
        total += need * min(ratios) if ratios and need > 0 else 0.0
    return total


@dataclass
class _Plan:
    """One plan the loop found: its columns and figures (TCO [MUSD], delivered [PFLOPS])."""

    x: np.ndarray
    tco_musd: float
    delivered_pflops: float
    days: float

    @property
    def ratio(self) -> float:
        """TCO [USD] / (delivered [PFLOPS] x T [days])."""
        work = self.delivered_pflops * self.days
        return self.tco_musd * USD_PER_MUSD / work if work > 0 else float("inf")


@dataclass
class _Loop:
    """The loop's state: the model, its session, the clock and what the solves found."""

    data: ModelData
    model: Any
    settings: SolveSettings
    session: Any
    deadline: float
    started: float
    d_col: np.ndarray = field(init=False)  # delivered PFLOPS per unit of each HiGHS column
    alloc: np.ndarray = field(init=False)  # which HiGHS columns are alloc
    days: float = field(init=False)
    least_work: float = field(init=False)  # W_min [PFLOP-day]
    best: _Plan | None = None
    bound: float | None = None  # proven lower bound of R* [USD per PFLOP-day]
    iterations: list[RatioIteration] = field(default_factory=list)
    last: Any = None  # the last RunResult

    def __post_init__(self) -> None:
        self.d_col = delivered_per_column(self.model.columns, self.data)
        self.alloc = np.array([name == "alloc" for name, _ in self.model.columns], dtype=bool)
        self.days = horizon_days(self.data)
        self.least_work = least_delivered_pflops(self.data) * self.days

    @property
    def cancelled(self) -> bool:
        return self.settings.cancel is not None and self.settings.cancel.is_set()

    def costs(self, lam: float) -> np.ndarray:
        """The cost vector of P(lambda) [MUSD per column unit]: the TCO's, and -w x d on alloc
        (the same floats ``build_direct`` gives at that lambda)."""
        weight = lam * self.days / USD_PER_MUSD
        return np.where(self.alloc, -(weight * self.d_col), np.asarray(self.model.tco))

    def run(self, lam: float, limit_s: float) -> _Plan | None:
        """Solve P(lambda) within ``limit_s``; record the iteration; the plan found (or None)."""
        lp = self.model.lp
        lp.col_cost_ = self.costs(lam)
        tol = TOL_SHARE * self.settings.rel_gap * lam * self.least_work / USD_PER_MUSD
        options = highs_options(self.settings, self.model.num_col, self.model.num_row, self.model.nnz)
        self.session.set_options({**options, "mip_abs_gap": max(tol, 1e-9)})
        self.session.load(lp)
        if self.best is not None:
            self.session.set_start(self.best.x)
        self.session.watch(None, self.settings.cancel)
        result = self.last = self.session.run(max(limit_s, 0.0))
        found = None
        if result.has_solution and result.col_value is not None:
            x = np.asarray(result.col_value, dtype=np.float64)
            tco, delivered = float(np.dot(self.model.tco, x)), float(np.dot(self.d_col, x))
            found = _Plan(x, tco, delivered, self.days)
        self._record(lam, found, result)
        return found

    def _record(self, lam: float, found: _Plan | None, result: Any) -> None:
        """The iteration's row, the best plan and the proven bound (see the module doc)."""
        parametric = None
        if found is not None:
            parametric = found.tco_musd - lam * found.delivered_pflops * self.days / USD_PER_MUSD
            if self.best is None or found.ratio < self.best.ratio:
                self.best = found
        b = result.bound
        if lam > 0 and b is not None and (b >= 0 or self.least_work > 0):
            proven = lam + min(b, 0.0) * USD_PER_MUSD / self.least_work if b < 0 else lam
            self.bound = proven if self.bound is None else max(self.bound, proven)
        self.iterations.append(
            RatioIteration(
                iteration=len(self.iterations),
                lambda_usd_per_pflop_day=lam,
                tco_usd=None if found is None else found.tco_musd * USD_PER_MUSD,
                delivered_pflops=None if found is None else found.delivered_pflops,
                ratio_usd_per_pflop_day=None if found is None else found.ratio,
                parametric_usd=None if parametric is None else parametric * USD_PER_MUSD,
                bound_usd=None if b is None or lam == 0 else b * USD_PER_MUSD,
                status=result.status,
                solve_s=result.elapsed_s,
            )
        )
        progress = self.settings.on_progress
        if progress is not None and self.best is not None:
            gap = self.gap
            progress(Progress(self.best.ratio, self.bound, gap, time.perf_counter() - self.started))

    @property
    def gap(self) -> float | None:
        if self.best is None or self.bound is None or not self.best.ratio > 0:
            return None
        return max(self.best.ratio - self.bound, 0.0) / self.best.ratio

    def converged(self, lam: float, found: _Plan | None) -> bool:
        """The stopping test on the last solve: F(x) >= -tol (module doc)."""
        if found is None:
            return False
        tol = TOL_SHARE * self.settings.rel_gap * lam * self.least_work
        return found.tco_musd * USD_PER_MUSD - lam * found.delivered_pflops * self.days >= -tol


def solve_ratio(data: ModelData, settings: SolveSettings) -> SolveOutcome:
    """Dinkelbach's loop on the direct MIP (module doc); a SolveOutcome whose objective is the
    plan's ratio [USD per PFLOP-day], bound the proven lower bound, ``ratio`` the RatioResult.
    Raises KeyboardInterrupt when SIGINT arrived (after HiGHS stops)."""
    from dcplan.planner.matrix import build_direct
    from dcplan.planner.solve import paused_gc

    t0 = time.perf_counter()
    with paused_gc():
        model = build_direct(replace(data, ratio_lambda_usd_per_pflop_day=0.0))
    t1 = time.perf_counter()
    run_settings = settings if settings.cancel is not None else replace(settings, cancel=threading.Event())
    session = open_session(settings)
    loop = _Loop(data, model, run_settings, session, t0 + settings.time_limit_s, t0)
    try:
        with sigint_stops_highs(run_settings) as interrupted:
            stop = _iterate(loop)
    finally:
        close_session(session, settings)
    if interrupted.is_set():
        raise KeyboardInterrupt
    return _outcome(loop, stop, (t1 - t0, time.perf_counter() - t1))


def _iterate(loop: _Loop) -> str:
    """The start, then the parametric solves; why the loop stopped."""
    first = loop.run(0.0, START_SHARE * (loop.deadline - time.perf_counter()))
    if first is None:
        return "the min-TCO start found no plan"
    for _ in range(MAX_ITERATIONS):
        if loop.cancelled:
            return "cancelled"
        assert loop.best is not None
        lam = loop.best.ratio
        remaining = loop.deadline - time.perf_counter()
        if remaining <= 0:
            return "time limit"
        found = loop.run(lam, remaining)
        if loop.cancelled:
            return "cancelled"
        if loop.last.model_status != "kOptimal":  # its plan proves nothing about the optimum
            ended = {"time-limit": "stopped at the time limit", "interrupted": "was stopped"}
            return f"time limit (the last solve {ended.get(loop.last.status, 'ended early')})"
        if loop.converged(lam, found):
            return "converged"
    return f"iteration cap ({MAX_ITERATIONS} parametric solves)"


def _status(loop: _Loop, stop: str) -> Status:
    """The status word (module doc)."""
    if loop.best is None:
        if loop.last is not None and loop.last.model_status in ("kInfeasible", "kUnboundedOrInfeasible"):
            return "infeasible"
        return "cancelled" if loop.cancelled else "no-plan-within-limit"
    if stop == "cancelled" or loop.cancelled:
        return "cancelled"
    gap = loop.gap
    if stop == "converged" and gap is not None and gap <= loop.settings.rel_gap:
        return "optimal"
    return "feasible-with-gap"


def _outcome(loop: _Loop, stop: str, times: tuple[float, float]) -> SolveOutcome:
    """The SolveOutcome of the loop: the best plan's values, the ratio as objective and bound."""
    from dcplan.planner.solve import TERMINATION, _values

    status = _status(loop, stop)
    best = loop.best
    last = loop.last
    options = highs_options(loop.settings, loop.model.num_col, loop.model.num_row, loop.model.nnz)
    termination = f"dinkelbach: {stop}; last run {TERMINATION.get(last.model_status, last.model_status or 'unknown')}"
    if best is None:
        termination = TERMINATION.get(last.model_status, "unknown") if status == "infeasible" else termination
    ratio = None if best is None else _ratio_result(loop, best, stop)
    return SolveOutcome(
        status=status,
        model=loop.model,
        objective=None if best is None else best.ratio,
        bound=loop.bound if best is not None else None,
        gap=loop.gap if best is not None else None,
        build_s=times[0],
        handover_s=0.0,
        solve_s=times[1],
        termination=termination,
        values={} if best is None else _values(loop.model, best.x),
        compute_pflops=None if best is None else float(np.dot(loop.model.compute, best.x)),
        tco_musd=None if best is None else best.tco_musd,
        highs_settings={"presolve": options["presolve"], "process": loop.settings.process},
        ratio=ratio,
    )


def _ratio_result(loop: _Loop, best: _Plan, stop: str) -> RatioResult:
    """The MIP's ratio, its bound and the iterations (``plan_ratio`` adds the plan's figures)."""
    ratio = RatioResult(value=best.ratio, model_value=best.ratio, horizon_days=loop.days, stop=stop)
    return ratio.model_copy(update={"bound": loop.bound, "gap": loop.gap, "iterations": loop.iterations})


def plan_ratio(ratio: RatioResult, tco_usd: float, workloads: list[Any]) -> RatioResult:
    """The ratio and USD per million tokens from the plan's own figures (its ``costs.tco`` and
    its WorkloadResults, re-computed by models/), the MIP's figure kept as ``model_value``."""
    delivered = sum(w.delivered_pflops for w in workloads)
    work = delivered * ratio.horizon_days
    rates = [w.tokens_per_s for w in workloads]
    tokens = sum(r for r in rates if r is not None) * ratio.horizon_days * SECONDS_PER_DAY
    per_mtok = tco_usd / (tokens / 1e6) if tokens > 0 and None not in rates else None
    return ratio.model_copy(
        update={"value": tco_usd / work if work > 0 else ratio.model_value, "usd_per_million_tokens": per_mtok}
    )


def ratio_text(ratio: RatioResult) -> str:
    """ "22.91 USD per PFLOP-day (least ratio proven >= 22.9), 0.39 USD per million tokens":
    the plan's ratio, the MIP's own where the plan's re-computed costs differ, the bound."""
    bound = f"least ratio proven >= {ratio.bound:,.4g}" if ratio.bound is not None else "ratio gap not proven"
    if abs(ratio.model_value - ratio.value) > 1e-9 * abs(ratio.value):
        bound = f"the MIP's own {ratio.model_value:,.4g}, {bound}"
    tokens = f", {ratio.usd_per_million_tokens:,.4g} USD per million tokens" if ratio.usd_per_million_tokens else ""
    return f"{ratio.value:,.4g} {ratio.unit} ({bound}){tokens}"
