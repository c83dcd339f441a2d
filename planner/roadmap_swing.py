"""Training power swings over a roadmap (issue 15, item 2, per period).

Each period's block carries the single-period swing rows of its site (planner.matrix_swing,
planner.formulation_swing): ``site_swing[s]``: sum_o A_o units[o, t] - battery_kw[s, t] -
floor_kw[s, t] <= band(s) [kW], and ``battery_energy[s]``: d battery_kw - battery_kwh <= 0
[kWh], so the swing after mitigation is within the utility limit in every period. What
links the periods is added here, once for the direct builder (``swing_hook``, in
planner.roadmap_model.ROADMAP_HOOKS) and once for the Pyomo formulation
(``define_roadmap_swing``, called by planner.roadmap_formulation_hooks.define_extensions):

- battery_kept[t, X, s] (t >= 1, X in battery_kw, battery_kwh): X[s, t] - X[s, t-1] >= 0:
  a battery built stays (the block's own capex would buy it again every period);
- capex_t += c_kW (battery_kw[s, t] - battery_kw[s, t-1]) + c_kWh (battery_kwh[s, t] -
  battery_kwh[s, t-1]) [MUSD]: bought when built, as the timeline charges the plans'
  battery equipment lines (planner.roadmap_timeline: a count above every earlier period's);
- residual += share(t) x that capex, share(t) = max(0, 1 - (E - s_t) / facility_life): a
  battery is electrical plant, written off like the rest (planner.roadmap_families);
- opex_t += y_t x c_floor x floor_kw[s, t] [MUSD]: a power floor burns energy only while it
  is held, so it is per period and not kept.

c_kW, c_kWh [MUSD per kW, per kWh], c_floor [MUSD per kW-year]: planner.swing_data.SiteSwing.
A site without a ``[[utility_limit]]`` has no swing columns: nothing is added.
"""

from __future__ import annotations

from typing import Any

INF = float("inf")
#: the battery columns of a block: built once, kept
KEPT_COLUMNS = ("battery_kw", "battery_kwh")


def _prices(sw: Any) -> dict[str, float]:
    per_kw, per_kwh = sw.battery_capex_musd()
    return {"battery_kw": per_kw, "battery_kwh": per_kwh}


def _add(terms: dict[int, float], col: int, coef: float) -> None:
    terms[col] = terms.get(col, 0.0) + coef


def swing_hook(b: Any) -> None:
    """The linking rows and money of the swing columns on a RoadmapBuild (module docstring)."""
    from dcplan.planner.roadmap_families import facility_residual_share  # it imports roadmap_model

    for t, period in enumerate(b.periods):
        share = facility_residual_share(b, t)
        for site, sw in sorted(period.data.swing.items()):
            for name, musd in _prices(sw).items():
                col = b.block_col(t, name, site)
                if col is None:
                    continue
                before = b.block_col(t - 1, name, site) if t > 0 else None
                _add(b.capex[t], col, musd)
                _add(b.residual, col, musd * share)
                if before is not None:
                    b.add_row("battery_kept", (t, name, site), {col: 1.0, before: -1.0}, 0.0, INF)
                    _add(b.capex[t], before, -musd)
                    _add(b.residual, before, -musd * share)
            floor = b.block_col(t, "floor_kw", site)
            if floor is not None:
                _add(b.opex[t], floor, period.years * sw.floor_opex_musd())


def define_roadmap_swing(m: Any, inputs: Any) -> None:
    """The Pyomo twin of ``swing_hook``: battery_kept rows, and the battery capex on its
    increments, its residual and the floor's energy into ``m.hook_money``."""
    import pyomo.environ as pyo

    from dcplan.planner.roadmap_families import residual_share

    end, life = inputs.horizon_years, inputs.facility_life_years
    rows: dict[tuple[int, str, str], Any] = {}
    for t, period in enumerate(inputs.periods):
        block = m.period[t]
        share = residual_share(end, period.years_from_start, life)
        for site, sw in sorted(period.data.swing.items()):
            if site in block.SWB:
                for name, musd in _prices(sw).items():
                    now = getattr(block, name)[site]
                    before = getattr(m.period[t - 1], name)[site] if t > 0 else 0.0
                    if t > 0:
                        rows[(t, name, site)] = now - before >= 0
                    m.hook_money.add_capex(t, musd * (now - before))
                    m.hook_money.residual.append(musd * share * (now - before))
            if site in block.SWF:
                m.hook_money.add_opex(t, period.years * sw.floor_opex_musd() * block.floor_kw[site])
    m.battery_kept = pyo.Constraint(list(rows), rule=lambda model, *key: rows[key])


def _register() -> None:
    from dcplan.planner.roadmap_model import register_hook  # imported late: roadmap_model imports this module

    register_hook(swing_hook)


_register()

__all__ = ["KEPT_COLUMNS", "define_roadmap_swing", "swing_hook"]
