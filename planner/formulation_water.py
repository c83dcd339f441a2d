"""The water-class part of the Pyomo formulation (planner.formulation), the same rows,
columns and costs as planner.matrix_water writes for HiGHS directly:

- water_class[h, k] in {0, 1} per ``[[water_loop]]`` hall h and allowed class k
- water_class_one[h]:  sum_k water_class[h, k] <= 1                     (one supply class per loop)
- water_class_use[o]:  units[o] - U_o * water_class[h(o), k(o)] <= 0    (units only on the chosen class)

with U_o = rows_available * units_per_row_max, the units bound of option o. An option's
class sets its coefficients (plant power, water, energy; planner.water_data); a class a
system's coolant inlet limit excludes has no option at all.

Heat reuse, per hall h whose loop offers an offtake (planner.water_data.HeatReuse):

- heat_reuse[h] in [0, P_offtake] [kW thermal, average]
- heat_reuse_cap[h]:  heat_reuse[h] - sum_o q_o * units[o] <= 0   [kW]
  (q_o: heat a unit gives the taker, 0 unless its class's return T_supply + dT >= T_taker)
- annual_opex -= c * h / 1000 / 1e6 * heat_reuse[h]   [MUSD/yr]  (c: USD/MWh, h: hours a year)
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo


def water_pairs(data: Any) -> list[tuple[str, str]]:
    """(hall, class) of every water_class column, hall by hall in id order, coolest first."""
    return [(hall, k) for hall in sorted(data.water) for k in data.water[hall]]


def define_water_variables(m: Any, data: Any) -> None:
    """The water sets and binaries (empty without a [[water_loop]])."""
    m.WK = pyo.Set(initialize=water_pairs(data), dimen=2, ordered=True)
    m.WH = pyo.Set(initialize=sorted(data.water), ordered=True)
    m.WO = pyo.Set(initialize=[o.key for o in data.options if o.water_class is not None], ordered=True)
    m.water_class = pyo.Var(m.WK, domain=pyo.Binary)
    m.WR = pyo.Set(initialize=sorted(data.reuse), ordered=True)
    m.heat_reuse = pyo.Var(m.WR, domain=pyo.NonNegativeReals, bounds=lambda model, h: (0, data.reuse[h].capacity_kw))


def water_opex_terms(m: Any, data: Any) -> list[Any]:
    """``- c * h / 1000 / 1e6 * heat_reuse[h]`` [MUSD/yr]: the taker's payment, an opex credit."""
    return [-data.reuse[h].credit_musd_per_kw * m.heat_reuse[h] for h in m.WR]


def define_water_constraints(m: Any, data: Any) -> None:
    """water_class_one and water_class_use (see the module docstring)."""
    m.water_class_one = pyo.Constraint(
        m.WH, rule=lambda model, h: pyo.quicksum(m.water_class[h, k] for k in data.water[h]) <= 1
    )

    def use_rule(model: Any, o: str) -> Any:
        option = m.option[o]
        bound = option.rows_available * option.units_per_row_max
        return m.units[o] - bound * m.water_class[option.hall, option.water_class] <= 0

    m.water_class_use = pyo.Constraint(m.WO, rule=use_rule)

    def reuse_rule(model: Any, h: str) -> Any:
        heat = [o.reuse_kw_per_unit * m.units[o.key] for o in data.options if o.hall == h and o.reuse_kw_per_unit > 0]
        return m.heat_reuse[h] - pyo.quicksum(heat) <= 0

    m.heat_reuse_cap = pyo.Constraint(m.WR, rule=reuse_rule)
