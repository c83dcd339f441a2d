"""One call from a scenario to a checked CapacityPlan: data, solve, layout, re-check,
marginal values or infeasibility diagnosis."""

from __future__ import annotations

import time
from dataclasses import dataclass

from models.catalog import Catalog
from planner.diagnosis import diagnose_infeasible, marginal_values, structural_problems
from planner.evaluate import build_plan, evaluate
from planner.modeldata import build_model_data
from planner.plan import CapacityPlan, Diagnosis, Recheck, SolverInfo, outcome_message
from planner.recheck import limit_uses, recheck
from planner.scenario import Scenario
from planner.solve import SolveSettings, paused_gc, solve_model_data


@dataclass
class PlanOptions:
    settings: SolveSettings
    marginals: bool = True
    marginal_budget_s: float = 20.0
    diagnose: bool = True


def plan_scenario(scenario: Scenario, catalog: Catalog, options: PlanOptions | None = None) -> CapacityPlan:
    """Solve ``scenario`` and return a CapacityPlan whose figures are re-checked by models/."""
    options = options or PlanOptions(settings=SolveSettings())
    settings = options.settings
    started = time.perf_counter()
    data = build_model_data(scenario, catalog)
    problems = structural_problems(data)
    if problems:
        from planner.solve import SolveOutcome

        outcome = SolveOutcome(
            status="infeasible",
            model=None,
            objective=None,
            bound=None,
            gap=None,
            build_s=0.0,
            handover_s=0.0,
            solve_s=0.0,
            termination="structural",
        )
    else:
        outcome = solve_model_data(data, settings)
    objective_name = (
        f"peak dense compute [PFLOPS {scenario.scenario.precision}] - tie-break x TCO"
        if scenario.scenario.objective == "max-compute"
        else "TCO [MUSD]"
    )
    info = dict(
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
    )
    if not outcome.has_solution:
        diagnosis = (
            diagnose_infeasible(catalog, data, settings)
            if options.diagnose and outcome.status == "infeasible"
            else Diagnosis(feasible=False, summary=outcome_message(SolverInfo(**info), has_plan=False))
        )
        info["total_s"] = time.perf_counter() - started
        return build_plan(catalog, data, outcome, None, Recheck(ok=True, checked=0), [], diagnosis, SolverInfo(**info))
    t_layout = time.perf_counter()
    with paused_gc():  # the layout of a large campus is tens of thousands of small objects
        ev = evaluate(catalog, data, outcome)
        t_recheck = time.perf_counter()
        uses = limit_uses(catalog, data, ev, outcome)
        checked = recheck(catalog, data, ev, outcome, uses)
    t_marginals = time.perf_counter()
    if options.marginals and outcome.status != "cancelled":
        uses = marginal_values(catalog, scenario, outcome, uses, settings, options.marginal_budget_s)
    t_end = time.perf_counter()
    info.update(
        layout_s=t_recheck - t_layout,
        recheck_s=t_marginals - t_recheck,
        marginals_s=t_end - t_marginals,
        total_s=t_end - started,
    )
    diagnosis = Diagnosis(feasible=True, summary=_summary(outcome.status, outcome.gap))
    with paused_gc():
        plan = build_plan(catalog, data, outcome, ev, checked, uses, diagnosis, SolverInfo(**info))
    # total_s covers plan assembly too
    solver = plan.solver.model_copy(update={"total_s": time.perf_counter() - started})
    return plan.model_copy(update={"solver": solver})


def _summary(status: str, gap: float | None) -> str:
    if status == "optimal":
        return "optimal plan"
    return f"best plan found ({status}), gap {gap:.2%}" if gap is not None else f"best plan found ({status})"
