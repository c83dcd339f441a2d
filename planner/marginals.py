"""Marginal values of binding limits: what relaxing each by one step is worth to the objective.

One step per limit (``STEPS``, planner.marginal_steps): +1 MW of utility power, hall IT power,
liquid or air plant, or a site's swing band (planner.marginals_swing), +100 m2 of whitespace,
+100 MUSD of capex budget, +10 MUSD of annual opex budget, and one percentage point of a
share bound (-1 pp of a minimum, +1 pp of a maximum). The value is the change of peak PFLOPS
(max-compute), of delivered PFLOPS (max-delivered, min-time-to-train: the objective's own),
or the TCO saved [MUSD] (min-tco). Two methods (``marginal_method``):

- **LP estimate.** One LP gives a rate for every row at once: the plan's MIP with the halls
  and sites built as in the plan (``hall_used``, ``site_used`` fixed) and every other integer
  (units, rows, racks, UPS modules, transformers, generators) continuous. A row's dual ``y``
  [objective units per model unit: per kW, per m2, per MUSD] times the step in model units
  (1 MW = 1,000 kW) is the estimate, ``value = y x step``; for a share bound the step is
  0.01 x the LP's total compute [PFLOPS], the change of that row's activity when the share
  moves by one point. It is the LP's rate at its optimum: exact for the LP while its basis
  holds, a guide for the MIP (whose whole units can make a step worth less or more). In
  compute objectives it includes the tie-break x TCO term (under 1 % of one unit's compute).
- **re-solve.** The MIP is loaded once into a ``Session``; per limit that row's upper bound
  goes up by one step, the run starts from the plan's columns (a relaxation keeps the plan
  feasible) and the bound is put back. A share changes coefficients, not a bound: its
  relaxed scenario is rebuilt (model data + matrix) and run with the same warm start. The
  change is a value only when it exceeds the two runs' absolute gaps (``|bound - objective|``
  of each, summed): a smaller change is noise.

The budget (``PlanOptions.marginal_budget_s``, 5 s) covers the matrix, the LP and the re-solves,
run largest LP estimate first, each with remaining / re-solves left, on the solve's kind of
session (a pooled HiGHS child, or in process); a cancel or Ctrl-C discards the one running. A limit whose estimate is within the plan's own absolute
gap is not re-solved (at that gap no re-solve can tell its change from noise) and keeps its
LP estimate, as do limits the budget did not reach and re-solves whose change was noise.
Every binding limit ends with a value or ``marginal_text = "not valued: <reason>"``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from dcplan.models.catalog import Catalog
from dcplan.models.units import Q_
from dcplan.planner.marginal_steps import MODEL_UNITS, NOT_PLANNING_LIMITS, ROW_FAMILIES, SHARE_STEP, STEPS
from dcplan.planner.marginals_swing import SWING_LIMIT, relaxed_swing
from dcplan.planner.matrix import DirectModel, build_direct
from dcplan.planner.matrix_workloads import DELIVERED_OBJECTIVES, delivered_per_column
from dcplan.planner.modeldata import ModelData, build_model_data
from dcplan.planner.plan import LimitUse
from dcplan.planner.report.quantity import percent
from dcplan.planner.scenario import Scenario
from dcplan.planner.session import RunResult, Session
from dcplan.planner.solve import SolveOutcome, SolveSettings, close_session, open_session, sigint_stops_highs

SessionFactory = Callable[[], Session]

MIN_SLICE_S = 0.05  # a re-solve given less than this would only return the warm start
EXACT_GAP = 1e-6  # a run within this relative gap counts as exact: any change is a value

LP_MEANING = (
    "LP estimate: this limit's dual in the LP relaxation of the plan's MIP (halls and sites built as in "
    "the plan, unit, row and rack counts continuous) x the step"
)
RESOLVE_MEANING = "the MIP re-solved with this limit relaxed by one step, warm-started from this plan"


def _replace(items: list[Any], key: str, value: str, **update: Any) -> list[Any]:
    return [item.model_copy(update=update) if getattr(item, key) == value else item for item in items]


def _moved(bound: Any, name: str) -> Any:
    """A share bound one point looser: a minimum down (to 0 at least), a maximum up (to 1 at most)."""
    value = max(0.0, bound.min - SHARE_STEP) if name == "min" else min(1.0, bound.max + SHARE_STEP)
    return bound.model_copy(update={name: value})


def _relaxed_share(scenario: Scenario, use: LimitUse) -> Scenario | None:
    """The scenario with the share bound of ``use`` moved one point (None: ``use`` is no share bound)."""
    for prefix, name in (("minimum share (", "min"), ("maximum share (", "max")):
        if use.limit.startswith(prefix):
            label = use.limit[len(prefix) : -1]
            shares = [_moved(b, name) if b.label == label else b for b in scenario.share]
            return scenario.model_copy(update={"share": shares})
    return None


def relaxed_scenario(scenario: Scenario, use: LimitUse) -> Scenario | None:
    """A copy of the scenario with ``use``'s limit relaxed by one step (None: not relaxable)."""
    header = scenario.scenario
    if use.limit == SWING_LIMIT:
        return relaxed_swing(scenario, use.scope)
    if use.limit == "utility power (design day)":
        site = next(s for s in scenario.site if s.id == use.scope)
        sites = _replace(scenario.site, "id", use.scope, utility_power=site.utility_power + Q_(1.0, "MW"))
        return scenario.model_copy(update={"site": sites})
    hall_fields = {
        "hall IT power": ("it_power_cap", Q_(1.0, "MW")),
        "hall liquid plant": ("liquid_plant_capacity", Q_(1.0, "MW")),
        "hall air plant": ("air_plant_capacity", Q_(1.0, "MW")),
        "hall whitespace": ("area", Q_(100.0, "m**2")),
    }
    if use.limit in hall_fields:
        name, step = hall_fields[use.limit]
        hall = next(h for h in scenario.hall if h.id == use.scope)
        halls = _replace(scenario.hall, "id", use.scope, **{name: getattr(hall, name) + step})
        return scenario.model_copy(update={"hall": halls})
    if use.limit == "capex budget" and header.budget is not None:
        return scenario.model_copy(
            update={"scenario": header.model_copy(update={"budget": header.budget + Q_(100e6, "USD")})}
        )
    if use.limit == "annual opex budget" and header.annual_opex_budget is not None:
        new = header.annual_opex_budget + Q_(10e6, "USD")
        return scenario.model_copy(update={"scenario": header.model_copy(update={"annual_opex_budget": new})})
    return _relaxed_share(scenario, use)


def is_share(use: LimitUse) -> bool:
    return use.limit.startswith(("minimum share (", "maximum share ("))


def step_text(use: LimitUse) -> str:
    """The step in words: "+1 MW", "-1 percentage point"."""
    if use.limit.startswith("minimum share ("):
        return "-1 percentage point"
    if use.limit.startswith("maximum share ("):
        return "+1 percentage point"
    return "+{:g} {}".format(*STEPS[use.limit])


@dataclass
class _Target:
    """One relaxable binding limit: its HiGHS row, its step in model units, its LP estimate."""

    position: int  # in the list of limit uses
    use: LimitUse
    row: int
    step: float  # model units; for a share, the fraction of total compute (0.01)
    estimate: float | None = None  # value of one step [PFLOPS or MUSD saved], from the LP


@dataclass
class MarginalResult:
    """The limit uses with their values or reasons; ``cancelled`` when a cancel cut them short."""

    uses: list[LimitUse]
    cancelled: bool

    def count(self, method: str | None) -> int:
        """Binding limits valued by ``method`` ("re-solve", "LP estimate"), or not valued (None)."""
        return sum(1 for u in self.uses if u.binding and u.marginal_method == method)


@dataclass(frozen=True)
class _Objective:
    """How a change of the objective reads: +PFLOPS (max-compute) or MUSD of TCO saved (min-tco)."""

    max_compute: bool
    precision: str

    def benefit(self, change: float) -> float:
        """The value of a change of the LP objective (compute gained, or TCO saved)."""
        return change if self.max_compute else -change

    def amount(self, value: float) -> str:
        """``+1,812 PFLOPS fp8`` or ``-12.5 MUSD TCO`` (a saving); "+0" for what rounds to zero, never "-0"."""
        if self.max_compute:
            return f"{value if round(value) != 0 else 0.0:+,.0f} PFLOPS {self.precision}"
        return f"{-value if round(value, 1) != 0 else 0.0:+,.1f} MUSD TCO"

    def text(self, use: LimitUse, value: float, method: str) -> str:
        return f"{step_text(use)} {use.limit} ({use.scope}) = {self.amount(value)} ({method})"


class _Clock:
    def __init__(self, budget_s: float) -> None:
        self.budget_s = budget_s
        self.deadline = time.perf_counter() + budget_s

    def remaining(self) -> float:
        return self.deadline - time.perf_counter()


def not_valued(uses: list[LimitUse], reason: str) -> list[LimitUse]:
    """Every binding limit gets ``"not valued: <reason>"`` (limits that are not planning limits their own)."""
    out = []
    for use in uses:
        if not use.binding:
            out.append(use)
            continue
        text = NOT_PLANNING_LIMITS.get(use.limit, f"not valued: {reason}")
        out.append(use.model_copy(update=_fields(None, None, None, text, None)))
    return out


def _fields(value: float | None, step: str | None, method: str | None, text: str, note: str | None) -> dict[str, Any]:
    return {
        "marginal": value,
        "marginal_step": step,
        "marginal_method": method,
        "marginal_text": text,
        "marginal_note": note,
    }


def base_columns(model: DirectModel, base: SolveOutcome) -> np.ndarray:
    """The plan's value of every column of ``model``, from the solve's values (0 where absent)."""
    values = base.values
    return np.array([values.get(name, {}).get(index, 0.0) for name, index in model.columns], dtype=np.float64)


def compute_per_column(model: DirectModel, data: ModelData) -> np.ndarray:
    """What the objective maximises per unit of each column: peak dense PFLOPS of units and
    rentals (max-compute), or delivered PFLOPS of allocations (max-delivered and
    min-time-to-train: the objective's own pairs); 0 elsewhere."""
    if data.scenario.scenario.objective in DELIVERED_OBJECTIVES:
        return delivered_per_column(model.columns, data)
    per_unit = {o.key: o.compute_per_unit for o in data.options} | {c.key: c.compute_per_unit for c in data.clouds}
    return np.array(
        [per_unit[key] / 1000.0 if name in ("units", "rent") else 0.0 for name, key in model.columns],
        dtype=np.float64,
    )


def _targets(scenario: Scenario, model: DirectModel, relaxable: list[tuple[int, LimitUse]]) -> list[_Target]:
    """The HiGHS row and model-unit step of each relaxable binding limit."""
    row_of = {name: i for i, name in enumerate(model.rows)}
    share_index = {b.label: i for i, b in reversed(list(enumerate(scenario.share)))}
    targets = []
    for position, use in relaxable:
        if is_share(use):
            family = "share_min" if use.limit.startswith("minimum") else "share_max"
            key: tuple[str, Any] = (family, share_index.get(use.limit[use.limit.index("(") + 1 : -1]))
            bound = scenario.share[key[1]] if key[1] is not None else None
            step = 0.0 if bound is None else min(SHARE_STEP, bound.min if family == "share_min" else 1.0 - bound.max)
        else:
            size, unit = STEPS[use.limit]
            key = (ROW_FAMILIES[use.limit], None if use.scope == "plan" else use.scope)
            step = size * MODEL_UNITS[unit]
        if key in row_of:
            targets.append(_Target(position, use, row_of[key], step))
    return targets


def _lp_copy(lp: Any, col_lower: np.ndarray, col_upper: np.ndarray) -> Any:
    """A HighsLp like ``lp`` with all columns continuous and the given column bounds (HighsLp cannot be copied)."""
    import highspy

    out = highspy.HighsLp()
    out.num_col_, out.num_row_, out.sense_, out.offset_ = lp.num_col_, lp.num_row_, lp.sense_, lp.offset_
    out.col_cost_, out.col_lower_, out.col_upper_ = lp.col_cost_, col_lower, col_upper
    out.row_lower_, out.row_upper_ = lp.row_lower_, lp.row_upper_
    matrix = lp.a_matrix_
    out.a_matrix_.format_, out.a_matrix_.num_col_, out.a_matrix_.num_row_ = (
        matrix.format_,
        matrix.num_col_,
        matrix.num_row_,
    )
    out.a_matrix_.start_, out.a_matrix_.index_, out.a_matrix_.value_ = matrix.start_, matrix.index_, matrix.value_
    return out


def fixed_halls_lp(model: DirectModel, x_base: np.ndarray) -> Any:
    """The LP of the estimates: every column continuous, ``hall_used`` and ``site_used`` fixed to the plan's."""
    lower = np.asarray(model.lp.col_lower_, dtype=np.float64).copy()
    upper = np.asarray(model.lp.col_upper_, dtype=np.float64).copy()
    fixed = np.array([name in ("hall_used", "site_used") for name, _ in model.columns], dtype=bool)
    lower[fixed] = upper[fixed] = np.round(x_base[fixed])
    return _lp_copy(model.lp, lower, upper)


def _estimate(targets: list[_Target], run: RunResult, compute: np.ndarray, objective: _Objective) -> None:
    """``value = dual x step`` per target; a share's step is 0.01 x the LP's total compute [PFLOPS]."""
    if run.row_dual is None or run.col_value is None:
        return
    total_pflops = float(compute @ run.col_value)
    for target in targets:
        rhs_step = target.step * total_pflops if is_share(target.use) else target.step
        target.estimate = objective.benefit(float(run.row_dual[target.row]) * rhs_step)


def _abs_gap(objective: float | None, bound: float | None, optimal: bool) -> float:
    """|bound - objective| [objective units]; 0 for an optimal run without a bound, inf when unknown."""
    if objective is not None and bound is not None and math.isfinite(bound):
        return abs(bound - objective)
    return 0.0 if optimal else math.inf


def session_options(settings: SolveSettings) -> dict[str, Any]:
    """The HiGHS options of the re-solves: the plan's gap target, threads and seed."""
    return {
        "threads": settings.threads,
        "random_seed": settings.seed,
        "mip_rel_gap": settings.rel_gap,
        "mip_abs_gap": 1e-9,
    }


@dataclass
class _Base:
    """The plan the re-solves are compared against, as columns of ``model``."""

    model: DirectModel
    x: np.ndarray
    compute: np.ndarray  # PFLOPS per unit of each column
    objective: _Objective
    value: float  # the plan's compute [PFLOPS] (max-compute) or TCO [MUSD] (min-tco)
    noise: float  # the plan's absolute gap [objective units]
    exact: float  # runs within this absolute gap count as exact

    @classmethod
    def of(cls, data: ModelData, model: DirectModel, outcome: SolveOutcome) -> _Base:
        x = base_columns(model, outcome)
        compute = compute_per_column(model, data)
        header = data.scenario.scenario
        delivered = header.objective in DELIVERED_OBJECTIVES
        objective = _Objective(
            header.objective == "max-compute" or delivered, "delivered" if delivered else header.precision
        )
        value = float(compute @ x) if objective.max_compute else float(np.asarray(model.lp.col_cost_) @ x)
        noise = _abs_gap(outcome.objective, outcome.bound, outcome.status == "optimal")
        exact = EXACT_GAP * max(1.0, abs(outcome.objective or 0.0))
        return cls(model, x, compute, objective, value, noise, exact)

    def benefit_of(self, run: RunResult, compute: np.ndarray) -> float:
        """Compute gained [PFLOPS] or TCO saved [MUSD] by a run's plan over this one."""
        assert run.col_value is not None and run.objective is not None
        if self.objective.max_compute:
            return float(compute @ run.col_value) - self.value
        return self.value - run.objective

    def size(self, amount: float) -> str:
        return f"{amount:,.0f} PFLOPS" if self.objective.max_compute else f"{amount:,.1f} MUSD"


class _Runner:
    """Re-solves on one session: a bound change on the loaded base MIP, or a share's rebuilt model."""

    def __init__(self, session: Session, base: _Base, catalog: Catalog, scenario: Scenario) -> None:
        self.session, self.base, self.catalog, self.scenario = session, base, catalog, scenario
        self.row_lower = np.asarray(base.model.lp.row_lower_, dtype=np.float64)
        self.row_upper = np.asarray(base.model.lp.row_upper_, dtype=np.float64)
        self.base_loaded = False

    def run(self, target: _Target, slice_s: float) -> tuple[RunResult, np.ndarray]:
        """The run with ``target`` relaxed one step, and the compute per column of the model it ran."""
        if is_share(target.use):
            return self._share(target, slice_s)
        if not self.base_loaded:
            self.session.load(self.base.model.lp)
            self.base_loaded = True
        row = target.row
        lower, upper = float(self.row_lower[row]), float(self.row_upper[row])
        self.session.change_row_bounds(row, lower, upper + target.step)
        self.session.set_start(self.base.x)
        try:
            return self.session.run(slice_s), self.base.compute
        finally:
            self.session.change_row_bounds(row, lower, upper)

    def _share(self, target: _Target, slice_s: float) -> tuple[RunResult, np.ndarray]:
        """A share bound is in the coefficients of its row: rebuild the relaxed scenario's MIP and run it."""
        started = time.perf_counter()
        relaxed = relaxed_scenario(self.scenario, target.use)
        assert relaxed is not None  # targets are relaxable limits
        data = build_model_data(relaxed, self.catalog)
        model = build_direct(data)
        by_column = dict(zip(self.base.model.columns, self.base.x, strict=True))
        start = np.array([by_column.get(column, 0.0) for column in model.columns], dtype=np.float64)
        self.session.load(model.lp)
        self.base_loaded = False
        self.session.set_start(start)
        run = self.session.run(max(slice_s - (time.perf_counter() - started), 0.0))
        return run, compute_per_column(model, data)


def _fallback(base: _Base, target: _Target, why: str) -> dict[str, Any]:
    """The LP estimate where a re-solve gave no value (saying why), else "not valued"."""
    use = target.use
    if target.estimate is None:
        return _fields(None, None, None, f"not valued: {why}, and the LP gave no estimate", None)
    text = base.objective.text(use, target.estimate, "LP estimate")
    return _fields(target.estimate, step_text(use), "LP estimate", text, f"{LP_MEANING}; {why}")


def _judged(base: _Base, target: _Target, run: RunResult, compute: np.ndarray, slice_s: float) -> dict[str, Any]:
    """A re-solve's change as the value, unless it is within the two runs' gaps (noise) or there is none."""
    use = target.use
    if not run.has_solution or run.col_value is None or run.objective is None:
        if run.status == "infeasible":
            why = "the re-solve reported the relaxed model infeasible, which a relaxation of a feasible plan cannot be"
        else:
            why = f"the re-solve found no plan within its {slice_s:.2f} s ({run.status})"
        return _fallback(base, target, why)
    value = base.benefit_of(run, compute)
    noise = base.noise + _abs_gap(run.objective, run.bound, run.status == "optimal")
    if noise > base.exact and abs(value) <= noise:
        why = (
            f"the re-solve's change ({base.objective.amount(value)}) is within the two runs' gaps "
            f"(±{base.size(noise)}), so it is noise"
        )
        return _fallback(base, target, why)
    method = "re-solve" if run.status == "optimal" else f"re-solve {run.status}, gap {percent(run.gap or 0.0)}"
    note = f"{RESOLVE_MEANING}; the change is outside the two runs' gaps (±{base.size(noise)})"
    return _fields(value, step_text(use), "re-solve", base.objective.text(use, value, method), note)


def _worth_resolving(target: _Target, base: _Base) -> bool:
    """False when the LP estimate is within the plan's own gap: no re-solve could tell it from noise."""
    if target.estimate is None or base.noise <= base.exact:
        return True
    return abs(target.estimate) > base.noise


def _apply(uses: list[LimitUse], done: dict[int, dict[str, Any]]) -> list[LimitUse]:
    return [use.model_copy(update=done[i]) if i in done else use for i, use in enumerate(uses)]


def _cancelled(uses: list[LimitUse], done: dict[int, dict[str, Any]]) -> MarginalResult:
    """The re-solves finished before the cancel keep their values; every other binding limit says so."""
    return MarginalResult(_apply(not_valued(uses, "marginal values cancelled"), done), True)


@dataclass(frozen=True)
class Solved:
    """A solved scenario, as the marginal values need it: inputs, model data, settings and outcome."""

    catalog: Catalog
    scenario: Scenario
    data: ModelData
    settings: SolveSettings
    outcome: SolveOutcome


def marginal_values(
    solved: Solved,
    uses: list[LimitUse],
    budget_s: float,
    session_factory: SessionFactory | None = None,
    model: DirectModel | None = None,
    on_step: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> MarginalResult:
    """A value or a reason for every binding limit of ``uses``, within ``budget_s`` seconds.

    ``session_factory`` makes the Session the LP and the re-solves run on (default:
    ``_default_session``, whose run a cancel stops at once; a session from a factory is
    asked between runs only); ``model`` is the plan's matrix if the caller has it (else it is
    built from the model data); ``on_step(k, n)`` is told before re-solve k of n;
    ``cancelled()`` is asked before and after each: once true, the re-solves done keep their
    values, the one it interrupted is discarded and the others are "not valued: marginal
    values cancelled".
    """
    scenario, outcome = solved.scenario, solved.outcome
    relaxable = [(i, u) for i, u in enumerate(uses) if u.binding and relaxed_scenario(scenario, u) is not None]
    out = not_valued(uses, "dcplan has no relaxation step for this limit")
    if not relaxable:
        return MarginalResult(out, False)
    if outcome.objective is None or not outcome.values:
        return MarginalResult(not_valued(out, "the plan has no objective value"), False)
    if budget_s <= MIN_SLICE_S:
        return MarginalResult(not_valued(out, f"no time for marginal values (budget {budget_s:g} s)"), False)
    clock = _Clock(budget_s)
    model = model if model is not None else build_direct(solved.data)
    base = _Base.of(solved.data, model, outcome)
    # Ctrl-C during a run sets ``sigint`` (HiGHS stops at its next check); raised once it has
    sigint = threading.Event()
    asked = cancelled or (lambda: False)

    def stop() -> bool:
        return sigint.is_set() or asked()

    session, done_with = (session_factory(), None) if session_factory is not None else _default_session(solved, stop)
    try:
        with sigint_stops_highs(SolveSettings(cancel=sigint)) as interrupted:
            session.set_options(session_options(solved.settings))
            runner = _Runner(session, base, solved.catalog, scenario)
            valuation = _Valuation(runner, clock, solved.settings.time_limit_s, on_step)
            result = valuation.run(out, _targets(scenario, model, relaxable), relaxable, stop)
    finally:
        (done_with or session.close)()
    if interrupted.is_set():
        raise KeyboardInterrupt
    return result


class _StopEvent(threading.Event):
    """An event that also reads as set once ``stop()`` is true: what a session's ``watch``
    checks at every HiGHS callback (in process) or watchdog tick (child)."""

    def __init__(self, stop: Callable[[], bool]) -> None:
        super().__init__()
        self._stop = stop

    def is_set(self) -> bool:
        return super().is_set() or self._stop()


def _default_session(solved: Solved, stop: Callable[[], bool]) -> tuple[Session, Callable[[], None]]:
    """The solve's kind of session (``planner.solve.open_session``) and how to give it back;
    a cancel or Ctrl-C (``stop()``) stops its run at once."""
    session = open_session(solved.settings)
    session.watch(None, _StopEvent(stop))
    return session, lambda: close_session(session, solved.settings)


@dataclass
class _Valuation:
    """The LP estimates, then the re-solves in order of estimate while the budget lasts."""

    runner: _Runner
    clock: _Clock
    time_limit_s: float
    on_step: Callable[[int, int], None] | None

    def run(
        self,
        uses: list[LimitUse],
        targets: list[_Target],
        relaxable: list[tuple[int, LimitUse]],
        stop: Callable[[], bool],
    ) -> MarginalResult:
        base, session = self.runner.base, self.runner.session
        done: dict[int, dict[str, Any]] = {}
        mapped = {t.position for t in targets}
        for position, _ in relaxable:
            if position not in mapped:  # e.g. a share bound that puts no row in the model
                done[position] = _fields(None, None, None, "not valued: the limit has no row in the model", None)
        session.load(fixed_halls_lp(base.model, base.x))
        _estimate(targets, session.run(self.clock.remaining()), base.compute, base.objective)
        queue = sorted(
            (t for t in targets if _worth_resolving(t, base)),
            key=lambda t: (t.estimate is None, -abs(t.estimate or 0.0)),
        )
        if not self._resolve(queue, done, stop):
            return _cancelled(uses, done)
        self._estimates_for_the_rest(targets, {t.position for t in queue}, done)
        return MarginalResult(_apply(uses, done), False)

    def _resolve(self, queue: list[_Target], done: dict[int, dict[str, Any]], stop: Callable[[], bool]) -> bool:
        """Re-solve ``queue`` in order, each with a slice of the budget left; False when cancelled."""
        for k, target in enumerate(queue, start=1):
            remaining_s = self.clock.remaining()
            if remaining_s <= MIN_SLICE_S:
                break
            if stop():
                return False
            if self.on_step is not None:
                self.on_step(k, len(queue))
            if stop():
                return False
            slice_s = min(remaining_s / (len(queue) - k + 1), self.time_limit_s)
            run, compute = self.runner.run(target, slice_s)
            if stop():  # the run the cancel interrupted is discarded
                return False
            done[target.position] = _judged(self.runner.base, target, run, compute, slice_s)
        return True

    def _estimates_for_the_rest(
        self, targets: list[_Target], queued: set[int], done: dict[int, dict[str, Any]]
    ) -> None:
        """Limits not re-solved keep their LP estimate, saying why they were not re-solved."""
        base = self.runner.base
        for target in targets:
            if target.position in done:
                continue
            if target.position in queued:
                why = f"not re-solved within the marginal-value budget of {self.clock.budget_s:g} s"
            else:
                why = f"not re-solved: a change this small is within the plan's own gap (±{base.size(base.noise)})"
            done[target.position] = _fallback(base, target, why)
