"""Space and structure: rows, whitespace with aisles, and floor loading.

Kernels take plain floats/arrays in m, m**2 and kg.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def net_area_per_rack_m2(
    rack_width_m: ArrayLike, rack_depth_m: ArrayLike, cold_aisle_m: ArrayLike, hot_aisle_m: ArrayLike
) -> FloatArray:
    """Row area per rack for back-to-back rows sharing aisles:
    ``A = W * (2*D + w_cold + w_hot) / 2`` [m**2] (each rack owns half of each aisle it faces).
    """
    width = np.asarray(rack_width_m, dtype=float)
    depth = np.asarray(rack_depth_m, dtype=float)
    return width * (2.0 * depth + np.asarray(cold_aisle_m, dtype=float) + np.asarray(hot_aisle_m, dtype=float)) / 2.0


def footprint_m2(rack_width_m: ArrayLike, rack_depth_m: ArrayLike) -> FloatArray:
    """Rack footprint ``W * D`` [m**2]."""
    return np.asarray(rack_width_m, dtype=float) * np.asarray(rack_depth_m, dtype=float)


def floor_load_kg_m2(rack_mass_kg: ArrayLike, area_m2: ArrayLike) -> FloatArray:
    """Distributed load of a rack over an area: ``q = m / A`` [kg/m**2] (times g for kN/m**2)."""
    return np.asarray(rack_mass_kg, dtype=float) / np.asarray(area_m2, dtype=float)


def racks_per_row_for_unit(racks_per_row: int, racks_per_unit: int) -> int:
    """Usable rack positions per row when a unit's racks must sit together in one row.

    ``floor(N_row / r_unit) * r_unit``: a 2-rack UltraServer cannot straddle two rows.
    """
    return (racks_per_row // racks_per_unit) * racks_per_unit


def rows_needed(racks: ArrayLike, usable_per_row: ArrayLike) -> NDArray[np.int64]:
    """Rows to hold the racks: ``ceil(n_racks / n_per_row)``."""
    return np.ceil(np.asarray(racks, dtype=float) / np.asarray(usable_per_row, dtype=float) - 1e-9).astype(np.int64)
