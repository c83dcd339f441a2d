"""Why a roadmap has no plan (issue 14): which period, which limit or linking family.

``diagnose_roadmap(catalog, inputs, settings)`` runs only for a roadmap proven infeasible:

1. Period by period, the block alone under that period's availability (options not yet
   installable and rows in halls not yet ready hold nothing; no money rows: the roadmap
   writes its own). The first period whose block alone has no plan gets the single-period
   diagnosis (planner.diagnosis.diagnose_infeasible: structural problems, then the elastic
   capacity / demand re-solves), scoped to that period, with what is unavailable in it.
2. Every period has a plan alone, so the linking rows are the cause: each linking family
   (planner.roadmap_formulation.LINKING_FAMILIES: lead times, IT life, capex budgets,
   allocation caps, monotone build, purchase windows) is relaxed ALONE in the elastic Pyomo
   roadmap (a slack on each of its rows, the sum minimised), and every family whose
   relaxation restores a plan is named with the periods and amounts it needs.
3. No family alone restores a plan: all of them together, naming every row relaxed.

The slacks are in each family's unit (equipment count, units, MUSD) and a family's
relaxation is the least total it needs, so "capex budget of 2027Q2 short by 12.0 MUSD"
is the smallest raise that, with nothing else changed, lets the roadmap have a plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo

from dcplan.models.catalog import Catalog
from dcplan.planner.diagnosis import THRESHOLDS, amount_text, diagnose_infeasible
from dcplan.planner.modeldata import ModelData
from dcplan.planner.plan import Diagnosis, Relaxation
from dcplan.planner.roadmap_formulation import LINKING_FAMILIES, build_roadmap_model, solve_roadmap_formulation
from dcplan.planner.roadmap_model import _without_money
from dcplan.planner.roadmap_types import PeriodInput, RoadmapInputs
from dcplan.planner.solve import SolveSettings

#: family -> (the words of the summary, the unit of its slack)
FAMILY_WORDS: dict[str, tuple[str, str]] = {
    "lead_times": ("equipment lead times", "units"),
    "life": ("IT life (end-of-life retirement)", "units"),
    "budgets": ("capex budgets", "MUSD"),
    "allocation_caps": ("vendor allocation caps", "units"),
    "monotone_build": ("build-once infrastructure", "units"),
    "purchase_window": ("purchase windows (available_from / available_until, zero allocations)", "units"),
}


def available_data(period: PeriodInput) -> tuple[ModelData, list[str]]:
    """The period's ModelData with what is unavailable in it holding nothing, and the notes
    saying what that is: an option not installable, or in a hall not ready, gets no rows
    (rows_available = 0, so its units' bound is 0); money rows removed (the roadmap's own)."""
    data = _without_money(period.data)
    closed_systems = sorted({o.system for o in data.options if o.key not in period.installable})
    unready = sorted(h for h in data.halls if h not in period.halls_ready)
    options = [
        o if o.key in period.installable and o.hall in period.halls_ready else replace(o, rows_available=0)
        for o in data.options
    ]
    notes = []
    if closed_systems:
        notes.append(f"not yet available: {', '.join(closed_systems)}")
    if unready:
        notes.append(f"hall{'s' if len(unready) > 1 else ''} not ready: {', '.join(unready)}")
    return replace(data, options=options), notes


def block_status(data: ModelData, settings: SolveSettings) -> str:
    """ "feasible", "infeasible" or "unknown" (the time limit passed without a proof): the
    single-period model of ``data`` with a zero objective, by HiGHS alone."""
    from dcplan.planner.matrix import build_direct

    model = build_direct(data)
    lp = model.lp
    lp.col_cost_ = np.zeros(lp.num_col_)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", settings.threads)
    h.setOptionValue("random_seed", settings.seed)
    h.setOptionValue("time_limit", float(settings.time_limit_s))
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return "infeasible"
    return "feasible" if h.getInfo().primal_solution_status >= 2 else "unknown"


def _period_diagnosis(catalog: Catalog, period: PeriodInput, settings: SolveSettings) -> Diagnosis | None:
    """The single-period diagnosis of ``period`` when its block alone has no plan, else None."""
    data, notes = available_data(period)
    if block_status(data, settings) != "infeasible":
        return None
    single = diagnose_infeasible(catalog, data, settings)
    where = f"{period.label} (the first period with no plan of its own" + "".join(f"; {n}" for n in notes) + ")"
    relaxations = [r.model_copy(update={"scope": f"{period.label}: {r.scope}"}) for r in single.relaxations]
    return Diagnosis(feasible=False, summary=f"in {where}: {single.summary}", relaxations=relaxations)


def _slack_text(inputs: RoadmapInputs, family: str, index: Any, value: float) -> tuple[str, str] | None:
    """(scope, message) of one relaxed linking row, or None below the noise threshold."""
    unit = FAMILY_WORDS[family][1]
    if value <= THRESHOLDS[unit]:
        return None
    label = _labeller(inputs)
    x = amount_text(value, unit)
    if family == "budgets":
        kind, where = index
        if kind == "period":
            return label(where), f"capex budget of {label(where)} short by {x} MUSD"
        if kind == "periods":
            span = f"{label(where[0])}-{label(where[-1])}"
            return span, f"capex budget of {span} short by {x} MUSD"
        return "horizon", f"total capex budget short by {x} MUSD"
    if family == "lead_times":
        equipment, owner, t = index
        lead = inputs.lead_periods.get(equipment, 0)
        return (
            f"{label(t)}: {owner}",
            f"{owner}: {x} more {equipment} needed in {label(t)}, before its lead time of {lead} periods "
            f"allows (record an [[ordered]] delivery by {label(t)}, or use it later)",
        )
    if family == "life":
        option, t = index
        years = inputs.it_life_years.get(option)
        return (
            f"{label(t)}: {option}",
            f"{option}: {x} units would serve past their IT life ({years:g} y) in {label(t)}",
        )
    if family == "allocation_caps":
        system, t = index
        cap = inputs.periods[t].allocation_caps.get(system)
        return f"{label(t)}: {system}", f"{system}: allocation of {cap} in {label(t)} short by {x} units"
    if family == "purchase_window":
        option, t = index
        return f"{label(t)}: {option}", f"{option}: buy {x} units in {label(t)}, outside its purchase window"
    name, key, t = index
    return f"{label(t)}: {key}", f"{name} of {key} would have to fall by {x} in {label(t)} (built once and kept)"


def _labeller(inputs: RoadmapInputs) -> Callable[[Any], str]:
    labels = [p.label for p in inputs.periods]
    return lambda t: labels[t] if isinstance(t, int) and 0 <= t < len(labels) else str(t)


def _relax(inputs: RoadmapInputs, families: frozenset[str], settings: SolveSettings) -> list[Relaxation] | None:
    """The relaxations that restore a plan with ``families`` elastic, or None (no plan even
    so, or nothing to relax: the families have no rows in this roadmap); an empty list when
    a plan needs no relaxation at all (the roadmap was feasible)."""
    model = build_roadmap_model(inputs, families)
    if not model.slack_terms:
        return None
    result = solve_roadmap_formulation(inputs, settings, families, model=model)
    if not result.has_solution:
        return None
    out = []
    for family, index, var in model.slack_terms:
        text = _slack_text(inputs, family, index, float(pyo.value(var)))
        if text is not None:
            out.append(
                Relaxation(
                    group="capacity",
                    limit=FAMILY_WORDS[family][0],
                    scope=text[0],
                    amount=float(pyo.value(var)),
                    unit=FAMILY_WORDS[family][1],
                    text=text[1],
                )
            )
    return out


def diagnose_roadmap(catalog: Catalog, inputs: RoadmapInputs, settings: SolveSettings) -> Diagnosis:
    """Which period, and which limit or linking family, makes the roadmap have no plan
    (see the module docstring for the order of the checks)."""
    run = SolveSettings(time_limit_s=settings.time_limit_s, rel_gap=1e-6, seed=settings.seed, process="in-process")
    for period in inputs.periods:
        found = _period_diagnosis(catalog, period, run)
        if found is not None:
            return found
    ways: list[str] = []
    relaxations: list[Relaxation] = []
    for family in LINKING_FAMILIES:
        relaxed = _relax(inputs, frozenset({family}), run)
        if relaxed == []:
            return Diagnosis(feasible=True, summary="the roadmap has a plan: nothing to relax")
        if relaxed:
            ways.append(f"relax {FAMILY_WORDS[family][0]}: {'; '.join(r.text for r in relaxed)}")
            relaxations += relaxed
    lead = "every period has a plan on its own, but the roadmap has none"
    if ways:
        return Diagnosis(feasible=False, summary=f"{lead}: {', or '.join(ways)}", relaxations=relaxations)
    together = _relax(inputs, frozenset(LINKING_FAMILIES), run)
    if together:
        texts = "; ".join(r.text for r in together)
        return Diagnosis(
            feasible=False,
            summary=f"{lead}; no single linking family restores it, relaxing these together does: {texts}",
            relaxations=together,
        )
    return Diagnosis(
        feasible=False,
        summary=f"{lead}, and no relaxation of the linking rows (lead times, IT life, budgets, allocations, "
        "build-once infrastructure, purchase windows) restores it within the time limit",
    )
