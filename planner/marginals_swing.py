"""The swing band of a site's ``[[utility_limit]]`` as a valued limit (issue 15 loose ends).

Its use: ``swing - battery - floor`` after mitigation against the band [MW], with
``swing = sum_o A_o * units[o]`` (``A_o`` the residual swing per unit, planner.swing_data);
one step is the smallest ``A_o`` of the site's options (one more unit's swing). Relaxing
it by one step (+1 MW of band) moves the upper bound of the matrix's ``site_swing`` row,
so planner.marginals values it like any power limit: in min-tco with a battery bought the
value is about the battery it no longer needs, ``1,000 kW x (c_kW + d x c_kWh)`` [USD];
with compute objectives the compute the extra swing lets in.
"""

from __future__ import annotations

from typing import Any

from dcplan.models.units import Q_
from dcplan.planner.scenario import Scenario

#: The limit's name in the plan's limits, and its relaxation step and matrix row family.
SWING_LIMIT = "utility swing band"
SWING_STEP = (1.0, "MW")
SWING_ROW_FAMILY = "site_swing"


def swing_use_figures(data: Any, units: dict[str, int], values: dict[str, dict[Any, float]]) -> list[tuple]:
    """Per swing site, (site, used [MW], band [MW], step [MW]): ``used = (sum_o A_o u_o -
    P_battery - P_floor) / 1000``; ``step = min_o A_o / 1000`` over the options that swing."""
    figures = []
    for site in sorted(data.swing):
        sw = data.swing[site]
        swing_kw = sum(per_unit * units.get(key, 0) for key, per_unit in sw.unit_swing_kw.items())
        bought = sum(max(values.get(name, {}).get(site, 0.0), 0.0) for name in ("battery_kw", "floor_kw"))
        steps = [a for a in sw.unit_swing_kw.values() if a > 0]
        step_mw = min(steps) / 1000.0 if steps else 0.0
        figures.append((site, (swing_kw - bought) / 1000.0, sw.band_kw / 1000.0, step_mw))
    return figures


def relaxed_swing(scenario: Scenario, site: str) -> Scenario | None:
    """The scenario with ``site``'s swing band one step (+1 MW) wider; None without one."""
    limits = list(scenario.utility_limit)
    for i, limit in enumerate(limits):
        if limit.site == site:
            limits[i] = limit.model_copy(update={"swing_band": limit.swing_band + Q_(SWING_STEP[0], SWING_STEP[1])})
            return scenario.model_copy(update={"utility_limit": limits})
    return None


__all__ = ["SWING_LIMIT", "SWING_ROW_FAMILY", "SWING_STEP", "relaxed_swing", "swing_use_figures"]
