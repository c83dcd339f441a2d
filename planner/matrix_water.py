"""The water-class rows and columns of the numpy builder (planner.matrix), the same as
planner.formulation_water writes them in Pyomo:

- water_class[h, k] in {0, 1} per ``[[water_loop]]`` hall h and allowed class k
- water_class_one[h]:  sum_k water_class[h, k] <= 1
- water_class_use[o]:  units[o] - U_o * water_class[h(o), k(o)] <= 0,  U_o = rows_available * units_per_row_max

Only a hall with a ``[[water_loop]]`` has them. A loop with a heat offtake adds
heat_reuse[h] in [0, P_offtake] (continuous, kW thermal) and
heat_reuse_cap[h]: heat_reuse[h] - sum_o q_o * units[o] <= 0, with the opex credit
- c * h / 1000 / 1e6 * heat_reuse[h] [MUSD/yr] (planner.formulation_water).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dcplan.planner.formulation_water import water_pairs


def add_water_columns(ctx: Any) -> None:
    """Number the water_class columns after the context's last block (``ctx.WC``)."""
    pairs = water_pairs(ctx.data)
    ctx.WC, by_name = ctx.append_columns([("water_class", pair) for pair in pairs])
    ctx.water_col = {pair: by_name[("water_class", pair)] for pair in pairs}
    _, reuse = ctx.append_columns([("heat_reuse", hall) for hall in sorted(ctx.data.reuse)])
    ctx.reuse_col = {hall: reuse[("heat_reuse", hall)] for hall in sorted(ctx.data.reuse)}


def water_rows(s: Any, ctx: Any) -> None:
    """water_class_one and water_class_use rows (see the module docstring)."""
    col = ctx.water_col
    for hall in sorted(ctx.data.water):
        terms = {col[(hall, k)]: 1.0 for k in ctx.data.water[hall]}
        s.row("water_class_one", hall, terms, -np.inf, 1.0)
    for i, o in enumerate(ctx.options):
        if o.water_class is None:
            continue
        bound = float(ctx.rows_avail[i] * ctx.per_row_max[i])
        s.row("water_class_use", o.key, {ctx.U + i: 1.0, col[(o.hall, o.water_class)]: -bound}, -np.inf, 0.0)
    for hall, c in ctx.reuse_col.items():
        terms = {ctx.U + i: -o.reuse_kw_per_unit for i, o in enumerate(ctx.options) if o.hall == hall}
        terms = {k: v for k, v in terms.items() if v != 0.0}
        s.row("heat_reuse_cap", hall, {c: 1.0, **terms}, -np.inf, 0.0)


def water_opex_terms(ctx: Any, scale: float, terms: dict[int, float]) -> None:
    """``- scale * c * h / 1000 / 1e6 * heat_reuse[h]`` [MUSD/yr] added to ``terms``."""
    for hall, c in ctx.reuse_col.items():
        terms[c] = terms.get(c, 0.0) + scale * -ctx.data.reuse[hall].credit_musd_per_kw


def water_cost_bound_musd(data: Any) -> float:
    """Upper bound of the heat revenue [MUSD] for the tie-break weight: every offtake full."""
    return sum(data.pv_factor * r.credit_musd_per_kw * r.capacity_kw for r in data.reuse.values())


def water_binary(ctx: Any, upper: np.ndarray) -> None:
    """The water_class columns are binary: integer (the default) with upper bound 1."""
    upper[ctx.WC : ctx.WC + len(ctx.water_col)] = 1.0


def reuse_bounds(ctx: Any, upper: np.ndarray, integrality: np.ndarray, continuous: Any) -> None:
    """heat_reuse[h] is continuous in [0, P_offtake] [kW thermal]."""
    for hall, c in ctx.reuse_col.items():
        upper[c] = ctx.data.reuse[hall].capacity_kw
        integrality[c] = continuous
