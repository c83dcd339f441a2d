"""The ``[[water_loop]]`` table of a scenario: which ASHRAE facility water classes a hall's
liquid loop may run at, for the optimiser to choose one (models.water_class)::

    [[water_loop]]
    hall = "h1"
    classes = ["W32", "W40", "W45"]   # one class pins it; default: every class
    reuse_capacity = "2 MW"           # optional heat offtake (thermal) a taker buys ...
    reuse_temperature = "50 degC"     # ... the supply temperature it needs ...
    reuse_price = "30 USD/MWh"        # ... what it pays per MWh of heat (all three or none)
    reuse_hours = 6000                # optional: hours a year it takes heat (default 8760)

A hall without a row keeps its cooling architectures' own supply temperatures (plans made
before it stay as they were). The loop is per hall: every liquid-cooled row of the hall
shares its one supply class.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from dcplan.models.catalog.schema import ID_PATTERN, Id
from dcplan.models.units import MoneyPerEnergy, PositivePower, Temperature
from dcplan.models.water_class import WATER_CLASSES

HOURS_PER_YEAR = 8760.0
#: a heat taker's supply temperature must be a liquid-water figure [degC]
TAKER_RANGE_C = (0.0, 100.0)

WaterClass = Literal["W27", "W32", "W40", "W45", "W+"]


class WaterLoop(BaseModel):
    """A hall's facility water loop and the supply classes the optimiser may choose from."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    hall: Id = Field(pattern=ID_PATTERN, description="a [[hall]] id of the scenario")
    classes: list[WaterClass] = Field(
        default_factory=lambda: list(WATER_CLASSES),  # type: ignore[arg-type]
        min_length=1,
        max_length=5,
        description="allowed ASHRAE supply classes (one: pinned)",
    )
    reuse_capacity: PositivePower | None = Field(default=None, description="heat offtake capacity (thermal)")
    reuse_temperature: Temperature | None = Field(default=None, description="supply temperature the taker needs")
    reuse_price: MoneyPerEnergy | None = Field(default=None, description="what the taker pays per thermal energy")
    reuse_hours: float | None = Field(
        default=None, gt=0.0, le=HOURS_PER_YEAR, description="hours a year the taker accepts heat [h] (default 8760)"
    )

    @model_validator(mode="after")
    def _reuse_together(self) -> WaterLoop:
        given = [self.reuse_capacity is not None, self.reuse_temperature is not None, self.reuse_price is not None]
        if any(given) and not all(given):
            raise PydanticCustomError(
                "reuse_fields", "reuse_capacity, reuse_temperature and reuse_price go together: give all or none", {}
            )
        if self.reuse_hours is not None and not any(given):
            raise PydanticCustomError(
                "reuse_fields", "reuse_hours needs reuse_capacity, reuse_temperature, reuse_price", {}
            )
        if self.reuse_temperature is not None:
            taker_c = float(self.reuse_temperature.to("degC").magnitude)
            if not TAKER_RANGE_C[0] <= taker_c <= TAKER_RANGE_C[1]:
                raise PydanticCustomError(
                    "reuse_fields",
                    "reuse_temperature: expected 0 to 100 degC (liquid water), got {got:g} degC",
                    {"got": taker_c},
                )
        return self

    @property
    def has_reuse(self) -> bool:
        """A heat offtake is offered on this loop."""
        return self.reuse_capacity is not None

    @property
    def allowed(self) -> tuple[str, ...]:
        """The classes, each once, coolest first."""
        return tuple(c for c in WATER_CLASSES if c in self.classes)
