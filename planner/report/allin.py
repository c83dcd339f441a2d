"""Plain-text rows of the all-in power per accelerator (``models.allin.AllInPower``):
compute only, with fabric and storage, at the facility meter, and what is behind them."""

from __future__ import annotations

from typing import Any

from dcplan.planner.report.quantity import count, number


def all_in_rows(all_in: Any) -> list[tuple[str, str]]:
    """(figure, value) rows of an AllInPower; an empty list when there is none."""
    if all_in is None:
        return []
    rows = [
        ("kW per accelerator, compute only", f"{number(all_in.compute_kw_per_chip, 3)} kW"),
        ("kW per accelerator, with fabric and storage", f"{number(all_in.all_in_kw_per_chip, 3)} kW"),
        (
            "kW per accelerator, at the facility meter",
            f"{number(all_in.facility_kw_per_chip, 3)} kW (design-day PUE {number(all_in.pue_applied, 3)})",
        ),
    ]
    fabric = all_in.fabric
    if fabric is not None:
        tiers = " + ".join(count(n) for n in fabric.switches_per_tier)
        rows.append(
            (
                f"fabric {fabric.fabric}",
                f"{fabric.tiers} tiers, {tiers} switches, {count(fabric.link_ends)} link ends, "
                f"{count(fabric.network_racks)} network racks, {number(fabric.network_kw)} kW, "
                f"USD {number(fabric.capex_usd / 1e6)}M, {number(fabric.gbps_per_chip)} Gb/s per accelerator",
            )
        )
    storage = all_in.storage
    if storage is not None:
        rows.append(
            (
                f"storage {storage.storage}",
                f"{number(storage.capacity_pb)} PB, {number(storage.read_gb_s)} GB/s read: "
                f"{count(storage.racks)} racks (by {storage.limited_by}), {number(storage.storage_kw)} kW, "
                f"USD {number(storage.capex_usd / 1e6)}M",
            )
        )
    rows += [("not counted", reason) for reason in all_in.missing]
    return rows


def plan_all_in_lines(plan: Any) -> list[str]:
    """One line per (site, system) of a plan: the three kW-per-accelerator figures and the
    network and storage racks behind them."""
    lines = []
    for entry in getattr(plan, "all_in", []):
        a = entry.all_in
        racks = ""
        if a.fabric is not None:
            racks = f"; needs {count(a.fabric.network_racks)} network racks ({a.fabric.tiers}-tier {a.fabric.fabric})"
        if a.storage is not None:
            racks += f", {count(a.storage.racks)} storage racks"
        if racks:
            placed = getattr(entry, "placed_racks", 0)
            racks += f" ({count(placed)} placed at row ends)" if placed else " (counted, not placed in rows)"
        lines.append(
            f"kW per accelerator, {entry.system} at {entry.site}: {number(a.compute_kw_per_chip, 3)} compute only, "
            f"{number(a.all_in_kw_per_chip, 3)} with fabric and storage, {number(a.facility_kw_per_chip, 3)} at the "
            f"facility meter{racks}" + (f" (not counted: {'; '.join(a.missing)})" if a.missing else "")
        )
    return lines


__all__ = ["all_in_rows", "plan_all_in_lines"]
