"""The ``[[utility_limit]]`` table of a scenario: what a site's interconnection agreement
allows its load to swing, and which mitigations the optimiser may buy (models.swing)::

    [[utility_limit]]
    site = "us-east-1-campus"
    swing_band = "10 MW"            # trough-to-peak oscillation allowed at 0.1-20 Hz
    ramp_rate_mw_per_s = 5          # job start / stop ramp (reported: the ramp's duration)
    mitigation = ["battery", "floor"]   # default: both

A site without a row has no swing constraint (plans made before it stay as they were).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dcplan.models.catalog.schema import ID_PATTERN, Id
from dcplan.models.units import PositivePower

Mitigation = Literal["battery", "floor"]
ALL_MITIGATIONS: tuple[Mitigation, ...] = ("battery", "floor")
MAX_RAMP_MW_PER_S = 1e4


class UtilityLimit(BaseModel):
    """A site's swing band and ramp rate, and the mitigations allowed to meet them."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    site: Id = Field(pattern=ID_PATTERN, description="a [[site]] id of the scenario")
    swing_band: PositivePower = Field(description="allowed trough-to-peak oscillation of the site's load")
    ramp_rate_mw_per_s: float | None = Field(
        default=None, gt=0.0, le=MAX_RAMP_MW_PER_S, description="allowed ramp at a job's start or stop [MW/s]"
    )
    mitigation: list[Mitigation] = Field(
        default_factory=lambda: list(ALL_MITIGATIONS), max_length=2, description="what the optimiser may buy"
    )

    @property
    def allowed(self) -> tuple[str, ...]:
        """The mitigations, each once, in a fixed order (battery, floor)."""
        return tuple(m for m in ("battery", "floor") if m in self.mitigation)
