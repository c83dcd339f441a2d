"""Robust choice: which candidate mix stays feasible in the largest share of samples."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from dcplan.planner.sweep.backends import ProgressFn, execute
from dcplan.planner.sweep.sample import SampleResult, SampleSpec

if TYPE_CHECKING:
    from dcplan.planner.sweep.runner import SweepDesign

Mix = tuple[tuple[str, int], ...]  # units of each [[candidate]] system


def candidate_mixes(results: Sequence[SampleResult], objective: str, k: int) -> list[tuple[Mix, int]]:
    """Up to ``k`` distinct mixes, each with how many samples chose it.

    The mixes found twice or more come first, most frequent first. When fewer than ``k``
    mixes repeat (continuous inputs make most mixes unique), the rest are spread evenly
    over the remaining distinct mixes ordered by their objective, so the check spans the
    cautious to the ambitious choices rather than taking arbitrary ties.
    """
    planned = [r for r in results if r.has_plan]
    counts = Counter(r.mix_key for r in planned)
    chosen = [(mix, n) for mix, n in counts.most_common() if n >= 2][:k]
    need = k - len(chosen)
    if need > 0:
        taken = {mix for mix, _ in chosen}
        best: dict[Mix, float] = {}
        for r in planned:
            if r.mix_key not in taken:
                best.setdefault(r.mix_key, float(getattr(r, objective)))
        rest = sorted(best, key=lambda mix: (best[mix], mix))
        if rest:
            if len(rest) <= need:
                spots = list(range(len(rest)))
            else:
                spots = sorted({round(x) for x in np.linspace(0, len(rest) - 1, need)})
            chosen += [(rest[i], counts[rest[i]]) for i in spots]
    return chosen[:k]


def robust_check(
    design: SweepDesign,
    results: Sequence[SampleResult],
    backend: Any,
    on_result: ProgressFn | None = None,
    on_phase: Callable[[str, int], None] | None = None,
) -> dict[str, Any]:
    """Which candidate mix stays feasible in the largest share of samples.

    Each candidate mix (``candidate_mixes``) is checked against the first
    ``robust_samples`` samples (all with ``None``) by re-solving the sample with every
    candidate's ``min_units = max_units`` fixed to the mix. No solve is needed where the
    sample's own plan is that mix (feasible, same figures) or where the sample had no plan
    at all (fixing units only restricts it, so it stays infeasible). The robust choice is
    the mix feasible in the most checked samples; ties go to the higher expected compute
    (max-compute) or lower expected TCO (min-tco).
    """
    config = design.config
    objective = "tco_musd" if design.scenario.scenario.objective == "min-tco" else "compute_pflops"
    k = max(0, config.robust_mixes)
    limit = len(results) if config.robust_samples is None else min(config.robust_samples, len(results))
    if k == 0 or not any(r.has_plan for r in results):
        return {
            "checked": False,
            "reason": "disabled" if k == 0 else "no sample has a plan",
            "mixes": [],
            "_failures": [],
        }
    mixes = candidate_mixes(results, objective, k)
    checked = [r for r in results[:limit] if r.status != "error"]
    known, specs = _outcomes_to_solve(design.specs, mixes, checked)
    if on_phase is not None:
        on_phase("robust", len(specs))
    solved, failures = execute(specs, backend, on_result) if specs else ([], [])
    for r in solved:
        known[(r.mix, r.index)] = r
    frequency = Counter(r.mix_key for r in results if r.has_plan)
    rows = [
        _mix_row(mix, frequency[mix], [known[(m, r.index)] for r in checked], checked)
        for m, (mix, _) in enumerate(mixes)
    ]
    best = min(rows, key=lambda row: _robust_order(row, objective)) if rows else None
    return {
        "checked": True,
        "method": (
            "re-solve each checked sample with every candidate's min_units = max_units fixed to the mix; "
            "feasible share over the checked samples; "
            "ties: higher expected compute (max-compute) or lower TCO (min-tco)"
        ),
        "mixes_checked": len(mixes),
        "samples_checked": len(checked),
        "sample_limit": limit,
        "solves": len(specs),
        "known_without_solving": len(known) - len(solved),
        "choice": best,
        "mixes": rows,
        "_failures": failures,
    }


def _outcomes_to_solve(
    specs: Sequence[SampleSpec], mixes: Sequence[tuple[Mix, int]], checked: Sequence[SampleResult]
) -> tuple[dict[tuple[int, int], SampleResult], list[SampleSpec]]:
    """(mix, sample) outcomes known without a solve, and the specs of the ones to re-solve."""
    known: dict[tuple[int, int], SampleResult] = {}
    to_solve: list[SampleSpec] = []
    for m, (mix, _) in enumerate(mixes):
        for r in checked:
            if (r.has_plan and r.mix_key == mix) or not r.has_plan:
                known[(m, r.index)] = replace(r, phase="robust", mix=m)
            else:
                to_solve.append(replace(specs[r.index], phase="robust", mix=m, fixed_mix=mix, attempt=1))
    return known, to_solve


def _mix_row(
    mix: Mix, found_in: int, outcomes: Sequence[SampleResult], checked: Sequence[SampleResult]
) -> dict[str, Any]:
    """One mix over the checked samples: feasible share, and compute/TCO where feasible."""
    feasible = [o for o in outcomes if o.has_plan]
    ran = [o for o in outcomes if o.status != "error"]
    compute = [o.compute_pflops for o in feasible if o.compute_pflops is not None]
    tco = [o.tco_musd for o in feasible if o.tco_musd is not None]
    plannable = sum(1 for r in checked if r.has_plan)
    return {
        "mix": dict(mix),
        "found_in": found_in,
        "checked": len(ran),
        "feasible": len(feasible),
        "feasible_share": len(feasible) / len(ran) if ran else 0.0,
        "with_plan": plannable,  # checked samples that have any plan (the most a mix can reach)
        "feasible_share_of_plannable": len(feasible) / plannable if plannable else 0.0,
        "errors": len(outcomes) - len(ran),
        "mean_compute_pflops_when_feasible": float(np.mean(compute)) if compute else None,
        "expected_compute_pflops": float(np.sum(compute)) / len(ran) if ran else None,
        "mean_tco_musd_when_feasible": float(np.mean(tco)) if tco else None,
    }


def _robust_order(row: dict[str, Any], objective: str) -> tuple[float, float]:
    """Most feasible first; ties: higher expected compute or lower TCO when feasible."""
    if objective == "compute_pflops":
        return (-row["feasible_share"], -(row["expected_compute_pflops"] or 0.0))
    return (-row["feasible_share"], row["mean_tco_musd_when_feasible"] or math.inf)
