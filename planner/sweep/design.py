"""Designs: points of the unit cube, and each point mapped to consistent field values.

A design is an ``n x d`` matrix of coordinates in [0, 1] (one column per uncertain input):
a Latin hypercube (``lhs_matrix``) or a full factorial grid (``grid_matrix``). Each row
becomes the field values of one sample through ``sample_assignments``, which applies the
links of the package docstring (followers, mass per rack, power order, wet <= dry bulb).
Every design, the variance-based ones too, goes through that one mapping.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from dcplan.models.catalog import Catalog
from dcplan.planner.sweep.errors import SweepInputError
from dcplan.planner.sweep.inputs import POWER_ORDER, Target, UncertainInput, magnitude

MAX_GRID_POINTS = 100_000


LHS_KINDS = ("scrambled", "centred")


def lhs_matrix(d: int, n: int, seed: int, lhs: str = "scrambled") -> np.ndarray:
    """``n`` Latin-hypercube points in [0, 1)^d: ``scipy.stats.qmc.LatinHypercube`` seeded
    with ``numpy.random.default_rng(seed)`` (same seed, same points).

    Each column splits [0, 1) into ``n`` strata ``[k/n, (k+1)/n)`` with exactly one point in
    each. ``lhs="scrambled"`` (the default, scipy's ``scramble=True``) puts the point
    uniformly at random inside its stratum; ``"centred"`` (``scramble=False``) puts it at the
    stratum centre ``(k + 0.5)/n``. Scrambled is the default because the sweep estimates a
    distribution (P10/P50/P90, rank correlations): uniform points inside the strata keep
    those estimates unbiased and let a continuous input take any value of its range, while
    centred points give every input the same ``n`` values for every seed (only their
    pairing changes), so a threshold between two centres is never seen. Centred is there
    for a reproducible, evenly spread small design (e.g. a quick look with 5 samples).
    """
    from scipy.stats import qmc

    if lhs not in LHS_KINDS:
        raise SweepInputError(f"--lhs {lhs}: expected one of {', '.join(LHS_KINDS)}")
    scramble = lhs == "scrambled"
    try:
        sampler = qmc.LatinHypercube(d=d, scramble=scramble, rng=np.random.default_rng(seed))
    except TypeError:  # scipy < 1.15 spells it seed=
        sampler = qmc.LatinHypercube(d=d, scramble=scramble, seed=np.random.default_rng(seed))
    return np.asarray(sampler.random(n), dtype=float)


def grid_matrix(inputs: Sequence[UncertainInput], levels: int) -> np.ndarray:
    """Full factorial design: every combination of each input's grid levels."""
    axes = [item.domain.grid_levels(levels) for item in inputs]
    points = math.prod(len(a) for a in axes)
    if points > MAX_GRID_POINTS:
        raise SweepInputError(
            f"--grid {levels}: {points:,} points over {len(inputs)} inputs is more than {MAX_GRID_POINTS:,}; "
            "use fewer levels or fewer --vary inputs (or Latin hypercube --samples)"
        )
    return np.array(list(itertools.product(*axes)), dtype=float).reshape(points, len(inputs))


def _ordered_power(values: dict[str, float]) -> dict[str, float]:
    """Clip idle <= typical <= design <= nameplate (nameplate is raised, the others lowered)."""
    out = dict(values)
    if "nameplate_power" in out and out["nameplate_power"] is not None:
        out["nameplate_power"] = max(out["nameplate_power"], out["design_power"])
    out["typical_power"] = min(out["typical_power"], out["design_power"])
    out["idle_power"] = min(out["idle_power"], out["typical_power"])
    return out


def sample_assignments(
    inputs: Sequence[UncertainInput], row: np.ndarray, catalog: Catalog
) -> tuple[list[tuple[Target, Any]], list[float]]:
    """All field values of one design row, made consistent; and the driver values (scalars)."""
    values: dict[Target, Any] = {}
    drivers: list[float] = []
    per_rack: set[Target] = set()
    for item, u in zip(inputs, row, strict=True):
        pairs = item.assignments(float(u))
        drivers.append(item.domain.scalar(pairs[0][1]))
        for target, value in pairs:
            values[target] = value
        if item.per_rack:
            per_rack.add(item.target)
    _mass_per_rack(values, per_rack, catalog)
    _power_in_order(values, catalog)
    _wet_bulb_below_dry(values, catalog)
    return list(values.items()), drivers


def _mass_per_rack(values: dict[Target, Any], per_rack: set[Target], catalog: Catalog) -> None:
    """Multi-rack units: ``weight_kg = weight_per_rack_kg x racks_per_unit`` (sampled racks,
    or the catalog's count where the rack count is not sampled)."""
    for target in [t for t in values if t.where == "catalog" and t.kind == "system" and t.field == "racks_per_unit"]:
        system = catalog.system(target.id)
        weight = Target("catalog", "system", target.id, "weight")
        if system.form == "server" or system.racks_per_unit is None:
            continue
        if weight in per_rack:
            values[weight] = float(values[weight]) * int(values[target])
        elif weight not in values:  # fixed catalog mass: keep it per rack
            base_racks = int(system.racks_per_unit.value)
            values[weight] = float(system.weight.magnitude) / base_racks * int(values[target])
    for weight in per_rack:  # rack count not sampled: the catalog's count
        racks = Target("catalog", "system", weight.id, "racks_per_unit")
        if racks not in values:
            values[weight] = float(values[weight]) * int(catalog.system(weight.id).racks_per_unit.value)  # type: ignore[union-attr]


def _power_in_order(values: dict[Target, Any], catalog: Catalog) -> None:
    """Systems: ``idle <= typical <= design <= nameplate`` (fixed figures count too)."""
    systems = {
        t.id
        for t in values
        if t.where == "catalog" and t.kind == "system" and t.field in (*POWER_ORDER, "nameplate_power")
    }
    for system_id in sorted(systems):
        system = catalog.system(system_id)
        current: dict[str, Any] = {}
        for name in (*POWER_ORDER, "nameplate_power"):
            target = Target("catalog", "system", system_id, name)
            sourced = getattr(system, name)
            current[name] = values.get(target, float(sourced.magnitude) if sourced is not None else None)
        for name, value in _ordered_power(current).items():
            target = Target("catalog", "system", system_id, name)
            if value is not None and (target in values or value != current[name]):
                values[target] = value


def _wet_bulb_below_dry(values: dict[Target, Any], catalog: Catalog) -> None:
    """Sites: wet bulb <= dry bulb, monthly and on the design day (degC)."""
    sites = {t.id for t in values if t.where == "catalog" and t.kind == "site"}
    for site_id in sorted(sites):
        site = catalog.site(site_id)
        for wet, dry in (("monthly_wet_bulb", "monthly_dry_bulb"), ("design_wet_bulb", "design_dry_bulb")):
            t_wet, t_dry = Target("catalog", "site", site_id, wet), Target("catalog", "site", site_id, dry)
            if t_wet not in values and t_dry not in values:
                continue
            w = np.asarray(values.get(t_wet, magnitude(getattr(site, wet).value)), dtype=float)
            d = np.asarray(values.get(t_dry, magnitude(getattr(site, dry).value)), dtype=float)
            clipped = np.minimum(w, d)
            if t_wet in values or np.any(clipped != w):
                values[t_wet] = tuple(float(x) for x in clipped) if clipped.ndim else float(clipped)
