"""The linking families, money rows and objective of the roadmap MIP (planner.roadmap_model).

Index t = 0..T-1, period length y_t [y], start s_t [y from the roadmap start], discount
factor df_t = (1 + r)^-s_t, horizon end E [y], df_E = (1 + r)^-E.

- ``add[o, t]`` (integer >= 0): units of option o bought in t; only where o is purchasable.
- stock: ``units[o, t] - units[o, t-1] - add[o, t] <= 0`` (units[o, -1] = 0): the design's
  ``... + ret[o, t] = 0`` with the retirement ``ret[o, t] = units[o, t-1] + add[o, t] -
  units[o, t] >= 0`` left implicit (integer, since the others are), which saves a column
  and keeps the LP smaller; planner.roadmap_solve reports it as ``linking["ret"]``.
- life: L_o = ceil(life_o / y - 1e-9) periods; a unit bought in tau serves tau..tau+L_o-1.
  With the stock rows, "retired by t at least what was bought by t - L_o" is the same as
  ``units[o, t] - sum_(t-L_o < tau <= t) add[o, tau] <= 0`` for t >= L_o (no stock older than
  its life), written so (L_o + 1 entries instead of t + 1).
- infrastructure built once and kept: ``X[t] - X[t-1] >= 0`` for X in hall_used, site_used,
  ups_n, xfmr_n, gen_n, port.
- rows and racks built per row template r: ``rows_built[r, t] >= sum_(o in r) rows[o, t]``,
  ``racks_built[r, t] >= sum_(o in r) racks[o, t]``, both monotone and integer (the design
  allowed continuous, the block's rows and racks being integer; integer keeps the budget
  rows free of continuous columns, which the LP-rounding start's repair needs). A refreshed
  row keeps its busway and rack PDUs.
- installable / halls ready: ``units[o, t] <= 0`` for o not installable in t,
  ``hall_used[h, t] <= 0`` for a hall not ready.
- lead times: for class q (LEAD_TIME_COLUMNS: column X) with l = lead_periods[q] > 0,
  ``X[owner, t] <= ordered count delivered by t`` for t < l.
- allocation caps: ``sum_(o of system) add[o, t] <= cap_t(system)``.

Money [MUSD] (cash at period start, undiscounted per period):

- capex_t = sum_o unit_capex_t[o] add[o, t] + busway_r d rows_built[r, t] + pdu_r d racks_built[r, t]
  + the single-period capex coefficient of ups_n, xfmr_n, hall_used, gen_n, site_used and
  port applied to their increment d X[t] = X[t] - X[t-1]. busway_r / pdu_r: the largest
  among the template's options (they share the row's busway and PDU choice).
- opex_t = y_t x (sum_o energy_o units[o, t] + sum_k annual_cost_t[k] rent[k, t]).
- residual (straight line, at E): unit_capex_t[o] x max(0, 1 - (E - s_t) / life_o) per unit
  bought in t, and every infrastructure increment (busway, PDUs, UPS, transformers, halls,
  generators) x max(0, 1 - (E - s_t) / facility_life). A porting is sunk (no residual). A
  unit retired before E keeps its residual (a salvage at its book value at E, below its
  book value when retired: conservative).
- NPV TCO = sum_t df_t (capex_t + opex_t) - df_E x residual.

Rows: ``capex_t <= capex_budget_t``; ``sum_(t in group) capex_t <= group budget`` (the
groups of ``extras["capex_budget_groups"]``: a [[period_budget]] year, planner.roadmap_inputs);
``sum_t capex_t <= total budget``.

Objective: max-cumulative-delivered ``sum_t w_t x days_t x delivered_t - eps x NPV TCO``
[PFLOP-days], w_t = df_t when discount_delivered else 1, delivered_t the block's delivered
PFLOPS (every workload pair's delivered rate on its allocation when the scenario has
workloads, else peak PFLOPS of units and rented units); eps as
``planner.matrix.tie_break_weight``: 1 % of the smallest unit's weighted delivered
PFLOP-days over an upper bound of the NPV TCO, so cost only breaks ties. min-npv-tco:
minimise NPV TCO (every period's demand rows hold).
"""

from __future__ import annotations

import math
from typing import Any

import highspy
import numpy as np

from dcplan.planner.matrix import _redundancy_terms
from dcplan.planner.roadmap_model import HOURS_PER_DAY, INF, RoadmapBuild
from dcplan.planner.roadmap_types import LEAD_TIME_COLUMNS, RoadmapInputs
from dcplan.planner.roadmap_water import revenue_bound_musd

USD_PER_MUSD = 1e6
TFLOPS_PER_PFLOPS = 1e3
#: block columns that are infrastructure: built once, kept, charged on their increments
INFRA_COLUMNS = ("hall_used", "site_used", "ups_n", "xfmr_n", "gen_n", "port")
#: block columns whose capex the roadmap charges through rows_built / racks_built instead
ROW_COLUMNS = {"rows": "rows_built", "racks": "racks_built"}


def life_periods(life_years: float, period_years: float) -> int:
    """Whole periods a unit serves: ceil(life / y - 1e-9), at least 1."""
    return max(1, math.ceil(life_years / period_years - 1e-9))


def _add(terms: dict[int, float], col: int, coef: float) -> None:
    terms[col] = terms.get(col, 0.0) + coef


def core_families(b: RoadmapBuild) -> None:
    """Availability bounds, add/ret, stock, life, infrastructure, rows built, lead times, caps."""
    _availability(b)
    _stock_and_life(b)
    _infrastructure(b)
    _rows_built(b)
    _lead_times(b)
    _allocation_caps(b)
    _period_money(b)


def _availability(b: RoadmapBuild) -> None:
    for t, period in enumerate(b.periods):
        for key, col in b.block_columns(t, "units").items():
            if key not in period.installable:
                b.set_upper(col, 0.0)
        for hall, col in b.block_columns(t, "hall_used").items():
            if hall not in period.halls_ready:
                b.set_upper(col, 0.0)


def _stock_and_life(b: RoadmapBuild) -> None:
    options = b.periods[0].data.options
    y = b.inputs.period_years
    for t, period in enumerate(b.periods):
        units = b.block_columns(t, "units")
        buy = [o.key for o in options if o.key in period.purchasable and o.key in period.installable]
        for key, col in zip(buy, b.add_columns("add", [(t, k) for k in buy], integer=True), strict=True):
            b.set_upper(col, b.upper(units[key]))
    for o in options:
        years = b.inputs.it_life_years.get(o.key)
        life = life_periods(years, y) if years is not None else None
        for t in range(len(b.periods)):
            unit = b.block_col(t, "units", o.key)
            if unit is None:
                continue
            terms = {unit: 1.0}
            before = b.block_col(t - 1, "units", o.key) if t > 0 else None
            if before is not None:
                terms[before] = -1.0
            add = b.linking_col("add", (t, o.key))
            if add is not None:
                terms[add] = -1.0
            b.add_row("stock", (t, o.key), terms, -INF, 0.0)
            if life is not None and t >= life:
                window = {unit: 1.0}
                for tau in range(t - life + 1, t + 1):
                    bought = b.linking_col("add", (tau, o.key))
                    if bought is not None:
                        window[bought] = -1.0
                b.add_row("life", (t, o.key), window, -INF, 0.0)


def _infrastructure(b: RoadmapBuild) -> None:
    """Monotone infrastructure rows, and its capex and residual on the increments."""
    for t in range(1, len(b.periods)):
        for name in INFRA_COLUMNS:
            for index, col in b.block_columns(t, name).items():
                before = b.block_col(t - 1, name, index)
                if before is not None:
                    b.add_row(f"keep_{name}", (t, index), {col: 1.0, before: -1.0}, 0.0, INF)
    for t in range(len(b.periods)):
        block = b.blocks[t]
        capex = block.capex if block.capex is not None else np.zeros(block.num_col)
        base = b.block_start[t]
        for i, (name, index) in enumerate(block.columns):
            if name in INFRA_COLUMNS and capex[i] != 0.0:
                before = b.block_col(t - 1, name, index) if t > 0 else None
                _increment(b, t, base + i, before, float(capex[i]), residual=name != "port")


def _increment(b: RoadmapBuild, t: int, col: int, before: int | None, musd: float, residual: bool = True) -> None:
    """Charge ``musd`` per unit of col's increment over ``before`` in period t (and its residual)."""
    _add(b.capex[t], col, musd)
    if before is not None:
        _add(b.capex[t], before, -musd)
    if residual:
        share = facility_residual_share(b, t)
        if share > 0:
            _add(b.residual, col, musd * share)
            if before is not None:
                _add(b.residual, before, -musd * share)


def facility_residual_share(b: RoadmapBuild, t: int) -> float:
    """max(0, 1 - (E - s_t) / facility_life): the book value left at E of plant built in t."""
    return residual_share(b.inputs.horizon_years, b.periods[t].years_from_start, b.inputs.facility_life_years)


def residual_share(end_years: float, start_years: float, life_years: float) -> float:
    if life_years <= 0 or not math.isfinite(life_years):
        return 0.0  # no stated life: no residual (conservative)
    return max(0.0, 1.0 - (end_years - start_years) / life_years)


def _rows_built(b: RoadmapBuild) -> None:
    """rows_built / racks_built per row template, monotone, with busway and PDU capex on them."""
    options = b.periods[0].data.options
    templates: dict[str, list[Any]] = {}
    for o in options:
        templates.setdefault(o.row, []).append(o)
    for t in range(len(b.periods)):
        for name, built in ROW_COLUMNS.items():
            for row, members in templates.items():
                cols = [c for o in members if (c := b.block_col(t, name, o.key)) is not None]
                if not cols:
                    continue
                upper = float(members[0].rows_available) if name == "rows" else INF
                (col,) = b.add_columns(built, [(t, row)], 0.0, upper, integer=True)
                terms = {col: 1.0} | {c: -1.0 for c in cols}
                b.add_row(f"{built}_cover", (t, row), terms, 0.0, INF)
                before = b.linking_col(built, (t - 1, row)) if t > 0 else None
                if before is not None:
                    b.add_row(f"keep_{built}", (t, row), {col: 1.0, before: -1.0}, 0.0, INF)
                price = max(
                    (o.busway_capex_per_row_usd if name == "rows" else o.pdu_capex_per_rack_usd) for o in members
                )
                if price:
                    _increment(b, t, col, before, price / USD_PER_MUSD)


def ordered_count(b: RoadmapBuild, equipment: str, owner: str, t: int) -> int:
    """Units of ``equipment`` for ``owner`` ordered before the start and delivered by period t."""
    return sum(o.count for o in b.inputs.ordered if o.equipment == equipment and o.owner == owner and o.delivered <= t)


def modules_within(inputs: RoadmapInputs, equipment: str, owner: str, installed: int) -> int:
    """The most modules n a block may count when only ``installed`` physical units exist.

    The block counts n before redundancy and installs ``a n + b`` units (planner.matrix
    ``_redundancy_terms``: 2N installs 2n, N+1 installs n + 1), while an [[ordered]] count is
    physical units: ``n <= floor((installed - b) / a)``, at least 0.
    """
    data = inputs.periods[0].data
    redundancy = data.sites[owner].generator_redundancy if equipment == "generator" else data.halls[owner].redundancy
    a, spare, _ = _redundancy_terms(redundancy)
    return max(0, math.floor((installed - spare) / a + 1e-9))


def _lead_times(b: RoadmapBuild) -> None:
    for equipment, column in LEAD_TIME_COLUMNS.items():
        lead = b.inputs.lead_periods.get(equipment, 0)
        for t in range(min(lead, len(b.periods))):
            for owner, col in b.block_columns(t, column).items():
                allowed = modules_within(b.inputs, equipment, owner, ordered_count(b, equipment, owner, t))
                b.set_upper(col, min(b.upper(col), float(allowed)))


def _allocation_caps(b: RoadmapBuild) -> None:
    options = b.periods[0].data.options
    for t, period in enumerate(b.periods):
        for system, cap in period.allocation_caps.items():
            terms = {c: 1.0 for o in options if o.system == system and (c := b.linking_col("add", (t, o.key)))}
            if terms:
                b.add_row("allocation_cap", (t, system), terms, -INF, float(cap))


def _period_money(b: RoadmapBuild) -> None:
    """Unit capex on add, opex on the stock and the rent, delivered PFLOPS, unit residual."""
    end = b.inputs.horizon_years
    for t, period in enumerate(b.periods):
        data = period.data
        for o in data.options:
            add = b.linking_col("add", (t, o.key))
            if add is not None:
                musd = period.unit_capex_usd.get(o.key, o.capex_per_unit_usd) / USD_PER_MUSD
                _add(b.capex[t], add, musd)
                life = b.inputs.it_life_years.get(o.key, math.inf)
                share = residual_share(end, period.years_from_start, life)
                if share > 0:
                    _add(b.residual, add, musd * share)
            unit = b.block_col(t, "units", o.key)
            if unit is not None and o.energy_cost_per_unit_usd:
                _add(b.opex[t], unit, period.years * o.energy_cost_per_unit_usd / USD_PER_MUSD)
        for c in data.clouds:
            rent = b.block_col(t, "rent", c.key)
            if rent is not None and c.annual_cost_usd:
                _add(b.opex[t], rent, period.years * c.annual_cost_usd / USD_PER_MUSD)
        _delivered(b, t)


def _delivered(b: RoadmapBuild, t: int) -> None:
    data = b.periods[t].data
    if data.workloads:
        for pair, figures in data.pairs.items():
            col = b.block_col(t, "alloc", pair)
            if col is not None and figures.delivered_pflops_per_unit:
                _add(b.delivered[t], col, figures.delivered_pflops_per_unit)
        return
    for supplies, name in ((data.options, "units"), (data.clouds, "rent")):
        for s in supplies:
            col = b.block_col(t, name, s.key)
            if col is not None and s.compute_per_unit:
                _add(b.delivered[t], col, s.compute_per_unit / TFLOPS_PER_PFLOPS)


def money_rows(b: RoadmapBuild) -> None:
    """capex_t <= the period budget; groups of periods (a year); the total over the horizon."""
    for t, period in enumerate(b.periods):
        if period.capex_budget_musd is not None:
            b.add_row("capex_budget", (t, period.label), dict(b.capex[t]), -INF, period.capex_budget_musd)
    for periods, musd in b.inputs.extras.get("capex_budget_groups", []):
        terms: dict[int, float] = {}
        for t in periods:
            for col, value in b.capex[t].items():
                _add(terms, col, value)
        b.add_row("capex_budget_group", tuple(periods), terms, -INF, musd)
    if b.inputs.total_capex_budget_musd is not None:
        total: dict[int, float] = {}
        for capex in b.capex:
            for col, value in capex.items():
                _add(total, col, value)
        b.add_row("capex_budget_total", None, total, -INF, b.inputs.total_capex_budget_musd)


def _npv_bound(b: RoadmapBuild) -> float:
    """An upper bound of the NPV TCO [MUSD] for eps: every unit at its bound bought in every
    period and run, every cloud offer at its quota, every hall built (as tie_break_weight),
    every allowed genset bought and run flat out in every period (planner.roadmap_onsite)."""
    bound = 0.0
    for t, period in enumerate(b.periods):
        df = b.inputs.discount_factor(period.years_from_start)
        data = period.data
        for o in data.options:
            col = b.block_col(t, "units", o.key)
            n = b.upper(col) if col is not None else 0.0
            unit = period.unit_capex_usd.get(o.key, o.capex_per_unit_usd) + period.years * o.energy_cost_per_unit_usd
            bound += df * unit / USD_PER_MUSD * n
        bound += sum(df * period.years * c.annual_cost_usd / USD_PER_MUSD * c.quota for c in data.clouds)
    bound += sum(h.build_cost_usd / USD_PER_MUSD for h in b.periods[0].data.halls.values())
    from dcplan.planner.roadmap_onsite import onsite_npv_bound_musd

    bound += revenue_bound_musd(b.inputs)  # heat reuse revenue (planner.roadmap_water)
    return bound + onsite_npv_bound_musd(b.inputs)  # [[onsite_power]] gensets and fuel


def objective(b: RoadmapBuild) -> tuple[Any, np.ndarray, dict[str, np.ndarray]]:
    """(sense, cost per column, the per-column parts: capex/opex/delivered (T, n), residual,
    npv (n,), tie (1,))."""
    n, inputs = b.n_cols, b.inputs
    capex = np.array([b.dense(c) for c in b.capex]).reshape(len(b.periods), n)
    opex = np.array([b.dense(c) for c in b.opex]).reshape(len(b.periods), n)
    delivered = np.array([b.dense(c) for c in b.delivered]).reshape(len(b.periods), n)
    residual = b.dense(b.residual)
    df = np.array([inputs.discount_factor(p.years_from_start) for p in b.periods])
    npv = df @ (capex + opex) - inputs.discount_factor(inputs.horizon_years) * residual
    parts = {"capex": capex, "opex": opex, "delivered": delivered, "residual": residual, "npv": npv}
    if inputs.objective == "min-npv-tco":
        parts["tie"] = np.zeros(1)
        return highspy.ObjSense.kMinimize, npv, parts
    weight = df if inputs.discount_delivered else np.ones(len(b.periods))
    days = np.array([p.hours / HOURS_PER_DAY for p in b.periods])
    work = (weight * days) @ delivered
    positive = work[work > 0]
    tie = 0.01 * float(positive.min()) / max(_npv_bound(b), 1.0) if positive.size else 0.0
    parts["tie"] = np.array([tie])
    parts["work"] = work
    return highspy.ObjSense.kMaximize, work - tie * npv, parts
