"""The plan's swing figures from a solution: what each [[utility_limit]] site swings with
the units placed, the battery and floor the solve bought, their money, the plan's SwingLine
and the re-check (models.swing, planner.swing_data)."""

from __future__ import annotations

from typing import Any

from dcplan.models.swing import ramp_time_s
from dcplan.planner.plan_onsite import add_onsite_money
from dcplan.planner.workload_results import paid_porting_usd

#: relative tolerance of the re-check (HiGHS' feasibility tolerance is 1e-7 absolute on kW rows)
REL_TOL = 1e-6


def _placed_units(ev: Any) -> dict[str, int]:
    """Units per option key, from the layout's filled rows."""
    units: dict[str, int] = {}
    for fill in ev.fills:
        units[fill.option.key] = units.get(fill.option.key, 0) + fill.units
    return units


def site_swing_kw(sw: Any, units: dict[str, int]) -> float:
    """``sum_o A_o * units[o]`` [kW] of the placed units."""
    return sum(per_unit * units.get(key, 0) for key, per_unit in sw.unit_swing_kw.items())


def _bought(values: dict[str, dict[Any, float]], site: str) -> tuple[float, float, float]:
    """(battery kW, battery kWh, floor kW) of the solution (0 where not allowed)."""
    return tuple(max(values.get(name, {}).get(site, 0.0), 0.0) for name in ("battery_kw", "battery_kwh", "floor_kw"))  # type: ignore[return-value]


def add_paid_extras(data: Any, values: dict[str, dict[Any, float]], ev: Any) -> None:
    """Porting capex, battery capex (electrical equipment: in ``capex['electrical']``) and
    the floor's energy (in ``opex['energy']``) [USD] of a solution, into the evaluation's money."""
    ev.capex["porting"] = paid_porting_usd(data, values)
    add_onsite_money(data, values, ev)  # gensets' capex and fuel (planner.plan_onsite)
    for site, sw in data.swing.items():
        kw, kwh, floor = _bought(values, site)
        ev.capex["electrical"] += kw * sw.prices.battery_usd_per_kw + kwh * sw.prices.battery_usd_per_kwh
        ev.opex["energy"] += floor * sw.prices.floor_usd_per_kw_year


def swing_lines(data: Any, values: dict[str, dict[Any, float]], ev: Any) -> list[Any]:
    """One SwingLine per [[utility_limit]] site, in site order."""
    from dcplan.models.units import qty
    from dcplan.planner.plan import SwingLine

    units = _placed_units(ev)
    lines = []
    for site in sorted(data.swing):
        sw = data.swing[site]
        swing = site_swing_kw(sw, units)
        kw, kwh, floor = _bought(values, site)
        capex = kw * sw.prices.battery_usd_per_kw + kwh * sw.prices.battery_usd_per_kwh
        step = sum(per_unit * units.get(key, 0) for key, per_unit in sw.unit_step_kw.items())
        ramp = ramp_time_s(step, sw.ramp_kw_per_s) if sw.ramp_kw_per_s is not None else None
        lines.append(
            SwingLine(
                site=site,
                swing=qty(swing, "kW"),
                band=qty(sw.band_kw, "kW"),
                battery_power=qty(kw, "kW"),
                battery_energy=qty(kwh, "kWh"),
                floor=qty(floor, "kW"),
                residual=qty(swing - kw - floor, "kW"),
                capex=qty(capex, "USD"),
                annual_energy_cost=qty(floor * sw.prices.floor_usd_per_kw_year, "USD"),
                ramp_time_s=ramp,
                summary=swing_summary(site, swing, sw.band_kw, (kw, kwh, floor), capex, ramp)
                + _both_ways(sw, kw + floor, data.pv_factor),
            )
        )
    return lines


def _both_ways(sw: Any, mitigated_kw: float, pv_factor: float) -> str:
    """'; battery 24.2 MUSD vs floor 58.4 MUSD over the horizon' where both are allowed: a
    capex budget may make the solve take the one that is dearer over the horizon."""
    if mitigated_kw <= 0 or len(sw.allowed) < 2:
        return ""
    battery = mitigated_kw * sw.prices.battery_usd_per_kw_mitigated() / 1e6
    floor = mitigated_kw * sw.prices.floor_usd_per_kw_mitigated(pv_factor) / 1e6
    return f"; battery {battery:,.3g} MUSD vs floor {floor:,.3g} MUSD over the horizon"


def with_swing(plan: Any, data: Any, values: dict[str, dict[Any, float]], ev: Any) -> Any:
    """``plan`` with its SwingLines, the batteries as equipment lines (power and energy, each
    with its capex), ``costs.capex_swing`` (of capex_electrical) and the floors' energy
    (unchanged without a [[utility_limit]])."""
    if not data.swing:
        return plan
    lines = swing_lines(data, values, ev)
    update: dict[str, Any] = {"swing": lines, "equipment": [*plan.equipment, *_battery_equipment(data, values)]}
    if plan.costs is not None:
        from dcplan.models.units import qty

        capex = sum(line.capex.m_as("USD") for line in lines)
        update["costs"] = plan.costs.model_copy(update={"capex_swing": qty(capex, "USD")})
    if plan.energy is not None:
        update["energy"] = _with_floor_energy(plan.energy, data, values)
    return plan.model_copy(update=update)


def _battery_equipment(data: Any, values: dict[str, dict[Any, float]]) -> list[Any]:
    """'swing battery power' [kW] and 'swing battery energy' [kWh] per site that bought one."""
    from dcplan.models.units import qty
    from dcplan.planner.plan import EquipmentCount

    out = []
    for site in sorted(data.swing):
        sw, (kw, kwh, _) = data.swing[site], _bought(values, site)
        if kw <= 0:
            continue
        for item, amount, unit, price in (
            ("swing battery power", kw, "kW", sw.prices.battery_usd_per_kw),
            ("swing battery energy", kwh, "kWh", sw.prices.battery_usd_per_kwh),
        ):
            out.append(
                EquipmentCount(
                    item=item,
                    catalog_id=None,
                    scope=site,
                    count=1,
                    unit_capacity=amount,
                    capacity_unit=unit,
                    installed=amount,
                    used=amount,
                    capex=qty(amount * price, "USD"),
                )
            )
    return out


def floor_energy_kwh(sw: Any, floor_kw: float) -> float:
    """``F * s_trough * 8760 h`` [kWh/yr] a power floor burns."""
    return floor_kw * sw.floor_hours_per_year


def _with_floor_energy(energy: Any, data: Any, values: dict[str, dict[Any, float]]) -> Any:
    """The energy summary with the floors' energy in IT and facility energy and its carbon
    (at the IT meter: the cooling of the burned power is not counted)."""
    from dcplan.models.units import qty

    kwh = carbon_kg = 0.0
    for site, sw in data.swing.items():
        burned = floor_energy_kwh(sw, _bought(values, site)[2])
        kwh += burned
        carbon_kg += burned * sw.carbon_kg_per_kwh
    if kwh == 0.0:
        return energy
    return energy.model_copy(
        update={
            "it_energy": energy.it_energy + qty(kwh, "kWh"),
            "facility_energy": energy.facility_energy + qty(kwh, "kWh"),
            "carbon": energy.carbon + qty(carbon_kg, "kg"),
        }
    )


def swing_summary(
    site: str,
    swing_kw: float,
    band_kw: float,
    bought: tuple[float, float, float],
    capex_usd: float,
    ramp_s: float | None,
) -> str:
    """'site: training swing 38 MW vs band 10 MW: 28 MW battery, 7 MWh, 10.9 MUSD' (or a floor, or none needed)."""
    kw, kwh, floor = bought
    head = f"{site}: training swing {swing_kw / 1e3:,.3g} MW vs band {band_kw / 1e3:,.3g} MW"
    parts = []
    if kw > 0:
        parts.append(f"{kw / 1e3:,.3g} MW battery, {kwh / 1e3:,.3g} MWh, {capex_usd / 1e6:,.3g} MUSD")
    if floor > 0:
        parts.append(f"{floor / 1e3:,.3g} MW power floor")
    text = f"{head}: {' + '.join(parts)}" if parts else f"{head}: within the band, no mitigation"
    if ramp_s is not None:
        text += f"; job start ramps over {ramp_s:,.3g} s"
    return text


def swing_violations(catalog: Any, data: Any, ev: Any, values: dict[str, dict[Any, float]]) -> tuple[int, list[str]]:
    """Re-check from the layout, with the swing per unit recomputed from the catalog
    (models.swing) and the band read from the scenario: ``swing - battery - floor <= band``
    and ``kWh >= d * kW`` per [[utility_limit]] site."""
    from dcplan.models.swing import mitigation_prices, system_unit_swing

    checked, violations = 0, []
    for limit in data.scenario.utility_limit:
        site, band_kw = limit.site, float(limit.swing_band.to("kW").magnitude)
        swing = sum(
            system_unit_swing(catalog.system(fill.option.system), catalog.defaults).residual_kw * fill.units
            for fill in ev.fills
            if fill.option.site == site
        )
        kw, kwh, floor = _bought(values, site)
        checked += 2
        residual = swing - kw - floor
        if residual > band_kw * (1 + REL_TOL) + 1e-3:
            violations.append(
                f"swing band ({site}): {residual / 1e3:,.6g} MW after mitigation exceeds {band_kw / 1e3:,.6g} MW"
            )
        need = kw * mitigation_prices(catalog.defaults, 0.0).battery_hours
        if kwh < need * (1 - REL_TOL) - 1e-3:
            violations.append(f"battery energy ({site}): {kwh:,.6g} kWh is below {need:,.6g} kWh for {kw:,.6g} kW")
    return checked, violations
