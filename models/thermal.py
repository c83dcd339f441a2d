"""Thermal physics: heat split, airflow, coolant flow, terminal-unit counts and the cooling
plant (economiser hours, chiller COP against lift, fans, pumps, water).

Kernels take plain floats or numpy arrays in canonical units: kW, K, degC, L/min, m**3/s,
kg/s, kJ/(kg*K), kg/m**3. Every formula is sensible heat ``Q = m_dot * cp * dT``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

CoolingType = Literal["room-air", "contained-air", "rdhx", "dlc-cdu", "dlc-l2a", "immersion"]
LIQUID_TYPES: tuple[str, ...] = ("dlc-cdu", "dlc-l2a", "immersion")
M3S_TO_CFM = 2118.880003  # 1 m**3/s = 2118.88 CFM (35.3147 ft**3 * 60 s)
KELVIN = 273.15
LATENT_HEAT_KJ_KG = 2430.0  # evaporation of water near 30 degC (steam tables ~2,430 kJ/kg)
#: 1 ton of refrigeration = 12,000 Btu/h = 12,000 x 0.293071 W = 3.51685 kW of heat removed
#: (pint's ``refrigeration_ton`` in models/units.txt has the same definition).
KW_PER_TON_OF_REFRIGERATION = 3.51685


def cop_from_kw_per_ton(kw_per_ton: ArrayLike) -> FloatArray:
    """Chiller COP from its electric input per ton of refrigeration:
    ``COP = 3.517 kW / (kW/ton)`` (0.6 kW/ton -> COP 5.86)."""
    return KW_PER_TON_OF_REFRIGERATION / np.asarray(kw_per_ton, dtype=float)


def kw_per_ton_from_cop(cop: ArrayLike) -> FloatArray:
    """Electric input per ton of refrigeration from a COP: ``kW/ton = 3.517 / COP``."""
    return KW_PER_TON_OF_REFRIGERATION / np.asarray(cop, dtype=float)


def liquid_fraction(cooling_type: CoolingType, capture_fraction: ArrayLike) -> FloatArray:
    """Share of rack heat taken by liquid at the rack for a cooling architecture.

    Direct-to-chip (``dlc-*``): the system's cold-plate capture fraction. Immersion: 1
    (the fluid takes all heat). Air types and rear doors: 0 (rack heat leaves in air).
    """
    capture = np.asarray(capture_fraction, dtype=float)
    if cooling_type in ("dlc-cdu", "dlc-l2a"):
        return capture
    if cooling_type == "immersion":
        return np.ones_like(capture)
    return np.zeros_like(capture)


def split_heat_kw(heat_kw: ArrayLike, fraction_liquid: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """``Q_liquid = f * Q``, ``Q_air = (1 - f) * Q`` [kW]; the two always sum to ``Q``."""
    heat = np.asarray(heat_kw, dtype=float)
    liquid = heat * np.asarray(fraction_liquid, dtype=float)
    return liquid, heat - liquid


def air_volume_flow_m3_s(
    heat_kw: ArrayLike, delta_t_k: ArrayLike, density_kg_m3: ArrayLike = 1.20, cp_kj_kg_k: ArrayLike = 1.006
) -> FloatArray:
    """Airflow to carry heat at an air temperature rise: ``V = Q / (rho * cp * dT)`` [m**3/s]."""
    return np.asarray(heat_kw, dtype=float) / (
        np.asarray(density_kg_m3, dtype=float)
        * np.asarray(cp_kj_kg_k, dtype=float)
        * np.asarray(delta_t_k, dtype=float)
    )


def coolant_mass_flow_kg_s(heat_kw: ArrayLike, delta_t_k: ArrayLike, cp_kj_kg_k: ArrayLike) -> FloatArray:
    """Coolant mass flow: ``m_dot = Q / (cp * dT)`` [kg/s]."""
    return np.asarray(heat_kw, dtype=float) / (np.asarray(cp_kj_kg_k, dtype=float) * np.asarray(delta_t_k, dtype=float))


def coolant_volume_flow_l_min(
    heat_kw: ArrayLike, delta_t_k: ArrayLike, cp_kj_kg_k: ArrayLike, density_kg_m3: ArrayLike
) -> FloatArray:
    """Coolant volume flow: ``V = Q / (rho * cp * dT) * 60,000`` [L/min]."""
    return coolant_mass_flow_kg_s(heat_kw, delta_t_k, cp_kj_kg_k) / np.asarray(density_kg_m3, dtype=float) * 60_000.0


def delta_t_from_flow_k(
    heat_kw: ArrayLike, flow_l_min: ArrayLike, cp_kj_kg_k: ArrayLike, density_kg_m3: ArrayLike
) -> FloatArray:
    """Temperature rise a given coolant flow implies: ``dT = Q / (rho * V * cp)`` [K]."""
    mass_flow_kg_s = np.asarray(flow_l_min, dtype=float) / 60_000.0 * np.asarray(density_kg_m3, dtype=float)
    return np.asarray(heat_kw, dtype=float) / (mass_flow_kg_s * np.asarray(cp_kj_kg_k, dtype=float))


def free_cooling_fraction(
    sink_c: ArrayLike, approach_k: ArrayLike, supply_c: ArrayLike, return_c: ArrayLike
) -> FloatArray:
    """Share of the load the economiser removes without the chiller (0..1).

    The heat exchanger can cool the return water down to ``T_sink + approach``:
    ``f = (T_return - (T_sink + approach)) / (T_return - T_supply)``, clipped to [0, 1].
    ``T_sink`` is the wet bulb for cooling towers and the dry bulb for dry coolers.
    """
    reachable = np.asarray(sink_c, dtype=float) + np.asarray(approach_k, dtype=float)
    span = np.asarray(return_c, dtype=float) - np.asarray(supply_c, dtype=float)
    return np.clip((np.asarray(return_c, dtype=float) - reachable) / span, 0.0, 1.0)


def chiller_cop(
    supply_c: ArrayLike,
    sink_c: ArrayLike,
    approach_k: ArrayLike,
    evaporator_approach_k: ArrayLike,
    condenser_approach_k: ArrayLike,
    carnot_fraction: ArrayLike,
    cop_max: float = 12.0,
) -> FloatArray:
    """Chiller COP against lift, a fraction of the Carnot COP.

    ``T_evap = T_supply - dT_evap``; ``T_cond = T_sink + approach + dT_cond`` (K);
    ``COP = eta * T_evap / (T_cond - T_evap)``, clipped to [1, cop_max].
    """
    t_evap = np.asarray(supply_c, dtype=float) - np.asarray(evaporator_approach_k, dtype=float) + KELVIN
    t_cond = (
        np.asarray(sink_c, dtype=float)
        + np.asarray(approach_k, dtype=float)
        + np.asarray(condenser_approach_k, dtype=float)
        + KELVIN
    )
    lift = np.maximum(t_cond - t_evap, 1e-6)
    return np.clip(np.asarray(carnot_fraction, dtype=float) * t_evap / lift, 1.0, cop_max)


def plant_power_kw(
    heat_kw: ArrayLike,
    sink_c: ArrayLike,
    supply_c: ArrayLike,
    delta_t_k: ArrayLike,
    approach_k: float,
    evaporator_approach_k: float,
    condenser_approach_k: float,
    carnot_fraction: float,
    cop_max: float,
    rejection_fan_fraction: float,
    rated_cop: float | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Heat-rejection plant power for one water loop at each sink temperature.

    Mechanical load ``Q_mech = (1 - f_free) * Q``; chiller ``P_ch = Q_mech / COP``;
    rejection fans ``P_fan = k_fan * (Q + P_ch)`` (all heat, including compressor work,
    leaves through the tower or dry cooler) [kW]. ``COP`` is the Carnot fraction against
    the hour's lift (``chiller_cop``), or ``rated_cop`` at every chiller hour when the
    plant gives one (a COP or kW/ton rating). Returns (chiller_kw, fan_kw, free_fraction).
    """
    supply = np.asarray(supply_c, dtype=float)
    free = free_cooling_fraction(sink_c, approach_k, supply, supply + np.asarray(delta_t_k, dtype=float))
    if rated_cop is not None:
        cop: FloatArray | float = rated_cop
    else:
        cop = chiller_cop(
            supply, sink_c, approach_k, evaporator_approach_k, condenser_approach_k, carnot_fraction, cop_max
        )
    heat = np.asarray(heat_kw, dtype=float)
    chiller = (1.0 - free) * heat / cop
    fans = rejection_fan_fraction * (heat + chiller)
    return chiller, fans, free


def evaporated_water_l(rejected_kwh: ArrayLike, evaporated_fraction: ArrayLike) -> FloatArray:
    """Water evaporated to reject heat: ``m = f_evap * E * 3600 / h_fg`` [kg = L].

    ``h_fg`` ~ 2,430 kJ/kg; 1 kWh = 3,600 kJ.
    """
    return (
        np.asarray(rejected_kwh, dtype=float)
        * np.asarray(evaporated_fraction, dtype=float)
        * 3600.0
        / LATENT_HEAT_KJ_KG
    )


def blowdown_water_l(evaporated_l: ArrayLike, cycles_of_concentration: ArrayLike) -> FloatArray:
    """Tower blowdown that keeps dissolved solids in check: ``B = E / (CoC - 1)`` [L]."""
    cycles = np.asarray(cycles_of_concentration, dtype=float)
    return np.where(cycles > 1.0, np.asarray(evaporated_l, dtype=float) / np.maximum(cycles - 1.0, 1e-9), 0.0)
