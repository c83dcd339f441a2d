"""Shared storage as equipment: storage racks, kW and USD for a capacity and a read
bandwidth on a ``[[storage]]`` template.

Racks ``R = ceil(max(C / C_rack, B / B_rack))`` (capacity or bandwidth, whichever binds);
``P = R * P_rack`` [kW]; ``capex = R * C_usd`` [USD]. Per PB and per GB/s the template
gives ``P_rack / C_rack`` [kW/PB], ``C_usd / C_rack`` [USD/PB], ``P_rack / B_rack``
[kW per GB/s] and ``C_usd / B_rack`` [USD per GB/s]. With no capacity or bandwidth given,
the template's per-accelerator defaults apply: ``C = N * c_chip``, ``B = N * b_chip``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from dcplan.models.catalog.fabric import Storage

GB_PER_PB = 1e6


class StorageSize(NamedTuple):
    """Storage racks for a capacity and a read bandwidth, and their power and price."""

    storage_id: str
    capacity_pb: float
    read_gb_s: float
    racks: int
    limited_by: str  # "capacity" | "bandwidth" | "none"
    storage_kw: float
    capex_usd: float

    def _asdict_without_id(self) -> dict[str, float | int | str]:
        """Every field but ``storage_id`` (for a summary that names the template itself)."""
        return {k: v for k, v in self._asdict().items() if k != "storage_id"}


def storage_demand(storage: Storage, chips: int) -> tuple[float, float]:
    """Default (capacity [PB], read bandwidth [GB/s]) for ``chips`` accelerators."""
    return (
        chips * float(storage.capacity_per_chip.magnitude) / GB_PER_PB,
        chips * float(storage.read_per_chip.magnitude),
    )


def size_storage(storage: Storage, capacity_pb: float, read_gb_s: float) -> StorageSize:
    """Racks, kW and USD for ``capacity_pb`` [PB] and ``read_gb_s`` [GB/s] (module docstring)."""
    by_capacity = capacity_pb * GB_PER_PB / float(storage.rack_capacity.magnitude)
    by_bandwidth = read_gb_s / float(storage.rack_read_bandwidth.magnitude)
    racks = math.ceil(max(by_capacity, by_bandwidth, 0.0) - 1e-9)
    limited_by = "none" if racks == 0 else ("capacity" if by_capacity >= by_bandwidth else "bandwidth")
    return StorageSize(
        storage.id,
        capacity_pb,
        read_gb_s,
        racks,
        limited_by,
        racks * float(storage.rack_power.magnitude),
        racks * float(storage.rack_capex.magnitude),
    )


__all__ = ["GB_PER_PB", "StorageSize", "size_storage", "storage_demand"]
