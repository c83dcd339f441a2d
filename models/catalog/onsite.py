"""The ``[[prime_mover]]`` entry kind: on-site gas generation that can carry a site as bridge
power (before the grid connection is energised) or as prime power (issue 15, item 3).

Unlike ``[[generator]]`` (the diesel standby set, which only backs the grid up), a prime
mover runs for hours a year, so it carries what running costs: its heat rate (fuel energy
per electric energy, both in kWh, HHV basis), its fuel's price and carbon per fuel kWh, its
variable O&M per electric kWh generated and its fixed O&M per kW of rating per year (both
required: a genset costing only fuel looks far cheaper than it is).
Its step-load capability is the largest sudden load, as a share of its rating, that it
accepts in one step while it carries the site islanded::

    [[prime_mover]]
    id = "gas-recip-4mw"
    kind_of_plant = "reciprocating"
    rating = { value = "4400 kW", source = "...", confidence = "assumption" }
    derating = { value = 0.95, source = "...", confidence = "assumption" }
    step_load = { value = 0.2, source = "...", confidence = "assumption" }
    heat_rate = { value = 2.17, source = "derived: 7,800 kJ/kWh / 3,600 kJ/kWh", ... }
    fuel_price = { value = "0.0119 USD/kWh", source = "...", ... }   # per fuel kWh
    fuel_carbon = { value = "0.181 kg/kWh", source = "...", ... }    # per fuel kWh
    variable_om = { value = "0.011 USD/kWh", source = "...", ... }  # per electric kWh generated
    fixed_om = { value = "20 USD/kW/year", source = "...", ... }    # per rated kW, owned
    capex = { value = "1200 USD/kW", source = "...", ... }
    lead_time = { value = "1 year", source = "...", ... }

The physics (derated kW, USD and kg CO2 per electric kWh, units for a step) is in
``dcplan.models.onsite``.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from dcplan.models.catalog.base import Entry
from dcplan.models.catalog.sourced import (
    SourcedCarbonIntensity,
    SourcedMoneyPerEnergy,
    SourcedMoneyPerPower,
    SourcedMoneyPerPowerYear,
    SourcedMultiplier,
    SourcedPositiveFraction,
    SourcedPositivePower,
    SourcedYears,
)


class PrimeMover(Entry):
    """A gas genset or turbine for bridge or prime power (see the module docstring)."""

    kind: ClassVar[str] = "prime_mover"

    kind_of_plant: Literal["reciprocating", "turbine"]
    rating: SourcedPositivePower
    derating: SourcedPositiveFraction
    step_load: SourcedPositiveFraction
    heat_rate: SourcedMultiplier
    fuel_price: SourcedMoneyPerEnergy
    fuel_carbon: SourcedCarbonIntensity
    variable_om: SourcedMoneyPerEnergy
    fixed_om: SourcedMoneyPerPowerYear
    capex: SourcedMoneyPerPower
    lead_time: SourcedYears
