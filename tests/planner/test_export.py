"""Plan exports and reports: JSON round trip and schema, CSV, XLSX, Markdown, HTML, SVG, diff, CLI errors."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dcplan.models.catalog import BUILTIN_DIR
from dcplan.planner.cli import main
from dcplan.planner.export import FORMATS, OutputFileError, format_for, format_from_suffix, write_atomic, write_plan
from dcplan.planner.layout import NETWORK_SYSTEM
from dcplan.planner.pipeline import PlanOptions, plan_scenario
from dcplan.planner.plan import SCHEMA_VERSION, CapacityPlan, Layout, load_plan, plan_json_schema
from dcplan.planner.report.diff import diff_plans
from dcplan.planner.report.document import REPORT_SECTIONS
from dcplan.planner.report.tables import bom_table, urls_in
from dcplan.planner.scenario import DEMO_SCENARIO, load_scenario
from dcplan.planner.solve import SolveSettings
from tests.planner.conftest import scenario, solve_plan

PLAN_SCHEMA = BUILTIN_DIR / "plan.schema.json"
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="session")
def demo_plan(catalog) -> CapacityPlan:
    return plan_scenario(
        load_scenario(DEMO_SCENARIO), catalog, PlanOptions(settings=SolveSettings(time_limit_s=30), marginals=False)
    )


@pytest.fixture(scope="session")
def infeasible_plan(ideal_catalog) -> CapacityPlan:
    plan = solve_plan(
        scenario(
            site=[{"id": "cold-aws", "utility_power": "0.5 MW"}],
            workload=[{"id": "pretrain", "demand": "1000 PFLOPS", "software": ["neuron"]}],
        ),
        ideal_catalog,
    )
    assert not plan.feasible and plan.diagnosis.relaxations
    return plan


@pytest.fixture(scope="session")
def demo_json(demo_plan, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "demo.json"
    write_plan(demo_plan, path)
    return path


@pytest.fixture(scope="session")
def infeasible_json(infeasible_plan, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "infeasible.json"
    write_plan(infeasible_plan, path)
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("dcplan: error: ")
    return lines[0]


# --- JSON ---------------------------------------------------------------------------------


def test_committed_plan_schema_matches_models():
    committed = json.loads(PLAN_SCHEMA.read_text())
    assert committed == json.loads(json.dumps(plan_json_schema())), (
        "catalogs/plan.schema.json is stale: run `dcplan export --schema > catalogs/plan.schema.json`"
    )


def test_cli_prints_the_committed_schema(capsys):
    code, out, _ = run(capsys, "export", "--schema")
    assert code == 0 and out == PLAN_SCHEMA.read_text()


def test_json_round_trip_is_byte_identical(demo_json, tmp_path, capsys):
    text = demo_json.read_text(encoding="utf-8")
    assert load_plan(demo_json).to_json_text() == text
    again = tmp_path / "again.json"
    code, out, _ = run(capsys, "export", demo_json, "--format", "json", "-o", again)
    assert code == 0 and f"wrote {again}" in out
    assert again.read_bytes() == demo_json.read_bytes()


@pytest.mark.parametrize("which", ["demo_json", "infeasible_json"])
def test_json_export_validates_against_committed_schema(which, request):
    import jsonschema

    data = json.loads(request.getfixturevalue(which).read_text())
    jsonschema.validate(data, json.loads(PLAN_SCHEMA.read_text()))
    assert data["schema_version"] == SCHEMA_VERSION


def test_mix_lines_carry_it_capex(demo_plan):
    assert all(m.capex is not None for m in demo_plan.mix)
    it = sum(m.capex.m_as("USD") for m in demo_plan.mix)
    assert it == pytest.approx(demo_plan.costs.capex_it.m_as("USD"), rel=1e-12)


# --- CSV ----------------------------------------------------------------------------------


def test_csv_bom_adds_up_to_the_plan_capex_and_rows_file(demo_json, demo_plan, tmp_path, capsys):
    path = tmp_path / "plan.csv"
    code, out, _ = run(capsys, "export", demo_json, "-o", path)
    assert code == 0
    rows_path = tmp_path / "plan-rows.csv"
    assert f"wrote {path}" in out and f"wrote {rows_path}" in out
    with path.open(newline="", encoding="utf-8") as handle:
        bom = list(csv.DictReader(handle))
    total = sum(float(r["capex_usd"]) for r in bom if r["capex_usd"])
    assert total == pytest.approx(demo_plan.costs.capex_total.m_as("USD"), rel=1e-12)
    items = {r["item"] for r in bom}
    assert {
        "systems",
        "rack PDUs",
        "busway tap-offs",
        "busway runs",
        "UPS modules",
        "transformers",
        "generators",
        "CDUs",
        "CRAH units",
    } <= items
    systems = [r for r in bom if r["item"] == "systems"]
    assert sum(int(r["count"]) for r in systems) == sum(m.units for m in demo_plan.mix)
    compute_slots = sum(1 for s in demo_plan.layout.system if s != NETWORK_SYSTEM)  # network racks: no BOM line yet
    assert sum(int(r["racks"]) for r in systems) == compute_slots
    with rows_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(demo_plan.rows)
    assert "it_power_kw" in rows[0] and "capex_usd" in bom[0]
    assert sum(float(r["it_power_kw"]) for r in rows) == pytest.approx(
        sum(r.it_power.m_as("kW") for r in demo_plan.rows)
    )


# --- XLSX ---------------------------------------------------------------------------------


def test_xlsx_workbook_matches_the_plan(demo_json, demo_plan, tmp_path, capsys):
    from openpyxl import load_workbook

    path = tmp_path / "plan.xlsx"
    code, _, _ = run(capsys, "export", demo_json, "--format", "xlsx", "-o", path)
    assert code == 0
    book = load_workbook(path)
    required = ["Summary", "Bill of materials", "Rows", "Layout", "Limits", "Assumptions"]
    assert all(name in book.sheetnames for name in required), book.sheetnames
    for sheet in book:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.column_dimensions["A"].width >= 8
    layout = book["Layout"]
    assert layout.max_row - 1 == len(demo_plan.layout)
    header = [c.value for c in layout[1]]
    assert "rack power [kW]" in header
    kw = [row[header.index("rack power [kW]")] for row in layout.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, float | int) for v in kw)
    assert sum(kw) == pytest.approx(sum(demo_plan.layout.rack_kw))

    summary = {row[1]: row[2] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["capex"] == pytest.approx(demo_plan.costs.capex_total.m_as("USD"))
    # halls count compute racks (network and storage racks are in the layout, not yet in hall racks)
    assert summary["racks"] == sum(1 for s in demo_plan.layout.system if s != NETWORK_SYSTEM)
    assert isinstance(summary["PUE (design day)"], float)

    bom = book["Bill of materials"]
    bom_header = [c.value for c in bom[1]]
    last = [c.value for c in bom[bom.max_row]]
    assert last[0] == "Total"
    assert last[bom_header.index("capex [USD]")] == pytest.approx(demo_plan.costs.capex_total.m_as("USD"))

    limits = book["Limits"]
    lim_header = [c.value for c in limits[1]]
    utilisation = [row[lim_header.index("utilisation")] for row in limits.iter_rows(min_row=2, values_only=True)]
    assert len(utilisation) == len(demo_plan.limits) and all(
        isinstance(u, float | int) and not isinstance(u, bool) for u in utilisation
    )

    assumptions = book["Assumptions"]
    assert assumptions.max_row - 1 == len(demo_plan.assumptions)
    a_header = [c.value for c in assumptions[1]]
    first = [c.value for c in assumptions[2]]
    assert first[a_header.index("source")] == demo_plan.assumptions[0].source
    assert first[a_header.index("confidence")] == demo_plan.assumptions[0].confidence


# --- SVG floor plan -----------------------------------------------------------------------


def test_svg_floor_plan_has_one_rack_rect_per_slot(demo_json, demo_plan, tmp_path, capsys):
    path = tmp_path / "floor.svg"
    code, _, _ = run(capsys, "export", demo_json, "-o", path)
    assert code == 0
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG_NS}svg"
    racks = [el for el in root.iter(f"{SVG_NS}rect") if el.get("class") == "rack"]
    assert len(racks) == len(demo_plan.layout)
    shared = sum(1 for n in Counter(demo_plan.layout.unit).values() if n > 1)
    assert shared > 0  # the demo has Trn3 UltraServers spanning two racks
    groups = [el for el in root.iter(f"{SVG_NS}rect") if el.get("class") == "unit-group"]
    assert len(groups) == shared
    texts = " ".join(el.text or "" for el in root.iter(f"{SVG_NS}text"))
    assert "Legend" in texts and "kW" in texts
    for system in set(demo_plan.layout.system):
        assert system in texts
    assert "http" not in path.read_text().replace("http://www.w3.org/2000/svg", "")


# --- reports ------------------------------------------------------------------------------


def _citations(plan: CapacityPlan) -> set[str]:
    return {url for a in plan.assumptions for url in urls_in(a.source)}


def test_html_report_is_self_contained_with_every_section(demo_json, demo_plan, tmp_path, capsys):
    path = tmp_path / "report.html"
    code, _, _ = run(capsys, "export", demo_json, "--format", "html", "-o", path)
    assert code == 0
    text = path.read_text(encoding="utf-8")
    for _anchor, title in REPORT_SECTIONS:
        assert f"<h2>{title}</h2>" in text, title
    assert text.count("<svg") >= 5  # four charts and the floor plan
    assert text.count('class="rack"') == len(demo_plan.layout)
    for tag in ("<script", "<link", "<img", "<iframe", "@import"):
        assert tag not in text
    assert not re.search(r"\bsrc=", text)
    assert not re.search(r"url\((?!#)", text)
    namespaces = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    links = re.findall(r'href="(https?://[^"]+)"', text)
    assert links, "sources should be cited as links"
    citations = _citations(demo_plan)
    assert set(links) <= citations
    for url in re.findall(r"https?://[^\s\"'<>)]+", text):
        assert url in namespaces or any(url.rstrip(".,;") in c or c in url for c in citations), url


def test_markdown_report_links_chart_files(demo_json, tmp_path, capsys):
    path = tmp_path / "report.md"
    code, out, _ = run(capsys, "export", demo_json, "--format", "md", "-o", path)
    assert code == 0
    text = path.read_text(encoding="utf-8")
    for _anchor, title in REPORT_SECTIONS:
        assert f"\n## {title}\n" in text, title
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert sorted(images) == sorted(f"report-{n}.svg" for n in ("power", "heat", "capex", "compute", "floorplan"))
    for name in images:
        ET.parse(tmp_path / name)  # each is a well-formed SVG
        assert f"wrote {tmp_path / name}" in out


def test_infeasible_plan_exports_with_its_diagnosis(infeasible_plan, tmp_path):
    for ext in ("json", "csv", "xlsx", "md", "html", "svg"):
        written = write_plan(infeasible_plan, tmp_path / f"plan.{ext}")
        assert all(p.exists() for p in written)
    html = (tmp_path / "plan.html").read_text()
    for relax in infeasible_plan.diagnosis.relaxations:
        assert relax.text in html
    assert "Infeasible" in html
    for _anchor, title in REPORT_SECTIONS:
        assert f"<h2>{title}</h2>" in html
    root = ET.parse(tmp_path / "plan.svg").getroot()
    assert not [el for el in root.iter(f"{SVG_NS}rect") if el.get("class") == "rack"]
    assert (tmp_path / "plan.csv").read_text().count("\n") == 1  # header only
    assert "utility power short by" in (tmp_path / "plan.md").read_text()


def test_bom_table_is_the_one_source_of_capex(demo_plan):
    table = bom_table(demo_plan)
    assert sum(v for v in table.column("capex_usd") if v is not None) == pytest.approx(
        demo_plan.costs.capex_total.m_as("USD")
    )


# --- diff ---------------------------------------------------------------------------------


def test_diff_of_a_plan_with_itself_is_empty(demo_json, capsys):
    code, out, err = run(capsys, "diff", demo_json, demo_json, "--json")
    assert code == 0 and not err
    result = json.loads(out)
    assert result["same"] is True
    assert not result["mix"] and not result["power"] and not result["cost"] and not any(result["racks"].values())
    code, out, _ = run(capsys, "diff", demo_json, demo_json)
    assert code == 0 and "no differences" in out


def test_diff_finds_moved_added_and_removed_racks(demo_plan):
    records = demo_plan.layout.records()
    first = records[0]["unit"]
    last = records[-1]["unit"]
    columns = {k: list(v) for k, v in demo_plan.layout.model_dump().items()}
    kept = [i for i, r in enumerate(records) if r["unit"] != last]
    columns = {k: [v[i] for i in kept] for k, v in columns.items()}
    columns["slot"] = [s + 100 if u == first else s for s, u in zip(columns["slot"], columns["unit"], strict=True)]
    columns["unit"].append("gb300-nvl72#99999")
    for key, value in (
        ("hall", "hall-d"),
        ("row", "d-l2a-09"),
        ("slot", 1),
        ("system", "gb300-nvl72"),
        ("cooling", "dlc-l2a"),
        ("feeds", "A+B"),
        ("cdu_loop", ""),
        ("rack_kw", 1.0),
    ):
        columns[key].append(value)
    changed = demo_plan.model_copy(update={"layout": Layout(**columns)})
    result = diff_plans(demo_plan, changed)
    assert not result["same"]
    assert [m["unit"] for m in result["racks"]["moved"]] == [first]
    assert [m["unit"] for m in result["racks"]["added"]] == ["gb300-nvl72#99999"]
    assert [m["unit"] for m in result["racks"]["removed"]] == [last]
    assert result["mix"] == [] and result["cost"] == []


def test_diff_of_a_solution_against_no_solution(demo_plan, infeasible_plan):
    result = diff_plans(demo_plan, infeasible_plan)
    assert not result["same"] and result["feasibility"] == {"a": True, "b": False}
    assert {(m["system"], m["units_b"]) for m in result["mix"]} >= {(m.system, 0) for m in demo_plan.mix}
    capex = next(c for c in result["cost"] if c["figure"] == "capex")
    assert capex["b"] is None and capex["a"] == pytest.approx(demo_plan.costs.capex_total.m_as("USD"))


# --- CLI errors ---------------------------------------------------------------------------


def test_existing_file_is_not_overwritten_without_force(demo_json, tmp_path, capsys):
    path = tmp_path / "plan.svg"
    path.write_text("keep me")
    code, _, err = run(capsys, "export", demo_json, "-o", path)
    assert code == 2 and "already exists; pass --force" in one_error_line(err)
    assert path.read_text() == "keep me"
    code, _, _ = run(capsys, "export", demo_json, "-o", path, "--force")
    assert code == 0 and path.read_text().startswith("<svg")
    # a companion file counts too, and nothing is written
    (tmp_path / "b-rows.csv").write_text("keep me")
    code, _, err = run(capsys, "export", demo_json, "-o", tmp_path / "b.csv")
    assert code == 2 and "b-rows.csv: already exists" in one_error_line(err)
    assert not (tmp_path / "b.csv").exists()
    # the default output of --format json is the plan itself
    code, _, err = run(capsys, "export", demo_json, "--format", "json")
    assert code == 2 and "already exists" in one_error_line(err)


def _plan_variants(demo_json: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    text = demo_json.read_text()
    cases = {
        "not json": ("{ nope", "not a dcplan plan (invalid JSON"),
        "no version": ('{"hello": 1}', "not a dcplan plan (no schema_version)"),
        "corrupt": (text.replace('"scenario_id":', '"scenario_id":7,"x":', 1), "corrupt plan"),
        "newer": (
            text.replace(f'"schema_version":"{SCHEMA_VERSION}"', '"schema_version":"2.0"', 1),
            f"newer than this dcplan's {SCHEMA_VERSION}; upgrade dcplan",
        ),
        "older": (
            text.replace(f'"schema_version":"{SCHEMA_VERSION}"', '"schema_version":"0.3"', 1),
            f"older than this dcplan's {SCHEMA_VERSION}; re-solve",
        ),
    }
    out = {}
    for name, (content, expected) in cases.items():
        path = folder / f"{name.replace(' ', '-')}.json"
        path.write_text(content)
        out[name] = (path, expected)
    out["missing"] = (folder / "missing.json", "plan file does not exist")
    return out


def test_bad_plan_files_give_one_line(demo_json, tmp_path, capsys):
    for name, (path, expected) in _plan_variants(demo_json, tmp_path).items():
        code, _, err = run(capsys, "export", path, "--format", "html", "-o", tmp_path / f"{path.stem}.html")
        assert code == 2, name
        assert expected in one_error_line(err), (name, err)
        code, _, err = run(capsys, "diff", demo_json, path)
        assert code == 2 and expected in one_error_line(err), (name, err)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-o", "{tmp}/no/such/folder/plan.svg"], "does not exist"),
        (["-o", "{tmp}"], "unknown plan format"),
        (["-o", "{tmp}/plan.pdf"], "unknown plan format .pdf"),
        (["-o", "{tmp}/plan.md", "--format", "html"], "does not match --format html"),
        (["--format", "pdf"], "--format: expected one of"),
        ([], "give --format"),
    ],
)
def test_bad_output_gives_one_line(demo_json, tmp_path, capsys, args, expected):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = run(capsys, "export", demo_json, *args)
    assert code == 2 and expected in one_error_line(err)


def test_output_folder_is_a_file_or_a_folder(demo_json, tmp_path, capsys):
    (tmp_path / "file").write_text("")
    code, _, err = run(capsys, "export", demo_json, "-o", tmp_path / "file" / "plan.svg")
    assert code == 2 and "does not exist" in one_error_line(err)
    (tmp_path / "folder.svg").mkdir()
    code, _, err = run(capsys, "export", demo_json, "-o", tmp_path / "folder.svg", "--force")
    assert code == 2 and "is a folder" in one_error_line(err)


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path):
    from dcplan.models.errors import DcplanError

    path = tmp_path / "plan.html"
    path.write_text("old")

    def fail(tmp: Path) -> None:
        tmp.write_text("partial")
        raise OSError(28, "No space left on device")

    with pytest.raises(DcplanError, match="cannot write: no space left on device"):
        write_atomic(path, fail, force=True)
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.html"]


def test_solve_picks_the_format_from_the_extension(tmp_path, capsys):
    path = tmp_path / "demo.csv"
    code, out, _ = run(capsys, "solve", DEMO_SCENARIO, "-o", path, "--no-marginals", "--time-limit", "30s")
    assert code == 0
    assert path.exists() and (tmp_path / "demo-rows.csv").exists()
    assert f"plan written to {tmp_path / 'demo-rows.csv'}" in out


def test_format_from_suffix_names_the_format_or_lists_the_choices():
    formats = {".json": "json", ".csv": "csv", ".htm": "html", ".html": "html"}
    assert format_from_suffix(Path("out/Plan.HTM"), formats, "sweep") == "html"
    assert format_from_suffix(Path("a.b.csv"), formats, "sweep") == "csv"
    with pytest.raises(OutputFileError) as unknown:
        format_from_suffix(Path("out/plan.pdf"), formats, "sweep")
    assert str(unknown.value) == "out/plan.pdf: unknown sweep format .pdf; use one of .csv, .htm, .html, .json"
    with pytest.raises(OutputFileError) as bare:
        format_from_suffix(Path("plan"), formats, "plan")
    assert str(bare.value) == "plan: unknown plan format (none); use one of .csv, .htm, .html, .json"
    # the plan exports go through it: every FORMATS extension, and the same one-line error
    assert {suffix: format_for(Path(f"p{suffix.upper()}")) for suffix in FORMATS} == FORMATS
    with pytest.raises(OutputFileError, match=r"^p\.txt: unknown plan format \.txt; use one of \.csv, "):
        format_for(Path("p.txt"))


def test_report_modules_import_light():
    code = (
        "import sys, json; import dcplan.planner.report.tables, dcplan.planner.report.charts, "
        "dcplan.planner.report.floorplan, dcplan.planner.report.xlsx, dcplan.planner.report.html, "
        "dcplan.planner.report.markdown, dcplan.planner.report.diff, dcplan.planner.export, "
        "dcplan.planner.cli.export_cmd; print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = json.loads(out.stdout.strip().splitlines()[-1])
    top = {m.split(".")[0] for m in modules}
    assert not top & {"matplotlib", "openpyxl", "textual"}
    assert not [m for m in modules if m.startswith("dcplan.tui")]


# --- one style for numbers and units (defect 16) -----------------------------------------

BAD_UNIT = re.compile(r"\*\*\s*\d|\^\d|\b(?:m|ft)[23]\b|kg/m2|\bdegC\b")
BAD_NUMBER = re.compile(r"\d[eE][+-]?\d|\d\.\d*0(?!\d)")
SOLVER_JARGON = re.compile(r"convergenceCriteriaSatisfied|maxTimeLimit|provenInfeasible|TerminationCondition")


class _VisibleText(HTMLParser):
    """Text a reader sees, without CSS, tooltips and the verbatim source citations."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.skipping = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        skip = tag in ("style", "title") or "source" in (dict(attrs).get("class") or "").split()
        self.stack.append(skip)
        self.skipping += skip

    def handle_endtag(self, tag):
        if self.stack:
            self.skipping -= self.stack.pop()

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(data.strip())


def _style_problems(texts: list[str], version: str) -> list[str]:
    # a version is not a quantity: the plan schema version ("1.0") stays as written
    texts = [re.sub(r"(schema(?: version)?\W*)\d+\.\d+", r"\1", t) for t in texts if t != version]
    return [t for t in texts if BAD_UNIT.search(t) or BAD_NUMBER.search(t) or SOLVER_JARGON.search(t)]


def _markdown_texts(text: str) -> list[str]:
    """Lines of the Markdown report, the source column of the assumptions table left out."""
    out, source_at = [], None
    for line in text.splitlines():
        cells = re.split(r"(?<!\\)\|", line)
        if line.startswith("| kind | id | field |"):
            source_at = [c.strip() for c in cells].index("source")
        if source_at is not None and line.startswith("|") and len(cells) > source_at:
            cells[source_at] = ""
            line = "|".join(cells)
        elif not line.startswith("|"):
            source_at = None if line.startswith("#") else source_at
        out.append(line)
    return out


def test_reports_write_units_and_numbers_one_way(demo_json, demo_plan, catalog, tmp_path, capsys):
    from dcplan.models.sizing import SizingOptions, SizingRequest, size
    from dcplan.planner.report.text import (
        binding_rows,
        equipment_rows,
        hall_rows,
        mix_rows,
        mix_title,
        plan_money_energy_lines,
        sizing_rows,
    )

    assert run(capsys, "export", demo_json, "-o", tmp_path / "r.md")[0] == 0
    assert run(capsys, "export", demo_json, "-o", tmp_path / "r.html")[0] == 0
    html = _VisibleText()
    html.feed((tmp_path / "r.html").read_text(encoding="utf-8"))
    md = _markdown_texts((tmp_path / "r.md").read_text(encoding="utf-8"))
    result = size(
        catalog, SizingRequest(system="gb300-nvl72", cooling="dlc-cdu", site="ashburn-va", count=100), SizingOptions()
    )
    cli = [mix_title(demo_plan), *plan_money_energy_lines(demo_plan)]
    for rows in (
        mix_rows(demo_plan),
        hall_rows(demo_plan),
        binding_rows(demo_plan),
        sizing_rows(result),
        equipment_rows(result),
    ):
        cli += [" | ".join(row) for row in rows]
    for name, texts in (("html", html.texts), ("markdown", md), ("cli", cli)):
        assert texts, name
        assert _style_problems(texts, demo_plan.schema_version) == [], name
    joined = " ".join(html.texts + md + cli)
    for unit in ("m³/s", "kg/m²", "m²", "m³"):
        assert unit in joined, unit  # the units are there, in the one style


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1812.24, "1,812"),
        (150000.0, "150,000"),
        (1.5e5, "150,000"),
        (12.3456, "12.35"),
        (0.5, "0.5"),
        (2.0, "2"),
        (0.00012346, "0.0001235"),
        (-0.25, "-0.25"),
        (1e300, f"{round(1e300):,}"),
        (0.0, "0"),
        (7, "7"),
        (None, "-"),
        (float("nan"), "n/a"),
    ],
)
def test_number_format(value, text):
    from dcplan.planner.report.quantity import number

    assert number(value) == text


def test_units_termination_and_quantities_read_plainly():
    from dcplan.models.units import Q_
    from dcplan.planner.report.quantity import percent, quantity, termination_text, unit_text

    assert [unit_text(u) for u in ("m**3/s", "kg/m**2", "kg/m2", "m3", "m^2", "degC", "USD/yr", "kW")] == [
        "m³/s",
        "kg/m²",
        "kg/m²",
        "m³",
        "m²",
        "°C",
        "USD/yr",
        "kW",
    ]
    assert quantity(Q_(98.0212, "m**3/s"), "m**3/s") == "98.02 m³/s"
    assert quantity(Q_(1.5e5, "PFLOPS"), "PFLOPS") == "150,000 PFLOPS"
    assert percent(1.0) == "100%" and percent(0.8734) == "87.3%" and percent(0.00075) == "0.075%"
    assert termination_text("convergenceCriteriaSatisfied") == "solved to the gap target"
    assert termination_text("maxTimeLimit") == "stopped at the time limit"
    assert termination_text("someNewCondition") == "some new condition"


# --- user text is escaped (defect 30, Markdown) -----------------------------------------

HOSTILE = '<script>alert("x")</script> *bold* [link](http://evil.example) | cell `code` <img src=x onerror=1>'


def test_markdown_and_html_escape_user_text(demo_plan, tmp_path):
    plan = demo_plan.model_copy(update={"scenario_name": HOSTILE, "scenario_id": "id-<b>-|-`x`"})
    write_plan(plan, tmp_path / "r.md")
    write_plan(plan, tmp_path / "r.html")
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    for text in (md, html):
        assert "<script" not in text and "<img" not in text and "<b>" not in text
    title = md.splitlines()[0]
    assert title.startswith("# Capacity plan: &lt;script&gt;")
    assert r"\*bold\*" in title and r"\[link\]" in title and r"\|" in title and r"\`code\`" in title
    assert "&lt;script&gt;alert" in html
    for svg in tmp_path.glob("r-*.svg"):
        assert "<script" not in svg.read_text(encoding="utf-8")


def test_markdown_links_odd_file_names(demo_plan, tmp_path):
    path = tmp_path / "my plan (v2).md"
    write_plan(demo_plan, path)
    text = path.read_text(encoding="utf-8")
    targets = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert "my%20plan%20%28v2%29-floorplan.svg" in targets
    from urllib.parse import unquote

    assert all((tmp_path / unquote(t)).exists() for t in targets)


# --- plan files are read safely ------------------------------------------------------------


def test_plan_files_that_must_not_be_opened_give_one_line(demo_json, tmp_path, capsys):
    import os

    fifo = tmp_path / "plan.json"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.json"
    folder.mkdir()
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00{}")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    for path, expected in (
        (fifo, "FIFO"),
        (folder, "is a folder"),
        (binary, "not UTF-8"),
        (deep, "not a dcplan plan"),
    ):
        code, _, err = run(capsys, "export", path, "-o", tmp_path / "out.html")
        assert code == 2 and expected in one_error_line(err), (path, err)
        code, _, err = run(capsys, "diff", demo_json, path)
        assert code == 2 and expected in one_error_line(err), (path, err)


def test_xlsx_shows_numbers_in_the_same_style(demo_json, tmp_path, capsys):
    """Cells keep full precision; their display format shows ~4 significant figures, no padding zeros."""
    from openpyxl import load_workbook

    path = tmp_path / "plan.xlsx"
    assert run(capsys, "export", demo_json, "-o", path)[0] == 0
    version = load_plan(demo_json).schema_version  # a version, not a quantity
    shown = []
    for sheet in load_workbook(path):
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                value, fmt = cell.value, cell.number_format
                if isinstance(value, float) and (match := re.fullmatch(r"#,##0(?:\.(0+))?", fmt)):
                    shown.append(f"{value:,.{len(match.group(1) or '')}f}")
                elif isinstance(value, str) and sheet.title != "Assumptions" and value != version:
                    shown.append(value)
    assert len(shown) > 100
    assert [t for t in shown if BAD_NUMBER.search(t) or BAD_UNIT.search(t)] == []


def test_broken_limit_lines_use_the_one_unit_style(capsys):
    """Defect 16: the `dcplan size` limit lines came from models/ text as 'kg/m2' beside
    'kg/m²' in the rows above them."""
    code, out, _ = run(capsys, "size", "--system", "trn3-ultraserver-gen2", "--count", "50")
    assert code == 0 and "LIMIT BROKEN" in out
    assert "kg/m²" in out and "kg/m2" not in out and "m**" not in out
