"""On-site generation, flexible grid access and UPS energy (issue 15, item 3): the physics
the optimiser's on-site rows and the re-check read, as plain floats.

- Usable power of n units [kW]:      P_gen = n * P_rated * derating
- Fuel cost per electric kWh [USD/kWh]: c_e = HR * c_fuel      (HR: fuel kWh per electric kWh)
- Variable O&M [USD/kWh]:             v (per electric kWh generated: maintenance, overhauls)
- Running cost per electric kWh [USD/kWh]: c_run = c_e + v
- Fixed O&M per unit [USD/yr]:        F_unit = f * P_rated   (f: USD per kW-year of rating;
  paid for every unit owned, running or not: staff, inspections, insurance)
- Carbon per electric kWh [kg/kWh]:   k_e = HR * k_fuel
- Step-load cover [units]:           n >= step_kW / (s * P_rated)   (s: step share of rating;
  every running unit takes its share of a step, so n units accept n * s * P_rated at once)
- Curtailment: accepting h hours a year of curtailment leaves the share 1 - h / 8760 of
  work and energy delivered (Duke's "Rethinking Load Growth": 0.25-1 % of hours buys
  76-126 GW of US headroom; docs/reference.md)
- UPS battery [kWh]:                 E = P_UPS * max(t_ride / 3600 s/h, d_min)
  (t_ride: ride-through until the generator takes the load, 10-30 s; d_min: the battery's
  shortest duration at its C-rate [h])
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dcplan.models.catalog import PrimeMover

HOURS_PER_YEAR = 8760.0
SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class PrimeMoverFigures:
    """One prime mover's catalog figures as plain floats."""

    rated_kw: float
    derating: float
    step_share: float  # largest load step per unit, share of its rating
    heat_rate: float  # fuel kWh per electric kWh
    fuel_usd_per_kwh: float  # per fuel kWh
    fuel_carbon_kg_per_kwh: float  # per fuel kWh
    capex_usd_per_kw: float  # per rated kW
    lead_time_years: float
    variable_om_usd_per_kwh: float = 0.0  # per electric kWh generated
    fixed_om_usd_per_kw_year: float = 0.0  # per rated kW per year

    @property
    def usable_kw(self) -> float:
        """P_rated * derating [kW per unit]."""
        return self.rated_kw * self.derating

    @property
    def step_kw(self) -> float:
        """s * P_rated [kW per running unit]: the step one unit accepts."""
        return self.step_share * self.rated_kw

    @property
    def energy_usd_per_kwh(self) -> float:
        """c_e = HR * c_fuel [USD per electric kWh]."""
        return self.heat_rate * self.fuel_usd_per_kwh

    @property
    def running_usd_per_kwh(self) -> float:
        """c_run = HR * c_fuel + v [USD per electric kWh]: fuel and variable O&M."""
        return self.energy_usd_per_kwh + self.variable_om_usd_per_kwh

    @property
    def fixed_om_usd_per_unit_year(self) -> float:
        """F_unit = f * P_rated [USD per unit per year]."""
        return self.fixed_om_usd_per_kw_year * self.rated_kw

    @property
    def carbon_kg_per_kwh(self) -> float:
        """k_e = HR * k_fuel [kg CO2 per electric kWh]."""
        return self.heat_rate * self.fuel_carbon_kg_per_kwh

    @property
    def capex_usd_per_unit(self) -> float:
        """capex per kW * P_rated [USD per unit]."""
        return self.capex_usd_per_kw * self.rated_kw


def prime_mover_figures(entry: PrimeMover) -> PrimeMoverFigures:
    """The catalog entry's nominal values in kW, USD/kWh, kg/kWh, USD/kW, USD/kW/year and years."""
    return PrimeMoverFigures(
        rated_kw=float(entry.rating.value.to("kW").magnitude),
        derating=float(entry.derating.value),
        step_share=float(entry.step_load.value),
        heat_rate=float(entry.heat_rate.value),
        fuel_usd_per_kwh=float(entry.fuel_price.value.to("USD/kWh").magnitude),
        fuel_carbon_kg_per_kwh=float(entry.fuel_carbon.value.to("kg/kWh").magnitude),
        capex_usd_per_kw=float(entry.capex.value.to("USD/kW").magnitude),
        lead_time_years=float(entry.lead_time.value.to("year").magnitude),
        variable_om_usd_per_kwh=float(entry.variable_om.value.to("USD/kWh").magnitude),
        fixed_om_usd_per_kw_year=float(entry.fixed_om.value.to("USD/kW/year").magnitude),
    )


def units_for_power(load_kw: float, pm: PrimeMoverFigures) -> int:
    """ceil(load / P_usable): units to carry ``load_kw`` [kW] alone."""
    return max(0, math.ceil(load_kw / pm.usable_kw - 1e-9))


def units_for_step(step_kw: float, pm: PrimeMoverFigures) -> int:
    """ceil(step / (s * P_rated)): running units to accept a ``step_kw`` [kW] load step."""
    return max(0, math.ceil(step_kw / pm.step_kw - 1e-9))


def delivered_share(curtailed_hours: float) -> float:
    """1 - h / 8760: the share of a year's work and energy left after ``curtailed_hours``."""
    if not 0.0 <= curtailed_hours <= HOURS_PER_YEAR:
        raise ValueError(f"curtailed hours must be within 0-8760 h a year, got {curtailed_hours}")
    return 1.0 - curtailed_hours / HOURS_PER_YEAR


def ups_battery_kwh(ups_kw: float, ride_through_s: float, min_duration_h: float = 0.0) -> float:
    """E = P_UPS * max(t_ride / 3600, d_min) [kWh] for a UPS of ``ups_kw`` [kW]."""
    if ups_kw < 0 or ride_through_s <= 0 or min_duration_h < 0:
        raise ValueError("UPS kW and minimum duration must be >= 0 and ride-through > 0 s")
    return ups_kw * max(ride_through_s / SECONDS_PER_HOUR, min_duration_h)
