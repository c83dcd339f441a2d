"""Solver settings typed as text (a time limit, a gap), read one way for the CLI's flags
and the UI's fields. Each raises a one-line ``DcplanError`` naming the field."""

from __future__ import annotations

from dcplan.models.errors import DcplanError


def parse_duration_s(field: str, text: str) -> float:
    """'30s', '2 min', '1.5 h' -> seconds; a clear one-line error otherwise."""
    from dcplan.models.units import QuantitySpec, UnitInputError

    try:
        return float(QuantitySpec("a duration", "s", "30 s", positive=True).convert(text).magnitude)
    except UnitInputError as exc:
        raise DcplanError(f"{field}: {exc}", field=field, expected=exc.expected, got=exc.got) from None


def parse_ratio(field: str, text: str, upper: float = 1.0) -> float:
    """'0.5%' or '0.005' -> 0.005, within [0, upper]."""
    from dcplan.models.units import UnitInputError
    from dcplan.models.units import parse_ratio as read_ratio

    expected = f"a ratio within [0, {upper:g}] such as 0.005 or '0.5%'"
    try:
        value = read_ratio(text)
    except UnitInputError:
        raise DcplanError(
            f"{field}: expected a ratio such as 0.005 or '0.5%', got {text!r}", field=field, expected=expected, got=text
        ) from None
    if not 0.0 <= value <= upper:
        raise DcplanError(
            f"{field}: expected a ratio within [0, {upper:g}], got {text!r}", field=field, expected=expected, got=text
        )
    return value
