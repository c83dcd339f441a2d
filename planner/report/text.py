"""Plain-text rows of sizing results and plans, shared by the command line and the UI.

Every number and unit goes through :mod:`planner.report.quantity` (one style everywhere).
"""

from __future__ import annotations

from typing import Any

from dcplan.models.units import magnitude_in
from dcplan.planner.report.quantity import count, musd, number, percent, quantity, unit_text


def q(value: Any, unit: str, sig: int = 4) -> str:
    """A quantity in ``unit``: '2,698 kW', '7.8 MW', '12.35 m³/s'."""
    return quantity(value, unit, sig)


def sizing_rows(result: Any) -> list[tuple[str, str]]:
    """(figure, value) rows of a SizingResult, power bases named."""
    capex = " / ".join(
        number(magnitude_in(getattr(result, f), "USD") / 1e6)
        for f in ("capex_it", "capex_cooling", "capex_electrical", "capex_building")
    )
    return [
        ("chips", count(result.chips)),
        ("racks", f"{count(result.racks)} in {count(result.rows)} rows of up to {count(result.racks_per_row)}"),
        ("units per rack", f"{result.units_per_rack} (limited by {result.packing_limited_by})"),
        (f"kW per rack ({result.provisioning_basis})", q(result.rack_power, "kW")),
        (f"IT power ({result.provisioning_basis})", q(result.it_power_provisioned, "MW")),
        ("IT power (typical, busy)", q(result.it_power_typical, "MW")),
        (f"IT power (average, u={number(result.utilisation)})", q(result.it_power_average, "MW")),
        ("transient peak", q(result.transient_peak, "MW")),
        ("facility power (design day)", q(result.facility_power_design, "MW")),
        _pue_row(result),
        ("heat to liquid / air", f"{q(result.heat_to_liquid, 'MW')} / {q(result.heat_to_air, 'MW')}"),
        (
            "airflow",
            f"{q(result.airflow, 'm**3/s')} ({number(result.airflow_cfm)} CFM) at {number(result.air_delta_t.magnitude)} K",
        ),
        (
            "coolant flow",
            f"{q(result.coolant_flow, 'L/min')} {result.coolant} at {number(result.liquid_delta_t.magnitude)} K",
        ),
        (
            "cooling power design / average",
            f"{q(result.cooling_power_design, 'MW')} / {q(result.cooling_power_average, 'MW')}",
        ),
        ("economiser hours (full free cooling)", f"{count(result.free_cooling_hours)} h/yr"),
        *_chiller_rows(result),
        ("UPS sized on", result.ups_sizing_basis),
        (
            "rack power limit",
            f"{q(result.rack_power_limit, 'kW')} ({result.rack_power_limit_by.removesuffix(' rack limit')})",
        ),
        ("whitespace net / gross", f"{q(result.whitespace_net, 'm**2')} / {q(result.whitespace_gross, 'm**2')}"),
        (
            "floor load footprint / net row / gross",
            " / ".join(
                number(magnitude_in(getattr(result, f), "kg/m**2"))
                for f in ("floor_load_footprint", "floor_load_net_row", "floor_load_average")
            )
            + " kg/m²",
        ),
        ("annual facility energy", q(result.facility_energy, "GWh")),
        ("annual energy cost", musd(result.energy_cost)),
        (
            "annual carbon / water",
            f"{number(magnitude_in(result.carbon, 't'))} t CO2e / {q(result.water, 'm**3')} (WUE {number(result.wue, 3)} L/kWh)",
        ),
        ("water basis", result.water_basis),
        ("capex IT / cooling / electrical / building", f"{capex} M USD"),
        (
            "peak dense compute BF16 / FP8",
            f"{number(magnitude_in(result.compute_bf16, 'PFLOPS'))} / {number(magnitude_in(result.compute_fp8, 'PFLOPS'))} PFLOPS",
        ),
    ]


def _pue_row(result: Any) -> tuple[str, str]:
    """PUE with its basis: "PUE: 1.25 (target input)", else the modelled design-day / annual pair."""
    if result.pue_basis != "modelled":
        return ("PUE", f"{number(result.pue_annual)} ({result.pue_basis})")
    return ("PUE design day / annual (modelled)", f"{number(result.pue_design)} / {number(result.pue_annual)}")


def _chiller_rows(result: Any) -> list[tuple[str, str]]:
    """Chiller power design / average and the hours a year they run, design-day COP and
    kW/ton, and the COP's basis (rated or modelled); one row under a PUE target."""
    if result.chiller_power_design is None:
        return [("chillers", result.chiller_cop_basis)]
    cop = "no chiller load on the design day"
    if result.chiller_cop_design is not None:
        cop = f"{number(result.chiller_cop_design)} = {number(result.chiller_kw_per_ton_design, 3)} kW/ton"
    return [
        (
            "chiller power design / average",
            f"{q(result.chiller_power_design, 'MW')} / {q(result.chiller_power_average, 'MW')},"
            f" {count(result.chiller_hours)} h/yr",
        ),
        ("chiller COP design day", cop),
        ("chiller COP basis", result.chiller_cop_basis),
    ]


def equipment_rows(result: Any) -> list[tuple[str, str, str, str, str, str]]:
    """(item, count, each, installed, used, utilisation) of a SizingResult's equipment."""
    return [
        (
            line.item,
            count(line.count),
            f"{number(line.unit_capacity)} {unit_text(line.capacity_unit)}",
            number(line.installed),
            number(line.used),
            percent(line.utilisation),
        )
        for line in result.equipment
    ]


def mix_rows(plan: Any) -> list[tuple[str, str, str, str, str, str, str]]:
    """(system, place, units, chips, racks, PFLOPS, share) of a plan's mix; projected systems flagged."""
    return [
        (
            line.system + (" (projected)" if line.status != "shipping" else ""),
            line.place,
            count(line.units),
            count(line.chips),
            count(line.racks),
            number(magnitude_in(line.compute, "PFLOPS")),
            percent(line.share),
        )
        for line in plan.mix
    ]


def plan_money_energy_lines(plan: Any) -> list[str]:
    """capex/opex/TCO, power/PUE/energy/carbon/water of a feasible plan, and a line per
    [[utility_limit]] site: its training swing and the mitigation bought, and one per
    [[onsite_power]] site: gensets, fuel, carbon, curtailment, UPS kWh."""
    c, e = plan.costs, plan.energy
    return [
        f"capex {musd(c.capex_total)} (IT {musd(c.capex_it)}, cooling {musd(c.capex_cooling)}, "
        f"electrical {musd(c.capex_electrical)}"
        f"{f' incl. swing battery {musd(c.capex_swing)}' if c.capex_swing.magnitude > 0 else ''}, building {musd(c.capex_building)}, halls {musd(c.capex_halls)}"
        f"{f', porting {musd(c.capex_porting)}' if c.capex_porting.magnitude > 0 else ''}); "
        f"opex {musd(c.annual_opex)}/yr (energy {musd(c.annual_energy_cost)}, cloud {musd(c.annual_cloud_cost)}); "
        f"TCO {musd(c.tco)} over {number(c.tco_horizon_years)} years",
        f"IT {q(e.it_power_provisioned, 'MW')} ({plan.provisioning_basis}), facility "
        f"{q(e.facility_power_design, 'MW')} design day; PUE {number(e.pue_design)} design / {number(e.pue_annual)} annual; "
        f"{q(e.facility_energy, 'GWh')}/yr, {number(magnitude_in(e.carbon, 't'))} t CO2e/yr, {q(e.water, 'm**3')} water/yr"
        + (f" ({plan.quick_estimate_bases})" if plan.quick_estimate_bases else ""),
        *(line.summary for line in plan.swing),
        *(line.summary for line in plan.onsite),
    ]


def mix_title(plan: Any) -> str:
    """'Mix: 150,000 PFLOPS peak dense fp8'."""
    return f"Mix: {quantity(plan.compute_total, 'PFLOPS')} peak dense {plan.precision}"


def hall_rows(plan: Any) -> list[tuple[str, str, str, str, str, str, str]]:
    """(hall, racks, rows, IT MW / cap, liquid MW / plant, air MW / plant, facility MW) per hall;
    racks count compute, network and storage racks, naming the network and storage ones."""

    def pair(a: Any, b: Any) -> str:
        return f"{number(magnitude_in(a, 'MW'))} / {number(magnitude_in(b, 'MW'))}"

    def racks(hall: Any) -> str:  # network and storage racks are in the count: say how many
        network = getattr(hall, "network_racks", 0)
        return f"{count(hall.racks)} ({count(network)} network/storage)" if network else count(hall.racks)

    return [
        (
            hall.hall + ("" if hall.built else " (not built)"),
            racks(hall),
            count(hall.rows_used),
            pair(hall.it_power, hall.it_power_cap),
            pair(hall.liquid_plant_load, hall.liquid_plant_capacity),
            pair(hall.air_plant_load, hall.air_plant_capacity),
            number(magnitude_in(hall.facility_power_design, "MW")),
        )
        for hall in plan.halls
    ]


def binding_rows(plan: Any) -> list[tuple[str, str, str, str, str]]:
    """(limit, scope, used, limit value, marginal value) of the binding limits: '150,000 PFLOPS'."""
    return [
        (
            use.limit,
            use.scope,
            f"{number(use.used)} {unit_text(use.unit)}",
            f"{number(use.allowed)} {unit_text(use.unit)}",
            use.marginal_text or "",
        )
        for use in plan.limits
        if use.binding
    ]
