"""One call from a roadmap scenario to a checked RoadmapPlan (issue 14).

``plan_roadmap``: roadmap inputs (planner.roadmap_inputs), the time-expanded solve
(planner.roadmap_solve), then per period exactly the single-period steps: layout (rows kept
from the period before, planner.roadmap_layout), ``evaluate``, ``limit_uses``, ``recheck``
and ``build_plan``; then the timeline, the orders and the roadmap-level re-check
(planner.roadmap_timeline, planner.roadmap_recheck), all from the plans' own figures.

``assemble_roadmap`` is the part after the solve: it reads a ``RoadmapOutcome`` through
the attributes the single-period ``SolveOutcome`` has (status, objective, bound, gap,
timings, termination, highs_settings) plus ``periods`` (one SolveOutcome per period, in
single-period naming) and ``linking`` (``"add"`` / ``"ret"``: ``{(t, option key): units}``).

Marginal values per period: the limits of each period are those of its own single-period
block, valued by incremental MIP re-solves of the whole roadmap within the marginal-value
budget, else by LP estimates, each saying which (planner.roadmap_marginals).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import replace
from typing import Any

from dcplan.models.catalog import Catalog
from dcplan.planner.evaluate import build_plan, evaluate
from dcplan.planner.pipeline import PlanOptions, _Phases
from dcplan.planner.plan import Diagnosis, Recheck, SolverInfo, outcome_message
from dcplan.planner.recheck import limit_uses, recheck
from dcplan.planner.roadmap_layout import RowState, continue_fills
from dcplan.planner.roadmap_marginals import RoadmapDuals, roadmap_duals
from dcplan.planner.roadmap_onsite import onsite_orders
from dcplan.planner.roadmap_plan import PeriodPlan, RoadmapPlan, UnitChange
from dcplan.planner.roadmap_recheck import roadmap_recheck
from dcplan.planner.roadmap_timeline import (
    cumulative_delivered_pflop_days,
    density_builds,
    infrastructure_built,
    npv_tco_musd,
    orders,
    period_money,
    residual_musd,
    timeline,
    with_onsite_columns,
)
from dcplan.planner.roadmap_types import RoadmapInputs
from dcplan.planner.solve import SOLUTION_STATUSES, SolveOutcome, SolveSettings, paused_gc


def plan_roadmap(scenario: Any, catalog: Catalog, options: PlanOptions | None = None) -> RoadmapPlan:
    """Solve a scenario with ``[roadmap]`` and return its RoadmapPlan, every period re-checked."""
    from dcplan.planner.roadmap_inputs import roadmap_inputs
    from dcplan.planner.roadmap_solve import solve_roadmap

    options = options or PlanOptions(settings=SolveSettings())
    settings = options.settings
    cancel = options.cancel if options.cancel is not None else settings.cancel
    if cancel is not settings.cancel:
        settings = replace(settings, cancel=cancel)
    phase = _Phases(options, cancel)
    started = time.perf_counter()
    phase("building model")
    inputs = roadmap_inputs(scenario, catalog, options.efficiency)
    phase("solving")
    outcome = solve_roadmap(inputs, settings)
    return assemble_roadmap(catalog, inputs, outcome, replace(options, settings=settings), started, phase)


#: the SolverInfo fields a roadmap outcome carries under the same names
OUTCOME_FIELDS = ("status", "termination", "objective", "bound", "gap", "build_s", "handover_s", "solve_s")


def _solver_info(outcome: Any, inputs: RoadmapInputs, settings: SolveSettings) -> dict[str, Any]:
    info = {name: getattr(outcome, name) for name in OUTCOME_FIELDS}
    info["settings"] = {k: str(v) for k, v in getattr(outcome, "highs_settings", {}).items()}
    return info | {
        "objective_name": objective_note(inputs),
        "time_limit_s": settings.time_limit_s,
        "rel_gap_target": settings.rel_gap,
    }


def objective_note(inputs: RoadmapInputs) -> str:
    """What the roadmap objective sums, discounted or not, and the residual rule."""
    residual = (
        f"residual value straight-line at the horizon end: systems by their IT life, facility plant "
        f"by {inputs.facility_life_years:g} years"
    )
    if inputs.objective == "min-npv-tco":
        return (
            f"NPV of TCO [MUSD] at {inputs.discount_rate:.1%} per year (capex and opex at each period's start) "
            f"less the discounted {residual}; every period's demand met"
        )
    weight = f"discounted at {inputs.discount_rate:.1%} per year" if inputs.discount_delivered else "undiscounted"
    return f"cumulative delivered compute [PFLOP-days] over the periods, {weight}, - tie-break x NPV TCO; {residual}"


def _changes(outcome: Any, inputs: RoadmapInputs) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    """Units added and retired per period and option: the solver's add/ret columns, or (a
    roadmap without them) the increase / decrease of each period's stock."""
    added: dict[int, dict[str, int]] = defaultdict(dict)
    retired: dict[int, dict[str, int]] = defaultdict(dict)
    linking = getattr(outcome, "linking", {}) or {}
    if "add" in linking:
        for name, into in (("add", added), ("ret", retired)):
            for (t, key), value in linking.get(name, {}).items():
                if round(value) > 0:
                    into[t][key] = round(value)
        return added, retired
    before: dict[str, int] = {}
    for t, period in enumerate(outcome.periods):
        now = {k: round(v) for k, v in period.values.get("units", {}).items() if round(v) > 0}
        for key in sorted(set(now) | set(before)):
            step = now.get(key, 0) - before.get(key, 0)
            if step:
                (added if step > 0 else retired)[t][key] = abs(step)
        before = now
    return added, retired


def _retire_reason(inputs: RoadmapInputs, key: str, t: int, history: dict[str, list[int]], added_now: bool) -> str:
    """'end of life' when units of ``key`` bought ``life`` periods ago are due; else 'refresh'
    when the same option is bought in the period, else 'early'."""
    life = inputs.it_life_years.get(key)
    years = inputs.period_years
    if life and years > 0:
        lifetime = math.ceil(life / years - 1e-9)
        if t - lifetime >= 0 and sum(history[key][: t - lifetime + 1]) > 0:
            return "end of life"
    return "refresh" if added_now else "early"


def _unit_changes(data: Any, counts: dict[str, int], why: dict[str, str] | None = None) -> list[UnitChange]:
    by_key = {o.key: o for o in data.options}
    return [
        UnitChange(
            option=key,
            system=by_key[key].system,
            family=by_key[key].family,
            row=by_key[key].row,
            hall=by_key[key].hall,
            units=units,
            why=(why or {}).get(key, ""),
        )
        for key, units in sorted(counts.items())
        if key in by_key
    ]


def _period_plan(
    catalog: Catalog,
    t: int,
    inputs: RoadmapInputs,
    outcome_t: SolveOutcome,
    layout: tuple[RowState | None, dict[str, int]],
    info: dict[str, Any],
    duals: RoadmapDuals | None,
) -> tuple[Any, RowState, str | None]:
    """Period t's CapacityPlan (the single-period steps on its stock) and the row state it leaves."""
    data = inputs.periods[t].data
    previous, retired = layout
    units = outcome_t.values.get("units", {})
    fills, state, afresh = continue_fills(data, units, outcome_t.values.get("rows"), previous, retired, t)
    ev = evaluate(catalog, data, outcome_t, fills)
    uses = limit_uses(catalog, data, ev, outcome_t)
    checked = recheck(catalog, data, ev, outcome_t, uses)
    label = inputs.periods[t].label
    if duals is not None:
        uses = duals.value(uses, t, label)
    summary = f"{label}: period {t + 1} of {len(inputs.periods)} of the roadmap"
    plan = build_plan(
        catalog, data, outcome_t, ev, checked, uses, Diagnosis(feasible=True, summary=summary), SolverInfo(**info)
    )
    from dcplan.planner.swing_plan import with_swing

    # the period's swing mitigation; its battery lines are what the timeline charges when built
    plan = with_swing(plan, data, outcome_t.values, ev)
    from dcplan.planner.water_plan import with_water

    plan = with_water(plan, data, ev)  # the period's water class (one per hall over the roadmap) and heat reuse
    from dcplan.planner.roadmap_onsite import with_roadmap_onsite

    # the period's gensets and fuel; its genset lines are what the timeline charges when built
    plan = with_roadmap_onsite(plan, data, outcome_t.values, ev)
    return plan, state, afresh


def _periods(
    catalog: Catalog, inputs: RoadmapInputs, outcome: Any, info: dict[str, Any], duals: RoadmapDuals | None
) -> tuple[list[PeriodPlan], list[str]]:
    """Every period's PeriodPlan, and a note per period laid out afresh."""
    added, retired = _changes(outcome, inputs)
    history: dict[str, list[int]] = defaultdict(lambda: [0] * len(inputs.periods))
    notes: list[str] = []
    periods: list[PeriodPlan] = []
    state: RowState | None = None
    for t, outcome_t in enumerate(outcome.periods):
        inp = inputs.periods[t]
        for key, units in added[t].items():
            history[key][t] += units
        plan, state, afresh = _period_plan(catalog, t, inputs, outcome_t, (state, retired[t]), info, duals)
        if afresh is not None:
            notes.append(f"{inp.label}: rows laid out afresh ({afresh})")
        why = {key: _retire_reason(inputs, key, t, history, key in added[t]) for key in retired[t]}
        periods.append(
            PeriodPlan(
                index=t,
                period=inp.label,
                start=inp.start.isoformat(),
                plan=plan,
                added=_unit_changes(inp.data, added[t]),
                retired=_unit_changes(inp.data, retired[t], why),
            )
        )
    return periods, notes


def _summary(status: str, gap: float | None, periods: int) -> str:
    what = f"roadmap of {periods} period{'s' if periods != 1 else ''}"
    if status == "optimal":
        return f"optimal {what}"
    return f"best {what} found ({status}), gap {gap:.2%}" if gap is not None else f"best {what} found ({status})"


def _no_plan_diagnosis(
    catalog: Catalog, inputs: RoadmapInputs, outcome: Any, options: PlanOptions, info: dict[str, Any], phase: _Phases
) -> Diagnosis:
    """Why there is no roadmap: for a proven infeasible one the roadmap diagnosis
    (planner.roadmap_diagnosis: which period, which limit or linking family) unless it is
    turned off or cancelled; else what the solver outcome says."""
    if outcome.status == "infeasible" and options.diagnose and not phase.cancelled:
        from dcplan.planner.roadmap_diagnosis import diagnose_roadmap
        from dcplan.planner.session import quiet_highs

        phase("diagnosis")
        quiet_highs()  # HiGHS prints its banner on stdout (a --json answer) at the first Highs made in this process
        return diagnose_roadmap(catalog, inputs, options.settings)
    if outcome.status == "infeasible":
        return Diagnosis(feasible=False, summary="infeasible; diagnosis not run")
    return Diagnosis(feasible=False, summary=outcome_message(SolverInfo(**info), has_plan=False))


def _common(inputs: RoadmapInputs) -> dict[str, Any]:
    """The RoadmapPlan fields known before any period is laid out."""
    scenario = inputs.scenario
    return dict(
        scenario_id=scenario.scenario.id,
        scenario_name=scenario.scenario.name,
        scenario=scenario.model_dump(mode="json"),
        objective=inputs.objective,
        objective_note=objective_note(inputs),
        period_length="year" if inputs.period_years >= 1.0 - 1e-9 else "quarter",
    )


def assemble_roadmap(
    catalog: Catalog,
    inputs: RoadmapInputs,
    outcome: Any,
    options: PlanOptions | None = None,
    started: float | None = None,
    phase: _Phases | None = None,
) -> RoadmapPlan:
    """The RoadmapPlan of a solved (or unsolved) roadmap outcome (module docstring)."""
    options = options or PlanOptions(settings=SolveSettings())
    started = time.perf_counter() if started is None else started
    phase = phase or _Phases(options, options.cancel)
    info = _solver_info(outcome, inputs, options.settings)
    common = _common(inputs)
    if not (outcome.periods and all(p.values for p in outcome.periods) and outcome.status in SOLUTION_STATUSES):
        diagnosis = _no_plan_diagnosis(catalog, inputs, outcome, options, info, phase)
        info["total_s"] = time.perf_counter() - started
        phase("done")
        return RoadmapPlan(
            **common,
            periods=[],
            timeline=[],
            orders=[],
            cumulative_delivered_pflop_days=0.0,
            npv_tco_musd=0.0,
            residual_value_musd=0.0,
            solver=SolverInfo(**info),
            diagnosis=diagnosis,
            recheck=Recheck(ok=True, checked=0),
        )
    t_marginals = time.perf_counter()
    duals = _duals(outcome, inputs, options, phase)  # before the layout: build_plan takes valued limits
    t_layout = time.perf_counter()
    phase("layout")
    with paused_gc():
        periods, notes = _periods(catalog, inputs, outcome, info, duals)
    t_recheck = time.perf_counter()
    phase("re-check")
    linking = getattr(outcome, "linking", {}) or {}
    money = period_money(inputs, periods, density_builds(inputs, linking), infrastructure_built(inputs, outcome))
    residual = residual_musd(inputs, periods, money)
    checked = roadmap_recheck(inputs, periods, money, linking)
    marks = (started, t_marginals, t_layout, t_recheck, time.perf_counter())  # phase boundaries [s]
    info.update(marginals_s=marks[2] - marks[1], layout_s=marks[3] - marks[2], recheck_s=marks[4] - marks[3])
    info["total_s"] = marks[4] - started
    phase("done")
    return RoadmapPlan(
        **common,
        periods=periods,
        timeline=with_onsite_columns(inputs, periods, timeline(inputs, periods, money)),
        orders=orders(inputs, periods) + onsite_orders(inputs, periods),  # gensets: planner.roadmap_onsite
        cumulative_delivered_pflop_days=cumulative_delivered_pflop_days(inputs, periods),
        npv_tco_musd=npv_tco_musd(inputs, periods, money, residual),
        residual_value_musd=residual,
        solver=SolverInfo(**info),
        diagnosis=Diagnosis(feasible=True, summary=_summary(outcome.status, outcome.gap, len(periods))),
        recheck=checked,
        notes=[*_roadmap_notes(inputs), *notes],
    )


def _duals(outcome: Any, inputs: RoadmapInputs, options: PlanOptions, phase: _Phases) -> RoadmapDuals | None:
    """The row duals that value every period's limits (planner.roadmap_marginals); None when
    marginal values are not asked for (the limits keep no value)."""
    if not options.marginals:
        return None
    if phase.cancelled or outcome.status == "cancelled":
        return RoadmapDuals({}, None, inputs.objective, "marginal values cancelled")
    phase("marginal values")
    cancel = options.cancel if options.cancel is not None else options.settings.cancel
    stop = cancel.is_set if cancel is not None else None
    return roadmap_duals(outcome, inputs.objective, options.marginal_budget_s, options.settings, stop)


def _roadmap_notes(inputs: RoadmapInputs) -> list[str]:
    """Assumptions and what-if switches in force."""
    notes = [
        "infrastructure (UPS, transformers, generators, busway, PDUs, halls) is built once and kept: "
        "a period's capex buys only counts above every earlier period's",
        "a refreshed row keeps its busway and rack PDUs",
    ]
    from dcplan.planner.roadmap_slots import roadmap_notes

    notes += roadmap_notes(inputs.extras)  # slots, density, cloud terms, AI Factory: what-if labels
    scenario_roadmap = getattr(inputs.scenario, "roadmap", None)
    if getattr(scenario_roadmap, "mixed_fusion_domain", False) and not any("WHAT-IF" in n.upper() for n in notes):
        notes.append("WHAT-IF: scale-up domains mixing Trainium4 and GPU units allowed (not publicly described)")
    if not inputs.lead_periods or not any(inputs.lead_periods.values()):
        notes.append("equipment lead times not enforced")
    return notes
