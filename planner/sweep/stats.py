"""Statistics over a sweep's samples: P10/P50/P90, counts, and the tornado ranking.

The tornado ranks each input by the Spearman rank correlation of its driver value with
the objective (and with TCO and compute) over the samples with a plan, and by the
"swing": mean objective of the samples in the top third of the input minus the bottom
third, in the objective's units; over all samples that ran, the feasibility swing is the
share with a plan in the top third minus the bottom third.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from dcplan.planner.sweep.sample import SampleResult

if TYPE_CHECKING:
    from dcplan.planner.sweep.runner import SweepDesign

OUTPUTS = ("compute_pflops", "tco_musd", "capex_musd", "facility_mw")


def _percentiles(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"p10": None, "p50": None, "p90": None, "mean": None, "min": None, "max": None}
    array = np.asarray(values, dtype=float)
    p10, p50, p90 = np.percentile(array, [10, 50, 90])
    return {
        "p10": float(p10),
        "p50": float(p50),
        "p90": float(p90),
        "mean": float(array.mean()),
        "min": float(array.min()),
        "max": float(array.max()),
    }


def infeasible_text(summary: dict[str, Any]) -> str:
    """'8 of 40 samples infeasible (20 %)': the one phrase every summary line uses."""
    share = summary.get("infeasible_share")
    shown = "-" if share is None else f"{share:.0%}".replace("%", " %")
    return f"{summary['infeasible']} of {summary['samples']} samples infeasible ({shown})"


def summarise(results: Sequence[SampleResult]) -> dict[str, Any]:
    """Counts by status (and the infeasible share of all samples), P10/P50/P90 of the outputs
    and units, how often each system is chosen."""
    planned = [r for r in results if r.has_plan]
    statuses = Counter(r.status for r in results)
    systems = sorted({s for r in planned for s, _ in r.units})
    units = {s: [dict(r.units).get(s, 0) for r in planned] for s in systems}
    mixes = Counter(r.mix_key for r in planned)
    infeasible = statuses.get("infeasible", 0)
    return {
        "samples": len(results),
        "with_plan": len(planned),
        "infeasible": infeasible,
        "infeasible_share": infeasible / len(results) if results else None,
        "no_solution": statuses.get("no-plan-within-limit", 0),
        "errors": statuses.get("error", 0),
        "time_limited": statuses.get("feasible-with-gap", 0),
        "by_status": dict(sorted(statuses.items())),
        "outputs": {name: _percentiles([getattr(r, name) for r in planned]) for name in OUTPUTS},
        "units": {s: _percentiles(v) for s, v in units.items()},
        "chosen_share": {s: (sum(1 for u in v if u > 0) / len(planned)) for s, v in units.items()},
        "distinct_mixes": len(mixes),
    }


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rank correlation: the Pearson correlation of the ranks of ``x`` and ``y``
    (ties take their average rank), by ``scipy.stats.spearmanr``.

    0 when there are fewer than 3 points or either side is constant: with no order on one
    side there is nothing to correlate (``spearmanr`` would return nan and warn), and a
    tornado row of 0 reads as "does not move the objective". scipy.stats is imported here,
    not at module level: it takes about 0.9 s to import, which a worker process (which
    never analyses) or ``import dcplan`` should not pay.
    """
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


def _thirds(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.quantile(x, [1 / 3, 2 / 3])
    return x <= lo, x >= hi


def tornado(design: SweepDesign, results: Sequence[SampleResult], objective: str) -> list[dict[str, Any]]:
    """Rank inputs by how much they move the objective (see the module doc for the method).

    For each input over the samples with a plan: Spearman's rho with the objective (and
    with TCO and compute), and the swing = mean objective of the samples whose input is in
    its top third minus those in its bottom third. Over all samples that ran: the share
    with a plan in the top third minus the bottom third (what moves feasibility).
    Sorted by |rho| with the objective, then |feasibility swing|.
    """
    ran = [i for i, r in enumerate(results) if r.status != "error"]
    planned = [i for i in ran if results[i].has_plan]
    rows = []
    for column, item in enumerate(design.inputs):
        row: dict[str, Any] = {
            "input": item.name,
            "unit": item.unit,
            "low": item.domain.low,
            "high": item.domain.high,
            "confidence": item.confidence,
        }
        x = design.drivers[planned, column] if planned else np.array([])
        for name in ("compute_pflops", "tco_musd"):
            y = np.array([getattr(results[i], name) for i in planned], dtype=float)
            row[f"rho_{name}"] = spearman(x, y) if len(planned) >= 3 else None
        y = np.array([getattr(results[i], objective) for i in planned], dtype=float)
        row["rho"] = row[f"rho_{objective}"]
        row["swing"] = None
        if len(planned) >= 3 and np.ptp(x) > 0:
            bottom, top = _thirds(x)
            if bottom.any() and top.any():
                row["swing"] = float(y[top].mean() - y[bottom].mean())
        row["feasible_swing"] = None
        if len(ran) >= 3:
            xa = design.drivers[ran, column]
            feasible = np.array([results[i].has_plan for i in ran], dtype=float)
            if np.ptp(xa) > 0 and np.ptp(feasible) > 0:
                bottom, top = _thirds(xa)
                row["feasible_swing"] = float(feasible[top].mean() - feasible[bottom].mean())
        rows.append(row)
    rows.sort(key=lambda r: (-_strength(r), -abs(r["rho"] or 0.0), r["input"]))
    return rows


#: performance inputs: sustained efficiency, goodput curves and claim haircuts (the figures
#: that turn peak into delivered compute), and the confidences no benchmark backs
PERFORMANCE_KINDS = ("efficiency", "goodput", "haircut")
UNPROVEN = ("assumption", "claim haircut")


def unproven_share(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """How much of the tornado rests on performance figures no benchmark backs.

    ``share = sum |swing| of performance inputs (PERFORMANCE_KINDS) whose confidence is in
    UNPROVEN / sum |swing| of all inputs with a swing`` (None when no input has one);
    ``inputs`` names them in tornado order. Swings overlap (inputs are ranked one at a
    time), so the share is a ranking aid, not a variance decomposition (use
    ``--sensitivity sobol`` for that)."""
    swung = [r for r in rows if r.get("swing") is not None]
    total = sum(abs(r["swing"]) for r in swung)
    unproven = [
        r for r in swung if r["input"].split(".", 1)[0] in PERFORMANCE_KINDS and r.get("confidence") in UNPROVEN
    ]
    share = sum(abs(r["swing"]) for r in unproven) / total if total > 0 else None
    return {"share": share, "inputs": [r["input"] for r in unproven], "confidences": list(UNPROVEN)}


def unproven_text(unproven: dict[str, Any]) -> str:
    """One line: the share of the tornado's swing from figures no benchmark backs."""
    what = "unbenchmarked performance figures (efficiency and goodput assumptions, claim haircuts)"
    if unproven["share"] is None:
        return f"{what}: no input moved the objective"
    names = unproven["inputs"]
    listed = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"{what}: {unproven['share']:.0%} of the summed swing" + (
        f" ({len(names)} inputs: {listed})" if names else ""
    )


def _strength(row: dict[str, Any]) -> float:
    return max(abs(row["rho"] or 0.0), abs(row["feasible_swing"] or 0.0))
