"""The Pyomo mixed-integer model of a scenario.

Units inside the model (plain floats): power kW, apparent power kVA, heat kW, area m**2,
compute PFLOPS (peak dense at the scenario precision; delivered PFLOPS for the delivered
objectives, demands and shares), money MUSD (millions of US dollars).

Sets
    O  options: (row template, system, cooling) triples that passed pruning
    K  cloud offers;  H halls;  S sites;  R row templates;  W workloads
    E  eligible (workload, supply group) pairs: a group's supplies (in O or K) have the same
       system and pair figures (planner.delivered.supply_groups), e names the first of them
    P  paid portings (workload, software stack) (planner.porting)

Decisions
    units[o]    integer deployment units of option o (over all rows of its template)
    rows[o]     integer rows of the template given to option o (one system, one cooling per row)
    rent[k]     integer rented units of cloud offer k
    hall_used[h] binary: the hall is fitted out (built, for optional halls)
    site_used[s] binary: the site hosts anything (spare generator)
    ups_n[h], xfmr_n[h], gen_n[s]  integer equipment before redundancy
    alloc[w, e] continuous deployment units of supply group e given to workload w
    port[w, k]  binary: workload w is ported to stack k (its cost is paid)

Every constraint family is built by a ``define_*`` function whose docstring states the
formula and units.

This is the documented, readable formulation. Plans are solved on the same LP assembled
with numpy by planner/matrix.py (no per-constraint Python walk; tests/planner/test_direct_lp.py
asserts the two hand HiGHS identical LPs); the elastic model of the infeasibility diagnosis
is still built here and solved through Pyomo.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyomo.environ as pyo

from dcplan.planner import formulation_onsite as fo
from dcplan.planner import formulation_swing as fs
from dcplan.planner import formulation_water as fw

# shared with the matrix builder, which must not import Pyomo
from dcplan.planner.matrix import TFLOPS_PER_PFLOPS, USD_PER_MUSD, _redundancy_terms, tie_break_weight
from dcplan.planner.matrix_workloads import (
    Term,
    basis_terms,
    delivered_objective_terms,
    pairs_in_order,
    ratio_terms,
    share_members,
    smallest_weight,
)
from dcplan.planner.modeldata import ModelData
from dcplan.planner.porting import port_columns

#: Constraint families an elastic (diagnostic) model may relax, and the size of one
#: "step" of relaxation in model units, used to weigh slacks against each other.
ELASTIC_FAMILIES: dict[str, tuple[str, float, str]] = {
    # family: (group, step in model units, unit of the step)
    "site_utility_power": ("capacity", 1000.0, "kW"),
    "hall_it_power": ("capacity", 1000.0, "kW"),
    "hall_liquid_plant": ("capacity", 1000.0, "kW"),
    "hall_air_plant": ("capacity", 1000.0, "kW"),
    "hall_area": ("capacity", 100.0, "m**2"),
    "budget": ("capacity", 100.0, "MUSD"),
    "opex_budget": ("capacity", 10.0, "MUSD"),
    "candidate_max": ("capacity", 1.0, "units"),
    "workload_demand": ("demand", 1.0, "relative"),
    # a share slack is a fraction of the largest possible compute: relaxing a share floor
    # by all of it weighs as much as dropping all of one demand (so a floor that is the real
    # cause is relaxed, rather than every demand dropped to meet it vacuously)
    "share_min": ("demand", 1.0, "share"),
    "share_max": ("demand", 1.0, "share"),
    "candidate_min": ("demand", 1.0, "units"),
}


def build_model(data: ModelData, elastic: frozenset[str] = frozenset()) -> pyo.ConcreteModel:
    """Build the ConcreteModel for ``data`` (deterministic: every set is sorted).

    ``elastic`` names groups of ELASTIC_FAMILIES ("capacity", "demand") whose constraints
    get a non-negative slack; the objective then minimises the weighted slack instead.
    """
    m = pyo.ConcreteModel(name=data.scenario.scenario.id)
    m.dcplan_data = data  # kept for result extraction; not a Pyomo component
    m.elastic_families = {f for f, (group, _, _) in ELASTIC_FAMILIES.items() if group in elastic}
    m.slack_terms = []  # (family, index, slack var, weight)
    define_sets(m, data)
    define_variables(m, data)
    fs.define_swing_variables(m, data)
    fw.define_water_variables(m, data)
    fo.define_onsite_variables(m, data)
    define_expressions(m, data)
    define_row_constraints(m, data)
    define_hall_constraints(m, data)
    define_site_constraints(m, data)
    fs.define_swing_constraints(m, data)  # site_swing, battery_energy (planner.formulation_swing)
    fw.define_water_constraints(m, data)  # water_class_one, water_class_use (planner.formulation_water)
    fo.define_onsite_constraints(m, data)  # prime_step ... curtail_link (planner.formulation_onsite)
    define_money_constraints(m, data)
    define_workload_constraints(m, data)
    define_porting_constraints(m, data)
    define_share_constraints(m, data)
    define_candidate_bounds(m, data)
    define_objective(m, data)
    return m


def _settled(expr: Any) -> Any:
    """An expression that lost all its variables (e.g. a hall whose options were all pruned)
    is a plain bool: turn it into Constraint.Feasible / Infeasible instead of a Pyomo error."""
    if isinstance(expr, bool):
        return pyo.Constraint.Feasible if expr else pyo.Constraint.Infeasible
    return expr


def constraint(*index: Any, rule: Any = None, expr: Any = None) -> Any:
    """pyo.Constraint whose rule (or expression) may collapse to a constant."""
    if rule is not None:
        return pyo.Constraint(*index, rule=lambda model, *i: _settled(rule(model, *i)))
    return pyo.Constraint(*index, expr=_settled(expr))


def slack(m: Any, family: str, index: Any, weight: float = 1.0) -> Any:
    """A non-negative slack for one constraint of an elastic family (0 otherwise).

    ``weight`` turns the slack into "steps" (e.g. per MW): slack / (step * weight).
    """
    if family not in m.elastic_families:
        return 0.0
    name = f"slack_{family}"
    if not hasattr(m, name):
        m.add_component(name, pyo.Var(pyo.Any, dense=False, domain=pyo.NonNegativeReals))
    var = getattr(m, name)[index]
    m.slack_terms.append((family, index, var, ELASTIC_FAMILIES[family][1] * weight))
    return var


def define_sets(m: Any, data: ModelData) -> None:
    """Sparse index sets: only options that survived pruning, only eligible (workload, group) pairs."""
    m.O = pyo.Set(initialize=[o.key for o in data.options], ordered=True)
    m.K = pyo.Set(initialize=[c.key for c in data.clouds], ordered=True)
    m.H = pyo.Set(initialize=sorted(data.halls), ordered=True)
    m.S = pyo.Set(initialize=sorted(data.sites), ordered=True)
    m.R = pyo.Set(initialize=sorted({o.row for o in data.options}), ordered=True)
    m.W = pyo.Set(initialize=[w.id for w in data.workloads], ordered=True)
    m.E = pyo.Set(initialize=pairs_in_order(data), dimen=2, ordered=True)
    m.group = data.supply_groups  # first supply of a group -> its supplies
    m.port_columns = port_columns(data)
    m.P = pyo.Set(initialize=[(c.workload, c.stack) for c in m.port_columns], dimen=2, ordered=True)
    m.option = {o.key: o for o in data.options}
    m.cloud = {c.key: c for c in data.clouds}
    # Index maps built in one pass (in O / K / E order), so rules never scan a whole set.
    m.options_by = {attr: defaultdict(list) for attr in ("row", "hall", "site", "system")}
    for o in data.options:
        for attr, groups in m.options_by.items():
            groups[getattr(o, attr)].append(o.key)
    m.clouds_by_system = defaultdict(list)
    for c in data.clouds:
        m.clouds_by_system[c.system].append(c.key)
    m.users_of = defaultdict(list)  # supply -> workloads, in E order
    m.pairs_of = defaultdict(list)  # workload -> supplies, in E order
    for w, e in m.E:
        m.users_of[e].append(w)
        m.pairs_of[w].append(e)


def define_variables(m: Any, data: ModelData) -> None:
    """Integer units and rows per option, rented units, equipment counts, allocations."""

    def units_bounds(model: Any, key: str) -> tuple[int, int]:
        option = m.option[key]
        return 0, option.rows_available * option.units_per_row_max

    m.units = pyo.Var(m.O, domain=pyo.NonNegativeIntegers, bounds=units_bounds)
    m.rows = pyo.Var(m.O, domain=pyo.NonNegativeIntegers, bounds=lambda model, k: (0, m.option[k].rows_available))
    m.racks = pyo.Var(m.O, domain=pyo.NonNegativeIntegers)
    m.rent = pyo.Var(m.K, domain=pyo.NonNegativeIntegers, bounds=lambda model, k: (0, m.cloud[k].quota))
    m.hall_used = pyo.Var(m.H, domain=pyo.Binary)
    m.site_used = pyo.Var(m.S, domain=pyo.Binary)
    m.ups_n = pyo.Var(m.H, domain=pyo.NonNegativeIntegers)
    m.xfmr_n = pyo.Var(m.H, domain=pyo.NonNegativeIntegers)
    m.gen_n = pyo.Var(m.S, domain=pyo.NonNegativeIntegers)
    m.alloc = pyo.Var(m.E, domain=pyo.NonNegativeReals)
    m.port = pyo.Var(m.P, domain=pyo.Binary)


def _supply_compute(m: Any, key: str) -> Any:
    """Compute of a supply in PFLOPS: option units or rented units times PFLOPS per unit."""
    if key in m.option:
        return m.option[key].compute_per_unit / TFLOPS_PER_PFLOPS * m.units[key]
    return m.cloud[key].compute_per_unit / TFLOPS_PER_PFLOPS * m.rent[key]


def define_expressions(m: Any, data: ModelData) -> None:
    """compute_total [PFLOPS], capex [MUSD] (with C[w, k] x port[w, k] of the paid portings),
    annual_opex [MUSD/yr] (paid), tco [MUSD] = capex + PV x (annual_opex - heat reuse revenue)."""
    m.compute_total = pyo.Expression(expr=pyo.quicksum(_supply_compute(m, k) for k in [*m.O, *m.K]))

    capex_terms = [m.option[o].capex_per_unit_usd / USD_PER_MUSD * m.units[o] for o in m.O]
    capex_terms += [m.option[o].pdu_capex_per_rack_usd / USD_PER_MUSD * m.racks[o] for o in m.O]
    capex_terms += [m.option[o].busway_capex_per_row_usd / USD_PER_MUSD * m.rows[o] for o in m.O]
    for h in m.H:
        hall = data.halls[h]
        a, b, _ = _redundancy_terms(hall.redundancy)
        capex_terms.append(hall.ups_capex_usd / USD_PER_MUSD * (a * m.ups_n[h] + b * m.hall_used[h]))
        capex_terms.append(hall.transformer_capex_usd / USD_PER_MUSD * (a * m.xfmr_n[h] + b * m.hall_used[h]))
        capex_terms.append(hall.build_cost_usd / USD_PER_MUSD * m.hall_used[h])
    for s in m.S:
        site = data.sites[s]
        a, b, _ = _redundancy_terms(site.generator_redundancy)
        capex_terms.append(site.generator_capex_usd / USD_PER_MUSD * (a * m.gen_n[s] + b * m.site_used[s]))
    capex_terms += [c.cost_musd * m.port[c.workload, c.stack] for c in m.port_columns]
    capex_terms += fs.swing_capex_terms(m, data)
    capex_terms += fo.onsite_capex_terms(m, data)
    m.capex = pyo.Expression(expr=pyo.quicksum(capex_terms))

    opex_terms = [m.option[o].energy_cost_per_unit_usd / USD_PER_MUSD * m.units[o] for o in m.O]
    opex_terms += [m.cloud[k].annual_cost_usd / USD_PER_MUSD * m.rent[k] for k in m.K]
    opex_terms += fs.swing_opex_terms(m, data)
    opex_terms += fo.onsite_opex_terms(m, data)
    m.annual_opex = pyo.Expression(expr=pyo.quicksum(opex_terms))  # what is paid (the opex budget's)
    credit = pyo.quicksum(fw.water_opex_terms(m, data))  # heat reuse revenue (planner.formulation_water)
    m.tco = pyo.Expression(expr=m.capex + data.pv_factor * (m.annual_opex + credit))


def define_row_constraints(m: Any, data: ModelData) -> None:
    """Per row template r and option o (rows[o] identical rows of the template hold option o):

    - row_count[r]:        sum_o rows[o] <= n_rows(r) * hall_used[h(r)]                       [rows]
    - rack_count[o]:       racks[o] >= r_unit * units[o]  (servers: 1 / servers per rack)      [racks]
    - rack_count_ragged[o]: servers whose row cap n is not a multiple of x per rack (a row may
      end with a part-full rack; f = floor(n / x), q = n mod x):
                           racks[o] >= f * rows[o] + (units[o] - f * x * rows[o]) / q         [racks]
      (with rack_count, the fewest racks of any fill of units[o] into rows[o] rows)
    - row_positions[o]:    units[o] <= floor(P / r_unit) * n_per_rack * rows[o]                [units]
      (a unit's r_unit racks are adjacent and never straddle two rows)
    - row_busway[o]:       units[o] <= floor(P_feed / P_IT,unit) * rows[o]                     [units]
      (each feed of an A/B row carries the whole row, so the row survives losing a feed)
    - row_liquid_heat[o]:  units[o] <= floor(Q_liq,row / Q_liq,unit) * rows[o]                  [units]
    - row_air_heat[o]:     units[o] <= floor(Q_air,row / Q_air,unit) * rows[o]                  [units]

    The per-row limits are whole numbers of units per row: a row holds an integer number of
    units, so the aggregated "units <= cap * rows" is exact for identical rows filled in turn
    (a row of servers may end with a part-full rack; the layout places it and the re-check
    checks it).
    """
    rows_of = m.options_by["row"]
    count_of = {o.row: (o.rows_available, o.hall) for o in data.options}
    m.row_count = constraint(
        m.R,
        rule=lambda model, r: (
            pyo.quicksum(m.rows[o] for o in rows_of[r]) <= count_of[r][0] * m.hall_used[count_of[r][1]]
        ),
    )
    # Servers whose row cap n is not a multiple of x per rack (f = floor(n / x) full racks and
    # q = n mod x more units per row): when units exceed the f * x * rows that fit in full
    # racks, each further rack holds at most q, so racks >= f * rows + (units - f * x * rows) / q.
    # With racks >= units / x this is exactly the fewest racks of any legal fill (racks[o] is
    # integer), and planner.layout.fill_rows places that fill.
    ragged = [
        o
        for o in m.O
        if m.option[o].units_per_rack > 1 and m.option[o].units_per_row_max % m.option[o].units_per_rack != 0
    ]

    def ragged_rule(model: Any, o: str) -> Any:
        n, x = m.option[o].units_per_row_max, m.option[o].units_per_rack
        f, q = n // x, n % x
        return m.racks[o] >= f * m.rows[o] + (m.units[o] - f * x * m.rows[o]) / q

    m.rack_count = constraint(m.O, rule=lambda model, o: m.racks[o] >= m.option[o].racks_per_unit * m.units[o])
    m.rack_count_ragged = constraint(ragged, rule=ragged_rule)

    def cap_rule(name: str) -> Any:
        return lambda model, o: m.units[o] <= m.option[o].row_caps[name] * m.rows[o]

    for family, name in (
        ("row_positions", "positions"),
        ("row_busway", "busway"),
        ("row_liquid_heat", "liquid"),
        ("row_air_heat", "air"),
    ):
        index = [o for o in m.O if name in m.option[o].row_caps]
        m.add_component(family, constraint(index, rule=cap_rule(name)))


def define_hall_constraints(m: Any, data: ModelData) -> None:
    """Per hall h (sums over options o in h):

    - hall_it_power[h]:     sum P_IT,unit * units <= P_IT,cap(h)                                [kW]
    - hall_liquid_plant[h]: sum Q_facility-water,unit * units <= Q_liq,plant(h)                 [kW]
    - hall_air_plant[h]:    sum (Q_CHW,unit + P_elec-loss,unit) * units <= Q_air,plant(h)        [kW]
    - hall_area[h]:         sum A_gross,rack * (racks[o] + n_o * units[o]) <= A(h)  (n: network racks) [m**2]
    - hall_ups[h]:          sum P_UPS,unit * units <= c * C_UPS-module * ups_n[h]                [kW]
    - hall_transformer[h]:  sum S_xfmr,unit * units <= c * S_xfmr * xfmr_n[h]                    [kVA]
      (c = 2 for distributed redundancy, where each of three systems carries half; else 1)
    """
    opts = {h: m.options_by["hall"].get(h, []) for h in m.H}

    def total(h: str, attr: Any) -> Any:
        return pyo.quicksum(attr(m.option[o]) * m.units[o] for o in opts[h])

    m.hall_it_power = constraint(
        m.H,
        rule=lambda model, h: (
            total(h, lambda o: o.coeff.it_provisioned_kw)
            <= float(data.halls[h].hall.it_power_cap.magnitude) + slack(m, "hall_it_power", h)
        ),
    )
    m.hall_liquid_plant = constraint(
        m.H,
        rule=lambda model, h: (
            total(h, lambda o: o.coeff.liquid_loop_kw)
            <= float(data.halls[h].hall.liquid_plant_capacity.magnitude) + slack(m, "hall_liquid_plant", h)
        ),
    )
    m.hall_air_plant = constraint(
        m.H,
        rule=lambda model, h: (
            total(h, lambda o: o.coeff.air_loop_kw + o.coeff.electrical_loss_design_kw)
            <= float(data.halls[h].hall.air_plant_capacity.magnitude) + slack(m, "hall_air_plant", h)
        ),
    )
    with_area = [h for h in m.H if data.halls[h].hall.area is not None]
    m.hall_area = constraint(
        with_area,
        rule=lambda model, h: (
            pyo.quicksum(m.option[o].coeff.gross_area_m2 * m.racks[o] for o in opts[h])
            + pyo.quicksum(
                m.option[o].network_area_m2_per_unit * m.units[o]
                for o in opts[h]
                if m.option[o].network_area_m2_per_unit > 0
            )
            <= float(data.halls[h].hall.area.magnitude) + slack(m, "hall_area", h)  # type: ignore[union-attr]
        ),
    )

    def spread(h: str) -> float:
        return _redundancy_terms(data.halls[h].redundancy)[2]

    m.hall_ups = constraint(
        m.H,
        rule=lambda model, h: (
            total(h, lambda o: o.ups_kw_per_unit) <= spread(h) * data.halls[h].ups_module_kw * m.ups_n[h]
        ),
    )
    m.hall_transformer = constraint(
        m.H,
        rule=lambda model, h: (
            total(h, lambda o: o.transformer_kva_per_unit) <= spread(h) * data.halls[h].transformer_kva * m.xfmr_n[h]
        ),
    )


def define_site_constraints(m: Any, data: ModelData) -> None:
    """Per site s (sums over options at s):

    - site_utility_power[s]: sum P_facility,design,unit * units <= P_utility(s)   [kW, design day,
      including cooling power, electrical losses and lighting]
    - site_generators[s]:    sum P_facility,design,unit * units <= c * P_gen,derated * gen_n[s]   [kW]
    - site_used_link[h]:     hall_used[h] <= site_used[s(h)]
    """
    opts = {s: m.options_by["site"].get(s, []) for s in m.S}

    def facility(s: str) -> Any:
        return pyo.quicksum(m.option[o].facility_design_kw_per_unit * m.units[o] for o in opts[s])

    m.site_utility_power = constraint(
        m.S,
        rule=lambda model, s: (
            facility(s) - fo.utility_terms(m, data, s)
            <= float(data.sites[s].limits.utility_power.magnitude) + slack(m, "site_utility_power", s)
        ),
    )
    m.site_generators = constraint(
        m.S,
        rule=lambda model, s: (
            facility(s)
            <= _redundancy_terms(data.sites[s].generator_redundancy)[2] * data.sites[s].generator_kw * m.gen_n[s]
        ),
    )
    m.site_used_link = constraint(m.H, rule=lambda model, h: m.hall_used[h] <= m.site_used[data.halls[h].site])


def define_money_constraints(m: Any, data: ModelData) -> None:
    """budget:       capex <= B                               [MUSD]
    opex_budget:  annual energy + cloud rental <= B_opex     [MUSD/yr]
    """
    header = data.scenario.scenario
    if header.budget is not None:
        m.budget = constraint(expr=m.capex <= float(header.budget.magnitude) / USD_PER_MUSD + slack(m, "budget", None))
    if header.annual_opex_budget is not None:
        m.opex_budget = constraint(
            expr=m.annual_opex
            <= float(header.annual_opex_budget.magnitude) / USD_PER_MUSD + slack(m, "opex_budget", None)
        )


def define_workload_constraints(m: Any, data: ModelData) -> None:
    """supply_capacity[e]: sum_w alloc[w, e] <= sum_(k in group(e)) units[k] (rent[k] for a
                        cloud offer)                                               [units]
    workload_demand[w]:  sum_e rate[w, e] * alloc[w, e] >= need(w)

    rate and need in the workload's demand unit (planner.delivered): delivered PFLOPS per
    unit for the delivered forms, peak PFLOPS per unit for the peak shorthand, chips per
    unit for chips.
    """
    supplies = sorted(m.users_of)
    users = m.users_of
    m.supply_capacity = constraint(
        supplies,
        rule=lambda model, e: (
            pyo.quicksum(m.alloc[w, e] for w in users[e]) <= pyo.quicksum(_supply_units(m, k) for k in m.group[e])
        ),
    )

    def demand_rule(model: Any, w: str) -> Any:
        pairs = m.pairs_of.get(w, [])
        if not pairs and "workload_demand" not in m.elastic_families:
            return pyo.Constraint.Infeasible  # nothing may serve it (diagnosis says why)
        need = data.needs[w].value
        served = pyo.quicksum(data.pairs[w, e].rate * m.alloc[w, e] for e in pairs)
        # the elastic slack is weighed relative to the demand (1 step = 100 % of it)
        return served + slack(m, "workload_demand", w, weight=max(need, 1e-9)) >= need

    m.workload_demand = constraint(m.W, rule=demand_rule)


def define_porting_constraints(m: Any, data: ModelData) -> None:
    """port_link[w, k]: sum_(e of stack k) alloc[w, e] <= U[w, k] * port[w, k]          [units]

    U[w, k]: the sum of the unit upper bounds of the supplies of stack k that w may use, the
    most the left side can be (alloc <= units <= its bound), so the row only forces
    port = 1 when w is given any of them (planner.porting states the big-M).
    """
    columns = {(c.workload, c.stack): c for c in m.port_columns}
    m.port_link = constraint(
        m.P,
        rule=lambda model, w, k: (
            pyo.quicksum(m.alloc[p] for p in columns[w, k].pairs) - columns[w, k].bound_units * m.port[w, k] <= 0
        ),
    )


def _supply_units(m: Any, key: str) -> Any:
    return m.units[key] if key in m.option else m.rent[key]


def _linear(m: Any, terms: list[Term]) -> Any:
    """sum weight x variable[index] over (variable, index, weight) terms."""
    return pyo.quicksum(weight * getattr(m, variable)[index] for variable, index, weight in terms)


def _compute_upper_bound(m: Any, terms: list[Term] | None = None) -> float:
    """Largest possible total [PFLOPS, or the basis of ``terms``]: every variable at its upper
    bound (an allocation at its supply group's)."""
    if terms is None:
        terms = basis_terms(m.dcplan_data, "peak")

    def unit_upper(supply: str) -> float:
        return upper("units", supply) if supply in m.option else upper("rent", supply)

    def upper(variable: str, index: Any) -> float:
        if variable == "alloc":
            return sum(unit_upper(supply) for supply in m.group[index[1]])
        return float(getattr(m, variable)[index].ub or 0)

    return max(sum(weight * upper(variable, index) for variable, index, weight in terms), 1.0)


def define_share_constraints(m: Any, data: ModelData) -> None:
    """share_min[i]:       sum_{e in group} x(e) >= s_min * sum_e x(e)             [basis unit]
    share_min_some[i]:  sum_{e in group} x(e) >= x_min(group)
    share_max[i]:       sum_{e in group} x(e) <= s_max * sum_e x(e)

    x(e) on the bound's basis (planner.matrix_workloads.basis_terms): peak PFLOPS, delivered
    PFLOPS of the allocations, chips, facility kW or unit capex of the supply's units.
    A share floor is not vacuous: a floor s_min > 0 asks for that stack, so the group must
    hold at least one unit (x_min: the smallest weight of one member unit) and the plan
    cannot satisfy the floor by deploying nothing at all. A floor whose group has no member
    that can be placed or rented is infeasible (diagnosis.structural_problems names it);
    the re-check applies the same rule (a share of a zero total falls short of any floor).
    """
    shares = data.scenario.share
    indices = list(range(len(shares)))
    total = {basis: basis_terms(data, basis) for basis in {b.basis for b in shares}}
    group = {i: basis_terms(data, shares[i].basis, share_members(data, shares[i])) for i in indices}
    with_min = [i for i in indices if shares[i].min > 0]
    with_max = [i for i in indices if shares[i].max < 1]
    # Elastic mode: group + U * slack >= s_min * total, with U an upper bound of the total,
    # keeps the model linear; the slack reads as a share of the largest possible total.
    bound_of = {basis: _compute_upper_bound(m, terms) for basis, terms in total.items()}
    floor_slack = {i: slack(m, "share_min", i) for i in with_min}  # one slack relaxes both floor rows

    m.share_min = constraint(
        with_min,
        rule=lambda model, i: (
            _linear(m, group[i]) + bound_of[shares[i].basis] * floor_slack[i]
            >= shares[i].min * _linear(m, total[shares[i].basis])
        ),
    )
    m.share_min_some = constraint(
        with_min,
        rule=lambda model, i: (
            _linear(m, group[i]) + smallest_weight(group[i]) * floor_slack[i] >= smallest_weight(group[i])
        ),
    )
    m.share_max = constraint(
        with_max,
        rule=lambda model, i: (
            _linear(m, group[i])
            <= shares[i].max * _linear(m, total[shares[i].basis]) + bound_of[shares[i].basis] * slack(m, "share_max", i)
        ),
    )


def define_candidate_bounds(m: Any, data: ModelData) -> None:
    """candidate_min[s]: sum units of system s (deployed + rented) >= min_units(s); candidate_max likewise."""

    def units_of(system: str) -> Any:
        deployed = [m.units[o] for o in m.options_by["system"].get(system, [])]
        rented = [m.rent[k] for k in m.clouds_by_system.get(system, [])]
        return pyo.quicksum([*deployed, *rented])

    with_min = [c.system for c in data.scenario.candidate if c.min_units > 0]
    with_max = [c.system for c in data.scenario.candidate if c.max_units is not None]
    bounds = {c.system: c for c in data.scenario.candidate}
    m.candidate_min = constraint(
        with_min, rule=lambda model, s: units_of(s) + slack(m, "candidate_min", s) >= bounds[s].min_units
    )
    m.candidate_max = constraint(
        with_max, rule=lambda model, s: units_of(s) <= bounds[s].max_units + slack(m, "candidate_max", s)
    )


def define_objective(m: Any, data: ModelData) -> None:
    """max-compute: maximise compute_total - eps * tco (cost breaks ties);
    max-delivered: maximise sum d[w, e] * alloc[w, e] [delivered PFLOPS] - eps * tco;
    min-time-to-train: the same over the target's pairs (its time = budget / that rate);
    min-tco: minimise tco [MUSD] subject to the workload demands;
    min-cost-per-delivered (one Dinkelbach step, planner/ratio.py): minimise
    tco - w * sum d[w, e] * alloc[w, e] [MUSD], w = lambda * horizon days / 1e6
    (matrix_workloads.ratio_weight), subject to the demands;
    elastic: minimise sum slack / step (how many "steps" of relaxation), cost breaking ties.
    """
    if m.elastic_families:
        m.tie_break = tie_break_weight(data)
        relax = pyo.quicksum(var / step for _, _, var, step in m.slack_terms)
        m.objective = pyo.Objective(expr=relax + 1e-6 * m.tco, sense=pyo.minimize)
    elif data.scenario.scenario.objective == "min-tco":
        m.objective = pyo.Objective(expr=m.tco, sense=pyo.minimize)
    elif data.scenario.scenario.objective == "min-cost-per-delivered":
        m.objective = pyo.Objective(expr=m.tco + _linear(m, ratio_terms(data)), sense=pyo.minimize)
    elif data.scenario.scenario.objective in ("max-delivered", "min-time-to-train"):
        m.tie_break = tie_break_weight(data)
        m.delivered_total = pyo.Expression(expr=_linear(m, delivered_objective_terms(data)))
        m.objective = pyo.Objective(expr=m.delivered_total - m.tie_break * m.tco, sense=pyo.maximize)
    else:
        m.tie_break = tie_break_weight(data)
        work = m.compute_total - fo.curtail_loss_total(m)  # curtailed hours' work (planner.formulation_onsite)
        m.objective = pyo.Objective(expr=work - m.tie_break * m.tco, sense=pyo.maximize)
