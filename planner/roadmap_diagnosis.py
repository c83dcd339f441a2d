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
4. The core roadmap has a plan with nothing relaxed: the extension rows (ROADMAP_HOOKS of
   planner.roadmap_model: NVLink Fusion slots and density classes, cloud terms and AI
   Factory commitments, which this Pyomo model does not write) are the cause: each hook is
   left out of the production model in turn, naming those whose absence restores a plan.

The slacks are in each family's unit (equipment count, units, MUSD; step 3 adds them up
as they are, a unit weighing as much as a MUSD) and a family's relaxation is the least
total it needs, so "capex budget of 2027Q2 short by 12.0 MUSD"
is the smallest raise that, with nothing else changed, lets the roadmap have a plan.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo

from dcplan.models.catalog import Catalog
from dcplan.planner.delivered import supply_groups
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


#: block / linking columns of the build-once rows, in words
BUILT_WORDS = {
    "hall_used": "the fitted-out hall",
    "site_used": "the site in use",
    "ups_n": "UPS modules",
    "xfmr_n": "transformers",
    "gen_n": "generators",
    "port": "a paid porting",
    "rows_built": "rows with busway",
    "racks_built": "racks with PDUs",
}

#: extension modules (their ROADMAP_HOOKS entries) in words
HOOK_WORDS = {
    "roadmap_slots": "NVLink Fusion slots, density classes and switch-tray supply",
    "roadmap_cloud": "cloud terms (reserved, capacity blocks) and AI Factory commitments",
}


def available_data(period: PeriodInput) -> tuple[ModelData, list[str]]:
    """The period's ModelData without what is unavailable in it, and the notes saying what
    that is: options not installable or in a hall not ready are left out (with their
    workload pairs; the supply groups regrouped), money rows removed (the roadmap's own).

    (Leaving them out, not zeroing their rows: a row template's row count is read from its
    options, all of which carry the template's.)
    """
    data = _without_money(period.data)
    closed_systems = sorted({o.system for o in data.options if o.key not in period.installable})
    unready = sorted(h for h in data.halls if h not in period.halls_ready)
    dropped = {o.key for o in data.options if o.key not in period.installable or o.hall not in period.halls_ready}
    notes = []
    if closed_systems:
        notes.append(f"not yet available: {', '.join(closed_systems)}")
    if unready:
        notes.append(f"hall{'s' if len(unready) > 1 else ''} not ready: {', '.join(unready)}")
    if not dropped:
        return data, notes
    eligible = {w: [e for e in supplies if e not in dropped] for w, supplies in data.eligible.items()}
    pairs = {key: pair for key, pair in data.pairs.items() if key[1] not in dropped}
    kept = replace(
        data,
        options=[o for o in data.options if o.key not in dropped],
        eligible=eligible,
        pairs=pairs,
        supply_groups=supply_groups(eligible, pairs),
    )
    return kept, notes


def block_status(data: ModelData, settings: SolveSettings) -> str:
    """The single-period model of ``data`` by HiGHS alone: feasible, infeasible or unknown
    (the time limit passed without a proof)."""
    from dcplan.planner.matrix import build_direct

    return lp_status(build_direct(data).lp, settings)


def lp_status(lp: highspy.HighsLp, settings: SolveSettings) -> str:
    """Feasibility of a MIP (its costs zeroed: any plan will do) by HiGHS alone, in process."""
    lp.col_cost_ = np.zeros(lp.num_col_)
    from dcplan.planner.session import quiet_highs

    h = quiet_highs()  # the banner must not reach stdout (a --json answer)
    h.setOptionValue("threads", settings.threads)
    h.setOptionValue("random_seed", settings.seed)
    h.setOptionValue("time_limit", float(settings.time_limit_s))
    h.passModel(lp)
    from dcplan.planner.highs_clock import run_highs

    run_highs(h)
    status = h.getModelStatus()
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return "infeasible"
    return "feasible" if h.getInfo().primal_solution_status >= 2 else "unknown"


def _period_diagnosis(catalog: Catalog, period: PeriodInput, settings: SolveSettings) -> Diagnosis | None:
    """The single-period diagnosis of ``period`` when its block alone has no plan, else None."""
    data, notes = available_data(period)
    if block_status(data, settings) != "infeasible":
        return None
    where = f"{period.label} (the first period with no plan of its own" + "".join(f"; {n}" for n in notes) + ")"
    if notes and not data.options and not data.clouds:
        # not the single-period "see the pruned options": nothing is pruned, it is too early
        text = "nothing can be installed or rented then, but the period asks for capacity: lower its demands "
        text += "and minimums to zero, or make a system available and a hall ready by then"
        return Diagnosis(feasible=False, summary=f"in {where}: {text}")
    single = diagnose_infeasible(catalog, data, settings)
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
            f"{owner}: {x} {equipment} needed from {label(t)}, before its lead time of {lead} periods "
            f"allows (record an [[ordered]] delivery of {x} by {label(t)}, or build later)",
        )
    if family == "life":
        option, first, last = index
        years = inputs.it_life_years.get(option)
        span = label(first) if first == last else f"{label(first)}-{label(last)}"
        return f"{span}: {option}", f"{option}: {x} units would serve past their IT life ({years:g} y) in {span}"
    if family == "allocation_caps":
        system, t = index
        cap = inputs.periods[t].allocation_caps.get(system)
        return f"{label(t)}: {system}", f"{system}: allocation of {cap} in {label(t)} short by {x} units"
    if family == "purchase_window":
        option, t = index
        return f"{label(t)}: {option}", f"{option}: buy {x} units in {label(t)}, outside its purchase window"
    name, key, t = index
    what = BUILT_WORDS.get(name, name)
    return f"{label(t)}: {key}", f"{key}: {what} would have to fall by {x} in {label(t)} (built once and kept)"


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
    values = {(family, index): float(pyo.value(var)) for family, index, var in model.slack_terms}
    out = []
    for (family, index), value in condensed(values).items():
        text = _slack_text(inputs, family, index, value)
        if text is not None:
            limit, unit = FAMILY_WORDS[family]
            out.append(Relaxation(group="capacity", limit=limit, scope=text[0], amount=value, unit=unit, text=text[1]))
    return out


def condensed(values: dict[tuple[str, Any], float]) -> dict[tuple[str, Any], float]:
    """One relaxation per piece of equipment and per option where the slacks run over periods:

    lead_times (equipment, owner, t) -> (equipment, owner, first t): the most needed (the
    slack is the count in use at t, so pre-ordering the largest covers every period);
    life (option, t) -> (option, first t, last t): the most units past their life at once.
    Slacks at the noise level are dropped first. Other families are kept as they are.
    """
    out: dict[tuple[str, Any], float] = {}
    spans: dict[tuple[str, Any], list[int]] = {}
    for (family, index), value in values.items():
        if value <= THRESHOLDS[FAMILY_WORDS[family][1]]:
            continue
        if family not in ("lead_times", "life"):
            out[family, index] = value
            continue
        *what, t = index
        key = (family, tuple(what))
        spans.setdefault(key, []).append(t)
        out[key] = max(out.get(key, 0.0), value)
    for key, ts in spans.items():
        value = out.pop(key)
        family, what = key
        out[family, (*what, min(ts)) if family == "lead_times" else (*what, min(ts), max(ts))] = value
    return out


class _Clock:
    """The diagnosis's time: ``time_limit_s`` in all, each solve given what is left."""

    def __init__(self, settings: SolveSettings) -> None:
        self.settings = settings
        self.deadline = time.monotonic() + settings.time_limit_s

    def left(self) -> SolveSettings | None:
        """Settings for the next solve (in process, tight gap), or None when time is up."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return None
        return SolveSettings(time_limit_s=remaining, rel_gap=1e-6, seed=self.settings.seed, process="in-process")


def diagnose_roadmap(catalog: Catalog, inputs: RoadmapInputs, settings: SolveSettings) -> Diagnosis:
    """Which period, and which limit or linking family, makes the roadmap have no plan
    (see the module docstring for the order of the checks), within ``settings.time_limit_s``
    in all: what was not checked by then is named."""
    if not inputs.periods:
        return Diagnosis(feasible=False, summary="the roadmap has no periods")
    clock = _Clock(settings)
    for period in inputs.periods:
        run = clock.left()
        if run is None:
            return _out_of_time([], [], [p.label for p in inputs.periods[period.index :]])
        found = _period_diagnosis(catalog, period, run)
        if found is not None:
            return found
    ways: list[str] = []
    relaxations: list[Relaxation] = []
    for i, family in enumerate(LINKING_FAMILIES):
        run = clock.left()
        if run is None:
            return _out_of_time(ways, relaxations, [FAMILY_WORDS[f][0] for f in LINKING_FAMILIES[i:]])
        relaxed = _relax(inputs, frozenset({family}), run)
        if relaxed == []:
            return _extension_diagnosis(inputs, run)
        if relaxed:
            ways.append(f"relax {FAMILY_WORDS[family][0]}: {'; '.join(r.text for r in relaxed)}")
            relaxations += relaxed
    if ways:
        return Diagnosis(feasible=False, summary=f"{LINKING_LEAD}: {', or '.join(ways)}", relaxations=relaxations)
    run = clock.left()
    together = _relax(inputs, frozenset(LINKING_FAMILIES), run) if run is not None else None
    if together:
        texts = "; ".join(r.text for r in together)
        return Diagnosis(
            feasible=False,
            summary=f"{LINKING_LEAD}; no single linking family restores it, relaxing these together does: {texts}",
            relaxations=together,
        )
    return Diagnosis(
        feasible=False,
        summary=f"{LINKING_LEAD}, and no relaxation of the linking rows (lead times, IT life, budgets, allocations, "
        "build-once infrastructure, purchase windows) restores it within the time limit",
    )


LINKING_LEAD = "every period has a plan on its own, but the roadmap has none"


def _out_of_time(ways: list[str], relaxations: list[Relaxation], unchecked: list[str]) -> Diagnosis:
    """What the diagnosis found before its time limit, and what it did not check."""
    found = f"{LINKING_LEAD}: {', or '.join(ways)}; " if ways else ""
    return Diagnosis(
        feasible=False,
        summary=f"{found}the diagnosis reached its time limit before checking {', '.join(unchecked)}",
        relaxations=relaxations,
    )


def _hook_label(hook: Callable[..., Any]) -> str:
    module = getattr(hook, "__module__", "").rsplit(".", 1)[-1]
    return HOOK_WORDS.get(module, f"{module}.{getattr(hook, '__name__', 'hook')}")


def _extension_diagnosis(inputs: RoadmapInputs, settings: SolveSettings) -> Diagnosis:
    """The core roadmap has a plan: is an extension hook the cause (step 4)?"""
    from dcplan.planner.roadmap_model import ROADMAP_HOOKS, build_roadmap

    hooks = list(ROADMAP_HOOKS)
    if not hooks or lp_status(build_roadmap(inputs, hooks=hooks).lp, settings) != "infeasible":
        return Diagnosis(feasible=True, summary="the roadmap has a plan: nothing to relax")
    culprits = [
        _hook_label(hook)
        for hook in hooks
        if lp_status(build_roadmap(inputs, hooks=[h for h in hooks if h is not hook]).lp, settings) == "feasible"
    ]
    lead = "every period and the core linking rows have a plan, but the roadmap's extension rows do not"
    if culprits:
        return Diagnosis(feasible=False, summary=f"{lead}: without the rows of {' or of '.join(culprits)} it has one")
    return Diagnosis(feasible=False, summary=f"{lead}, and leaving out any one extension alone does not restore a plan")
