"""Sizing: "N units of system S on cooling C at site X" -> one result with units.

Two layers:

- ``models.coefficients.unit_coefficients`` turns catalog entries and options into
  plain-float, per-unit coefficients in canonical units (kW, kg, m**2, USD, ...). They are
  linear in the number of units and are what the optimiser's formulation reads.
- ``size`` (here) applies them to a count (or to a power or rack budget), lays the racks
  out in rows, adds the whole-number equipment counts (PDUs, busway runs, UPS modules,
  transformers, generators, CDUs, CRAHs, rear doors), checks every limit
  (``models.limits``), and returns a ``SizingResult`` of pint quantities.

The per-unit names (``SizingOptions``, ``unit_coefficients``, ``plant_loop``,
``check_limit``, ...) are re-exported here, so ``from dcplan.models.sizing import X``
serves every caller.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dcplan.models import energy, equipment, power, space, targets, thermal
from dcplan.models.allin import AllInPower, all_in_power
from dcplan.models.availability import deployable_at
from dcplan.models.catalog import Catalog, Cooling, Defaults, Fluid, PowerChain, System
from dcplan.models.coefficients import (
    MAX_SIZING_RACKS,
    MAX_SIZING_UNITS,
    Precision,
    ProvisioningBasis,
    SizingError,
    SizingOptions,
    UnitCoefficients,
    chilled_water_c,
    liquid_delta_t_k,
    liquid_supply_c,
    provisioned_unit_kw,
    server_packing,
    unit_coefficients,
)
from dcplan.models.limits import LimitCheck, check_limit, fmt_figure, rack_power_limit_kw, sizing_limit_checks
from dcplan.models.plant import PlantLoop, plant_loop
from dcplan.models.sizing_options import MAX_RACKS_PER_ROW
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
    ureg,
)

#: parsed once: ``q.to("kg/m**2")`` re-parses the unit text on every call (874 calls, one per
#: sized group, took ~0.3 s of the 10M-chip campus's plan)
_KG_M2 = ureg.Unit("kg/m**2")

__all__ = [
    "MAX_RACKS_PER_ROW",
    "MAX_SIZING_RACKS",
    "MAX_SIZING_UNITS",
    "EquipmentLine",
    "LimitCheck",
    "PlantLoop",
    "Precision",
    "ProvisioningBasis",
    "SizingError",
    "SizingOptions",
    "SizingRequest",
    "SizingResult",
    "UnitCoefficients",
    "check_limit",
    "chilled_water_c",
    "liquid_supply_c",
    "plant_loop",
    "provisioned_unit_kw",
    "server_packing",
    "size",
    "unit_coefficients",
    "units_for_target",
]


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
    pue_basis: str = Field(default="modelled", description="'modelled' (plant model) or 'target input' (--pue)")
    ppue_cooling: float
    free_cooling_hours: float
    chiller_power_design: Power | None = Field(
        default=None, description="compressors on the design day (None: PUE target)"
    )
    chiller_power_average: Power | None = Field(default=None, description="compressors, yearly mean")
    chiller_cop_design: float | None = Field(
        default=None, description="heat the chillers remove / their power, design day"
    )
    chiller_kw_per_ton_design: float | None = Field(default=None, description="3.517 / chiller_cop_design")
    chiller_hours: float | None = Field(default=None, description="hours a year any chiller runs")
    chiller_cop_basis: str = Field(default="modelled against lift", description="rated COP or kW/ton, or modelled")
    ups_sizing_basis: str = Field(default="", description="what the UPS modules are sized on")
    rack_power_limit: Power | None = Field(default=None, description="the rack limit rack power is checked against")
    rack_power_limit_by: str = Field(default="", description="whose rack limit that is")
    equipment: list[EquipmentLine]
    footprint_area: Area
    whitespace_net: Area
    whitespace_gross: Area
    floor_load_footprint: FloorLoad
    floor_load_net_row: FloorLoad | None = Field(default=None, description="rack mass over its net row area (aisles)")
    floor_load_average: FloorLoad = Field(description="rack mass over its gross whitespace area")
    slab_rating: FloorLoad
    rack_mass: Mass
    it_energy: Energy
    facility_energy: Energy
    energy_cost: Money
    carbon: Mass
    carbon_intensity: CarbonIntensity
    water: Volume
    wue: float = Field(description="site water per IT energy, L/kWh")
    water_basis: str = Field(default="modelled", description="where site water comes from (or 'target input')")
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
    swing: dict[str, float] | None = Field(
        default=None, description="training swing figures of `dcplan size` (kW, kWh, USD, s as named; models.swing)"
    )
    all_in: AllInPower | None = Field(default=None, description="kW per accelerator with fabric and storage")

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
                f"{fmt_figure(target_kw)} kW is more than {MAX_SIZING_UNITS:,} {coeff.system_id} units, "
                "dcplan's bound for one sizing request",
                field="it_power",
                expected=f"at most {MAX_SIZING_UNITS:,} units",
            )
        units = math.floor(ratio + 1e-9)
        if units < 1:
            raise SizingError(
                f"{fmt_figure(target_kw)} kW is less than one {coeff.system_id} unit ({fmt_figure(coeff.it_provisioned_kw)} kW)"
            )
        return units
    assert request.racks is not None
    units = math.floor(request.racks / coeff.racks + 1e-9)
    if units < 1:
        raise SizingError(f"{request.racks} racks cannot hold one {coeff.system_id} unit ({coeff.racks:g} racks)")
    return units


# --------------------------------------------------------------------------------------
# The steps of size, one formula each


class RowLayout(NamedTuple):
    """Racks of N units laid out in rows of whole units."""

    racks: int
    racks_per_row: int  # usable positions per row for whole units
    row_racks: list[int]  # racks in each row (the last may be part full)


def row_layout(system: System, coeff: UnitCoefficients, units: int, racks_per_row: int) -> RowLayout:
    """Racks ``R = ceil(N * r)`` in rows of ``floor(p / r_unit) * r_unit`` racks.

    A multi-rack unit cannot straddle rows, so a row uses only whole units' worth of its
    ``p`` positions; servers use every position.
    """
    racks = math.ceil(units * coeff.racks - 1e-9)
    racks_per_unit = 1 if system.form == "server" else int(coeff.racks)
    usable_per_row = space.racks_per_row_for_unit(racks_per_row, racks_per_unit)
    if usable_per_row < 1:
        raise SizingError(f"a row of {racks_per_row} racks cannot hold one {system.id} unit of {racks_per_unit} racks")
    full, rest = divmod(racks, usable_per_row)
    return RowLayout(racks, usable_per_row, [usable_per_row] * full + ([rest] if rest else []))


class Flows(NamedTuple):
    """Air and coolant flow for N units."""

    air_delta_t_k: float
    liquid_delta_t_k: float
    airflow_m3_s: float
    coolant_l_min: float
    coolant_kg_s: float


def air_and_coolant_flows(
    cooling: Cooling,
    coeff: UnitCoefficients,
    n: float,
    options: SizingOptions,
    defaults: Defaults,
    fluids: tuple[Fluid, Fluid],
) -> Flows:
    """Airflow ``V = Q_air / (rho * cp * dT_air)`` [m**3/s] and coolant flow ``m = Q / (cp * dT)``
    [kg/s], ``V = m / rho`` [L/min].

    The coolant carries the rack liquid heat when the cooling takes liquid at the rack,
    else the facility-loop heat (rear doors).
    """
    coolant, air = fluids
    air_dt = float((options.air_delta_t or defaults.air_delta_t).magnitude)
    liquid_dt = liquid_delta_t_k(options, defaults)
    airflow = float(
        thermal.air_volume_flow_m3_s(coeff.air_kw * n, air_dt, air.density.magnitude, air.specific_heat.magnitude)
    )
    coolant_kw = coeff.liquid_kw * n if cooling.takes_liquid else coeff.liquid_loop_kw * n
    cp, rho = coolant.specific_heat.magnitude, coolant.density.magnitude
    return Flows(
        air_delta_t_k=air_dt,
        liquid_delta_t_k=liquid_dt,
        airflow_m3_s=airflow,
        coolant_l_min=float(thermal.coolant_volume_flow_l_min(coolant_kw, liquid_dt, cp, rho)),
        coolant_kg_s=float(thermal.coolant_mass_flow_kg_s(coolant_kw, liquid_dt, cp)),
    )


def _line(tally: equipment.Tally) -> EquipmentLine:
    return EquipmentLine.model_construct(**vars(tally), installed=tally.installed)


def equipment_tally(
    catalog: Catalog,
    chain: PowerChain,
    cooling: Cooling,
    coeff: UnitCoefficients,
    units: int,
    layout: RowLayout,
    ups_basis: str = "it-over-distribution",
) -> list[EquipmentLine]:
    """Whole-number equipment counts for the electrical chain and the room cooling.

    Rack PDUs and tap-offs per rack and feed; busway runs per feed ``sum_rows ceil(P_row /
    P_run)``; UPS modules and transformers on the IT load (transformers also carry cooling
    and misc; the UPS on ``ups_basis``); generators on the design-day facility load; the
    cooling's terminal units.
    """
    rack_kw, racks = coeff.rack_kw, layout.racks
    feeds = power.feeds_per_rack(coeff.redundancy)  # type: ignore[arg-type]
    pdu, busway = catalog.rack_pdu(chain.rack_pdu), catalog.busway(chain.busway)
    tallies = list(equipment.rack_pdus_and_tap_offs(pdu, busway, chain, rack_kw, racks, feeds, used_kw=rack_kw * racks))
    # sizing lays rows out itself, so it needs as many runs per feed as each row's power asks
    run_kw = equipment.circuit_kw(busway.voltage, busway.current, chain)
    runs = feeds * int(sum(power.units_required(n * rack_kw, run_kw) for n in layout.row_racks))
    tallies.append(
        equipment.priced("busway runs", busway.id, runs, run_kw, "kW continuous", rack_kw * racks * feeds, busway.capex)
    )
    tallies += equipment.ups_and_transformers(
        catalog.ups(chain.ups),
        catalog.transformer(chain.transformer),
        chain,
        coeff.redundancy,
        coeff.it_provisioned_kw * units,
        (coeff.cooling_design_kw + coeff.misc_kw) * units,
        ups_basis,
    )
    generator = catalog.generator(chain.generator)
    tallies.append(equipment.generators(generator, chain.generator_redundancy, coeff.facility_design_kw * units))
    tallies += equipment.terminal_units(cooling, coeff.liquid_kw * units, coeff.air_kw * units, racks)
    return [_line(t) for t in tallies]


class FloorLoads(NamedTuple):
    """Rack mass over three areas, and the slab rating [kg/m**2]."""

    footprint: float  # m / A_footprint: what the slab check uses
    net_row: float  # m / A_net (the rack and its half aisles)
    gross: float  # m / A_gross (whitespace factor applied): the hall average
    slab: float


def floor_loads_kg_m2(coeff: UnitCoefficients, options: SizingOptions, defaults: Defaults) -> FloorLoads:
    """Floor load over the rack footprint ``m / A_fp``, over the net row area ``m / A_net``
    and over the gross whitespace ``m / A_gross`` (``A_gross = k_ws * A_net``), and the slab
    rating [kg/m**2]."""
    slab = options.slab_rating or defaults.slab_rating.value
    mass = coeff.rack_mass_kg
    return FloorLoads(
        mass / coeff.footprint_m2,
        mass / coeff.net_area_m2,
        mass / coeff.gross_area_m2,
        float(slab.m_as(_KG_M2)),
    )


#: Result power fields that are N times a per-unit coefficient [kW].
_POWER_PER_UNIT_KW = {
    "it_power_provisioned": "it_provisioned_kw",
    "it_power_design": "it_design_kw",
    "it_power_typical": "it_typical_kw",
    "it_power_average": "it_average_kw",
    "it_power_idle": "it_idle_kw",
    "transient_peak": "transient_peak_kw",
    "psu_loss": "psu_loss_kw",
    "electrical_losses_design": "electrical_loss_design_kw",
    "electrical_losses_average": "electrical_loss_average_kw",
    "cooling_power_design": "cooling_design_kw",
    "cooling_power_average": "cooling_annual_kw",
    "misc_power": "misc_kw",
    "facility_power_design": "facility_design_kw",
    "facility_power_average": "facility_average_kw",
}


def _power_fields(coeff: UnitCoefficients, n: float) -> dict[str, Any]:
    """Power of N units ``P = N * p_unit`` [kW], rack power, and the PUEs.

    ``PUE_design = P_fac,design / P_IT,prov``, ``PUE_annual = P_fac,avg / P_IT,avg``,
    ``pPUE_cooling = (P_IT,avg + P_cool,avg) / P_IT,avg``.
    """
    avg = coeff.it_average_kw
    fields = {name: qty(getattr(coeff, per_unit) * n, "kW") for name, per_unit in _POWER_PER_UNIT_KW.items()}
    return {
        "rack_power": qty(coeff.rack_kw, "kW"),
        **fields,
        "pue_basis": coeff.pue_basis,
        "pue_design": coeff.facility_design_kw / coeff.it_provisioned_kw,
        "pue_annual": coeff.facility_average_kw / avg if avg else math.nan,
        "ppue_cooling": (avg + coeff.cooling_annual_kw) / avg if avg else math.nan,
    }


def _thermal_fields(
    coeff: UnitCoefficients, n: float, flows: Flows, coolant_id: str, supply_c: float
) -> dict[str, Any]:
    """Heat split, airflow and coolant flow of N units."""
    return {
        "heat_to_liquid": qty(coeff.liquid_kw * n, "kW"),
        "heat_to_air": qty(coeff.air_kw * n, "kW"),
        "liquid_fraction": coeff.liquid_fraction,
        "airflow": qty(flows.airflow_m3_s * 60_000.0, "L/min"),
        "airflow_cfm": flows.airflow_m3_s * thermal.M3S_TO_CFM,
        "air_delta_t": qty(flows.air_delta_t_k, "K"),
        "coolant_flow": qty(flows.coolant_l_min, "L/min"),
        "coolant_mass_flow": qty(flows.coolant_kg_s, "kg/s"),
        "coolant": coolant_id,
        "liquid_delta_t": qty(flows.liquid_delta_t_k, "K"),
        "liquid_supply_temp": qty(supply_c, "degC"),
    }


def _space_fields(coeff: UnitCoefficients, racks: int, loads: FloorLoads) -> dict[str, Any]:
    """Floor areas of ``racks`` racks [m**2] and floor loads [kg/m**2] (the average over
    the gross whitespace, the area the whitespace figure states)."""
    return {
        "footprint_area": qty(coeff.footprint_m2 * racks, "m**2"),
        "whitespace_net": qty(coeff.net_area_m2 * racks, "m**2"),
        "whitespace_gross": qty(coeff.gross_area_m2 * racks, "m**2"),
        "floor_load_footprint": qty(loads.footprint, "kg/m**2"),
        "floor_load_net_row": qty(loads.net_row, "kg/m**2"),
        "floor_load_average": qty(loads.gross, "kg/m**2"),
        "slab_rating": qty(loads.slab, "kg/m**2"),
        "rack_mass": qty(coeff.rack_mass_kg, "kg"),
    }


def _energy_fields(coeff: UnitCoefficients, n: float) -> dict[str, Any]:
    """A year of N units: ``E = P_avg * 8760 h`` [kWh], cost ``E_fac * price``, carbon
    ``E_fac * intensity``, water and WUE = water / E_IT [L/kWh]."""
    it_energy = float(energy.annual_energy_kwh(coeff.it_average_kw * n, energy.HOURS_PER_YEAR))
    facility_energy = float(energy.annual_energy_kwh(coeff.facility_average_kw * n, energy.HOURS_PER_YEAR))
    water_l = coeff.water_l_per_year * n
    return {
        "it_energy": qty(it_energy, "kWh"),
        "facility_energy": qty(facility_energy, "kWh"),
        "energy_cost": qty(float(energy.energy_cost_usd(facility_energy, coeff.energy_price_usd_kwh)), "USD"),
        "carbon": qty(float(energy.carbon_kg(facility_energy, coeff.carbon_kg_kwh)), "kg"),
        "carbon_intensity": qty(coeff.carbon_kg_kwh, "kg/kWh"),
        "water": qty(water_l, "L"),
        "wue": water_l / it_energy if it_energy else 0.0,
        "water_basis": coeff.water_basis,
    }


def _chiller_fields(coeff: UnitCoefficients, n: float) -> dict[str, Any]:
    """Chillers of N units: power ``N * p_ch`` [kW] on the design day and as a yearly mean,
    design-day COP ``Q_mech / P_ch`` and ``kW/ton = 3.517 / COP``, hours they run; all None
    under a PUE target (no plant model to read them from)."""
    if coeff.pue_basis != targets.MODELLED:
        return {"chiller_cop_basis": coeff.cop_basis}
    cop = targets.effective_cop(coeff.chiller_heat_design_kw, coeff.chiller_design_kw)
    return {
        "chiller_power_design": qty(coeff.chiller_design_kw * n, "kW"),
        "chiller_power_average": qty(coeff.chiller_annual_kw * n, "kW"),
        "chiller_cop_design": cop,
        "chiller_kw_per_ton_design": targets.kw_per_ton(cop),
        "chiller_hours": coeff.chiller_hours,
        "chiller_cop_basis": coeff.cop_basis,
    }


def _capex_and_compute_fields(coeff: UnitCoefficients, n: float, lines: list[EquipmentLine]) -> dict[str, Any]:
    """Capex of N units [USD] (electrical: the counted equipment plus the per-kW part) and
    peak dense compute [TFLOPS]."""
    capex_electrical = sum(line.capex_usd for line in lines) + coeff.capex_electrical_per_unit_usd * n
    capex_it = coeff.capex_it_usd * n
    capex_cooling = coeff.capex_cooling_usd * n
    capex_building = coeff.capex_building_usd * n
    return {
        "capex_it": qty(capex_it, "USD"),
        "capex_cooling": qty(capex_cooling, "USD"),
        "capex_electrical": qty(capex_electrical, "USD"),
        "capex_building": qty(capex_building, "USD"),
        "capex_total": qty(capex_it + capex_cooling + capex_electrical + capex_building, "USD"),
        "compute_bf16": qty(coeff.tflops["bf16"] * n, "TFLOPS"),
        "compute_fp8": qty(coeff.tflops["fp8"] * n, "TFLOPS"),
        "compute_fp4": qty(coeff.tflops["fp4"] * n, "TFLOPS") if "fp4" in coeff.tflops else None,
    }


def size(catalog: Catalog, request: SizingRequest, options: SizingOptions | None = None) -> SizingResult:
    """Size ``request`` and check every limit; raises SizingError for impossible requests.

    N units (``units_for_target``) times the per-unit coefficients, plus the row layout,
    the whole-number equipment counts and the limit checks.
    """
    options = options or SizingOptions()
    coeff = unit_coefficients(catalog, request.system, request.cooling, request.site, options)
    units = units_for_target(coeff, request)
    system = catalog.system(request.system)
    cooling = catalog.cooling(request.cooling)
    site = catalog.site(request.site)
    defaults = catalog.defaults
    chain = catalog.power_chain(coeff.power_chain_id)
    coolant = catalog.fluid(options.fluid or defaults.liquid_fluid)
    n = float(units)

    layout = row_layout(system, coeff, units, options.racks_per_row or int(defaults.racks_per_row.value))
    flows = air_and_coolant_flows(cooling, coeff, n, options, defaults, (coolant, catalog.fluid("air")))
    lines = equipment_tally(catalog, chain, cooling, coeff, units, layout, options.ups_basis)
    loads = floor_loads_kg_m2(coeff, options, defaults)
    supply_c = liquid_supply_c(options, cooling)
    pdu, busway = catalog.rack_pdu(chain.rack_pdu), catalog.busway(chain.busway)
    checks = sizing_limit_checks(system, cooling, pdu, busway, coeff.rack_kw, loads.footprint, loads.slab, supply_c)
    limit_kw, limit_by = rack_power_limit_kw(system, cooling)
    free_hours = plant_loop(catalog.plant(coeff.plant_id), site, supply_c, flows.liquid_delta_t_k).free_cooling_hours

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
        racks=layout.racks,
        units_per_rack=coeff.units_per_rack,
        packing_limited_by=coeff.packing_limited_by,
        rows=len(layout.row_racks),
        racks_per_row=layout.racks_per_row,
        free_cooling_hours=free_hours,
        ups_sizing_basis=equipment.ups_basis_text(options.ups_basis, chain),
        rack_power_limit=qty(limit_kw, "kW"),
        rack_power_limit_by=limit_by,
        equipment=lines,
        checks=checks,
        warnings=[reason for reason in (deployable_at(system, site),) if reason],
        all_in=all_in_power(
            catalog, system.id, coeff.chips * units, coeff.it_provisioned_kw * n, coeff.facility_design_kw * n
        ),
        **_power_fields(coeff, n),
        **_thermal_fields(coeff, n, flows, coolant.id, supply_c),
        **_space_fields(coeff, layout.racks, loads),
        **_energy_fields(coeff, n),
        **_chiller_fields(coeff, n),
        **_capex_and_compute_fields(coeff, n, lines),
    )
