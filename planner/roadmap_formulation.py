"""The Pyomo time-expanded model of a roadmap (issue 14): the documented, readable twin of
the production direct model (planner/roadmap_model.py), and the elastic model of the
roadmap diagnosis (planner/roadmap_diagnosis.py).

Units (plain floats) as in planner.formulation: kW, kVA, m**2, PFLOPS, MUSD; time in
years (y) and days; money at period start.

Index t = 0..T-1 (the roadmap's periods), y_t [y] the period's length, s_t [y] its start
from the roadmap start, days_t = hours_t / 24, df_t = (1 + r)^-s_t, E [y] the horizon end.

Blocks
    period[t]  planner.formulation.build_model(period_t.data) with its objective
               deactivated: the single-period physics of the STOCK in use in t (units,
               rows, racks, rent, hall_used, site_used, ups_n, xfmr_n, gen_n, alloc, port).
               A period scenario has no budget of its own (the roadmap's money rows below).

Linking decisions
    add[o, t]             integer units of option o bought in period t (ret[o, t], the
                          units retired, is the stock row's slack: an Expression)
    rows_built[r, t]      rows of template r with busway built by t (integer >= 0)
    racks_built[r, t]     racks of template r with PDUs built by t (integer >= 0)

Every linking family is built by a ``define_*`` function whose docstring states the rows
and their units. The extension families of planner.roadmap_model's ROADMAP_HOOKS (NVLink
Fusion slots, density pre-build classes, switch trays, cloud terms and Capacity Blocks, AWS
AI Factory) are in planner.roadmap_formulation_hooks, read from the same ``inputs.extras``;
tests/planner/test_roadmap_formulation_hooks.py checks both give HiGHS an LP of the same
size and optimum.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo

from dcplan.planner.formulation import build_model, constraint
from dcplan.planner.matrix import TFLOPS_PER_PFLOPS, USD_PER_MUSD, _redundancy_terms
from dcplan.planner.roadmap_families import life_periods, modules_within, residual_share
from dcplan.planner.roadmap_formulation_hooks import define_extensions, hook_terms
from dcplan.planner.roadmap_model import _without_money
from dcplan.planner.roadmap_types import LEAD_TIME_COLUMNS, RoadmapInputs
from dcplan.planner.roadmap_water import revenue_bound_musd
from dcplan.planner.solve import SolveSettings, classify

#: block columns built once and kept: X[t] >= X[t-1]
MONOTONE_COLUMNS = ("hall_used", "site_used", "ups_n", "xfmr_n", "gen_n", "port")

#: linking families an elastic (diagnostic) roadmap model may relax, one at a time
LINKING_FAMILIES = ("lead_times", "life", "budgets", "allocation_caps", "monotone_build", "purchase_window")

#: share of the smallest period's delivered work that the whole NPV term may be worth
TIE_BREAK_SHARE = 0.01


def build_roadmap_model(inputs: RoadmapInputs, elastic: frozenset[str] = frozenset()) -> pyo.ConcreteModel:
    """The time-expanded ConcreteModel of ``inputs`` (deterministic: every set is ordered).

    ``elastic`` names LINKING_FAMILIES whose rows get a non-negative slack; the objective
    then minimises the sum of the slacks (in each family's own unit) instead.
    """
    if not inputs.periods:
        raise ValueError("a roadmap needs at least one period")
    unknown = set(elastic) - set(LINKING_FAMILIES)
    if unknown:
        raise ValueError(f"not a linking family: {', '.join(sorted(unknown))}")
    m = pyo.ConcreteModel(name=f"roadmap:{inputs.scenario.scenario.id}" if inputs.scenario else "roadmap")
    m.dcplan_inputs = inputs
    m.elastic_families = set(elastic)
    m.slack_terms = []  # (family, index, slack var)
    m.link_slack = pyo.Var(pyo.Any, dense=False, domain=pyo.NonNegativeReals)
    define_periods(m, inputs)
    define_availability(m, inputs)
    define_stock(m, inputs)
    define_life(m, inputs)
    define_monotone_build(m, inputs)
    define_row_infrastructure(m, inputs)
    define_lead_times(m, inputs)
    define_allocation_caps(m, inputs)
    define_extensions(m, inputs)  # slots, density, trays, cloud terms, AI Factory
    define_money(m, inputs)
    define_money_rows(m, inputs)
    define_delivered(m, inputs)
    define_roadmap_objective(m, inputs)
    return m


def link_slack(m: Any, family: str, index: Any) -> Any:
    """A non-negative slack on one linking row of an elastic family (0 otherwise), a member
    of the sparse Var ``link_slack[family, index]``."""
    if family not in m.elastic_families:
        return 0.0
    var = m.link_slack[family, index]
    m.slack_terms.append((family, index, var))
    return var


def define_periods(m: Any, inputs: RoadmapInputs) -> None:
    """One Block per period: the single-period model of its data, objective deactivated.

    Every period lists the same options, clouds, halls and sites (RoadmapInputs), so the
    option set O, template set R and the block index sets are those of period 0.
    """
    m.T = pyo.Set(initialize=range(len(inputs.periods)), ordered=True)

    def block_rule(b: Any, t: int) -> None:
        single = build_model(_without_money(inputs.periods[t].data))
        single.objective.deactivate()
        b.transfer_attributes_from(single)

    m.period = pyo.Block(m.T, rule=block_rule)
    first = inputs.periods[0].data
    m.O = pyo.Set(initialize=[o.key for o in first.options], ordered=True)
    m.R = pyo.Set(initialize=sorted({o.row for o in first.options}), ordered=True)
    m.options_of_row = {r: [o.key for o in first.options if o.row == r] for r in m.R}
    m.system_of = {o.key: o.system for o in first.options}


def define_availability(m: Any, inputs: RoadmapInputs) -> None:
    """Bounds of the blocks' columns by period:

    - units[o, t] <= 0 when o is not installable in t (its system's available_from is later) [units]
    - hall_used[h, t] <= 0 when hall h is not ready in t (shell + fit-out)
    """
    for t in m.T:
        period, block = inputs.periods[t], m.period[t]
        for o in m.O:
            if o not in period.installable:
                block.units[o].setub(0)
        for h in block.H:
            if h not in period.halls_ready:
                block.hall_used[h].setub(0)


def define_stock(m: Any, inputs: RoadmapInputs) -> None:
    """add[o, t] integer in [0, units[o, t]'s bound] where o is purchasable (and installable)
    in t, and per option and period

    - stock[o, t]: units[o, t] - units[o, t-1] - add[o, t] <= 0, units[o, -1] = 0     [units]
      DESIGN14's ``... + ret[o, t] = 0`` with the retirement left implicit, as the direct
      model does: ret[o, t] = units[o, t-1] + add[o, t] - units[o, t] >= 0 (an Expression
      here, integer since the others are)
    - purchase_window[o, t] (elastic only): add[o, t] <= slack where o is not purchasable in t
      (before available_from, from available_until, or a zero allocation); otherwise such an
      add does not exist                                                              [units]
    """
    window = "purchase_window" in m.elastic_families
    buy = [
        (o, t)
        for t in m.T
        for o in m.O
        if window or (o in inputs.periods[t].purchasable and o in inputs.periods[t].installable)
    ]
    m.add = pyo.Var(buy, domain=pyo.NonNegativeIntegers, bounds=lambda model, o, t: (0, m.period[t].units[o].ub))
    closed = [(o, t) for o, t in buy if o not in inputs.periods[t].purchasable]
    m.purchase_window = constraint(
        closed, rule=lambda model, o, t: m.add[o, t] <= link_slack(m, "purchase_window", (o, t))
    )

    def held_before(o: str, t: int) -> Any:
        return m.period[t - 1].units[o] if t > 0 else 0

    m.stock = constraint(
        m.O, m.T, rule=lambda model, o, t: m.period[t].units[o] - held_before(o, t) - _term(m.add, (o, t)) <= 0
    )
    m.ret = pyo.Expression(
        m.O, m.T, rule=lambda model, o, t: held_before(o, t) + _term(m.add, (o, t)) - m.period[t].units[o]
    )


def _term(var: Any, index: Any) -> Any:
    """var[index], or 0 where the indexed Var has no such member (a Pyomo Var has no .get)."""
    if index not in var:
        return 0
    return var[index]


def define_life(m: Any, inputs: RoadmapInputs) -> None:
    """life[o, t] for t >= L_o (units added in tau serve tau .. tau + L_o - 1):

        units[o, t] - sum_{t - L_o < tau <= t} add[o, tau] <= 0                        [units]

    no stock older than its life; with the stock rows this is DESIGN14's "retired by t at
    least what was bought by t - L_o" (sum_{tau <= t} ret - sum_{tau <= t - L_o} add >= 0).
    L_o = life_periods(it_life_o, y) (planner.roadmap_families); an option without an IT
    life serves forever.
    """
    y = inputs.period_years
    limit = {o: life_periods(inputs.it_life_years[o], y) for o in m.O if o in inputs.it_life_years}
    index = [(o, t) for o in m.O if o in limit for t in m.T if t >= limit[o]]

    def life_rule(model: Any, o: str, t: int) -> Any:
        recent = pyo.quicksum(_term(m.add, (o, tau)) for tau in range(t - limit[o] + 1, t + 1))
        return m.period[t].units[o] - recent <= link_slack(m, "life", (o, t))

    m.life = constraint(index, rule=life_rule)


def define_monotone_build(m: Any, inputs: RoadmapInputs) -> None:
    """monotone_<X>[i, t] for t >= 1, X in MONOTONE_COLUMNS (halls fitted out, sites used,
    UPS modules, transformers, generators, portings: built once, kept):

        X[i, t] - X[i, t-1] >= 0                                     [the column's unit]
    """
    later = [t for t in m.T if t > 0]
    for name in MONOTONE_COLUMNS:
        index = [(i, t) for t in later for i in getattr(m.period[t], name)]

        def rule(model: Any, *it: Any, name: str = name) -> Any:
            *i, t = it
            key = i[0] if len(i) == 1 else tuple(i)
            now, before = getattr(m.period[t], name)[key], getattr(m.period[t - 1], name)[key]
            return now - before + link_slack(m, "monotone_build", (name, key, t)) >= 0

        m.add_component(f"monotone_{name}", constraint(index, rule=rule))


def define_row_infrastructure(m: Any, inputs: RoadmapInputs) -> None:
    """Per row template r (busway per row, PDUs per rack are kept when a row is refreshed):

    - rows_cover[r, t]:  rows_built[r, t] >= sum_{o in r} rows[o, t]                   [rows]
    - racks_cover[r, t]: racks_built[r, t] >= sum_{o in r} racks[o, t]                 [racks]
    - rows_monotone[r, t], racks_monotone[r, t] (t >= 1): built[r, t] - built[r, t-1] >= 0

    rows_built[r, t] <= the template's row count; integer, as the direct model has them
    (its start's repair keeps the budget rows over integer columns only).
    """
    rows_of = m.options_of_row
    rows_in = {r: m.period[0].option[rows_of[r][0]].rows_available for r in m.R}
    m.rows_built = pyo.Var(m.R, m.T, domain=pyo.NonNegativeIntegers, bounds=lambda model, r, t: (0, rows_in[r]))
    m.racks_built = pyo.Var(m.R, m.T, domain=pyo.NonNegativeIntegers)
    m.rows_cover = constraint(
        m.R, m.T, rule=lambda model, r, t: m.rows_built[r, t] >= pyo.quicksum(m.period[t].rows[o] for o in rows_of[r])
    )
    m.racks_cover = constraint(
        m.R,
        m.T,
        rule=lambda model, r, t: m.racks_built[r, t] >= pyo.quicksum(m.period[t].racks[o] for o in rows_of[r]),
    )
    later = [(r, t) for r in m.R for t in m.T if t > 0]
    m.rows_monotone = constraint(
        later,
        rule=lambda model, r, t: (
            m.rows_built[r, t] - m.rows_built[r, t - 1] + link_slack(m, "monotone_build", ("rows_built", r, t)) >= 0
        ),
    )
    m.racks_monotone = constraint(
        later,
        rule=lambda model, r, t: (
            m.racks_built[r, t] - m.racks_built[r, t - 1] + link_slack(m, "monotone_build", ("racks_built", r, t)) >= 0
        ),
    )


def ordered_by(inputs: RoadmapInputs, equipment: str, owner: str, t: int) -> int:
    """Units of ``equipment`` for ``owner`` on order at the start and delivered by period t."""
    return sum(o.count for o in inputs.ordered if o.equipment == equipment and o.owner == owner and o.delivered <= t)


def define_lead_times(m: Any, inputs: RoadmapInputs) -> None:
    """lead_<class>[owner, t] for each LEAD_TIME_COLUMNS class q with l = lead_periods[q] > 0,
    t < l (nothing ordered at the start arrives before period l):

        X[owner, t] <= floor((ordered_q(owner, delivered <= t) - b) / a)     [modules]

    X: xfmr_n / ups_n of a hall, gen_n of a site, counted before redundancy as the block
    counts them (installed = a X + b); an order counts physical units.
    Written as upper bounds of X (as the direct model does), as rows only when elastic.
    """
    for equipment, column in LEAD_TIME_COLUMNS.items():
        lead = inputs.lead_periods.get(equipment, 0)
        index = [(i, t) for t in m.T if t < lead for i in getattr(m.period[t], column)]
        if "lead_times" not in m.elastic_families:
            for i, t in index:
                var = getattr(m.period[t], column)[i]
                allowed = modules_within(inputs, equipment, i, ordered_by(inputs, equipment, i, t))
                var.setub(min(var.ub if var.ub is not None else math.inf, allowed))
            continue

        def rule(model: Any, i: str, t: int, equipment: str = equipment, column: str = column) -> Any:
            modules = modules_within(inputs, equipment, i, ordered_by(inputs, equipment, i, t))
            allowed = modules + link_slack(m, "lead_times", (equipment, i, t))
            return getattr(m.period[t], column)[i] <= allowed

        m.add_component(f"lead_{column}", constraint(index, rule=rule))


def define_allocation_caps(m: Any, inputs: RoadmapInputs) -> None:
    """allocation[p, t]: sum_{o of system p} add[o, t] <= cap_t(p)      [units added in t]

    Only where system p has an add column in t (a zero cap closes the purchase window).
    """
    options_of: dict[tuple[str, int], list[str]] = {}
    for o, t in m.add:
        options_of.setdefault((m.system_of[o], t), []).append(o)
    index = [(p, t) for t in m.T for p in inputs.periods[t].allocation_caps if (p, t) in options_of]
    m.allocation = constraint(
        index,
        rule=lambda model, p, t: (
            pyo.quicksum(m.add[o, t] for o in options_of[p, t])
            <= inputs.periods[t].allocation_caps[p] + link_slack(m, "allocation_caps", (p, t))
        ),
    )


def _delta(m: Any, name: str, index: Any, t: int) -> Any:
    """X[t] - X[t-1] of a block column (X[-1] = 0)."""
    now = getattr(m.period[t], name)[index]
    return now - getattr(m.period[t - 1], name)[index] if t > 0 else now


def _built_delta(var: Any, r: str, t: int) -> Any:
    return var[r, t] - var[r, t - 1] if t > 0 else var[r, t]


def row_infrastructure_capex(data: Any, r: str) -> tuple[float, float]:
    """(busway [MUSD per row], PDUs [MUSD per rack]) of template r: the dearest of its
    options (a row built for any of them carries that busway and those PDUs)."""
    options = [o for o in data.options if o.row == r]
    busway = max(o.busway_capex_per_row_usd for o in options) / USD_PER_MUSD
    pdu = max(o.pdu_capex_per_rack_usd for o in options) / USD_PER_MUSD
    return busway, pdu


def infrastructure_capex(m: Any, inputs: RoadmapInputs, t: int) -> Any:
    """Infrastructure capex of period t [MUSD]: the single-period capex coefficients of the
    built-once columns on their increments, and busway / PDUs on the rows / racks built.

    hall h: C_UPS (a dUPS_n + b dU_h) + C_xfmr (a dXF_n + b dU_h) + C_build dU_h;
    site s: C_gen (a dGEN_n + b dS_s); row r: busway_r drows_built + pdu_r dracks_built
    ((a, b) the redundancy terms of planner.matrix._redundancy_terms).
    """
    data, b = inputs.periods[t].data, m.period[t]
    terms = []
    for h in b.H:
        hall = data.halls[h]
        a, c, _ = _redundancy_terms(hall.redundancy)
        used = _delta(m, "hall_used", h, t)
        terms.append(hall.ups_capex_usd / USD_PER_MUSD * (a * _delta(m, "ups_n", h, t) + c * used))
        terms.append(hall.transformer_capex_usd / USD_PER_MUSD * (a * _delta(m, "xfmr_n", h, t) + c * used))
        terms.append(hall.build_cost_usd / USD_PER_MUSD * used)
    for s in b.S:
        site = data.sites[s]
        a, c, _ = _redundancy_terms(site.generator_redundancy)
        terms.append(
            site.generator_capex_usd / USD_PER_MUSD * (a * _delta(m, "gen_n", s, t) + c * _delta(m, "site_used", s, t))
        )
    for r in m.R:
        busway, pdu = row_infrastructure_capex(data, r)
        terms.append(busway * _built_delta(m.rows_built, r, t) + pdu * _built_delta(m.racks_built, r, t))
    return pyo.quicksum(terms)


def define_money(m: Any, inputs: RoadmapInputs) -> None:
    """Expressions per period t [MUSD]:

    - unit_capex[t] = sum_o capex_t(o) / 1e6 x add[o, t]  (capex_t: the period's price)
    - infra_capex[t] = infrastructure_capex(t)
    - port_capex[t]  = sum_(w, k) C[w, k] x (port[w, k, t] - port[w, k, t-1])
    - capex[t] = unit_capex[t] + infra_capex[t] + port_capex[t]
    - opex[t]  = y_t x (sum_o energy_o / 1e6 x units[o, t] + sum_k annual_k / 1e6 x rent[k, t])
    - residual = sum_t sum_o capex_t(o) / 1e6 x max(0, 1 - (E - s_t) / life_o) x add[o, t]
                 + sum_t infra_capex[t] x max(0, 1 - (E - s_t) / facility_life)
      (straight line, planner.roadmap_families.residual_share; a porting is sunk, and an
      option without a stated life has no residual: conservative, as the direct model)
    - npv_tco = sum_t df_t (capex[t] + opex[t]) - df_E x residual
    - the extension families' terms (``m.hook_money``, planner.roadmap_formulation_hooks):
      density builds in capex and residual, term rentals and AI Factory rates in opex (a
      termed offer's rent is not charged at the period's price), AI Factory unit prices
    """
    end = inputs.horizon_years

    def left(life: float | None, start: float) -> float:
        return residual_share(end, start, math.inf if life is None else life)

    def unit_price(t: int, o: str) -> float:
        if (o, t) in m.hook_money.unit_price:  # an AI Factory unit: its own (non-IT) capex
            return m.hook_money.unit_price[(o, t)]
        option = m.period[t].option[o]
        return inputs.periods[t].unit_capex_usd.get(o, option.capex_per_unit_usd) / USD_PER_MUSD

    m.unit_capex = pyo.Expression(
        m.T, rule=lambda model, t: pyo.quicksum(unit_price(t, o) * m.add[o, t] for o in m.O if (o, t) in m.add)
    )
    m.infra_capex = pyo.Expression(m.T, rule=lambda model, t: infrastructure_capex(m, inputs, t))

    def port_rule(model: Any, t: int) -> Any:
        columns = m.period[t].port_columns
        return pyo.quicksum(c.cost_musd * _delta(m, "port", (c.workload, c.stack), t) for c in columns)

    m.port_capex = pyo.Expression(m.T, rule=port_rule)
    m.capex = pyo.Expression(
        m.T, rule=lambda model, t: m.unit_capex[t] + m.infra_capex[t] + m.port_capex[t] + hook_terms(m, "capex", t)
    )

    def opex_rule(model: Any, t: int) -> Any:
        b = m.period[t]
        energy = [b.option[o].energy_cost_per_unit_usd / USD_PER_MUSD * b.units[o] for o in b.O]
        termed = m.hook_money.rent_paid_by_terms  # paid at the locked price of their starts
        rent = [b.cloud[k].annual_cost_usd / USD_PER_MUSD * b.rent[k] for k in b.K if k not in termed]
        return inputs.periods[t].years * pyo.quicksum(energy + rent) + hook_terms(m, "opex", t)

    m.opex = pyo.Expression(m.T, rule=opex_rule)
    m.residual = pyo.Expression(
        expr=pyo.quicksum(
            left(inputs.it_life_years.get(o), inputs.periods[t].years_from_start) * unit_price(t, o) * m.add[o, t]
            for o, t in m.add
        )
        + pyo.quicksum(
            left(inputs.facility_life_years, inputs.periods[t].years_from_start) * m.infra_capex[t] for t in m.T
        )
        + hook_terms(m, "residual")
    )
    df = [inputs.discount_factor(p.years_from_start) for p in inputs.periods]
    m.npv_tco = pyo.Expression(
        expr=pyo.quicksum(df[t] * (m.capex[t] + m.opex[t]) for t in m.T) - inputs.discount_factor(end) * m.residual
    )


def budget_groups(inputs: RoadmapInputs) -> list[tuple[list[int], float]]:
    """([period indices], MUSD) of the budgets over several periods (a year's quarters):
    ``extras["capex_budget_groups"]`` as planner.roadmap_inputs writes it (or a
    ``capex_budgets`` field, should RoadmapInputs gain one)."""
    groups = getattr(inputs, "capex_budgets", None) or inputs.extras.get("capex_budget_groups", [])
    return [(list(periods), float(musd)) for periods, musd in groups]


def define_money_rows(m: Any, inputs: RoadmapInputs) -> None:
    """capex_budget[t]: capex[t] <= B_t [MUSD] (periods with a budget);
    group_budget[g]: sum_(t in g) capex[t] <= B_g [MUSD] (a year's budget over its quarters,
    when the inputs carry ``capex_budgets``);
    total_budget: sum_t capex[t] <= B [MUSD] ([scenario].budget over the horizon)."""
    with_budget = [t for t in m.T if inputs.periods[t].capex_budget_musd is not None]
    m.capex_budget = constraint(
        with_budget,
        rule=lambda model, t: (
            m.capex[t] <= inputs.periods[t].capex_budget_musd + link_slack(m, "budgets", ("period", t))
        ),
    )
    groups = budget_groups(inputs)
    m.group_budget = constraint(
        range(len(groups)),
        rule=lambda model, g: (
            pyo.quicksum(m.capex[t] for t in groups[g][0])
            <= groups[g][1] + link_slack(m, "budgets", ("periods", tuple(groups[g][0])))
        ),
    )
    if inputs.total_capex_budget_musd is not None:
        m.total_budget = constraint(
            expr=pyo.quicksum(m.capex[t] for t in m.T)
            <= inputs.total_capex_budget_musd + link_slack(m, "budgets", ("total", None))
        )


def period_delivered(block: Any, data: Any) -> Any:
    """delivered_t [PFLOPS]: sum d[w, e] x alloc[w, e] over every eligible pair when the
    period has workloads (a period's min-time-to-train target does not narrow it), else its
    peak compute (compute_total)."""
    if data.workloads:
        pairs = [(p, f.delivered_pflops_per_unit) for p, f in data.pairs.items() if p in block.E]
        return pyo.quicksum(d * block.alloc[p] for p, d in pairs)
    return block.compute_total


def define_delivered(m: Any, inputs: RoadmapInputs) -> None:
    """delivered[t] [PFLOPS] and the weighted work of the horizon [PFLOPS x day]:

    work = sum_t w_t x days_t x delivered[t],  w_t = df_t if discount_delivered else 1
    """
    m.delivered = pyo.Expression(
        m.T,
        rule=lambda model, t: (
            period_delivered(m.period[t], inputs.periods[t].data) + hook_terms(m, "delivered", t)
        ),  # the extensions' terms: on-site curtailed work (planner.roadmap_onsite)
    )
    m.work = pyo.Expression(expr=pyo.quicksum(work_weight(inputs, t) * m.delivered[t] for t in m.T))


def work_weight(inputs: RoadmapInputs, t: int) -> float:
    """w_t x days_t: PFLOPS x day of one PFLOPS delivered through period t."""
    period = inputs.periods[t]
    weight = inputs.discount_factor(period.years_from_start) if inputs.discount_delivered else 1.0
    return weight * period.hours / 24.0


def roadmap_tie_break(m: Any, inputs: RoadmapInputs) -> float:
    """eps [PFLOPS x day per MUSD]: the whole NPV term is worth less than TIE_BREAK_SHARE of
    the smallest weighted work coefficient of one unit, so cost only breaks ties.

    eps = 0.01 x min_(t, column) w_t days_t d_t(column) / max(NPV bound, 1), the bound
    sum_t df_t (capex_t(o) + y_t energy_o) x units[o, t]'s upper bound (after availability)
    + df_t y_t annual_k x quota_k, + every hall's build cost once, + every allowed genset
    (planner.roadmap_onsite.onsite_npv_bound_musd), as the direct model.
    """
    work = []
    for t in m.T:
        b, data = m.period[t], inputs.periods[t].data
        if data.workloads:
            per_unit = [f.delivered_pflops_per_unit for p, f in data.pairs.items() if p in b.E]
        else:
            per_unit = [c.compute_per_unit / TFLOPS_PER_PFLOPS for c in [*data.options, *data.clouds]]
        work += [work_weight(inputs, t) * d for d in per_unit if d > 0]
    if not work:
        return 0.0
    bound = 0.0
    for t in m.T:
        period, b = inputs.periods[t], m.period[t]
        df = inputs.discount_factor(period.years_from_start)
        for o in period.data.options:
            price = period.unit_capex_usd.get(o.key, o.capex_per_unit_usd) + period.years * o.energy_cost_per_unit_usd
            bound += df * price / USD_PER_MUSD * (b.units[o.key].ub or 0)
        bound += sum(df * period.years * c.annual_cost_usd / USD_PER_MUSD * c.quota for c in period.data.clouds)
    bound += sum(h.build_cost_usd / USD_PER_MUSD for h in inputs.periods[0].data.halls.values())
    bound += revenue_bound_musd(inputs)  # heat reuse revenue (planner.roadmap_water)
    from dcplan.planner.roadmap_onsite import onsite_npv_bound_musd

    bound += onsite_npv_bound_musd(inputs)  # every allowed genset bought and run flat out
    return TIE_BREAK_SHARE * min(work) / max(bound, 1.0)


def define_roadmap_objective(m: Any, inputs: RoadmapInputs) -> None:
    """max-cumulative-delivered: maximise work - eps x npv_tco   [PFLOPS x day];
    min-npv-tco: minimise npv_tco [MUSD] (every period's demand rows hold in its block);
    elastic: minimise the sum of the slacks (each in its family's unit), NPV breaking ties.
    """
    if m.elastic_families:
        relax = pyo.quicksum(var for _, _, var in m.slack_terms)
        m.objective = pyo.Objective(expr=relax + 1e-9 * m.npv_tco, sense=pyo.minimize)
    elif inputs.objective == "min-npv-tco":
        m.objective = pyo.Objective(expr=m.npv_tco, sense=pyo.minimize)
    else:
        m.tie_break = roadmap_tie_break(m, inputs)
        m.objective = pyo.Objective(expr=m.work - m.tie_break * m.npv_tco, sense=pyo.maximize)


@dataclass
class FormulationResult:
    """A solve of the Pyomo roadmap model: status word as planner.solve.classify, the
    objective and bound, and the model with its values loaded (when it has a solution)."""

    status: str
    objective: float | None
    bound: float | None
    model: Any
    solve_s: float

    @property
    def has_solution(self) -> bool:
        return self.objective is not None


def solve_roadmap_formulation(
    inputs: RoadmapInputs,
    settings: SolveSettings | None = None,
    elastic: frozenset[str] = frozenset(),
    model: Any = None,
) -> FormulationResult:
    """Build (unless ``model`` is given) and solve through Pyomo's HiGHS interface, in this
    process (the documented model and the diagnosis; plans are solved on the direct model)."""
    from pyomo.contrib.solver.common.results import SolutionStatus
    from pyomo.contrib.solver.solvers.highs import Highs

    from dcplan.planner.session import quiet_highs

    settings = settings or SolveSettings()
    m = model if model is not None else build_roadmap_model(inputs, elastic)
    quiet_highs()  # HiGHS prints its banner on the process's first instance: not on stdout
    solver = Highs()
    config = {
        "time_limit": settings.time_limit_s,
        "rel_gap": settings.rel_gap,
        "threads": settings.threads,
        "load_solutions": False,  # read only when there is a solution
        "raise_exception_on_nonoptimal_result": False,  # an infeasible roadmap is an answer
        "solver_options": {"random_seed": settings.seed, "mip_abs_gap": 1e-9},
    }
    for name, value in config.items():
        setattr(solver.config, name, value)
    t0 = time.perf_counter()
    results = solver.solve(m)
    solve_s = time.perf_counter() - t0
    has_solution = results.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)
    status = classify(results.termination_condition, has_solution, cancelled=False)
    objective = bound = None
    if has_solution:
        results.solution_loader.load_vars()
        objective = float(pyo.value(m.objective))
        raw = results.objective_bound
        bound = float(raw) if raw is not None and math.isfinite(raw) else None
    return FormulationResult(status=status, objective=objective, bound=bound, model=m, solve_s=solve_s)
