"""ASHRAE liquid-cooling facility water classes and the physics that follows from one.

The class number is the maximum facility supply temperature [degC] (docs/reference.md,
"ASHRAE water classes"). W+ has no upper bound in the standard ("above 45 degC"); dcplan
plans it at 50 degC (assumption: the lowest round figure above W45).

A system on a loop accepts a class when its coolant inlet limit is at least the class's
supply: ``T_inlet,max >= T_supply(class)``.

Energy Reuse Factor (EN 50600-4-6, ISO/IEC 30134-6, docs/reference.md): ``ERF = E_reused / E_DC``
with ``E_DC`` the data centre's total annual energy [kWh/kWh, 0..1].

Heat reuse offtake: the loop's heat is usable directly only when its return is at least the
temperature the taker needs, ``T_return = T_supply + dT >= T_taker``; the energy reused a year
is ``E_reused = min(P_offtake, Q_liquid,avg) * h`` [MWh] with ``Q_liquid,avg`` the heat on the
facility-water loop at average load and ``h`` the hours a year the taker accepts heat.
"""

from __future__ import annotations

#: class -> facility supply temperature the loop is planned at [degC]
WATER_CLASS_SUPPLY_C: dict[str, float] = {"W27": 27.0, "W32": 32.0, "W40": 40.0, "W45": 45.0, "W+": 50.0}
WATER_CLASSES: tuple[str, ...] = tuple(WATER_CLASS_SUPPLY_C)


def class_supply_c(water_class: str) -> float:
    """The facility supply temperature a class is planned at [degC]."""
    return WATER_CLASS_SUPPLY_C[water_class]


def accepts_class(inlet_max_c: float | None, water_class: str) -> bool:
    """``T_inlet,max >= T_supply(class)``; a system without a stated limit accepts any class."""
    return inlet_max_c is None or inlet_max_c >= class_supply_c(water_class) - 1e-9


def return_c(supply_c: float, delta_t_k: float) -> float:
    """Loop return temperature ``T_return = T_supply + dT`` [degC]."""
    return supply_c + delta_t_k


def energy_reuse_factor(reused_kwh: float, facility_kwh: float) -> float:
    """``ERF = E_reused / E_DC`` (EN 50600-4-6); 0 for a facility that uses no energy."""
    return reused_kwh / facility_kwh if facility_kwh > 0 else 0.0


def reuse_usable(return_temp_c: float, taker_c: float) -> bool:
    """``T_return >= T_taker``: the taker can use the loop's return heat without a heat pump."""
    return return_temp_c >= taker_c - 1e-9


def captured_average_kw(liquid_loop_kw: float, it_average_kw: float, it_provisioned_kw: float) -> float:
    """Heat on the facility-water loop at average load: ``Q_l * P_avg / P_prov`` [kW thermal]."""
    return liquid_loop_kw * it_average_kw / it_provisioned_kw if it_provisioned_kw > 0 else 0.0


def reused_mwh(offtake_kw: float, captured_kw: float, hours: float) -> float:
    """``E_reused = min(P_offtake, Q_captured) * h / 1000`` [MWh thermal a year]."""
    return max(0.0, min(offtake_kw, captured_kw)) * hours / 1000.0
