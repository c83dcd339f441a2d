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


__all__ = ["all_in_rows"]
