"""Roadmap exports (planner/export_roadmap.py) and the timeline charts (planner/report/timeline.py).

Fixtures are RoadmapPlans whose periods are real single-period solves of the demo campus
(tests/planner/roadmap_plans.py); expected figures are read from those plans, never typed in.
"""

from __future__ import annotations

import math
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dcplan.planner.export import OutputFileError
from dcplan.planner.export_roadmap import (
    MAX_FLOOR_PLANS,
    NO_PERIODS,
    floor_plan_owners,
    render_roadmap_files,
    render_roadmap_html,
    roadmap_xlsx_bytes,
    sheet_names,
    write_roadmap,
)
from dcplan.planner.report.timeline import _nice_max, stacked_bars_svg, timeline_charts, timeline_table
from dcplan.planner.roadmap_plan import RoadmapPlan
from tests.planner.roadmap_plans import (
    cycling_roadmap,
    empty_roadmap,
    growing_roadmap,
    infeasible_roadmap,
    period_plans,
    roadmap_of,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & | * _ [link](http://evil)'


@pytest.fixture(scope="module")
def growing() -> RoadmapPlan:
    return growing_roadmap(3)


@pytest.fixture(scope="module")
def forty() -> RoadmapPlan:
    return cycling_roadmap(40)


def all_roadmaps() -> dict[str, RoadmapPlan]:
    return {
        "one": roadmap_of([period_plans()[2]]),
        "growing": growing_roadmap(3),
        "forty": cycling_roadmap(40),
        "infeasible": infeasible_roadmap(),
        "empty": empty_roadmap(),
    }


def test_charts_are_valid_svg_for_every_roadmap():
    """Every chart of every fixture parses as XML, has a title, and no id (they share one HTML page)."""
    for name, roadmap in all_roadmaps().items():
        charts = timeline_charts(roadmap)
        assert set(charts) == (set() if name == "empty" else {"gantt", "power", "units", "cash"}), name
        for chart, svg in charts.items():
            root = ET.fromstring(svg)
            assert root.tag == f"{SVG}svg", (name, chart)
            assert root.find(f"{SVG}title") is not None
            assert ' id="' not in svg


def test_power_bars_are_used_and_stranded_to_scale(growing):
    """Bar height [px] = 160 x value / axis top; the axis top is the 1-2-5 step above the tallest
    stack (used + stranded = energised = 150 MW -> 200 MW). So each period's used bar is
    160 x used_mw / 200 px and its stranded bar 160 x stranded_mw / 200 px."""
    svg = timeline_charts(growing)["power"]
    heights: dict[str, float] = {}
    for rect in ET.fromstring(svg).iter(f"{SVG}rect"):
        title = rect.find(f"{SVG}title")
        if title is not None:
            heights[title.text.split(":")[0]] = float(rect.get("height"))
    top = _nice_max(max(p.energised_mw for p in growing.timeline))
    assert top == 200.0
    for point in growing.timeline:
        assert heights[f"{point.period} used"] == pytest.approx(160 * point.used_mw / top, abs=0.06)
        assert heights[f"{point.period} stranded (energised, unused)"] == pytest.approx(
            160 * point.stranded_mw / top, abs=0.06
        )


@pytest.mark.parametrize(("value", "top"), [(138.3, 200.0), (150.0, 200.0), (1.0, 1.0), (1001.0, 2000.0), (4.9, 5.0)])
def test_axis_top_is_the_next_one_two_five_step(value, top):
    assert _nice_max(value) == pytest.approx(top)


@pytest.mark.parametrize("bad", [0.0, -5.0, math.inf, math.nan])
def test_axis_top_of_nothing_or_no_number_is_one(bad):
    assert _nice_max(bad) == 1.0


def test_gantt_has_a_lane_per_system_and_per_order_class(growing):
    svg = timeline_charts(growing)["gantt"]
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    systems = {s for p in growing.timeline for s in p.units_by_system}
    assert systems <= set(texts)
    owners = {o.owner for o in growing.orders}
    assert {f"distribution-transformer @ {owner}" for owner in owners} <= set(texts)


def test_fuzzed_timelines_never_break_the_charts():
    """Seeded random timelines (zeros, negatives, huge, infinite and NaN figures): every chart is
    valid SVG with finite coordinates."""
    rng = random.Random(14)
    base = growing_roadmap(3)
    choices = [0.0, -1.0, 1e-9, 1e12, math.inf, -math.inf, math.nan, 3.5]
    for _ in range(60):
        points = []
        for point in base.timeline:
            update = {
                k: rng.choice(choices) if rng.random() < 0.5 else getattr(point, k)
                for k in ("energised_mw", "used_mw", "stranded_mw", "capex_musd", "opex_musd", "cumulative_cash_musd")
            }
            update["units_by_system"] = {s: rng.choice([0, 1, 10**9]) for s in point.units_by_system}
            points.append(point.model_copy(update=update))
        roadmap = base.model_copy(update={"timeline": points[: rng.randint(1, 3)]})
        for svg in timeline_charts(roadmap).values():
            root = ET.fromstring(svg)
            for element in root.iter():
                for attr in ("x", "y", "width", "height"):
                    if attr in element.attrib:
                        assert math.isfinite(float(element.get(attr))), svg[:200]


def test_stacked_bars_of_nothing_draw_nothing():
    assert stacked_bars_svg("t", ["a", "b"], [("s", "#000", [0.0, 0.0])], "MW") is None
    assert stacked_bars_svg("t", [], [], "MW") is None


def test_html_is_self_contained_and_shows_every_period(forty):
    html = render_roadmap_html(forty)
    assert "<script" not in html.lower()
    assert not re.search(r'\s(src|href)="(?!#)', html), "no external resources"
    for period in forty.periods:
        assert f'id="period-{period.period}"' in html
    assert html.count("<svg") >= 4
    # a floor plan per distinct layout: the 40 periods cycle through three plans
    owners = floor_plan_owners(forty)
    assert len(set(owners.values())) == 3
    assert html.count("the racks are where they were in") == 40 - 3


def test_html_floor_plans_are_capped():
    """MAX_FLOOR_PLANS + 2 periods with distinct layouts (each shifted one slot): two not drawn."""
    plan = period_plans()[0]
    distinct = []
    for k in range(MAX_FLOOR_PLANS + 2):
        layout = plan.layout.model_copy(update={"slot": [s + k for s in plan.layout.slot]})
        distinct.append(plan.model_copy(update={"layout": layout}))
    html = render_roadmap_html(roadmap_of(distinct))
    assert html.count("Floor plan not drawn") == 2


def test_html_timeline_figures_are_the_plans_own(growing):
    """The timeline table's used MW of each period is that period's plan's facility design power."""
    html = render_roadmap_html(growing)
    table = timeline_table(growing)
    used = table.column("used_mw")
    for period, value in zip(growing.periods, used, strict=True):
        assert value == pytest.approx(period.plan.energy.facility_power_design.m_as("MW"))
    for cells in table.formatted():
        assert f'<td class="num">{cells[2]}</td>' in html


def test_html_escapes_hostile_names(growing):
    hostile = growing.model_copy(update={"scenario_name": HOSTILE, "notes": [HOSTILE]})
    html = render_roadmap_html(hostile)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_infeasible_roadmap_says_why():
    roadmap = infeasible_roadmap()
    html = render_roadmap_html(roadmap)
    assert '<p class="warning">' in html
    assert "utility power short" in html


def test_empty_roadmap_renders_every_format(tmp_path):
    roadmap = empty_roadmap()
    for ext in ("html", "xlsx", "md", "json"):
        files = write_roadmap(roadmap, tmp_path / f"empty.{ext}")
        assert files[0].stat().st_size > 0
    assert NO_PERIODS in (tmp_path / "empty.html").read_text()
    assert NO_PERIODS in (tmp_path / "empty.md").read_text()


def test_xlsx_has_a_sheet_per_period_and_the_timeline(growing):
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(roadmap_xlsx_bytes(growing)))
    labels = [p.period for p in growing.periods]
    assert book.sheetnames == ["Summary", "Timeline", "Periods", "Orders", "Changes", *labels]
    timeline = book["Timeline"]
    headers = [c.value for c in timeline[1]]
    assert timeline.max_row == len(labels) + 1
    used_at = headers.index("used [MW]")
    for row, point in zip(timeline.iter_rows(min_row=2, values_only=True), growing.timeline, strict=True):
        assert row[0] == point.period
        assert row[used_at] == pytest.approx(point.used_mw)
    for period in growing.periods:
        sheet = book[period.period]
        values = {c.value for row in sheet.iter_rows() for c in row}
        assert {m.system for m in period.plan.mix} <= values
        assert "mix" in values and "halls" in values and "changes" in values
    assert book["Orders"].max_row == len(growing.orders) + 1


def test_sheet_names_are_legal_and_unique(growing):
    weird = ["2026/Q1", "2026/Q1", "x" * 50, "summary", "[a]:*?\\", "'"]
    periods = [growing.periods[0].model_copy(update={"period": w, "index": i}) for i, w in enumerate(weird)]
    names = sheet_names(growing.model_copy(update={"periods": periods}))
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        assert 0 < len(name) <= 31
        assert not set(name) & set("[]:*?/\\")
        assert name.lower() not in {"summary", "timeline", "periods", "orders", "changes"}


def test_markdown_links_its_charts_and_escapes(tmp_path, growing):
    hostile = growing.model_copy(update={"scenario_name": HOSTILE})
    files = render_roadmap_files(hostile, tmp_path / "road.md")
    names = {p.name for p in files}
    assert names == {"road.md", "road-gantt.svg", "road-power.svg", "road-units.svg", "road-cash.svg"}
    text = files[tmp_path / "road.md"].decode()
    for name in names - {"road.md"}:
        assert f"]({name})" in text
    assert "<script>" not in text
    for period in growing.periods:
        assert f"### {period.period}" in text


def test_json_round_trips(growing):
    files = render_roadmap_files(growing, Path("x.json"))
    again = RoadmapPlan.model_validate_json(files[Path("x.json")])
    assert again == growing


def test_write_refuses_overwrite_and_unknown_formats(tmp_path, growing):
    target = tmp_path / "road.html"
    write_roadmap(growing, target)
    with pytest.raises(OutputFileError, match="already exists"):
        write_roadmap(growing, target)
    write_roadmap(growing, target, force=True)
    for bad in ("road.csv", "road.svg", "road", "road.txt"):
        with pytest.raises(OutputFileError, match="unknown roadmap plan format") as info:
            write_roadmap(growing, tmp_path / bad)
        assert "\n" not in str(info.value)
    with pytest.raises(OutputFileError, match="does not exist"):
        write_roadmap(growing, tmp_path / "no" / "road.xlsx")
    # a Markdown export whose chart file exists is refused before anything is written
    (tmp_path / "m-gantt.svg").write_text("keep")
    with pytest.raises(OutputFileError, match="already exists"):
        write_roadmap(growing, tmp_path / "m.md")
    assert not (tmp_path / "m.md").exists()
    assert (tmp_path / "m-gantt.svg").read_text() == "keep"
    assert not list(tmp_path.glob(".dcplan-*"))
