"""The swing rows and columns of the numpy builder (planner.matrix), the same as
planner.formulation_swing writes them in Pyomo:

- site_swing[s]:     sum_o A_o * units[o] - battery_kw[s] - floor_kw[s] <= band(s)   [kW]
- battery_energy[s]: d * battery_kw[s] - battery_kwh[s] <= 0                          [kWh]

with A_o the swing per unit after its own storage [kW] and d the battery's hours per kW
(models.swing). Capex ``c_kW * battery_kw + c_kWh * battery_kwh`` [MUSD]; opex
``c_floor * floor_kw`` [MUSD/yr]. Only a site with a ``[[utility_limit]]`` has them, and a
column only for a mitigation the limit allows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: the swing columns, in the order each site's are numbered
SWING_COLUMNS = ("battery_kw", "battery_kwh", "floor_kw")


def swing_column_names(data: Any) -> list[tuple[str, str]]:
    """(column, site) of every swing column: per site in id order, battery kW and kWh if a
    battery is allowed, then floor kW if a floor is."""
    names: list[tuple[str, str]] = []
    for site in sorted(data.swing):
        allowed = data.swing[site].allowed
        if "battery" in allowed:
            names += [("battery_kw", site), ("battery_kwh", site)]
        if "floor" in allowed:
            names.append(("floor_kw", site))
    return names


def add_swing_columns(ctx: Any) -> None:
    """Number the swing columns after the context's last block (``ctx.SW``)."""
    ctx.SW, ctx.swing_col = ctx.append_columns(swing_column_names(ctx.data))


def swing_rows(s: Any, ctx: Any) -> None:
    """site_swing and battery_energy rows (see the module docstring)."""
    from dcplan.planner.swing_data import swing_row_sites

    data, col = ctx.data, ctx.swing_col
    sites = swing_row_sites(data)
    if not sites:
        return
    entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for r, site in enumerate(sites):
        per_unit = data.swing[site].unit_swing_kw
        sel = np.array([i for i, o in enumerate(ctx.options) if o.key in per_unit], dtype=np.int64)
        coef = np.array([per_unit[ctx.options[i].key] for i in sel], dtype=np.float64)
        entries.append((np.full(len(sel), r, dtype=np.int64), ctx.U + sel, coef))
        mitigation = [col[(name, site)] for name in ("battery_kw", "floor_kw") if (name, site) in col]
        entries.append(
            (
                np.full(len(mitigation), r, dtype=np.int64),
                np.array(mitigation, dtype=np.int64),
                -np.ones(len(mitigation)),
            )
        )
    s.family("site_swing", sites, entries, -np.inf, [data.swing[x].band_kw for x in sites])
    with_battery = [x for x in sorted(data.swing) if ("battery_kw", x) in col]
    for site in with_battery:
        terms = {col[("battery_kw", site)]: data.swing[site].prices.battery_hours, col[("battery_kwh", site)]: -1.0}
        s.row("battery_energy", site, terms, -np.inf, 0.0)


def swing_capex_terms(ctx: Any, scale: float, terms: dict[int, float]) -> None:
    """``scale * (c_kW * battery_kw + c_kWh * battery_kwh)`` [MUSD] added to ``terms``."""
    for (name, site), c in ctx.swing_col.items():
        if name != "floor_kw":
            per_kw, per_kwh = ctx.data.swing[site].battery_capex_musd()
            terms[c] = scale * (per_kw if name == "battery_kw" else per_kwh)


def swing_opex_terms(ctx: Any, scale: float, terms: dict[int, float]) -> None:
    """``scale * c_floor * floor_kw`` [MUSD/yr] added to ``terms``."""
    for (name, site), c in ctx.swing_col.items():
        if name == "floor_kw":
            terms[c] = terms.get(c, 0.0) + scale * ctx.data.swing[site].floor_opex_musd()


def swing_continuous(ctx: Any, integrality: np.ndarray, continuous: Any) -> None:
    """The swing columns are continuous (kW and kWh)."""
    integrality[ctx.SW : ctx.SW + len(ctx.swing_col)] = continuous


def swing_cost_bound_musd(data: Any, units_upper: list[float]) -> float:
    """Upper bound of the swing mitigation cost [MUSD] for the tie-break weight: every
    option at its most units, all of its swing mitigated the dearer way."""
    total = 0.0
    for sw in data.swing.values():
        swing_kw = sum(sw.unit_swing_kw.get(o.key, 0.0) * n for o, n in zip(data.options, units_upper, strict=True))
        per_kw = max(sw.prices.battery_usd_per_kw_mitigated(), sw.prices.floor_usd_per_kw_mitigated(data.pv_factor))
        total += swing_kw * per_kw / 1e6
    return total
