"""All-in power per accelerator: compute only, with the scale-out fabric and shared
storage, and at the facility meter (issue 15, item 1).

For ``N`` accelerators with compute IT power ``P_c`` [kW] (the provisioning basis) and a
design-day facility power ``P_f`` [kW] for that compute:

- compute only: ``P_c / N``;
- with fabric and storage: ``(P_c + P_fabric + P_storage) / N``, the fabric a fat tree
  for ``N`` on the system's ``[[fabric]]`` template (``models.fabric``) and the storage
  racks for the capacity and read bandwidth given, else the template's per-accelerator
  defaults (``models.storage``);
- at the facility meter: ``(P_c + P_fabric + P_storage) * PUE / N`` with
  ``PUE = P_f / P_c``, i.e. the network and storage racks are taken to carry the same
  electrical-loss and cooling overhead per kW as the compute (an approximation: they are
  air-cooled where most compute is liquid-cooled, so their cooling share is likely higher).

A system no template lists gets ``fabric = None``: its all-in figures equal compute only
and ``missing`` says why, never a silent zero.
"""

from __future__ import annotations

from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from dcplan.models.catalog import Catalog
from dcplan.models.fabric import fabric_for_system, size_fabric
from dcplan.models.storage import size_storage, storage_demand


class FabricSummary(BaseModel):
    """The fat tree behind the all-in figure."""

    model_config = ConfigDict(frozen=True)

    fabric: str
    tiers: int
    switches_per_tier: list[int] = Field(description="leaf first")
    switches: int
    link_ends: int = Field(description="transceivers or cable ends, both sides of every link")
    network_racks: int
    network_kw: float
    capex_usd: float
    gbps_per_chip: float


class StorageSummary(BaseModel):
    """The storage racks behind the all-in figure."""

    model_config = ConfigDict(frozen=True)

    storage: str
    capacity_pb: float
    read_gb_s: float
    racks: int
    limited_by: str
    storage_kw: float
    capex_usd: float


class AllInPower(BaseModel):
    """kW per accelerator on three boundaries, and the fabric and storage behind them."""

    model_config = ConfigDict(frozen=True)

    chips: int
    compute_kw_per_chip: float = Field(description="compute racks only, IT input")
    all_in_kw_per_chip: float = Field(description="compute + fabric + storage, IT input")
    facility_kw_per_chip: float = Field(description="all-in IT times the design-day PUE, at the facility meter")
    pue_applied: float
    fabric: FabricSummary | None
    storage: StorageSummary | None
    missing: list[str] = Field(default_factory=list, description="what is not counted, and why")


def all_in_power(
    catalog: Catalog,
    system_id: str,
    chips: int,
    compute_kw: float,
    facility_kw: float,
    storage_pb: float | None = None,
    storage_gb_s: float | None = None,
) -> AllInPower:
    """The three per-accelerator figures for ``chips`` of ``system_id`` (module docstring)."""
    missing: list[str] = []
    fabric_summary, storage_summary = None, None
    extra_kw = 0.0
    fabric = fabric_for_system(catalog, system_id)
    if catalog.system(system_id).fabric_power is not None:
        # the system's own fabric_power is already in its unit power: do not count twice
        fabric = None
        missing.append(f"{system_id} sets fabric_power: its network is inside compute, no template added")
    elif fabric is None:
        missing.append(f"no [[fabric]] template lists {system_id}: scale-out network not counted")
    else:
        size = size_fabric(fabric, chips)
        fabric_summary = FabricSummary(
            fabric=fabric.id,
            tiers=size.tiers,
            switches_per_tier=list(size.switches_per_tier),
            switches=size.switches,
            link_ends=size.link_ends,
            network_racks=size.network_racks,
            network_kw=size.network_kw,
            capex_usd=size.capex_usd,
            gbps_per_chip=size.gbps_per_chip,
        )
        extra_kw += size.network_kw
        if fabric.storage is None:
            missing.append(f"fabric {fabric.id} names no [[storage]]: storage not counted")
        else:
            storage = catalog.storage(fabric.storage)
            default_pb, default_gb_s = storage_demand(storage, chips)
            pb = default_pb if storage_pb is None else storage_pb
            gb_s = default_gb_s if storage_gb_s is None else storage_gb_s
            stored = size_storage(storage, pb, gb_s)
            storage_summary = StorageSummary(storage=stored.storage_id, **stored._asdict_without_id())
            extra_kw += stored.storage_kw
    per_chip = 1.0 / chips if chips > 0 else 0.0
    pue = facility_kw / compute_kw if compute_kw > 0 else 1.0
    return AllInPower(
        chips=chips,
        compute_kw_per_chip=compute_kw * per_chip,
        all_in_kw_per_chip=(compute_kw + extra_kw) * per_chip,
        facility_kw_per_chip=(compute_kw + extra_kw) * pue * per_chip,
        pue_applied=pue,
        fabric=fabric_summary,
        storage=storage_summary,
        missing=missing,
    )


class FabricPerUnit(NamedTuple):
    """One deployment unit's share of its cluster's fabric and storage (placed in rows).

    For a cluster of ``N`` accelerators (the largest the scenario can hold: conservative,
    since tiers only grow with ``N``) and ``c`` accelerators per unit, share ``s = c / N``:
    network-plus-storage racks ``n = (R_net + R_sto) * s``, power
    ``P = (P_fabric + P_storage) * s`` [kW], capex ``C = (C_fabric + C_storage) * s`` [USD].
    """

    system_id: str
    fabric_id: str
    cluster_chips: int
    tiers: int
    racks: float  # network + storage racks per unit
    kw: float  # IT kW at the network and storage racks per unit, all of it to air
    capex_usd: float


def fabric_per_unit(
    catalog: Catalog,
    system_id: str,
    chips_per_unit: int,
    cluster_chips: int,
    storage_per_chip: tuple[float | None, float | None] = (None, None),
) -> FabricPerUnit | None:
    """The per-unit share (class docstring) at ``cluster_chips``; None when no template
    lists the system, it sets its own ``fabric_power`` or the cluster is empty.
    ``storage_per_chip`` = (TB, GB/s) per accelerator, None for the template's default."""
    fabric = fabric_for_system(catalog, system_id)
    if fabric is None or catalog.system(system_id).fabric_power is not None or cluster_chips <= 0:
        return None
    size = size_fabric(fabric, cluster_chips)
    racks, kw, usd = float(size.network_racks), size.network_kw, size.capex_usd
    if fabric.storage is not None:
        storage = catalog.storage(fabric.storage)
        default_pb, default_gb_s = storage_demand(storage, cluster_chips)
        tb, gb_s = storage_per_chip
        pb = default_pb if tb is None else tb * cluster_chips / 1000.0
        stored = size_storage(storage, pb, default_gb_s if gb_s is None else gb_s * cluster_chips)
        racks, kw, usd = racks + stored.racks, kw + stored.storage_kw, usd + stored.capex_usd
    share = chips_per_unit / cluster_chips
    return FabricPerUnit(system_id, fabric.id, cluster_chips, size.tiers, racks * share, kw * share, usd * share)


__all__ = ["AllInPower", "FabricPerUnit", "FabricSummary", "StorageSummary", "all_in_power", "fabric_per_unit"]
