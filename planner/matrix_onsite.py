"""The on-site power rows and columns of the numpy builder (planner.matrix), the same as
planner.formulation_onsite writes them in Pyomo. Per ``[[onsite_power]]`` site s:

columns: prime_n[s] (integer 0..max_units) and prime_kw[s] >= 0 if it may build units;
curtail[s] (binary) and curtail_loss[s] >= 0 [PFLOPS] if it has a curtailment offer.

- site_utility_power[s] gains  - P_usable * prime_n[s] - G_c * curtail[s]       [kW]
- prime_step[s] (islanded):    sum_o step_o * units[o] - s * P_rated * prime_n[s] <= 0   [kW]
- prime_energy[s]:             sum_o avg_o * units[o] - prime_kw[s] - G_c * curtail[s] <= P_grid
- prime_capacity[s]:           prime_kw[s] - P_usable * prime_n[s] <= 0               [kW]
- prime_share[s]:              prime_kw[s] - sum_o avg_o * units[o] <= 0              [kW]
- curtail_link[s]:             c * sum_o F_o * units[o] - curtail_loss[s] + M * curtail[s] <= M

(G_c: grid kW the offer buys; c = h / 8760; F_o: PFLOPS per unit; M = c * sum_o F_o * u_max.)
Capex += capex_unit * prime_n [MUSD]; opex += (c_e + v - c_grid) * 8760 * prime_kw
+ f * P_rated * prime_n [MUSD/yr] (v: variable O&M per kWh, f: fixed O&M per kW-year);
max-compute's objective -= curtail_loss. Formulas in models.onsite.
"""

from __future__ import annotations

from typing import Any

import numpy as np

ONSITE_COLUMNS = ("prime_n", "prime_kw", "curtail", "curtail_loss")


def onsite_column_names(data: Any) -> list[tuple[str, str]]:
    """(column, site) of every on-site column, per site in id order."""
    names: list[tuple[str, str]] = []
    for site in sorted(data.onsite):
        o = data.onsite[site]
        if o.has_units:
            names += [("prime_n", site), ("prime_kw", site)]
        if o.has_offer:
            names += [("curtail", site), ("curtail_loss", site)]
    return names


def add_onsite_columns(ctx: Any) -> None:
    """Number the on-site columns after the context's last block (``ctx.ON``)."""
    ctx.ON, ctx.onsite_col = ctx.append_columns(onsite_column_names(ctx.data))


def curtail_big_m(data: Any, site: str, units_upper: dict[str, float]) -> float:
    """M = c * sum_o F_o * u_max(o) [PFLOPS]: the most work a curtailment can cost."""
    o = data.onsite[site]
    return o.curtailed_share * sum(f * units_upper.get(k, 0.0) for k, f in o.pflops.items())


def utility_entries(ctx: Any) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The on-site terms of site_utility_power (rows numbered by ctx.site_ix)."""
    entries: list[tuple[int, int, float]] = []
    for (name, site), c in ctx.onsite_col.items():
        o = ctx.data.onsite[site]
        if name == "prime_n":
            entries.append((ctx.site_ix[site], c, -o.prime.usable_kw))
        elif name == "curtail":
            entries.append((ctx.site_ix[site], c, -o.curtailment_grid_kw))
    rows, cols, vals = ([e[i] for e in entries] for i in range(3))
    return [(np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), np.array(vals, dtype=np.float64))]


def _unit_terms(ctx: Any, per_unit: dict[str, float], scale: float = 1.0) -> dict[int, float]:
    return {ctx.U + i: scale * per_unit[o.key] for i, o in enumerate(ctx.options) if per_unit.get(o.key, 0.0) != 0}


def onsite_rows(s: Any, ctx: Any, units_upper: dict[str, float]) -> None:
    """prime_step, prime_energy, prime_capacity, prime_share, curtail_link (module docstring)."""
    col, data = ctx.onsite_col, ctx.data
    for site in sorted(data.onsite):
        o = data.onsite[site]
        grid_kw = float(data.sites[site].limits.utility_power.magnitude)
        if o.has_units:
            n, kw = col[("prime_n", site)], col[("prime_kw", site)]
            if o.islanded:
                s.row("prime_step", site, {**_unit_terms(ctx, o.step_kw), n: -o.prime.step_kw}, -np.inf, 0.0)
            energy = {**_unit_terms(ctx, o.average_kw), kw: -1.0}
            if o.has_offer:
                energy[col[("curtail", site)]] = -o.curtailment_grid_kw
            s.row("prime_energy", site, energy, -np.inf, grid_kw)
            s.row("prime_capacity", site, {kw: 1.0, n: -o.prime.usable_kw}, -np.inf, 0.0)
            s.row("prime_share", site, {**_unit_terms(ctx, o.average_kw, -1.0), kw: 1.0}, -np.inf, 0.0)
        if o.has_offer:
            big_m = curtail_big_m(data, site, units_upper)
            terms = _unit_terms(ctx, o.pflops, o.curtailed_share)
            terms[col[("curtail_loss", site)]] = -1.0
            terms[col[("curtail", site)]] = big_m
            s.row("curtail_link", site, terms, -np.inf, big_m)


def onsite_capex_terms(ctx: Any, scale: float, terms: dict[int, float]) -> None:
    """``scale * capex_unit * prime_n`` [MUSD] added to ``terms``."""
    for (name, site), c in ctx.onsite_col.items():
        if name == "prime_n":
            terms[c] = scale * ctx.data.onsite[site].prime_capex_musd()


def onsite_opex_terms(ctx: Any, scale: float, terms: dict[int, float]) -> None:
    """``scale * ((c_e + v - c_grid) * 8760 * prime_kw + f * P_rated * prime_n)`` [MUSD/yr]
    added to ``terms``: fuel and variable O&M per kWh generated, fixed O&M per unit owned."""
    for (name, site), c in ctx.onsite_col.items():
        if name == "prime_kw":
            terms[c] = terms.get(c, 0.0) + scale * ctx.data.onsite[site].generation_opex_musd()
        elif name == "prime_n":
            terms[c] = terms.get(c, 0.0) + scale * ctx.data.onsite[site].fixed_om_musd()


def onsite_objective_terms(ctx: Any, obj: dict[int, float]) -> None:
    """max-compute: ``- curtail_loss`` [PFLOPS] (the work the curtailed hours lose)."""
    for (name, _site), c in ctx.onsite_col.items():
        if name == "curtail_loss":
            obj[c] = obj.get(c, 0.0) - 1.0


def onsite_bounds(ctx: Any, upper: np.ndarray, integrality: np.ndarray, continuous: Any) -> None:
    """prime_n <= max_units (integer), curtail <= 1 (binary); kW and loss continuous."""
    for (name, site), c in ctx.onsite_col.items():
        if name == "prime_n":
            upper[c] = float(ctx.data.onsite[site].max_units)
        elif name == "curtail":
            upper[c] = 1.0
        else:
            integrality[c] = continuous


def onsite_cost_bound_musd(data: Any, units_upper: dict[str, float]) -> float:
    """Upper bound of the on-site cost [MUSD] for the tie-break weight: every unit built and
    paying its fixed O&M, every average kW generated at |c_e + v - c_grid| over the horizon."""
    total = 0.0
    for o in data.onsite.values():
        if o.has_units:
            load_kw = sum(a * units_upper.get(k, 0.0) for k, a in o.average_kw.items())
            yearly = abs(o.generation_opex_musd()) * load_kw + o.max_units * o.fixed_om_musd()
            total += o.max_units * o.prime_capex_musd() + data.pv_factor * yearly
    return total


def units_upper_by_key(data: Any, per_row: list[int]) -> dict[str, float]:
    """option key -> most units (rows available x units per row)."""
    return {o.key: float(o.rows_available * n) for o, n in zip(data.options, per_row, strict=True)}
