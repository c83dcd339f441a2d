"""Vectorised fleet evaluation: one numpy array per field, units converted once.

A fleet is any set of items (chips, servers, racks) described by arrays of equal length.
``evaluate_fleet`` takes pint quantities holding numpy arrays, converts each to its
canonical unit once (``m_as``), runs the plain-float kernel and wraps the outputs again,
so a million-chip fleet costs a handful of numpy passes, not a million pint objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dcplan.models import power, thermal
from dcplan.models.units import Quantity, QuantitySpec, ureg

FloatArray = NDArray[np.float64]

# Unit objects parsed once at import: converting with a parsed unit skips pint's string
# parser, and building outputs with ``ureg.Quantity(array, unit)`` wraps the array without
# the copy (and unit-multiply ufunc pass) that ``array * unit`` costs on a million items.
_KW = ureg.kW
_M3_S = ureg.parse_units("m**3/s")
_L_MIN = ureg.parse_units("L/min")
_M2 = ureg.parse_units("m**2")
_KJ_KG_K = ureg.parse_units("kJ/(kg*K)")
_KG_M3 = ureg.parse_units("kg/m**3")
_DELTA_T = QuantitySpec("a temperature difference", "K", "10 K", positive=True, temperature_difference=True)


@dataclass(frozen=True)
class FleetArrays:
    """Plain-float outputs of the kernel (canonical units, one element per item)."""

    power_kw: FloatArray
    heat_liquid_kw: FloatArray
    heat_air_kw: FloatArray
    airflow_m3_s: FloatArray
    coolant_l_min: FloatArray
    area_m2: FloatArray


@dataclass(frozen=True)
class FleetResult:
    """Quantity arrays per item, plus totals."""

    power: Quantity
    heat_liquid: Quantity
    heat_air: Quantity
    airflow: Quantity
    coolant_flow: Quantity
    area: Quantity

    def totals(self) -> dict[str, Quantity]:
        return {
            name: getattr(self, name).sum()
            for name in ("power", "heat_liquid", "heat_air", "airflow", "coolant_flow", "area")
        }


def fleet_kernel(
    idle_kw: FloatArray,
    busy_kw: FloatArray,
    utilisation: FloatArray,
    liquid_fraction: FloatArray,
    area_m2: FloatArray,
    air_delta_t_k: float,
    liquid_delta_t_k: float,
    coolant_cp_kj_kg_k: float,
    coolant_density_kg_m3: float,
    air_cp_kj_kg_k: float = 1.006,
    air_density_kg_m3: float = 1.20,
) -> FleetArrays:
    """Power, heat split, airflow, coolant flow and area for every item.

    ``P = P_idle + (P_busy - P_idle) u``; ``Q_liq = f P``; ``Q_air = P - Q_liq``;
    ``V_air = Q_air / (rho_a cp_a dT_air)``; ``V_liq = Q_liq / (rho cp dT_liq)`` (units as named).
    """
    power_kw = power.power_at_utilisation_kw(idle_kw, busy_kw, utilisation)
    liquid, air = thermal.split_heat_kw(power_kw, liquid_fraction)
    airflow = thermal.air_volume_flow_m3_s(air, air_delta_t_k, air_density_kg_m3, air_cp_kj_kg_k)
    coolant = thermal.coolant_volume_flow_l_min(liquid, liquid_delta_t_k, coolant_cp_kj_kg_k, coolant_density_kg_m3)
    return FleetArrays(power_kw, liquid, air, airflow, coolant, np.asarray(area_m2, dtype=float))


def _delta_k(value: Quantity) -> float:
    """A temperature difference in K; "10 degC" is read as a 10 K rise, as planners mean it."""
    return float(_DELTA_T.convert(value).magnitude)


def _fraction(name: str, values: FloatArray) -> FloatArray:
    """Check a share lies within [0, 1]; NaN fails too (min/max propagate it)."""
    if values.size and not (values.min() >= 0.0 and values.max() <= 1.0):
        raise ValueError(f"{name} must be within [0, 1]")
    return values


def _power_kw(name: str, value: Quantity) -> FloatArray:
    """A power array in kW (no copy when already in kW); rejects NaN, infinities and negatives."""
    magnitude = np.asarray(value.m_as(_KW), dtype=float)
    if magnitude.size and not (magnitude.min() >= 0.0 and np.isfinite(magnitude.max())):
        raise ValueError(f"{name} must be finite and non-negative")
    return magnitude


def evaluate_fleet(
    idle_power: Quantity,
    busy_power: Quantity,
    utilisation: FloatArray,
    liquid_fraction: FloatArray,
    area: Quantity,
    air_delta_t: Quantity,
    liquid_delta_t: Quantity,
    coolant_specific_heat: Quantity,
    coolant_density: Quantity,
) -> FleetResult:
    """Unit-aware wrapper of ``fleet_kernel``: any compatible units in, canonical units out."""
    result = fleet_kernel(
        _power_kw("idle_power", idle_power),
        _power_kw("busy_power", busy_power),
        _fraction("utilisation", np.asarray(utilisation, dtype=float)),
        _fraction("liquid_fraction", np.asarray(liquid_fraction, dtype=float)),
        area.m_as(_M2),
        _delta_k(air_delta_t),
        _delta_k(liquid_delta_t),
        float(coolant_specific_heat.m_as(_KJ_KG_K)),
        float(coolant_density.m_as(_KG_M3)),
    )
    quantity = ureg.Quantity
    return FleetResult(
        power=quantity(result.power_kw, _KW),
        heat_liquid=quantity(result.heat_liquid_kw, _KW),
        heat_air=quantity(result.heat_air_kw, _KW),
        airflow=quantity(result.airflow_m3_s, _M3_S),
        coolant_flow=quantity(result.coolant_l_min, _L_MIN),
        area=quantity(result.area_m2, _M2),
    )
