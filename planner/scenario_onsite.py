"""The ``[[onsite_power]]`` table of a scenario: on-site gas generation a site may build (how
many units is the optimiser's decision), a flexible-connection offer (curtailment hours a
year in exchange for more grid MW) and the UPS ride-through that sizes its battery kWh::

    [[onsite_power]]
    site = "us-east-1-campus"
    prime_mover = "gas-recip-4mw"       # a [[prime_mover]] catalog id
    max_units = 20                      # at most this many units (0: none, offer only)
    islanded = true                     # default false; units must accept the site's largest job start step
    curtailment_hours = 44              # optional: accept 44 h a year (0.5 %) of curtailment ...
    curtailment_grid = "20 MW"          # ... for 20 MW more grid power (both or neither)
    ride_through = "30 s"               # UPS battery time until the gensets take the load

Duke's "Rethinking Load Growth" (docs/reference.md) scales the offer: 0.25-1 % of the
year's hours bought 76-126 GW of US headroom. The utility's offer for one site is an input.
A site without a row has no on-site rows (plans made before stay as they were).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from dcplan.models.catalog.schema import ID_PATTERN, Id
from dcplan.models.units import Duration, PositivePower

MAX_UNITS = 10_000
HOURS_PER_YEAR = 8760.0
#: UPS bridging until the generator takes the load: 10-30 s (docs/reference.md); the planning
#: default takes the slow end, so the battery covers the slowest start
DEFAULT_RIDE_THROUGH_S = 30.0


class OnsitePower(BaseModel):
    """A site's on-site generation option, flexible-connection offer and UPS ride-through."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    site: Id = Field(pattern=ID_PATTERN, description="a [[site]] id of the scenario")
    prime_mover: Id | None = Field(default=None, pattern=ID_PATTERN, description="a [[prime_mover]] catalog id")
    max_units: int = Field(default=0, ge=0, le=MAX_UNITS, description="most units the optimiser may build")
    islanded: bool = Field(default=False, description="units carry job start steps without the grid")
    curtailment_hours: float | None = Field(
        default=None, gt=0.0, lt=HOURS_PER_YEAR, description="curtailed hours a year accepted [h]"
    )
    curtailment_grid: PositivePower | None = Field(default=None, description="grid power the curtailment buys")
    ride_through: Duration | None = Field(default=None, description="UPS battery time (default 30 s)")

    @model_validator(mode="after")
    def _pairs(self) -> OnsitePower:
        if (self.curtailment_hours is None) != (self.curtailment_grid is None):
            raise PydanticCustomError(
                "onsite_pair", "curtailment_hours and curtailment_grid go together: give both or neither", {}
            )
        if self.max_units > 0 and self.prime_mover is None:
            raise PydanticCustomError("onsite_pair", "max_units > 0 needs a prime_mover", {})
        return self

    @property
    def ride_through_s(self) -> float:
        """The ride-through [s] (default 30 s)."""
        if self.ride_through is None:
            return DEFAULT_RIDE_THROUGH_S
        return float(self.ride_through.to("s").magnitude)

    @property
    def curtailed_share(self) -> float:
        """h / 8760: the share of the year curtailed if the offer is taken (0 without one)."""
        return 0.0 if self.curtailment_hours is None else self.curtailment_hours / HOURS_PER_YEAR

    def summary(self) -> dict[str, Any]:
        """The fields as plain values (for reports)."""
        return {"site": self.site, "prime_mover": self.prime_mover, "max_units": self.max_units}
