"""Energy, cost, carbon and water over a year, and capital cost helpers.

Kernels take plain floats/arrays: kW, kWh, USD, USD/kWh, kg/kWh, L.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
HOURS_PER_YEAR = 8760.0


def annual_energy_kwh(average_kw: ArrayLike, hours: float = HOURS_PER_YEAR) -> FloatArray:
    """Energy at a constant average power: ``E = P_avg * 8,760 h`` [kWh]."""
    return np.asarray(average_kw, dtype=float) * hours


def energy_cost_usd(energy_kwh: ArrayLike, price_usd_kwh: ArrayLike) -> FloatArray:
    """``C = E * price`` [USD]."""
    return np.asarray(energy_kwh, dtype=float) * np.asarray(price_usd_kwh, dtype=float)


def carbon_kg(energy_kwh: ArrayLike, intensity_kg_kwh: ArrayLike) -> FloatArray:
    """Location-based emissions ``m = E * grid intensity`` [kg CO2e]."""
    return np.asarray(energy_kwh, dtype=float) * np.asarray(intensity_kg_kwh, dtype=float)


def pue(it_kwh: ArrayLike, overhead_kwh: ArrayLike) -> FloatArray:
    """``PUE = (E_IT + E_overhead) / E_IT`` (The Green Grid; annual energy basis)."""
    it = np.asarray(it_kwh, dtype=float)
    return (it + np.asarray(overhead_kwh, dtype=float)) / it


def capital_recovery_factor(rate: float, years: float) -> float:
    """Annualise capex: ``CRF = r (1+r)^n / ((1+r)^n - 1)``; ``1/n`` when r = 0."""
    if rate == 0:
        return 1.0 / years
    growth = (1.0 + rate) ** years
    return rate * growth / (growth - 1.0)
