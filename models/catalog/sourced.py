"""Sourced values: a number (with unit) plus where it came from and how sure we are.

Every numeric catalog field is a ``Sourced*`` model::

    design_power = { value = "142 kW", low = "132 kW", high = "150 kW",
                     source = "https://...", confidence = "vendor" }

``source`` is a URL, ``derived: <arithmetic>``, ``assumption: <why>``, or the key of an
entry in the file's ``[sources]`` table (resolved by the loader before validation).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from dcplan.models.units import (
    ApparentPower,
    Area,
    Bandwidth,
    CarbonIntensity,
    Compute,
    Current,
    Density,
    Duration,
    FloorLoad,
    Height,
    Information,
    Length,
    Mass,
    Money,
    MoneyPerEnergy,
    MoneyPerHour,
    MoneyPerPower,
    MoneyPerPowerYear,
    PositivePower,
    Power,
    Quantity,
    Seconds,
    SpecificHeat,
    StoredEnergy,
    Temperature,
    TemperatureDifference,
    UnitInputError,
    Voltage,
    WaterIntensity,
    Years,
    parse_ratio,
)

Confidence = Literal["vendor", "third-party", "derived", "assumption"]
CONFIDENCE_ORDER: tuple[str, ...] = ("vendor", "third-party", "derived", "assumption")

_URL = re.compile(r"^https?://\S+$")
_SOURCE_FORMS = "a URL, 'derived: <arithmetic>', 'assumption: <why>' or a key of the file's [sources] table"


def check_source_text(source: str) -> str:
    """Return ``source`` if it has one of the accepted forms; raise otherwise."""
    text = source.strip()
    if _URL.match(text.split(" ; ")[0].split(" ")[0]):
        return text
    if text.startswith("derived:") and len(text) > len("derived:") + 2:
        return text
    if text.startswith("assumption:") and len(text) > len("assumption:") + 2:
        return text
    raise PydanticCustomError("source", "source must be {forms}, got {got!r}", {"forms": _SOURCE_FORMS, "got": source})


def _ratio(value: Any) -> float:
    """Read a plain ratio: a bare number, or a dimensionless quantity such as '90 %'."""
    try:
        return parse_ratio(value)
    except UnitInputError as exc:
        raise PydanticCustomError("ratio", "{msg}", {"msg": str(exc)}) from None


Fraction = Annotated[float, BeforeValidator(_ratio), Field(ge=0.0, le=1.0)]
PositiveFraction = Annotated[float, BeforeValidator(_ratio), Field(gt=0.0, le=1.0)]
Multiplier = Annotated[float, BeforeValidator(_ratio), Field(ge=1.0, le=10.0)]
#: Whole-number catalog figures (chips per unit, racks per unit, rack positions...): a
#: million is far above any real system, and keeps arithmetic on counts small and exact.
MAX_COUNT = 1_000_000
PositiveCount = Annotated[int, Field(gt=0, le=MAX_COUNT)]

T = TypeVar("T")


def _magnitude(value: Any) -> Any:
    if isinstance(value, Quantity):
        return value.magnitude
    return value


def _low() -> Any:
    return Field(default=None, description="lower end of the plausible range (sweeps sample it)")


def _high() -> Any:
    return Field(default=None, description="upper end of the plausible range (sweeps sample it)")


class Sourced(BaseModel, Generic[T]):
    """A catalog value with provenance: ``value`` (and optional ``low``/``high`` range)."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, defer_build=True)

    value: T
    low: T | None = _low()
    high: T | None = _high()
    unit: str | None = Field(
        default=None, description="unit for bare-number value/low/high, e.g. {value = 132, unit = 'kW'}"
    )
    source: str = Field(description=_SOURCE_FORMS)
    confidence: Confidence
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _apply_unit(cls, data: Any) -> Any:
        """Let ``{value = 132, low = 120, unit = "kW"}`` stand for three quantities in kW."""
        if isinstance(data, dict) and data.get("unit") is not None:
            data = dict(data)
            unit = data.pop("unit")
            for key in ("value", "low", "high"):
                if isinstance(data.get(key), int | float | list) and not isinstance(data.get(key), bool):
                    data[key] = {"value": data[key], "unit": unit}
        return data

    @model_serializer(mode="wrap")
    def _flatten(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> dict[str, Any]:
        """Dump quantities as ``value``/``low``/``high`` numbers plus one ``unit``."""
        data: dict[str, Any] = handler(self)
        if isinstance(self.value, Quantity):
            unit = None
            for key in ("value", "low", "high"):
                item = data.get(key)
                if isinstance(item, dict):
                    data[key] = item["value"]
                    unit = item["unit"]
            data["unit"] = unit
        elif data.get("unit") is None:
            data.pop("unit", None)
        return data

    @model_validator(mode="after")
    def _check(self) -> Sourced[T]:
        check_source_text(self.source)
        if self.source.startswith("derived:") and self.confidence != "derived":
            raise PydanticCustomError("confidence", "a 'derived:' source needs confidence = 'derived'", {})
        if self.source.startswith("assumption:") and self.confidence != "assumption":
            raise PydanticCustomError("confidence", "an 'assumption:' source needs confidence = 'assumption'", {})
        value = np.asarray(_magnitude(self.value), dtype=float)
        if self.low is not None and np.any(np.asarray(_magnitude(self.low), dtype=float) > value * (1 + 1e-12)):
            raise PydanticCustomError("range", "low ({low}) is above value ({value})", _show_pair(self.low, self.value))
        if self.high is not None and np.any(np.asarray(_magnitude(self.high), dtype=float) < value * (1 - 1e-12)):
            raise PydanticCustomError(
                "range", "high ({low}) is below value ({value})", _show_pair(self.high, self.value)
            )
        return self

    @property
    def magnitude(self) -> Any:
        """The value as a plain number (canonical unit for quantities)."""
        return _magnitude(self.value)

    @property
    def has_range(self) -> bool:
        return self.low is not None or self.high is not None


def _show_pair(a: Any, b: Any) -> dict[str, str]:
    def show(x: Any) -> str:
        if not isinstance(x, Quantity) or np.ndim(x.magnitude) != 0:
            return str(x)
        # pint's short symbol for a year is "a" (annum), which reads as a typo: spell it out
        return f"{x:g}" if str(x.units) == "year" else f"{x:~g}"

    return {"low": show(a), "value": show(b)}


#: The base the concrete classes share. Each concrete class below declares its own
#: ``value``/``low``/``high`` types instead of subclassing ``Sourced[Power]`` and so on:
#: pydantic builds a whole class per parametrisation, which doubled the classes made at
#: import (~20 ms of every `dcplan` start); the fields, validation and JSON Schema are the same.
#: Not even ``Sourced[Any]`` at run time: parametrising first builds the generic model's own
#: validator (pydantic's ``__class_getitem__`` rebuilds the origin, whatever its
#: ``defer_build``), a schema build no catalog entry uses, on every start.
if TYPE_CHECKING:
    _Concrete = Sourced[Any]
else:
    _Concrete = Sourced


# Concrete subclasses give readable names in errors and in the JSON Schema.
class SourcedPower(_Concrete):
    """A sourced power (kW)."""

    value: Power
    low: Power | None = _low()
    high: Power | None = _high()


class SourcedPositivePower(_Concrete):
    """A sourced, strictly positive power (kW)."""

    value: PositivePower
    low: PositivePower | None = _low()
    high: PositivePower | None = _high()


class SourcedApparentPower(_Concrete):
    """A sourced apparent power (kVA)."""

    value: ApparentPower
    low: ApparentPower | None = _low()
    high: ApparentPower | None = _high()


class SourcedMass(_Concrete):
    """A sourced mass (kg)."""

    value: Mass
    low: Mass | None = _low()
    high: Mass | None = _high()


class SourcedLength(_Concrete):
    """A sourced length (m)."""

    value: Length
    low: Length | None = _low()
    high: Length | None = _high()


class SourcedHeight(_Concrete):
    """A sourced height in rack units (RU)."""

    value: Height
    low: Height | None = _low()
    high: Height | None = _high()


class SourcedArea(_Concrete):
    """A sourced area (m**2)."""

    value: Area
    low: Area | None = _low()
    high: Area | None = _high()


class SourcedTemperature(_Concrete):
    """A sourced temperature (degC); may hold an array (e.g. 12 monthly means)."""

    value: Temperature
    low: Temperature | None = _low()
    high: Temperature | None = _high()


class SourcedTemperatureDifference(_Concrete):
    """A sourced temperature difference (K)."""

    value: TemperatureDifference
    low: TemperatureDifference | None = _low()
    high: TemperatureDifference | None = _high()


class SourcedFloorLoad(_Concrete):
    """A sourced floor load (kg/m**2; kN/m**2 and psf accepted)."""

    value: FloorLoad
    low: FloorLoad | None = _low()
    high: FloorLoad | None = _high()


class SourcedCurrent(_Concrete):
    """A sourced current (A)."""

    value: Current
    low: Current | None = _low()
    high: Current | None = _high()


class SourcedVoltage(_Concrete):
    """A sourced voltage (V)."""

    value: Voltage
    low: Voltage | None = _low()
    high: Voltage | None = _high()


class SourcedMoney(_Concrete):
    """A sourced amount of money (USD)."""

    value: Money
    low: Money | None = _low()
    high: Money | None = _high()


class SourcedMoneyPerEnergy(_Concrete):
    """A sourced price per energy (USD/kWh)."""

    value: MoneyPerEnergy
    low: MoneyPerEnergy | None = _low()
    high: MoneyPerEnergy | None = _high()


class SourcedMoneyPerPower(_Concrete):
    """A sourced cost per power (USD/kW)."""

    value: MoneyPerPower
    low: MoneyPerPower | None = _low()
    high: MoneyPerPower | None = _high()


class SourcedMoneyPerPowerYear(_Concrete):
    """A sourced yearly cost per power (USD/kW/year), e.g. a plant's fixed O&M."""

    value: MoneyPerPowerYear
    low: MoneyPerPowerYear | None = _low()
    high: MoneyPerPowerYear | None = _high()


class SourcedMoneyPerHour(_Concrete):
    """A sourced price per hour (USD/h)."""

    value: MoneyPerHour
    low: MoneyPerHour | None = _low()
    high: MoneyPerHour | None = _high()


class SourcedCarbonIntensity(_Concrete):
    """A sourced carbon intensity (kg CO2e/kWh)."""

    value: CarbonIntensity
    low: CarbonIntensity | None = _low()
    high: CarbonIntensity | None = _high()


class SourcedWaterIntensity(_Concrete):
    """A sourced water intensity (L/kWh)."""

    value: WaterIntensity
    low: WaterIntensity | None = _low()
    high: WaterIntensity | None = _high()


class SourcedCompute(_Concrete):
    """A sourced compute rate (TFLOPS)."""

    value: Compute
    low: Compute | None = _low()
    high: Compute | None = _high()


class SourcedInformation(_Concrete):
    """A sourced amount of data (GB)."""

    value: Information
    low: Information | None = _low()
    high: Information | None = _high()


class SourcedBandwidth(_Concrete):
    """A sourced bandwidth (GB/s)."""

    value: Bandwidth
    low: Bandwidth | None = _low()
    high: Bandwidth | None = _high()


class SourcedYears(_Concrete):
    """A sourced duration in years."""

    value: Years
    low: Years | None = _low()
    high: Years | None = _high()


class SourcedDuration(_Concrete):
    """A sourced duration (h)."""

    value: Duration
    low: Duration | None = _low()
    high: Duration | None = _high()


class SourcedSeconds(_Concrete):
    """A sourced short duration (s), e.g. a training iteration."""

    value: Seconds
    low: Seconds | None = _low()
    high: Seconds | None = _high()


class SourcedEnergy(_Concrete):
    """A sourced stored energy (kJ), e.g. a power supply's."""

    value: StoredEnergy
    low: StoredEnergy | None = _low()
    high: StoredEnergy | None = _high()


class SourcedSpecificHeat(_Concrete):
    """A sourced specific heat (kJ/(kg*K))."""

    value: SpecificHeat
    low: SpecificHeat | None = _low()
    high: SpecificHeat | None = _high()


class SourcedDensity(_Concrete):
    """A sourced density (kg/m**3)."""

    value: Density
    low: Density | None = _low()
    high: Density | None = _high()


class SourcedCount(_Concrete):
    """A sourced positive whole number (chips, racks, units)."""

    value: PositiveCount
    low: PositiveCount | None = _low()
    high: PositiveCount | None = _high()


class SourcedFraction(_Concrete):
    """A sourced ratio in [0, 1] (accepts 0.9 or '90 %')."""

    value: Fraction
    low: Fraction | None = _low()
    high: Fraction | None = _high()


class SourcedPositiveFraction(_Concrete):
    """A sourced ratio in (0, 1]."""

    value: PositiveFraction
    low: PositiveFraction | None = _low()
    high: PositiveFraction | None = _high()


class SourcedMultiplier(_Concrete):
    """A sourced multiplier >= 1 (e.g. transient headroom)."""

    value: Multiplier
    low: Multiplier | None = _low()
    high: Multiplier | None = _high()


#: Chiller kW electric per ton of refrigeration: ~0.3 (best water-cooled at low lift) to
#: ~1.5 (old air-cooled); the bounds only catch a misplaced decimal point or a COP.
KwPerTon = Annotated[float, BeforeValidator(_ratio), Field(ge=0.1, le=3.0)]


class SourcedKwPerTon(_Concrete):
    """A sourced chiller efficiency in kW per ton of refrigeration (a plain number, 0.1-3)."""

    value: KwPerTon
    low: KwPerTon | None = _low()
    high: KwPerTon | None = _high()


class SourcedCurve(BaseModel):
    """A sourced efficiency curve: ``efficiency`` at each ``load`` fraction, linearly interpolated."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    load: list[Fraction] = Field(min_length=2)
    efficiency: list[PositiveFraction] = Field(min_length=2)
    source: str
    confidence: Confidence
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> SourcedCurve:
        check_source_text(self.source)
        if len(self.load) != len(self.efficiency):
            raise PydanticCustomError(
                "curve", "load has {n} points but efficiency has {m}", {"n": len(self.load), "m": len(self.efficiency)}
            )
        if any(b <= a for a, b in zip(self.load, self.load[1:], strict=False)):
            raise PydanticCustomError("curve", "load points must be strictly increasing", {})
        return self

    def at(self, load_fraction: Any) -> Any:
        """Efficiency at ``load_fraction`` (scalar or array).

        Losses, not efficiencies, are interpolated: the absolute loss at each tabulated
        point, ``l_i = L_i (1 / eta_i - 1)`` (fraction of rating), is interpolated linearly
        in load and held constant outside the table (no-load losses at light load), then
        ``eta(L) = L / (L + l(L))``. Interpolating efficiency directly can make absolute
        loss fall as load rises, which no loss model allows (Schneider WP108).
        """
        loads = np.asarray(self.load, dtype=float)
        efficiency = np.asarray(self.efficiency, dtype=float)
        losses = loads * (1.0 / efficiency - 1.0)
        load = np.asarray(load_fraction, dtype=float)
        loss = np.interp(load, loads, losses)
        with np.errstate(divide="ignore", invalid="ignore"):
            result = np.where(load > 0, load / (load + loss), efficiency[0])
        return result if result.ndim else float(result)


__all__ = [name for name in dir() if name.startswith("Sourced")] + [
    "Confidence",
    "CONFIDENCE_ORDER",
    "Fraction",
    "PositiveFraction",
    "Multiplier",
    "PositiveCount",
    "check_source_text",
    "Area",
]
