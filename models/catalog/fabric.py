"""The ``[[fabric]]`` and ``[[storage]]`` entry kinds: scale-out network and shared storage
as equipment (issue 15, item 1).

A fabric template says how the accelerators of the systems it lists reach each other
outside their scale-up domain: scale-out ports and port speed per chip, the switch that
builds the non-blocking fat tree (radix, kW without pluggables, USD, height), the network
rack that holds switches, and the two link classes (NIC to leaf, switch to switch) with
their reach, W and USD per end and cable USD per link::

    [[fabric]]
    id = "xdr-quantum-x800"
    systems = ["gb300-nvl72", "dgx-b300"]
    ports_per_chip = { value = 1, source = "...", confidence = "vendor" }
    port_speed = { value = "800 Gbit/s", source = "...", confidence = "vendor" }
    switch_radix = { value = 144, source = "...", confidence = "vendor" }
    endpoint_link = { name = "NIC to leaf", reach = {...}, power_per_end = {...}, ... }
    storage = "parallel-flash"

A storage template is priced and powered per storage rack (its capacity and read
bandwidth), with a default capacity and read bandwidth per accelerator for a plan that
gives none. The physics is in ``dcplan.models.fabric`` and ``dcplan.models.storage``.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from dcplan.models.catalog.base import ID_PATTERN, Entry, Id
from dcplan.models.catalog.sourced import (
    SourcedBandwidth,
    SourcedCount,
    SourcedHeight,
    SourcedInformation,
    SourcedLength,
    SourcedMoney,
    SourcedPositivePower,
    SourcedPower,
)


class LinkClass(BaseModel):
    """One link class of a fabric: reach, power and price of each end, and the cable."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: str = Field(description="what the link is, e.g. '800G OSFP DR8 transceivers over single-mode fibre'")
    reach: SourcedLength = Field(description="longest link of this class (m)")
    power_per_end: SourcedPower = Field(description="transceiver or cable-end power per link end (kW)")
    capex_per_end: SourcedMoney = Field(description="transceiver or cable-end price per link end (USD)")
    cable_capex: SourcedMoney = Field(description="fibre or cable per link (USD)")


class Fabric(Entry):
    """A scale-out fabric template (non-blocking fat tree) for the systems it lists."""

    kind: ClassVar[str] = "fabric"

    systems: list[Id] = Field(min_length=1, description="ids of the [[system]] entries this fabric serves")
    ports_per_chip: SourcedCount = Field(description="scale-out NIC ports per accelerator")
    port_speed: SourcedBandwidth = Field(description="line rate of one scale-out port (GB/s; '800 Gbit/s')")
    switch_radix: SourcedCount = Field(description="switch ports at port_speed")
    switch_power: SourcedPositivePower = Field(description="one switch without its pluggables (kW)")
    switch_capex: SourcedMoney = Field(description="one switch without its pluggables (USD)")
    switch_height: SourcedHeight = Field(description="one switch (RU)")
    rack_units: SourcedHeight = Field(description="usable switch positions in one network rack (RU)")
    max_rack_power: SourcedPositivePower = Field(description="highest network rack power (kW)")
    endpoint_link: LinkClass = Field(description="NIC to leaf switch")
    switch_link: LinkClass = Field(description="switch to switch (leaf-spine, spine-core)")
    storage: Id | None = Field(default=None, pattern=ID_PATTERN, description="id of the [[storage]] it pairs with")

    @model_validator(mode="after")
    def _check(self) -> Fabric:
        if len(set(self.systems)) != len(self.systems):
            raise PydanticCustomError("systems", "systems lists the same system twice", {})
        if int(self.switch_radix.magnitude) < 2 or int(self.switch_radix.magnitude) % 2:
            raise PydanticCustomError("radix", "switch_radix must be an even number of ports, at least 2", {})
        if self.switch_height.magnitude > self.rack_units.magnitude:
            raise PydanticCustomError("rack_units", "a switch is taller than the network rack's rack_units", {})
        return self


class Storage(Entry):
    """A shared storage template, counted in racks of ``rack_capacity`` and ``rack_read_bandwidth``."""

    kind: ClassVar[str] = "storage"

    rack_capacity: SourcedInformation = Field(description="usable capacity of one storage rack (GB; '4 PB')")
    rack_read_bandwidth: SourcedBandwidth = Field(description="read bandwidth of one storage rack (GB/s)")
    rack_power: SourcedPositivePower = Field(description="one storage rack (kW)")
    rack_capex: SourcedMoney = Field(description="one storage rack with its drives (USD)")
    capacity_per_chip: SourcedInformation = Field(description="default usable capacity per accelerator (GB)")
    read_per_chip: SourcedBandwidth = Field(description="default read bandwidth per accelerator (GB/s)")


__all__ = ["Fabric", "LinkClass", "Storage"]
