"""One call from a scenario to a checked CapacityPlan: data, solve, layout, re-check,
marginal values or infeasibility diagnosis.

Callers (the CLI, the UI's solver process) may pass a phase callback, told the name of
each phase as it starts (``PHASES``), and a cancel event: HiGHS's interrupt callback reads
it during the solve, and the pipeline checks it between phases, so a cancelled solve
still lays out and re-checks its best incumbent but skips the marginal-value re-solves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from dcplan.models.catalog import Catalog
from dcplan.planner.delivered import EfficiencyLookup
from dcplan.planner.diagnosis import diagnose_infeasible, structural_problems
from dcplan.planner.evaluate import build_plan, evaluate
from dcplan.planner.marginals import SessionFactory, Solved, marginal_values, not_valued
from dcplan.planner.matrix_workloads import RATIO_OBJECTIVE
from dcplan.planner.modeldata import ModelData, build_model_data
from dcplan.planner.plan import CapacityPlan, Diagnosis, RatioResult, Recheck, SolverInfo, outcome_message
from dcplan.planner.plan_onsite import with_onsite
from dcplan.planner.recheck import LimitUse, limit_uses, recheck
from dcplan.planner.scenario import Scenario
from dcplan.planner.solve import SolveOutcome, SolveSettings, Status, paused_gc, solve_model_data
from dcplan.planner.swing_plan import with_swing
from dcplan.planner.water_plan import with_water

# the phases of plan_scenario, in the order they run (diagnosis only for an infeasible model,
# layout to marginal values only when there is a plan)
PHASES = ("building model", "solving", "diagnosis", "layout", "re-check", "marginal values", "done")


@dataclass(frozen=True)
class Phase:
    """A phase of plan_scenario as it starts; ``step`` of ``steps`` for the marginal-value re-solves.

    ``cancelled`` says the cancel event was set when the phase started: the first phase
    reported after a cancel is the pipeline acknowledging it.
    """

    name: str
    step: int | None = None
    steps: int | None = None
    cancelled: bool = False

    @property
    def text(self) -> str:
        return f"{self.name} {self.step}/{self.steps}" if self.step is not None else self.name


@dataclass
class PlanOptions:
    settings: SolveSettings
    marginals: bool = True
    marginal_budget_s: float = 5.0  # wall seconds for all marginal values (LP estimates and re-solves)
    diagnose: bool = True
    on_phase: Callable[[Phase], None] | None = None
    cancel: threading.Event | None = None  # also handed to the solver (settings.cancel) if that has none
    #: efficiency and goodput figures of classed workloads (default: the catalog's; planner.delivered)
    efficiency: EfficiencyLookup | None = None


class _Phases:
    """Reports each phase as it starts, saying whether the cancel event is set."""

    def __init__(self, options: PlanOptions, cancel: threading.Event | None) -> None:
        self.callback = options.on_phase
        self.cancel = cancel

    @property
    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def __call__(self, name: str, step: int | None = None, steps: int | None = None) -> None:
        if self.callback is not None:
            self.callback(Phase(name, step, steps, self.cancelled))


def _unsolved(status: Status, termination: str) -> SolveOutcome:
    """The outcome of a run that never reached HiGHS (cancelled early, or structurally infeasible)."""
    return SolveOutcome(
        status=status,
        model=None,
        objective=None,
        bound=None,
        gap=None,
        build_s=0.0,
        handover_s=0.0,
        solve_s=0.0,
        termination=termination,
    )


def plan_scenario(scenario: Scenario, catalog: Catalog, options: PlanOptions | None = None) -> CapacityPlan:
    """Solve ``scenario`` and return a CapacityPlan whose figures are re-checked by models/."""
    options = options or PlanOptions(settings=SolveSettings())
    settings = options.settings
    cancel = options.cancel if options.cancel is not None else settings.cancel
    phase = _Phases(options, cancel)
    if cancel is not settings.cancel:
        settings = replace(settings, cancel=cancel)
    started = time.perf_counter()
    phase("building model")
    if settings.process == "child":
        from dcplan.planner.session import prestart

        prestart()  # the child's start-up (~0.2 s of imports) overlaps the model-data build
    data = build_model_data(scenario, catalog, options.efficiency)
    outcome = _solve(data, settings, phase)
    info = _solver_info(scenario, outcome, settings)
    if not outcome.has_solution:
        diagnosis = _no_plan_diagnosis(catalog, data, outcome, settings, options.diagnose, phase, info)
        info["total_s"] = time.perf_counter() - started
        phase("done")
        plan = build_plan(catalog, data, outcome, None, Recheck(ok=True, checked=0), [], diagnosis, SolverInfo(**info))
        return with_water(plan, data, None)  # the loops' warnings (planner.water_plan)
    t_layout = time.perf_counter()
    phase("layout")
    with paused_gc():  # the layout of a large campus is tens of thousands of small objects
        ev = evaluate(catalog, data, outcome)
        t_recheck = time.perf_counter()
        phase("re-check")
        uses = limit_uses(catalog, data, ev, outcome)
        checked = recheck(catalog, data, ev, outcome, uses)
    t_marginals = time.perf_counter()
    marginals_skipped = False
    if options.marginals and scenario.scenario.objective == RATIO_OBJECTIVE:
        # a step of a limit moves the ratio only through a whole new Dinkelbach loop
        uses = not_valued(uses, "ratio objective (USD per PFLOP-day is not re-solved per limit)")
    elif options.marginals:
        solved = Solved(catalog, scenario, data, settings, outcome)
        uses, marginals_skipped = _marginal_values(solved, uses, options.marginal_budget_s, phase)
    t_end = time.perf_counter()
    info.update(
        layout_s=t_recheck - t_layout,
        recheck_s=t_marginals - t_recheck,
        marginals_s=t_end - t_marginals,
        total_s=t_end - started,
    )
    summary = _summary(outcome.status, outcome.gap)
    if marginals_skipped:
        summary += "; marginal values not computed (cancelled)"
    diagnosis = Diagnosis(feasible=True, summary=summary)
    with paused_gc():
        plan = build_plan(catalog, data, outcome, ev, checked, uses, diagnosis, SolverInfo(**info))
        plan = with_swing(plan, data, outcome.values, ev)  # [[utility_limit]] sites (planner.swing_plan)
        plan = with_water(plan, data, ev)  # [[water_loop]] halls (planner.water_plan)
        plan = with_onsite(plan, data, outcome.values, ev)  # [[onsite_power]] sites (planner.plan_onsite)
    if outcome.ratio is not None:
        plan = _with_plan_ratio(plan, outcome.ratio)
    # total_s covers plan assembly too
    solver = plan.solver.model_copy(update={"total_s": time.perf_counter() - started})
    phase("done")
    return plan.model_copy(update={"solver": solver})


def _with_plan_ratio(plan: CapacityPlan, ratio: RatioResult) -> CapacityPlan:
    """The ratio objective's figures from the plan's own costs and workloads, in the solver
    facts and the summary line."""
    from dcplan.planner.ratio import plan_ratio

    if plan.costs is None:
        return plan
    ratio = plan_ratio(ratio, float(plan.costs.tco.m_as("USD")), plan.workloads)
    diagnosis = plan.diagnosis.model_copy(update={"summary": plan.diagnosis.summary + _ratio_summary(ratio)})
    return plan.model_copy(update={"solver": plan.solver.model_copy(update={"ratio": ratio}), "diagnosis": diagnosis})


def _solve(data: ModelData, settings: SolveSettings, phase: _Phases) -> SolveOutcome:
    """HiGHS on the model data, unless cancelled already or structurally infeasible."""
    if phase.cancelled:
        return _unsolved("cancelled", "cancelled before solving")
    if structural_problems(data):
        return _unsolved("infeasible", "structural")
    phase("solving")  # the MIP build (a small share of the time) and HiGHS
    return solve_model_data(data, settings)


def _solver_info(scenario: Scenario, outcome: SolveOutcome, settings: SolveSettings) -> dict[str, Any]:
    """The SolverInfo fields known once the solve is over (timings of later phases aside)."""
    header = scenario.scenario
    objective_name = {
        "max-compute": f"peak dense compute [PFLOPS {header.precision}] - tie-break x TCO",
        "max-delivered": "delivered compute of the workloads [PFLOPS] - tie-break x TCO",
        "min-time-to-train": f"delivered compute of {header.target} [PFLOPS] - tie-break x TCO",
        RATIO_OBJECTIVE: "TCO / delivered work [USD per PFLOP-day] (Dinkelbach iterations)",
    }.get(header.objective, "TCO [MUSD]")
    return dict(
        status=outcome.status,
        termination=outcome.termination,
        objective_name=objective_name,
        objective=outcome.objective,
        bound=outcome.bound,
        gap=outcome.gap,
        time_limit_s=settings.time_limit_s,
        rel_gap_target=settings.rel_gap,
        build_s=outcome.build_s,
        handover_s=outcome.handover_s,
        solve_s=outcome.solve_s,
        settings={k: str(v) for k, v in outcome.highs_settings.items()},
        ratio=outcome.ratio,
    )


def _no_plan_diagnosis(
    catalog: Catalog,
    data: ModelData,
    outcome: SolveOutcome,
    settings: SolveSettings,
    diagnose: bool,
    phase: _Phases,
    info: dict[str, Any],
) -> Diagnosis:
    """Why there is no plan: the infeasibility diagnosis when asked for and not cancelled,
    else what the cancel or the solver outcome says."""
    if diagnose and outcome.status == "infeasible" and not phase.cancelled:
        phase("diagnosis")
        return diagnose_infeasible(catalog, data, settings)
    if phase.cancelled and outcome.status == "infeasible":
        return Diagnosis(feasible=False, summary="infeasible; diagnosis not run (cancelled)")
    if phase.cancelled:
        return Diagnosis(feasible=False, summary="no plan: cancelled before a plan was found")
    return Diagnosis(feasible=False, summary=outcome_message(SolverInfo(**info), has_plan=False))


def _marginal_values(
    solved: Solved,
    uses: list[LimitUse],
    budget_s: float,
    phase: _Phases,
    session_factory: SessionFactory | None = None,
) -> tuple[list[LimitUse], bool]:
    """A marginal value or a "not valued: <reason>" for every binding limit (planner.marginals),
    reporting "marginal values k/n" before each re-solve.

    Returns the limit uses and whether a cancel cut them short. A cancel stops before the
    next re-solve; a re-solve the cancel interrupted is discarded (its objective is a
    partial incumbent, so its difference from the plan's would be no marginal value).
    ``session_factory`` makes the HiGHS session of the re-solves (default: in process).
    """
    if phase.cancelled or solved.outcome.status == "cancelled":
        return not_valued(uses, "marginal values cancelled"), True
    result = marginal_values(
        solved,
        uses,
        budget_s,
        session_factory=session_factory,
        on_step=lambda k, n: phase("marginal values", k, n),
        cancelled=lambda: phase.cancelled,
    )
    return result.uses, result.cancelled


def _ratio_summary(ratio: RatioResult) -> str:
    """ "; 22.91 USD per PFLOP-day (least ratio proven >= 22.9)" (planner.ratio.ratio_text)."""
    from dcplan.planner.ratio import ratio_text

    return f"; {ratio_text(ratio)}"


def _summary(status: str, gap: float | None) -> str:
    if status == "optimal":
        return "optimal plan"
    return f"best plan found ({status}), gap {gap:.2%}" if gap is not None else f"best plan found ({status})"
