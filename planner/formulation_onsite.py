"""The on-site power part of the Pyomo formulation (planner.formulation), the same rows,
columns and costs as planner.matrix_onsite writes for HiGHS directly (its docstring has the
rows with their units):

- prime_n[s] in 0..max_units (integer), prime_kw[s] >= 0 where the site may build units;
  curtail[s] binary, curtail_loss[s] >= 0 [PFLOPS] where it has a curtailment offer
- site_utility_power gains - P_usable * prime_n - G_c * curtail (``utility_terms``)
- prime_step, prime_energy, prime_capacity, prime_share, curtail_link
- capex += capex_unit * prime_n [MUSD]; opex += (c_e + v - c_grid) * 8760 * prime_kw
  + f * P_rated * prime_n [MUSD/yr] (variable O&M per kWh, fixed O&M per unit owned);
  max-compute's objective -= curtail_loss
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from dcplan.planner.matrix_onsite import curtail_big_m


def define_onsite_variables(m: Any, data: Any) -> None:
    """The on-site sets and variables (empty without an [[onsite_power]])."""
    sites = sorted(data.onsite)
    m.ONU = pyo.Set(initialize=[s for s in sites if data.onsite[s].has_units], ordered=True)
    m.ONC = pyo.Set(initialize=[s for s in sites if data.onsite[s].has_offer], ordered=True)
    m.prime_n = pyo.Var(m.ONU, domain=pyo.NonNegativeIntegers, bounds=lambda model, s: (0, data.onsite[s].max_units))
    m.prime_kw = pyo.Var(m.ONU, domain=pyo.NonNegativeReals)
    m.curtail = pyo.Var(m.ONC, domain=pyo.Binary)
    m.curtail_loss = pyo.Var(m.ONC, domain=pyo.NonNegativeReals)


def utility_terms(m: Any, data: Any, s: str) -> Any:
    """``P_usable * prime_n[s] + G_c * curtail[s]`` [kW]: what site_utility_power gains."""
    terms: list[Any] = []
    if s in m.ONU:
        terms.append(data.onsite[s].prime.usable_kw * m.prime_n[s])
    if s in m.ONC:
        terms.append(data.onsite[s].curtailment_grid_kw * m.curtail[s])
    return pyo.quicksum(terms)


def onsite_capex_terms(m: Any, data: Any) -> list[Any]:
    return [data.onsite[s].prime_capex_musd() * m.prime_n[s] for s in m.ONU]


def onsite_opex_terms(m: Any, data: Any) -> list[Any]:
    """(c_e + v - c_grid) * 8760 * prime_kw + f * P_rated * prime_n [MUSD/yr] per site."""
    on = data.onsite
    return [on[s].generation_opex_musd() * m.prime_kw[s] + on[s].fixed_om_musd() * m.prime_n[s] for s in m.ONU]


def curtail_loss_total(m: Any) -> Any:
    """sum_s curtail_loss[s] [PFLOPS] (subtracted from max-compute's objective)."""
    return pyo.quicksum(m.curtail_loss[s] for s in m.ONC)


def _units_sum(m: Any, per_unit: dict[str, float]) -> Any:
    return pyo.quicksum(v * m.units[k] for k, v in per_unit.items() if v != 0 and k in m.option)


def define_onsite_constraints(m: Any, data: Any) -> None:
    """prime_step, prime_energy, prime_capacity, prime_share, curtail_link."""
    on = data.onsite
    step_sites = [s for s in m.ONU if on[s].islanded]

    def grid_kw(s: str) -> float:
        return float(data.sites[s].limits.utility_power.magnitude)

    def energy_rule(model: Any, s: str) -> Any:
        offer = on[s].curtailment_grid_kw * m.curtail[s] if s in m.ONC else 0.0
        return _units_sum(m, on[s].average_kw) - m.prime_kw[s] - offer <= grid_kw(s)

    m.prime_step = pyo.Constraint(
        step_sites, rule=lambda model, s: _units_sum(m, on[s].step_kw) - on[s].prime.step_kw * m.prime_n[s] <= 0.0
    )
    m.prime_energy = pyo.Constraint(m.ONU, rule=energy_rule)
    m.prime_capacity = pyo.Constraint(
        m.ONU, rule=lambda model, s: m.prime_kw[s] - on[s].prime.usable_kw * m.prime_n[s] <= 0.0
    )
    m.prime_share = pyo.Constraint(m.ONU, rule=lambda model, s: m.prime_kw[s] - _units_sum(m, on[s].average_kw) <= 0.0)

    def link_rule(model: Any, s: str) -> Any:
        upper = {o: m.option[o].rows_available * m.option[o].units_per_row_max for o in m.O}
        big_m = curtail_big_m(data, s, upper)
        work = on[s].curtailed_share * _units_sum(m, on[s].pflops)
        return work - m.curtail_loss[s] + big_m * m.curtail[s] <= big_m

    m.curtail_link = pyo.Constraint(m.ONC, rule=link_rule)
