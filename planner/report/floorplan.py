"""SVG floor plan of a plan's layout: halls, rows and rack slots to scale.

Geometry (documented in ``dcplan export --help``):

* Racks are drawn to scale at ``SCALE`` px per metre. A rack's width and depth are the
  system's ``rack_width``/``rack_depth`` recorded in the plan's assumptions (from the
  catalog); ``DEFAULT_RACK`` (0.6 x 1.2 m) when the plan does not record them.
* Each row is a line of ``positions`` slots (dashed outline; empty positions stay blank)
  and racks sit at their slot number, slot 1 on the left. Rows face each other in pairs:
  cold aisle, row, hot aisle, row, cold aisle, ... with the aisle widths of the plan's
  planning defaults (``DEFAULT_AISLE`` = 1.2 m when absent). The scenario's rows that the
  plan leaves empty are drawn too (dashed, "empty").
* Each hall is drawn to its floor area (the scenario's hall ``area``): a rectangle of
  ``width x depth = area`` to scale, at least as wide and deep as its rows and aisles
  (width = the larger of the rows' length plus an aisle at each end and the square root
  of the area). The plan records no room geometry, so the rows are placed in one column
  from the hall's front-left corner: their size and the aisles are to scale, their place
  in the room is schematic. A hall without an area is outlined around its rows (and says
  so). Halls without racks are not drawn.
* Racks are coloured by system; the racks of one deployment unit (an UltraServer spanning
  several racks: same unit id) are outlined together; each row is labelled with its IT kW.

Every rack slot is one ``<rect class="rack">`` with a ``<title>`` tooltip.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from html import escape

from dcplan.planner.plan import CapacityPlan, HallPlan
from dcplan.planner.report.charts import PALETTE
from dcplan.planner.report.quantity import count, number, quantity
from dcplan.planner.report.tables import assumption_value

SCALE = 8.0  # px per metre
DEFAULT_RACK = (0.6, 1.2)  # width, depth [m]
DEFAULT_AISLE = 1.2  # [m]
HALLS_PER_LINE = 2  # two halls side by side keep the drawing legible when scaled to a printed page
_HALL_GAP = 40.0
_TITLE_H = 44.0
_PAD = 12.0
_FONT = 9.0
_LENGTH_TO_M = {"m": 1.0, "mm": 1e-3, "cm": 1e-2, "ft": 0.3048, "in": 0.0254, "meter": 1.0, "millimeter": 1e-3}


@dataclass
class _Row:
    name: str
    hall: str
    system: str
    positions: int
    it_kw: float | None
    width_m: float
    depth_m: float


def _length_m(plan: CapacityPlan, kind: str, entry_id: str, field_name: str, default: float) -> float:
    found = assumption_value(plan, kind, entry_id, field_name)
    if found is None:
        return default
    value, unit = found
    factor = _LENGTH_TO_M.get((unit or "m").strip())
    if factor is None or not isinstance(value, (int, float)) or value <= 0:
        return default
    return float(value) * factor


def system_colours(plan: CapacityPlan) -> dict[str, str]:
    systems = sorted({m.system for m in plan.mix} | set(plan.layout.system))
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(systems)}


def _rows(plan: CapacityPlan) -> list[_Row]:
    racks = {}
    for system in sorted(set(plan.layout.system) | {r.system for r in plan.rows}):
        width = _length_m(plan, "system", system, "rack_width", DEFAULT_RACK[0])
        depth = _length_m(plan, "system", system, "rack_depth", DEFAULT_RACK[1])
        racks[system] = (width, depth)
    out = [
        _Row(r.row, r.hall, r.system, r.positions, float(r.it_power.m_as("kW")), *racks[r.system]) for r in plan.rows
    ]
    known = {r.name for r in out}
    extra: dict[str, dict] = {}
    for rec in plan.layout.records():  # rows in the layout but not in plan.rows (not expected)
        if rec["row"] not in known:
            info = extra.setdefault(rec["row"], {"hall": rec["hall"], "system": rec["system"], "slots": 0, "kw": 0.0})
            info["slots"] = max(info["slots"], rec["slot"])
            info["kw"] += rec["rack_kw"]
    for name, info in sorted(extra.items()):
        out.append(_Row(name, info["hall"], info["system"], info["slots"], info["kw"], *racks[info["system"]]))
    return out


def floorplan_svg(plan: CapacityPlan) -> str:
    """The floor plan as one standalone SVG document (no external resources).

    Halls go ``HALLS_PER_LINE`` to a line, left to right, each as wide as the larger of its
    outline and its title; the legend follows below the last line.
    """
    cold = _length_m(plan, "defaults", "planning", "cold_aisle_width", DEFAULT_AISLE)
    hot = _length_m(plan, "defaults", "planning", "hot_aisle_width", DEFAULT_AISLE)
    colours = system_colours(plan)
    rows = _rows(plan)
    by_hall: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        by_hall[row.hall].append(row)
    hall_order = [h.hall for h in plan.halls if h.hall in by_hall] + sorted(set(by_hall) - {h.hall for h in plan.halls})
    halls = {h.hall: h for h in plan.halls}
    slots: dict[str, list[dict]] = defaultdict(list)
    for rec in plan.layout.records():
        slots[rec["row"]].append(rec)

    empty_rows = _empty_rows(plan, rows)
    body: list[str] = []
    x, y, line_height, width = _PAD, _PAD + 28.0, 0.0, 0.0
    for index, hall_id in enumerate(hall_order):
        if index and index % HALLS_PER_LINE == 0:
            x, y, line_height = _PAD, y + line_height + _HALL_GAP, 0.0
        hall_rows = by_hall[hall_id] + empty_rows.get(hall_id, [])
        top = y + _TITLE_H
        parts, used_w_m, used_h_m = _hall_rows_svg(hall_rows, slots, x, top, (cold, hot), colours)
        outline, hall_w, hall_h, title = _hall_outline_svg(hall_id, halls.get(hall_id), x, y, used_w_m, used_h_m)
        body += outline + parts
        x += max(hall_w, 7.0 * len(title)) + _HALL_GAP
        width = max(width, x)
        line_height = max(line_height, _TITLE_H + hall_h)
    if not hall_order:
        reason = escape(plan.diagnosis.summary)
        body.append(f'<text x="{_PAD}" y="{_PAD + 60}" font-size="12">no racks laid out: {reason}</text>')
        width, line_height = 600.0, 60.0
    legend_y = y + line_height + 24.0
    drawn = set(plan.layout.system)
    legend, legend_w = _legend({s: c for s, c in colours.items() if s in drawn}, cold, hot, _PAD, legend_y)
    return _svg_document(plan, body + legend, max(width, legend_w + 2 * _PAD, 600.0), legend_y + 70.0)


def _hall_rows_svg(
    hall_rows: list[_Row],
    slots: dict[str, list[dict]],
    x: float,
    top: float,
    aisles_m: tuple[float, float],
    colours: dict[str, str],
) -> tuple[list[str], float, float]:
    """A hall's rows and the aisles between them, from its front-left corner (``x``, ``top``).

    Rows alternate hot and cold aisles after them (cold first and last); returns the SVG
    parts and the extent they use [m]: ``width = longest row + a cold aisle at each end``,
    ``depth = rows and aisles between them + a cold aisle at each end``.
    """
    cold, hot = aisles_m
    rows_m = max(r.positions * r.width_m for r in hall_rows)
    row_x = x + cold * SCALE  # an end aisle before slot 1
    parts: list[str] = []
    cursor = top + cold * SCALE
    for i, row in enumerate(hall_rows):
        parts += _row_svg(row, slots.get(row.name, []), row_x, cursor, colours)
        aisle = hot if i % 2 == 0 else cold
        if i < len(hall_rows) - 1:
            fill = "#fbeaea" if i % 2 == 0 else "#e8f1fb"
            parts.append(
                f'<rect class="aisle" x="{row_x:.1f}" y="{cursor + row.depth_m * SCALE:.1f}" '
                f'width="{rows_m * SCALE:.1f}" height="{aisle * SCALE:.1f}" fill="{fill}"/>'
            )
        cursor += (row.depth_m + aisle) * SCALE
    used_w_m = rows_m + 2 * cold
    used_h_m = (cursor - top) / SCALE + cold - (hot if len(hall_rows) % 2 else cold)
    return parts, used_w_m, used_h_m


def _hall_outline_svg(
    hall_id: str, hall: HallPlan | None, x: float, y: float, used_w_m: float, used_h_m: float
) -> tuple[list[str], float, float, str]:
    """A hall's outline drawn to its area (``hall_size_m``) and its two title lines.

    Returns the SVG parts, the outline's width and height [px] and the title.
    """
    top = y + _TITLE_H
    area_m2 = None if hall is None or hall.area is None else float(hall.area.m_as("m**2"))
    hall_w_m, hall_h_m = hall_size_m(area_m2, used_w_m, used_h_m)
    hall_w, hall_h = hall_w_m * SCALE, hall_h_m * SCALE
    title = hall_id
    if hall is not None:
        title = (
            f"{hall_id} ({hall.site}): {count(hall.racks)} racks"
            + (f" ({count(hall.network_racks)} network and storage)" if getattr(hall, "network_racks", 0) else "")
            + f", {count(hall.rows_used)} rows, "
            f"{quantity(hall.it_power, 'MW')} IT"
        )
    size = (
        f"{number(area_m2)} m² hall ({number(hall_w_m, 3)} m x {number(hall_h_m, 3)} m to scale)"
        if area_m2
        else "hall area not given: outline wraps its rows"
    )
    parts = [
        f'<rect class="hall" x="{x:.1f}" y="{top:.1f}" width="{hall_w:.1f}" height="{hall_h:.1f}" '
        f'fill="#fcfcfc" stroke="#888" stroke-width="1" data-area-m2="{area_m2 or 0:g}">'
        f"<title>{escape(hall_id)}: {escape(size)}</title></rect>",
        f'<text x="{x + 2:.1f}" y="{y + 16:.1f}" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<text x="{x + 2:.1f}" y="{y + 34:.1f}" font-size="11">{escape(size)}</text>',
    ]
    return parts, hall_w, hall_h, title


def _svg_document(plan: CapacityPlan, body: list[str], total_w: float, total_h: float) -> str:
    """The standalone SVG around ``body``: size, title, description, white ground, heading."""
    header = (
        f'<text x="{_PAD}" y="{_PAD + 14}" font-size="15" font-weight="bold">'
        f"Floor plan: {escape(plan.scenario_name)}</text>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{total_w:.0f}" height="{total_h:.0f}" '
        f'viewBox="0 0 {total_w:.0f} {total_h:.0f}" font-family="DejaVu Sans, Arial, sans-serif" font-size="{_FONT:g}">\n'
        f"<title>dcplan floor plan: {escape(plan.scenario_name)}</title>\n"
        f"<desc>Halls and racks to scale at {number(SCALE)} px/m; {count(len(plan.layout))} rack slots.</desc>\n"
        f'<rect x="0" y="0" width="{total_w:.0f}" height="{total_h:.0f}" fill="#ffffff"/>\n'
        + header
        + "\n"
        + "\n".join(body)
        + "\n</svg>\n"
    )


def hall_size_m(area_m2: float | None, used_w_m: float, used_h_m: float) -> tuple[float, float]:
    """(width, depth) [m] of a hall drawn to its area, holding rows of ``used_w_m x used_h_m``.

    ``width = max(used_w, sqrt(area))``, ``depth = area / width``; if that is shallower than
    the rows, ``depth = used_h`` and ``width = max(used_w, area / depth)``. Without an area (or
    an area smaller than the rows need) the hall is the rows' own extent.
    """
    if not area_m2 or area_m2 <= 0:
        return used_w_m, used_h_m
    width = max(used_w_m, area_m2**0.5)
    depth = area_m2 / width
    if depth < used_h_m:
        depth = used_h_m
        width = max(used_w_m, area_m2 / depth)
    return width, depth


def _empty_rows(plan: CapacityPlan, used: list[_Row]) -> dict[str, list[_Row]]:
    """The scenario's rows that hold no racks, per hall (from the scenario echoed in the plan)."""
    used_per_template: dict[str, int] = defaultdict(int)
    width_of: dict[str, float] = {}
    depth_of: dict[str, float] = {}
    for row_plan in plan.rows:
        used_per_template[row_plan.template] += 1
    for r in used:
        width_of.setdefault(r.hall, r.width_m)
        depth_of.setdefault(r.hall, r.depth_m)
    out: dict[str, list[_Row]] = defaultdict(list)
    for template in plan.scenario.get("row", []) or []:
        if not isinstance(template, dict):
            continue
        try:
            total, positions = int(template.get("count", 0)), int(template.get("positions", 0))
        except (TypeError, ValueError):
            continue
        hall = str(template.get("hall", ""))
        missing = min(total - used_per_template.get(str(template.get("id")), 0), 500)  # a drawing, not a census
        for n in range(max(0, missing)):
            out[hall].append(
                _Row(
                    f"{template.get('id')} (empty {n + 1})",
                    hall,
                    "",
                    positions,
                    None,
                    width_of.get(hall, DEFAULT_RACK[0]),
                    depth_of.get(hall, DEFAULT_RACK[1]),
                )
            )
    return out


def _row_svg(row: _Row, records: list[dict], x0: float, y0: float, colours: dict[str, str]) -> list[str]:
    w, d = row.width_m * SCALE, row.depth_m * SCALE
    out = [
        f'<rect class="row" x="{x0:.1f}" y="{y0:.1f}" width="{row.positions * w:.1f}" height="{d:.1f}" '
        f'fill="none" stroke="#aaa" stroke-dasharray="3,2" stroke-width="0.8"/>',
    ]
    groups: dict[str, list[int]] = defaultdict(list)
    for rec in sorted(records, key=lambda r: r["slot"]):
        slot = rec["slot"]
        groups[rec["unit"]].append(slot)
        tip = (
            f"{rec['hall']} / {rec['row']} / slot {slot}: {rec['unit']} ({rec['system']}), {number(rec['rack_kw'])} kW, "
            f"{rec['cooling']}, feeds {rec['feeds']}" + (f", loop {rec['cdu_loop']}" if rec["cdu_loop"] else "")
        )
        out.append(
            f'<rect class="rack" x="{x0 + (slot - 1) * w:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{d:.1f}" '
            f'fill="{colours.get(rec["system"], "#999")}" stroke="#fff" stroke-width="0.6">'
            f"<title>{escape(tip)}</title></rect>"
        )
    for unit, members in groups.items():
        if len(members) < 2:
            continue
        for first, last in _runs(members):
            out.append(
                f'<rect class="unit-group" x="{x0 + (first - 1) * w + 0.5:.1f}" y="{y0 + 0.5:.1f}" '
                f'width="{(last - first + 1) * w - 1:.1f}" height="{d - 1:.1f}" fill="none" stroke="#222" '
                f'stroke-width="1.4"><title>{escape(unit)}</title></rect>'
            )
    label = row.name + (f": {number(row.it_kw)} kW" if row.it_kw is not None else "")
    out.append(
        f'<text class="row-label" x="{x0 + row.positions * w + 4:.1f}" y="{y0 + d / 2 + _FONT / 3:.1f}">'
        f"{escape(label)}</text>"
    )
    return out


def _runs(slots: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of slot numbers: [1, 2, 4] -> [(1, 2), (4, 4)]."""
    runs: list[tuple[int, int]] = []
    for slot in sorted(slots):
        if runs and slot == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], slot)
        else:
            runs.append((slot, slot))
    return runs


def _legend(colours: dict[str, str], cold: float, hot: float, x0: float, y0: float) -> tuple[list[str], float]:
    out = [f'<text x="{x0:.1f}" y="{y0:.1f}" font-weight="bold">Legend</text>']
    x = x0
    y = y0 + 16
    for system, colour in colours.items():
        out.append(f'<rect class="legend-swatch" x="{x:.1f}" y="{y - 9:.1f}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 16:.1f}" y="{y + 1:.1f}">{escape(system)}</text>')
        x += 24 + 6.5 * len(system)
    samples = [
        ('fill="none" stroke="#222" stroke-width="1.4"', "racks of one unit (UltraServer)"),
        ('fill="none" stroke="#aaa" stroke-dasharray="3,2"', "row positions"),
        ('fill="#e8f1fb"', f"cold aisle {number(cold)} m"),
        ('fill="#fbeaea"', f"hot aisle {number(hot)} m"),
        ('fill="#fcfcfc" stroke="#888"', "hall, to its floor area"),
    ]
    for style, text in samples:
        out.append(f'<rect class="legend-swatch" x="{x:.1f}" y="{y - 9:.1f}" width="24" height="12" {style}/>')
        out.append(f'<text x="{x + 28:.1f}" y="{y + 1:.1f}">{escape(text)}</text>')
        x += 40 + 6.0 * len(text)
    bar = 10 * SCALE
    y2 = y + 22
    out.append(f'<line x1="{x0:.1f}" y1="{y2:.1f}" x2="{x0 + bar:.1f}" y2="{y2:.1f}" stroke="#000" stroke-width="2"/>')
    note = "10 m (halls, racks and aisles to scale; rows placed schematically)"
    out.append(f'<text x="{x0 + bar + 6:.1f}" y="{y2 + 4:.1f}">{note}</text>')
    return out, x - x0
