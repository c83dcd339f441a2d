"""Facility water class and heat reuse over a roadmap (issue 15, item 4).

Each period's block carries the single-period water rows of its halls (planner.matrix_water,
planner.formulation_water): water_class[h, k] binaries, ``water_class_one[h]``:
sum_k water_class[h, k] <= 1 and ``water_class_use[o]``: units[o, t] <= U_o water_class[h, k],
so every period's liquid units in a hall run its one class, and only classes their systems'
coolant inlet limits accept. The class is plumbing, built once: what links the periods is
added here, once for the direct builder (``water_hook``, in
planner.roadmap_model.ROADMAP_HOOKS) and once for the Pyomo formulation
(``define_roadmap_water``, called by planner.roadmap_formulation_hooks.define_extensions):

- water_class_kept[t, h, k] (t >= 1): water_class[h, k, t] - water_class[h, k, 0] = 0: one
  class per hall for the whole roadmap (a hall with no liquid units yet may hold it unused);
- opex_t -= y_t x c x h / 1000 / 1e6 x heat_reuse[h, t] [MUSD]: a heat taker's payment over
  period t (y_t years), per kW reused (planner.water_data.HeatReuse.credit_musd_per_kw).

Plant power, chiller hours, water and PUE follow per period from each block's class
options (the period's climate and sizing). A hall without a ``[[water_loop]]`` has no water
columns: nothing is added.
"""

from __future__ import annotations

from typing import Any


def _pairs(data: Any) -> list[tuple[str, str]]:
    return [(hall, k) for hall in sorted(data.water) for k in data.water[hall]]


def water_hook(b: Any) -> None:
    """The linking rows and money of the water columns on a RoadmapBuild (module docstring)."""
    water_class_link(b)
    heat_revenue(b)


def water_class_link(b: Any) -> None:
    """water_class_kept[t, h, k] (t >= 1): water_class[h, k, t] - water_class[h, k, 0] = 0."""
    for t, period in enumerate(b.periods):
        if t == 0:
            continue
        for hall, k in _pairs(period.data):
            now, first = b.block_col(t, "water_class", (hall, k)), b.block_col(0, "water_class", (hall, k))
            if now is not None and first is not None:
                b.add_row("water_class_kept", (t, hall, k), {now: 1.0, first: -1.0}, 0.0, 0.0)


def heat_revenue(b: Any) -> None:
    """opex_t -= y_t x c x h / 1000 / 1e6 x heat_reuse[h, t] [MUSD]."""
    for t, period in enumerate(b.periods):
        for hall, reuse in sorted(period.data.reuse.items()):
            col = b.block_col(t, "heat_reuse", hall)
            if col is not None:
                b.opex[t][col] = b.opex[t].get(col, 0.0) - period.years * reuse.credit_musd_per_kw


def define_roadmap_water(m: Any, inputs: Any) -> None:
    """The Pyomo twin of ``water_hook``: water_class_kept rows, the heat revenue into ``m.hook_money``."""
    import pyomo.environ as pyo

    rows: dict[tuple[int, str, str], Any] = {}
    for t, period in enumerate(inputs.periods):
        block = m.period[t]
        if t > 0:
            for hall, k in _pairs(period.data):
                if (hall, k) in block.WK and (hall, k) in m.period[0].WK:
                    rows[(t, hall, k)] = block.water_class[hall, k] - m.period[0].water_class[hall, k] == 0
        for hall, reuse in sorted(period.data.reuse.items()):
            if hall in block.WR:
                m.hook_money.add_opex(t, -period.years * reuse.credit_musd_per_kw * block.heat_reuse[hall])
    m.water_class_kept = pyo.Constraint(list(rows), rule=lambda model, *key: rows[key])


def revenue_bound_musd(inputs: Any) -> float:
    """sum_t df_t y_t c h / 1000 / 1e6 x P_offtake [MUSD]: the most heat revenue (for the
    tie-break weight's NPV bound, as planner.matrix_water.water_cost_bound_musd)."""
    return sum(
        inputs.discount_factor(p.years_from_start) * p.years * r.credit_musd_per_kw * r.capacity_kw
        for p in inputs.periods
        for r in p.data.reuse.values()
    )


def water_class_checks(periods: list[Any]) -> tuple[int, list[str]]:
    """Roadmap re-check from the period plans' water lines: each [[water_loop]] hall runs one
    supply class over the whole roadmap (periods with no liquid unit placed name none)."""
    classes: dict[str, dict[str, str]] = {}
    for period in periods:
        for line in period.plan.water:
            if line.water_class:
                classes.setdefault(line.hall, {}).setdefault(line.water_class, period.period)
    bad = [
        f"water loop ({hall}): {len(seen)} supply classes over the roadmap"
        f" ({', '.join(f'{k} from {first}' for k, first in sorted(seen.items()))})"
        for hall, seen in sorted(classes.items())
        if len(seen) > 1
    ]
    return len(classes), bad


def _register() -> None:
    from dcplan.planner.roadmap_model import register_hook  # imported late: roadmap_model imports this module

    register_hook(water_hook)


_register()

__all__ = [
    "define_roadmap_water",
    "heat_revenue",
    "revenue_bound_musd",
    "water_class_checks",
    "water_class_link",
    "water_hook",
]
