"""`dcplan size`'s training-swing figures: the sized block's swing (all units in one
synchronous job), and what a given ``--swing-band`` or ``--ramp-limit`` would need
(models.swing: a battery of the excess kW and d kWh per kW, or a power floor of the same
kW burning ``s_trough * 8760 h`` per kW a year; a job start's step over the ramp limit)."""

from __future__ import annotations

import math
from typing import Any

from dcplan.planner.cli.core import UserError


def parse_ramp(text: str | None) -> float | None:
    """``--ramp-limit`` [MW/s]: a positive number, or a one-line UserError."""
    if text is None:
        return None
    try:
        value = float(text.strip().removesuffix("MW/s").strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or value > 1e4:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise UserError(
            f"--ramp-limit: expected a ramp rate in MW/s above 0 (e.g. 5), got {shown}",
            field="--ramp-limit",
            expected="a ramp rate in MW/s above 0",
            got=shown,
        )
    return value


def size_swing(cat: Any, result: Any, band_kw: float | None, ramp_mw_per_s: float | None) -> dict[str, Any]:
    """The swing figures of ``result`` (a SizingResult) as plain numbers in the units their names carry."""
    from dcplan.models import swing

    system = cat.system(result.system)
    unit = swing.system_unit_swing(system, cat.defaults)
    step_kw = swing.unit_step_kw(system)
    out: dict[str, Any] = {
        "swing_kw_per_unit": unit.amplitude_kw,
        "storage_absorbs_kw_per_unit": unit.absorbed_kw,
        "swing_kw": unit.residual_kw * result.units,
        "job_step_kw": step_kw * result.units,
    }
    if band_kw is not None:
        price = float(cat.site(result.site).electricity_price.value.to("USD/kWh").magnitude)
        prices = swing.mitigation_prices(cat.defaults, price)
        need = max(out["swing_kw"] - band_kw, 0.0)
        out |= {
            "swing_band_kw": band_kw,
            "battery_kw": need,
            "battery_kwh": need * prices.battery_hours,
            "battery_capex_usd": need * prices.battery_usd_per_kw_mitigated(),
            "floor_kw": need,
            "floor_energy_cost_usd_per_year": need * prices.floor_usd_per_kw_year,
        }
    if ramp_mw_per_s is not None:
        out["ramp_limit_mw_per_s"] = ramp_mw_per_s
        out["job_start_s"] = swing.ramp_time_s(out["job_step_kw"], ramp_mw_per_s * 1000.0)
    return out


def swing_text(figures: dict[str, Any]) -> list[str]:
    """The lines `dcplan size` prints under its tables."""
    mw = figures["swing_kw"] / 1e3
    lines = [
        f"training swing {mw:,.4g} MW ({figures['swing_kw_per_unit']:,.4g} kW per unit trough to peak"
        + (
            f", {figures['storage_absorbs_kw_per_unit']:,.4g} kW absorbed by its own storage"
            if figures["storage_absorbs_kw_per_unit"]
            else ""
        )
        + f"); a job start or stop steps {figures['job_step_kw'] / 1e3:,.4g} MW"
    ]
    if "swing_band_kw" in figures:
        band = figures["swing_band_kw"] / 1e3
        if figures["battery_kw"] <= 0:
            lines.append(f"within a {band:,.4g} MW swing band: no mitigation needed")
        else:
            lines.append(
                f"to stay within {band:,.4g} MW: a {figures['battery_kw'] / 1e3:,.4g} MW / "
                f"{figures['battery_kwh'] / 1e3:,.4g} MWh battery ({figures['battery_capex_usd'] / 1e6:,.4g} MUSD capex), "
                f"or a {figures['floor_kw'] / 1e3:,.4g} MW power floor "
                f"({figures['floor_energy_cost_usd_per_year'] / 1e6:,.4g} MUSD/yr of energy)"
            )
    if "job_start_s" in figures:
        lines.append(
            f"at {figures['ramp_limit_mw_per_s']:,.4g} MW/s a job start or stop takes {figures['job_start_s']:,.4g} s"
        )
    return lines
