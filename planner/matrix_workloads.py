"""The workload, share, candidate and objective rows of the direct MIP (planner/matrix.py),
and the figures they share with the Pyomo formulation (no Pyomo here).

Workloads (issue 13): ``alloc[w, e]`` is deployment units of supply e given to workload w,
where e stands for its supply group (planner.delivered.supply_groups: the supplies with the
same system and the same pair figures, named by the first of them):

- supply_capacity[e]: ``sum_w alloc[w, e] - sum_(k in group(e)) units[k] <= 0`` (``rent[k]``
  for a cloud offer) [units]
- workload_demand[w]: ``sum_e rate[w, e] x alloc[w, e] >= need(w)``, rate and need in the
  workload's demand unit (delivered PFLOPS, peak PFLOPS or chips; planner.delivered)
- port_link[w, k]: ``sum_(e of stack k) alloc[w, e] - U[w, k] x port[w, k] <= 0`` for a paid
  porting (planner.porting)

Share bounds compare a group's weight with the total on a basis (``basis_terms``):
peak PFLOPS, delivered PFLOPS (on alloc columns), chips, facility design kW (rented units:
their IT design kW) or unit capex [MUSD] (rented units: none).

Objectives: max-compute ``compute_total - eps x tco``; max-delivered
``sum_(w, e) d[w, e] x alloc[w, e] - eps x tco``; min-time-to-train the same sum over the
target's pairs only (its time is budget / that rate, so the most delivered rate is the least
time); min-tco ``tco``; min-cost-per-delivered (one Dinkelbach step, planner/ratio.py)
``tco - w x sum_(w, e) d[w, e] x alloc[w, e]`` with ``w = lambda x horizon_days / 1e6``
[MUSD per delivered PFLOPS], lambda [USD per PFLOP-day] from ModelData.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import highspy
import numpy as np

from dcplan.planner.modeldata import ModelData

if TYPE_CHECKING:
    from dcplan.planner.matrix import _Context, _Stream

INF = highspy.kHighsInf
USD_PER_MUSD = 1e6
TFLOPS_PER_PFLOPS = 1e3

#: (variable, index, weight) of one term of a share basis or a delivered objective
Term = tuple[str, Any, float]
#: objectives that maximise delivered PFLOPS of allocations (not peak PFLOPS of units)
DELIVERED_OBJECTIVES = ("max-delivered", "min-time-to-train")


def pairs_in_order(data: ModelData) -> list[tuple[str, str]]:
    """The models' alloc pairs (workload, first supply of a group) in order: workloads sorted,
    supplies as eligible, one pair per eligible supply group."""
    groups = data.supply_groups
    return [(w, e) for w in sorted(data.eligible) for e in data.eligible[w] if e in groups]


def _supply_weight(supply: Any, basis: str) -> float:
    if basis == "peak":
        return float(supply.compute_per_unit / TFLOPS_PER_PFLOPS)
    if basis == "chips":
        return float(supply.chips_per_unit)
    if basis == "power":
        return float(getattr(supply, "facility_design_kw_per_unit", None) or supply.it_design_kw_per_unit)
    return float(getattr(supply, "capex_per_unit_usd", 0.0) / USD_PER_MUSD)  # capex


def basis_terms(data: ModelData, basis: str, members: set[str] | None = None) -> list[Term]:
    """The terms of a share basis over every supply (or ``members`` only), zero weights left out.

    Supplies: units of options, then rent of cloud offers, in model order; delivered: alloc
    of every model pair (``pairs_in_order``), weight d[w, e] [PFLOPS per unit].
    """
    if basis == "delivered":
        terms = [("alloc", p, data.pairs[p].delivered_pflops_per_unit) for p in pairs_in_order(data)]
        return [t for t in terms if t[2] != 0 and (members is None or t[1][1] in members)]
    out: list[Term] = []
    for variable, supplies in (("units", data.options), ("rent", data.clouds)):
        for supply in supplies:
            weight = _supply_weight(supply, basis)
            if weight != 0 and (members is None or supply.key in members):
                out.append((variable, supply.key, weight))
    return out


def share_members(data: ModelData, bound: Any) -> set[str]:
    """Supply keys a share bound counts: its hardware family or its software stack."""
    supplies: list[Any] = [*data.options, *data.clouds]
    return {
        s.key
        for s in supplies
        if (bound.family is not None and s.family == bound.family)
        or (bound.software is not None and s.software == bound.software)
    }


def delivered_objective_terms(data: ModelData) -> list[Term]:
    """max-delivered: every pair; min-time-to-train: the target's pairs; [PFLOPS per unit]."""
    header = data.scenario.scenario
    pairs = pairs_in_order(data)
    if header.objective == "min-time-to-train":
        pairs = [p for p in pairs if p[0] == header.target]
    return [("alloc", p, data.pairs[p].delivered_pflops_per_unit) for p in pairs]


#: days of delivered work per year of the TCO horizon (as planner.workload_results)
DAYS_PER_YEAR = 365.25
RATIO_OBJECTIVE = "min-cost-per-delivered"


def horizon_days(data: ModelData) -> float:
    """The TCO horizon [days]: years x 365.25 (delivered work = PFLOPS x these days)."""
    return float(data.scenario.scenario.tco_horizon.m_as("year")) * DAYS_PER_YEAR


def ratio_weight(data: ModelData) -> float:
    """MUSD of TCO one delivered PFLOPS (sustained over the horizon) is worth at lambda:
    ``lambda [USD / PFLOP-day] x horizon_days / 1e6``."""
    return data.ratio_lambda_usd_per_pflop_day * horizon_days(data) / USD_PER_MUSD


def ratio_terms(data: ModelData) -> list[Term]:
    """``-w x d[w, e]`` on alloc of every eligible pair, in model order (the delivered work
    term of the parametric objective, its sign included) [MUSD per unit]."""
    weight = ratio_weight(data)
    return [("alloc", p, -(weight * data.pairs[p].delivered_pflops_per_unit)) for p in pairs_in_order(data)]


def delivered_per_column(columns: list[tuple[str, Any]], data: ModelData) -> np.ndarray:
    """Delivered PFLOPS the objective counts per unit of each HiGHS column (alloc only)."""
    weight = {index: w for _, index, w in delivered_objective_terms(data)}
    return np.array([weight.get(index, 0.0) if name == "alloc" else 0.0 for name, index in columns], dtype=np.float64)


def smallest_weight(terms: list[Term]) -> float:
    """The smallest positive weight (one unit of the group's smallest member); 1 when none."""
    weights = [t[2] for t in terms if t[2] > 0]
    return min(weights) if weights else 1.0


def workload_families(s: _Stream, ctx: _Context) -> None:
    """supply_capacity (units given <= the group's units) and workload_demand (rate x alloc >= need)."""
    data, pairs = ctx.data, ctx.pairs
    n_e = len(pairs)
    supplies = sorted({e for _, e in pairs})
    sup_ix = {e: i for i, e in enumerate(supplies)}
    pair_sup = np.array([sup_ix[e] for _, e in pairs], dtype=np.int64)
    ai = np.arange(n_e, dtype=np.int64)
    members = [(i, k) for i, e in enumerate(supplies) for k in data.supply_groups[e]]
    member_row = np.array([i for i, _ in members], dtype=np.int64)
    member_cols = np.array([ctx.supply_col[k] for _, k in members], dtype=np.int64)
    s.family(
        "supply_capacity",
        supplies,
        [(pair_sup, ctx.AL + ai, np.ones(n_e)), (member_row, member_cols, -np.ones(len(members)))],
        -INF,
        0.0,
    )
    w_ids = [w.id for w in data.workloads]
    w_ix = {w: i for i, w in enumerate(w_ids)}
    pair_w = np.array([w_ix[w] for w, _ in pairs], dtype=np.int64)
    coef = np.array([data.pairs[p].rate for p in pairs], dtype=np.float64)
    for workload in data.workloads:
        if not data.eligible.get(workload.id):
            # dcplan never builds a model for such a scenario: planner.diagnosis.structural_problems
            # reports it as infeasible first
            raise ValueError(f"workload {workload.id!r} has no eligible supply: diagnosed before any model is built")
    need = [data.needs[w].value for w in w_ids]
    s.family("workload_demand", w_ids, [(pair_w, ctx.AL + ai, coef)], need, INF)


def porting_rows(s: _Stream, ctx: _Context) -> None:
    """port_link[w, k]: sum_(e of stack k) alloc[w, e] - U[w, k] x port[w, k] <= 0 [units]
    (see formulation.define_porting_constraints; the big-M U is stated in planner.porting)."""
    for i, port in enumerate(ctx.ports):
        terms = {ctx.AL + ctx.pair_ix[p]: 1.0 for p in port.pairs}
        terms[ctx.PORT + i] = -port.bound_units
        s.row("port_link", (port.workload, port.stack), terms, -INF, 0.0)


def _column(ctx: _Context, term: Term) -> int:
    variable, index, _ = term
    return ctx.AL + ctx.pair_ix[index] if variable == "alloc" else ctx.supply_col[index]


def _basis_columns(ctx: _Context, basis: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A basis's terms over every supply (``basis_terms``) as HiGHS columns, weights and the
    supply key of each term (an alloc's: its supply group's first supply)."""
    terms = basis_terms(ctx.data, basis)
    cols = np.array([_column(ctx, t) for t in terms], dtype=np.int64)
    weights = np.array([t[2] for t in terms], dtype=np.float64)
    return cols, weights, [t[1][1] if t[0] == "alloc" else t[1] for t in terms]


def _share_row(s: _Stream, name: str, i: int, cols: np.ndarray, vals: np.ndarray, bounds: tuple[float, float]) -> None:
    s.family(name, [i], [(np.zeros(len(cols), dtype=np.int64), cols, vals)], *bounds)


def share_rows(s: _Stream, ctx: _Context) -> None:
    """share_min, share_min_some and share_max rows (see formulation.define_share_constraints).

    Each basis's terms are read once; a bound's group is a mask over them (its members keep
    the basis's order), so the rows hold the terms in the order the formulation sums them:
    share_min and share_min_some the total's (group columns within it), share_max the
    group's, then the rest of the total's."""
    shares = ctx.data.scenario.share
    total = {basis: _basis_columns(ctx, basis) for basis in {b.basis for b in shares}}
    member = []
    for bound in shares:
        keys = share_members(ctx.data, bound)
        member.append(np.array([k in keys for k in total[bound.basis][2]], dtype=bool))
    for i, bound in enumerate(shares):
        if bound.min > 0:  # s_min * total - group <= 0
            cols, w, _ = total[bound.basis]
            _share_row(s, "share_min", i, cols, bound.min * w - np.where(member[i], w, 0.0), (-INF, 0.0))
    for i, bound in enumerate(shares):
        if bound.min > 0:  # a floor is not vacuous: group >= one unit of its smallest member
            cols, w, _ = total[bound.basis]
            group = [("", None, float(v)) for v in w[member[i]]]
            _share_row(s, "share_min_some", i, cols[member[i]], w[member[i]], (smallest_weight(group), INF))
    for i, bound in enumerate(shares):
        if bound.max < 1:  # group - s_max * total <= 0
            cols, w, _ = total[bound.basis]
            order = np.concatenate([np.flatnonzero(member[i]), np.flatnonzero(~member[i])])
            vals = np.where(member[i], w, 0.0) - bound.max * w
            _share_row(s, "share_max", i, cols[order], vals[order], (-INF, 0.0))


def candidate_rows(s: _Stream, ctx: _Context) -> None:
    """candidate_min / candidate_max: owned plus rented units of a system."""

    def unit_terms(system: str) -> dict[int, float]:
        terms = {ctx.U + i: 1.0 for i, o in enumerate(ctx.options) if o.system == system}
        terms.update({ctx.RENT + i: 1.0 for i, c in enumerate(ctx.clouds) if c.system == system})
        return terms

    for c in ctx.data.scenario.candidate:
        if c.min_units > 0:
            s.row("candidate_min", c.system, unit_terms(c.system), float(c.min_units), INF)
    for c in ctx.data.scenario.candidate:
        if c.max_units is not None:
            s.row("candidate_max", c.system, unit_terms(c.system), -INF, float(c.max_units))


def objective_terms(ctx: _Context, tie: float) -> tuple[Any, dict[int, float]]:
    """(sense, {column: cost}): min tco (less w x delivered for the ratio's step), or max
    (compute_total or delivered) - tie x tco."""
    from dcplan.planner.matrix import _add
    from dcplan.planner.matrix_onsite import onsite_objective_terms

    data = ctx.data
    objective = ctx.header.objective
    if objective in ("min-tco", RATIO_OBJECTIVE):
        obj = ctx.capex_terms(1)
        ctx.opex_terms(data.pv_factor, obj)
        if objective == RATIO_OBJECTIVE:  # tco - w x delivered: alloc columns carry no cost otherwise
            for t in ratio_terms(data):
                _add(obj, _column(ctx, t), t[2])
        return highspy.ObjSense.kMinimize, obj
    # Pyomo sums the tco sub-expression first, then adds it to the maximised total
    tco = ctx.opex_terms(-tie * data.pv_factor, ctx.capex_terms(-tie))
    if objective == "max-compute":
        obj = {ctx.supply_col[k]: ctx.cpu(k) for k in ctx.supply_keys}
        onsite_objective_terms(ctx, obj)  # - curtail_loss (planner.matrix_onsite)
    else:
        obj = {}
        for t in delivered_objective_terms(data):
            _add(obj, _column(ctx, t), t[2])
    for col, value in tco.items():
        _add(obj, col, value)
    return highspy.ObjSense.kMaximize, obj
