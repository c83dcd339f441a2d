"""Plain-text rows of sizing results and plans, shared by the command line and the UI."""

from __future__ import annotations

from typing import Any


def q(value: Any, unit: str, digits: int = 3) -> str:
    """A quantity in ``unit`` with thousands separators: '2,698 kW', '7.8 MW'."""
    from models.units import _parse_units

    magnitude = float(value.m_as(_parse_units(unit)))
    if abs(magnitude) >= 1000:
        return f"{magnitude:,.0f} {unit}"
    return f"{magnitude:,.{digits}g} {unit}"


def musd(value: Any, digits: int = 1) -> str:
    """Money in millions of US dollars."""
    return f"{value.m_as('USD') / 1e6:,.{digits}f} M USD"


def sizing_rows(result: Any) -> list[tuple[str, str]]:
    """(figure, value) rows of a SizingResult, power bases named."""
    capex = " / ".join(
        f"{getattr(result, f).m_as('USD') / 1e6:,.1f}"
        for f in ("capex_it", "capex_cooling", "capex_electrical", "capex_building")
    )
    return [
        ("chips", f"{result.chips:,}"),
        ("racks", f"{result.racks:,} in {result.rows} rows of up to {result.racks_per_row}"),
        ("units per rack", f"{result.units_per_rack} (limited by {result.packing_limited_by})"),
        (f"kW per rack ({result.provisioning_basis})", q(result.rack_power, "kW")),
        (f"IT power ({result.provisioning_basis})", q(result.it_power_provisioned, "MW")),
        ("IT power (typical, busy)", q(result.it_power_typical, "MW")),
        (f"IT power (average, u={result.utilisation:g})", q(result.it_power_average, "MW")),
        ("transient peak", q(result.transient_peak, "MW")),
        ("facility power (design day)", q(result.facility_power_design, "MW")),
        ("PUE design day / annual", f"{result.pue_design:.3f} / {result.pue_annual:.3f}"),
        ("heat to liquid / air", f"{q(result.heat_to_liquid, 'MW')} / {q(result.heat_to_air, 'MW')}"),
        (
            "airflow",
            f"{q(result.airflow, 'm**3/s')} ({result.airflow_cfm:,.0f} CFM) at {result.air_delta_t.magnitude:g} K",
        ),
        (
            "coolant flow",
            f"{q(result.coolant_flow, 'L/min')} {result.coolant} at {result.liquid_delta_t.magnitude:g} K",
        ),
        (
            "cooling power design / average",
            f"{q(result.cooling_power_design, 'MW')} / {q(result.cooling_power_average, 'MW')}",
        ),
        ("economiser hours (full free cooling)", f"{result.free_cooling_hours:,.0f} h/yr"),
        ("whitespace net / gross", f"{q(result.whitespace_net, 'm**2')} / {q(result.whitespace_gross, 'm**2')}"),
        (
            "floor load footprint / average",
            f"{q(result.floor_load_footprint, 'kg/m**2')} / {q(result.floor_load_average, 'kg/m**2')}",
        ),
        ("annual facility energy", q(result.facility_energy, "GWh")),
        ("annual energy cost", musd(result.energy_cost, 2)),
        (
            "annual carbon / water",
            f"{result.carbon.m_as('t'):,.0f} t CO2e / {result.water.m_as('m**3'):,.0f} m3 (WUE {result.wue:.2f} L/kWh)",
        ),
        ("capex IT / cooling / electrical / building", f"{capex} M USD"),
        (
            "peak dense compute BF16 / FP8",
            f"{result.compute_bf16.m_as('PFLOPS'):,.0f} / {result.compute_fp8.m_as('PFLOPS'):,.0f} PFLOPS",
        ),
    ]


def equipment_rows(result: Any) -> list[tuple[str, str, str, str, str, str]]:
    """(item, count, each, installed, used, utilisation) of a SizingResult's equipment."""
    return [
        (
            line.item,
            f"{line.count:,}",
            f"{line.unit_capacity:,.0f} {line.capacity_unit}",
            f"{line.installed:,.0f}",
            f"{line.used:,.0f}",
            f"{line.utilisation:.0%}",
        )
        for line in result.equipment
    ]


def mix_rows(plan: Any) -> list[tuple[str, str, str, str, str, str, str]]:
    """(system, place, units, chips, racks, PFLOPS, share) of a plan's mix; projected systems flagged."""
    return [
        (
            line.system + (" (projected)" if line.status != "shipping" else ""),
            line.place,
            f"{line.units:,}",
            f"{line.chips:,}",
            f"{line.racks:,}",
            f"{line.compute.m_as('PFLOPS'):,.0f}",
            f"{line.share:.1%}",
        )
        for line in plan.mix
    ]


def plan_money_energy_lines(plan: Any) -> list[str]:
    """Two lines: capex/opex/TCO, and power/PUE/energy/carbon/water of a feasible plan."""
    c, e = plan.costs, plan.energy
    return [
        f"capex {musd(c.capex_total)} (IT {musd(c.capex_it)}, cooling {musd(c.capex_cooling)}, "
        f"electrical {musd(c.capex_electrical)}, building {musd(c.capex_building)}, halls {musd(c.capex_halls)}); "
        f"opex {musd(c.annual_opex)}/yr (energy {musd(c.annual_energy_cost)}, cloud {musd(c.annual_cloud_cost)}); "
        f"TCO {musd(c.tco)} over {c.tco_horizon_years:g} years",
        f"IT {e.it_power_provisioned.m_as('MW'):,.1f} MW ({plan.provisioning_basis}), facility "
        f"{e.facility_power_design.m_as('MW'):,.1f} MW design day; PUE {e.pue_design:.3f} design / {e.pue_annual:.3f} annual; "
        f"{e.facility_energy.m_as('GWh'):,.0f} GWh/yr, {e.carbon.m_as('t'):,.0f} t CO2e/yr, {e.water.m_as('m**3'):,.0f} m3 water/yr",
    ]
