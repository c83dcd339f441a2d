"""SVG floor plan of a plan's layout: halls, rows and rack slots to scale.

Geometry (documented in ``dcplan export --help``):

* Racks are drawn to scale at ``SCALE`` px per metre. A rack's width and depth are the
  system's ``rack_width``/``rack_depth`` recorded in the plan's assumptions (from the
  catalog); ``DEFAULT_RACK`` (0.6 x 1.2 m) when the plan does not record them.
* Each row is a line of ``positions`` slots (dashed outline; empty positions stay blank)
  and racks sit at their slot number, slot 1 on the left. Rows face each other in pairs:
  cold aisle, row, hot aisle, row, cold aisle, ... with the aisle widths of the plan's
  planning defaults (``DEFAULT_AISLE`` = 1.2 m when absent).
* The plan holds no room geometry, so a hall outline wraps its used rows; it is not drawn
  to the hall's floor area. Halls without racks are not drawn.
* Racks are coloured by system; the racks of one deployment unit (an UltraServer spanning
  several racks: same unit id) are outlined together; each row is labelled with its IT kW.

Every rack slot is one ``<rect class="rack">`` with a ``<title>`` tooltip.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from html import escape

from planner.plan import CapacityPlan
from planner.report.charts import PALETTE
from planner.report.tables import assumption_value

SCALE = 20.0  # px per metre
DEFAULT_RACK = (0.6, 1.2)  # width, depth [m]
DEFAULT_AISLE = 1.2  # [m]
HALLS_PER_LINE = 4
_LABEL_W = 120.0
_KW_W = 90.0
_HALL_GAP = 30.0
_TITLE_H = 40.0
_PAD = 12.0
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
    """The floor plan as one standalone SVG document (no external resources)."""
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

    body: list[str] = []
    x, y, line_height, width = _PAD, _PAD + 28.0, 0.0, 0.0
    for index, hall_id in enumerate(hall_order):
        if index and index % HALLS_PER_LINE == 0:
            x, y, line_height = _PAD, y + line_height + _HALL_GAP, 0.0
        hall_rows = by_hall[hall_id]
        length_px = max(r.positions * r.width_m for r in hall_rows) * SCALE
        hall_w = _LABEL_W + length_px + _KW_W
        parts: list[str] = []
        cursor = y + _TITLE_H + cold * SCALE
        for i, row in enumerate(hall_rows):
            parts += _row_svg(row, slots.get(row.name, []), x + _LABEL_W, cursor, colours)
            aisle = hot if i % 2 == 0 else cold
            if i < len(hall_rows) - 1:
                fill = "#fbeaea" if i % 2 == 0 else "#e8f1fb"
                parts.append(
                    f'<rect class="aisle" x="{x + _LABEL_W:.1f}" y="{cursor + row.depth_m * SCALE:.1f}" '
                    f'width="{length_px:.1f}" height="{aisle * SCALE:.1f}" fill="{fill}"/>'
                )
            cursor += (row.depth_m + aisle) * SCALE
        hall_h = cursor - y + cold * SCALE
        hall = halls.get(hall_id)
        title = hall_id
        if hall is not None:
            it_mw = hall.it_power.m_as("MW")
            title = f"{hall_id} ({hall.site}): {hall.racks:,} racks, {hall.rows_used} rows, {it_mw:,.1f} MW IT"
        body.append(
            f'<rect class="hall" x="{x:.1f}" y="{y:.1f}" width="{hall_w:.1f}" height="{hall_h:.1f}" '
            f'fill="#fcfcfc" stroke="#888" stroke-width="1"/>'
        )
        body.append(f'<text x="{x + 8:.1f}" y="{y + 18:.1f}" font-size="13" font-weight="bold">{escape(title)}</text>')
        body += parts
        x += hall_w + _HALL_GAP
        width = max(width, x)
        line_height = max(line_height, hall_h)
    if not hall_order:
        reason = escape(plan.diagnosis.summary)
        body.append(f'<text x="{_PAD}" y="{_PAD + 60}" font-size="12">no racks laid out: {reason}</text>')
        width, line_height = 600.0, 60.0
    legend_y = y + line_height + 24.0
    drawn = set(plan.layout.system)
    legend, legend_w = _legend({s: c for s, c in colours.items() if s in drawn}, cold, hot, _PAD, legend_y)
    total_w = max(width, legend_w + 2 * _PAD, 600.0)
    total_h = legend_y + 70.0
    header = (
        f'<text x="{_PAD}" y="{_PAD + 14}" font-size="15" font-weight="bold">'
        f"Floor plan: {escape(plan.scenario_name)}</text>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{total_w:.0f}" height="{total_h:.0f}" '
        f'viewBox="0 0 {total_w:.0f} {total_h:.0f}" font-family="DejaVu Sans, Arial, sans-serif" font-size="10">\n'
        f"<title>dcplan floor plan: {escape(plan.scenario_name)}</title>\n"
        f"<desc>Racks to scale at {SCALE:g} px/m; {len(plan.layout)} rack slots.</desc>\n"
        f'<rect x="0" y="0" width="{total_w:.0f}" height="{total_h:.0f}" fill="#ffffff"/>\n'
        + header
        + "\n"
        + "\n".join(body + legend)
        + "\n</svg>\n"
    )


def _row_svg(row: _Row, records: list[dict], x0: float, y0: float, colours: dict[str, str]) -> list[str]:
    w, d = row.width_m * SCALE, row.depth_m * SCALE
    out = [
        f'<text x="{x0 - 6:.1f}" y="{y0 + d / 2 + 3.5:.1f}" text-anchor="end">{escape(row.name)}</text>',
        f'<rect class="row" x="{x0:.1f}" y="{y0:.1f}" width="{row.positions * w:.1f}" height="{d:.1f}" '
        f'fill="none" stroke="#aaa" stroke-dasharray="3,2" stroke-width="0.8"/>',
    ]
    groups: dict[str, list[int]] = defaultdict(list)
    for rec in sorted(records, key=lambda r: r["slot"]):
        slot = rec["slot"]
        groups[rec["unit"]].append(slot)
        tip = (
            f"{rec['hall']} / {rec['row']} / slot {slot}: {rec['unit']} ({rec['system']}), {rec['rack_kw']:,.1f} kW, "
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
    label = f"{row.it_kw:,.0f} kW" if row.it_kw is not None else ""
    out.append(f'<text x="{x0 + row.positions * w + 6:.1f}" y="{y0 + d / 2 + 3.5:.1f}">{escape(label)}</text>')
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
        ('fill="#e8f1fb"', f"cold aisle {cold:g} m"),
        ('fill="#fbeaea"', f"hot aisle {hot:g} m"),
    ]
    for style, text in samples:
        out.append(f'<rect class="legend-swatch" x="{x:.1f}" y="{y - 9:.1f}" width="24" height="12" {style}/>')
        out.append(f'<text x="{x + 28:.1f}" y="{y + 1:.1f}">{escape(text)}</text>')
        x += 40 + 6.0 * len(text)
    bar = 10 * SCALE
    y2 = y + 22
    out.append(f'<line x1="{x0:.1f}" y1="{y2:.1f}" x2="{x0 + bar:.1f}" y2="{y2:.1f}" stroke="#000" stroke-width="2"/>')
    note = "10 m (racks and aisles to scale; hall outlines wrap the used rows)"
    out.append(f'<text x="{x0 + bar + 6:.1f}" y="{y2 + 4:.1f}">{note}</text>')
    return out, x - x0
