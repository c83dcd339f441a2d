"""The workload, share, candidate and objective rows of the direct MIP (planner/matrix.py),
and the figures they share with the Pyomo formulation (no Pyomo here).

Workloads (issue 13): ``alloc[w, e]`` is deployment units of supply e given to workload w.

- supply_capacity[e]: ``sum_w alloc[w, e] - units[e] <= 0`` (``rent[e]`` for a cloud offer) [units]
- workload_demand[w]: ``sum_e rate[w, e] x alloc[w, e] >= need(w)``, rate and need in the
  workload's demand unit (delivered PFLOPS, peak PFLOPS or chips; planner.delivered)

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
    """Eligible (workload, supply) pairs in the models' order (workloads sorted, supplies as eligible)."""
    return [(w, e) for w in sorted(data.eligible) for e in data.eligible[w]]


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
    of every eligible pair in model order, weight d[w, e] [PFLOPS per unit].
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
    """supply_capacity (units given <= units) and workload_demand (rate x alloc >= need)."""
    data, pairs = ctx.data, ctx.pairs
    n_e = len(pairs)
    supplies = sorted({e for _, e in pairs})
    sup_ix = {e: i for i, e in enumerate(supplies)}
    pair_sup = np.array([sup_ix[e] for _, e in pairs], dtype=np.int64)
    ai = np.arange(n_e, dtype=np.int64)
    sup_cols = np.array([ctx.supply_col[e] for e in supplies], dtype=np.int64)
    s.family(
        "supply_capacity",
        supplies,
        [(pair_sup, ctx.AL + ai, np.ones(n_e)), (np.arange(len(supplies)), sup_cols, -np.ones(len(supplies)))],
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


def _column(ctx: _Context, term: Term) -> int:
    variable, index, _ = term
    return ctx.AL + ctx.pair_ix[index] if variable == "alloc" else ctx.supply_col[index]


def share_rows(s: _Stream, ctx: _Context) -> None:
    """share_min, share_min_some and share_max rows (see formulation.define_share_constraints)."""
    from dcplan.planner.matrix import _add

    shares = ctx.data.scenario.share
    total = {basis: basis_terms(ctx.data, basis) for basis in {b.basis for b in shares}}
    group = [basis_terms(ctx.data, b.basis, share_members(ctx.data, b)) for b in shares]
    for i, bound in enumerate(shares):
        if bound.min > 0:  # s_min * total - group <= 0
            terms: dict[int, float] = {}
            for t in total[bound.basis]:
                _add(terms, _column(ctx, t), bound.min * t[2])
            for t in group[i]:
                _add(terms, _column(ctx, t), -t[2])
            s.row("share_min", i, terms, -INF, 0.0)
    for i, bound in enumerate(shares):
        if bound.min > 0:  # a floor is not vacuous: group >= one unit of its smallest member
            terms = {}
            for t in group[i]:
                _add(terms, _column(ctx, t), t[2])
            s.row("share_min_some", i, terms, smallest_weight(group[i]), INF)
    for i, bound in enumerate(shares):
        if bound.max < 1:  # group - s_max * total <= 0
            terms = {}
            for t in group[i]:
                _add(terms, _column(ctx, t), t[2])
            for t in total[bound.basis]:
                _add(terms, _column(ctx, t), -(bound.max * t[2]))
            s.row("share_max", i, terms, -INF, 0.0)


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
    else:
        obj = {}
        for t in delivered_objective_terms(data):
            _add(obj, _column(ctx, t), t[2])
    for col, value in tco.items():
        _add(obj, col, value)
    return highspy.ObjSense.kMaximize, obj
