"""All-in kW per accelerator of a plan (issue 15, item 1): per site and system, the
compute-only, with-fabric-and-storage and facility-meter figures of ``models.allin``.

The fabric is one fat tree per (site, system): the accelerators of one system at one site
form one scale-out cluster (halls of a site are taken to be within the fabric's reach of
each other). Compute kW is the provisioning-basis IT power of the system's rows; the
facility kW is their design-day facility power, so the PUE applied is that of the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dcplan.models.allin import AllInPower, all_in_power
from dcplan.models.catalog import Catalog
from dcplan.models.fabric import fabric_for_system
from dcplan.models.units import ureg


class PlanAllIn(BaseModel):
    """The all-in figures of one system at one site."""

    model_config = ConfigDict(frozen=True)

    site: str
    system: str
    all_in: AllInPower
    placed_racks: int = Field(
        default=0, description="network and storage racks the plan places at its rows' ends (0: counted, not placed)"
    )


def plan_all_in(
    catalog: Catalog, hall_sites: dict[str, str], groups: dict[Any, Any], fills: Iterable[Any] = ()
) -> list[PlanAllIn]:
    """One PlanAllIn per (site, system) of ``groups`` ((hall, system, cooling) -> SizingResult).

    Where the plan places the fabric (``fills`` with a per-unit share ``P_unit``), the groups'
    IT power includes it: compute kW ``P_IT - U * P_unit`` and facility kW
    ``P_fac * (P_IT - U * P_unit) / P_IT``, so the all-in figure counts the fabric once, at
    the exact fat tree of the plan's chips, with the rows' PUE.
    """
    totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    placed: dict[tuple[str, str], int] = defaultdict(int)
    for fill in fills:
        if fill.option.fabric is not None:
            key = (fill.option.site, fill.option.system)
            placed[key] += fill.network_racks
            totals[key][3] += fill.units * fill.option.fabric.kw
    for (hall, system, _cooling), result in groups.items():
        total = totals[(hall_sites[hall], system)]
        total[0] += result.chips
        total[1] += float(result.it_power_provisioned.m_as(_KW))
        total[2] += float(result.facility_power_design.m_as(_KW))
    out = []
    for (site, system), (chips, it_kw, facility_kw, fabric_kw) in sorted(totals.items()):
        compute_kw = it_kw - fabric_kw
        facility_kw *= compute_kw / it_kw if it_kw > 0 else 1.0
        all_in = all_in_power(catalog, system, int(chips), compute_kw, facility_kw)
        out.append(PlanAllIn(site=site, system=system, all_in=all_in, placed_racks=placed[(site, system)]))
    return out


def fabric_entries_used(catalog: Catalog, system_ids: list[str]) -> list[tuple[str, str]]:
    """(kind, id) of the ``[[fabric]]`` and ``[[storage]]`` entries the all-in figures of
    ``system_ids`` read, so a plan lists their sourced figures among its assumptions."""
    used: list[tuple[str, str]] = []
    for system_id in system_ids:
        fabric = fabric_for_system(catalog, system_id)
        if fabric is not None:
            used.append(("fabric", fabric.id))
            if fabric.storage is not None:
                used.append(("storage", fabric.storage))
    return used


__all__ = ["PlanAllIn", "fabric_entries_used", "plan_all_in"]

#: parsed once: ``q.m_as("kW")`` re-parses the unit text on every call (two per sized group)
_KW = ureg.Unit("kW")
