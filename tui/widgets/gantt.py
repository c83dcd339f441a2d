"""A Gantt-like timeline of a roadmap plan as Rich text: one column per period, one lane per row.

Lanes: units by generation (each generation, then its systems indented, then cloud offers),
MW energised / used / stranded, capex / opex / cumulative spend, and one lane per class of
long-lead equipment ordered (◆ ordered, ─ in transit, ▼ delivered, ◈ both). A lane's cell is a block
whose height is the period's value over the lane's largest (``▁`` .. ``█``; ``·`` for
nothing); the MW lanes share one scale (the most MW energised), so used and stranded read
against energised. The selected period's column has a highlighted background (``SELECTED``). Clicking a column selects
that period (``Gantt.PeriodClicked``). Presentation only: every figure is the plan's own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

if TYPE_CHECKING:
    from dcplan.planner.roadmap_plan import RoadmapPlan, TimelinePoint

LABEL_WIDTH = 22
BLOCKS = "▁▂▃▄▅▆▇█"
SELECTED = "on grey35"
FAMILY_STYLES = {"nvidia": "green3", "trainium": "dark_orange", "cloud": "grey70"}
OTHER_STYLES = ("dodger_blue1", "magenta", "cyan", "yellow3", "purple")


def cell_width(periods: int) -> int:
    """Characters per period column: 3 for up to 24 periods, else 2 (40 quarters fit 102 columns)."""
    return 3 if periods <= 24 else 2


def block(value: float, largest: float) -> str:
    """The block glyph of ``value`` on a lane whose largest value is ``largest``: ▁ (> 0) .. █ (largest);
    ``?`` for a value or scale that is not a finite number."""
    if not (math.isfinite(value) and math.isfinite(largest)):
        return "?"  # a figure the plan could not state: never drawn as a size
    if value <= 0 or largest <= 0:  # nothing, or an empty lane
        return "·"
    level = min(len(BLOCKS) - 1, max(0, round(value / largest * (len(BLOCKS) - 1))))
    return BLOCKS[level]


@dataclass(frozen=True)
class Lane:
    label: str
    values: list[float]
    style: str
    unit: str = ""
    scale: float | None = None  # the value drawn as █ (default: the lane's largest)


def family_style(family: str, index: int) -> str:
    return FAMILY_STYLES.get(family, OTHER_STYLES[index % len(OTHER_STYLES)])


def unit_lanes(roadmap: RoadmapPlan) -> list[Lane]:
    """Units by generation, each generation followed by its systems (indented), then cloud offers."""
    points = roadmap.timeline
    families: dict[str, str] = {}
    for period in roadmap.periods:
        for change in [*period.added, *period.retired]:
            families.setdefault(change.system, change.family)
        for line in period.plan.mix:
            families.setdefault(line.system, line.family)
    generations = list(dict.fromkeys(g for p in points for g in p.units_by_generation))
    lanes = []
    for n, gen in enumerate(generations):
        style = family_style(gen, n)
        lanes.append(Lane(gen, [float(p.units_by_generation.get(gen, 0)) for p in points], f"bold {style}", "units"))
        members = dict.fromkeys(s for p in points for s in p.units_by_system if families.get(s, gen) == gen)
        lanes += [Lane(f"  {s}", [float(p.units_by_system.get(s, 0)) for p in points], style, "units") for s in members]
    other = dict.fromkeys(
        s for p in points for s in p.units_by_system if families.get(s) not in generations and s not in families
    )
    lanes += [Lane(f"  {s}", [float(p.units_by_system.get(s, 0)) for p in points], "white", "units") for s in other]
    offers = dict.fromkeys(c for p in points for c in p.cloud_units)
    lanes += [Lane(f"cloud:{c}", [float(p.cloud_units.get(c, 0)) for p in points], "grey70", "units") for c in offers]
    return lanes


def power_money_lanes(roadmap: RoadmapPlan) -> list[Lane]:
    points = roadmap.timeline
    top_mw = max([p.energised_mw for p in points] + [p.used_mw for p in points], default=0.0)
    spend = [-p.cumulative_cash_musd for p in points]

    def lane(
        label: str, get: Callable[[TimelinePoint], float], style: str, unit: str, scale: float | None = None
    ) -> Lane:
        return Lane(label, [float(get(p)) for p in points], style, unit, scale)

    return [
        lane("MW energised", lambda p: p.energised_mw, "grey70", "MW", top_mw),
        lane("MW used", lambda p: p.used_mw, "dodger_blue1", "MW", top_mw),
        lane("MW stranded", lambda p: p.stranded_mw, "yellow3", "MW", top_mw),
        lane("capex", lambda p: p.capex_musd, "cyan", "MUSD"),
        lane("opex", lambda p: p.opex_musd, "magenta", "MUSD"),
        Lane("cumulative spend", spend, "white", "MUSD"),
    ]


def order_cells(roadmap: RoadmapPlan) -> dict[str, list[str]]:
    """Equipment class -> one glyph per period: ◆ ordered, ─ in transit, ▼ delivered, ◈ both."""
    labels = [p.period for p in roadmap.timeline]
    index = {label: i for i, label in enumerate(labels)}
    lanes: dict[str, list[str]] = {}
    for order in roadmap.orders:
        cells = lanes.setdefault(order.equipment, [" "] * len(labels))
        end = index.get(order.delivered)
        start = index.get(order.ordered, -1 if order.ordered == "before start" else None)
        if end is None or start is None:
            continue  # a period not on this timeline: listed in the orders table, not drawn
        for t in range(max(start, 0), end):
            if cells[t] == " ":
                cells[t] = "─"
        if start >= 0:
            cells[start] = "◈" if cells[start] in ("▼", "◈") else "◆"
        cells[end] = "◈" if cells[end] in ("◆", "◈") else "▼"
    return lanes


def gantt_text(roadmap: RoadmapPlan, selected: int | None, cell: int | None = None) -> Text:
    """The whole timeline as Rich text (see the module docstring)."""
    points = roadmap.timeline
    text = Text(no_wrap=True, overflow="crop")
    if not points:
        text.append("no periods: nothing to draw")
        return text
    width = cell or cell_width(len(points))
    _header(text, [p.period for p in points], selected, width)
    text.append(f"{'units by generation':<{LABEL_WIDTH}}\n", style="bold")
    for lane in unit_lanes(roadmap):
        _lane(text, lane, selected, width)
    text.append(f"{'power and money':<{LABEL_WIDTH}}\n", style="bold")
    for lane in power_money_lanes(roadmap):
        _lane(text, lane, selected, width)
    orders = order_cells(roadmap)
    if orders:
        text.append(f"{'orders (◆ ─ ▼ ◈)':<{LABEL_WIDTH}}\n", style="bold")
        for equipment, cells in orders.items():
            _cells(
                text,
                f"  {equipment}",
                [c * (width - 1) if c == "─" else c.ljust(width - 1) for c in cells],
                "white",
                selected,
                width,
            )
    return text


def _header(text: Text, labels: Sequence[str], selected: int | None, width: int) -> None:
    """Period labels, one every few columns so they do not overlap; the selected one always."""
    every = max(1, -(-(max(map(len, labels)) + 1) // width))  # labels at least one space apart
    line = [" "] * (width * len(labels) + 8)
    for i, label in enumerate(labels):
        if i % every == 0 and i * width + len(label) <= len(line):
            line[i * width : i * width + len(label)] = list(label)
    text.append(f"{'period':<{LABEL_WIDTH}}", style="bold")
    text.append("".join(line).rstrip() + "\n", style="grey70")
    text.append(" " * LABEL_WIDTH)
    for i in range(len(labels)):
        mark = "▼" if i == selected else "╷"
        text.append(mark.ljust(width), style="bold yellow" if i == selected else "grey42")
    text.append("\n")


def _lane(text: Text, lane: Lane, selected: int | None, width: int) -> None:
    largest = lane.scale if lane.scale is not None else max(lane.values, default=0.0)
    _cells(text, lane.label, [block(v, largest) * (width - 1) for v in lane.values], lane.style, selected, width)


def _cells(text: Text, label: str, cells: Sequence[str], style: str, selected: int | None, width: int) -> None:
    shown = label if len(label) < LABEL_WIDTH else label[: LABEL_WIDTH - 2] + "…"
    text.append(f"{shown:<{LABEL_WIDTH}}", style=style)
    for i, cell in enumerate(cells):
        cell_style = style if cell.strip(" ·?") else "grey42"
        if i == selected:
            cell_style += f" {SELECTED}"
        text.append(cell, style=cell_style)
        text.append(" " * (width - len(cell)), style=SELECTED if i == selected else "")
    text.append("\n")


class Gantt(Static):
    """The timeline as one Static; a click on a period's column posts ``PeriodClicked``."""

    DEFAULT_CSS = "Gantt { width: auto; height: auto; }"

    class PeriodClicked(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.roadmap: RoadmapPlan | None = None
        self.selected: int | None = None

    def show(self, roadmap: RoadmapPlan | None, selected: int | None) -> None:
        self.roadmap, self.selected = roadmap, selected
        if roadmap is None:
            self.update("no roadmap plan")
        else:
            self.update(gantt_text(roadmap, selected))

    def period_at(self, x: int) -> int | None:
        """The period whose column holds content column ``x`` (None: the labels or past the end)."""
        if self.roadmap is None:
            return None
        count = len(self.roadmap.timeline)
        if x < LABEL_WIDTH or count == 0:
            return None
        index = (x - LABEL_WIDTH) // cell_width(count)
        return index if index < count else None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.period_at(offset.x)
        if index is not None:
            self.post_message(self.PeriodClicked(index))
