"""Re-check of the placed network and storage racks (issue 15, item 1): per site and
system, the exact fat-tree fabric and storage of the units the plan deploys must fit the
end-of-row positions the rows reserved and the kW the model carried for them.

The model reserves ``n`` racks and ``P`` kW per unit, sized at the largest cluster the
scenario can hold (``planner.fabric_data``); the exact fabric of the plan's ``U`` units
(``models.allin.fabric_per_unit`` at ``U * c`` accelerators, times ``U``) needs
``R_exact`` racks and ``P_exact`` kW. Fits when ``R_exact <= sum_rows ceil(u_row * n)``
and ``P_exact <= U * P``. A linear per-unit share cannot cover the whole-switch and
whole-rack rounding of every smaller cluster (one GB300 rack still needs a storage rack),
so a shortfall is a one-line note on the plan, not a failed re-check: the limits were
checked on the reserved figures, and the note says by how much the exact fabric exceeds them.
"""

from __future__ import annotations

from collections import defaultdict

from dcplan.models.allin import fabric_per_unit
from dcplan.models.catalog import Catalog
from dcplan.planner.layout import RowFill
from dcplan.planner.modeldata import ModelData

REL_TOL = 1e-6


def fabric_shortfalls(catalog: Catalog, data: ModelData, fills: list[RowFill]) -> tuple[int, list[str]]:
    """(checks made, one line per (site, system) whose exact fabric does not fit)."""
    units: dict[tuple[str, str], int] = defaultdict(int)
    reserved: dict[tuple[str, str], int] = defaultdict(int)
    reserved_kw: dict[tuple[str, str], float] = defaultdict(float)
    for fill in fills:
        if fill.option.fabric is None:
            continue
        key = (fill.option.site, fill.option.system)
        units[key] += fill.units
        reserved[key] += fill.network_racks
        reserved_kw[key] += fill.units * fill.option.fabric.kw
    violations = []
    storage = data.scenario.fabric
    per_chip = (
        float(storage.storage_per_chip.m_as("TB")) if storage and storage.storage_per_chip is not None else None,
        float(storage.storage_read_per_chip.m_as("GB/s"))
        if storage and storage.storage_read_per_chip is not None
        else None,
    )
    for (site, system_id), count in sorted(units.items()):
        chips_per_unit = int(catalog.system(system_id).chips_per_unit.value)
        exact = fabric_per_unit(catalog, system_id, chips_per_unit, count * chips_per_unit, per_chip)
        if exact is None:
            continue
        racks_exact = round(exact.racks * count)  # whole racks: the share times the units
        kw_exact = exact.kw * count
        if racks_exact > reserved[(site, system_id)] or kw_exact > reserved_kw[(site, system_id)] * (1 + REL_TOL):
            violations.append(
                f"fabric {exact.fabric_id} at {site} for {count} units of {system_id}: the exact "
                f"{exact.tiers}-tier fabric and storage need {racks_exact} racks and {kw_exact:,.0f} kW; "
                f"the rows reserve {reserved[(site, system_id)]} racks and {reserved_kw[(site, system_id)]:,.0f} kW "
                "(sized per unit at the largest cluster the rows hold)"
            )
    return len(units), violations


__all__ = ["fabric_shortfalls"]
