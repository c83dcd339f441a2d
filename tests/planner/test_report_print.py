"""The HTML report prints (defect 17) and the floor plan draws halls to their area (defect 18).

Printing is tested in a real browser: headless Chromium (Debian package ``chromium``)
prints the demo report to PDF, and lays the report out at the printable width of an A4
page with the print stylesheet applied, to find anything wider than the page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dcplan.planner.pipeline import PlanOptions, plan_scenario
from dcplan.planner.plan import CapacityPlan
from dcplan.planner.report.floorplan import SCALE, floorplan_svg
from dcplan.planner.report.html import render_html
from dcplan.planner.scenario import DEMO_SCENARIO, load_scenario
from dcplan.planner.solve import SolveSettings

SVG_NS = "{http://www.w3.org/2000/svg}"
MAX_PAGES = 14  # the demo plan's report on A4: 13 with the fabric, storage and swing sections and their
# sourced figures in the assumptions table (12 before them; 75 US-letter pages before A4)
A4_PT = (595.3, 841.9)
# A4 (210 mm) less the report's 12 mm @page margins, in CSS px (96 per inch)
PRINT_WIDTH_PX = int((210 - 2 * 12) / 25.4 * 96)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if found:
        return found
    message = "headless Chromium is needed to test printing: install it with `apt-get install chromium` (Debian)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; .ci/run installs it in CI")
    pytest.skip(message)


def run_chromium(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="dcplan-chromium-") as profile:
        return subprocess.run(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )


@pytest.fixture(scope="module")
def demo_plan(catalog) -> CapacityPlan:
    return plan_scenario(
        load_scenario(DEMO_SCENARIO), catalog, PlanOptions(settings=SolveSettings(time_limit_s=30), marginals=False)
    )


@pytest.fixture(scope="module")
def demo_html(demo_plan, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("print") / "report.html"
    path.write_text(render_html(demo_plan), encoding="utf-8")
    return path


def pdf_pages(data: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of every page object of a PDF as Chromium writes it (plain objects)."""
    pages = []
    for body in re.findall(rb"\d+ 0 obj(.*?)endobj", data, re.S):
        if not re.search(rb"/Type\s*/Page(?![a-zA-Z])", body):
            continue
        box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", body)
        assert box, body[:400]
        x0, y0, x1, y1 = (float(v) for v in box.groups())
        pages.append((x1 - x0, y1 - y0))
    return pages


def test_demo_report_prints_to_a_few_a4_pages(demo_html, tmp_path):
    pdf = tmp_path / "report.pdf"
    done = run_chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", demo_html.as_uri())
    assert pdf.exists(), done.stderr[-2000:]
    pages = pdf_pages(pdf.read_bytes())
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf.read_bytes(), re.S)]
    assert counts and max(counts) == len(pages)  # the page tree's root counts every page
    assert 0 < len(pages) <= MAX_PAGES, f"{len(pages)} pages"
    for width, height in pages:
        assert width == pytest.approx(A4_PT[0], abs=2) and height == pytest.approx(A4_PT[1], abs=2)


# Lays the report out with the print rules applied on screen, at the printable width, and
# reports what sticks out on the right, which id cells wrap, and the floor plan's width.
MEASURE = """
<script>
addEventListener("load", () => {
  const limit = document.documentElement.clientWidth + 1;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > limit && !el.closest("svg *")) {
      wide.push(el.tagName + "." + (el.getAttribute("class") || "") + " " + Math.round(box.right));
    }
  }
  const wrapped = [];
  for (const td of document.querySelectorAll("td.id")) {
    const range = document.createRange();
    range.selectNodeContents(td);
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    if (lines.size > 1) wrapped.push(td.textContent);
  }
  const plan = document.querySelector(".floorplan svg").getBoundingClientRect();
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify({
    viewport: document.documentElement.clientWidth,
    scroll: document.documentElement.scrollWidth,
    wide: wide.slice(0, 20), wrapped: wrapped.slice(0, 20), floorplan: plan.width,
  });
  document.body.appendChild(out);
});
</script>
"""


@pytest.fixture(scope="module")
def workloads_html(tmp_path_factory) -> Path:
    """The report of a plan with hand-made per-workload results (tests/planner/workload_plans.py)."""
    from tests.planner.workload_plans import hand_plan

    path = tmp_path_factory.mktemp("print") / "workloads.html"
    path.write_text(render_html(hand_plan()), encoding="utf-8")
    return path


@pytest.mark.parametrize("report", ["demo_html", "workloads_html"])
def test_nothing_is_wider_than_the_printed_page(report, request, tmp_path):
    text = request.getfixturevalue(report).read_text(encoding="utf-8")
    assert "@media print" in text
    probe = tmp_path / "probe.html"
    probe.write_text(text.replace("@media print", "@media all").replace("</body>", MEASURE + "</body>"))
    done = run_chromium(
        f"--window-size={PRINT_WIDTH_PX},1100", "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()
    )
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    measured = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert measured["viewport"] == pytest.approx(PRINT_WIDTH_PX, abs=2)
    assert measured["scroll"] <= measured["viewport"], measured
    assert measured["wide"] == [], measured
    assert measured["wrapped"] == [], "ids must not break at their hyphen (hall-/a)"
    assert 0.5 * PRINT_WIDTH_PX <= measured["floorplan"] <= measured["viewport"], "floor plan fits the page width"


def test_the_probe_finds_overflow_when_there_is_some(tmp_path):
    """The measuring probe is not blind: a 2,000 px wide block and a wrapping id are found."""
    page = (
        '<!DOCTYPE html><html><body><div style="width:2000px;height:4px"></div>'
        '<table style="width:60px"><tr><td class="id">hall-a-with-a-long-name</td></tr></table>'
        '<div class="floorplan"><svg width="100" height="10"></svg></div></body></html>'
    )
    probe = tmp_path / "wide.html"
    probe.write_text(page.replace("</body>", MEASURE + "</body>"))
    done = run_chromium(
        f"--window-size={PRINT_WIDTH_PX},1100", "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()
    )
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    measured = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert measured["scroll"] > measured["viewport"] and measured["wide"]
    assert measured["wrapped"] == ["hall-a-with-a-long-name"]


# --- without a browser ----------------------------------------------------------------------


def test_print_stylesheet_sets_the_page_and_the_appendix(demo_html_text):
    html = demo_html_text
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", html)
    print_css = html[html.index("@media print") :]
    assert "section#assumptions { break-before: page; }" in print_css
    assert "Appendix: " in print_css
    assert ".floorplan svg { width: 100%;" in html  # scaled to the page, not 2,076 px wide


@pytest.fixture(scope="module")
def demo_html_text(demo_html) -> str:
    return demo_html.read_text(encoding="utf-8")


def _assumed_block(html: str) -> str:
    start = html.index('<div class="assumed">')
    return html[start : html.index("</div>", start)]


def test_assumed_figures_are_named_near_the_top(demo_plan, demo_html_text):
    html = demo_html_text
    assumed = [a for a in demo_plan.assumptions if a.confidence == "assumption"]
    assert assumed, "the demo plan uses assumed figures"
    assert html.index('<div class="assumed">') < html.index('<section id="solver">')  # in the summary
    items = re.findall(r"<li>(.*?)</li>", _assumed_block(html))
    for a in assumed:
        line = next(li for li in items if li.startswith(f"{a.kind} {a.id}: "))
        assert f"{a.field} " in line, (a.kind, a.id, a.field)
    assert {li.split(":")[0] for li in items} == {f"{a.kind} {a.id}" for a in assumed}


def test_the_assumed_list_follows_the_catalog_confidence(demo_plan):
    from dcplan.planner.report.document import assumed_lines, report_sections

    def listed(plan: CapacityPlan) -> list[str]:
        blocks = [b for b in report_sections(plan, set())[0].blocks if b.kind == "assumed"]
        return assumed_lines(blocks[0]) if blocks else []

    vendor = next(a for a in demo_plan.assumptions if a.confidence == "vendor")
    assert not any(line.startswith(f"{vendor.kind} {vendor.id}: {vendor.field} ") for line in listed(demo_plan))
    changed = [a.model_copy(update={"confidence": "assumption"}) if a is vendor else a for a in demo_plan.assumptions]
    lines = listed(demo_plan.model_copy(update={"assumptions": changed}))
    assert any(line.startswith(f"{vendor.kind} {vendor.id}: ") and f"{vendor.field} " in line for line in lines)
    none = [a.model_copy(update={"confidence": "vendor"}) for a in demo_plan.assumptions]
    assert listed(demo_plan.model_copy(update={"assumptions": none})) == []


def test_red_bars_are_the_binding_limits(demo_plan):
    from dcplan.planner.report.html import _table
    from dcplan.planner.report.tables import limits_table

    limits = list(demo_plan.limits)
    first = limits[0]
    exact = first.model_copy(update={"utilisation": 1.0, "binding": False, "limit": "demand met exactly"})
    binding = first.model_copy(update={"utilisation": 0.97, "binding": True, "limit": "binding below 100"})
    table = _table(limits_table(demo_plan.model_copy(update={"limits": [exact, binding, *limits[1:]]})), None)
    rows = re.findall(r"<tr>(.*?)</tr>", table)[1:]
    row_exact = next(r for r in rows if "demand met exactly" in r)
    row_binding = next(r for r in rows if "binding below 100" in r)
    assert 'class="bar binding"' not in row_exact and "<td>no</td>" in row_exact
    assert 'class="bar binding"' in row_binding
    for row in rows:
        assert ('class="bar binding"' in row) == ("<td>yes</td>" in row), row


def test_hall_ids_do_not_wrap(demo_plan, demo_html_text):
    html = demo_html_text
    for hall in demo_plan.halls:
        assert f'<td class="id">{hall.hall}</td>' in html
    assert re.search(r"td\.id \{ white-space: nowrap; \}", html)


# --- defect 18: halls to their area ---------------------------------------------------------


def _hall_rects(svg: str) -> dict[str, tuple[float, float]]:
    root = ET.fromstring(svg)
    out = {}
    for el in root.iter(f"{SVG_NS}rect"):
        if el.get("class") == "hall":
            hall_id = el.find(f"{SVG_NS}title").text.split(":")[0]
            out[hall_id] = (float(el.get("width")), float(el.get("height")))
    return out


def test_floor_plan_draws_each_hall_to_its_area(demo_plan):
    rects = _hall_rects(floorplan_svg(demo_plan))
    drawn = {h.hall for h in demo_plan.halls if h.racks}
    assert set(rects) == drawn
    for hall in demo_plan.halls:
        if hall.hall not in rects:
            continue
        width, height = rects[hall.hall]
        area_m2 = width * height / SCALE**2
        assert area_m2 == pytest.approx(hall.area.m_as("m**2"), rel=0.03), hall.hall
        assert area_m2 > 3 * hall.gross_area.m_as("m**2")  # not the rows' outline (8,000 vs ~1,000 m²)


def test_floor_plan_shows_aisles_and_the_empty_rows(demo_plan):
    root = ET.fromstring(floorplan_svg(demo_plan))
    aisles = [el for el in root.iter(f"{SVG_NS}rect") if el.get("class") == "aisle"]
    rows = [el for el in root.iter(f"{SVG_NS}rect") if el.get("class") == "row"]
    scenario_rows = sum(t["count"] for t in demo_plan.scenario["row"])
    assert len(rows) == scenario_rows  # used and empty rows of the scenario
    halls_drawn = len({h.hall for h in demo_plan.halls if h.racks})
    assert len(aisles) == scenario_rows - halls_drawn  # one between each pair of neighbouring rows


def test_a_hall_too_small_for_its_rows_still_holds_them(demo_plan):
    halls = [h.model_copy(update={"area": h.gross_area * 0.01}) for h in demo_plan.halls]
    rects = _hall_rects(floorplan_svg(demo_plan.model_copy(update={"halls": halls})))
    root = ET.fromstring(floorplan_svg(demo_plan.model_copy(update={"halls": halls})))
    rows = [el for el in root.iter(f"{SVG_NS}rect") if el.get("class") == "row"]
    widest = max(float(el.get("width")) for el in rows)
    assert all(w > widest for w, _ in rects.values())


def test_missing_chromium_fails_under_ci_and_skips_with_advice_elsewhere(monkeypatch):
    import tests.planner.test_report_print as me

    monkeypatch.setattr(me.shutil, "which", lambda _name: None)
    monkeypatch.setattr(me.os.path, "exists", lambda _path: False)
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install chromium"):
        me.chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match=r"install it with `apt-get install chromium`"):
        me.chromium()
