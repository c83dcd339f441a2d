"""Per-workload results (CapacityPlan.workloads) in every output: solve text, Markdown, HTML,
XLSX, CSV, diff and the plan JSON schema, from plans whose workloads are written by hand
(tests/planner/workload_plans.py), including null figures and plans without workloads."""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dcplan.models.catalog import BUILTIN_DIR
from dcplan.planner.cli import main
from dcplan.planner.export import output_paths, write_plan
from dcplan.planner.plan import load_plan
from dcplan.planner.report.diff import diff_plans, workload_diff_text
from dcplan.planner.report.quantity import number
from dcplan.planner.report.workloads import (
    NO_WORKLOADS,
    placement_rows,
    placements_table,
    runs_on,
    workload_rows,
    workloads_table,
    workloads_text,
)
from tests.planner.workload_plans import hand_plan, hand_workloads

BAD_NUMBER = re.compile(r"\d[eE][+-]?\d|\d\.\d*0(?!\d)")
HOSTILE = "<script>x</script>|*b*[l](u)`c`[b]"


@pytest.fixture(scope="module")
def plan():
    return hand_plan()


@pytest.fixture(scope="module")
def old_plan():
    return hand_plan(workloads=[])


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


# --- the one source ----------------------------------------------------------------------


def test_workloads_table_carries_every_figure_of_the_plan(plan):
    table = workloads_table(plan)
    records = table.records()
    assert [r["workload"] for r in records] == [w.workload for w in plan.workloads]
    for record, w in zip(records, plan.workloads, strict=True):
        for key in ("delivered_pflops", "peak_pflops", "chips", "tokens_per_s", "time_to_train_days", "cost_per_unit"):
            assert record[key] == getattr(w, key), key
        assert record["cost_unit"] == w.cost_unit and record["per_mw_unit"] == w.per_mw_unit
        assert record["limited_by"] == "; ".join(w.limited_by)
    peak = records[2]
    assert peak["workload_class"] == "peak"
    assert [peak[k] for k in ("tokens_per_s", "time_to_train_days", "cost_per_unit", "per_mw", "demand_pflops")] == [
        None
    ] * 5


def test_runs_on_gives_each_system_its_share_of_delivered_compute(plan):
    pretrain = plan.workloads[0]
    text = runs_on(pretrain)
    first, second = text.split("; ")
    shares = [p.delivered_pflops / pretrain.delivered_pflops for p in pretrain.placements]
    assert first.startswith("gb300-nvl72 at phoenix-az (fp8, ") and f"{number(shares[0] * 100, 3)}%" in first
    assert second.startswith("trn3-ultraserver-gen2 at cloud:euw1-trn3 (fp8, ")
    assert f"{number(shares[1] * 100, 3)}%" in second
    assert runs_on(plan.workloads[1]) == "gb300-nvl72 at portland-or (fp4)"  # one placement: no share


def test_runs_on_sums_placements_of_one_system_and_falls_back_to_peak(plan):
    w = plan.workloads[1]
    half = w.placements[0].model_copy(update={"supply": "other-row/gb300-nvl72/dlc-cdu"})
    two = w.model_copy(update={"placements": [w.placements[0], half]})
    assert runs_on(two) == "gb300-nvl72 at portland-or (fp4)"
    idle = [p.model_copy(update={"delivered_pflops": 0.0}) for p in plan.workloads[0].placements]
    shares = re.findall(r"(\d+(?:\.\d+)?)%", runs_on(plan.workloads[0].model_copy(update={"placements": idle})))
    peaks = [p.peak_pflops for p in idle]
    assert float(shares[0]) == pytest.approx(100 * peaks[0] / sum(peaks), rel=1e-3)
    assert runs_on(w.model_copy(update={"placements": []})) == ""


def test_display_rows_show_nulls_as_dashes_and_a_shared_unit_in_the_header(plan):
    headers, rows = workload_rows(plan)
    assert len(rows) == 3 and all(len(r) == len(headers) for r in rows)
    at = {h: i for i, h in enumerate(headers)}
    pretrain, serve, peak = rows
    cost, per_mw = "cost per delivered unit [USD per million tokens]", "per MW [tokens/s per MW]"
    assert pretrain[at[cost]] == "0.8512" and serve[at[cost]] == "0.1234"
    assert pretrain[at[per_mw]] == number(plan.workloads[0].per_mw)
    assert pretrain[at["time to train [days]"]] == number(plan.workloads[0].time_to_train_days)
    assert serve[at["time to train [days]"]] == "-"
    assert serve[at["limited by"]] == "-"
    for name in ("rate [tokens/s]", "time to train [days]", cost, per_mw, "required [PFLOPS]"):
        assert peak[at[name]] == "-", name
    assert peak[at["delivered [PFLOPS]"]] == "3,600"
    nowhere = plan.model_copy(update={"workloads": [plan.workloads[2].model_copy(update={"placements": []})]})
    assert workload_rows(nowhere)[1][0][at["runs on"]] == "nowhere (no placement)"


def test_display_rows_keep_each_unit_beside_its_value_when_workloads_differ(plan):
    mixed = [plan.workloads[0], plan.workloads[1].model_copy(update={"cost_unit": "USD per PFLOP-day"})]
    headers, rows = workload_rows(plan.model_copy(update={"workloads": mixed}))
    at = {h: i for i, h in enumerate(headers)}
    assert [r[at["cost per delivered unit"]] for r in rows] == [
        "0.8512 USD per million tokens",
        "0.1234 USD per PFLOP-day",
    ]
    assert "per MW [tokens/s per MW]" in at  # the per-MW unit is still shared
    nothing = [plan.workloads[2]]  # no workload has a cost: no unit to show
    assert "cost per delivered unit" in workload_rows(plan.model_copy(update={"workloads": nothing}))[0]


def test_placement_rows_follow_the_delivered_rule(plan):
    table = placements_table(plan)
    records = table.records()
    assert len(records) == sum(len(w.placements) for w in plan.workloads)
    for r in records:
        expected = r["peak_pflops"] * r["efficiency"] * r["goodput"] * (1 - r["haircut"])
        assert r["delivered_pflops"] == pytest.approx(expected)
    trn3 = next(r for r in records if r["system"] == "trn3-ultraserver-gen2")
    assert (trn3["workload"], trn3["haircut"], trn3["precision"]) == ("llama-70b", 0.25, "fp8")
    headers, rows = placement_rows(plan)
    row = rows[[r["system"] for r in records].index("trn3-ultraserver-gen2")]
    assert [row[headers.index(h)] for h in ("sustained efficiency", "goodput", "claim haircut")] == [
        "25%",
        "95%",
        "25%",
    ]


def test_a_plan_without_workloads_gives_empty_tables(old_plan):
    assert workloads_table(old_plan).rows == [] and placements_table(old_plan).rows == []
    headers, rows = workload_rows(old_plan)
    assert headers and rows == []
    assert workloads_text(old_plan) == ""


# --- dcplan solve text ---------------------------------------------------------------------


def test_solve_text_shows_the_workload_table_after_the_mix(plan, old_plan, capsys):
    from dcplan.planner.cli.solve_cmd import render_plan

    render_plan(plan)
    out = capsys.readouterr().out
    assert out.index("Workloads (sustained delivered compute)") < out.index("Halls")
    assert out.index("Mix:") < out.index("Workloads")
    table = out[out.index("Workloads (") : out.index("Halls")]
    lines = table.splitlines()
    labels, units = lines[1], lines[2]  # label over unit
    for label, unit in (("delivered", "[PFLOPS]"), ("rate", "[tokens/s]"), ("time to train", "[days]")):
        # a figure's column is right-aligned: its label and unit end in the same place
        end = labels.index(label) + len(label)
        assert units[end - len(unit) : end] == unit, label
    assert "[USD per million tokens]" in units and "[tokens/s per MW]" in units
    peak_line = next(line for line in lines if line.startswith("legacy-peak "))
    assert peak_line.split()[2:4] == ["-", "3,600"]  # required (null), delivered
    assert "llama-70b: runs on gb300-nvl72 at phoenix-az (fp8, " in table
    assert "  limited by hall phx-a IT power cap; cloud quota euw1-trn3 (20 units)" in table
    assert "chat-serving: runs on gb300-nvl72 at portland-or (fp4)" in table
    assert not BAD_NUMBER.search(table)
    rule = lines[3]
    assert set(rule) == {"-", " "} and len(rule) == max(len(line) for line in (*lines[1:3], *lines[4:7]))
    render_plan(old_plan)
    assert "Workloads" not in capsys.readouterr().out


def test_solve_text_keeps_hostile_ids_as_text(plan, capsys):
    from dcplan.planner.cli.solve_cmd import render_plan

    hostile = [w.model_copy(update={"workload": HOSTILE}) for w in plan.workloads[:1]]
    render_plan(plan.model_copy(update={"workloads": hostile}))
    assert HOSTILE in capsys.readouterr().out


# --- Markdown and HTML ----------------------------------------------------------------------


class _Tables(HTMLParser):
    """The cells of every <table> of an HTML page, and the headings."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.headings: list[str] = []
        self.items: list[str] = []
        self._cell: list[str] | None = None
        self._item: list[str] | None = None
        self._heading = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("h2", "h3"):
            self._heading = True
            self.headings.append("")
        elif tag == "li":
            self._item = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag in ("h2", "h3"):
            self._heading = False
        elif tag == "li" and self._item is not None:
            self.items.append("".join(self._item).strip())
            self._item = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._heading:
            self.headings[-1] += data
        if self._item is not None:
            self._item.append(data)


def _html_table(page: _Tables, first_header: str, second_header: str) -> list[list[str]]:
    return next(t for t in page.tables if t and t[0][:2] == [first_header, second_header])


def test_html_report_has_the_workloads_section_with_its_figures(plan, tmp_path):
    from dcplan.planner.report.document import REPORT_SECTIONS

    write_plan(plan, tmp_path / "r.html")
    page = _Tables()
    page.feed((tmp_path / "r.html").read_text(encoding="utf-8"))
    titles = [title for _, title in REPORT_SECTIONS]
    assert titles.index("Workloads") == titles.index("Mix") + 1
    assert page.headings.index("Workloads") == page.headings.index("Mix") + 1
    assert "Where each workload runs" in page.headings
    table = _html_table(page, "workload", "class")
    header, rows = table[0], table[1:]
    assert [r[0] for r in rows] == ["llama-70b", "chat-serving", "legacy-peak"]
    assert "limited by" not in header  # too wide for the printed page: a list under the table
    assert "ported to" not in header  # likewise (a list under the table when any workload is ported)
    assert rows == workloads_table(plan).select(*[c.key for c in workloads_table(plan).columns][:-2]).formatted()
    assert "What limits each workload" in page.headings
    assert "llama-70b: hall phx-a IT power cap; cloud quota euw1-trn3 (20 units)" in page.items
    assert rows[2][header.index("rate [tokens/s]")] == ""  # a null is a blank cell
    placements = _html_table(page, "workload", "supply")
    assert len(placements) - 1 == 4
    shown = [c.key for c in placements_table(plan).columns if c.key not in ("ported", "porting_factor")]
    assert placements[1:] == placements_table(plan).select(*shown).formatted()


def test_markdown_report_has_the_workloads_tables(plan, old_plan, tmp_path):
    write_plan(plan, tmp_path / "r.md")
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    section = text[text.index("\n## Workloads\n") : text.index("\n## Halls\n")]
    assert "### Where each workload runs" in section and "### What limits each workload" in section
    assert "- llama-70b: hall phx-a IT power cap; cloud quota euw1-trn3 (20 units)" in section
    assert "| llama-70b | dense-pretraining | budget |" in section
    assert "| 0.8512 | USD per million tokens |" in section
    assert "| legacy-peak | peak | peak | gb300-nvl72 at portland-or (fp8) |  | 3,600 | 3,600 | 720 |" in section
    assert not BAD_NUMBER.search(section)
    write_plan(old_plan, tmp_path / "old.md")
    old = (tmp_path / "old.md").read_text(encoding="utf-8")
    section = old[old.index("\n## Workloads\n") : old.index("\n## Halls\n")]
    assert NO_WORKLOADS in section and "|" not in section


def test_reports_escape_hostile_workload_ids(plan, tmp_path):
    hostile = [w.model_copy(update={"workload": HOSTILE, "limited_by": [HOSTILE]}) for w in plan.workloads]
    bad = plan.model_copy(update={"workloads": hostile})
    write_plan(bad, tmp_path / "r.md")
    write_plan(bad, tmp_path / "r.html")
    for name in ("r.md", "r.html"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "<script" not in text, name
        assert "&lt;script&gt;x&lt;/script&gt;" in text, name
    assert r"\|\*b\*\[l\](u)\`c\`\[b\]" in (tmp_path / "r.md").read_text(encoding="utf-8")


def test_html_of_a_plan_without_workloads_says_so(old_plan, tmp_path):
    write_plan(old_plan, tmp_path / "r.html")
    page = _Tables()
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    page.feed(text)
    assert "Workloads" in page.headings and "Where each workload runs" not in page.headings
    assert NO_WORKLOADS in text
    assert not [t for t in page.tables if t and t[0][:2] == ["workload", "class"]]


# --- XLSX and CSV ---------------------------------------------------------------------------


def test_xlsx_has_workload_sheets_with_numbers_and_blank_nulls(plan, old_plan, tmp_path):
    from openpyxl import load_workbook

    from dcplan.planner.report.xlsx import SHEETS

    write_plan(plan, tmp_path / "p.xlsx")
    book = load_workbook(tmp_path / "p.xlsx")
    assert book.sheetnames[: len(SHEETS)] == list(SHEETS)
    sheet = book["Workloads"]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["llama-70b", "chat-serving", "legacy-peak"]
    delivered = header.index("delivered [PFLOPS]")
    assert [r[delivered] for r in rows] == pytest.approx([w.delivered_pflops for w in plan.workloads])
    assert rows[0][header.index("time to train [days]")] == pytest.approx(plan.workloads[0].time_to_train_days)
    assert rows[2][header.index("rate [tokens/s]")] is None
    assert rows[0][header.index("per MW unit")] == "tokens/s per MW"
    placements = book["Workload placements"]
    p_header = [c.value for c in placements[1]]
    p_rows = list(placements.iter_rows(min_row=2, values_only=True))
    assert len(p_rows) == 4
    assert sorted(r[p_header.index("claim haircut")] for r in p_rows) == [0, 0, 0, 0.25]
    assert placements.cell(row=2, column=p_header.index("goodput") + 1).number_format == "0.0%"
    write_plan(old_plan, tmp_path / "old.xlsx")
    old = load_workbook(tmp_path / "old.xlsx")
    assert old["Workloads"].max_row == 1 and old["Workload placements"].max_row == 1  # headers only


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_csv_export_writes_workloads_and_placements_files(plan, old_plan, tmp_path, capsys):
    path = tmp_path / "plan.csv"
    written = write_plan(plan, path)
    names = [p.name for p in written]
    assert names == ["plan.csv", "plan-rows.csv", "plan-workloads.csv", "plan-workload-placements.csv"]
    assert [p.name for p in output_paths(path)] == names
    rows = _csv(tmp_path / "plan-workloads.csv")
    assert [r["workload"] for r in rows] == ["llama-70b", "chat-serving", "legacy-peak"]
    assert float(rows[0]["delivered_pflops"]) == plan.workloads[0].delivered_pflops  # full precision
    assert float(rows[0]["tokens_per_s"]) == plan.workloads[0].tokens_per_s
    assert rows[2]["tokens_per_s"] == "" and rows[2]["cost_unit"] == ""
    assert rows[0]["limited_by"] == "hall phx-a IT power cap; cloud quota euw1-trn3 (20 units)"
    placements = _csv(tmp_path / "plan-workload-placements.csv")
    assert {p["workload"] for p in placements} == {w.workload for w in plan.workloads}
    assert sum(float(p["delivered_pflops"]) for p in placements) == pytest.approx(
        sum(w.delivered_pflops for w in plan.workloads)
    )
    old = tmp_path / "old.csv"
    write_plan(old_plan, old)
    for name in ("old-workloads.csv", "old-workload-placements.csv"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert text.count("\n") == 1 and text.startswith("workload,")  # header only


def test_csv_export_refuses_when_a_workload_file_exists(plan, tmp_path, capsys):
    plan_json = tmp_path / "p.json"
    write_plan(plan, plan_json)
    (tmp_path / "p-workloads.csv").write_text("mine\n")
    code, _, err = run(capsys, "export", plan_json, "-o", tmp_path / "p.csv")
    assert code == 2 and "p-workloads.csv: already exists" in err
    assert not (tmp_path / "p.csv").exists() and (tmp_path / "p-workloads.csv").read_text() == "mine\n"


# --- plan JSON and its schema ---------------------------------------------------------------


def test_plan_with_workloads_round_trips_and_validates_against_the_schema(plan, tmp_path):
    import jsonschema

    path = tmp_path / "p.json"
    write_plan(plan, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads((BUILTIN_DIR / "plan.schema.json").read_text()))
    assert data["workloads"][2]["tokens_per_s"] is None
    assert load_plan(path).workloads == plan.workloads
    broken = json.loads(path.read_text(encoding="utf-8"))
    broken["workloads"][0]["delivered_pflops"] = "lots"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, json.loads((BUILTIN_DIR / "plan.schema.json").read_text()))


# --- diff -----------------------------------------------------------------------------------


def _changed(plan):
    workloads = hand_workloads()
    faster = workloads[0].model_copy(
        update={"delivered_pflops": workloads[0].delivered_pflops * 1.25, "time_to_train_days": 5.5}
    )
    serve = workloads[1].model_copy(update={"cost_unit": "USD per PFLOP-day", "cost_per_unit": 3.0})
    return plan.model_copy(update={"workloads": [faster, serve]})


def test_diff_lists_delivered_and_time_to_train_changes_per_workload(plan):
    b = _changed(plan)
    result = diff_plans(plan, b)
    assert not result["same"]
    lines = {(c["workload"], c["figure"]): c for c in result["workloads"]}
    delivered = lines[("llama-70b", "delivered compute")]
    assert delivered["delta"] == pytest.approx(plan.workloads[0].delivered_pflops * 0.25)
    assert delivered["delta_ratio"] == pytest.approx(0.25) and delivered["unit"] == "PFLOPS"
    ttt = lines[("llama-70b", "time to train")]
    assert ttt["b"] == 5.5 and ttt["delta"] == pytest.approx(5.5 - plan.workloads[0].time_to_train_days)
    cost = lines[("chat-serving", "cost per delivered unit")]
    assert cost["delta"] is None and cost["unit"] == "USD per million tokens -> USD per PFLOP-day"
    gone = lines[("legacy-peak", "delivered compute")]
    assert (gone["a"], gone["b"], gone["delta"]) == (3600.0, None, None)
    assert ("legacy-peak", "token rate") not in lines  # null in both plans: no change
    assert ("chat-serving", "delivered compute") not in lines


def test_diff_of_workloads_with_themselves_and_against_an_old_plan(plan, old_plan):
    assert diff_plans(plan, plan)["same"] is True and diff_plans(plan, plan)["workloads"] == []
    assert diff_plans(old_plan, old_plan)["same"] is True
    added = diff_plans(old_plan, plan)
    assert not added["same"] and {c["workload"] for c in added["workloads"]} == {w.workload for w in plan.workloads}
    assert all(c["a"] is None for c in added["workloads"])


def test_diff_cli_prints_the_workload_changes(plan, tmp_path, capsys):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_plan(plan, a)
    write_plan(_changed(plan), b)
    code, out, err = run(capsys, "diff", a, b)
    assert code == 0 and not err
    table = out[out.index("Workloads\n") :]
    line = next(x for x in table.splitlines() if x.startswith("llama-70b") and "time to train" in x)
    assert line.split()[-4:] == [number(plan.workloads[0].time_to_train_days), "5.5", *line.split()[-2:]]
    assert "-" + number(plan.workloads[0].time_to_train_days - 5.5) in line
    assert workload_diff_text(diff_plans(plan, _changed(plan))) in out
    code, out, _ = run(capsys, "diff", "--json", a, b)
    assert code == 0 and json.loads(out)["workloads"] == diff_plans(plan, _changed(plan))["workloads"]
    code, out, _ = run(capsys, "diff", a, a)
    assert "no differences" in out and "Workloads" not in out


def test_summary_figures_add_the_delivered_total_only_with_workloads(plan, old_plan, tmp_path):
    from openpyxl import load_workbook

    from dcplan.planner.report.figures import summary_figures

    delivered = [f for f in summary_figures(plan) if f.label == "delivered compute (workloads)"]
    assert [(f.value, f.unit) for f in delivered] == [(sum(w.delivered_pflops for w in plan.workloads), "PFLOPS")]
    assert not [f for f in summary_figures(old_plan) if "delivered" in f.label]
    write_plan(plan, tmp_path / "p.xlsx")
    summary = {r[1]: r[2] for r in load_workbook(tmp_path / "p.xlsx")["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["delivered compute (workloads)"] == pytest.approx(delivered[0].value)


def test_non_finite_figures_are_written_by_every_export(plan, tmp_path):
    """A time to train with nothing delivered is infinite; a cost of no work is NaN: every format
    still writes, the text shows ∞ and n/a, the workbook holds no 'inf' a spreadsheet would refuse."""
    from openpyxl import load_workbook

    stuck = plan.workloads[0].model_copy(
        update={"time_to_train_days": float("inf"), "cost_per_unit": float("nan"), "tokens_per_s": 0.0}
    )
    bad = plan.model_copy(update={"workloads": [stuck, *plan.workloads[1:]]})
    for ext in ("json", "csv", "xlsx", "md", "html"):
        assert all(p.exists() for p in write_plan(bad, tmp_path / f"p.{ext}")), ext
    line = next(x for x in workloads_text(bad).splitlines() if x.startswith("llama-70b "))
    assert "∞" in line and "n/a" in line
    rows = list(load_workbook(tmp_path / "p.xlsx")["Workloads"].iter_rows(values_only=True))
    header, first = rows[0], rows[1]
    assert first[header.index("time to train [days]")] == "∞"
    assert first[header.index("cost per delivered unit")] == "n/a"
    assert load_plan(tmp_path / "p.json").workloads[0].time_to_train_days == float("inf")
