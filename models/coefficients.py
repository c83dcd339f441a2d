"""Per-unit coefficients: catalog entries and options -> plain floats per deployment unit.

``unit_coefficients`` turns one (system, cooling, site) under ``SizingOptions`` into
``UnitCoefficients``: every figure per deployment unit in canonical units (kW, kg, m**2,
L, USD), linear in the number of units, which is what the optimiser's formulation reads
and what ``models.sizing.size`` multiplies by a count. Each step below is one formula:
IT power on its bases, rack packing, the liquid/air heat split and the loops it lands on,
electrical chain losses, cooling power, facility totals, water, floor area, compute, capex.

Power bases are named: feeds, UPS, cooling plant and generators are sized on the
*provisioning* basis (``design`` by default); energy uses power at the utilisation on the
``typical`` (busy) curve: ``P(u) = P_idle + (P_typical - P_idle) * u``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np

from dcplan.models import energy, power, space, targets, thermal
from dcplan.models.catalog import Catalog, Cooling, Defaults, Plant, PowerChain, Site, System
from dcplan.models.errors import DcplanError
from dcplan.models.limits import rack_power_cap_kw
from dcplan.models.plant import PlantLoop, plant_loop
from dcplan.models.sizing_options import ProvisioningBasis, SizingOptions

Precision = Literal["bf16", "fp8", "fp4"]


class SizingError(DcplanError, ValueError):
    """An impossible sizing request (unsupported cooling, bad utilisation, ...); one line."""


#: Most deployment units (and racks) one sizing request may ask for: a million units is
#: ~100M chips, hundreds of GW, far beyond any campus; beyond it the row layout alone
#: would be millions of entries (``--count 1e12`` was a MemoryError). Sizing at the bound
#: takes well under a second.
MAX_SIZING_UNITS = 1_000_000
MAX_SIZING_RACKS = 2_000_000


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
    chiller_design_kw: float = 0.0
    chiller_annual_kw: float = 0.0
    chiller_heat_design_kw: float = 0.0  # heat the chillers remove on the design day
    chiller_hours: float = 0.0
    cop_basis: str = targets.MODELLED
    pue_basis: str = targets.MODELLED  # or targets.TARGET_INPUT
    water_basis: str = targets.MODELLED

    def compute_tflops(self, precision: str) -> float:
        return self.tflops.get(precision, 0.0)


def _check_supported(system: System, cooling: Cooling) -> None:
    if cooling.id not in system.cooling:
        needs = "liquid" if system.liquid_capture_fraction.magnitude > 0 else "air"
        raise SizingError(
            f"{system.id} cannot be cooled by {cooling.id} ({cooling.type}); it needs {needs} cooling, "
            f"supported: {', '.join(system.cooling)}"
        )


def liquid_supply_c(options: SizingOptions, cooling: Cooling) -> float:
    """Facility-water supply [degC]: the option, else the cooling's liquid supply, else its chilled water.

    ``is None`` tests, not ``or``: a temperature quantity (offset unit) has no truth value in pint.
    """
    if options.liquid_supply_temp is not None:
        return float(options.liquid_supply_temp.magnitude)
    return float((cooling.liquid_supply_temp or cooling.chilled_water_temp).magnitude)


def chilled_water_c(options: SizingOptions, cooling: Cooling) -> float:
    """Chilled-water supply for CRAHs [degC]: the option, else the cooling's value."""
    if options.chilled_water_temp is not None:
        return float(options.chilled_water_temp.magnitude)
    return float(cooling.chilled_water_temp.magnitude)


def liquid_delta_t_k(options: SizingOptions, defaults: Defaults) -> float:
    """Coolant temperature rise [K]: the option, else the planning default."""
    return float((options.liquid_delta_t or defaults.liquid_delta_t).magnitude)


def provisioned_unit_kw(system: System, basis: ProvisioningBasis) -> float:
    """Per-unit power on the provisioning basis [kW]; nameplate falls back to design."""
    if basis == "nameplate":
        return float((system.nameplate_power or system.design_power).magnitude)
    if basis == "typical":
        return float(system.typical_power.magnitude)
    return float(system.design_power.magnitude)


def server_packing(system: System, cooling: Cooling, unit_kw: float) -> tuple[int, str]:
    """Servers per rack: the least of the packing limit, rack height and the rack power cap.

    ``n = min(n_max, floor(H_rack / h_unit), floor(P_rack,max / P_unit))`` with ``P_rack,max``
    from ``limits.rack_power_cap_kw`` (a system's own air-cooled rack limit, else the
    cooling's; a rear door's capacity too); returns (n, reason).
    """
    assert system.max_units_per_rack and system.unit_height and system.rack_height
    limits = {
        "packing limit": int(system.max_units_per_rack.value),
        "rack height": math.floor(system.rack_height.magnitude / system.unit_height.magnitude + 1e-9),
        "cooling rack power": math.floor(rack_power_cap_kw(system, cooling) / unit_kw + 1e-9),
    }
    reason = min(limits, key=lambda k: limits[k])
    return max(limits[reason], 1), reason


# --------------------------------------------------------------------------------------
# The steps of unit_coefficients, one formula each


def system_unit_kw(system: System, options: SizingOptions) -> float:
    """The system alone on the provisioning basis [kW], fabric excluded.

    ``P_sys = P_basis``; on ``typical`` with headroom ``h``: ``min(P_typ * h, P_design)``.
    """
    unit_kw = provisioned_unit_kw(system, options.provisioning)
    if options.provisioning == "typical":
        unit_kw = min(unit_kw * options.typical_headroom, float(system.design_power.magnitude))
    return unit_kw


# Each step returns a record whose fields are named as in UnitCoefficients, so the result
# is assembled from the steps' records (``**step._asdict()``) without restating them.
# NamedTuples, not dataclasses: ~0.1 ms to define instead of ~1 ms, which import time shows.


class UnitPower(NamedTuple):
    """IT power of one deployment unit [kW] on each basis, fabric included."""

    it_provisioned_kw: float  # what feeds, UPS and cooling carry
    it_design_kw: float
    it_typical_kw: float
    it_average_kw: float  # at the utilisation: what energy is billed on
    it_idle_kw: float
    it_nameplate_kw: float
    transient_peak_kw: float
    psu_loss_kw: float


def fabric_unit_kw(system: System, options: SizingOptions) -> float:
    """``P_fabric`` per unit [kW]: the system's own ``fabric_power``, else its share of the
    network and storage racks placed in rows (``options.placed_fabric``), else 0."""
    if system.fabric_power:
        return float(system.fabric_power.magnitude)
    placed = options.fabric_of(system.id)
    return placed.kw if placed is not None else 0.0


def unit_it_power(system: System, options: SizingOptions, system_kw: float) -> UnitPower:
    """IT power per unit on its bases [kW].

    ``P_prov = P_sys + P_fabric``; ``P_avg = P_idle + (P_typ - P_idle) * u + P_fabric``;
    transient peak ``P_design * k_transient + P_fabric``; PSU loss ``P_prov * (1 - eta_PSU)``.
    """
    fabric_kw = fabric_unit_kw(system, options)
    design_kw = float(system.design_power.magnitude)
    typical_kw = float(system.typical_power.magnitude)
    idle_kw = float(system.idle_power.magnitude)
    average_kw = float(power.power_at_utilisation_kw(idle_kw, typical_kw, options.utilisation))
    provisioned = system_kw + fabric_kw
    return UnitPower(
        it_provisioned_kw=provisioned,
        it_design_kw=design_kw + fabric_kw,
        it_typical_kw=typical_kw + fabric_kw,
        it_average_kw=average_kw + fabric_kw,
        it_idle_kw=idle_kw + fabric_kw,
        it_nameplate_kw=provisioned_unit_kw(system, "nameplate") + fabric_kw,
        transient_peak_kw=float(power.transient_peak_kw(design_kw, system.transient_headroom.magnitude)) + fabric_kw,
        psu_loss_kw=float(power.psu_loss_kw(provisioned, system.psu_efficiency.magnitude)),
    )


class RackPacking(NamedTuple):
    """How one deployment unit sits in racks."""

    units_per_rack: int  # servers per rack (1 for rack-scale / ultraserver)
    packing_limited_by: str
    racks: float  # racks per unit (servers: 1 / units per rack)
    rack_mass_kg: float
    rack_kw: float  # provisioning-basis kW per rack (fabric excluded)


def rack_packing(system: System, cooling: Cooling, system_kw: float) -> RackPacking:
    """Racks per unit, the mass of one rack [kg] and its power [kW].

    Servers: ``n`` per rack (``server_packing``), ``1 / n`` racks per unit and
    ``m_rack = n * m_server + m_shell``. Rack-scale units: ``r`` racks each ``m_unit / r``.
    Rack power ``P_sys / racks per unit``.
    """
    if system.form == "server":
        per_rack, limited_by = server_packing(system, cooling, system_kw)
        assert system.rack_shell_weight is not None
        rack_mass = per_rack * float(system.weight.magnitude) + float(system.rack_shell_weight.magnitude)
        racks = 1.0 / per_rack
        return RackPacking(per_rack, limited_by, racks, rack_mass, system_kw / racks)
    assert system.racks_per_unit is not None
    racks = float(system.racks_per_unit.value)
    return RackPacking(1, "deployment unit", racks, float(system.weight.magnitude) / racks, system_kw / racks)


class HeatPaths(NamedTuple):
    """Where one unit's provisioned heat goes [kW]: at the rack, and the loops that take it."""

    liquid_fraction: float
    liquid_kw: float  # to liquid at the rack
    air_kw: float  # leaving the rack in air
    liquid_loop_kw: float  # on the facility-water loop
    air_loop_kw: float  # on the chilled-water (CRAH) loop
    room_air_kw: float  # what CRAHs remove from the white space


def heat_paths(system: System, cooling: Cooling, provisioned_kw: float, air_only_kw: float = 0.0) -> HeatPaths:
    """Heat split liquid/air at the rack, then onto the facility loops [kW].

    ``Q_liquid = f * (Q - Q_net)``, ``Q_air = (1 - f) * (Q - Q_net) + Q_net``, with
    ``Q_net = air_only_kw`` the placed network and storage racks' heat, all to room air
    (air-cooled racks beside the compute). Liquid-to-air row units reject the liquid part
    into the room (all ``Q`` on the chilled-water loop and room air); rear doors take the
    air part on facility water (all ``Q`` there, none in the room: the row's network racks
    get doors too); otherwise liquid goes to facility water and air to chilled water
    through the room.
    """
    f_liquid = float(thermal.liquid_fraction(cooling.type, system.liquid_capture_fraction.magnitude))
    liquid_kw, air_kw = (float(x) for x in thermal.split_heat_kw(provisioned_kw - air_only_kw, f_liquid))
    air_kw += air_only_kw
    if cooling.type == "dlc-l2a":
        loops = (0.0, provisioned_kw, provisioned_kw)
    elif cooling.type == "rdhx":
        loops = (provisioned_kw, 0.0, 0.0)
    else:
        loops = (liquid_kw, air_kw, air_kw)
    return HeatPaths(f_liquid, liquid_kw, air_kw, *loops)


def _loss_kw(it_kw: float, eta_dist: float, eta_ups: float, eta_xfmr: float) -> float:
    """``P_in - P_IT`` with ``P_in = P_IT / (eta_dist * eta_UPS * eta_xfmr)`` [kW]."""
    _, _, upstream = power.chain_input_kw(it_kw, eta_dist, eta_ups, eta_xfmr)
    return float(upstream) - it_kw


def electrical_losses_kw(chain: PowerChain, catalog: Catalog, redundancy: str, it: UnitPower) -> tuple[float, float]:
    """Electrical chain losses per unit, (design, average) [kW].

    Efficiencies are read at the normal-operation module loading of the topology: the share
    of the load one system carries over the share it is rated for, ``s = a / r`` (DR
    systems are rated for half the load and carry a third, so they run at 2/3; 2N sides
    run at 1/2). Design losses at ``s``; average losses at ``s * P_avg / P_prov``.
    """
    share = power.active_share(redundancy) / (0.5 if redundancy == "DR" else 1.0)  # type: ignore[arg-type]
    provisioned = it.it_provisioned_kw
    avg_fraction = share * it.it_average_kw / provisioned if provisioned > 0 else 0.0
    # both loadings in one evaluation of each curve (it is most of this step's cost)
    loadings = np.array([share, avg_fraction])
    eta_dist = float(chain.distribution_efficiency.magnitude)
    eta_ups = catalog.ups(chain.ups).efficiency.at(loadings)
    eta_xfmr = catalog.transformer(chain.transformer).efficiency.at(loadings)
    loss_design = _loss_kw(provisioned, eta_dist, float(eta_ups[0]), float(eta_xfmr[0]))
    loss_average = _loss_kw(it.it_average_kw, eta_dist, float(eta_ups[1]), float(eta_xfmr[1]))
    return loss_design, loss_average


class CoolingPower(NamedTuple):
    """Cooling power per unit [kW]: room fans, pumps, and the whole on the design day / yearly mean."""

    fan_kw: float
    pump_kw: float
    cooling_design_kw: float  # chiller + rejection fans + room fans + pumps, design day
    cooling_annual_kw: float  # yearly mean at average load


def cooling_power(
    cooling: Cooling,
    heat: HeatPaths,
    loops: tuple[PlantLoop, PlantLoop],
    losses_kw: tuple[float, float],
    scale: float,
) -> CoolingPower:
    """Cooling power per unit [kW] from the heat on each loop.

    ``P_fan = f_fan * Q_fan`` (room air; on rear doors the door fans move the rack air),
    ``P_pump = f_pump * Q_pump`` (rack liquid, else the facility loop). Electrical-room
    losses are cooled on the chilled-water loop:
    ``P_design = k_l * Q_l + k_a * (Q_a + L_design) + P_fan + P_pump`` with ``k`` each loop's
    design kW/kW; the annual mean scales the IT heat by ``s = P_avg / P_prov``:
    ``P_annual = k'_l * Q_l * s + k'_a * (Q_a * s + L_avg) + (P_fan + P_pump) * s``.
    """
    liquid_loop, air_loop = loops
    loss_design, loss_average = losses_kw
    fan_kw = float(cooling.fan_power_fraction.magnitude) * (heat.air_kw if cooling.type == "rdhx" else heat.room_air_kw)
    pump_kw = float(cooling.pump_power_fraction.magnitude) * (
        heat.liquid_kw if cooling.takes_liquid else heat.liquid_loop_kw
    )
    design = (
        liquid_loop.design_kw_per_kw * heat.liquid_loop_kw
        + air_loop.design_kw_per_kw * (heat.air_loop_kw + loss_design)
        + fan_kw
        + pump_kw
    )
    annual = (
        liquid_loop.annual_kw_per_kw * heat.liquid_loop_kw * scale
        + air_loop.annual_kw_per_kw * (heat.air_loop_kw * scale + loss_average)
        + (fan_kw + pump_kw) * scale
    )
    return CoolingPower(fan_kw, pump_kw, design, annual)


def annual_water_l(heat: HeatPaths, loops: tuple[PlantLoop, PlantLoop], loss_average_kw: float, scale: float) -> float:
    """Site water per unit per year [L]: ``(w_l * Q_l * s + w_a * (Q_a * s + L_avg)) * 8760 h``.

    ``w`` is each loop's L per kWh rejected, ``s = P_avg / P_prov``.
    """
    liquid_loop, air_loop = loops
    return (
        liquid_loop.water_l_per_kwh * heat.liquid_loop_kw * scale
        + air_loop.water_l_per_kwh * (heat.air_loop_kw * scale + loss_average_kw)
    ) * energy.HOURS_PER_YEAR


def rack_areas_m2(system: System, defaults: Defaults) -> tuple[float, float, float]:
    """Floor area per rack, (footprint, net with aisles, gross) [m**2].

    Footprint ``W * D``; net ``W * (2 * D + w_cold + w_hot) / 2`` (back-to-back rows, each
    rack owning half of each aisle it faces); gross is net times the white-space factor.
    """
    width = float(system.rack_width.magnitude)
    depth = float(system.rack_depth.magnitude)
    footprint = float(space.footprint_m2(width, depth))
    net = float(
        space.net_area_per_rack_m2(
            width, depth, defaults.cold_aisle_width.magnitude, defaults.hot_aisle_width.magnitude
        )
    )
    return footprint, net, net * float(defaults.whitespace_factor.magnitude)


def peak_tflops(catalog: Catalog, system: System) -> tuple[int, dict[str, float]]:
    """Chips per unit and peak dense TFLOPS per unit by precision: ``chips * TFLOPS_chip``."""
    chip = catalog.chip(system.chip)
    chips = int(system.chips_per_unit.value)
    tflops = {"bf16": chips * float(chip.bf16_dense.magnitude), "fp8": chips * float(chip.fp8_dense.magnitude)}
    if chip.fp4_dense is not None:
        tflops["fp4"] = chips * float(chip.fp4_dense.magnitude)
    return chips, tflops


class UnitCapex(NamedTuple):
    """Capital cost per unit [USD]; electrical counts (PDUs, UPS, ...) are priced in ``size``."""

    capex_it_usd: float
    capex_cooling_usd: float
    capex_electrical_per_unit_usd: float  # the per-kW part
    capex_building_usd: float


def unit_capex(
    system: System,
    cooling: Cooling,
    plant: Plant,
    chain: PowerChain,
    site: Site,
    defaults: Defaults,
    provisioned_kw: float,
    rejected_design_kw: float,
) -> UnitCapex:
    """Capex per unit [USD].

    IT: the system's price. Cooling: ``c_cool * P_prov + c_plant * Q_rejected`` with
    ``Q_rejected`` the design-day heat on both loops plus losses and cooling power.
    Electrical: ``c_elec * P_prov``. Building: ``c_build * P_prov * (1 - critical share)``
    (the critical share is the electrical/mechanical plant, counted bottom-up instead).
    """
    capex_it = float(system.capex.magnitude) if system.capex else 0.0
    capex_cooling = (
        float(cooling.capex_per_kw.magnitude) * provisioned_kw
        + float(plant.capex_per_kw.magnitude) * rejected_design_kw
    )
    capex_elec_kw = (
        float(chain.electrical_capex_per_kw.magnitude) * provisioned_kw if chain.electrical_capex_per_kw else 0.0
    )
    capex_building = 0.0
    if site.construction_cost_per_kw is not None:
        critical = float(defaults.critical_capacity_share.magnitude) if defaults.critical_capacity_share else 0.0
        capex_building = float(site.construction_cost_per_kw.magnitude) * provisioned_kw * (1.0 - critical)
    return UnitCapex(capex_it, capex_cooling, capex_elec_kw, capex_building)


def plant_loops(
    plant: Plant, site: Site, cooling: Cooling, options: SizingOptions, delta_t_and_dry_water: tuple[float, float]
) -> tuple[PlantLoop, PlantLoop]:
    """(facility-water loop, chilled-water loop) of ``plant`` at ``site`` (``models.plant``):
    coolant rise [K], dry-plant water [L/kWh], and the chiller COP the options give, if any."""
    delta_t_k, dry_water = delta_t_and_dry_water
    cop = None
    if options.chiller_cop is not None:
        cop = (options.chiller_cop, options.chiller_cop_basis or f"input COP {options.chiller_cop:g}")
    supplies = (liquid_supply_c(options, cooling), chilled_water_c(options, cooling))
    liquid, air = (
        plant_loop(plant, site, supply, delta_t_k, dry_water_l_per_kwh=dry_water, cop_override=cop)
        for supply in supplies
    )
    return liquid, air


def _cooling_at_pue(
    pue: float, it: UnitPower, losses_kw: tuple[float, float], misc_fraction: float, modelled: CoolingPower
) -> tuple[CoolingPower, targets.ChillerFigures]:
    """Cooling power a PUE target leaves on the design day and as a yearly mean [kW]
    (``targets.cooling_for_pue_kw``; room fans and pumps kept for their counts), no chillers.

    Raises SizingError when the target is below the losses and misc load alone.
    """
    design_it, average_it = it.it_provisioned_kw, it.it_average_kw
    design = targets.cooling_for_pue_kw(pue, design_it, losses_kw[0], misc_fraction * design_it)
    annual = targets.cooling_for_pue_kw(pue, average_it, losses_kw[1], misc_fraction * average_it)
    if min(design, annual) < -1e-9:
        floor = max(
            targets.pue_floor(design_it, losses_kw[0], misc_fraction * design_it),
            targets.pue_floor(average_it, losses_kw[1], misc_fraction * average_it),
        )
        raise SizingError(
            f"PUE target {pue:g} (--pue, scenario pue_target) is below {floor:.3f}, what the electrical losses"
            " and misc load give with no cooling",
            field="pue_target",
            expected=f"a PUE of at least {floor:.3f}",
        )
    cooling = modelled._replace(cooling_design_kw=max(design, 0.0), cooling_annual_kw=max(annual, 0.0))
    return cooling, targets.ChillerFigures(0.0, 0.0, 0.0, 0.0, f"not modelled ({targets.TARGET_INPUT} PUE {pue:g})")


def unit_coefficients(
    catalog: Catalog, system_id: str, cooling_id: str, site_id: str, options: SizingOptions | None = None
) -> UnitCoefficients:
    """Per-unit coefficients for a (system, cooling, site) under ``options``.

    Facility power ``P_fac = P_IT + L + P_cool + f_misc * P_IT`` on the design day (at
    ``P_prov``) and as a yearly mean (at ``P_avg``); the other figures are the steps above.
    """
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

    system_kw = system_unit_kw(system, options)
    it = unit_it_power(system, options, system_kw)
    provisioned, average = it.it_provisioned_kw, it.it_average_kw
    packing = rack_packing(system, cooling, system_kw)
    placed = options.fabric_of(system.id) if system.fabric_power is None else None
    heat = heat_paths(system, cooling, provisioned, placed.kw if placed else 0.0)
    liquid_dt = liquid_delta_t_k(options, defaults)
    dry_water = float(defaults.water_per_energy_dry.magnitude) if defaults.water_per_energy_dry else 0.0
    loops = plant_loops(plant, site, cooling, options, (liquid_dt, dry_water))
    loss_design, loss_average = electrical_losses_kw(chain, catalog, redundancy, it)
    scale = average / provisioned if provisioned > 0 else 0.0
    misc_fraction = float(defaults.lighting_misc_fraction.magnitude)
    cool = cooling_power(cooling, heat, loops, (loss_design, loss_average), scale)
    chillers = targets.chiller_figures(
        (heat.liquid_loop_kw, heat.air_loop_kw), (loss_design, loss_average), loops, scale
    )
    if options.pue_target is not None:
        cool, chillers = _cooling_at_pue(options.pue_target, it, (loss_design, loss_average), misc_fraction, cool)
    water_l = annual_water_l(heat, loops, loss_average, scale)
    water_basis = targets.water_basis(plant.evaporated_fraction.magnitude > 0, plant.id, dry_water)
    if options.wue_target is not None:
        water_l, water_basis = targets.water_at_wue(float(options.wue_target.to("L/kWh").magnitude), average)
    footprint, net, gross = rack_areas_m2(system, defaults)
    chips, tflops = peak_tflops(catalog, system)
    rejected_design = heat.liquid_loop_kw + heat.air_loop_kw + loss_design + cool.cooling_design_kw
    capex = unit_capex(system, cooling, plant, chain, site, defaults, provisioned, rejected_design)
    if placed is not None:  # the unit's share of switches, optics and storage is IT capex
        capex = capex._replace(capex_it_usd=capex.capex_it_usd + placed.capex_usd)

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
        electrical_loss_design_kw=loss_design,
        electrical_loss_average_kw=loss_average,
        misc_kw=misc_fraction * provisioned,
        facility_design_kw=provisioned + loss_design + cool.cooling_design_kw + misc_fraction * provisioned,
        facility_average_kw=average + loss_average + cool.cooling_annual_kw + misc_fraction * average,
        water_l_per_year=water_l,
        water_basis=water_basis,
        pue_basis=targets.MODELLED if options.pue_target is None else targets.TARGET_INPUT,
        **chillers._asdict(),
        footprint_m2=footprint,
        net_area_m2=net,
        gross_area_m2=gross,
        energy_price_usd_kwh=float(site.electricity_price.magnitude),
        carbon_kg_kwh=float(site.grid_carbon_intensity.magnitude),
        tflops=tflops,
        **it._asdict(),
        **packing._asdict(),
        **heat._asdict(),
        **cool._asdict(),
        **capex._asdict(),
    )
