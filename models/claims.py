"""Vendor claims checked against the catalog's own figures.

For a ``[[claim]]`` of ``subject`` over ``baseline`` (system ids) the implied ratio is
``f(subject) / f(baseline)`` with, per deployment unit:

- ``compute``: ``chips_per_unit x peak dense TFLOPS(chip, precision)`` (TFLOPS);
- ``memory``: ``chips_per_unit x hbm_capacity`` (GB);
- ``memory_bandwidth``: ``chips_per_unit x hbm_bandwidth`` (GB/s);
- ``perf_per_watt``: ``chips_per_unit x peak dense TFLOPS / design_power`` (TFLOPS/kW).

Its range takes each figure's own ``low``/``high`` (the value where none is given), treated
as independent: ``implied_low = f_low(subject) / f_high(baseline)`` and
``implied_high = f_high(subject) / f_low(baseline)``, where a power in the denominator
of ``f`` swaps ends (``f_low`` uses the highest design power).

Verdict: ``no data`` when a figure is missing (a precision the chip does not publish, an
id the catalog lacks). Otherwise, by the claim's ``bound``: ``about`` agrees when the claim
as stated, read to half a unit of its last digit (``4`` = 3.5..4.5, ``4.4`` = 4.35..4.45:
vendors round), overlaps ``implied_low..implied_high``; ``at-least`` agrees when
``implied_high >= ratio``; ``up-to`` when ``implied_low <= ratio``. Anything else is
``disagrees``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dcplan.models.catalog import Catalog, Claim, System
from dcplan.models.catalog.loader import UnknownIdError

VERDICTS = ("agrees", "disagrees", "no data")
#: Relative slack when comparing ratios computed from rounded figures.
_EPS = 1e-9


@dataclass(frozen=True)
class ClaimCheck:
    """One claim beside the ratio the catalog implies.

    ``basis`` is the arithmetic (e.g. ``144 x 2517 TFLOPS / (64 x 1299 TFLOPS)``) or why
    there is no data; ``note`` says when a catalog figure used is itself derived from the
    claim's source (the check is then circular).
    """

    claim: Claim
    implied: float | None
    implied_low: float | None
    implied_high: float | None
    basis: str
    verdict: str
    note: str = ""


@dataclass(frozen=True)
class _Side:
    """``f`` of one system: value and range, the arithmetic, and the sources it read."""

    value: float
    low: float
    high: float
    text: str
    sources: tuple[str, ...]


def _plain(number: Any) -> float:
    """A catalog number as a float in its canonical unit (quantities and counts alike)."""
    return float(getattr(number, "magnitude", number))


def _ends(sourced: Any) -> tuple[float, float, float]:
    """(value, low, high) of a Sourced figure; a missing end is the value."""
    value = _plain(sourced.value)
    low = value if sourced.low is None else _plain(sourced.low)
    high = value if sourced.high is None else _plain(sourced.high)
    return value, low, high


def _show(number: float) -> str:
    """A figure for the arithmetic text: whole numbers from 1000 up, else 4 significant digits."""
    return f"{number:.0f}" if abs(number) >= 1000 else f"{number:.4g}"


_PER_CHIP = {"memory": ("hbm_capacity", "GB"), "memory_bandwidth": ("hbm_bandwidth", "GB/s")}


def _per_chip(catalog: Catalog, system: System, claim: Claim) -> tuple[Any, str] | None:
    """The per-chip Sourced figure the claim's metric reads, and its unit; None if missing."""
    chip = catalog.chip(system.chip)
    if claim.metric in _PER_CHIP:
        field_name, unit = _PER_CHIP[claim.metric]
        return getattr(chip, field_name), unit
    assert claim.precision is not None  # the schema requires it for compute metrics
    figure = chip.dense(claim.precision)
    return None if figure is None else (figure, "TFLOPS")


def _side(catalog: Catalog, system: System, claim: Claim) -> _Side | str:
    """``f(system)`` for the claim's metric, or the reason it cannot be computed."""
    found = _per_chip(catalog, system, claim)
    if found is None:
        return f"{system.chip} (on {system.id}) has no dense {claim.precision} figure"
    figure, unit = found
    chips = _ends(system.chips_per_unit)
    per_chip = _ends(figure)
    value, low, high = chips[0] * per_chip[0], chips[1] * per_chip[1], chips[2] * per_chip[2]
    text = f"{chips[0]:g} x {_show(per_chip[0])} {unit}"
    sources = [figure.source, system.chips_per_unit.source]
    if claim.metric == "perf_per_watt":
        power = _ends(system.design_power)
        value, low, high = value / power[0], low / power[2], high / power[1]
        text = f"{text} / {_show(power[0])} kW"
        sources.append(system.design_power.source)
    return _Side(value, low, high, text, tuple(sources))


def _stated_slack(ratio: float) -> float:
    """Half a unit of the last digit of ``ratio`` as written (``4`` -> 0.5, ``4.4`` -> 0.05)."""
    text = f"{ratio:.6g}"
    decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 0
    return 0.5 * 10.0**-decimals


def verdict(claim: Claim, low: float, high: float) -> str:
    """``agrees`` or ``disagrees`` for an implied range ``low..high`` (module docstring)."""
    ratio = claim.ratio
    if claim.bound == "at-least":
        return "agrees" if high >= ratio * (1 - _EPS) else "disagrees"
    if claim.bound == "up-to":
        return "agrees" if low <= ratio * (1 + _EPS) else "disagrees"
    slack = _stated_slack(ratio)
    overlaps = ratio - slack <= high * (1 + _EPS) and ratio + slack >= low * (1 - _EPS)
    return "agrees" if overlaps else "disagrees"


def check_claim(catalog: Catalog, claim: Claim) -> ClaimCheck:
    """One claim against the catalog (module docstring for the arithmetic and verdicts)."""
    try:
        subject = _side(catalog, catalog.system(claim.subject), claim)
        baseline = _side(catalog, catalog.system(claim.baseline), claim)
    except UnknownIdError as exc:
        return ClaimCheck(claim, None, None, None, str(exc), "no data")
    missing = [side for side in (subject, baseline) if isinstance(side, str)]
    if missing:
        return ClaimCheck(claim, None, None, None, "; ".join(missing), "no data")
    assert isinstance(subject, _Side) and isinstance(baseline, _Side)
    implied = subject.value / baseline.value
    low, high = subject.low / baseline.high, subject.high / baseline.low
    numerator = f"({subject.text})" if claim.metric == "perf_per_watt" else subject.text
    basis = f"{numerator} / ({baseline.text})"
    circular = [s for s in (*subject.sources, *baseline.sources) if claim.source in s]
    note = (
        "a catalog figure used comes from the claim's own source, so the check is not independent" if circular else ""
    )
    return ClaimCheck(claim, implied, min(low, implied), max(high, implied), basis, verdict(claim, low, high), note)


def check_claims(catalog: Catalog) -> list[ClaimCheck]:
    """Every ``[[claim]]`` of the catalog, checked, in catalog order."""
    return [check_claim(catalog, entry) for entry in catalog.entries("claim") if isinstance(entry, Claim)]


def claim_check_json(check: ClaimCheck) -> dict[str, Any]:
    """One check as a JSON-ready mapping (the claim's fields, then the check's)."""
    claim = check.claim
    return {
        "id": claim.id,
        "name": claim.name,
        "subject": claim.subject,
        "baseline": claim.baseline,
        "metric": claim.metric,
        "precision": claim.precision,
        "claimed": claim.ratio,
        "bound": claim.bound,
        "source": claim.source,
        "date": claim.date.isoformat(),
        "implied": check.implied,
        "implied_low": check.implied_low,
        "implied_high": check.implied_high,
        "basis": check.basis,
        "verdict": check.verdict,
        "note": check.note or None,
    }


__all__ = ["VERDICTS", "ClaimCheck", "check_claim", "check_claims", "claim_check_json", "verdict"]
