"""Variance-based sensitivity (SALib): which uncertain input drives the plan, with confidence.

Beside the tornado (rank correlations over a Latin hypercube), ``--sensitivity`` draws a
design made for a global sensitivity method and analyses it with SALib:

- **Sobol** (``SALib.sample.sobol`` / ``SALib.analyze.sobol``, ``calc_second_order=False``):
  ``N`` base samples (a power of 2) give ``N x (d + 2)`` runs for ``d`` inputs. Per input,
  the first-order index ``S1 = Var(E[Y | X_i]) / Var(Y)`` (the share of the output's
  variance that input explains alone) and the total index ``ST = E[Var(Y | X_~i)] / Var(Y)``
  (alone and through its interactions), each with a bootstrap 95 % confidence half-width.
  Ranked by ``ST``.
- **Morris** (``SALib.sample.morris`` / ``SALib.analyze.morris``, 4 levels): ``N``
  trajectories give ``N x (d + 1)`` runs. Per input, ``mu_star`` = mean |elementary
  effect| (the output's change when the input moves across its whole range, in the
  output's units), its 95 % confidence half-width, and ``sigma`` (their spread: non-linear
  or interacting). Ranked by ``mu_star``.

SALib draws points of the unit cube [0, 1]^d; each goes through the same mapping as the
Latin hypercube (``design.sample_assignments``), so linked inputs (followers, mass per
rack, power order) stay consistent and the indices are per whole input range.

**Samples without a plan.** Both estimators need the output of *every* point of their
design (Sobol's combines fixed rows of the Saltelli matrix; Morris's, consecutive points
of a trajectory), so no sample is dropped and no penalty is invented: when any sample
has no plan (infeasible, no plan within the time limit, or failed), the indices of the
outputs are not computed and the result says how many samples lack a plan. What *is*
well defined over the full design then is feasibility itself: the indices of the
indicator ``has a plan`` (1/0) show which inputs decide feasibility. Narrow the ranges
that make samples infeasible to get the indices of the objective.

SALib (and pandas, which it imports: about 2.5 s) is imported inside the functions, so
``import dcplan`` and the worker processes never pay for it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from dcplan.planner.sweep.errors import SweepInputError
from dcplan.planner.sweep.sample import SampleResult

if TYPE_CHECKING:
    from dcplan.planner.sweep.runner import SweepDesign

SENSITIVITY_METHODS = ("sobol", "morris")
MORRIS_LEVELS = 4
CONF_LEVEL = 0.95
RESAMPLES = 100  # bootstrap resamples for the confidence intervals
#: Base samples (Sobol) or trajectories (Morris) when --samples is not given.
DEFAULT_BASE_SAMPLES = {"sobol": 16, "morris": 10}
RULE = (
    "indices need the output of every sample of the design; when any sample has no plan the output "
    "indices are not computed (none dropped, no penalty) and only the feasibility indices are given"
)


def check_base_samples(method: str, n: int) -> None:
    """Sobol needs a power of 2 (the balance of Sobol' points); Morris at least 2 trajectories."""
    if method == "sobol" and (n < 1 or n & (n - 1)):
        raise SweepInputError(
            f"--samples {n}: Sobol base samples must be a power of 2 (e.g. 8, 16, 32); runs = samples x (inputs + 2)"
        )
    if method == "morris" and n < 2:
        raise SweepInputError(f"--samples {n}: Morris needs at least 2 trajectories; runs = samples x (inputs + 1)")


def runs_for(method: str, inputs: int, n: int) -> int:
    """Solves a design takes: Sobol ``N (d + 2)``, Morris ``N (d + 1)``."""
    return n * (inputs + 2) if method == "sobol" else n * (inputs + 1)


def _problem(names: Sequence[str]) -> dict[str, Any]:
    """SALib's problem on the unit cube: every input's coordinate in [0, 1]."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def sensitivity_matrix(method: str, names: Sequence[str], n: int, seed: int) -> np.ndarray:
    """The design's points of [0, 1]^d (rows in SALib's order, which its analysis expects)."""
    check_base_samples(method, n)
    problem = _problem(names)
    if method == "sobol":
        from SALib.sample import sobol

        points = sobol.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    else:
        from SALib.sample import morris

        points = morris.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed)
    return np.asarray(points, dtype=float)


def _number(value: Any) -> float | None:
    """A plain float for JSON (nan, from a bootstrap of a constant, -> None)."""
    number = float(value)
    return None if math.isnan(number) else number


def sensitivity_indices(
    method: str, names: Sequence[str], cube: np.ndarray, y: np.ndarray, seed: int
) -> list[dict[str, Any]]:
    """Per input: Sobol ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (ranked by ``ST``) or Morris
    ``mu_star``, ``mu_star_conf``, ``sigma`` (ranked by ``mu_star``); conf = 95 % half-width."""
    problem = _problem(names)
    y = np.asarray(y, dtype=float)
    if method == "sobol":
        from SALib.analyze import sobol

        si = sobol.analyze(
            problem, y, calc_second_order=False, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, seed=seed
        )
        keys, rank = ("S1", "S1_conf", "ST", "ST_conf"), "ST"
    else:
        from SALib.analyze import morris

        si = morris.analyze(
            problem,
            cube,
            y,
            num_resamples=RESAMPLES,
            conf_level=CONF_LEVEL,
            num_levels=MORRIS_LEVELS,
            seed=seed,
        )
        keys, rank = ("mu_star", "mu_star_conf", "sigma", "mu"), "mu_star"
    rows: list[dict[str, Any]] = [
        {"input": name, **{k: _number(si[k][i]) for k in keys}} for i, name in enumerate(names)
    ]
    rows.sort(key=lambda row: (-(row[rank] if row[rank] is not None else -math.inf), row["input"]))
    return rows


def sensitivity(design: SweepDesign, results: Sequence[SampleResult], objective: str) -> dict[str, Any] | None:
    """The sensitivity section of a sweep (None for an LHS or grid sweep); see the module doc."""
    method = design.method
    if method not in SENSITIVITY_METHODS:
        return None
    config = design.config
    names = [item.name for item in design.inputs]
    without_plan = sum(1 for r in results if not r.has_plan)
    section: dict[str, Any] = {
        "method": method,
        "base_samples": config.samples,
        "runs": len(results),
        "seed": config.seed,
        "conf_level": CONF_LEVEL,
        "calc_second_order": False if method == "sobol" else None,
        "num_levels": MORRIS_LEVELS if method == "morris" else None,
        "objective": objective,
        "rule": RULE,
        "without_plan": without_plan,
        "computed": without_plan == 0,
        "reason": None,
        "outputs": {},
        "constant": [],  # outputs with the same value in every sample: no variance to share out
        "feasibility": None,
    }
    if without_plan:
        section["reason"] = (
            f"{without_plan} of {len(results)} samples have no plan; "
            f"{method} indices need every sample (none are dropped)"
        )
        feasible = np.array([1.0 if r.has_plan else 0.0 for r in results])
        if np.ptp(feasible) > 0:
            section["feasibility"] = sensitivity_indices(method, names, design.unit_cube, feasible, config.seed)
        return section
    for key in dict.fromkeys((objective, "compute_pflops", "tco_musd")):
        y = np.array([getattr(r, key) for r in results], dtype=float)
        if np.ptp(y) > 0:
            section["outputs"][key] = sensitivity_indices(method, names, design.unit_cube, y, config.seed)
        else:
            section["constant"].append(key)
    return section
