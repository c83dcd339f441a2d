"""Report charts as SVG text, drawn with matplotlib (headless, imported lazily).

Each chart is a small horizontal bar chart with value labels. Figures are made with the
object API (no pyplot state); the output is deterministic (no date, fixed id salt) and keeps
text as text, so it can be embedded inline in HTML or written next to a Markdown report.
"""

from __future__ import annotations

import io
import re
import sys
from typing import Any

from dcplan.planner.plan import CapacityPlan
from dcplan.planner.report.quantity import number, percent, unit_text
from dcplan.planner.report.tables import (
    capex_breakdown_usd,
    compute_by_family_pflops,
    heat_split_mw,
    power_breakdown_mw,
)

# (name, title): the name is also the file suffix of a chart written next to a Markdown report
CHARTS: tuple[tuple[str, str], ...] = (
    ("power", "Facility power on the design day"),
    ("heat", "Heat rejection: liquid vs air"),
    ("capex", "Capex by category"),
    ("compute", "Compute by family"),
)

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
FAMILY_COLOURS = {"trainium": "#f28e2b", "nvidia": "#59a14f"}


def _matplotlib() -> Any:
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    return matplotlib


def _bars(name: str, title: str, values: dict[str, float], unit: str, decimals: int = 1) -> str | None:
    """Horizontal bars with '<value> <unit> (<share>)' labels; None when there is nothing to draw."""
    total = sum(values.values())
    if not values or total <= 0:
        return None
    labels = list(values)
    numbers = [values[k] for k in labels]
    figure = _figure(len(labels))
    axes = figure.add_subplot(1, 1, 1)
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(labels))]
    positions = list(range(len(labels)))[::-1]
    axes.barh(positions, numbers, color=colours, height=0.6)
    axes.set_yticks(positions, labels)
    for y, value in zip(positions, numbers, strict=True):
        axes.text(value, y, f"  {number(value)} {unit_text(unit)} ({percent(value / total)})", va="center", fontsize=8)
    _finish(axes, title, unit, max(numbers))
    return _svg(figure, name)


def _figure(bars: int) -> Any:
    _matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=(6.4, 0.5 + 0.42 * max(bars, 2)), dpi=100, layout="constrained")


def _finish(axes: Any, title: str, unit: str, largest: float) -> None:
    axes.set_title(title, fontsize=10, loc="left")
    axes.set_xlabel(unit_text(unit), fontsize=8)
    axes.set_xlim(0, largest * 1.45 if largest > 0 else 1)
    axes.tick_params(labelsize=8)
    axes.xaxis.set_major_formatter(lambda x, _pos: number(x))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _svg(figure: Any, name: str) -> str:
    matplotlib = _matplotlib()
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"dcplan-{name}", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "dcplan"})
    text = buffer.getvalue()
    # one <svg> element: no XML prolog or DOCTYPE, no RDF metadata block
    text = re.sub(r"^.*?(?=<svg)", "", text, flags=re.S)
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)
    return namespace_ids(text, name).strip() + "\n"


def namespace_ids(svg: str, prefix: str) -> str:
    """Prefix every id (and reference to it), so several SVGs can live inline in one HTML page."""
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)


def power_chart(plan: CapacityPlan) -> str | None:
    return _bars("power", "Facility power on the design day", power_breakdown_mw(plan), "MW")


def heat_chart(plan: CapacityPlan) -> str | None:
    return _bars("heat", "Heat rejection: liquid vs air", heat_split_mw(plan), "MW")


def capex_chart(plan: CapacityPlan) -> str | None:
    values = {k: v / 1e6 for k, v in capex_breakdown_usd(plan).items()}
    return _bars("capex", "Capex by category", values, "M USD")


def compute_chart(plan: CapacityPlan) -> str | None:
    """PFLOPS per family, stacked by place (site or cloud offer)."""
    by_family = compute_by_family_pflops(plan)
    total = sum(sum(p.values()) for p in by_family.values())
    if total <= 0:
        return None
    families = list(by_family)
    places = sorted({p for places in by_family.values() for p in places})
    figure = _figure(len(families))
    axes = figure.add_subplot(1, 1, 1)
    positions = list(range(len(families)))[::-1]
    left = [0.0] * len(families)
    for i, place in enumerate(places):
        widths = [by_family[f].get(place, 0.0) for f in families]
        axes.barh(positions, widths, left=left, height=0.6, color=PALETTE[i % len(PALETTE)], label=place)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.set_yticks(positions, families)
    for y, value in zip(positions, left, strict=True):
        axes.text(value, y, f"  {number(value)} PFLOPS ({percent(value / total)})", va="center", fontsize=8)
    _finish(axes, f"Compute by family (peak dense {plan.precision})", "PFLOPS", max(left))
    axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _svg(figure, "compute")


def charts(plan: CapacityPlan) -> dict[str, str]:
    """Every chart the plan has data for: name -> SVG text (empty for an infeasible plan)."""
    made = {
        "power": power_chart(plan),
        "heat": heat_chart(plan),
        "capex": capex_chart(plan),
        "compute": compute_chart(plan),
    }
    return {name: svg for name, svg in made.items() if svg is not None}


def chart_title(name: str) -> str:
    return dict(CHARTS)[name]
