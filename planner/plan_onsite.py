"""The plan's on-site power figures from a solution (issue 15, item 3): per
``[[onsite_power]]`` site, the gensets built and their MW, the energy they generate and the
fuel it burns, its carbon, the curtailment taken (hours, work lost) and the UPS battery kWh
for the ride-through (models.onsite, planner.onsite_data).

Money: unit capex counts in capex['electrical']; generation replaces grid energy, so the
energy cost gains (c_e + v - c_grid) per generated kWh (fuel and variable O&M v) and
carbon (k_e - k_grid); every unit owned adds its fixed O&M f x P_rated per year to it. Curtailed
hours lose the share h / 8760 of the site's work; the plan's energy is not reduced by it
(at most that share, 0.25-1 % for the Duke range: the cost stays conservative).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dcplan.models.onsite import HOURS_PER_YEAR, ups_battery_kwh


class OnsiteLine(BaseModel):
    """One site's on-site power in a plan (plain floats, units in the names)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    site: str
    prime_mover: str | None
    units: int
    generation_mw: float = Field(description="usable MW of the units built (rating x derating)")
    generated_mw_average: float = Field(description="average MW the units generate")
    generated_mwh_per_year: float
    fuel_mwh_per_year: float = Field(description="fuel energy burnt (HHV)")
    carbon_t_per_year: float = Field(description="CO2 of the fuel burnt")
    capex_usd: float
    om_usd_per_year: float = Field(
        description="operating and maintenance: variable O&M x generated kWh + fixed O&M x rated kW of the units"
    )
    curtailment_hours_per_year: float = Field(description="0 unless the curtailment offer was taken")
    curtailment_grid_mw: float = Field(description="grid MW the taken offer added")
    work_lost_pflops: float = Field(description="yearly-average PFLOPS the curtailed hours lose")
    step_kw: float = Field(description="the site's job start step, all units at once")
    step_capability_kw: float = Field(description="the units' step capability (islanded: must cover step_kw)")
    ups_kw: float
    ups_battery_kwh: float = Field(description="UPS kW x ride-through (in the UPS price)")
    summary: str


def placed_units(ev: Any) -> dict[str, int]:
    """Units per option key, from the layout's filled rows."""
    units: dict[str, int] = {}
    for fill in ev.fills:
        units[fill.option.key] = units.get(fill.option.key, 0) + fill.units
    return units


def _sum(per_unit: dict[str, float], units: dict[str, int]) -> float:
    return sum(v * units.get(k, 0) for k, v in per_unit.items())


def solved(values: dict[str, dict[Any, float]], name: str, site: str) -> float:
    return max(values.get(name, {}).get(site, 0.0), 0.0)


def add_onsite_money(data: Any, values: dict[str, dict[Any, float]], ev: Any) -> None:
    """Unit capex into ``capex['electrical']``; (c_e + v - c_grid) x generated kWh + n x f x
    P_rated into ``opex['energy']`` [USD/yr]."""
    for site, o in data.onsite.items():
        if not o.has_units:
            continue
        n = round(solved(values, "prime_n", site))
        ev.capex["electrical"] += n * o.prime.capex_usd_per_unit
        ev.opex["energy"] += (
            solved(values, "prime_kw", site) * HOURS_PER_YEAR * (o.prime.running_usd_per_kwh - o.grid_usd_per_kwh)
            + n * o.prime.fixed_om_usd_per_unit_year
        )


def onsite_lines(data: Any, values: dict[str, dict[Any, float]], ev: Any) -> list[OnsiteLine]:
    """One OnsiteLine per [[onsite_power]] site, in site order."""
    units = placed_units(ev)
    ups_kw = {o.key: o.ups_kw_per_unit for o in data.options}
    lines = []
    for site in sorted(data.onsite):
        o = data.onsite[site]
        n = round(solved(values, "prime_n", site)) if o.has_units else 0
        gen_kw = solved(values, "prime_kw", site) if o.has_units else 0.0
        taken = o.has_offer and solved(values, "curtail", site) > 0.5
        pm = o.prime
        site_ups_kw = sum(ups_kw[k] * units.get(k, 0) for k in o.average_kw)
        kwh = gen_kw * HOURS_PER_YEAR
        fuel = kwh * pm.heat_rate if pm else 0.0
        line = dict(
            site=site,
            prime_mover=o.prime_id,
            units=n,
            generation_mw=n * pm.usable_kw / 1000.0 if pm else 0.0,
            generated_mw_average=gen_kw / 1000.0,
            generated_mwh_per_year=kwh / 1000.0,
            fuel_mwh_per_year=fuel / 1000.0,
            carbon_t_per_year=kwh * pm.carbon_kg_per_kwh / 1000.0 if pm else 0.0,
            capex_usd=n * pm.capex_usd_per_unit if pm else 0.0,
            om_usd_per_year=kwh * pm.variable_om_usd_per_kwh + n * pm.fixed_om_usd_per_unit_year if pm else 0.0,
            curtailment_hours_per_year=o.curtailed_share * HOURS_PER_YEAR if taken else 0.0,
            curtailment_grid_mw=o.curtailment_grid_kw / 1000.0 if taken else 0.0,
            work_lost_pflops=o.curtailed_share * _sum(o.pflops, units) if taken else 0.0,
            step_kw=_sum(o.step_kw, units),
            step_capability_kw=n * pm.step_kw if pm else 0.0,
            ups_kw=site_ups_kw,
            ups_battery_kwh=ups_battery_kwh(site_ups_kw, o.ride_through_s),
        )
        lines.append(OnsiteLine(**line, summary=_summary(line)))
    return lines


def _summary(line: dict[str, Any]) -> str:
    parts = [f"{line['site']}:"]
    if line["units"]:
        parts.append(
            f"{line['units']} gensets, {line['generation_mw']:.3g} MW, {line['generated_mwh_per_year']:,.0f} MWh/yr"
            f" ({line['fuel_mwh_per_year']:,.0f} MWh fuel, {line['carbon_t_per_year']:,.0f} t CO2,"
            f" O&M {line['om_usd_per_year']:,.0f} USD/yr)"
        )
    else:
        parts.append("no gensets")
    if line["curtailment_hours_per_year"]:
        parts.append(
            f"; curtailment {line['curtailment_hours_per_year']:.4g} h/yr for +{line['curtailment_grid_mw']:.3g} MW grid"
        )
    parts.append(f"; UPS battery {line['ups_battery_kwh']:,.1f} kWh")
    return " ".join(parts).replace(" ;", ";")


def with_onsite(plan: Any, data: Any, values: dict[str, dict[Any, float]], ev: Any) -> Any:
    """``plan`` with its OnsiteLines and the generation's carbon, (k_e - k_grid) per
    generated kWh (unchanged without an [[onsite_power]])."""
    if not data.onsite:
        return plan
    lines = onsite_lines(data, values, ev)
    update: dict[str, Any] = {"onsite": lines}
    if plan.energy is not None:
        from dcplan.models.units import qty

        extra_kg = sum(
            solved(values, "prime_kw", s) * HOURS_PER_YEAR * (o.prime.carbon_kg_per_kwh - o.grid_carbon_kg_per_kwh)
            for s, o in data.onsite.items()
            if o.has_units
        )
        update["energy"] = plan.energy.model_copy(update={"carbon": plan.energy.carbon + qty(extra_kg, "kg")})
    return plan.model_copy(update=update)
