"""All-in kW per accelerator of a plan (issue 15, item 1): per site and system, the
compute-only, with-fabric-and-storage and facility-meter figures of ``models.allin``.

The fabric is one fat tree per (site, system): the accelerators of one system at one site
form one scale-out cluster (halls of a site are taken to be within the fabric's reach of
each other). Compute kW is the provisioning-basis IT power of the system's rows; the
facility kW is their design-day facility power, so the PUE applied is that of the rows.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel, ConfigDict

from dcplan.models.allin import AllInPower, all_in_power
from dcplan.models.catalog import Catalog
from dcplan.models.fabric import fabric_for_system


class PlanAllIn(BaseModel):
    """The all-in figures of one system at one site."""

    model_config = ConfigDict(frozen=True)

    site: str
    system: str
    all_in: AllInPower


def plan_all_in(catalog: Catalog, hall_sites: dict[str, str], groups: dict[Any, Any]) -> list[PlanAllIn]:
    """One PlanAllIn per (site, system) of ``groups`` ((hall, system, cooling) -> SizingResult)."""
    totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for (hall, system, _cooling), result in groups.items():
        total = totals[(hall_sites[hall], system)]
        total[0] += result.chips
        total[1] += float(result.it_power_provisioned.m_as("kW"))
        total[2] += float(result.facility_power_design.m_as("kW"))
    return [
        PlanAllIn(site=site, system=system, all_in=all_in_power(catalog, system, int(chips), it_kw, facility_kw))
        for (site, system), (chips, it_kw, facility_kw) in sorted(totals.items())
    ]


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
