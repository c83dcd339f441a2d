"""Row-level electrical of a plan: rack PDUs with their busway tap-offs for every rack in
a row (compute racks and the network and storage racks at its end) and the busway runs the
scenario installs per row.
"""

from __future__ import annotations

from typing import Any

from dcplan.models import equipment
from dcplan.models.catalog import Catalog
from dcplan.models.catalog.schema import PowerChain
from dcplan.planner.layout import RowFill


def row_electrical(catalog: Catalog, chain: PowerChain, fills: list[RowFill]) -> list[tuple[str, equipment.Tally]]:
    """Row-level electrical: PDUs with tap-offs per rack, busway runs per row (the runs the
    scenario installs); merged per item in the plan.

    A feed carries ``rack_kw x racks`` [kW]; a run's capacity is ``busway_feed_kw / runs
    per feed``; a run's capex is the busway's catalog capex [USD].
    """
    pdu = catalog.rack_pdu(chain.rack_pdu)
    lines: list[tuple[str, equipment.Tally]] = []
    for fill in fills:
        option = fill.option
        busway = catalog.busway(option.busway_id)
        feed_load = option.coeff.rack_kw * fill.racks * option.feeds
        pdus, taps = equipment.rack_pdus_and_tap_offs(
            pdu,
            busway,
            chain,
            option.coeff.rack_kw,
            fill.racks,
            option.feeds,
            used_kw=feed_load,  # type: ignore[arg-type]
        )
        runs = option.feeds * option.busway_runs_per_feed
        busway_runs = equipment.Tally(
            "busway runs",
            busway.id,
            runs,
            option.busway_feed_kw / option.busway_runs_per_feed,
            "kW continuous",
            option.coeff.it_provisioned_kw * fill.units * option.feeds,
            runs * float(busway.capex.magnitude),  # type: ignore[attr-defined]
        )
        lines.extend((fill.row, tally) for tally in (pdus, taps, busway_runs))
        lines.extend((fill.row, tally) for tally in network_pdus(pdu, busway, chain, fill))
    return lines


def network_pdus(pdu: Any, busway: Any, chain: PowerChain, fill: RowFill) -> tuple[equipment.Tally, ...]:
    """Rack PDUs and tap-offs of the row's ``R_net`` network and storage racks, each at
    ``P_rack = u * P_fabric,unit / R_net`` [kW] (the layout's even share): ``R_net * feeds *
    ceil(P_rack / P_pdu)`` of each; none without placed fabric."""
    option = fill.option
    if option.fabric is None or fill.network_racks == 0:
        return ()
    rack_kw = fill.units * option.fabric.kw / fill.network_racks
    feed_load = fill.units * option.fabric.kw * option.feeds
    return equipment.rack_pdus_and_tap_offs(
        pdu, busway, chain, rack_kw, fill.network_racks, option.feeds, used_kw=feed_load
    )


__all__ = ["network_pdus", "row_electrical"]
