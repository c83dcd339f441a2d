"""Disaggregate a solution to rack positions: hall, row, slot, system, unit, feeds, CDU loop.

Rows of a template are handed out in option order (sorted keys, so the layout is
deterministic). Within its rows an option's units are placed row by row, each row filled
up to the option's per-row maximum (positions, busway per feed, row cooling), and within
a row slot by slot: an UltraServer's racks take adjacent slots, servers fill a rack before
the next. Racks are grouped into coolant loops of at most one CDU's (or row unit's) heat.
With a placing ``[fabric]`` table each row's end holds ``ceil(u * n)`` network and storage
racks for its ``u`` units (``n`` per unit, ``planner.fabric_data``), system ``network+storage``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from dcplan.models.catalog import Catalog
from dcplan.planner.modeldata import ModelData, Option
from dcplan.planner.plan import Layout


@dataclass(frozen=True)
class RowFill:
    """One physical row's contents."""

    row: str
    template: str
    option: Option
    units: int
    racks: int  # compute racks
    network_racks: int = 0  # network + storage racks at the row's end: ceil(units * n)


def network_racks_for(option: Option, units: int) -> int:
    """Network and storage racks at the end of a row of ``units``: ``ceil(units * n)`` (0 unplaced)."""
    return math.ceil(units * option.fabric.racks - 1e-9) if option.fabric is not None else 0


def _row_names(template: str, count: int) -> list[str]:
    width = max(2, len(str(count)))
    return [f"{template}-{i:0{width}d}" for i in range(1, count + 1)]


def row_loads(option: Option, units: int, rows: int) -> list[int]:
    """Units per physical row for ``units`` units of ``option`` in at most ``rows`` rows.

    UltraServers, racks and servers whose row cap n is a multiple of x per rack: rows filled
    in turn with n units each. Other servers (f = floor(n / x) full racks, q = n mod x): full
    racks first, f * x units per row in turn; only when units exceed f * x * rows does each row
    take up to q more, in one part-full last rack. That is the fill with the fewest racks, the
    one the formulation counts (rack_count_ragged).
    """
    n, x = option.units_per_row_max, option.units_per_rack
    if units <= 0 or n <= 0:
        return []
    q = n % x if x > 1 else 0
    per_full_row = n - q  # f * x units in full racks
    if q == 0 or units <= per_full_row * rows:
        per_row = n if q == 0 else per_full_row
        loads = [per_row] * (units // per_row)
        return loads + ([units % per_row] if units % per_row else [])
    extra = units - per_full_row * rows
    loads = []
    for _ in range(rows):
        take = min(q, extra)
        extra -= take
        loads.append(per_full_row + take)
    return [load for load in loads if load > 0]  # f = 0: rows left without a part-full rack


def fill_rows(data: ModelData, units: dict[str, float], rows: dict[str, float] | None = None) -> list[RowFill]:
    """Physical rows with their option and unit count (only rows that hold units).

    ``rows`` are the rows the solution gives each option (default: as many as the units need
    at the per-row maximum).
    """
    fills: list[RowFill] = []
    by_template: dict[str, list[Option]] = defaultdict(list)
    for option in data.options:
        by_template[option.row].append(option)
    for template in sorted(by_template):
        options = sorted(by_template[template], key=lambda o: o.key)
        names = iter(_row_names(template, options[0].rows_available))
        for option in options:
            count = round(units.get(option.key, 0.0))
            given = round(rows[option.key]) if rows is not None and option.key in rows else None
            if given is None or given * option.units_per_row_max < count:
                given = math.ceil(count / option.units_per_row_max) if option.units_per_row_max else 0
            for take in row_loads(option, count, given):
                racks = (
                    take * option.racks_per_unit_slots
                    if option.units_per_rack == 1
                    else math.ceil(take / option.units_per_rack)
                )
                fills.append(RowFill(next(names), template, option, take, racks, network_racks_for(option, take)))
    return fills


def _loop_labels(row: str, slots: int, racks_per_loop: int) -> list[str]:
    """Coolant loop of each of ``slots`` slots: '<row>-L1' for the first ``racks_per_loop``, then L2, ...
    (one label string per loop, repeated over its slots; '' for every slot without loops)."""
    if not racks_per_loop:
        return [""] * slots
    labels: list[str] = []
    for loop in range(1, -(-slots // racks_per_loop) + 1):
        labels += [f"{row}-L{loop}"] * racks_per_loop
    return labels[:slots]


def _unit_ids(option: Option, fill: RowFill, first: int) -> tuple[list[str], int]:
    """The unit id of each rack slot of ``fill`` and the system's last unit number after it.

    One unit per rack or per adjacent racks: each unit id repeated over its racks. Several
    servers per rack: the rack is labelled with its first and last unit ('sys#00001-00004').
    """
    system = option.system
    if option.units_per_rack == 1:
        slots_per_unit = option.racks_per_unit_slots
        ids = [f"{system}#{k:05d}" for k in range(first + 1, first + fill.units + 1)]
        if slots_per_unit != 1:
            ids = [uid for uid in ids for _ in range(slots_per_unit)]
        return ids, first + fill.units
    ids = []
    last = first
    for rack_index in range(fill.racks):
        in_rack = min(option.units_per_rack, fill.units - rack_index * option.units_per_rack)
        start, last = last + 1, last + in_rack
        ids.append(f"{system}#{start:05d}" + (f"-{last:05d}" if in_rack > 1 else ""))
    return ids, last


def _racks_per_loop(catalog: Catalog, option: Option) -> int:
    """Racks one CDU (or row unit) cools: its capacity over a rack's liquid heat; 0 without loops."""
    cooling = catalog.cooling(option.cooling)
    loop_capacity = None
    if cooling.type in ("dlc-cdu", "immersion") and cooling.cdu_capacity is not None:
        loop_capacity = float(cooling.cdu_capacity.magnitude)
    elif cooling.type == "dlc-l2a" and cooling.l2a_capacity is not None:
        loop_capacity = float(cooling.l2a_capacity.magnitude)
    rack_liquid_kw = option.coeff.liquid_kw / option.coeff.racks if option.coeff.racks else 0.0
    return max(1, int(loop_capacity // rack_liquid_kw)) if loop_capacity and rack_liquid_kw > 0 else 0


def build_layout(catalog: Catalog, fills: list[RowFill]) -> Layout:
    """Rack slots for every filled row (unit ids are numbered per system across the plan).

    A campus has tens of thousands of slots, so each row's columns are built as whole lists
    (constant columns by repetition, one string per unit or loop) rather than slot by slot.
    """
    columns: dict[str, list] = {
        name: [] for name in ("hall", "row", "slot", "system", "cooling", "unit", "feeds", "cdu_loop", "rack_kw")
    }
    next_unit: dict[str, int] = defaultdict(int)
    loops: dict[str, int] = {}  # option key -> racks per loop (the same for every row of the option)
    for fill in fills:
        option = fill.option
        if option.key not in loops:
            loops[option.key] = _racks_per_loop(catalog, option)
        unit_ids, next_unit[option.system] = _unit_ids(option, fill, next_unit[option.system])
        n = len(unit_ids)
        columns["hall"] += [option.hall] * n
        columns["row"] += [fill.row] * n
        columns["slot"] += range(1, n + 1)
        columns["system"] += [option.system] * n
        columns["cooling"] += [option.cooling] * n
        columns["unit"] += unit_ids
        columns["feeds"] += ["A+B" if option.feeds == 2 else "A"] * n
        columns["cdu_loop"] += _loop_labels(fill.row, n, loops[option.key])
        columns["rack_kw"] += [round(option.coeff.rack_kw, 6)] * n
        if fill.network_racks:
            _network_slots(columns, fill, n)
    return Layout(**columns)


#: The layout's system label of a network or storage rack.
NETWORK_SYSTEM = "network+storage"


def _network_slots(columns: dict[str, list], fill: RowFill, first_slot: int) -> None:
    """The row's network and storage racks after its last compute slot, each with an even
    share of the units' fabric kW: ``P_rack = u * P_fabric,unit / ceil(u * n)``."""
    option, count = fill.option, fill.network_racks
    assert option.fabric is not None
    columns["hall"] += [option.hall] * count
    columns["row"] += [fill.row] * count
    columns["slot"] += range(first_slot + 1, first_slot + count + 1)
    columns["system"] += [NETWORK_SYSTEM] * count
    columns["cooling"] += ["air"] * count
    columns["unit"] += [f"{fill.row}/net{k}" for k in range(1, count + 1)]
    columns["feeds"] += ["A+B" if option.feeds == 2 else "A"] * count
    columns["cdu_loop"] += [""] * count
    columns["rack_kw"] += [round(fill.units * option.fabric.kw / count, 6)] * count
