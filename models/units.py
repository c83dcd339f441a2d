"""The one pint unit registry of dcplan, its domain units, and pydantic quantity field types.

Every quantity in dcplan is made by this registry; mixing registries raises in pint.

Canonical units (what a validated field holds, and what plain-float hot code uses):

=======================  =============  ==========================
dimension                canonical      float-name suffix
=======================  =============  ==========================
power                    kW             ``_kw``
apparent power           kVA            ``_kva``
energy                   kWh            ``_kwh``
mass                     kg             ``_kg``
length                   m              ``_m``
area                     m**2           ``_m2``
volume                   L              ``_l``
temperature              degC           ``_c``
temperature difference   K              ``_k``
volume flow              L/min          ``_l_min``
mass flow                kg/s           ``_kg_s``
pressure                 kPa            ``_kpa``
floor (area) load        kg/m**2        ``_kg_m2``
current                  A              ``_a``
voltage                  V              ``_v``
money                    USD            ``_usd``
money per energy         USD/kWh        ``_usd_kwh``
money per power          USD/kW         ``_usd_kw``
money per hour           USD/h          ``_usd_h``
carbon per energy        kg/kWh         ``_kg_kwh``
water per energy         L/kWh          ``_l_kwh``
compute rate             TFLOPS         ``_tflops``
information              GB             ``_gb``
bandwidth                GB/s           ``_gb_s``
duration                 h / year       ``_h`` / ``_years``
specific heat            kJ/(kg*K)      ``_kj_kg_k``
density                  kg/m**3        ``_kg_m3``
=======================  =============  ==========================

Accepted input forms for a quantity field: a string ``"132 kW"`` (thousands separators
such as ``"4,100 kBTU/h"`` are normalised), a mapping ``{value = 132, unit = "kW"}``
(``value`` may also be a list, giving an array), or a pint Quantity. Bare numbers are
rejected: a planner must say which unit a number is in.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from dcplan.models import without_array_probes
from dcplan.models.errors import DcplanError
from dcplan.models.registry import DefinitionsRegistry
from dcplan.models.unit_words import bound_text, describe_dimension

with without_array_probes():  # pint without dask (see dcplan.models.without_array_probes)
    import pint

__all__ = [
    "Q_",
    "STANDARD_GRAVITY_M_S2",
    "Quantity",
    "QuantitySpec",
    "UnitInputError",
    "parse_quantity",
    "parse_ratio",
    "ureg",
]

#: Domain units, defined once. pint's own "U" is the enzyme unit and "cfm" the
#: centifermi; neither means anything in a datacenter, so both are redefined.
_DEFINITIONS = (
    "rack_unit = 1.75 * inch = RU",
    "U = rack_unit",
    "CFM = foot ** 3 / minute = cfm",
    "GPM = gallon / minute = gpm",
    "USD = [currency] = usd",
    "flop = [computation] = FLOP",
    "FLOPS = flop / second = flops",
    # Carbon is reported as mass of CO2-equivalent; these aliases keep catalog text readable.
    "gCO2e = gram",
    "kgCO2e = kilogram",
    "tCO2e = metric_ton",
    "psf = force_pound / foot ** 2",
)


#: The units dcplan accepts: pint's own definition lines, trimmed to a datacenter's (file header).
DEFINITIONS_FILE = Path(__file__).with_name("units.txt")


def _make_registry() -> DefinitionsRegistry:
    """The one registry, built from ``DEFINITIONS_FILE`` at every start (pint's full set: 0.2-0.4 s).

    Not pint's on-disk cache (``cache_folder=":auto:"``): it stores pickles in the user's cache
    folder, and a planted pickle would run as whoever starts dcplan next.
    """
    return DefinitionsRegistry(str(DEFINITIONS_FILE), on_redefinition="ignore", autoconvert_offset_to_baseunit=True)


ureg = _make_registry()
ureg.define_lines(_DEFINITIONS)  # as ureg.define of each line, through the same fast path as the file
pint.set_application_registry(ureg)

Q_ = ureg.Quantity
Quantity = pint.Quantity

STANDARD_GRAVITY_M_S2 = 9.80665

_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d[\d,_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
_OFFSET_TO_DELTA = {"degree_Celsius": "delta_degC", "degree_Fahrenheit": "delta_degF"}


class UnitInputError(DcplanError, ValueError):
    """A value the user wrote could not be read as a quantity of the expected kind.

    Also a ``ValueError`` (pydantic validators and older callers catch that).
    """


MAX_UNIT_TEXT = 64  # characters of unit text: far above any real spelling ("kJ/(kg*K)", "kgCO2e/kWh")


def _normalise_number(text: str, original: Any = None) -> float:
    """Read ``"4,100"`` or ``"4_100.5"`` as a float; commas are thousands separators."""
    try:
        return float(text.replace(",", "").replace("_", ""))
    except (ValueError, OverflowError):
        raise UnitInputError(
            f"cannot read {_clip(text)!r} as a number", expected="a number with a unit", got=_clip(original or text)
        ) from None


def _clip(value: Any, limit: int = 60) -> str:
    """User text cut to ``limit`` characters for a one-line message."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _magnitude_array(magnitude: Any, original: Any) -> Any:
    """A list of numbers as a float array; anything else in the list is a UnitInputError."""
    try:
        array = np.asarray(magnitude, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise UnitInputError(
            f"'value' must be a number or a flat list of numbers, got {_clip(magnitude)}",
            expected="a number or a list of numbers",
            got=_clip(original),
        ) from None
    if array.ndim > 1:
        raise UnitInputError(f"'value' must be a flat list of numbers, got a {array.ndim}-level list")
    return array


def parse_quantity(value: Any) -> pint.Quantity:
    """Turn user input (string, mapping, Quantity) into a pint Quantity of this registry.

    Raises UnitInputError for bare numbers and anything unreadable (never another exception:
    malformed unit text that makes pint's own parser fail is reported the same way).
    """
    if isinstance(value, pint.Quantity):
        if value._REGISTRY is not ureg:  # a foreign registry cannot be mixed with ours
            return _make(value.magnitude, str(value.units), value)
        return value
    if isinstance(value, bool):
        raise UnitInputError(f"expected a quantity with a unit, got {value!r}", got=repr(value))
    if isinstance(value, int | float):
        raise UnitInputError(f"a bare number ({value:g}) needs a unit", got=f"{value:g}")
    if isinstance(value, str):
        match = _NUMBER_UNIT.match(value) if len(value) <= 200 else None
        if not match:
            raise UnitInputError(f"cannot read {_clip(value)!r} as a number with a unit", got=_clip(value))
        number_text, unit_text = match.groups()
        if not unit_text:
            raise UnitInputError(f"a bare number ({value.strip()}) needs a unit", got=value.strip())
        return _make(_normalise_number(number_text, value), unit_text, value)
    if isinstance(value, Mapping):
        keys = set(value)
        if not {"value", "unit"} <= keys:
            raise UnitInputError("expected a mapping with 'value' and 'unit'")
        magnitude = value["value"]
        if isinstance(magnitude, str):
            magnitude = _normalise_number(magnitude, value)
        elif isinstance(magnitude, Sequence):
            magnitude = _magnitude_array(magnitude, value)
        elif isinstance(magnitude, bool) or not isinstance(magnitude, int | float):
            raise UnitInputError(f"'value' must be a number or a list of numbers, got {_clip(repr(magnitude))}")
        unit = value["unit"]
        if not isinstance(unit, str):
            raise UnitInputError(f"'unit' must be a unit name such as 'kW', got {_clip(repr(unit))}")
        return _make(magnitude, unit, value)
    raise UnitInputError(f"expected a quantity such as '132 kW', got {type(value).__name__}")


@lru_cache(maxsize=1024)
def _parse_units(text: str) -> Any:
    """Parsed units, cached: parsing a unit string costs ~100 us and the same few recur."""
    return ureg.parse_units(text)


@lru_cache(maxsize=1024)
def _dimensionality(units: Any) -> Any:
    return (1 * units).dimensionality


@lru_cache(maxsize=1024)
def _factor(units: Any, target: Any) -> float | None:
    """The factor from ``units`` to ``target`` (both parsed), or None when either has an offset."""
    one = Q_(1.0, units)
    if not (one._is_multiplicative and Q_(1.0, target)._is_multiplicative):
        return None
    return float(one.to(target).magnitude)


def parse_ratio(value: Any) -> float:
    """Read a plain ratio: a bare number (``0.9``, ``"0.9"``) or a dimensionless quantity
    (``"90 %"``). Raises UnitInputError for anything else, including a dimensioned value."""
    if isinstance(value, bool):
        raise UnitInputError(f"expected a ratio such as 0.9 or '90 %', got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    quantity = parse_quantity(value)
    if not quantity.dimensionless:
        raise UnitInputError(f"expected a plain ratio such as 0.9 or '90 %', got {value!r}")
    return float(quantity.to("dimensionless").magnitude)


def qty(magnitude: Any, unit_text: str) -> pint.Quantity:
    """``Q_(magnitude, unit_text)`` with the unit string parsed once (hot paths build many)."""
    return Q_(magnitude, _parse_units(unit_text))


def _make(magnitude: Any, unit_text: str, original: Any) -> pint.Quantity:
    """``Q_(magnitude, unit_text)``; every way pint's parser can fail becomes UnitInputError.

    pint raises AssertionError for a dangling operator (``"kN/"``), tokenize.TokenError for
    an open bracket, UndefinedUnitError, DefinitionSyntaxError, ZeroDivisionError (``"1/0"``)
    and others for other malformed text; none of them is the user's fault to read as a crash.
    """
    text = unit_text.strip()
    if len(text) > MAX_UNIT_TEXT:
        raise UnitInputError(
            f"unit text of {len(text):,} characters in {_clip(original)!r} is too long for a unit",
            expected="a unit such as 'kW'",
            got=_clip(original),
        )
    try:
        units = _parse_units(text)
    except Exception:
        raise UnitInputError(
            f"unknown unit {_clip(text)!r} in {_clip(original)!r}", expected="a unit such as 'kW'", got=_clip(original)
        ) from None
    if not isinstance(units, pint.Unit):
        raise UnitInputError(f"cannot read {_clip(text)!r} in {_clip(original)!r} as a unit", got=_clip(original))
    return Q_(magnitude, units)


@dataclass(frozen=True)
class QuantitySpec:
    """Pydantic metadata for a quantity field of one physical dimension.

    ``kind`` names the dimension in error messages ("a power"), ``canonical`` is the unit
    the validated value is converted to, ``example`` shows the expected spelling.
    ``temperature_difference`` reads absolute-temperature units (degC, degF) as the
    matching difference, because planners write "a 10 degC rise".
    ``gravity_load`` also accepts force per area (kN/m**2, psf) and divides by g.
    """

    kind: str
    canonical: str
    example: str
    positive: bool = False
    nonnegative: bool = False
    temperature_difference: bool = False
    gravity_load: bool = False
    low: float | None = None
    high: float | None = None

    @property
    def bounds(self) -> tuple[float, float]:
        """Plausible (low, high) in the canonical unit: explicit, else ``PHYSICAL_BOUNDS``."""
        default_low, default_high = PHYSICAL_BOUNDS.get(self.canonical, (-math.inf, math.inf))
        return (
            default_low if self.low is None else self.low,
            default_high if self.high is None else self.high,
        )

    @property
    def noun(self) -> str:
        """``kind`` without its article: "a power" -> "power"."""
        for article in ("a ", "an "):
            if self.kind.startswith(article):
                return self.kind[len(article) :]
        return self.kind

    @property
    def name(self) -> str:
        return "".join(part.capitalize() for part in re.split(r"[^a-zA-Z]+", self.kind) if part)

    def convert(self, value: Any) -> pint.Quantity:
        """Validate ``value`` and return it in the canonical unit; raise UnitInputError."""
        try:
            quantity = parse_quantity(value)
        except UnitInputError as exc:
            expected = f"{self.kind} such as '{self.example}'"
            if exc.expected is None or exc.expected.startswith("a unit"):
                lines = [f"{exc.lines[0]}; expected {expected}", *exc.lines[1:]]
                raise UnitInputError(*lines, expected=expected, got=exc.got) from None
            raise
        target = _parse_units(self.canonical)
        if self.temperature_difference and str(quantity.units) in _OFFSET_TO_DELTA:
            quantity = Q_(quantity.magnitude, _OFFSET_TO_DELTA[str(quantity.units)])
        if self.gravity_load and quantity.check("[force] / [area]"):
            quantity = quantity / Q_(STANDARD_GRAVITY_M_S2, "m/s**2")
        if _dimensionality(quantity.units) != _dimensionality(target):
            got = describe_dimension(quantity)
            hint = self._prefix_hint(quantity)
            raise UnitInputError(
                f"expected {self.kind} such as '{self.example}', got '{_show(quantity)}' ({got}{hint})",
                expected=f"{self.kind} such as '{self.example}'",
                got=_show(quantity),
            )
        magnitude = self._magnitude_in(quantity, target)
        self._check_range(magnitude, quantity)
        if isinstance(magnitude, float):
            return Q_(magnitude, target)
        return Q_(magnitude, target) if magnitude.ndim else Q_(float(magnitude), target)

    def _magnitude_in(self, quantity: pint.Quantity, target: Any) -> Any:
        """The magnitude in ``target``: a float for a scalar, else a float array.

        A scalar in a multiplicative unit is multiplied by the cached factor (what pint's
        ``.to`` computes, ``value * factor``, without its per-call unit bookkeeping: catalogs
        and scenarios convert thousands of figures at start-up); offset units (degC, degF)
        and arrays go through pint.
        """
        raw = quantity.magnitude
        try:
            if isinstance(raw, float | int) and not isinstance(raw, bool):
                factor = _factor(quantity.units, target)
                if factor is not None:
                    return float(raw) * factor
                return float(quantity.to(target).magnitude)
            return np.asarray(quantity.to(target).magnitude, dtype=float)
        except (OverflowError, ValueError, TypeError, ArithmeticError):
            raise UnitInputError(
                f"cannot convert '{_show(quantity)}' to {self.canonical}", got=_show(quantity)
            ) from None

    def _check_range(self, magnitude: Any, quantity: pint.Quantity) -> None:
        """Finite, of the right sign, above absolute zero, within ``bounds``; else UnitInputError."""
        if isinstance(magnitude, float):
            finite, smallest, largest = math.isfinite(magnitude), magnitude, magnitude
        else:
            finite = bool(np.all(np.isfinite(magnitude)))
            smallest = float(np.min(magnitude)) if magnitude.size else math.inf
            largest = float(np.max(magnitude)) if magnitude.size else -math.inf
        if not finite:
            raise UnitInputError(f"expected a finite {self.noun}, got '{_show(quantity)}'", got=_show(quantity))
        if self.positive and smallest <= 0:
            raise UnitInputError(
                f"expected a positive {self.noun} such as '{self.example}', got '{_show(quantity)}'",
                expected=f"a positive {self.noun}",
                got=_show(quantity),
            )
        if self.nonnegative and smallest < 0:
            raise UnitInputError(
                f"expected a non-negative {self.noun}, got '{_show(quantity)}'",
                expected=f"a non-negative {self.noun}",
                got=_show(quantity),
            )
        low, high = self.bounds
        if self.canonical == "degC" and smallest < -273.15:
            raise UnitInputError(
                f"expected a temperature above absolute zero (-273.15 degC), got '{_show(quantity)}'",
                expected="a temperature above absolute zero",
                got=_show(quantity),
            )
        # a relative tolerance so a value at a bound survives a unit round trip (1e9 kW via W)
        if smallest < low - 1e-9 * abs(low) or largest > high + 1e-9 * abs(high):
            shown = (
                f"between {bound_text(low)} and {bound_text(high)} {self.canonical}"
                if low > -math.inf
                else f"of at most {bound_text(high)} {self.canonical}"
            )
            raise UnitInputError(
                f"expected {self.kind} {shown} (dcplan's plausible range), got '{_show(quantity)}'",
                expected=f"{self.kind} {shown}",
                got=_show(quantity),
            )

    def _prefix_hint(self, quantity: pint.Quantity) -> str:
        """'M is molar...: did you mean '5 MW'?' when the unit is a prefix of the expected one.

        A bare SI prefix (``"5 M"``) reads as some other unit in pint (molar,
        ...); if prefix + the expected base unit has the expected dimension, say so.
        """
        units = str(quantity.units)
        try:
            symbol = f"{quantity.units:~}"
        except Exception:
            return ""
        if " " in symbol or "/" in symbol or "*" in symbol:
            return ""
        example_unit = self.example.split(" ", 1)[-1]
        target = _dimensionality(_parse_units(self.canonical))
        for base in dict.fromkeys((example_unit[1:], example_unit)):
            if not base or not base.isalpha():
                continue
            try:
                candidate = _parse_units(symbol + base)
            except Exception:
                continue
            if _dimensionality(candidate) == target:
                magnitude = quantity.magnitude
                shown = f"{magnitude:g} " if not isinstance(magnitude, np.ndarray) else ""
                return f"; {symbol} is {units}: did you mean '{shown}{symbol}{base}'?"
        return ""

    # pydantic integration -------------------------------------------------------------
    def _validate(self, value: Any) -> pint.Quantity:
        try:
            return self.convert(value)
        except UnitInputError as exc:
            context = {"message": str(exc), "expected": exc.expected or self.kind, "got": exc.got}
            raise PydanticCustomError("quantity", "{message}", context) from None

    def _serialise(self, value: pint.Quantity) -> dict[str, Any]:
        """``{"value", "unit"}`` in the canonical unit. A validated value already is in it: its
        units are compared, not converted (``.to("kW")`` re-parsed the unit text every call)."""
        target = _parse_units(self.canonical)
        magnitude = value.magnitude if value._units == target._units else value.to(target).magnitude
        if isinstance(magnitude, np.ndarray):
            return {"value": magnitude.tolist(), "unit": self.canonical}
        return {"value": float(magnitude), "unit": self.canonical}

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            self._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(self._serialise, when_used="always"),
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        number_or_list = {"anyOf": [{"type": "number"}, {"type": "array", "items": {"type": "number"}}]}
        return {
            "title": self.name,
            "description": (
                f"{self.kind} with a unit, stored in {self.canonical}, e.g. '{self.example}'; "
                "a bare number (or list) only where a sibling 'unit' key gives its unit"
            ),
            "anyOf": [
                {"type": "string", "pattern": r"^\s*[-+]?[\d.,_]+([eE][-+]?\d+)?\s*\S.*$"},
                {
                    "type": "object",
                    "properties": {"value": number_or_list, "unit": {"type": "string"}},
                    "required": ["value", "unit"],
                },
                *number_or_list["anyOf"],
            ],
            "x-canonical-unit": self.canonical,
        }


def _show(quantity: pint.Quantity) -> str:
    magnitude = quantity.magnitude
    if isinstance(magnitude, np.ndarray):
        return f"[...] {quantity.units:~}"
    return f"{magnitude:g} {quantity.units:~}"


#: Plausible magnitude bounds per canonical unit, generous (far beyond any datacenter
#: campus) so that only nonsense is refused: a value outside is a typo or a unit mix-up
#: (``1e308 kW``), not a plan. Temperatures also refuse anything below absolute zero.
PHYSICAL_BOUNDS: dict[str, tuple[float, float]] = {
    "kW": (-math.inf, 1e9),  # 1 TW (a 1 GW campus is 1e6 kW)
    "kVA": (-math.inf, 1e9),
    "kWh": (-math.inf, 1e13),  # 10 PWh
    "kJ": (-math.inf, 3.6e16),  # 10 PWh
    "kg": (-math.inf, 1e12),  # a billion tonnes (plan totals included)
    "m": (-math.inf, 1e5),  # 100 km
    "RU": (-math.inf, 1e3),
    "m**2": (-math.inf, 1e8),  # 100 km2
    "L": (-math.inf, 1e15),
    "degC": (-150.0, 250.0),  # climates, supply water and air; above absolute zero
    "K": (-math.inf, 250.0),  # temperature differences
    "L/min": (-math.inf, 1e10),
    "kg/s": (-math.inf, 1e8),
    "kPa": (-math.inf, 1e5),  # 1,000 bar
    "kg/m**2": (-math.inf, 1e5),  # 100 t/m2 (slabs are 1-3 t/m2)
    "A": (-math.inf, 1e6),
    "V": (-math.inf, 1e6),
    "USD": (-math.inf, 1e15),  # a quadrillion dollars
    "USD/kWh": (-math.inf, 1e3),
    "USD/kW": (-math.inf, 1e8),
    "USD/h": (-math.inf, 1e8),
    "kg/kWh": (-math.inf, 10.0),
    "L/kWh": (-math.inf, 1e3),
    "TFLOPS": (-math.inf, 1e12),  # 1e24 FLOPS
    "GB": (-math.inf, 1e9),  # an exabyte
    "GB/s": (-math.inf, 1e9),
    "h": (-math.inf, 1e6),  # 114 years
    "s": (-math.inf, 1e9),
    "year": (-math.inf, 100.0),
    "kJ/(kg*K)": (-math.inf, 100.0),
    "kg/m**3": (-math.inf, 1e5),
}


def _spec(kind: str, canonical: str, example: str, **flags: bool) -> QuantitySpec:
    return QuantitySpec(kind=kind, canonical=canonical, example=example, **flags)


# Field types, one per dimension. ``Positive*`` variants reject zero and negatives.
Power = Annotated[pint.Quantity, _spec("a power", "kW", "132 kW", nonnegative=True)]
PositivePower = Annotated[pint.Quantity, _spec("a power", "kW", "132 kW", positive=True)]
ApparentPower = Annotated[pint.Quantity, _spec("an apparent power", "kVA", "2500 kVA", positive=True)]
Energy = Annotated[pint.Quantity, _spec("an energy", "kWh", "10512 MWh", nonnegative=True)]
Mass = Annotated[pint.Quantity, _spec("a mass", "kg", "1360 kg", positive=True)]
MassTotal = Annotated[pint.Quantity, _spec("a mass", "kg", "1360 kg", nonnegative=True)]
Length = Annotated[pint.Quantity, _spec("a length", "m", "1.2 m", positive=True)]
Height = Annotated[pint.Quantity, _spec("a height", "RU", "8 U", positive=True)]
Area = Annotated[pint.Quantity, _spec("an area", "m**2", "2.8 m**2", positive=True)]
AreaTotal = Annotated[pint.Quantity, _spec("an area", "m**2", "2.8 m**2", nonnegative=True)]
Volume = Annotated[pint.Quantity, _spec("a volume", "L", "1000 L", nonnegative=True)]
Temperature = Annotated[pint.Quantity, _spec("a temperature", "degC", "35 degC")]
TemperatureDifference = Annotated[
    pint.Quantity, _spec("a temperature difference", "K", "10 K", positive=True, temperature_difference=True)
]
VolumeFlow = Annotated[pint.Quantity, _spec("a volume flow", "L/min", "180 L/min", nonnegative=True)]
MassFlow = Annotated[pint.Quantity, _spec("a mass flow", "kg/s", "2.4 kg/s", nonnegative=True)]
Pressure = Annotated[pint.Quantity, _spec("a pressure", "kPa", "150 kPa", nonnegative=True)]
FloorLoad = Annotated[pint.Quantity, _spec("a floor load", "kg/m**2", "1500 kg/m**2", positive=True, gravity_load=True)]
Current = Annotated[pint.Quantity, _spec("a current", "A", "63 A", positive=True)]
Voltage = Annotated[pint.Quantity, _spec("a voltage", "V", "415 V", positive=True)]
Money = Annotated[pint.Quantity, _spec("an amount of money", "USD", "3000000 USD", nonnegative=True)]
MoneyPerEnergy = Annotated[pint.Quantity, _spec("a price per energy", "USD/kWh", "0.08 USD/kWh", nonnegative=True)]
MoneyPerPower = Annotated[pint.Quantity, _spec("a cost per power", "USD/kW", "11700 USD/kW", nonnegative=True)]
MoneyPerHour = Annotated[pint.Quantity, _spec("a price per hour", "USD/h", "35.76 USD/h", nonnegative=True)]
MoneyPerPowerYear = Annotated[
    pint.Quantity, _spec("a yearly cost per power", "USD/kW/year", "20 USD/kW/year", nonnegative=True)
]
CarbonIntensity = Annotated[pint.Quantity, _spec("a carbon intensity", "kg/kWh", "0.35 kgCO2e/kWh", nonnegative=True)]
WaterIntensity = Annotated[pint.Quantity, _spec("a water intensity", "L/kWh", "0.2 L/kWh", nonnegative=True)]
Compute = Annotated[pint.Quantity, _spec("a compute rate", "TFLOPS", "2517 TFLOPS", positive=True)]
ComputeTotal = Annotated[pint.Quantity, _spec("a compute rate", "TFLOPS", "2517 TFLOPS", nonnegative=True)]
Information = Annotated[pint.Quantity, _spec("an amount of data", "GB", "144 GiB", positive=True)]
Bandwidth = Annotated[pint.Quantity, _spec("a bandwidth", "GB/s", "4.9 TB/s", positive=True)]
Duration = Annotated[pint.Quantity, _spec("a duration", "h", "8760 h", positive=True)]
Years = Annotated[pint.Quantity, _spec("a duration", "year", "5 year", positive=True)]
Seconds = Annotated[pint.Quantity, _spec("a duration", "s", "2 s", positive=True)]  # training iterations
StoredEnergy = Annotated[pint.Quantity, _spec("an energy", "kJ", "50 kJ", nonnegative=True)]  # PSU storage
SpecificHeat = Annotated[pint.Quantity, _spec("a specific heat", "kJ/(kg*K)", "4.18 kJ/(kg*K)", positive=True)]
Density = Annotated[pint.Quantity, _spec("a density", "kg/m**3", "997 kg/m**3", positive=True)]


def _spec_for_power() -> QuantitySpec:
    """The spec of a positive power field (for free-text power inputs)."""
    return PositivePower.__metadata__[0]  # type: ignore[attr-defined,no-any-return]


def magnitude_in(quantity: pint.Quantity, unit: str) -> float:
    """Return a scalar quantity's magnitude in ``unit`` as a plain float.

    In multiplicative units this is ``value * factor`` with the factor cached per pair of
    units (pint's ``.to`` computes the same product but re-parses ``unit`` and rebuilds its
    bookkeeping on every call: ~0.3 ms, and reports convert thousands of figures); offset
    units (degC) go through pint.
    """
    raw = quantity.magnitude
    if isinstance(raw, np.ndarray):
        raise TypeError("magnitude_in() takes a scalar quantity; use .m_as() for arrays")
    factor = _factor(quantity.units, _parse_units(unit))
    if factor is not None:
        return float(raw) * factor
    return float(quantity.to(unit).magnitude)


def is_close(a: float, b: float, rel: float = 1e-9) -> bool:
    """Relative float comparison used by validators (avoids spurious 'above' errors)."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)
