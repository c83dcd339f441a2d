"""Words for units and dimensions in dcplan's one-line messages ("a mass", "length³ per time")."""

from __future__ import annotations

from typing import Any

DIMENSION_NAMES = {
    "[mass]": "a mass",
    "[length]": "a length",
    "[length] ** 2": "an area",
    "[length] ** 3": "a volume",
    "[time]": "a duration",
    "[temperature]": "a temperature",
    "[currency]": "money",
    "[mass] * [length] ** 2 / [time] ** 3": "a power",
    "[mass] * [length] ** 2 / [time] ** 2": "an energy",
    "[length] ** 3 / [time]": "a volume flow",
    "[mass] / [time]": "a mass flow",
    "[mass] / [length] / [time] ** 2": "a pressure",
    "[current]": "a current",
    "[substance] / [length] ** 3": "a concentration",
    "[length] / [time]": "a speed",
    "1 / [time]": "a frequency",
    "dimensionless": "a plain ratio",
}


def bound_text(value: float) -> str:
    """A bound as people write it: ``250``, ``-150``, ``1e9``."""
    if abs(value) < 1e6:
        return f"{value:g}"
    return f"{value:.0e}".replace("e+0", "e").replace("e+", "e")


_BASE_DIMENSION_NAMES = {
    "[mass]": "mass",
    "[length]": "length",
    "[time]": "time",
    "[temperature]": "temperature",
    "[substance]": "amount of substance",
    "[current]": "electric current",
    "[luminosity]": "luminous intensity",
    "[currency]": "money",
    "[computation]": "computation",
}
_POWERS = {2: "²", 3: "³", 4: "⁴"}


def describe_dimension(quantity: Any) -> str:
    """The dimension in words: "a mass", "a power", or "amount of substance per length³"."""
    dimensionality = quantity.dimensionality
    known = DIMENSION_NAMES.get(str(dimensionality))
    if known:
        return known
    top: list[str] = []
    bottom: list[str] = []
    for name, raw_exponent in sorted(dict(dimensionality).items()):
        word = _BASE_DIMENSION_NAMES.get(name, name.strip("[]"))
        exponent = float(raw_exponent)  # pint exponents are real numbers
        power = abs(exponent)
        shown = word + (_POWERS.get(int(power), f"^{power:g}") if power != 1 else "")
        (top if exponent > 0 else bottom).append(shown)
    text = " × ".join(top) or "1"
    if bottom:
        text += " per " + " × ".join(bottom)
    return text
