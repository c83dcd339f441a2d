"""Heat-rejection plant per kW of heat: one water loop at a supply temperature, rejected by
a plant (dry cooler or cooling tower, with chiller trim) at a site's typical-year climate.

Everything is per kW of heat on the loop, so sizing multiplies by the loop's load:
chiller + rejection-fan power [kW/kW] on the design day and as a yearly mean, the hours
the chiller is off (free cooling) or partly off, and site water [L/kWh]: evaporation and
blowdown for towers, the planning default for plants that evaporate nothing (dry coolers).

The chiller's COP is the Carnot fraction against each hour's lift, unless the plant (or the
sizing options) gives a rated COP or kW/ton: then that COP holds at every chiller hour,
``P_chiller = Q_mech / COP`` with ``COP = 3.517 / (kW/ton)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

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
    water_l_per_kwh: float  # evaporation + blowdown, or the dry-plant default, per kWh of load
    design_chiller_kw_per_kw: float
    annual_chiller_kw_per_kw: float
    chiller_hours: float = 0.0  # hours the chiller runs at all (8,760 minus full free cooling)
    design_mechanical_fraction: float = 0.0  # share of the load the chiller removes on the design day
    design_cop: float = 0.0  # chiller COP on the design day (the rated COP when one is given)
    cop_basis: str = "modelled against lift"


def rated_cop(plant: Plant) -> tuple[float | None, str]:
    """The plant's rated chiller COP and how it was given, or (None, "modelled against lift").

    ``chiller_cop`` as given; ``chiller_kw_per_ton`` converted: ``COP = 3.517 / (kW/ton)``.
    """
    if plant.chiller_cop is not None:
        return float(plant.chiller_cop.magnitude), f"rated COP {plant.chiller_cop.magnitude:g} (plant {plant.id})"
    if plant.chiller_kw_per_ton is not None:
        kw_per_ton = float(plant.chiller_kw_per_ton.magnitude)
        cop = float(thermal.cop_from_kw_per_ton(kw_per_ton))
        return cop, f"rated {kw_per_ton:g} kW/ton = COP {cop:.3g} (plant {plant.id})"
    return None, "modelled against lift"


def plant_loop(
    plant: Plant,
    site: Site,
    supply_c: float,
    delta_t_k: float,
    *,
    dry_water_l_per_kwh: float = 0.0,
    cop_override: tuple[float, str] | None = None,
) -> PlantLoop:
    """Per-kW coefficients of a loop at ``supply_c`` rejected by ``plant`` at ``site``.

    ``dry_water_l_per_kwh`` is the site water per kWh of loop heat of a plant that
    evaporates nothing (the planning default ``water_per_energy_dry``); ``cop_override``
    (COP, how it was given) replaces the plant's chiller model. Evaluates the typical-year
    hourly profile once per distinct input (cached on values, not object identity, so an
    overriding user entry never reuses a stale result).
    """
    tower = plant.type == "cooling-tower"
    cop, basis = cop_override if cop_override is not None else rated_cop(plant)
    loop = _plant_loop_cached(
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
        cop,
        float(dry_water_l_per_kwh),
    )
    return replace(loop, cop_basis=basis) if basis != loop.cop_basis else loop


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
    rated: float | None,
    dry_water: float,
) -> PlantLoop:
    """The loop's coefficients over the 8,760 typical-year hours, per 1 kW of heat.

    ``P_chiller(h) + P_fans(h)`` [kW/kW] at each hour's sink (wet bulb for towers, dry bulb
    otherwise) and at the design sink; water ``W = E + E / (c - 1)`` [L/kWh] with ``E`` the
    evaporation of ``1 + P_chiller`` kWh rejected and ``c`` the cycles of concentration;
    a plant that evaporates nothing uses ``dry_water`` [L per kWh of loop heat] instead.
    """
    dry, wet = climate.hourly_profile(np.array(monthly_dry), np.array(monthly_wet), np.array(diurnal))
    sink = wet if tower else dry
    args: dict[str, Any] = {
        "approach_k": approach_k,
        "evaporator_approach_k": evaporator_approach_k,
        "condenser_approach_k": condenser_approach_k,
        "carnot_fraction": carnot_fraction,
        "cop_max": cop_max,
        "rejection_fan_fraction": fan_fraction,
        "rated_cop": rated,
    }
    chiller, fans, free = thermal.plant_power_kw(1.0, sink, supply_c, delta_t_k, **args)
    d_chiller, d_fans, d_free = thermal.plant_power_kw(1.0, design_sink, supply_c, delta_t_k, **args)
    rejected_kwh = 1.0 + chiller  # heat plus compressor work, per kWh of load
    evaporated = thermal.evaporated_water_l(rejected_kwh, evaporated_fraction)
    water = evaporated + thermal.blowdown_water_l(evaporated, cycles) if evaporated_fraction > 0 else dry_water
    design_cop = (
        rated
        if rated is not None
        else float(
            thermal.chiller_cop(
                supply_c, design_sink, approach_k, evaporator_approach_k, condenser_approach_k, carnot_fraction, cop_max
            )
        )
    )
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
        chiller_hours=float(np.sum(free < 1.0 - 1e-12)),
        design_cop=design_cop,
        design_mechanical_fraction=float(1.0 - d_free),
    )
