"""When hardware can be had and how long equipment takes to arrive: sourced dates and the
``[[lead_time]]`` entry kind (issue 14, item 2: the data a roadmap over periods orders by).

A date is stored at day precision, but the catalog gives most at quarter precision: the
first day of the quarter (``2026-07-01`` or ``"2026Q3"``, both the same date). A projected
date (announced, not shipped) carries ``projected = true`` and a ``low``/``high`` range::

    available_from = { value = 2026-07-01, low = 2026-07-01, high = 2027-04-01,
                       projected = true, source = "https://...", confidence = "third-party" }

A lead time is order-to-delivery of one equipment class, a sourced duration (weeks, months
or years; stored in years like ``it_life``): ``weeks = years * 365.25 / 7``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from dcplan.models.catalog.base import Entry
from dcplan.models.catalog.sourced import _SOURCE_FORMS, Confidence, SourcedYears, check_source_text

#: Catalog dates outside these years are typing slips (2206 for 2026), not hardware plans.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_DATE_FORMS = "a date such as 2026-07-01 (TOML date or ISO string) or a quarter such as '2026Q3'"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:40]}... ({len(text):,} characters)"


def parse_catalog_date(value: Any) -> date:
    """A ``date`` from a TOML date, an ISO ``YYYY-MM-DD`` string or a quarter ``YYYYQn``
    (its first day: Q1 -> Jan 1, Q2 -> Apr 1, Q3 -> Jul 1, Q4 -> Oct 1); raise otherwise.

    A TOML date-time is taken only at midnight (a time of day is not a catalog date); numbers
    are refused rather than read as Unix timestamps.
    """
    if isinstance(value, datetime):
        if value.time() != datetime.min.time() or value.tzinfo is not None:
            raise PydanticCustomError("date", "expected {forms}, got the date-time {got}", _ctx(value))
        found = value.date()
    elif isinstance(value, date):
        found = value
    elif isinstance(value, str):
        text = value.strip()
        quarter = _QUARTER.match(text)
        try:
            if quarter:
                found = date(int(quarter.group(1)), 3 * int(quarter.group(2)) - 2, 1)
            elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                found = date.fromisoformat(text)
            else:
                raise ValueError(text)
        except ValueError:
            raise PydanticCustomError("date", "expected {forms}, got {got}", _ctx(value)) from None
    else:
        raise PydanticCustomError("date", "expected {forms}, got {got}", _ctx(value))
    if not EARLIEST_YEAR <= found.year <= LATEST_YEAR:
        raise PydanticCustomError(
            "date",
            "expected a year from {lo} to {hi}, got {got}",
            {"lo": EARLIEST_YEAR, "hi": LATEST_YEAR, "got": found.isoformat()},
        )
    return found


def _ctx(value: Any) -> dict[str, str]:
    return {"forms": _DATE_FORMS, "got": _shown(value)}


CatalogDate = Annotated[date, BeforeValidator(parse_catalog_date)]


def quarter_label(day: date) -> str:
    """``2026-07-01`` -> ``2026Q3`` (the quarter the date falls in)."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


class SourcedDate(BaseModel):
    """A sourced calendar date (``value``, optional ``low`` <= value <= ``high``).

    ``projected`` marks a date announced but not yet reached by shipping hardware; such a
    date needs a range (``low`` and/or ``high``), the honest width of the announcement.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    value: CatalogDate
    low: CatalogDate | None = Field(default=None, description="earliest plausible date")
    high: CatalogDate | None = Field(default=None, description="latest plausible date")
    projected: bool = Field(default=False, description="announced, not yet shipped: value is a projection")
    source: str = Field(description=_SOURCE_FORMS)
    confidence: Confidence
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> SourcedDate:
        check_source_text(self.source)
        for prefix, needed in (("derived:", "derived"), ("assumption:", "assumption")):
            if self.source.startswith(prefix) and self.confidence != needed:
                raise PydanticCustomError(
                    "confidence", "a '{p}' source needs confidence = '{c}'", {"p": prefix, "c": needed}
                )
        if self.low is not None and self.low > self.value:
            raise PydanticCustomError(
                "range", "low ({low}) is after value ({value})", {"low": str(self.low), "value": str(self.value)}
            )
        if self.high is not None and self.high < self.value:
            raise PydanticCustomError(
                "range", "high ({high}) is before value ({value})", {"high": str(self.high), "value": str(self.value)}
            )
        if self.projected and self.low is None and self.high is None:
            raise PydanticCustomError("range", "a projected date needs low and/or high (the range it may fall in)", {})
        return self

    @property
    def earliest(self) -> date:
        return self.low or self.value

    @property
    def latest(self) -> date:
        return self.high or self.value


#: Equipment classes with a lead time: what a roadmap must order ahead of its use.
EquipmentClass = Literal[
    "utility-interconnection",
    "large-power-transformer",
    "distribution-transformer",
    "mv-switchgear",
    "diesel-generator",
    "gas-turbine",
    "gas-engine-genset",
    "ups",
    "cdu",
    "chiller",
    "dry-cooler",
]

#: The equipment class whose lead time applies to each catalog kind a plan counts: the power
#: chain's MV/LV transformers, UPS modules and standby generators (substation transformers,
#: switchgear, prime power and cooling plant are not catalog kinds yet).
EQUIPMENT_OF_KIND: dict[str, str] = {
    "transformer": "distribution-transformer",
    "ups": "ups",
    "generator": "diesel-generator",
}

WEEKS_PER_YEAR = 365.25 / 7


class LeadTime(Entry):
    """Order-to-delivery time of one class of long-lead equipment (or of a grid connection).

    ``lead_time`` is a sourced duration with its range. A roadmap over periods (issue 14) is
    to order an item ``ceil(lead_time / period length)`` periods before the period it is used.
    """

    kind: ClassVar[str] = "lead_time"

    equipment: EquipmentClass
    lead_time: SourcedYears = Field(description="order (or application) to delivery (or energisation)")

    @property
    def weeks(self) -> float:
        """The lead time's value in weeks (``years * 365.25 / 7``)."""
        return float(self.lead_time.magnitude) * WEEKS_PER_YEAR


__all__ = [
    "EARLIEST_YEAR",
    "EQUIPMENT_OF_KIND",
    "LATEST_YEAR",
    "WEEKS_PER_YEAR",
    "CatalogDate",
    "EquipmentClass",
    "LeadTime",
    "SourcedDate",
    "parse_catalog_date",
    "quarter_label",
]
