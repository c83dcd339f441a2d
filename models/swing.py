"""Training power swings and what it costs to keep them inside a utility's limits.

A synchronous training job alternates a compute-heavy phase (GPUs near their design power)
and a communication-heavy phase (near idle), so every unit in the job swings its power
once per iteration, all in step (arXiv 2508.14318). Per unit [kW]:

    A_unit   = a * P_design                 (a = the system's ``swing_amplitude``), or
    A_unit   = P_design - P_idle            (no ``swing_amplitude``: compute at design power,
                                             communication at idle: the widest swing)
    S_store  = min(A_unit, 2 * E_store / T) (built-in storage E_store [kJ] carries the swing
                                             for half a period T [s])
    A_resid  = A_unit - S_store

A site's swing is ``sum A_resid * units`` [kW] (every unit in one synchronous job: the
worst case). Mitigation takes ``m`` kW off it:

- facility battery of P_bat [kW] and E_bat [kWh] >= P_bat * d, with
  ``d = max(T_max / 2 / 3600 s/h, d_min)`` [h]: it carries the swing for half the longest
  period, and a battery cannot be bought with less energy than its C-rate allows (d_min);
  capex ``P_bat * c_kW + E_bat * c_kWh`` [USD];
- a job- or rack-level power floor of F [kW]: the GPUs burn power in the low phase so the
  trough rises by F; the peak does not move, so only energy is paid:
  ``F * s_trough * 8760 h/yr * price`` [USD/yr] (s_trough = share of time in the low phase).

Mitigation per kW, battery: ``c_kW + d * c_kWh`` [USD/kW] once; floor:
``PV * s_trough * 8760 * price`` [USD/kW] over the horizon (PV = present-value factor [yr]).

The ramp limit [kW/s] of a contract applies to a job's start and stop (the whole training
step ``P_train - P_idle`` per unit); with a controlled ramp (GPU firmware or software) the
step takes ``step / ramp`` seconds, reported, not optimised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HOURS_PER_YEAR = 8760.0
S_PER_H = 3600.0
KJ_PER_KWH = 3600.0


@dataclass(frozen=True)
class UnitSwing:
    """One unit's training swing [kW]: trough to peak, what its own storage absorbs, the rest."""

    amplitude_kw: float
    absorbed_kw: float

    @property
    def residual_kw(self) -> float:
        """``A_resid = A_unit - S_store`` [kW]: what the site sees of one unit."""
        return self.amplitude_kw - self.absorbed_kw


@dataclass(frozen=True)
class MitigationPrices:
    """What one kW of swing mitigation costs, each way."""

    battery_usd_per_kw: float  # c_kW
    battery_usd_per_kwh: float  # c_kWh
    battery_hours: float  # d = E_bat / P_bat [h]
    floor_usd_per_kw_year: float  # s_trough * 8760 h * price

    def battery_usd_per_kw_mitigated(self) -> float:
        """``c_kW + d * c_kWh`` [USD per kW of swing]."""
        return self.battery_usd_per_kw + self.battery_hours * self.battery_usd_per_kwh

    def floor_usd_per_kw_mitigated(self, pv_factor: float) -> float:
        """``PV * s_trough * 8760 * price`` [USD per kW of swing over the horizon]."""
        return pv_factor * self.floor_usd_per_kw_year


@dataclass(frozen=True)
class Mitigation:
    """A site's mitigation: battery kW and kWh, power-floor kW, and what they cost."""

    swing_kw: float
    band_kw: float
    battery_kw: float = 0.0
    battery_kwh: float = 0.0
    floor_kw: float = 0.0
    capex_usd: float = 0.0
    opex_usd_per_year: float = 0.0

    @property
    def residual_kw(self) -> float:
        """The site's swing after mitigation [kW]."""
        return self.swing_kw - self.battery_kw - self.floor_kw


def storage_absorbed_kw(amplitude_kw: float, storage_kwh: float, period_s: float) -> float:
    """``S_store = min(A, 2 * E / T)`` [kW]: storage E [kWh] carries the high (or fills the low)
    phase, half of a period T [s]."""
    if period_s <= 0:
        raise ValueError(f"swing period must be > 0 s, got {period_s}")
    return min(amplitude_kw, 2.0 * storage_kwh * KJ_PER_KWH / period_s)


def unit_swing(
    design_kw: float, idle_kw: float, amplitude_share: float | None, storage_kwh: float, period_s: float
) -> UnitSwing:
    """A unit's swing [kW]: ``a * P_design`` (or ``P_design - P_idle`` without a share), less what
    its built-in storage absorbs over the longest period ``period_s`` [s]."""
    amplitude = amplitude_share * design_kw if amplitude_share is not None else max(design_kw - idle_kw, 0.0)
    return UnitSwing(amplitude_kw=amplitude, absorbed_kw=storage_absorbed_kw(amplitude, storage_kwh, period_s))


def battery_hours(period_max_s: float, min_duration_h: float) -> float:
    """``d = max(T_max / 2 / 3600, d_min)`` [h]: kWh of battery per kW."""
    return max(period_max_s / 2.0 / S_PER_H, min_duration_h)


def floor_usd_per_kw_year(trough_share: float, price_usd_kwh: float) -> float:
    """``s_trough * 8760 h * price`` [USD/yr per kW of floor]."""
    return trough_share * HOURS_PER_YEAR * price_usd_kwh


def cheapest_mitigation(
    swing_kw: float, band_kw: float, prices: MitigationPrices, pv_factor: float, allowed: tuple[str, ...]
) -> Mitigation:
    """The least-cost way to bring ``swing_kw`` within ``band_kw`` with one of ``allowed``
    ("battery", "floor"): the need ``max(swing - band, 0)`` [kW] all on the cheaper per kW
    (the optimiser's answer for a fixed fleet: both costs are linear)."""
    need = max(swing_kw - band_kw, 0.0)
    if need == 0.0 or not allowed:
        return Mitigation(swing_kw=swing_kw, band_kw=band_kw)
    per_kw = {
        "battery": prices.battery_usd_per_kw_mitigated(),
        "floor": prices.floor_usd_per_kw_mitigated(pv_factor),
    }
    way = min(allowed, key=lambda k: (per_kw[k], k))
    if way == "battery":
        kwh = need * prices.battery_hours
        capex = need * prices.battery_usd_per_kw + kwh * prices.battery_usd_per_kwh
        return Mitigation(swing_kw, band_kw, battery_kw=need, battery_kwh=kwh, capex_usd=capex)
    return Mitigation(swing_kw, band_kw, floor_kw=need, opex_usd_per_year=need * prices.floor_usd_per_kw_year)


def ramp_time_s(step_kw: float, ramp_kw_per_s: float) -> float:
    """``step / ramp`` [s]: how long a job's start (or controlled stop) must take."""
    if ramp_kw_per_s <= 0:
        raise ValueError(f"ramp limit must be > 0 kW/s, got {ramp_kw_per_s}")
    return step_kw / ramp_kw_per_s


def unit_step_kw(system: Any) -> float:
    """A job's start or stop per unit: ``P_typical - P_idle`` [kW] (0 if idle is the higher)."""
    return max(float(system.typical_power.value.to("kW").magnitude - system.idle_power.value.to("kW").magnitude), 0.0)


def system_unit_swing(system: Any, defaults: Any) -> UnitSwing:
    """``unit_swing`` from catalog entries: the system's ``swing_amplitude``, ``swing_storage``
    and ``swing_period`` (high end; else the planning defaults')."""
    period = system.swing_period if system.swing_period is not None else defaults.swing_period
    if period is None:
        raise ValueError("the planning defaults give no swing_period")
    period_s = float((period.high if period.high is not None else period.value).to("s").magnitude)
    share = float(system.swing_amplitude.value) if system.swing_amplitude is not None else None
    storage = float(system.swing_storage.value.to("kWh").magnitude) if system.swing_storage is not None else 0.0
    return unit_swing(
        float(system.design_power.value.to("kW").magnitude),
        float(system.idle_power.value.to("kW").magnitude),
        share,
        storage,
        period_s,
    )


def mitigation_prices(defaults: Any, price_usd_kwh: float) -> MitigationPrices:
    """MitigationPrices from the planning defaults and a site's electricity price [USD/kWh]."""
    fields = ("swing_period", "swing_trough_share", "battery_power_capex", "battery_energy_capex")
    missing = [f for f in (*fields, "battery_min_duration") if getattr(defaults, f) is None]
    if missing:
        raise ValueError(f"the planning defaults give no {', '.join(missing)} (needed for a utility swing limit)")
    period = defaults.swing_period
    period_s = float((period.high if period.high is not None else period.value).to("s").magnitude)
    return MitigationPrices(
        battery_usd_per_kw=float(defaults.battery_power_capex.value.to("USD/kW").magnitude),
        battery_usd_per_kwh=float(defaults.battery_energy_capex.value.to("USD/kWh").magnitude),
        battery_hours=battery_hours(period_s, float(defaults.battery_min_duration.value.to("h").magnitude)),
        floor_usd_per_kw_year=floor_usd_per_kw_year(float(defaults.swing_trough_share.value), price_usd_kwh),
    )
