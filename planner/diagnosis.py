"""After the solve: why an infeasible scenario is (marginal values are planner.marginals).

An infeasible scenario gets two elastic re-solves: one that may relax only capacity
limits (power, plant, space, budget) and one that may relax only demands and shares. Each
names the limits to relax and by how much, in units.
"""

from __future__ import annotations

from typing import Any

from dcplan.models.catalog import Catalog
from dcplan.planner.modeldata import ModelData
from dcplan.planner.plan import Diagnosis, Relaxation
from dcplan.planner.porting import run_stacks
from dcplan.planner.solve import SolveOutcome, SolveSettings, solve_model_data

_TEXTS = {
    "site_utility_power": ("utility power (design day)", "site {i}: utility power short by {x} MW", 1e-3, "MW"),
    "hall_it_power": ("hall IT power", "hall {i}: IT power cap short by {x} MW", 1e-3, "MW"),
    "hall_liquid_plant": ("hall liquid plant", "hall {i}: liquid plant short by {x} MW", 1e-3, "MW"),
    "hall_air_plant": ("hall air plant", "hall {i}: air plant short by {x} MW", 1e-3, "MW"),
    "hall_area": ("hall whitespace", "hall {i}: whitespace short by {x} m2", 1.0, "m2"),
    "budget": ("capex budget", "capex budget short by {x} MUSD", 1.0, "MUSD"),
    "opex_budget": ("annual opex budget", "annual opex budget short by {x} MUSD", 1.0, "MUSD"),
    "candidate_max": ("maximum units", "{i}: allow {x} more units", 1.0, "units"),
    "candidate_min": ("minimum units", "{i}: lower the minimum by {x} units", 1.0, "units"),
}

#: Relaxations smaller than these are solver noise (or the cost tie-break), not advice:
#: 1 kW, 0.5 m2, 1,000 USD, half a unit, 0.1 percentage point.
THRESHOLDS = {"MW": 1e-3, "m2": 0.5, "MUSD": 1e-3, "units": 0.5, "share": 1e-3, "PFLOPS": 1e-3, "chips": 0.5}


#: How each unit's relaxation amounts are written (whole units for counts and areas).
AMOUNT_FORMATS = {"MW": ",.2f", "MUSD": ",.1f", "m2": ",.0f", "units": ",.0f", "chips": ",.0f", "PFLOPS": ",.0f"}


def amount_text(value: float, unit: str) -> str:
    """A relaxation amount in its unit's format, with more digits when that would read as zero.

    ``0.5 MW`` -> "0.50", ``0.0043 MW`` -> "0.0043" (two significant figures, never "0.00").
    """
    text = format(value, AMOUNT_FORMATS.get(unit, ",.3g"))
    if value > 0 and not any(ch in "123456789" for ch in text):
        text = f"{value:.2g}"
    return text


def _share_members(data: ModelData, family: str | None, software: str | None) -> list[str]:
    supplies: list[Any] = [*data.options, *data.clouds]  # rack options and cloud offers alike
    return [
        s.key
        for s in supplies
        if (family is not None and s.family == family) or (software is not None and s.software == software)
    ]


def structural_problems(data: ModelData) -> list[str]:
    """Reasons no relaxation of numbers can fix (e.g. a workload nothing may serve)."""
    problems = []
    stacks = run_stacks(data.scenario)  # its software and the stacks a [[porting]] opens
    for workload in data.workloads:
        if not data.eligible.get(workload.id):
            needs = [*workload.software, *sorted(stacks[workload.id] - set(workload.software))]
            problems.append(
                f"workload {workload.id} has no eligible capacity: it needs {'/'.join(needs)} "
                f"at {'/'.join(workload.placement)} places with residency {'/'.join(workload.residency)}"
                + (f" at {data.precision}" if data.pruned else "")
                + (" (see the pruned options)" if data.pruned else "")
                + "".join(
                    f"; {r}"
                    for r in data.workload_pruned
                    if r.startswith((f"{workload.id} cannot run", f"porting {workload.id} to "))
                )
            )
    if not data.options and not data.clouds:
        problems.append("no system can be placed in any row (see the pruned options)")
    for bound in data.scenario.share:
        if bound.min > 0 and not _share_members(data, bound.family, bound.software):
            problems.append(
                f"the minimum share of {bound.label} ({bound.min:.0%}) cannot be met: no {bound.label} system can "
                "be placed in any row or rented (see the pruned options); lower that minimum to 0 or add capacity for it"
            )
    return problems


def diagnose_infeasible(catalog: Catalog, data: ModelData, settings: SolveSettings) -> Diagnosis:
    """Elastic re-solves that say which limits to relax and by how much."""
    problems = structural_problems(data)
    if problems:
        return Diagnosis(feasible=False, summary="; ".join(problems))
    relaxations: list[Relaxation] = []
    found: dict[str, list[str]] = {}
    not_found: dict[str, str] = {}
    for group in ("capacity", "demand"):
        outcome = solve_model_data(
            data,
            SolveSettings(time_limit_s=settings.time_limit_s, rel_gap=1e-6, seed=settings.seed),
            elastic=frozenset({group}),
        )
        if not outcome.has_solution:
            not_found[group] = (
                "no relaxation found within the time limit"
                if outcome.status == "no-plan-within-limit"
                else "cannot make it feasible"
            )
            continue
        texts = []
        for (family, index), value in sorted(
            outcome.values.get("slack", {}).items(), key=lambda kv: (kv[0][0], str(kv[0][1]))
        ):
            text = _relaxation_text(data, outcome, family, index, value)
            if text is None:
                continue
            limit, message, amount, unit = text
            relaxations.append(
                Relaxation(
                    group=group,
                    limit=limit,
                    scope=str(index) if index is not None else "plan",
                    amount=amount,
                    unit=unit,
                    text=message,
                )
            )  # type: ignore[arg-type]
            texts.append(message)
        if texts:
            found[group] = texts
        else:
            not_found[group] = "found no relaxation above the noise threshold"
    return Diagnosis(feasible=False, summary=diagnosis_summary(found, not_found), relaxations=relaxations)


_GROUP_WORDS = {"capacity": "capacity limits", "demand": "demands and shares"}


def diagnosis_summary(found: dict[str, list[str]], not_found: dict[str, str]) -> str:
    """One sentence: 'either relax capacity limits: a; b, or relax demands and shares: c'.

    ``found`` maps a group to its relaxation texts; ``not_found`` a group to why it has none.
    """
    ways = [f"relax {_GROUP_WORDS[g]}: {'; '.join(texts)}" for g, texts in found.items()]
    dead_ends = [f"relaxing {_GROUP_WORDS[g]} alone {why}" for g, why in not_found.items()]
    if len(ways) == 2:
        sentence = f"either {ways[0]}, or {ways[1]}"
    elif ways:
        sentence = ways[0]
    else:
        return "infeasible: " + "; ".join(dead_ends) if dead_ends else "infeasible, and no relaxation was found"
    return sentence + (f" ({'; '.join(dead_ends)})" if dead_ends else "")


def _relaxation_text(
    data: ModelData, outcome: SolveOutcome, family: str, index: Any, value: float
) -> tuple[str, str, float, str] | None:
    if family == "workload_demand":
        need, shown = data.needs[index].value, data.needs[index].unit
        unit = "chips" if shown == "chips" else "PFLOPS"
        if value <= max(1e-6 * need, THRESHOLDS[unit]):
            return None
        return (
            "demand",
            f"drop workload {index} demand by {amount_text(value, unit)} {shown} ({value / need:.0%})",
            value,
            unit,
        )
    if family in ("share_min", "share_max"):
        return _share_text(data, outcome, family, index, value)
    if family not in _TEXTS:
        return None
    limit, template, scale, unit = _TEXTS[family]
    amount = value * scale
    if amount <= THRESHOLDS[unit]:
        return None
    return (limit, template.format(i=index, x=amount_text(amount, unit)), amount, unit)


def _share_text(
    data: ModelData, outcome: SolveOutcome, family: str, index: int, value: float
) -> tuple[str, str, float, str] | None:
    """A share slack (a fraction of the largest possible compute U) as the share to set.

    The elastic plan's own shares say where the bound must go: floor -> the group's share
    of that plan's compute (0 when it deploys nothing), ceiling -> likewise.
    """
    from dcplan.planner.formulation import _compute_upper_bound
    from dcplan.planner.matrix_workloads import basis_terms, share_members

    if value <= THRESHOLDS["share"]:
        return None
    bound = data.scenario.share[index]
    total_terms = basis_terms(data, bound.basis)

    def plan_value(terms: list[tuple[str, Any, float]]) -> float:
        return sum(w * outcome.values.get(var, {}).get(i, 0.0) for var, i, w in terms)

    total = plan_value(total_terms)
    group = plan_value(basis_terms(data, bound.basis, share_members(data, bound)))
    share = group / total if total > 0 else 0.0
    shortfall = value * _compute_upper_bound(outcome.model, total_terms)
    basis_unit = {"peak": "PFLOPS", "delivered": "delivered PFLOPS", "chips": "chips", "power": "kW", "capex": "MUSD"}
    shortfall_pflops = shortfall  # in the basis unit
    if family == "share_min":
        if share <= 1e-9:
            text = f"drop the minimum share of {bound.label} ({bound.min:.0%})"
            return ("minimum share", text, bound.min, "share")
        text = f"lower the minimum share of {bound.label} from {bound.min:.0%} to {share:.1%} ({shortfall_pflops:,.0f} {basis_unit[bound.basis]} short)"
        return ("minimum share", text, bound.min - share, "share")
    text = f"raise the maximum share of {bound.label} from {bound.max:.0%} to {share:.1%}"
    return ("maximum share", text, share - bound.max, "share")
