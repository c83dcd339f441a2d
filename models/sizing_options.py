"""The choices of one sizing request that are not catalog facts (``SizingOptions``), read by
models.coefficients and models.sizing; kept apart so the coefficients module stays one
formula per step."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dcplan.models.allin import FabricPerUnit
from dcplan.models.catalog.schema import Redundancy
from dcplan.models.units import FloorLoad, Temperature, TemperatureDifference, WaterIntensity

ProvisioningBasis = Literal["nameplate", "design", "typical"]
UpsBasis = Literal["it", "it-over-distribution"]
MAX_RACKS_PER_ROW = 10_000


class SizingOptions(BaseModel):
    """Choices that are not catalog facts; ``None`` means "use the catalog default"."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    utilisation: float = Field(default=1.0, ge=0.0, le=1.0, description="busy share for energy: 0 idle .. 1 busy")
    provisioning: ProvisioningBasis = "design"
    typical_headroom: float = Field(
        default=1.0,
        ge=1.0,
        le=2.0,
        description="provisioning = typical: provision typical x headroom (oversubscription)",
    )
    redundancy: Redundancy | None = None
    power_chain: str | None = None
    plant: str | None = None
    liquid_supply_temp: Temperature | None = None
    chilled_water_temp: Temperature | None = None
    air_delta_t: TemperatureDifference | None = None
    liquid_delta_t: TemperatureDifference | None = None
    fluid: str | None = None
    slab_rating: FloorLoad | None = None
    racks_per_row: int | None = Field(default=None, gt=0, le=MAX_RACKS_PER_ROW)
    ups_basis: UpsBasis = Field(
        default="it-over-distribution",
        description="UPS load: the IT load, or IT / distribution efficiency (UPS output feeding PDU and busway losses)",
    )
    chiller_cop: float | None = Field(default=None, ge=1.0, le=20.0, description="rated COP for every chiller hour")
    chiller_cop_basis: str | None = Field(default=None, description="how chiller_cop was given, for results")
    pue_target: float | None = Field(
        default=None, ge=1.0, le=5.0, description="quick estimate: PUE instead of the plant model"
    )
    wue_target: WaterIntensity | None = Field(default=None, description="quick estimate: site L/kWh of IT energy")
    placed_fabric: tuple[FabricPerUnit, ...] = Field(
        default=(), description="per-unit fabric and storage placed in rows, by system (planner.fabric_data)"
    )

    def fabric_of(self, system_id: str) -> FabricPerUnit | None:
        """The placed per-unit fabric share of ``system_id``, or None."""
        return next((f for f in self.placed_fabric if f.system_id == system_id), None)
