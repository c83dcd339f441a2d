"""Sourced values: a number (with unit) plus where it came from and how sure we are.

Every numeric catalog field is a ``Sourced*`` model::

    design_power = { value = "142 kW", low = "132 kW", high = "150 kW",
                     source = "https://...", confidence = "vendor" }

``source`` is a URL, ``derived: <arithmetic>``, ``assumption: <why>``, or the key of an
entry in the file's ``[sources]`` table (resolved by the loader before validation).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Generic, Literal, TypeVar

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
    FloorLoad,
    Height,
    Information,
    Length,
    Mass,
    Money,
    MoneyPerEnergy,
    MoneyPerHour,
    MoneyPerPower,
    PositivePower,
    Power,
    Quantity,
    SpecificHeat,
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


class Sourced(BaseModel, Generic[T]):
    """A catalog value with provenance: ``value`` (and optional ``low``/``high`` range)."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, defer_build=True)

    value: T
    low: T | None = Field(default=None, description="lower end of the plausible range (sweeps sample it)")
    high: T | None = Field(default=None, description="upper end of the plausible range (sweeps sample it)")
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
        return f"{x:~g}" if isinstance(x, Quantity) and np.ndim(x.magnitude) == 0 else str(x)

    return {"low": show(a), "value": show(b)}


# Concrete subclasses give readable names in errors and in the JSON Schema.
class SourcedPower(Sourced[Power]):
    """A sourced power (kW)."""


class SourcedPositivePower(Sourced[PositivePower]):
    """A sourced, strictly positive power (kW)."""


class SourcedApparentPower(Sourced[ApparentPower]):
    """A sourced apparent power (kVA)."""


class SourcedMass(Sourced[Mass]):
    """A sourced mass (kg)."""


class SourcedLength(Sourced[Length]):
    """A sourced length (m)."""


class SourcedHeight(Sourced[Height]):
    """A sourced height in rack units (RU)."""


class SourcedArea(Sourced[Area]):
    """A sourced area (m**2)."""


class SourcedTemperature(Sourced[Temperature]):
    """A sourced temperature (degC); may hold an array (e.g. 12 monthly means)."""


class SourcedTemperatureDifference(Sourced[TemperatureDifference]):
    """A sourced temperature difference (K)."""


class SourcedFloorLoad(Sourced[FloorLoad]):
    """A sourced floor load (kg/m**2; kN/m**2 and psf accepted)."""


class SourcedCurrent(Sourced[Current]):
    """A sourced current (A)."""


class SourcedVoltage(Sourced[Voltage]):
    """A sourced voltage (V)."""


class SourcedMoney(Sourced[Money]):
    """A sourced amount of money (USD)."""


class SourcedMoneyPerEnergy(Sourced[MoneyPerEnergy]):
    """A sourced price per energy (USD/kWh)."""


class SourcedMoneyPerPower(Sourced[MoneyPerPower]):
    """A sourced cost per power (USD/kW)."""


class SourcedMoneyPerHour(Sourced[MoneyPerHour]):
    """A sourced price per hour (USD/h)."""


class SourcedCarbonIntensity(Sourced[CarbonIntensity]):
    """A sourced carbon intensity (kg CO2e/kWh)."""


class SourcedWaterIntensity(Sourced[WaterIntensity]):
    """A sourced water intensity (L/kWh)."""


class SourcedCompute(Sourced[Compute]):
    """A sourced compute rate (TFLOPS)."""


class SourcedInformation(Sourced[Information]):
    """A sourced amount of data (GB)."""


class SourcedBandwidth(Sourced[Bandwidth]):
    """A sourced bandwidth (GB/s)."""


class SourcedYears(Sourced[Years]):
    """A sourced duration in years."""


class SourcedSpecificHeat(Sourced[SpecificHeat]):
    """A sourced specific heat (kJ/(kg*K))."""


class SourcedDensity(Sourced[Density]):
    """A sourced density (kg/m**3)."""


class SourcedCount(Sourced[PositiveCount]):
    """A sourced positive whole number (chips, racks, units)."""


class SourcedFraction(Sourced[Fraction]):
    """A sourced ratio in [0, 1] (accepts 0.9 or '90 %')."""


class SourcedPositiveFraction(Sourced[PositiveFraction]):
    """A sourced ratio in (0, 1]."""


class SourcedMultiplier(Sourced[Multiplier]):
    """A sourced multiplier >= 1 (e.g. transient headroom)."""


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
