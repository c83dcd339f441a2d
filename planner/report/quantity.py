"""One way to write numbers, units and quantities for people: CLI text, the UI and every report.

Presentation only (no engineering arithmetic beyond unit conversion), importable by the CLI,
the UI (``tui``) and the report writers. Machine-readable outputs (JSON, CSV, the numbers
stored in XLSX cells) keep full precision and are not formatted here.

Style:

* **Units** are written as their symbols with superscript powers and no spaces around
  ``/``: ``m³/s``, ``kg/m²``, ``m²``, ``MW``, ``L/min``, ``°C``, ``USD/yr``. Whatever spelling
  the code or a catalog uses (``m**3/s``, ``kg/m^2``, ``kg/m2``, ``m3``, ``degC``) is shown
  this way by :func:`unit_text`. pint's own pretty format (``~P``) is not used because it
  writes the domain units badly (``Pflops``, ``usd/a``, ``l/min``).
* **Numbers** get thousands separators and about 4 significant figures
  (:func:`number`): ``1,812``, ``12.35``, ``0.5``, ``150,000``; never an exponent
  (``1.5e+05``) and never padding zeros (``1,812.2400``). Counts are integers
  (:func:`count`), ratios percentages with 3 significant figures (:func:`percent`).
* **Solver outcomes** are plain words (:func:`termination_text`), not solver enums such as
  ``convergenceCriteriaSatisfied``.
"""

from __future__ import annotations

import math
import re
from typing import Any

SIG_FIGS = 4
_SUPERSCRIPT = {"2": "²", "3": "³", "4": "⁴", "-1": "⁻¹", "-2": "⁻²", "-3": "⁻³"}
_NAMES = {"degC": "°C", "degF": "°F", "delta_degC": "K", "l": "L", "liter": "L", "litre": "L", "year": "yr"}


def number(value: float | int | None, sig: int = SIG_FIGS) -> str:
    """``value`` with thousands separators and ``sig`` significant figures (integers in full).

    ``1812.24`` -> ``1,812``; ``12.3456`` -> ``12.35``; ``0.5`` -> ``0.5``; ``1.5e5`` ->
    ``150,000``; ``0.000012346`` -> ``0.00001235``; ``None`` -> ``-``.
    """
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    value = float(value)
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    if magnitude >= sig - 1:
        return f"{round(value):,}"
    decimals = sig - 1 - magnitude
    if decimals > 12:  # below a trillionth of the unit: nothing a planner reads
        return "0"
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def count(value: float | int | None) -> str:
    """A count: an integer with thousands separators."""
    if value is None:
        return "-"
    return f"{round(value):,}"


def percent(ratio: float | None, sig: int = 3) -> str:
    """A ratio as a percentage: ``0.8734`` -> ``87.3%``, ``1.0`` -> ``100%``, ``0.0001`` -> ``0.01%``."""
    if ratio is None:
        return "-"
    return number(float(ratio) * 100.0, sig) + "%"


def _power(match: re.Match[str]) -> str:
    exponent = match.group(1)
    return _SUPERSCRIPT.get(exponent, "^" + exponent)


def unit_text(unit: str | None) -> str:
    """The display form of a unit string: ``m**3/s`` -> ``m³/s``, ``kg/m2`` -> ``kg/m²``.

    Words around a unit are kept (``PFLOPS fp8``, ``t CO2e/yr``, ``M USD``).
    """
    if not unit:
        return ""
    text = str(unit).strip()
    text = re.sub(r"\s*\*\*\s*(-?\d)", lambda m: _power(m), text)
    text = re.sub(r"\^(-?\d)", lambda m: _power(m), text)
    text = re.sub(r"\b(m|cm|mm|km|ft|in)([23])\b", lambda m: m.group(1) + _SUPERSCRIPT[m.group(2)], text)
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"\s*\*\s*", "·", text)
    text = re.sub(r"\b(degC|degF|delta_degC|liter|litre|year|l)\b", lambda m: _NAMES[m.group(1)], text)
    return text


def prose_units(text: str) -> str:
    """Free text from the planner (diagnoses, re-check findings, pruned options) with its unit
    spellings in the one style (``kg/m2`` -> ``kg/m²``, ``m**3/s`` -> ``m³/s``); nothing else changes."""
    out = re.sub(r"(?<=[A-Za-z])\s*\*\*\s*(-?\d)", lambda m: _power(m), str(text))
    out = re.sub(r"(?<=[A-Za-z])\^(-?\d)", lambda m: _power(m), out)
    out = re.sub(r"\b(m|cm|mm|km|ft)([23])\b", lambda m: m.group(1) + _SUPERSCRIPT[m.group(2)], out)
    return re.sub(r"(?<=\d )degC\b|\bdegC\b", "°C", out)


def display(value: Any) -> str:
    """A value for people: numbers via :func:`number`, lists as ``[0.1, 0.25, 1]``, mappings as
    ``load: [...], efficiency: [...]``, text as is."""
    if isinstance(value, (bool, int, float)) or value is None:
        return number(value) if value is not None else ""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(display(v) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {display(v)}" for k, v in value.items())
    return str(value)


def quantity(value: Any, unit: str, sig: int = SIG_FIGS) -> str:
    """A pint quantity (or a plain float already in ``unit``) in ``unit``: ``2,698 kW``, ``7.8 MW``, ``12.5 m³/s``."""
    if value is None:
        return "-"
    if hasattr(value, "m_as"):
        from dcplan.models.units import magnitude_in

        magnitude = magnitude_in(value, unit)
    else:
        magnitude = float(value)
    return f"{number(magnitude, sig)} {unit_text(unit)}"


def musd(value: Any, sig: int = SIG_FIGS) -> str:
    """Money in millions of US dollars: ``1,234 M USD``, ``12.35 M USD``."""
    if hasattr(value, "m_as"):
        from dcplan.models.units import magnitude_in

        usd = magnitude_in(value, "USD")
    else:
        usd = float(value)
    return f"{number(usd / 1e6, sig)} M USD"


def usd(value: float | None) -> str:
    """Whole US dollars with separators (report tables give money to the dollar)."""
    return "-" if value is None else f"{round(value):,}"


# Pyomo/HiGHS termination conditions (and dcplan's own) in plain words.
_TERMINATIONS = {
    "convergencecriteriasatisfied": "solved to the gap target",
    "optimal": "solved to the gap target",
    "maxtimelimit": "stopped at the time limit",
    "timelimit": "stopped at the time limit",
    "maxiterations": "stopped at the iteration limit",
    "iterationlimit": "stopped at the iteration limit",
    "interrupted": "cancelled by the user",
    "userinterrupt": "cancelled by the user",
    "cancelled": "cancelled by the user",
    "provenInfeasible".lower(): "proven infeasible",
    "infeasible": "proven infeasible",
    "locallyinfeasible": "proven infeasible",
    "infeasibleorunbounded": "infeasible (or unbounded)",
    "unbounded": "unbounded (a bug in the model: please report)",
    "structural": "infeasible before solving (no option can serve the demand)",
    "nosolution": "no plan found",
    "minstepsize": "stopped: numerical trouble",
    "error": "solver error",
    "unknown": "unknown",
}


def termination_text(termination: str | None) -> str:
    """A solver termination condition in plain words; unknown names are split into words."""
    if not termination:
        return "-"
    raw = str(termination).rsplit(".", 1)[-1]  # "TerminationCondition.maxTimeLimit"
    key = re.sub(r"[^a-z]", "", raw.lower())
    if key in _TERMINATIONS:
        return _TERMINATIONS[key]
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", raw).replace("_", " ").replace("-", " ")
    return words.lower()
