"""Sizing: "N units of system S on cooling C at site X" -> one result with units.

Two layers:

- ``unit_coefficients`` turns catalog entries and options into plain-float, per-unit
  coefficients in canonical units (kW, kg, m**2, USD, ...). They are linear in the number
  of units and are what the optimiser's formulation reads.
- ``size`` applies them to a count (or to a power or rack budget), adds the whole-number
  equipment counts (PDUs, busway runs, UPS modules, transformers, generators, CDUs, CRAHs,
  rear doors), checks every limit, and returns a ``SizingResult`` of pint quantities.

Power bases are named: feeds, UPS, cooling plant and generators are sized on the
*provisioning* basis (``design`` by default); energy uses power at the utilisation on the
``typical`` (busy) curve: ``P(u) = P_idle + (P_typical - P_idle) * u``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from dcplan.models import climate, energy, equipment, power, space, thermal
from dcplan.models.availability import deployable_at
from dcplan.models.catalog import Catalog, Cooling, Plant, PowerChain, Site, System
from dcplan.models.catalog.schema import Redundancy
from dcplan.models.errors import DcplanError
from dcplan.models.units import (
    Area,
    CarbonIntensity,
    Compute,
    Energy,
    FloorLoad,
    Mass,
    MassFlow,
    Money,
    Power,
    Temperature,
    TemperatureDifference,
    Volume,
    VolumeFlow,
    qty,
)

ProvisioningBasis = Literal["nameplate", "design", "typical"]
Precision = Literal["bf16", "fp8", "fp4"]


class SizingError(DcplanError, ValueError):
    """An impossible sizing request (unsupported cooling, bad utilisation, ...); one line."""


#: Most deployment units (and racks) one sizing request may ask for: a million units is
#: ~100M chips, hundreds of GW, far beyond any campus; beyond it the row layout alone
#: would be millions of entries (``--count 1e12`` was a MemoryError). Sizing at the bound
#: takes well under a second.
MAX_SIZING_UNITS = 1_000_000
MAX_SIZING_RACKS = 2_000_000
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


@dataclass(frozen=True)
class PlantLoop:
    """Per-kW-of-heat coefficients of one water loop and its heat-rejection plant."""

    supply_c: float
    delta_t_k: float
    design_kw_per_kw: float  # chiller + rejection fans on the design day
    annual_kw_per_kw: float  # yearly mean of the same
    free_cooling_hours: float  # hours with the chiller off
    partial_hours: float  # hours with part economiser
    water_l_per_kwh: float  # evaporation + blowdown per kWh rejected
    design_chiller_kw_per_kw: float
    annual_chiller_kw_per_kw: float


@dataclass(frozen=True)
class UnitCoefficients:
    """Plain-float figures per deployment unit (canonical units), linear in unit count."""

    system_id: str
    cooling_id: str
    site_id: str
    plant_id: str
    power_chain_id: str
    redundancy: str
    provisioning: str
    utilisation: float
    chips: int
    racks: float  # racks per unit (servers: 1 / units per rack)
    units_per_rack: int  # server packing (1 for rack-scale / ultraserver)
    packing_limited_by: str
    rack_kw: float  # provisioning-basis kW per rack
    it_provisioned_kw: float
    it_design_kw: float
    it_typical_kw: float
    it_average_kw: float
    it_idle_kw: float
    it_nameplate_kw: float
    transient_peak_kw: float
    psu_loss_kw: float
    liquid_kw: float  # provisioned heat to liquid at the rack
    air_kw: float  # provisioned heat leaving the rack in air
    liquid_loop_kw: float  # provisioned heat on the facility-water loop
    air_loop_kw: float  # provisioned heat on the chilled-water (CRAH) loop
    room_air_kw: float  # heat CRAHs must remove from the white space
    fan_kw: float  # room fans at provisioned load
    pump_kw: float
    electrical_loss_design_kw: float
    electrical_loss_average_kw: float
    cooling_design_kw: float  # chiller + rejection fans + room fans + pumps, design day
    cooling_annual_kw: float  # yearly mean at average load
    misc_kw: float
    facility_design_kw: float
    facility_average_kw: float
    water_l_per_year: float
    rack_mass_kg: float
    footprint_m2: float  # per rack
    net_area_m2: float  # per rack, with aisles
    gross_area_m2: float  # per rack, whitespace factor applied
    capex_it_usd: float
    capex_cooling_usd: float
    capex_electrical_per_unit_usd: float  # per-kW part of electrical capex (counts added in size())
    capex_building_usd: float
    energy_price_usd_kwh: float
    carbon_kg_kwh: float
    tflops: dict[str, float] = field(default_factory=dict)  # peak dense per unit by precision
    liquid_fraction: float = 0.0

    def compute_tflops(self, precision: str) -> float:
        return self.tflops.get(precision, 0.0)


def _check_supported(system: System, cooling: Cooling) -> None:
    if cooling.id not in system.cooling:
        needs = "liquid" if system.liquid_capture_fraction.magnitude > 0 else "air"
        raise SizingError(
            f"{system.id} cannot be cooled by {cooling.id} ({cooling.type}); it needs {needs} cooling, "
            f"supported: {', '.join(system.cooling)}"
        )


def _liquid_supply_c(options: SizingOptions, cooling: Cooling) -> float:
    """Facility-water supply [degC]: the option, else the cooling's liquid supply, else its chilled water.

    ``is None`` tests, not ``or``: a temperature quantity (offset unit) has no truth value in pint.
    """
    if options.liquid_supply_temp is not None:
        return float(options.liquid_supply_temp.magnitude)
    return float((cooling.liquid_supply_temp or cooling.chilled_water_temp).magnitude)


def _chilled_water_c(options: SizingOptions, cooling: Cooling) -> float:
    """Chilled-water supply for CRAHs [degC]: the option, else the cooling's value."""
    if options.chilled_water_temp is not None:
        return float(options.chilled_water_temp.magnitude)
    return float(cooling.chilled_water_temp.magnitude)


def provisioned_unit_kw(system: System, basis: ProvisioningBasis) -> float:
    """Per-unit power on the provisioning basis [kW]; nameplate falls back to design."""
    if basis == "nameplate":
        return float((system.nameplate_power or system.design_power).magnitude)
    if basis == "typical":
        return float(system.typical_power.magnitude)
    return float(system.design_power.magnitude)


def server_packing(system: System, cooling: Cooling, unit_kw: float) -> tuple[int, str]:
    """Servers per rack: the least of the packing limit, rack height and cooling's rack power.

    ``n = min(n_max, floor(H_rack / h_unit), floor(P_rack,max / P_unit))``; returns (n, reason).
    """
    assert system.max_units_per_rack and system.unit_height and system.rack_height
    limits = {
        "packing limit": int(system.max_units_per_rack.value),
        "rack height": math.floor(system.rack_height.magnitude / system.unit_height.magnitude + 1e-9),
        "cooling rack power": math.floor(cooling.max_rack_power.magnitude / unit_kw + 1e-9),
    }
    reason = min(limits, key=lambda k: limits[k])
    return max(limits[reason], 1), reason


def plant_loop(plant: Plant, site: Site, supply_c: float, delta_t_k: float) -> PlantLoop:
    """Per-kW coefficients of a loop at ``supply_c`` rejected by ``plant`` at ``site``.

    Evaluates the typical-year hourly profile once per distinct input (cached on values,
    not object identity, so an overriding user entry never reuses a stale result).
    """
    tower = plant.type == "cooling-tower"
    return _plant_loop_cached(
        tower,
        tuple(np.asarray(site.monthly_dry_bulb.magnitude, dtype=float).tolist()),
        tuple(np.asarray(site.monthly_wet_bulb.magnitude, dtype=float).tolist()),
        tuple(np.atleast_1d(np.asarray(site.diurnal_range.magnitude, dtype=float)).tolist()),
        float(site.design_wet_bulb.magnitude if tower else site.design_dry_bulb.magnitude),
        float(plant.approach.magnitude),
        float(plant.evaporator_approach.magnitude),
        float(plant.condenser_approach.magnitude),
        float(plant.carnot_fraction.magnitude),
        float(plant.cop_max.magnitude) if plant.cop_max else 12.0,
        float(plant.fan_power_fraction.magnitude),
        float(plant.evaporated_fraction.magnitude),
        float(plant.cycles_of_concentration.magnitude) if plant.cycles_of_concentration else 0.0,
        float(supply_c),
        float(delta_t_k),
    )


@lru_cache(maxsize=512)
def _plant_loop_cached(
    tower: bool,
    monthly_dry: tuple[float, ...],
    monthly_wet: tuple[float, ...],
    diurnal: tuple[float, ...],
    design_sink: float,
    approach_k: float,
    evaporator_approach_k: float,
    condenser_approach_k: float,
    carnot_fraction: float,
    cop_max: float,
    fan_fraction: float,
    evaporated_fraction: float,
    cycles: float,
    supply_c: float,
    delta_t_k: float,
) -> PlantLoop:
    dry, wet = climate.hourly_profile(np.array(monthly_dry), np.array(monthly_wet), np.array(diurnal))
    sink = wet if tower else dry
    args = {
        "approach_k": approach_k,
        "evaporator_approach_k": evaporator_approach_k,
        "condenser_approach_k": condenser_approach_k,
        "carnot_fraction": carnot_fraction,
        "cop_max": cop_max,
        "rejection_fan_fraction": fan_fraction,
    }
    chiller, fans, free = thermal.plant_power_kw(1.0, sink, supply_c, delta_t_k, **args)
    d_chiller, d_fans, _ = thermal.plant_power_kw(1.0, design_sink, supply_c, delta_t_k, **args)
    rejected_kwh = 1.0 + chiller  # heat plus compressor work, per kWh of load
    evaporated = thermal.evaporated_water_l(rejected_kwh, evaporated_fraction)
    water = evaporated + thermal.blowdown_water_l(evaporated, cycles)
    return PlantLoop(
        supply_c=supply_c,
        delta_t_k=delta_t_k,
        design_kw_per_kw=float(d_chiller + d_fans),
        annual_kw_per_kw=float(np.mean(chiller + fans)),
        free_cooling_hours=float(np.sum(free >= 1.0 - 1e-12)),
        partial_hours=float(np.sum((free > 1e-12) & (free < 1.0 - 1e-12))),
        water_l_per_kwh=float(np.mean(water)),
        design_chiller_kw_per_kw=float(d_chiller),
        annual_chiller_kw_per_kw=float(np.mean(chiller)),
    )


def _chain_efficiency(
    chain: PowerChain, catalog: Catalog, redundancy: str, load_fraction: float
) -> tuple[float, float, float]:
    """(distribution, UPS, transformer) efficiencies at a module load fraction."""
    ups = catalog.ups(chain.ups)
    transformer = catalog.transformer(chain.transformer)
    return (
        float(chain.distribution_efficiency.magnitude),
        float(ups.efficiency.at(load_fraction)),  # type: ignore[attr-defined]
        float(transformer.efficiency.at(load_fraction)),  # type: ignore[attr-defined]
    )


def _loss_kw(it_kw: float, eta_dist: float, eta_ups: float, eta_xfmr: float) -> float:
    _, _, upstream = power.chain_input_kw(it_kw, eta_dist, eta_ups, eta_xfmr)
    return float(upstream) - it_kw


def unit_coefficients(
    catalog: Catalog, system_id: str, cooling_id: str, site_id: str, options: SizingOptions | None = None
) -> UnitCoefficients:
    """Per-unit coefficients for a (system, cooling, site) under ``options``."""
    options = options or SizingOptions()
    system = catalog.system(system_id)
    cooling = catalog.cooling(cooling_id)
    site = catalog.site(site_id)
    _check_supported(system, cooling)
    defaults = catalog.defaults
    chain = catalog.power_chain(options.power_chain or defaults.power_chain)
    redundancy = options.redundancy or chain.redundancy
    plant = catalog.plant(options.plant or cooling.plant)
    catalog.fluid(options.fluid or defaults.liquid_fluid)
    catalog.fluid("air")

    unit_kw = provisioned_unit_kw(system, options.provisioning)
    if options.provisioning == "typical":
        unit_kw = min(unit_kw * options.typical_headroom, float(system.design_power.magnitude))
    fabric_kw = float(system.fabric_power.magnitude) if system.fabric_power else 0.0
    design_kw = float(system.design_power.magnitude)
    typical_kw = float(system.typical_power.magnitude)
    idle_kw = float(system.idle_power.magnitude)
    average_kw = float(power.power_at_utilisation_kw(idle_kw, typical_kw, options.utilisation))

    if system.form == "server":
        per_rack, limited_by = server_packing(system, cooling, unit_kw)
        racks = 1.0 / per_rack
        assert system.rack_shell_weight is not None
        rack_mass = per_rack * float(system.weight.magnitude) + float(system.rack_shell_weight.magnitude)
    else:
        assert system.racks_per_unit is not None
        per_rack, limited_by = 1, "deployment unit"
        racks = float(system.racks_per_unit.value)
        rack_mass = float(system.weight.magnitude) / racks
    rack_kw = unit_kw / racks

    provisioned = unit_kw + fabric_kw
    f_liquid = float(thermal.liquid_fraction(cooling.type, system.liquid_capture_fraction.magnitude))
    liquid_kw, air_kw = (float(x) for x in thermal.split_heat_kw(provisioned, f_liquid))
    if cooling.type == "dlc-l2a":  # liquid heat rejected into the room by row units
        liquid_loop, air_loop, room_air = 0.0, provisioned, provisioned
    elif cooling.type == "rdhx":  # rear doors take the air heat on facility water
        liquid_loop, air_loop, room_air = provisioned, 0.0, 0.0
    else:
        liquid_loop, air_loop, room_air = liquid_kw, air_kw, air_kw

    liquid_supply = _liquid_supply_c(options, cooling)
    chw_supply = _chilled_water_c(options, cooling)
    liquid_dt = float((options.liquid_delta_t or defaults.liquid_delta_t).magnitude)
    loop_l = plant_loop(plant, site, liquid_supply, liquid_dt)
    loop_a = plant_loop(plant, site, chw_supply, liquid_dt)

    # Electrical: efficiencies at the normal-operation module loading of the topology: the
    # share of the load one system carries over the share it is rated for (DR systems are
    # rated for half the load and carry a third, so they run at 2/3; 2N sides run at 1/2).
    share = power.active_share(redundancy) / (0.5 if redundancy == "DR" else 1.0)  # type: ignore[arg-type]
    eta_d, eta_u, eta_x = _chain_efficiency(chain, catalog, redundancy, share)
    loss_design = _loss_kw(provisioned, eta_d, eta_u, eta_x)
    avg_it = average_kw + fabric_kw
    avg_fraction = share * avg_it / provisioned if provisioned > 0 else 0.0
    eta_d2, eta_u2, eta_x2 = _chain_efficiency(chain, catalog, redundancy, avg_fraction)
    loss_average = _loss_kw(avg_it, eta_d2, eta_u2, eta_x2)

    # fans move the air-path heat: room air for CRAHs; on rear doors the door fans move the rack air
    fan_kw = float(cooling.fan_power_fraction.magnitude) * (air_kw if cooling.type == "rdhx" else room_air)
    pump_kw = float(cooling.pump_power_fraction.magnitude) * (liquid_kw if cooling.takes_liquid else liquid_loop)
    # electrical-room losses are cooled on the chilled-water loop
    cooling_design = (
        loop_l.design_kw_per_kw * liquid_loop + loop_a.design_kw_per_kw * (air_loop + loss_design) + fan_kw + pump_kw
    )
    scale = avg_it / provisioned if provisioned > 0 else 0.0
    cooling_annual = (
        loop_l.annual_kw_per_kw * liquid_loop * scale
        + loop_a.annual_kw_per_kw * (air_loop * scale + loss_average)
        + (fan_kw + pump_kw) * scale
    )
    misc_fraction = float(defaults.lighting_misc_fraction.magnitude)
    misc_kw = misc_fraction * provisioned
    facility_design = provisioned + loss_design + cooling_design + misc_kw
    facility_average = avg_it + loss_average + cooling_annual + misc_fraction * avg_it
    hours = energy.HOURS_PER_YEAR
    water = (
        loop_l.water_l_per_kwh * liquid_loop * scale + loop_a.water_l_per_kwh * (air_loop * scale + loss_average)
    ) * hours

    width = float(system.rack_width.magnitude)
    depth = float(system.rack_depth.magnitude)
    footprint = float(space.footprint_m2(width, depth))
    net = float(
        space.net_area_per_rack_m2(
            width, depth, defaults.cold_aisle_width.magnitude, defaults.hot_aisle_width.magnitude
        )
    )
    gross = net * float(defaults.whitespace_factor.magnitude)

    chip = catalog.chip(system.chip)
    chips = int(system.chips_per_unit.value)
    tflops = {"bf16": chips * float(chip.bf16_dense.magnitude), "fp8": chips * float(chip.fp8_dense.magnitude)}
    if chip.fp4_dense is not None:
        tflops["fp4"] = chips * float(chip.fp4_dense.magnitude)

    capex_it = float(system.capex.magnitude) if system.capex else 0.0
    rejected_design = liquid_loop + air_loop + loss_design + cooling_design
    capex_cooling = (
        float(cooling.capex_per_kw.magnitude) * provisioned + float(plant.capex_per_kw.magnitude) * rejected_design
    )
    capex_elec_kw = (
        float(chain.electrical_capex_per_kw.magnitude) * provisioned if chain.electrical_capex_per_kw else 0.0
    )
    capex_building = 0.0
    if site.construction_cost_per_kw is not None:
        critical = float(defaults.critical_capacity_share.magnitude) if defaults.critical_capacity_share else 0.0
        capex_building = float(site.construction_cost_per_kw.magnitude) * provisioned * (1.0 - critical)

    return UnitCoefficients(
        system_id=system.id,
        cooling_id=cooling.id,
        site_id=site.id,
        plant_id=plant.id,
        power_chain_id=chain.id,
        redundancy=redundancy,
        provisioning=options.provisioning,
        utilisation=options.utilisation,
        chips=chips,
        racks=racks,
        units_per_rack=per_rack,
        packing_limited_by=limited_by,
        rack_kw=rack_kw,
        it_provisioned_kw=provisioned,
        it_design_kw=design_kw + fabric_kw,
        it_typical_kw=typical_kw + fabric_kw,
        it_average_kw=avg_it,
        it_idle_kw=idle_kw + fabric_kw,
        it_nameplate_kw=provisioned_unit_kw(system, "nameplate") + fabric_kw,
        transient_peak_kw=float(power.transient_peak_kw(design_kw, system.transient_headroom.magnitude)) + fabric_kw,
        psu_loss_kw=float(power.psu_loss_kw(provisioned, system.psu_efficiency.magnitude)),
        liquid_kw=liquid_kw,
        air_kw=air_kw,
        liquid_loop_kw=liquid_loop,
        air_loop_kw=air_loop,
        room_air_kw=room_air,
        fan_kw=fan_kw,
        pump_kw=pump_kw,
        electrical_loss_design_kw=loss_design,
        electrical_loss_average_kw=loss_average,
        cooling_design_kw=cooling_design,
        cooling_annual_kw=cooling_annual,
        misc_kw=misc_kw,
        facility_design_kw=facility_design,
        facility_average_kw=facility_average,
        water_l_per_year=water,
        rack_mass_kg=rack_mass,
        footprint_m2=footprint,
        net_area_m2=net,
        gross_area_m2=gross,
        capex_it_usd=capex_it,
        capex_cooling_usd=capex_cooling,
        capex_electrical_per_unit_usd=capex_elec_kw,
        capex_building_usd=capex_building,
        energy_price_usd_kwh=float(site.electricity_price.magnitude),
        carbon_kg_kwh=float(site.grid_carbon_intensity.magnitude),
        tflops=tflops,
        liquid_fraction=f_liquid,
    )


# --------------------------------------------------------------------------------------
# Results


class LimitCheck(BaseModel):
    """One limit: the value, what is allowed, and by how much it is exceeded (margin > 0)."""

    model_config = ConfigDict(frozen=True)

    limit: str
    value: float
    allowed: float
    unit: str
    ok: bool
    message: str

    @property
    def margin(self) -> float:
        return self.value - self.allowed

    @property
    def utilisation(self) -> float:
        return self.value / self.allowed if self.allowed else math.inf


def _fmt(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.3g}"


def check_limit(limit: str, value: float, allowed: float, unit: str, what: str, against: str) -> LimitCheck:
    """Build a LimitCheck; the message reads "<value> <what> exceeds <against> by <margin>"."""
    ok = value <= allowed * (1 + 1e-9)
    if ok:
        message = f"{_fmt(value)} {unit} {what} is within {against} ({_fmt(allowed)} {unit})"
    else:
        message = (
            f"{_fmt(value)} {unit} {what} exceeds {against} of {_fmt(allowed)} {unit} by {_fmt(value - allowed)} {unit}"
        )
    return LimitCheck(limit=limit, value=value, allowed=allowed, unit=unit, ok=ok, message=message)


class EquipmentLine(BaseModel):
    """An equipment class: count installed, capacity each, and installed vs used capacity."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    item: str
    catalog_id: str | None
    count: int
    unit_capacity: float
    capacity_unit: str
    installed: float
    used: float
    capex_usd: float

    @property
    def utilisation(self) -> float:
        return self.used / self.installed if self.installed else 0.0


class SizingResult(BaseModel):
    """Everything about N units of a system on a cooling architecture at a site."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    system: str
    cooling: str
    site: str
    plant: str
    power_chain: str
    redundancy: str
    provisioning_basis: str = Field(description="power basis for feeds, UPS and cooling")
    energy_basis: str = Field(description="power basis for energy and opex")
    utilisation: float
    units: int
    chips: int
    racks: int
    units_per_rack: int
    packing_limited_by: str
    rows: int
    racks_per_row: int
    rack_power: Power
    it_power_provisioned: Power
    it_power_design: Power
    it_power_typical: Power
    it_power_average: Power
    it_power_idle: Power
    transient_peak: Power
    psu_loss: Power
    heat_to_liquid: Power
    heat_to_air: Power
    liquid_fraction: float
    airflow: VolumeFlow
    airflow_cfm: float
    air_delta_t: TemperatureDifference
    coolant_flow: VolumeFlow
    coolant_mass_flow: MassFlow
    coolant: str
    liquid_delta_t: TemperatureDifference
    liquid_supply_temp: Temperature
    electrical_losses_design: Power
    electrical_losses_average: Power
    cooling_power_design: Power
    cooling_power_average: Power
    misc_power: Power
    facility_power_design: Power
    facility_power_average: Power
    pue_design: float
    pue_annual: float
    ppue_cooling: float
    free_cooling_hours: float
    equipment: list[EquipmentLine]
    footprint_area: Area
    whitespace_net: Area
    whitespace_gross: Area
    floor_load_footprint: FloorLoad
    floor_load_average: FloorLoad
    slab_rating: FloorLoad
    rack_mass: Mass
    it_energy: Energy
    facility_energy: Energy
    energy_cost: Money
    carbon: Mass
    carbon_intensity: CarbonIntensity
    water: Volume
    wue: float = Field(description="site water per IT energy, L/kWh")
    capex_it: Money
    capex_cooling: Money
    capex_electrical: Money
    capex_building: Money
    capex_total: Money
    compute_bf16: Compute
    compute_fp8: Compute
    compute_fp4: Compute | None
    checks: list[LimitCheck]
    warnings: list[str] = Field(default_factory=list, description="why this cannot be built as asked (availability)")

    @property
    def violations(self) -> list[LimitCheck]:
        return [check for check in self.checks if not check.ok]

    def to_json(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["violations"] = [c.model_dump() for c in self.violations]
        for line in data["equipment"]:
            line["utilisation"] = (line["used"] / line["installed"]) if line["installed"] else 0.0
        return data


class SizingRequest(BaseModel):
    """What to size: exactly one of ``count``, ``it_power`` (fill this power) or ``racks``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    system: str
    cooling: str
    site: str
    count: int | None = Field(default=None, gt=0, le=MAX_SIZING_UNITS)
    it_power: Power | None = None
    racks: int | None = Field(default=None, gt=0, le=MAX_SIZING_RACKS)

    @model_validator(mode="after")
    def _one_target(self) -> SizingRequest:
        given = [name for name in ("count", "it_power", "racks") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of count, it_power (power) or racks")
        return self


def units_for_target(coeff: UnitCoefficients, request: SizingRequest) -> int:
    """Deployment units for the request: the count, or as many as fit the power or racks."""
    if request.count is not None:
        return request.count
    if request.it_power is not None:
        target_kw = float(request.it_power.to("kW").magnitude)
        ratio = target_kw / coeff.it_provisioned_kw
        if not math.isfinite(ratio) or ratio > MAX_SIZING_UNITS:
            raise SizingError(
                f"{_fmt(target_kw)} kW is more than {MAX_SIZING_UNITS:,} {coeff.system_id} units, "
                "dcplan's bound for one sizing request",
                field="it_power",
                expected=f"at most {MAX_SIZING_UNITS:,} units",
            )
        units = math.floor(ratio + 1e-9)
        if units < 1:
            raise SizingError(
                f"{_fmt(target_kw)} kW is less than one {coeff.system_id} unit ({_fmt(coeff.it_provisioned_kw)} kW)"
            )
        return units
    assert request.racks is not None
    units = math.floor(request.racks / coeff.racks + 1e-9)
    if units < 1:
        raise SizingError(f"{request.racks} racks cannot hold one {coeff.system_id} unit ({coeff.racks:g} racks)")
    return units


def _row_layout(racks: int, usable_per_row: int) -> list[int]:
    full, rest = divmod(racks, usable_per_row)
    return [usable_per_row] * full + ([rest] if rest else [])


def size(catalog: Catalog, request: SizingRequest, options: SizingOptions | None = None) -> SizingResult:
    """Size ``request`` and check every limit; raises SizingError for impossible requests."""
    options = options or SizingOptions()
    coeff = unit_coefficients(catalog, request.system, request.cooling, request.site, options)
    units = units_for_target(coeff, request)
    system = catalog.system(request.system)
    cooling = catalog.cooling(request.cooling)
    defaults = catalog.defaults
    chain = catalog.power_chain(coeff.power_chain_id)
    fluid = catalog.fluid(options.fluid or defaults.liquid_fluid)
    air = catalog.fluid("air")
    n = float(units)

    racks = math.ceil(units * coeff.racks - 1e-9)
    racks_per_unit = 1 if system.form == "server" else int(coeff.racks)
    per_row = options.racks_per_row or int(defaults.racks_per_row.value)
    usable_per_row = space.racks_per_row_for_unit(per_row, racks_per_unit)
    if usable_per_row < 1:
        raise SizingError(f"a row of {per_row} racks cannot hold one {system.id} unit of {racks_per_unit} racks")
    row_racks = _row_layout(racks, usable_per_row)

    it_kw = coeff.it_provisioned_kw * n
    # Server racks carry whole servers; the last rack may be part full.
    rack_kw = coeff.rack_kw
    liquid_kw = coeff.liquid_kw * n
    air_kw = coeff.air_kw * n
    air_dt = float((options.air_delta_t or defaults.air_delta_t).magnitude)
    liquid_dt = float((options.liquid_delta_t or defaults.liquid_delta_t).magnitude)
    airflow = float(thermal.air_volume_flow_m3_s(air_kw, air_dt, air.density.magnitude, air.specific_heat.magnitude))
    coolant_kw = coeff.liquid_kw * n if cooling.takes_liquid else coeff.liquid_loop_kw * n
    coolant_l_min = float(
        thermal.coolant_volume_flow_l_min(coolant_kw, liquid_dt, fluid.specific_heat.magnitude, fluid.density.magnitude)
    )
    coolant_kg_s = float(thermal.coolant_mass_flow_kg_s(coolant_kw, liquid_dt, fluid.specific_heat.magnitude))

    equipment, checks = _equipment_and_checks(catalog, chain, cooling, coeff, units, racks, row_racks, rack_kw)

    cooling_design = coeff.cooling_design_kw * n
    loss_design = coeff.electrical_loss_design_kw * n
    misc = coeff.misc_kw * n
    facility_design = coeff.facility_design_kw * n
    hours = energy.HOURS_PER_YEAR
    it_energy = float(energy.annual_energy_kwh(coeff.it_average_kw * n, hours))
    facility_energy = float(energy.annual_energy_kwh(coeff.facility_average_kw * n, hours))
    water_l = coeff.water_l_per_year * n
    slab = options.slab_rating or defaults.slab_rating.value
    slab_kg_m2 = float(slab.to("kg/m**2").magnitude)
    footprint_load = coeff.rack_mass_kg / coeff.footprint_m2
    average_load = coeff.rack_mass_kg / coeff.net_area_m2

    checks.insert(
        0,
        check_limit(
            "rack power vs cooling",
            rack_kw,
            float(cooling.max_rack_power.magnitude),
            "kW",
            "per rack",
            f"{cooling.name}'s limit",
        ),
    )
    checks.append(
        check_limit(
            "floor load (rack footprint) vs slab",
            footprint_load,
            slab_kg_m2,
            "kg/m2",
            "over the rack footprint",
            "the slab rating",
        )
    )
    if cooling.takes_liquid and system.coolant_inlet_max is not None:
        supply = _liquid_supply_c(options, cooling)
        checks.append(
            check_limit(
                "coolant supply vs system inlet",
                supply,
                float(system.coolant_inlet_max.magnitude),
                "degC",
                "coolant supply",
                f"{system.id}'s maximum inlet",
            )
        )

    capex_electrical = sum(line.capex_usd for line in equipment) + coeff.capex_electrical_per_unit_usd * n
    capex_it = coeff.capex_it_usd * n
    capex_cooling = coeff.capex_cooling_usd * n
    capex_building = coeff.capex_building_usd * n
    loop_free = plant_loop(
        catalog.plant(coeff.plant_id),
        catalog.site(request.site),
        _liquid_supply_c(options, cooling),
        liquid_dt,
    ).free_cooling_hours
    pue_annual = coeff.facility_average_kw / coeff.it_average_kw if coeff.it_average_kw else math.nan
    ppue = (coeff.it_average_kw + coeff.cooling_annual_kw) / coeff.it_average_kw if coeff.it_average_kw else math.nan

    # Every field is built here in its canonical unit, so validation is skipped (it costs
    # ~3 ms per result and the sizer recomputes on each keystroke).
    return SizingResult.model_construct(
        system=system.id,
        cooling=cooling.id,
        site=request.site,
        plant=coeff.plant_id,
        power_chain=chain.id,
        redundancy=coeff.redundancy,
        provisioning_basis=coeff.provisioning,
        energy_basis=f"typical at utilisation {coeff.utilisation:g}",
        utilisation=coeff.utilisation,
        units=units,
        chips=coeff.chips * units,
        racks=racks,
        units_per_rack=coeff.units_per_rack,
        packing_limited_by=coeff.packing_limited_by,
        rows=len(row_racks),
        racks_per_row=usable_per_row,
        rack_power=qty(rack_kw, "kW"),
        it_power_provisioned=qty(it_kw, "kW"),
        it_power_design=qty(coeff.it_design_kw * n, "kW"),
        it_power_typical=qty(coeff.it_typical_kw * n, "kW"),
        it_power_average=qty(coeff.it_average_kw * n, "kW"),
        it_power_idle=qty(coeff.it_idle_kw * n, "kW"),
        transient_peak=qty(coeff.transient_peak_kw * n, "kW"),
        psu_loss=qty(coeff.psu_loss_kw * n, "kW"),
        heat_to_liquid=qty(liquid_kw, "kW"),
        heat_to_air=qty(air_kw, "kW"),
        liquid_fraction=coeff.liquid_fraction,
        airflow=qty(airflow * 60_000.0, "L/min"),
        airflow_cfm=airflow * thermal.M3S_TO_CFM,
        air_delta_t=qty(air_dt, "K"),
        coolant_flow=qty(coolant_l_min, "L/min"),
        coolant_mass_flow=qty(coolant_kg_s, "kg/s"),
        coolant=fluid.id,
        liquid_delta_t=qty(liquid_dt, "K"),
        liquid_supply_temp=qty(
            _liquid_supply_c(options, cooling),
            "degC",
        ),
        electrical_losses_design=qty(loss_design, "kW"),
        electrical_losses_average=qty(coeff.electrical_loss_average_kw * n, "kW"),
        cooling_power_design=qty(cooling_design, "kW"),
        cooling_power_average=qty(coeff.cooling_annual_kw * n, "kW"),
        misc_power=qty(misc, "kW"),
        facility_power_design=qty(facility_design, "kW"),
        facility_power_average=qty(coeff.facility_average_kw * n, "kW"),
        pue_design=coeff.facility_design_kw / coeff.it_provisioned_kw,
        pue_annual=pue_annual,
        ppue_cooling=ppue,
        free_cooling_hours=loop_free,
        equipment=equipment,
        footprint_area=qty(coeff.footprint_m2 * racks, "m**2"),
        whitespace_net=qty(coeff.net_area_m2 * racks, "m**2"),
        whitespace_gross=qty(coeff.gross_area_m2 * racks, "m**2"),
        floor_load_footprint=qty(footprint_load, "kg/m**2"),
        floor_load_average=qty(average_load, "kg/m**2"),
        slab_rating=qty(slab_kg_m2, "kg/m**2"),
        rack_mass=qty(coeff.rack_mass_kg, "kg"),
        it_energy=qty(it_energy, "kWh"),
        facility_energy=qty(facility_energy, "kWh"),
        energy_cost=qty(float(energy.energy_cost_usd(facility_energy, coeff.energy_price_usd_kwh)), "USD"),
        carbon=qty(float(energy.carbon_kg(facility_energy, coeff.carbon_kg_kwh)), "kg"),
        carbon_intensity=qty(coeff.carbon_kg_kwh, "kg/kWh"),
        water=qty(water_l, "L"),
        wue=water_l / it_energy if it_energy else 0.0,
        capex_it=qty(capex_it, "USD"),
        capex_cooling=qty(capex_cooling, "USD"),
        capex_electrical=qty(capex_electrical, "USD"),
        capex_building=qty(capex_building, "USD"),
        capex_total=qty(capex_it + capex_cooling + capex_electrical + capex_building, "USD"),
        compute_bf16=qty(coeff.tflops["bf16"] * n, "TFLOPS"),
        compute_fp8=qty(coeff.tflops["fp8"] * n, "TFLOPS"),
        compute_fp4=qty(coeff.tflops["fp4"] * n, "TFLOPS") if "fp4" in coeff.tflops else None,
        checks=checks,
        warnings=[reason for reason in (deployable_at(system, catalog.site(request.site)),) if reason],
    )


def _line(tally: equipment.Tally) -> EquipmentLine:
    return EquipmentLine.model_construct(
        item=tally.item,
        catalog_id=tally.catalog_id,
        count=tally.count,
        unit_capacity=tally.unit_capacity,
        capacity_unit=tally.capacity_unit,
        installed=tally.installed,
        used=tally.used,
        capex_usd=tally.capex_usd,
    )


def _equipment_and_checks(
    catalog: Catalog,
    chain: PowerChain,
    cooling: Cooling,
    coeff: UnitCoefficients,
    units: int,
    racks: int,
    row_racks: list[int],
    rack_kw: float,
) -> tuple[list[EquipmentLine], list[LimitCheck]]:
    """Whole-number equipment counts for the electrical chain and the room cooling."""
    redundancy = coeff.redundancy
    feeds = power.feeds_per_rack(redundancy)  # type: ignore[arg-type]
    pdu = catalog.rack_pdu(chain.rack_pdu)
    busway = catalog.busway(chain.busway)
    tallies = list(
        equipment.rack_pdus_and_tap_offs(pdu, busway, chain, rack_kw, racks, feeds, used_kw=rack_kw * racks)  # type: ignore[arg-type]
    )
    checks = [
        check_limit(
            "rack PDU vs busway tap-off",
            float(pdu.current.magnitude),  # type: ignore[attr-defined]
            float(busway.tap_off_current.magnitude),  # type: ignore[attr-defined]
            "A",
            "rack PDU rating",
            "the busway tap-off rating",
        )
    ]
    # sizing lays rows out itself, so it needs as many runs per feed as each row's power asks
    run_kw = equipment.circuit_kw(busway.voltage, busway.current, chain)  # type: ignore[attr-defined]
    runs = feeds * int(sum(power.units_required(n * rack_kw, run_kw) for n in row_racks))
    tallies.append(
        equipment.Tally(
            "busway runs",
            busway.id,
            runs,
            run_kw,
            "kW continuous",
            rack_kw * racks * feeds,
            runs * float(busway.capex.magnitude),  # type: ignore[attr-defined]
        )
    )
    tallies += equipment.ups_and_transformers(
        catalog.ups(chain.ups),
        catalog.transformer(chain.transformer),
        chain,
        redundancy,
        coeff.it_provisioned_kw * units,
        (coeff.cooling_design_kw + coeff.misc_kw) * units,
    )
    tallies.append(
        equipment.generators(
            catalog.generator(chain.generator),  # type: ignore[arg-type]
            chain.generator_redundancy,
            coeff.facility_design_kw * units,
        )
    )
    tallies += equipment.terminal_units(cooling, coeff.liquid_kw * units, coeff.air_kw * units, racks)
    if cooling.type == "rdhx" and cooling.rdhx_capacity is not None:
        door_kw = float(cooling.rdhx_capacity.magnitude)
        checks.append(
            check_limit("rack heat vs rear door", rack_kw, door_kw, "kW", "per rack", "the rear door's capacity")
        )
    return [_line(t) for t in tallies], checks
