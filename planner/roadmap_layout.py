"""Layout continuity over a roadmap: period t keeps the racks of t-1 in their rows.

A single-period solve hands rows out afresh (planner.layout.fill_rows); over a roadmap that
would move every rack each quarter. Here the rows of period t-1 stay where they are:

- each physical row keeps its option (one system, one cooling) while it holds units: a row
  changes system only once it is emptied (retired or refreshed);
- retired units leave the oldest rows first (the rows whose units were installed earliest,
  then by row name), so an end-of-life retirement empties whole rows and at most one row
  is left part-full;
- added units first top up the option's part-full rows (to the full-rack load
  ``f x per rack`` of planner.layout.row_loads, then to the row maximum), then take free
  rows of the template in name order;
- an option left in more rows than ``ceil(units / row maximum)`` (retirements can leave
  several part-full rows) has its emptiest rows' units moved into its other part-full rows
  (``_compact``): the fewest racks move, and the rows match the solver's count again.

A continued layout is used only when it is as good as a fresh one: for every option no more
racks than ``fill_rows`` gives (so the hall's area and rack counts the solver saw still
hold), per template no more rows than the fresh layout uses (it follows the solver's rows per
option, which the density classes and row infrastructure were built for), and no more rows
than the template has. Otherwise the period is laid out afresh and
the plan says so (``continue_fills`` returns the reason).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from dcplan.planner.layout import RowFill, _row_names, fill_rows, network_racks_for
from dcplan.planner.modeldata import ModelData, Option


@dataclass
class _Row:
    """A physical row's state while a period is laid out."""

    name: str
    option: Option | None = None
    units: int = 0
    since: int = 0  # period its oldest units were installed in


def _racks(option: Option, units: int) -> int:
    """Racks ``units`` units of ``option`` take in one row: units x slots (UltraServers,
    racks) or ceil(units / per rack) (servers)."""
    if option.units_per_rack == 1:
        return units * option.racks_per_unit_slots
    return math.ceil(units / option.units_per_rack)


def _full_rack_load(option: Option) -> int:
    """The most units a row takes in full racks only (planner.layout.row_loads' f x per rack)."""
    n, x = option.units_per_row_max, option.units_per_rack
    q = n % x if x > 1 else 0
    return n - q


def _retire(rows: list[_Row], count: int) -> None:
    """Take ``count`` units out of ``rows`` (one option's), oldest rows first."""
    for row in sorted(rows, key=lambda r: (r.since, r.name)):
        if count <= 0:
            return
        take = min(count, row.units)
        row.units -= take
        count -= take
        if row.units == 0:
            row.option = None


def _add(option: Option, rows: list[_Row], count: int, period: int) -> int:
    """Place ``count`` new units of ``option``: its own part-full rows, then free rows; the
    units left unplaced (0 when they fit)."""
    for cap in (_full_rack_load(option), option.units_per_row_max):
        for row in rows:
            if count <= 0:
                return 0
            if row.option is None or row.option.key != option.key or row.units >= cap:
                continue
            take = min(count, cap - row.units)
            row.units += take
            count -= take
        for row in rows:
            if count <= 0:
                return 0
            if row.option is not None:
                continue
            take = min(count, cap)
            row.option, row.units, row.since = option, take, period
            count -= take
    return count


def _compact(option: Option, rows: list[_Row]) -> None:
    """Empty the option's emptiest rows into its other rows with room while it holds more
    rows than ``ceil(U / n_max)`` (U its units, n_max the row maximum): each pass moves the
    units of one row, the one with fewest units, so the fewest racks move."""
    cap = option.units_per_row_max
    own = [r for r in rows if r.option is not None and r.option.key == option.key and r.units > 0]
    if cap <= 0:
        return
    while len(own) > math.ceil(sum(r.units for r in own) / cap):
        smallest = min(own, key=lambda r: (r.units, r.name))
        others = [r for r in own if r is not smallest]
        if sum(cap - r.units for r in others) < smallest.units:
            return
        for row in sorted(others, key=lambda r: (-r.units, r.name)):
            take = min(smallest.units, cap - row.units)
            row.units += take
            smallest.units -= take
        smallest.option, smallest.units = None, 0
        own = others


@dataclass
class RowState:
    """The rows of every template after a period: what the next period continues from."""

    rows: dict[str, list[_Row]]  # template -> its physical rows in name order


def _fresh_state(data: ModelData) -> RowState:
    by_template: dict[str, int] = {}
    for option in data.options:
        by_template.setdefault(option.row, option.rows_available)
    return RowState(
        rows={template: [_Row(name) for name in _row_names(template, count)] for template, count in by_template.items()}
    )


def state_of(data: ModelData, fills: list[RowFill], period: int) -> RowState:
    """The row state a list of fills (a period's layout) leaves, its units installed in ``period``."""
    state = _fresh_state(data)
    index = {row.name: row for rows in state.rows.values() for row in rows}
    for fill in fills:
        row = index[fill.row]
        row.option, row.units, row.since = fill.option, fill.units, period
    return state


def _fills_of(state: RowState) -> list[RowFill]:
    return [
        RowFill(
            row=row.name,
            template=template,
            option=row.option,
            units=row.units,
            racks=_racks(row.option, row.units),
            network_racks=network_racks_for(row.option, row.units),
        )
        for template in sorted(state.rows)
        for row in state.rows[template]
        if row.option is not None and row.units > 0
    ]


def _rack_excess(fills: list[RowFill], fresh: list[RowFill]) -> str | None:
    """The first option whose continued rows need more racks than a fresh layout, or None."""
    racks: dict[str, int] = defaultdict(int)
    fresh_racks: dict[str, int] = defaultdict(int)
    for fill in fills:
        racks[fill.option.key] += fill.racks
    for fill in fresh:
        fresh_racks[fill.option.key] += fill.racks
    for key in sorted(racks):
        if racks[key] > fresh_racks[key]:
            return f"{key}: kept rows need {racks[key]} racks where a fresh layout needs {fresh_racks[key]}"
    return None


def _row_excess(fills: list[RowFill], fresh: list[RowFill]) -> str | None:
    """The first template whose continued layout uses more rows than a fresh one, or None:
    the fresh layout's rows are the solver's, so more would exceed the rows built for the
    template (e.g. a kept part-full row beside rows the solver counted full)."""
    rows: dict[str, int] = defaultdict(int)
    fresh_rows: dict[str, int] = defaultdict(int)
    for fill in fills:
        rows[fill.template] += 1
    for fill in fresh:
        fresh_rows[fill.template] += 1
    for template in sorted(rows):
        if rows[template] > fresh_rows[template]:
            return f"row template {template}: kept rows use {rows[template]} rows where the plan has {fresh_rows[template]}"
    return None


def _overfull(fills: list[RowFill]) -> str | None:
    """The first kept row holding more units than its option's row maximum now allows (a
    fabric tier added this period reserves more network racks at the row end,
    planner.roadmap_fabric), or None."""
    for fill in fills:
        if fill.units > fill.option.units_per_row_max:
            return (
                f"row {fill.row}: {fill.units} units kept where {fill.option.units_per_row_max} fit "
                "beside this period's network racks"
            )
    return None


def continue_fills(
    data: ModelData,
    units: dict[str, float],
    rows: dict[str, float] | None,
    previous: RowState | None,
    retired: dict[str, int],
    period: int,
) -> tuple[list[RowFill], RowState, str | None]:
    """Period ``period``'s filled rows continuing ``previous`` (None: the first period, laid
    out as a single-period plan), the state they leave, and why the period was laid out
    afresh instead (None when the rows were kept).

    ``units`` are the period's stock per option, ``retired`` the units retired in it (end
    of life or refresh); a stock below ``previous - retired`` retires the difference too.
    """
    fresh = fill_rows(data, units, rows)
    if previous is None:
        return fresh, state_of(data, fresh, period), None
    current = {o.key: o for o in data.options}  # this period's options (the same keys every period)
    state = RowState(
        rows={
            t: [_Row(r.name, current.get(r.option.key) if r.option else None, r.units, r.since) for r in rs]
            for t, rs in previous.rows.items()
        }
    )
    for template_rows in state.rows.values():
        for row in template_rows:
            if row.option is None:
                row.units = 0
    for template, template_rows in sorted(state.rows.items()):
        held: dict[str, list[_Row]] = defaultdict(list)
        for row in template_rows:
            if row.option is not None:
                held[row.option.key].append(row)
        for key, own in held.items():
            stock = sum(r.units for r in own)
            target = round(units.get(key, 0.0))
            _retire(own, max(retired.get(key, 0), stock - target))
        options = sorted({o.key: o for o in data.options if o.row == template}.values(), key=lambda o: o.key)
        for option in options:
            have = sum(r.units for r in template_rows if r.option is not None and r.option.key == option.key)
            missing = _add(option, template_rows, round(units.get(option.key, 0.0)) - have, period)
            _compact(option, template_rows)
            if missing > 0:
                return (
                    fresh,
                    state_of(data, fresh, period),
                    f"row template {template}: no free row for {missing} units of {option.key}",
                )
    fills = _fills_of(state)
    excess = _rack_excess(fills, fresh) or _row_excess(fills, fresh) or _overfull(fills)
    if excess is not None:
        return fresh, state_of(data, fresh, period), excess
    return fills, state, None
