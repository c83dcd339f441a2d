"""Disaggregate a solution to rack positions: hall, row, slot, system, unit, feeds, CDU loop.

Rows of a template are handed out in option order (sorted keys, so the layout is
deterministic). Within its rows an option's units are placed row by row, each row filled
up to the option's per-row maximum (positions, busway per feed, row cooling), and within
a row slot by slot: an UltraServer's racks take adjacent slots, servers fill a rack before
the next. Racks are grouped into coolant loops of at most one CDU's (or row unit's) heat.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from models.catalog import Catalog
from planner.modeldata import ModelData, Option
from planner.plan import Layout


@dataclass(frozen=True)
class RowFill:
    """One physical row's contents."""

    row: str
    template: str
    option: Option
    units: int
    racks: int


def _row_names(template: str, count: int) -> list[str]:
    width = max(2, len(str(count)))
    return [f"{template}-{i:0{width}d}" for i in range(1, count + 1)]


def fill_rows(data: ModelData, units: dict[str, float]) -> list[RowFill]:
    """Physical rows with their option and unit count (only rows that hold units)."""
    fills: list[RowFill] = []
    by_template: dict[str, list[Option]] = defaultdict(list)
    for option in data.options:
        by_template[option.row].append(option)
    for template in sorted(by_template):
        options = sorted(by_template[template], key=lambda o: o.key)
        names = iter(_row_names(template, options[0].rows_available))
        for option in options:
            remaining = round(units.get(option.key, 0.0))
            per_row = option.units_per_row_max
            while remaining > 0:
                take = min(per_row, remaining)
                remaining -= take
                racks = (
                    take * option.racks_per_unit_slots
                    if option.units_per_rack == 1
                    else math.ceil(take / option.units_per_rack)
                )
                fills.append(RowFill(row=next(names), template=template, option=option, units=take, racks=racks))
    return fills


def build_layout(catalog: Catalog, fills: list[RowFill]) -> Layout:
    """Rack slots for every filled row (unit ids are numbered per system across the plan).

    A campus has tens of thousands of slots, so each row's columns are built as whole lists
    (constant columns by repetition) rather than appended slot by slot.
    """
    columns: dict[str, list] = {
        name: [] for name in ("hall", "row", "slot", "system", "cooling", "unit", "feeds", "cdu_loop", "rack_kw")
    }
    next_unit: dict[str, int] = defaultdict(int)
    for fill in fills:
        option = fill.option
        cooling = catalog.cooling(option.cooling)
        feeds = "A+B" if option.feeds == 2 else "A"
        loop_capacity = None
        if cooling.type in ("dlc-cdu", "immersion") and cooling.cdu_capacity is not None:
            loop_capacity = float(cooling.cdu_capacity.magnitude)
        elif cooling.type == "dlc-l2a" and cooling.l2a_capacity is not None:
            loop_capacity = float(cooling.l2a_capacity.magnitude)
        rack_liquid_kw = option.coeff.liquid_kw / option.coeff.racks if option.coeff.racks else 0.0
        racks_per_loop = max(1, int(loop_capacity // rack_liquid_kw)) if loop_capacity and rack_liquid_kw > 0 else 0
        system = option.system
        first = next_unit[system]
        if option.units_per_rack == 1:
            # one unit per rack or per adjacent racks: each unit id repeated over its racks
            slots_per_unit = option.racks_per_unit_slots
            unit_ids = [f"{system}#{first + k:05d}" for k in range(1, fill.units + 1) for _ in range(slots_per_unit)]
            next_unit[system] = first + fill.units
        else:
            # several servers per rack: the rack is labelled with its first and last unit
            unit_ids = []
            for rack_index in range(fill.racks):
                in_rack = min(option.units_per_rack, fill.units - rack_index * option.units_per_rack)
                start = next_unit[system] + 1
                next_unit[system] += in_rack
                unit_ids.append(f"{system}#{start:05d}" + (f"-{next_unit[system]:05d}" if in_rack > 1 else ""))
        n = len(unit_ids)
        columns["hall"] += [option.hall] * n
        columns["row"] += [fill.row] * n
        columns["slot"] += range(1, n + 1)
        columns["system"] += [system] * n
        columns["cooling"] += [option.cooling] * n
        columns["unit"] += unit_ids
        columns["feeds"] += [feeds] * n
        if racks_per_loop:
            columns["cdu_loop"] += [f"{fill.row}-L{(slot - 1) // racks_per_loop + 1}" for slot in range(1, n + 1)]
        else:
            columns["cdu_loop"] += [""] * n
        columns["rack_kw"] += [round(option.coeff.rack_kw, 6)] * n
    return Layout(**columns)
