"""The re-check of on-site power (issue 15, item 3), from the layout and the solution alone:
per [[onsite_power]] site,

- units built <= max_units
- design-day facility kW <= P_grid + P_usable * n + G_c * [offer taken]          [kW]
- islanded: the job start step sum_o step_o * units_o <= s * P_rated * n           [kW]
- average facility kW <= P_grid + G_c * [offer taken] + generated kW, and generated kW
  <= P_usable * n                                                                  [kW]

(the site's utility power row of the limit table counts the same on-site kW, so it agrees).
"""

from __future__ import annotations

from typing import Any

from dcplan.planner.plan_onsite import placed_units, solved

#: relative tolerance (HiGHS' feasibility tolerance is 1e-7 absolute on kW rows)
REL_TOL = 1e-6


def onsite_headroom_kw(data: Any, values: dict[str, dict[Any, float]], site: str) -> float:
    """P_usable * n + G_c * [offer taken] [kW]: what on-site power adds to a site's grid limit."""
    o = data.onsite.get(site)
    if o is None:
        return 0.0
    kw = round(solved(values, "prime_n", site)) * o.prime.usable_kw if o.has_units else 0.0
    if o.has_offer and solved(values, "curtail", site) > 0.5:
        kw += o.curtailment_grid_kw
    return kw


def _over(used: float, limit: float) -> bool:
    return used > limit + REL_TOL * max(abs(limit), 1.0)


def onsite_violations(data: Any, ev: Any, values: dict[str, dict[Any, float]]) -> tuple[int, list[str]]:
    """(checks made, violations) of every [[onsite_power]] site."""
    units = placed_units(ev)
    design = {o.key: o.facility_design_kw_per_unit for o in data.options}
    checked, bad = 0, []
    for site in sorted(data.onsite):
        o = data.onsite[site]
        grid_kw = float(data.sites[site].limits.utility_power.magnitude)
        n = round(solved(values, "prime_n", site)) if o.has_units else 0
        taken_kw = o.curtailment_grid_kw if o.has_offer and solved(values, "curtail", site) > 0.5 else 0.0
        checked += 2
        if n > o.max_units:
            bad.append(f"on-site units ({site}): {n} built, at most {o.max_units}")
        facility = sum(design[k] * units.get(k, 0) for k in o.average_kw)
        if _over(facility, grid_kw + taken_kw + (n * o.prime.usable_kw if n else 0.0)):
            bad.append(f"on-site power ({site}): {facility / 1000:.4g} MW exceeds grid + generation")
        if o.has_units and o.islanded:
            checked += 1
            step = sum(v * units.get(k, 0) for k, v in o.step_kw.items())
            if _over(step, n * o.prime.step_kw):
                bad.append(f"genset step load ({site}): {step:.4g} kW step exceeds {n * o.prime.step_kw:.4g} kW")
        if o.has_units:
            checked += 1
            average = sum(v * units.get(k, 0) for k, v in o.average_kw.items())
            gen = solved(values, "prime_kw", site)
            if _over(average, grid_kw + taken_kw + gen) or _over(gen, n * o.prime.usable_kw):
                bad.append(f"on-site energy ({site}): {gen:.4g} kW generated does not cover {average:.4g} kW")
    return checked, bad
