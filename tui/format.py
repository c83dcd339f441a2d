"""Text formatting of results for the screens (presentation only, no arithmetic beyond units)."""

from __future__ import annotations

from typing import Any


def q(value: Any, unit: str, digits: int = 3) -> str:
    """A quantity in ``unit`` with thousands separators."""
    from models.units import _parse_units

    magnitude = float(value.m_as(_parse_units(unit)))
    if abs(magnitude) >= 1000:
        return f"{magnitude:,.0f} {unit}"
    return f"{magnitude:,.{digits}g} {unit}"


def sizing_rows(result: Any) -> list[tuple[str, str]]:
    """(figure, value) rows of a SizingResult."""
    return [
        ("chips", f"{result.chips:,}"),
        ("racks", f"{result.racks:,} in {result.rows} rows"),
        ("units per rack", f"{result.units_per_rack} ({result.packing_limited_by})"),
        (f"kW per rack ({result.provisioning_basis})", q(result.rack_power, "kW")),
        (f"IT power ({result.provisioning_basis})", q(result.it_power_provisioned, "MW")),
        ("IT power (typical)", q(result.it_power_typical, "MW")),
        ("facility power (design day)", q(result.facility_power_design, "MW")),
        ("PUE design / annual", f"{result.pue_design:.3f} / {result.pue_annual:.3f}"),
        ("heat to liquid", q(result.heat_to_liquid, "MW")),
        ("heat to air", q(result.heat_to_air, "MW")),
        ("airflow", f"{q(result.airflow, 'm**3/s')} ({result.airflow_cfm:,.0f} CFM)"),
        ("coolant flow", f"{q(result.coolant_flow, 'L/min')} {result.coolant}"),
        ("floor load (footprint)", q(result.floor_load_footprint, "kg/m**2")),
        ("whitespace (gross)", q(result.whitespace_gross, "m**2")),
        ("annual energy", q(result.facility_energy, "GWh")),
        ("annual energy cost", f"{result.energy_cost.m_as('USD') / 1e6:,.2f} M USD"),
        ("annual carbon", f"{result.carbon.m_as('t'):,.0f} t CO2e"),
        ("capex", f"{result.capex_total.m_as('USD') / 1e6:,.1f} M USD"),
        ("peak dense FP8", f"{result.compute_fp8.m_as('PFLOPS'):,.0f} PFLOPS"),
    ]


def sweep_rows(summary: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(output, P10, P50, P90, chosen in) rows of a sweep summary."""
    names = {
        "compute_pflops": "compute [PFLOPS]",
        "tco_musd": "TCO [M USD]",
        "capex_musd": "capex [M USD]",
        "facility_mw": "facility power [MW]",
    }

    def cell(value: Any) -> str:
        return "-" if value is None else f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"

    rows = [
        (names.get(k, k), cell(v["p10"]), cell(v["p50"]), cell(v["p90"]), "") for k, v in summary["outputs"].items()
    ]
    for system, stats in summary["units"].items():
        share = summary["chosen_share"].get(system, 0.0)
        rows.append((f"units {system}", cell(stats["p10"]), cell(stats["p50"]), cell(stats["p90"]), f"{share:.0%}"))
    return rows


def tornado_text(rows: list[dict[str, Any]], top: int = 10, width: int = 30) -> str:
    """The inputs that move the objective most, as signed bars of Spearman's rho."""
    if not rows:
        return ""
    lines = ["[b]Tornado[/b] (Spearman rho of each input with the objective)"]
    for row in rows[:top]:
        rho = row.get("rho") or 0.0
        bar = "█" * round(abs(rho) * width)
        colour = "green3" if rho >= 0 else "red3"
        lines.append(f"{row['input'][:44]:<44} [{colour}]{bar:<{width}}[/] {rho:+.2f}")
    return "\n".join(lines)
