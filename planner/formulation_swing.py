"""The swing part of the Pyomo formulation (planner.formulation), the same rows, columns and
costs as planner.matrix_swing writes for HiGHS directly:

- battery_kw[s], battery_kwh[s] >= 0 where the site's [[utility_limit]] allows a battery;
  floor_kw[s] >= 0 where it allows a power floor   [kW, kWh; continuous]
- site_swing[s]:     sum_o A_o * units[o] - battery_kw[s] - floor_kw[s] <= band(s)   [kW]
- battery_energy[s]: d * battery_kw[s] - battery_kwh[s] <= 0                          [kWh]
- capex += c_kW * battery_kw + c_kWh * battery_kwh [MUSD]; annual opex += c_floor * floor_kw [MUSD/yr]

(A_o: swing per unit after its own storage; d: battery hours per kW; models.swing.)
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from dcplan.planner.swing_data import swing_row_sites


def define_swing_variables(m: Any, data: Any) -> None:
    """The swing sets and variables (empty without a [[utility_limit]])."""
    sites = sorted(data.swing)
    m.SWB = pyo.Set(initialize=[s for s in sites if "battery" in data.swing[s].allowed], ordered=True)
    m.SWF = pyo.Set(initialize=[s for s in sites if "floor" in data.swing[s].allowed], ordered=True)
    m.SW = pyo.Set(initialize=swing_row_sites(data), ordered=True)
    m.battery_kw = pyo.Var(m.SWB, domain=pyo.NonNegativeReals)
    m.battery_kwh = pyo.Var(m.SWB, domain=pyo.NonNegativeReals)
    m.floor_kw = pyo.Var(m.SWF, domain=pyo.NonNegativeReals)


def swing_capex_terms(m: Any, data: Any) -> list[Any]:
    """``c_kW * battery_kw + c_kWh * battery_kwh`` per site [MUSD]."""
    terms: list[Any] = []
    for s in m.SWB:
        per_kw, per_kwh = data.swing[s].battery_capex_musd()
        terms += [per_kw * m.battery_kw[s], per_kwh * m.battery_kwh[s]]
    return terms


def swing_opex_terms(m: Any, data: Any) -> list[Any]:
    """``c_floor * floor_kw`` per site [MUSD/yr]."""
    return [data.swing[s].floor_opex_musd() * m.floor_kw[s] for s in m.SWF]


def define_swing_constraints(m: Any, data: Any) -> None:
    """site_swing and battery_energy (see the module docstring)."""

    def swing_rule(model: Any, s: str) -> Any:
        per_unit = data.swing[s].unit_swing_kw
        expr = pyo.quicksum(per_unit[o] * m.units[o] for o in m.O if per_unit.get(o, 0.0) != 0)
        if s in m.SWB:
            expr = expr - m.battery_kw[s]
        if s in m.SWF:
            expr = expr - m.floor_kw[s]
        return expr <= data.swing[s].band_kw

    m.site_swing = pyo.Constraint(m.SW, rule=swing_rule)
    m.battery_energy = pyo.Constraint(
        m.SWB, rule=lambda model, s: data.swing[s].prices.battery_hours * m.battery_kw[s] - m.battery_kwh[s] <= 0.0
    )
