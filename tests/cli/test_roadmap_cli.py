"""`dcplan export` and `dcplan diff` of roadmap plans, and bad input around them.

The roadmap plan is assembled from single-period solves (tests/planner/roadmap_fakes.py):
2026Q1 20 beta units, 2026Q2 40, 2026Q3 20 (the first 20 retired at the end of a
half-year life).
"""

from __future__ import annotations

import csv
import json
import random
import re

import pytest

from dcplan.planner.cli import main
from dcplan.planner.export import write_plan
from dcplan.planner.plan import PlanFileError, load_plan
from dcplan.planner.roadmap_pipeline import assemble_roadmap
from dcplan.planner.roadmap_plan import RoadmapPlan, load_any_plan
from tests.planner.roadmap_fakes import roadmap


@pytest.fixture(scope="module")
def plans(ideal_catalog):
    inputs, outcome = roadmap(ideal_catalog, [2, 4, 2], it_life_years=0.5)
    shrink = assemble_roadmap(ideal_catalog, inputs, outcome)
    inputs, outcome = roadmap(ideal_catalog, [2, 4, 4], it_life_years=2.0)
    grow = assemble_roadmap(ideal_catalog, inputs, outcome)
    return shrink, grow


@pytest.fixture
def files(plans, tmp_path):
    shrink, grow = plans
    paths = {"a": tmp_path / "a.json", "b": tmp_path / "b.json", "single": tmp_path / "single.json"}
    paths["a"].write_text(shrink.to_json_text())
    paths["b"].write_text(grow.to_json_text(pretty=True))
    write_plan(shrink.periods[0].plan, paths["single"])
    return paths


def _one_error_line(capsys) -> str:
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and out == ""
    return lines[0]


def test_load_any_plan_reads_both_kinds(files, plans):
    assert load_any_plan(files["a"]) == plans[0]
    assert load_any_plan(files["single"]) == plans[0].periods[0].plan
    assert load_plan(files["a"]) == plans[0] and load_plan(files["single"]) == plans[0].periods[0].plan
    data = json.loads(files["single"].read_text())
    files["single"].write_text(json.dumps({**data, "kind": "single"}))
    assert load_plan(files["single"]) == plans[0].periods[0].plan


def test_unknown_kind_and_corrupt_roadmap_are_one_line(files, tmp_path):
    data = json.loads(files["a"].read_text())
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**data, "kind": "weekly"}))
    with pytest.raises(PlanFileError, match="unknown kind 'weekly'"):
        load_any_plan(bad)
    bad.write_text(json.dumps({**data, "schema_version": "9.0"}))
    with pytest.raises(PlanFileError, match=r"newer than this dcplan's 1\.0"):
        load_any_plan(bad)
    del data["timeline"]
    bad.write_text(json.dumps(data))
    with pytest.raises(PlanFileError, match="corrupt plan: timeline"):
        load_any_plan(bad)


def test_fuzzed_roadmap_files_never_crash(files, tmp_path):
    """Seeded random damage to a roadmap plan: either it loads, or one PlanFileError line."""
    text = files["a"].read_text()
    rng = random.Random(14)
    bad = tmp_path / "fuzz.json"
    for _ in range(60):
        chars = list(text)
        for _ in range(rng.randint(1, 5)):
            i = rng.randrange(len(chars))
            chars[i] = rng.choice('{}[]",:0x-eé\x00 ')
        cut = rng.choice([len(chars), rng.randrange(len(chars))])
        bad.write_text("".join(chars[:cut]), encoding="utf-8")
        try:
            plan = load_any_plan(bad)
        except PlanFileError as exc:
            assert len(str(exc).splitlines()) == 1
        else:
            assert plan is not None


def test_diff_two_periods_of_one_plan(files, capsys):
    """2026Q1 -> 2026Q2: the 20 units of r1-01 stay where they are, 20 are added in r1-02."""
    assert main(["diff", str(files["a"]), "--period", "2026Q1", "--against", "2026Q2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [(m["units_a"], m["units_b"]) for m in result["mix"]] == [(20, 40)]
    racks = result["racks"]
    assert racks["moved"] == [] and racks["removed"] == []
    assert {item["at"].split("/")[1] for item in racks["added"]} == {"r1-02"}
    assert main(["diff", str(files["a"]), "--period", "2026Q2", "--against", "2026Q3"]) == 0
    out = capsys.readouterr().out
    assert "2026Q2" in out and "2026Q3" in out and "removed" in out


def test_diff_two_roadmaps_period_by_period(files, capsys):
    """A and B differ only in 2026Q3: 20 units (A) against 40 (B)."""
    assert main(["diff", str(files["a"]), str(files["b"]), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["kind"] == "roadmaps" and not result["same"]
    units = {p["period"]: next(f for f in p["figures"] if f["figure"] == "units") for p in result["periods"]}
    assert [(units[p]["a"], units[p]["b"]) for p in ("2026Q1", "2026Q2", "2026Q3")] == [(20, 20), (40, 40), (20, 40)]
    assert units["2026Q3"]["delta"] == 20
    assert main(["diff", str(files["a"]), str(files["b"])]) == 0
    out = capsys.readouterr().out
    assert "Periods" in out and "Totals" in out
    assert main(["diff", str(files["a"]), str(files["a"])]) == 0
    assert "no differences" in capsys.readouterr().out


def test_diff_one_period_of_each_and_a_single_plan(files, capsys):
    assert main(["diff", str(files["a"]), str(files["b"]), "--period", "2026Q3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [(m["units_a"], m["units_b"]) for m in result["mix"]] == [(20, 40)]
    capsys.readouterr()
    # the single plan is A's 2026Q1; B's 2026Q1 holds the same 20 units in the same slots
    assert main(["diff", str(files["single"]), str(files["b"]), "--period", "2026Q1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [(m["units_a"], m["units_b"]) for m in result["mix"]] in ([], [(20, 20)])
    assert result["racks"]["added"] == [] and result["racks"]["removed"] == [] and result["racks"]["moved"] == []


@pytest.mark.parametrize(
    "args, words",
    [
        (["a", "--period", "2026Q1"], "give two plans, or one roadmap plan with --period A --against B"),
        (["a"], "give two plans"),
        (["single", "--period", "2026Q1", "--against", "2026Q2"], "give two plans"),
        (["a", "--period", "2031Q4", "--against", "2026Q1"], "has no period '2031Q4' (its periods: 2026Q1..2026Q3)"),
        (["a", "b", "--against", "2026Q1"], "--against: give --period too"),
        (["a", "single"], "is a roadmap plan: give --period"),
        (["single", "single", "--period", "2026Q1"], "both plans are single-period plans"),
        (["single", "a", "--period", "x", "--against", "2026Q1"], "single.json is a single-period plan"),
        (["a", "single", "--period", "2026Q1", "--against", "2026Q1"], "--against: "),
        (["a", "--period", "\x1b[31m" + "q" * 300, "--against", "2026Q1"], "has no period"),
    ],
)
def test_diff_bad_choices_are_one_line(files, capsys, args, words):
    argv = ["diff", *(str(files[a]) if a in files else a for a in args)]
    assert main(argv) == 2
    line = _one_error_line(capsys)
    assert words in line
    assert main([*argv, "--json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(err or out)["error"]


def test_export_roadmap_csv(files, plans, tmp_path):
    target = tmp_path / "out.csv"
    assert main(["export", str(files["a"]), "-o", str(target)]) == 0
    with target.open(newline="") as f:
        timeline = list(csv.DictReader(f))
    assert [row["period"] for row in timeline] == ["2026Q1", "2026Q2", "2026Q3"]
    assert [float(row["energised_mw"]) for row in timeline] == [2.0, 4.0, 2.0]
    assert [int(row["units_nvidia"]) for row in timeline] == [20, 40, 20]
    with (tmp_path / "out-changes.csv").open(newline="") as f:
        changes = [(r["period"], r["change"], int(r["units"]), r["why"]) for r in csv.DictReader(f)]
    assert changes == [
        ("2026Q1", "added", 20, ""),
        ("2026Q2", "added", 20, ""),
        ("2026Q3", "retired", 20, "end of life"),
    ]
    assert (tmp_path / "out-orders.csv").read_text().startswith("equipment,owner,count,ordered,delivered")
    with (tmp_path / "out-mix.csv").open(newline="") as f:
        assert [int(r["units"]) for r in csv.DictReader(f)] == [20, 40, 20]
    assert main(["export", str(files["a"]), "-o", str(target)]) == 2  # exists, no --force
    assert main(["export", str(files["a"]), "-o", str(target), "--force"]) == 0


def test_export_roadmap_json_round_trip(files, plans, tmp_path):
    target = tmp_path / "again.json"
    assert main(["export", str(files["a"]), "-o", str(target)]) == 0
    assert RoadmapPlan.model_validate_json(target.read_text()) == plans[0]
    assert target.read_text() == files["a"].read_text()


def test_export_roadmap_to_svg_is_one_line(files, tmp_path, capsys):
    assert main(["export", str(files["a"]), "-o", str(tmp_path / "x.svg")]) == 2
    assert "roadmap plan" in _one_error_line(capsys)


def test_render_roadmap_text(plans, capsys):
    """The text report: one timeline line per period, the changes, the totals and the re-check."""
    from dcplan.planner.cli.roadmap_out import render_roadmap

    render_roadmap(plans[0])
    out = capsys.readouterr().out
    lines = out.splitlines()
    timeline = [line for line in lines if line.startswith("2026Q")]
    assert [line.split()[0] for line in timeline[:3]] == ["2026Q1", "2026Q2", "2026Q3"]
    assert "nvidia 20" in timeline[0] and "nvidia 40" in timeline[1]
    assert any(line.startswith("2026Q3") and "retired" in line and "end of life" in line for line in lines)
    assert "optimal" in lines[1] and "3 quarter periods" in lines[1]
    assert f"{plans[0].recheck.checked} checks over 3 periods" in out


def test_render_roadmap_without_a_plan(ideal_catalog, capsys):
    from dcplan.planner.cli.roadmap_out import render_roadmap
    from tests.planner.roadmap_fakes import with_status

    inputs, outcome = roadmap(ideal_catalog, [2])
    plan = assemble_roadmap(ideal_catalog, inputs, with_status(outcome, "no-plan-within-limit"))
    render_roadmap(plan)
    out = capsys.readouterr().out
    assert "No plan" in out and "raise --time-limit" in out


@pytest.mark.parametrize("suffix", [".html", ".xlsx", ".md"])
def test_export_roadmap_other_formats(files, tmp_path, suffix):
    """The other formats are planner.export_roadmap's (PRESENT); the CLI hands them over."""
    target = tmp_path / f"report{suffix}"
    assert main(["export", str(files["a"]), "-o", str(target)]) == 0
    assert target.stat().st_size > 0


# --- `dcplan solve` on a roadmap scenario (tests/data/roadmap/small.toml) -------------------

SMALL = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "roadmap" / "small.toml"


def _small(tmp_path, *, lead_times: bool = False, extra: str = "", orders: bool = True) -> str:
    """small.toml, without lead times unless asked (with them and nothing on order, no
    transformer can stand in the first quarters, so nothing can be installed); ``orders``
    False drops its [[ordered]] tables."""
    text = SMALL.read_text()
    if not lead_times:
        text = text.replace('facility_life = "15 year"', 'facility_life = "15 year"\nlead_times = false')
    if not orders:
        text = re.sub(r"\[\[ordered\]\]\n(?:[^\[\n][^\n]*\n)*", "", text)
        assert "[[ordered]]" not in text
    path = tmp_path / "small.toml"
    path.write_text(text + extra)
    return str(path)


@pytest.fixture(scope="module")
def solved_small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    scenario = _small(folder)
    target = folder / "plan.json"
    code = main(["solve", scenario, "--json", "-o", str(target), "--time-limit", "60s", "--gap", "0.1%"])
    return code, target


def test_solve_roadmap_json_and_file(solved_small, capsys):
    """The small roadmap by its own rules: 12 MW until the step to 30 MW in 2027Q3; hall
    phx-2 ready 2027Q1 + one quarter of fit-out = usable from 2027Q2; Vera Rubin available
    from 2026Q4; at most 24 GB300 added a quarter; every period re-checked."""
    code, target = solved_small
    assert code in (0, 3)
    plan = load_any_plan(target)
    assert isinstance(plan, RoadmapPlan) and plan.recheck.ok and plan.feasible
    assert [p.period for p in plan.periods][:2] == ["2026Q3", "2026Q4"] and len(plan.periods) == 8
    assert [p.energised_mw for p in plan.timeline] == [12.0] * 4 + [30.0] * 4
    for period in plan.periods:
        hall = {h.hall: h.racks for h in period.plan.halls}
        if period.period in ("2026Q3", "2026Q4", "2027Q1"):
            assert hall.get("phx-2", 0) == 0
        assert sum(c.units for c in period.added if c.system == "gb300-nvl72") <= 24
    first = plan.periods[0].plan
    assert not any(m.system == "vera-rubin-nvl144" for m in first.mix)
    for point in plan.timeline:
        assert point.used_mw <= point.energised_mw + 1e-6


def test_solve_roadmap_text(tmp_path, capsys):
    assert main(["solve", _small(tmp_path), "--time-limit", "60s", "--no-marginals"]) in (0, 3)
    out = capsys.readouterr().out
    assert "8 quarter periods" in out and "Timeline" in out and "re-check passed" in out
    assert out.count("\n2027Q3 ") >= 1
    assert "Marginal values" not in out  # --no-marginals
    assert main(["solve", _small(tmp_path), "--time-limit", "60s"]) in (0, 3)
    out = capsys.readouterr().out
    assert "Marginal values (binding limits)" in out and "(LP estimate)" in out


def test_solve_roadmap_infeasible_is_exit_4_with_one_json_object(tmp_path, capsys):
    """With lead times and nothing on order the first quarters can hold no transformer."""
    assert main(["solve", _small(tmp_path, lead_times=True, orders=False), "--json"]) == 4
    out = capsys.readouterr().out
    data = json.loads(out)  # nothing but the one object on stdout (no HiGHS banner)
    assert data["kind"] == "roadmap" and data["diagnosis"]["feasible"] is False and data["periods"] == []


def test_solve_roadmap_bad_output_is_refused_before_solving(tmp_path, capsys):
    assert main(["solve", _small(tmp_path), "-o", str(tmp_path / "plan.svg")]) == 2
    assert "roadmap plan" in _one_error_line(capsys)
    assert not (tmp_path / "plan.svg").exists()


@pytest.mark.parametrize(
    "change",
    [
        ("periods = 8", "periods = 0"),
        ("periods = 8", 'periods = "eight"'),
        ('start = "2026Q3"', 'start = "2026Q9"'),
        ('from = "2027Q3"', 'from = "1999Q1x"'),
    ],
)
def test_solve_roadmap_bad_input_is_one_line(tmp_path, capsys, change):
    path = tmp_path / "bad.toml"
    path.write_text(SMALL.read_text().replace(*change))
    assert main(["solve", str(path)]) == 2
    assert _one_error_line(capsys)


def test_diff_periods_of_a_solved_roadmap(solved_small, capsys):
    """2027Q2 -> 2027Q3 (the power step): racks kept stay where they were, none moved."""
    _, target = solved_small
    capsys.readouterr()
    assert main(["diff", str(target), "--period", "2027Q2", "--against", "2027Q3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["racks"]["moved"] == []
    assert result["racks"]["added"]
