"""Sustained efficiency and goodput looked up from the catalog, with their provenance.

Delivered PFLOPS of a placement (DESIGN13) =
``units x chips_per_unit x peak dense TFLOPS(chip, precision) / 1000 x efficiency x goodput
x (1 - haircut)``. This module supplies the two dimensionless factors:

- ``sustained_efficiency``: delivered model FLOPs / peak dense FLOPs at the precision (MFU;
  for inference ``2 x active params x tokens/s / peak``), from the most specific
  ``[[efficiency]]`` entry for the system: system > chip > family > default. Within one
  level an entry naming the asked latency class beats one that names none; among equals the
  entry loaded last wins (a user folder adding an entry for the same key overrides).
- ``goodput``: share of wall time spent on useful progress at a job size, piecewise linear
  in log10(job chips) over the family's ``[[goodput]]`` points (else the default curve,
  the one without ``family``), clamped at both ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, get_args

import numpy as np

from dcplan.models.catalog import Catalog, System
from dcplan.models.catalog.performance import Efficiency, Goodput, LatencyClass, Precision, WorkloadClass
from dcplan.models.catalog.sourced import CONFIDENCE_ORDER
from dcplan.models.errors import DcplanError

WORKLOAD_CLASSES: tuple[str, ...] = get_args(WorkloadClass)
LATENCY_CLASSES: tuple[str, ...] = get_args(LatencyClass)
PRECISIONS: tuple[str, ...] = get_args(Precision)

#: Rank of an efficiency entry's scope: the more specific, the higher.
_SCOPE_RANK = {"system": 3, "chip": 2, "family": 1, "default": 0}


class EfficiencyLookupError(DcplanError):
    """A lookup the catalog cannot answer (a bad class or precision, no entry, no curve)."""


@dataclass(frozen=True)
class Figure:
    """A looked-up dimensionless figure with its provenance.

    ``low <= value <= high``; without a published range ``low = high = value``. ``entry`` is
    the id of the catalog entry it came from.
    """

    value: float
    low: float
    high: float
    source: str
    confidence: str
    entry: str

    @classmethod
    def of(cls, sourced: Any, entry: str) -> Figure:
        """The figure of one Sourced fraction (its range, else the value at both ends)."""
        value = float(sourced.value)
        low = value if sourced.low is None else float(sourced.low)
        high = value if sourced.high is None else float(sourced.high)
        return cls(value, low, high, sourced.source, sourced.confidence, entry)


def _check_word(what: str, got: object, allowed: tuple[str, ...]) -> None:
    if got not in allowed:
        raise EfficiencyLookupError(
            f"{what}: expected one of {', '.join(allowed)}, got {str(got)[:80]!r}",
            field=what,
            expected=" | ".join(allowed),
            got=str(got)[:200],
        )


def _applies(entry: Efficiency, system: System) -> bool:
    scope, named = entry.scope
    if scope == "system":
        return named == system.id
    if scope == "chip":
        return named == system.chip
    if scope == "family":
        return named == system.family
    return True


def _best_entry(
    catalog: Catalog, system: System, workload_class: str, precision: str, latency: str | None
) -> Efficiency | None:
    best: tuple[tuple[int, int, int], Efficiency] | None = None
    for order, entry in enumerate(catalog.entries("efficiency")):
        assert isinstance(entry, Efficiency)
        if entry.workload_class != workload_class or entry.precision != precision:
            continue
        if entry.latency is not None and entry.latency != latency:
            continue
        if not _applies(entry, system):
            continue
        score = (_SCOPE_RANK[entry.scope[0]], int(entry.latency is not None), order)
        if best is None or score > best[0]:
            best = (score, entry)
    return None if best is None else best[1]


def sustained_efficiency(
    catalog: Catalog, system: System, workload_class: str, precision: str, latency: str | None = None
) -> Figure | None:
    """Most specific ``[[efficiency]]`` entry for ``system``: system > chip > family > default.

    None when the system's chip has no peak dense figure at ``precision`` (the workload cannot
    run there at that precision). ``latency`` (``interactive`` | ``batch``) is for the
    ``inference`` class; an entry without latency applies to either, and with ``latency``
    None only such entries match. Raises EfficiencyLookupError (one line) for an unknown
    class, precision or latency, or when no entry (not even a default) covers the case.
    """
    _check_word("workload class", workload_class, WORKLOAD_CLASSES)
    _check_word("precision", precision, PRECISIONS)
    if latency is not None:
        _check_word("latency", latency, LATENCY_CLASSES)
        if workload_class != "inference":
            raise EfficiencyLookupError(
                f"latency {latency!r} is for the inference class only, not {workload_class}", field="latency"
            )
    if catalog.chip(system.chip).dense(precision) is None:
        return None
    entry = _best_entry(catalog, system, workload_class, precision, latency)
    if entry is None:
        what = workload_class + (f" ({latency})" if latency else "")
        raise EfficiencyLookupError(
            f"no [[efficiency]] entry covers {what} at {precision} on {system.id}, nor a default one for every "
            "system: add one to a catalog folder",
            entry=f"system '{system.id}'",
            expected="an [[efficiency]] entry for the workload class and precision",
        )
    return Figure.of(entry.efficiency, entry.id)


def _curve(catalog: Catalog, family: str) -> Goodput | None:
    """The family's goodput curve, else the default one (the last loaded of each wins)."""
    own: Goodput | None = None
    default: Goodput | None = None
    for entry in catalog.entries("goodput"):
        assert isinstance(entry, Goodput)
        if entry.family == family:
            own = entry
        elif entry.family is None:
            default = entry
    return own or default


def _weaker(confidences: list[str]) -> str:
    return max(confidences, key=CONFIDENCE_ORDER.index)


def goodput(catalog: Catalog, system: System, job_chips: float) -> Figure:
    """Goodput of a job of ``job_chips`` chips on ``system``.

    ``g(n) = g_i + (g_{i+1} - g_i) x (log10 n - log10 n_i) / (log10 n_{i+1} - log10 n_i)``
    between the points ``n_i <= n <= n_{i+1}`` of the family's curve (else the default
    curve); ``g(n) = g_first`` below the first point and ``g_last`` above the last. ``low``
    and ``high`` are interpolated the same way. Between two points the source names both
    and the confidence is the weaker of the two.
    """
    chips = _job_chips(job_chips)
    curve = _curve(catalog, system.family)
    if curve is None:
        raise EfficiencyLookupError(
            f"no [[goodput]] curve for family {system.family!r} of {system.id}, nor a default one (without family): "
            "add one to a catalog folder",
            entry=f"system '{system.id}'",
            expected="a [[goodput]] entry",
        )
    figures = [Figure.of(point.goodput, curve.id) for point in curve.points]
    xs = np.log10([point.chips for point in curve.points])
    x = math.log10(chips)
    value, low, high = (
        float(np.interp(x, xs, [getattr(f, name) for f in figures])) for name in ("value", "low", "high")
    )
    used = [i for i in range(len(xs)) if xs[i] == x] or _bracket(xs, x)
    sources = list(dict.fromkeys(figures[i].source for i in used))
    return Figure(
        value,
        min(low, value),
        max(high, value),
        " ; ".join(sources),
        _weaker([figures[i].confidence for i in used]),
        curve.id,
    )


def _bracket(xs: Any, x: float) -> list[int]:
    """Indices of the points the interpolation at ``x`` reads (one when clamped)."""
    if x <= xs[0]:
        return [0]
    if x >= xs[-1]:
        return [len(xs) - 1]
    upper = int(np.searchsorted(xs, x))
    return [upper - 1, upper]


def _job_chips(job_chips: Any) -> float:
    try:
        chips = float(job_chips)
    except (TypeError, ValueError):
        chips = math.nan
    if isinstance(job_chips, bool) or not math.isfinite(chips) or chips <= 0:
        raise EfficiencyLookupError(
            f"job chips: expected a positive number of chips, got {str(job_chips)[:80]!r}",
            field="job_chips",
            expected="a positive number",
            got=str(job_chips)[:200],
        )
    return chips


__all__ = [
    "LATENCY_CLASSES",
    "PRECISIONS",
    "WORKLOAD_CLASSES",
    "EfficiencyLookupError",
    "Figure",
    "goodput",
    "sustained_efficiency",
]
