"""The ``[[rack_slot]]`` entry kind: a rack envelope a row is built for once (issue 14, item 4).

An NVLink Fusion / MGX NVL72 slot is the rack position a row is built around: its
footprint, the power shelves' deliverable kW per rack, the liquid manifold's kW per rack,
and the rack kW band the row's busway and cooling are built for. Different systems fill it
in different periods (GB300, Vera Rubin, Trainium4 in MGX racks); whether a system fits is
physics (``dcplan.models.slots``)::

    [[rack_slot]]
    id = "mgx-nvl72"
    power_shelf = { value = "264 kW", source = "...", confidence = "vendor" }
    admits = ["gb300-nvl72", "vera-rubin-nvl144", "trn4-ultraserver"]
    # and rack_width, rack_depth, manifold, min_rack_power, max_rack_power (catalogs/slots.toml)

``switch_trays`` counts the NVIDIA NVLink switch trays one unit of a system needs that do
not come with the system itself (Trainium4 joins NVLink Fusion with NVIDIA's trays; a GB300
NVL72 ships with its own). ``tray_supply_per_year`` is the catalog's default allocation of
those trays to this planner (a scenario may give its own): trays added per year.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from dcplan.models.catalog.base import ID_PATTERN, Entry, Id
from dcplan.models.catalog.sourced import SourcedCount, SourcedLength, SourcedPositivePower


class SlotTrays(BaseModel):
    """NVLink switch trays one unit of ``system`` draws from the tray supply."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    system: Id = Field(pattern=ID_PATTERN, description="id of a [[system]] entry")
    per_unit: SourcedCount = Field(description="switch trays per deployment unit")


class RackSlot(Entry):
    """A rack-slot class (footprint, power-shelf and manifold kW, kW band) a row is built for."""

    kind: ClassVar[str] = "rack_slot"

    rack_width: SourcedLength = Field(description="widest rack the slot takes")
    rack_depth: SourcedLength = Field(description="deepest rack the slot takes")
    power_shelf: SourcedPositivePower = Field(description="kW per rack the slot's power shelves deliver")
    manifold: SourcedPositivePower = Field(description="liquid heat per rack the slot's manifold carries (kW)")
    min_rack_power: SourcedPositivePower = Field(description="lower end of the rack kW band the row is built for")
    max_rack_power: SourcedPositivePower = Field(description="upper end of the rack kW band (the row's build class)")
    admits: list[Id] = Field(
        default_factory=list, description="ids of systems certified for the slot (empty: any that physically fits)"
    )
    switch_trays: list[SlotTrays] = Field(default_factory=list, description="NVLink switch trays per unit, by system")
    tray_supply_per_year: SourcedCount | None = Field(
        default=None, description="NVLink switch trays allocated per year (default supply)"
    )

    @model_validator(mode="after")
    def _check(self) -> RackSlot:
        if self.min_rack_power.magnitude > self.max_rack_power.magnitude * (1 + 1e-9):
            raise PydanticCustomError(
                "band",
                "min_rack_power {lo} kW is above max_rack_power {hi} kW",
                {"lo": f"{self.min_rack_power.magnitude:g}", "hi": f"{self.max_rack_power.magnitude:g}"},
            )
        if len(set(self.admits)) != len(self.admits):
            raise PydanticCustomError("admits", "admits lists the same system twice", {})
        tray_systems = [t.system for t in self.switch_trays]
        if len(set(tray_systems)) != len(tray_systems):
            raise PydanticCustomError("switch_trays", "switch_trays lists the same system twice", {})
        return self

    def trays_per_unit(self, system_id: str) -> int:
        """NVLink switch trays one unit of ``system_id`` draws (0: none, or its own)."""
        for trays in self.switch_trays:
            if trays.system == system_id:
                return int(trays.per_unit.magnitude)
        return 0


__all__ = ["RackSlot", "SlotTrays"]
