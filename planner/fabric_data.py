"""Model data for network and storage racks placed in rows (issue 15, item 1).

With a ``[fabric]`` table that places (``planner.scenario_fabric``), every (site, system)
gets its per-unit share of a fat-tree fabric and its storage (``models.allin.fabric_per_unit``)
sized at the largest cluster the scenario's rows can hold there: conservative, because a
fat tree's tiers, switches and link ends per accelerator only grow with the cluster. That
share flows through ``SizingOptions.placed_fabric`` into ``unit_coefficients`` (power on
every basis, heat to room air, capex), so the formulation, the evaluation and the re-check
read one figure; rows reserve end positions for it (``units_per_row_positions``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection

from dcplan.models.allin import FabricPerUnit, fabric_per_unit
from dcplan.models.catalog import Catalog, System
from dcplan.models.coefficients import server_packing, system_unit_kw
from dcplan.models.sizing import SizingOptions
from dcplan.planner.scenario import Hall, Row, Scenario

PlacedFabric = dict[str, tuple[FabricPerUnit, ...]]  # site id -> per-unit share by system
SizingOf = Callable[[Scenario, Hall], SizingOptions]


def units_per_row_positions(positions: int, slots: int, units_per_rack: int, fabric_racks: float) -> int:
    """Most units a row of ``positions`` holds with ``n = fabric_racks`` network and storage
    racks per unit at its end: the largest ``u`` with ``R(u) + ceil(u * n) <= P``, where
    ``R(u) = u * r`` for a unit of ``r`` adjacent racks and ``ceil(u / x)`` for servers at
    ``x`` per rack. Without fabric: ``floor(P / r)`` units, or ``P * x`` servers.
    """
    per_unit = slots if units_per_rack == 1 else 1.0 / units_per_rack
    units = math.floor(positions / (per_unit + fabric_racks) + 1e-9)  # no larger u can fit

    def racks(u: int) -> int:
        own = u * slots if units_per_rack == 1 else math.ceil(u / units_per_rack)
        return own + math.ceil(u * fabric_racks - 1e-9)

    while units > 0 and racks(units) > positions:
        units -= 1
    return units


def placed_share(sizing: SizingOptions, system: System) -> FabricPerUnit | None:
    """The network and storage racks placed per unit of ``system``, None if none are."""
    return sizing.fabric_of(system.id) if system.fabric_power is None else None


def _row_units_max(system: System, catalog: Catalog, row: Row, sizing: SizingOptions) -> int:
    """Units of ``system`` one row could hold at most (positions only, no fabric reserved)."""
    coolings = [c for c in dict.fromkeys(row.cooling) if c in system.cooling]
    if not coolings:
        return 0
    if system.form != "server":
        return row.positions // int(system.racks_per_unit.value)  # type: ignore[union-attr]
    unit_kw = system_unit_kw(system, sizing)
    per_rack = max(server_packing(system, catalog.cooling(c), unit_kw)[0] for c in coolings)
    return row.positions * per_rack


def largest_cluster_chips(
    scenario: Scenario,
    catalog: Catalog,
    site_id: str,
    system: System,
    sizing_of: SizingOf,
    halls_in: Collection[str] | None = None,
) -> int:
    """Accelerators of ``system`` the halls of ``site_id`` could hold: per hall the fewer of
    its rows' positions and ``floor(P_hall,IT / P_unit)`` (the system alone on the hall's IT
    cap), capped by the candidate's ``max_units``: the cluster size its fabric is sized at.
    ``halls_in``: only these halls count (a roadmap period's ready halls); None: every hall."""
    halls: dict[str, Hall] = {
        h.id: h for h in scenario.hall if h.site == site_id and (halls_in is None or h.id in halls_in)
    }
    by_hall: dict[str, int] = dict.fromkeys(halls, 0)
    for row in scenario.row:
        if row.hall in halls:
            by_hall[row.hall] += row.count * _row_units_max(system, catalog, row, sizing_of(scenario, halls[row.hall]))
    units = 0
    for hall_id, hall_units in by_hall.items():
        unit_kw = system_unit_kw(system, sizing_of(scenario, halls[hall_id]))
        by_power = (
            math.floor(float(halls[hall_id].it_power_cap.m_as("kW")) / unit_kw + 1e-9) if unit_kw > 0 else hall_units
        )
        units += min(hall_units, by_power)
    caps = [c.max_units for c in scenario.candidate if c.system == system.id and c.max_units is not None]
    if caps:
        units = min(units, max(caps))
    return units * int(system.chips_per_unit.value)


def placed_fabric(
    scenario: Scenario, catalog: Catalog, sizing_of: SizingOf, halls_in: Collection[str] | None = None
) -> PlacedFabric:
    """Per site, the per-unit fabric share of every candidate system a template lists;
    empty without a placing ``[fabric]`` table. ``sizing_of`` gives a hall's sizing options;
    ``halls_in`` limits the cluster to those halls (``largest_cluster_chips``)."""
    settings = scenario.fabric
    if settings is None or not settings.place:
        return {}
    storage = (
        float(settings.storage_per_chip.m_as("TB")) if settings.storage_per_chip is not None else None,
        float(settings.storage_read_per_chip.m_as("GB/s")) if settings.storage_read_per_chip is not None else None,
    )
    placed: PlacedFabric = {}
    for limits in scenario.site:
        shares = []
        for system_id in dict.fromkeys(c.system for c in scenario.candidate):
            system = catalog.system(system_id)
            chips = largest_cluster_chips(scenario, catalog, limits.id, system, sizing_of, halls_in)
            share = fabric_per_unit(catalog, system_id, int(system.chips_per_unit.value), chips, storage)
            if share is not None:
                shares.append(share)
        placed[limits.id] = tuple(shares)
    return placed


__all__ = [
    "FabricPerUnit",
    "PlacedFabric",
    "largest_cluster_chips",
    "placed_fabric",
    "placed_share",
    "units_per_row_positions",
]
