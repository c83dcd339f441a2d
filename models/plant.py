"""Heat-rejection plant per kW of heat: one water loop at a supply temperature, rejected by
a plant (dry cooler or cooling tower, with chiller trim) at a site's typical-year climate.

Everything is per kW of heat on the loop, so sizing multiplies by the loop's load:
chiller + rejection-fan power [kW/kW] on the design day and as a yearly mean, the hours
the chiller is off (free cooling) or partly off, and site water [L/kWh] for towers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from dcplan.models import climate, thermal
from dcplan.models.catalog import Plant, Site


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
    """The loop's coefficients over the 8,760 typical-year hours, per 1 kW of heat.

    ``P_chiller(h) + P_fans(h)`` [kW/kW] at each hour's sink (wet bulb for towers, dry bulb
    otherwise) and at the design sink; water ``W = E + E / (c - 1)`` [L/kWh] with ``E`` the
    evaporation of ``1 + P_chiller`` kWh rejected and ``c`` the cycles of concentration.
    """
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
