"""Site climate: a typical-year hourly temperature profile built from monthly statistics.

The catalog gives 12 monthly mean dry bulbs, 12 monthly mean wet bulbs and the mean daily
range. ``hourly_profile`` turns them into 8,760 hourly dry- and wet-bulb temperatures:

- daily means are interpolated linearly between mid-month values (periodic over the year);
- a cosine diurnal swing peaks at 15:00: ``T(h) = T_day + R/2 * cos(2*pi*(h - 15)/24)``;
- the wet bulb swings by ``WET_BULB_RANGE_RATIO`` of the dry-bulb range, because the air's
  moisture content changes little over a day (assumption: ~0.4; wet bulb is capped at
  the dry bulb).

This is a smooth typical year without weather noise: it estimates economiser hours and
annual cooling energy; the cooling plant is sized on the site's design-day values instead.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

HOURS_PER_YEAR = 8760
DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
#: assumption: wet-bulb daily swing as a share of the dry-bulb swing (moisture roughly constant over a day)
WET_BULB_RANGE_RATIO = 0.4
PEAK_HOUR = 15.0


def _daily_means(monthly: NDArray[np.float64]) -> NDArray[np.float64]:
    """Linear interpolation of monthly means, placed mid-month, to 365 daily values."""
    month_starts = np.concatenate(([0], np.cumsum(DAYS_IN_MONTH)[:-1]))
    mid_month = month_starts + DAYS_IN_MONTH / 2.0
    days = np.arange(365) + 0.5
    return np.interp(days, mid_month, monthly, period=365)


@lru_cache(maxsize=64)
def _profile_cached(
    dry: tuple[float, ...], wet: tuple[float, ...], diurnal: tuple[float, ...]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    dry_day = _daily_means(np.array(dry))
    wet_day = _daily_means(np.array(wet))
    diurnal_arr = np.array(diurnal)
    range_day = _daily_means(diurnal_arr) if diurnal_arr.size == 12 else np.full(365, float(diurnal_arr[0]))
    hour_of_day = np.arange(24)
    swing = 0.5 * np.cos(2.0 * np.pi * (hour_of_day - PEAK_HOUR) / 24.0)
    dry_hourly = (dry_day[:, None] + range_day[:, None] * swing[None, :]).ravel()
    wet_hourly = (wet_day[:, None] + WET_BULB_RANGE_RATIO * range_day[:, None] * swing[None, :]).ravel()
    wet_hourly = np.minimum(wet_hourly, dry_hourly)
    dry_hourly.setflags(write=False)
    wet_hourly.setflags(write=False)
    return dry_hourly, wet_hourly


def hourly_profile(
    monthly_dry_c: NDArray[np.float64], monthly_wet_c: NDArray[np.float64], diurnal_range_k: float | NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(dry bulb, wet bulb) for each of the 8,760 hours of a typical year [degC] (read-only arrays)."""
    diurnal = np.atleast_1d(np.asarray(diurnal_range_k, dtype=float))
    return _profile_cached(
        tuple(float(x) for x in np.asarray(monthly_dry_c, dtype=float)),
        tuple(float(x) for x in np.asarray(monthly_wet_c, dtype=float)),
        tuple(float(x) for x in diurnal),
    )
