"""Catalog entry models: chips, deployment units (systems), cooling, heat-rejection plant,
power-chain equipment, sites, fluids and planning defaults; the performance kinds
(``efficiency``, ``goodput``, ``claim``) live in ``performance`` and join ``KINDS`` here.

A catalog TOML file holds arrays of tables named after the kinds below, e.g.::

    [sources]
    neuron-trn3 = "https://awsdocs-neuron.readthedocs-hosted.com/..."

    [[system]]
    id = "trn3-ultraserver-gen2"
    chips_per_unit = { value = 144, source = "neuron-trn3", confidence = "vendor" }
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from dcplan.models.catalog.base import (
    ID_MAX_LENGTH,
    ID_PATTERN,
    ID_RE,
    CoolingKind,
    Entry,
    Id,
    Operator,
    Redundancy,
    Status,
    check_id,
)
from dcplan.models.catalog.fabric import Fabric, LinkClass, Storage
from dcplan.models.catalog.onsite import PrimeMover
from dcplan.models.catalog.performance import Claim, Efficiency, Goodput, GoodputPoint, Precision
from dcplan.models.catalog.schedule import LeadTime, SourcedDate
from dcplan.models.catalog.slots import RackSlot
from dcplan.models.catalog.sourced import (
    SourcedApparentPower,
    SourcedArea,
    SourcedBandwidth,
    SourcedCarbonIntensity,
    SourcedCompute,
    SourcedCount,
    SourcedCurrent,
    SourcedCurve,
    SourcedDensity,
    SourcedDuration,
    SourcedEnergy,
    SourcedFloorLoad,
    SourcedFraction,
    SourcedHeight,
    SourcedInformation,
    SourcedKwPerTon,
    SourcedLength,
    SourcedMass,
    SourcedMoney,
    SourcedMoneyPerEnergy,
    SourcedMoneyPerHour,
    SourcedMoneyPerPower,
    SourcedMultiplier,
    SourcedPositiveFraction,
    SourcedPositivePower,
    SourcedPower,
    SourcedSeconds,
    SourcedSpecificHeat,
    SourcedTemperature,
    SourcedTemperatureDifference,
    SourcedVoltage,
    SourcedWaterIntensity,
    SourcedYears,
)


class Chip(Entry):
    """An accelerator chip (or GPU package): compute, memory and scale-up bandwidth."""

    kind: ClassVar[str] = "chip"

    vendor: str
    bf16_dense: SourcedCompute = Field(description="dense BF16 per chip")
    fp8_dense: SourcedCompute = Field(description="dense FP8 (MXFP8 on Trainium3) per chip")
    fp4_dense: SourcedCompute | None = Field(default=None, description="dense FP4 per chip, where published")
    hbm_capacity: SourcedInformation
    hbm_bandwidth: SourcedBandwidth
    scale_up_bandwidth: SourcedBandwidth = Field(description="scale-up link bandwidth per chip")

    def dense(self, precision: Precision | str) -> SourcedCompute | None:
        """Dense peak per chip at ``precision`` (bf16 | fp8 | fp4); None where not published."""
        field_name = {"bf16": "bf16_dense", "fp8": "fp8_dense", "fp4": "fp4_dense"}.get(precision)
        return None if field_name is None else getattr(self, field_name)


class System(Entry):
    """A deployment unit: what is bought and placed as one block.

    - ``rack-scale``: one unit is ``racks_per_unit`` racks (GB300 NVL72: 1).
    - ``ultraserver``: one scale-up domain over ``racks_per_unit`` adjacent racks in one row.
    - ``server``: N servers per rack, N decided by sizing up to ``max_units_per_rack``.

    Power fields are per deployment unit at the IT input (PSU and fan losses inside):
    ``idle <= typical <= design <= nameplate``.
    """

    kind: ClassVar[str] = "system"

    vendor: str
    family: Id = Field(pattern=ID_PATTERN, description="hardware family for hybrid share bounds, e.g. 'trainium'")
    software: Literal["neuron", "cuda", "rocm", "xla"] = Field(description="software stack workloads need")
    form: Literal["rack-scale", "ultraserver", "server"]
    status: Status
    deployable_by: list[Operator] = Field(min_length=1, description="operators whose sites may host it")
    chip: Id = Field(pattern=ID_PATTERN, description="id of a [[chip]] entry")
    chips_per_unit: SourcedCount
    scale_up_domain: SourcedCount = Field(description="chips in one scale-up (NVLink/NeuronLink) domain")
    racks_per_unit: SourcedCount | None = Field(default=None, description="rack-scale and ultraserver forms")
    max_units_per_rack: SourcedCount | None = Field(default=None, description="server form: packing limit")
    unit_height: SourcedHeight | None = Field(default=None, description="server form: chassis height")
    rack_height: SourcedHeight | None = Field(default=None, description="server form: usable rack height")
    chip_power: SourcedPositivePower
    nameplate_power: SourcedPositivePower | None = Field(
        default=None, description="power-supply rating per unit (redundant supplies counted once)"
    )
    design_power: SourcedPositivePower = Field(description="max power to size feeds and cooling, per unit")
    typical_power: SourcedPositivePower = Field(description="power during training, for energy, per unit")
    idle_power: SourcedPower = Field(description="power when idle, per unit")
    fabric_power: SourcedPower | None = Field(default=None, description="scale-out network share per unit")
    psu_efficiency: SourcedPositiveFraction
    transient_headroom: SourcedMultiplier = Field(description="peak/steady electrical ratio for breakers and UPS")
    swing_amplitude: SourcedFraction | None = Field(
        default=None, description="training power swing, trough to peak, as a share of design power (models.swing)"
    )
    swing_period: SourcedSeconds | None = Field(default=None, description="one compute + communication iteration")
    swing_storage: SourcedEnergy | None = Field(default=None, description="built-in energy storage per unit (PSUs)")
    liquid_capture_fraction: SourcedFraction = Field(description="share of unit heat taken by cold plates")
    cooling: list[str] = Field(min_length=1, description="ids of [[cooling]] architectures it supports")
    air_rack_power_limit: SourcedPositivePower | None = Field(
        default=None,
        description=(
            "rack power its vendor's air-cooled reference rack is built for; on contained-air and rear-door "
            "cooling it replaces the architecture's generic max_rack_power (a rear door must still take the heat)"
        ),
    )
    coolant_inlet_min: SourcedTemperature | None = None
    coolant_inlet_max: SourcedTemperature | None = None
    weight: SourcedMass = Field(description="mass per deployment unit (server form: per server)")
    rack_shell_weight: SourcedMass | None = Field(default=None, description="server form: empty rack, PDUs, cables")
    rack_width: SourcedLength
    rack_depth: SourcedLength
    capex: SourcedMoney | None = Field(default=None, description="purchase price per unit")
    cloud_price: SourcedMoneyPerHour | None = Field(default=None, description="rental price per unit-hour")
    cloud_price_basis: Literal["on-demand", "capacity-block", "reserved"] | None = None
    cloud_instance: str | None = None
    available_from: SourcedDate | None = Field(
        default=None, description="general availability or first shipment (quarter precision); projected if announced"
    )
    available_until: SourcedDate | None = Field(default=None, description="end of sale, where one is published")
    it_life: SourcedYears | None = Field(
        default=None,
        description="service life before refresh, where this class has its own (else the planning defaults' it_life)",
    )

    @model_validator(mode="after")
    def _check(self) -> System:
        if self.form == "server":
            for field in ("max_units_per_rack", "unit_height", "rack_height", "rack_shell_weight"):
                if getattr(self, field) is None:
                    raise PydanticCustomError("form", "a server-form system needs {field}", {"field": field})
        elif self.racks_per_unit is None:
            raise PydanticCustomError("form", "a {form} system needs racks_per_unit", {"form": self.form})
        order = [("idle_power", self.idle_power), ("typical_power", self.typical_power)]
        order.append(("design_power", self.design_power))
        if self.nameplate_power is not None:
            order.append(("nameplate_power", self.nameplate_power))
        # idle <= typical <= design <= nameplate; report the first pair out of order,
        # naming the larger field first ("typical_power 160 kW is above nameplate_power 150 kW").
        for i, (low_name, low) in enumerate(order):
            for high_name, high in reversed(order[i + 1 :]):
                if low.magnitude > high.magnitude * (1 + 1e-9):
                    raise PydanticCustomError(
                        "power",
                        "{a} {x} kW is above {b} {y} kW",
                        {"a": low_name, "x": f"{low.magnitude:g}", "b": high_name, "y": f"{high.magnitude:g}"},
                    )
        if len(set(self.cooling)) != len(self.cooling):
            raise PydanticCustomError("cooling", "cooling lists the same architecture twice", {})
        self._check_availability()
        return self

    def _check_availability(self) -> None:
        """``available_from`` is projected exactly when the system is not shipping, and
        ``available_until`` (which needs it) is not before it."""
        start, end = self.available_from, self.available_until
        if start is not None and start.projected != self.is_projected:
            raise PydanticCustomError(
                "availability",
                "a {status} system needs available_from.projected = {want}",
                {"status": self.status, "want": str(self.is_projected).lower()},
            )
        if end is not None and start is None:
            raise PydanticCustomError("availability", "available_until needs available_from", {})
        if start is not None and end is not None and end.value < start.value:
            raise PydanticCustomError(
                "availability",
                "available_until ({until}) is before available_from ({start})",
                {"until": str(end.value), "start": str(start.value)},
            )

    @property
    def is_projected(self) -> bool:
        return self.status != "shipping"


class Cooling(Entry):
    """A room-side cooling architecture: which heat paths it removes and its terminal units.

    Heat from a rack splits into a liquid part (cold plates) and an air part. ``dlc-cdu``
    sends the liquid part through CDUs to facility water and the air part to CRAHs;
    ``dlc-l2a`` rejects the liquid part into the room through liquid-to-air row units;
    ``rdhx`` removes the air part at a water-cooled rear door; ``immersion`` takes all heat
    to liquid; ``room-air``/``contained-air`` take only air-cooled racks.
    """

    kind: ClassVar[str] = "cooling"

    type: CoolingKind
    max_rack_power: SourcedPositivePower = Field(description="highest rack power it can cool")
    air_supply_temp: SourcedTemperature = Field(description="supply air temperature at the rack inlet")
    liquid_supply_temp: SourcedTemperature | None = Field(
        default=None, description="facility-water supply to CDUs/doors (liquid-capable types)"
    )
    chilled_water_temp: SourcedTemperature = Field(description="chilled-water supply to the air-side coils")
    cdu_capacity: SourcedPositivePower | None = None
    crah_capacity: SourcedPositivePower | None = None
    rdhx_capacity: SourcedPositivePower | None = Field(default=None, description="per door (one door per rack)")
    l2a_capacity: SourcedPositivePower | None = Field(default=None, description="per liquid-to-air row unit")
    cdu_redundancy: Redundancy = "N+1"
    crah_redundancy: Redundancy = "N+1"
    fan_power_fraction: SourcedFraction = Field(description="room fan kW per kW of air-path heat")
    pump_power_fraction: SourcedFraction = Field(description="CDU/loop pump kW per kW of liquid-path heat")
    capex_per_kw: SourcedMoneyPerPower = Field(description="room-side cooling capex per kW of IT")
    plant: Id = Field(pattern=ID_PATTERN, description="id of the default [[plant]] rejecting its heat")

    @model_validator(mode="after")
    def _check(self) -> Cooling:
        needs = {
            "dlc-cdu": ("cdu_capacity", "crah_capacity", "liquid_supply_temp"),
            "dlc-l2a": ("l2a_capacity", "crah_capacity"),
            "immersion": ("cdu_capacity", "liquid_supply_temp"),
            "rdhx": ("rdhx_capacity", "liquid_supply_temp"),
            "room-air": ("crah_capacity",),
            "contained-air": ("crah_capacity",),
        }[self.type]
        for field in needs:
            if getattr(self, field) is None:
                raise PydanticCustomError("cooling", "a {t} architecture needs {f}", {"t": self.type, "f": field})
        return self

    @property
    def takes_liquid(self) -> bool:
        """True if racks' cold plates can be connected (liquid heat path exists)."""
        return self.type in ("dlc-cdu", "dlc-l2a", "immersion")


class Plant(Entry):
    """Heat rejection: cooling tower or dry cooler with a chiller for the hours it cannot.

    Free cooling when ``sink + approach <= supply``; partial up to the return temperature;
    chiller COP = ``carnot_fraction * T_evap / (T_cond - T_evap)`` (K), capped at ``cop_max``.
    """

    kind: ClassVar[str] = "plant"

    type: Literal["cooling-tower", "dry-cooler"]
    approach: SourcedTemperatureDifference = Field(description="leaving water above wet bulb (tower) or dry bulb")
    condenser_approach: SourcedTemperatureDifference = Field(description="condensing temp above the sink water")
    evaporator_approach: SourcedTemperatureDifference = Field(description="supply water above evaporating temp")
    carnot_fraction: SourcedPositiveFraction
    cop_max: SourcedMultiplier | None = None
    fan_power_fraction: SourcedFraction = Field(description="tower/dry-cooler fan kW per kW rejected")
    evaporated_fraction: SourcedFraction = Field(description="share of rejected heat carried by evaporation")
    cycles_of_concentration: SourcedMultiplier | None = Field(default=None, description="tower blowdown basis")
    capex_per_kw: SourcedMoneyPerPower
    chiller_cop: SourcedMultiplier | None = Field(
        default=None, description="rated chiller COP at every chiller hour, instead of the Carnot-against-lift model"
    )
    chiller_kw_per_ton: SourcedKwPerTon | None = Field(
        default=None, description="rated chiller kW electric per ton of refrigeration (COP = 3.517 / kW/ton)"
    )

    @model_validator(mode="after")
    def _one_chiller_rating(self) -> Plant:
        if self.chiller_cop is not None and self.chiller_kw_per_ton is not None:
            raise PydanticCustomError("chiller", "give chiller_cop or chiller_kw_per_ton, not both", {})
        return self


class Transformer(Entry):
    """A medium-to-low voltage transformer."""

    kind: ClassVar[str] = "transformer"

    rating: SourcedApparentPower
    efficiency: SourcedCurve
    capex: SourcedMoney


class Ups(Entry):
    """A UPS module (modules are counted per redundancy topology)."""

    kind: ClassVar[str] = "ups"

    rating: SourcedPositivePower
    efficiency: SourcedCurve
    capex: SourcedMoney


class Busway(Entry):
    """A row busway run with tap-off boxes feeding racks."""

    kind: ClassVar[str] = "busway"

    current: SourcedCurrent
    voltage: SourcedVoltage
    tap_off_current: SourcedCurrent
    capex: SourcedMoney = Field(description="per run")
    tap_off_capex: SourcedMoney


class RackPdu(Entry):
    """A three-phase rack power distribution unit."""

    kind: ClassVar[str] = "rack_pdu"

    current: SourcedCurrent
    voltage: SourcedVoltage
    phases: Literal[1, 3] = 3
    capex: SourcedMoney


class Generator(Entry):
    """A standby generator set rated on a data-centre-continuous basis."""

    kind: ClassVar[str] = "generator"

    rating: SourcedPositivePower
    derating: SourcedPositiveFraction = Field(description="usable share of rating on UPS load at site conditions")
    capex: SourcedMoney


class PowerChain(Entry):
    """A power-chain design: which equipment, efficiencies, and the default redundancy."""

    kind: ClassVar[str] = "power_chain"

    rack_pdu: Id = Field(pattern=ID_PATTERN)
    busway: Id = Field(pattern=ID_PATTERN)
    ups: Id = Field(pattern=ID_PATTERN)
    transformer: Id = Field(pattern=ID_PATTERN)
    generator: Id = Field(pattern=ID_PATTERN)
    redundancy: Redundancy = "2N"
    generator_redundancy: Redundancy = "N+1"
    distribution_efficiency: SourcedPositiveFraction = Field(description="PDU, busway and cable efficiency")
    power_factor: SourcedPositiveFraction
    continuous_derating: SourcedPositiveFraction = Field(description="continuous load share of a rating (NEC 80 %)")
    electrical_capex_per_kw: SourcedMoneyPerPower | None = Field(
        default=None, description="switchgear, cabling and install per kW IT, beyond counted equipment"
    )


class Site(Entry):
    """A site: who operates it, its climate profile, energy price and grid carbon."""

    kind: ClassVar[str] = "site"

    location: str
    operator: Operator
    cloud_region: str | None = Field(default=None, description="AWS region served, for cloud capacity")
    elevation: SourcedLength | None = None
    monthly_dry_bulb: SourcedTemperature = Field(description="12 monthly mean dry-bulb temperatures")
    monthly_wet_bulb: SourcedTemperature = Field(description="12 monthly mean wet-bulb temperatures")
    diurnal_range: SourcedTemperatureDifference = Field(
        description="mean daily max minus min dry bulb: one value, or 12 monthly values"
    )
    design_dry_bulb: SourcedTemperature = Field(description="cooling design dry bulb (0.4 % or similar)")
    design_wet_bulb: SourcedTemperature = Field(description="cooling design wet bulb")
    electricity_price: SourcedMoneyPerEnergy
    grid_carbon_intensity: SourcedCarbonIntensity
    construction_cost_per_kw: SourcedMoneyPerPower | None = Field(
        default=None, description="shell and core per kW IT, for capex"
    )

    @model_validator(mode="after")
    def _check(self) -> Site:
        for field in ("monthly_dry_bulb", "monthly_wet_bulb"):
            values = getattr(self, field).magnitude
            if getattr(values, "shape", ()) != (12,):
                raise PydanticCustomError("climate", "{f} needs 12 monthly values", {"f": field})
        if getattr(self.diurnal_range.magnitude, "shape", ()) not in ((), (12,)):
            raise PydanticCustomError("climate", "diurnal_range needs one value or 12 monthly values", {})
        if (self.monthly_wet_bulb.magnitude > self.monthly_dry_bulb.magnitude + 1e-9).any():
            raise PydanticCustomError("climate", "a monthly wet bulb is above its dry bulb", {})
        if self.design_wet_bulb.magnitude > self.design_dry_bulb.magnitude + 1e-9:
            raise PydanticCustomError("climate", "design_wet_bulb is above design_dry_bulb", {})
        return self


class Fluid(Entry):
    """A heat-transfer fluid's properties near operating temperature."""

    kind: ClassVar[str] = "fluid"

    specific_heat: SourcedSpecificHeat
    density: SourcedDensity


class Defaults(Entry):
    """Planning defaults used when a scenario or CLI flag does not say otherwise."""

    kind: ClassVar[str] = "defaults"

    air_delta_t: SourcedTemperatureDifference
    liquid_delta_t: SourcedTemperatureDifference
    liquid_fluid: Id = Field(pattern=ID_PATTERN)
    slab_rating: SourcedFloorLoad
    cold_aisle_width: SourcedLength
    hot_aisle_width: SourcedLength
    whitespace_factor: SourcedMultiplier = Field(description="gross whitespace over net row area")
    racks_per_row: SourcedCount
    power_chain: Id = Field(pattern=ID_PATTERN)
    lighting_misc_fraction: SourcedFraction = Field(description="lighting and misc kW per kW IT")
    it_life: SourcedYears
    facility_life: SourcedYears
    water_per_energy_dry: SourcedWaterIntensity | None = None
    # training power swings and their mitigation (models.swing)
    swing_period: SourcedSeconds | None = Field(default=None, description="for systems that give none")
    swing_trough_share: SourcedFraction | None = Field(default=None, description="share of time in the low phase")
    battery_power_capex: SourcedMoneyPerPower | None = Field(default=None, description="facility battery, per kW")
    battery_energy_capex: SourcedMoneyPerEnergy | None = Field(default=None, description="facility battery, per kWh")
    battery_min_duration: SourcedDuration | None = Field(default=None, description="kWh per kW (C-rate limit)")
    critical_capacity_share: SourcedFraction | None = Field(
        default=None,
        description="share of construction cost that is electrical/mechanical plant (counted bottom-up instead)",
    )


KINDS: dict[str, type[Entry]] = {
    cls.kind: cls
    for cls in (
        Chip,
        System,
        Cooling,
        Plant,
        Transformer,
        Ups,
        Busway,
        RackPdu,
        Generator,
        PowerChain,
        Site,
        Fluid,
        Defaults,
        Efficiency,
        Goodput,
        Claim,
        LeadTime,
        RackSlot,
        Fabric,
        Storage,
        PrimeMover,
    )
}

#: System fields only a plan over periods reads (issue 14's roadmap: availability windows,
#: refresh at end of life): a single-period plan does not list them among the figures it used.
ROADMAP_FIELDS: frozenset[str] = frozenset({"available_from", "available_until", "it_life"})

#: The groups `dcplan catalog list --kind` accepts, mapped to entry kinds.
KIND_GROUPS: dict[str, tuple[str, ...]] = {
    "systems": ("system", "chip"),
    "cooling": ("cooling", "plant", "fluid"),
    "power": ("power_chain", "transformer", "ups", "busway", "rack_pdu", "generator", "prime_mover"),
    "sites": ("site",),
    "defaults": ("defaults",),
    "performance": ("efficiency", "goodput", "claim"),
    "lead-times": ("lead_time",),
    "slots": ("rack_slot",),
    "fabric": ("fabric", "storage"),
}

__all__ = [
    "ID_MAX_LENGTH",
    "ID_PATTERN",
    "ID_RE",
    "KINDS",
    "KIND_GROUPS",
    "ROADMAP_FIELDS",
    "Busway",
    "Chip",
    "Claim",
    "Cooling",
    "CoolingKind",
    "Defaults",
    "Efficiency",
    "Entry",
    "Fabric",
    "Fluid",
    "Generator",
    "Goodput",
    "GoodputPoint",
    "Id",
    "LeadTime",
    "LinkClass",
    "Operator",
    "Plant",
    "PowerChain",
    "Precision",
    "PrimeMover",
    "RackPdu",
    "RackSlot",
    "Redundancy",
    "Site",
    "SourcedArea",
    "SourcedDate",
    "Status",
    "Storage",
    "System",
    "Transformer",
    "Ups",
    "check_id",
]
