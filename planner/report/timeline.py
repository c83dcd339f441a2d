"""A roadmap plan's timeline as tables and as hand-drawn SVG charts (no matplotlib, no scripts).

Tables (shared by HTML, Markdown and XLSX, so the numbers come from one place): the timeline
(one line per period: MW energised / used / stranded, units by generation, cloud units, money,
compute), the orders, the unit changes and the periods' status. Charts: a Gantt-like view of
units by system per period with the orders (ordered -> delivered), MW energised vs used
(used + stranded = energised, stacked), units by system, i.e. hardware generation (stacked) and cash flow (capex +
opex per period, stacked, with cumulative spend on its own right-hand axis). "Generation" in
the charts is the system (GB300, Vera Rubin, Rubin Ultra, Trn3, Trainium4); the timeline
table's units columns are per family, as TimelinePoint.units_by_generation. Every figure is
the RoadmapPlan's own; the only arithmetic here is scaling to pixels. The SVGs carry no ids
(several can live inline in one HTML page) and every text from the plan is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from dcplan.planner.report.cells import Column, Getter, Table, table_of
from dcplan.planner.report.quantity import number
from dcplan.planner.roadmap_plan import Order, PeriodPlan, RoadmapPlan, TimelinePoint

# (name, title): the name is also the file suffix of a chart written next to a Markdown report
TIMELINE_CHARTS: tuple[tuple[str, str], ...] = (
    ("gantt", "Units by system per period, and orders"),
    ("power", "MW energised vs used"),
    ("units", "Units by system (hardware generation)"),
    ("cash", "Cash flow"),
)
COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f")
FAMILY_COLOURS = {"nvidia": "#59a14f", "trainium": "#f28e2b", "cloud": "#9c755f"}
PALE = "#d5dbe5"
_LEFT, _TOP, _BOTTOM, _RIGHT = 64.0, 28.0, 40.0, 64.0
_PLOT_H = 160.0
_MIN_PLOT_W = 240.0  # a few periods still get readable period labels


def generations(roadmap: RoadmapPlan) -> list[str]:
    """Every generation (system family) installed in any period, in order of first appearance."""
    return list(dict.fromkeys(g for p in roadmap.timeline for g in p.units_by_generation))


def systems(roadmap: RoadmapPlan) -> list[str]:
    """Every system installed, then every cloud offer rented ('cloud:<offer>'), in order of appearance."""
    owned = dict.fromkeys(s for p in roadmap.timeline for s in p.units_by_system)
    cloud = dict.fromkeys(f"cloud:{c}" for p in roadmap.timeline for c in p.cloud_units)
    return [*owned, *cloud]


def units_of(point: TimelinePoint, system: str) -> int:
    if system.startswith("cloud:"):
        return point.cloud_units.get(system.removeprefix("cloud:"), 0)
    return point.units_by_system.get(system, 0)


def colour_of(name: str, index: int) -> str:
    return FAMILY_COLOURS.get(name, COLOURS[index % len(COLOURS)])


# ---------------------------------------------------------------------------------------
# tables


def timeline_table(roadmap: RoadmapPlan) -> Table:
    """One line per period; one units column per generation (so a spreadsheet can chart it)."""
    spec: list[tuple[Column, Getter]] = [
        (Column("period", "period"), lambda p: p.period),
        (Column("energised_mw", "energised", "MW", kind="float"), lambda p: p.energised_mw),
        (Column("used_mw", "used", "MW", kind="float"), lambda p: p.used_mw),
        (Column("stranded_mw", "stranded", "MW", kind="float"), lambda p: p.stranded_mw),
    ]
    spec += [
        (Column(f"{gen}_units", f"{gen} units", kind="int"), _generation_units(gen)) for gen in generations(roadmap)
    ]
    spec.append((Column("cloud_units", "cloud units", kind="int"), lambda p: sum(p.cloud_units.values())))
    spec += [
        (Column("capex_musd", "capex", "MUSD", kind="float"), lambda p: p.capex_musd),
        (Column("opex_musd", "opex", "MUSD", kind="float"), lambda p: p.opex_musd),
        (Column("cash_flow_musd", "cash flow", "MUSD", kind="float"), lambda p: p.cash_flow_musd),
        (Column("cumulative_cash_musd", "cumulative cash", "MUSD", kind="float"), lambda p: p.cumulative_cash_musd),
        (Column("discount_factor", "discount factor", kind="float", decimals=4), lambda p: p.discount_factor),
        (Column("delivered_pflops", "delivered", "PFLOPS", kind="float", decimals=0), lambda p: p.delivered_pflops),
        (Column("peak_pflops", "peak", "PFLOPS", kind="float", decimals=0), lambda p: p.peak_pflops),
    ]
    spec += fabric_swing_spec()
    spec.append((Column("energised_note", "energisation"), lambda p: p.energised_note or ""))
    return table_of("timeline", spec, roadmap.timeline)


def fabric_swing_spec() -> list[tuple[Column, Getter]]:
    """The timeline's placed-fabric and swing-mitigation columns (issue 15)."""
    return [
        (Column("network_racks", "network racks", kind="int"), lambda p: p.network_racks),
        (Column("network_kw", "network", "kW", kind="float", decimals=0), lambda p: p.network_kw),
        (Column("battery_mw", "swing battery", "MW", kind="float"), lambda p: p.battery_mw),
        (Column("battery_mwh", "swing battery", "MWh", kind="float"), lambda p: p.battery_mwh),
        (Column("floor_mw", "power floor", "MW", kind="float"), lambda p: p.floor_mw),
    ]


def _generation_units(generation: str) -> Getter:
    def get(point: TimelinePoint) -> int:
        return point.units_by_generation.get(generation, 0)

    return get


def orders_table(roadmap: RoadmapPlan) -> Table:
    spec = (
        (Column("equipment", "equipment"), lambda o: o.equipment),
        (Column("owner", "hall or site"), lambda o: o.owner),
        (Column("count", "count", kind="int"), lambda o: o.count),
        (Column("ordered", "ordered"), lambda o: o.ordered),
        (Column("delivered", "delivered"), lambda o: o.delivered),
        (Column("lead_time_periods", "lead time [periods]", kind="int"), lambda o: o.lead_time_periods),
    )
    return table_of("orders", spec, roadmap.orders)


def changes_table(periods: Sequence[PeriodPlan]) -> Table:
    """Units added and retired, period by period (added first within a period)."""
    items = [
        (p.period, word, c)
        for p in periods
        for word, changes in (("added", p.added), ("retired", p.retired))
        for c in changes
    ]
    spec = (
        (Column("period", "period"), lambda i: i[0]),
        (Column("change", "change"), lambda i: i[1]),
        (Column("system", "system"), lambda i: i[2].system),
        (Column("family", "family"), lambda i: i[2].family),
        (Column("row", "row template"), lambda i: i[2].row),
        (Column("hall", "hall"), lambda i: i[2].hall),
        (Column("units", "units", kind="int"), lambda i: i[2].units),
        (Column("why", "why"), lambda i: i[2].why),
    )
    return table_of("changes", spec, items)


def periods_table(roadmap: RoadmapPlan) -> Table:
    """Each period's own plan in one line: status, re-check, compute, units, racks."""
    spec = (
        (Column("period", "period"), lambda p: p.period),
        (Column("start", "starts"), lambda p: p.start),
        (Column("status", "status"), lambda p: p.plan.solver.status),
        (Column("feasible", "feasible", kind="bool"), lambda p: p.plan.feasible),
        (Column("recheck", "re-check passed", kind="bool"), lambda p: p.plan.recheck.ok),
        (Column("units", "units", kind="int"), lambda p: sum(m.units for m in p.plan.mix)),
        (Column("racks", "racks", kind="int"), lambda p: len(p.plan.layout)),
        (
            Column("peak_pflops", "peak", "PFLOPS", kind="float", decimals=0),
            lambda p: p.plan.compute_total.m_as("PFLOPS"),
        ),
        (Column("added", "units added", kind="int"), lambda p: sum(c.units for c in p.added)),
        (Column("retired", "units retired", kind="int"), lambda p: sum(c.units for c in p.retired)),
    )
    return table_of("periods", spec, roadmap.periods)


# ---------------------------------------------------------------------------------------
# SVG charts


def timeline_charts(roadmap: RoadmapPlan) -> dict[str, str]:
    """Every timeline chart the roadmap has data for: name -> SVG text (none without periods)."""
    points = roadmap.timeline
    if not points:
        return {}
    labels = [p.period for p in points]
    made = {
        "gantt": gantt_svg(roadmap),
        "power": stacked_bars_svg(
            "MW energised vs used",
            labels,
            [
                ("used", COLOURS[0], [p.used_mw for p in points]),
                ("stranded (energised, unused)", PALE, [p.stranded_mw for p in points]),
            ],
            "MW",
        ),
        "units": stacked_bars_svg(
            timeline_chart_title("units"),
            labels,
            [
                (system, COLOURS[i % len(COLOURS)], [float(units_of(p, system)) for p in points])
                for i, system in enumerate(systems(roadmap))
            ],
            "units",
        ),
        "cash": stacked_bars_svg(
            "Cash flow: spend per period, cumulative spend (right axis)",
            labels,
            [
                ("capex", COLOURS[0], [p.capex_musd for p in points]),
                ("opex", COLOURS[1], [p.opex_musd for p in points]),
            ],
            "MUSD",
            line=("cumulative spend", [-p.cumulative_cash_musd for p in points]),
        ),
    }
    return {name: svg for name, svg in made.items() if svg is not None}


def timeline_chart_title(name: str) -> str:
    return dict(TIMELINE_CHARTS)[name]


def _finite(value: float) -> float:
    """A value drawn as a size: a negative or non-finite figure draws nothing (tables still show it)."""
    return value if math.isfinite(value) and value > 0 else 0.0


def _bar_width(count: int) -> float:
    return 22.0 if count <= 12 else (14.0 if count <= 40 else 8.0)


def _label_step(count: int) -> int:
    return max(1, math.ceil(count / 12))


def _nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 x 10^k at or above ``value`` (an axis top)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value * (1 - 1e-12))


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" font-size="10" role="img">'
    )
    return "\n".join([head, f"<title>{escape(title)}</title>", *body, "</svg>"]) + "\n"


def _x_axis(labels: Sequence[str], x0: float, step: float, y: float) -> list[str]:
    every = _label_step(len(labels))
    out = [f'<line x1="{x0:.1f}" y1="{y:.1f}" x2="{x0 + step * len(labels):.1f}" y2="{y:.1f}" stroke="#5a6475"/>']
    for i, text in enumerate(labels):
        if i % every == 0:
            x = x0 + step * (i + 0.5)
            out.append(f'<text x="{x:.1f}" y="{y + 14:.1f}" text-anchor="middle">{escape(text)}</text>')
    return out


def _y_axis(top: float, unit: str, x: float, anchor: str = "end") -> list[str]:
    out = []
    for k in range(5):
        value = top * k / 4
        y = _TOP + _PLOT_H * (1 - k / 4)
        out.append(f'<text x="{x:.1f}" y="{y + 3:.1f}" text-anchor="{anchor}">{escape(number(value))}</text>')
        if anchor == "end":
            out.append(f'<line x1="{x + 4:.1f}" y1="{y:.1f}" x2="{x + 8:.1f}" y2="{y:.1f}" stroke="#5a6475"/>')
    label_x = 12 if anchor == "end" else x + 40
    out.append(
        f'<text x="{label_x:.1f}" y="{_TOP + _PLOT_H / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 {label_x:.1f} {_TOP + _PLOT_H / 2:.1f})">{escape(unit)}</text>'
    )
    return out


def _legend(entries: Sequence[tuple[str, str]], x: float, y: float) -> list[str]:
    out = []
    for name, colour in entries:
        out.append(f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14:.1f}" y="{y + 1:.1f}">{escape(name)}</text>')
        x += 24 + 6.2 * len(name)
    return out


def stacked_bars_svg(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    unit: str,
    line: tuple[str, Sequence[float]] | None = None,
) -> str | None:
    """Stacked bars per period (one colour per series), optionally a line on its own right axis.

    Bar height [px] = value / axis top x plot height; the axis top is the next 1-2-5 step above
    the tallest stack. None when every value is zero (nothing to draw).
    """
    series = [(name, colour, [_finite(v) for v in values]) for name, colour, values in series]
    if line is not None:
        line = (line[0], [_finite(v) for v in line[1]])
    totals = [sum(values[i] for _, _, values in series) for i in range(len(labels))]
    if not labels or max(totals, default=0.0) <= 0:
        return None
    bar = _bar_width(len(labels))
    step = max(bar * 1.4, _MIN_PLOT_W / len(labels))
    legend = sum(24 + 6.2 * len(name) for name, *_ in series) + (24 + 6.2 * len(line[0]) if line else 0)
    width = max(_LEFT + step * len(labels) + _RIGHT, _LEFT + 7.2 * len(title), _LEFT + legend)
    height = _TOP + _PLOT_H + _BOTTOM
    top = _nice_max(max(totals))
    body = [f'<text x="{_LEFT:.1f}" y="14" font-size="12" font-weight="bold">{escape(title)}</text>']
    body += _y_axis(top, unit, _LEFT - 8)
    for i, label in enumerate(labels):
        y = _TOP + _PLOT_H
        x = _LEFT + step * i + (step - bar) / 2
        for name, colour, values in series:
            h = _PLOT_H * values[i] / top
            if h <= 0:
                continue
            y -= h
            tip = f"{label} {name}: {number(values[i])} {unit}"
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(tip)}</title></rect>"
            )
    if line is not None and max(line[1], default=0.0) > 0:
        body += _line(line, step, unit)
    body += _x_axis(labels, _LEFT, step, _TOP + _PLOT_H)
    entries = [(name, colour) for name, colour, values in series if any(v > 0 for v in values)]
    if line is not None:
        entries.append((line[0], "#1d2330"))
    body += _legend(entries, _LEFT, _TOP + _PLOT_H + 32)
    return _svg(width, height, title, body)


def _line(line: tuple[str, Sequence[float]], step: float, unit: str) -> list[str]:
    name, values = line
    top = _nice_max(max(values))
    points = " ".join(
        f"{_LEFT + step * (i + 0.5):.1f},{_TOP + _PLOT_H * (1 - v / top):.1f}" for i, v in enumerate(values)
    )
    right = _LEFT + step * len(values) + 8
    return [
        f'<polyline points="{points}" fill="none" stroke="#1d2330" stroke-width="1.5"><title>{escape(name)}</title></polyline>',
        *_y_axis(top, f"{name} [{unit}]", right, anchor="start"),
    ]


def gantt_svg(roadmap: RoadmapPlan) -> str | None:
    """One lane per system (and cloud offer): a cell per period, darker for more units (opacity =
    0.15 + 0.85 x units / the lane's most units); then one lane per order, a bar from the period
    ordered to the period delivered (one lane per equipment class and owner). None without any
    units or orders."""
    points = roadmap.timeline
    lanes = systems(roadmap)
    if not points or (not lanes and not roadmap.orders):
        return None
    labels = [p.period for p in points]
    cell, lane_h, left = max(_bar_width(len(labels)) * 1.4, _MIN_PLOT_W / len(labels)), 16.0, 190.0
    grouped = order_lanes(roadmap.orders)
    rows = len(lanes) + (len(grouped) + 1 if grouped else 0)
    height = _TOP + rows * lane_h + _BOTTOM
    width = max(left + cell * len(labels) + 16, 8 + 7.2 * len(timeline_chart_title("gantt")))
    title = timeline_chart_title("gantt")
    body = [f'<text x="8" y="14" font-size="12" font-weight="bold">{escape(title)}</text>']
    for n, system in enumerate(lanes):
        y = _TOP + n * lane_h
        most = max(units_of(p, system) for p in points) or 1
        family = _family_of(roadmap, system)
        colour = colour_of(family, n)
        body.append(f'<text x="{left - 6:.1f}" y="{y + 11:.1f}" text-anchor="end">{escape(system[:32])}</text>')
        for i, p in enumerate(points):
            units = units_of(p, system)
            if units <= 0:
                continue
            opacity = 0.15 + 0.85 * units / most
            body.append(
                f'<rect x="{left + cell * i:.1f}" y="{y + 2:.1f}" width="{cell - 1:.1f}" height="{lane_h - 4:.1f}" '
                f'fill="{colour}" fill-opacity="{opacity:.2f}"><title>{escape(f"{system} {p.period}: {units:,} units")}</title></rect>'
            )
    body += _order_lanes(grouped, labels, left, cell, _TOP + (len(lanes) + 1) * lane_h, lane_h)
    body += _x_axis(labels, left, cell, height - _BOTTOM + 6)
    return _svg(width, height, title, body)


def _family_of(roadmap: RoadmapPlan, system: str) -> str:
    if system.startswith("cloud:"):
        return "cloud"
    for period in roadmap.periods:
        for change in period.added:
            if change.system == system:
                return change.family
    return system


def order_lanes(orders: Sequence[Order]) -> dict[str, list[Order]]:
    """Orders grouped into one lane per equipment class and owner ("distribution-transformer @ hall-a")."""
    lanes: dict[str, list[Order]] = {}
    for order in orders:
        lanes.setdefault(f"{order.equipment} @ {order.owner}", []).append(order)
    return lanes


def _order_lanes(
    lanes: dict[str, list[Order]], labels: Sequence[str], left: float, cell: float, y0: float, lane_h: float
) -> list[str]:
    """Each order a pale bar from the period ordered to the period delivered, a dark mark at delivery."""
    index = {label: i for i, label in enumerate(labels)}
    out = []
    if lanes:
        out.append(f'<text x="8" y="{y0 - 4:.1f}" font-weight="bold">orders: ordered → delivered</text>')
    for n, (name, orders) in enumerate(lanes.items()):
        y = y0 + n * lane_h
        out.append(f'<text x="{left - 6:.1f}" y="{y + 11:.1f}" text-anchor="end">{escape(name[:36])}</text>')
        for order in orders:
            start = index.get(order.ordered, -1)
            end = index.get(order.delivered, len(labels) - 1)
            x1 = left + cell * start if start >= 0 else left - 4
            x2 = left + cell * (end + 1) - 1
            tip = f"{order.count} x {name}: ordered {order.ordered}, delivered {order.delivered}"
            out.append(
                f'<rect x="{x1:.1f}" y="{y + 5:.1f}" width="{max(2.0, x2 - x1):.1f}" height="{lane_h - 10:.1f}" '
                f'fill="{PALE}"><title>{escape(tip)}</title></rect>'
            )
            out.append(
                f'<rect x="{x2 - 5:.1f}" y="{y + 3:.1f}" width="5" height="{lane_h - 6:.1f}" fill="#1d2330">'
                f"<title>{escape(tip)}</title></rect>"
            )
    return out
