"""`dcplan diff` matches racks by position and system, not by the per-solve unit ids (defect 15)."""

from __future__ import annotations

import json

import pytest

from dcplan.planner.cli import main
from dcplan.planner.export import write_plan
from dcplan.planner.plan import CapacityPlan, Layout
from dcplan.planner.report.diff import diff_plans
from tests.planner.conftest import scenario, solve_plan

ALPHA, BETA = "alpha", "beta"  # beta stands for a two-rack UltraServer here


@pytest.fixture(scope="module")
def base(ideal_catalog) -> CapacityPlan:
    plan = solve_plan(scenario(), ideal_catalog)
    assert plan.feasible
    hall = plan.halls[0]
    second = hall.model_copy(update={"hall": "h2"})
    return plan.model_copy(update={"halls": [hall, second]})


def build(base: CapacityPlan, rows: list[tuple[str, str, str, int, int]]) -> CapacityPlan:
    """A plan whose layout is ``rows`` of (hall, row, system, racks per unit, units), slots from 1,
    with unit ids numbered in layout order the way a solve numbers them."""
    cols: dict[str, list] = {k: [] for k in Layout.model_fields}
    counters: dict[str, int] = {}
    for hall, row, system, per_unit, units in rows:
        slot = 1
        for _ in range(units):
            counters[system] = counters.get(system, 0) + 1
            unit = f"{system}#{counters[system]:05d}"
            for _ in range(per_unit):
                for key, value in (
                    ("hall", hall),
                    ("row", row),
                    ("slot", slot),
                    ("system", system),
                    ("cooling", "ideal-dlc"),
                    ("unit", unit),
                    ("feeds", "A+B"),
                    ("cdu_loop", ""),
                    ("rack_kw", 50.0),
                ):
                    cols[key].append(value)
                slot += 1
    return base.model_copy(update={"layout": Layout(**cols)})


PLAN_A = [("h1", "r1-01", ALPHA, 1, 8), ("h2", "r2-01", BETA, 2, 5), ("h2", "r2-02", ALPHA, 1, 6)]
# B: hall h1 was given one more row (placed first), which renumbers every later unit id
PLAN_B = [("h1", "r1-00", ALPHA, 1, 4), *PLAN_A]


def test_one_extra_row_is_only_added_racks(base):
    a, b = build(base, PLAN_A), build(base, PLAN_B)
    assert set(a.layout.unit) & set(b.layout.unit)  # ids overlap but name other racks now
    result = diff_plans(a, b)
    racks = result["racks"]
    assert racks["moved"] == [] and racks["removed"] == []
    assert [(x["system"], x["at"], x["racks"]) for x in racks["added"]] == [
        (ALPHA, f"h1/r1-00/{n}", 1) for n in range(1, 5)
    ]
    assert not result["same"]


def test_moved_added_and_removed_mean_what_a_planner_means(base):
    a = build(base, PLAN_A)
    records = a.layout.records()
    cols = {k: list(v) for k, v in a.layout.model_dump().items()}
    # 1. the UltraServer in h2/r2-01 slots 9-10 goes to slots 11-12 (and keeps its id: ids do not matter)
    # 2. the alpha at h1/r1-01/8 is removed and a beta UltraServer appears in h1/r1-01/20-21
    # 3. the alpha at h2/r2-02/6 becomes a beta at the same slot: other system, so removed + added
    for i, rec in enumerate(records):
        if rec["hall"] == "h2" and rec["row"] == "r2-01" and rec["slot"] in (9, 10):
            cols["slot"][i] += 2
    drop = [i for i, r in enumerate(records) if (r["row"], r["slot"]) == ("r1-01", 8)]
    cols = {k: [v for i, v in enumerate(vals) if i not in drop] for k, vals in cols.items()}
    swap = cols["row"].index("r2-02") + 5
    assert cols["slot"][swap] == 6
    cols["system"][swap] = BETA
    cols["unit"][swap] = "beta#00099"
    for slot in (20, 21):
        for key, value in (
            ("hall", "h1"),
            ("row", "r1-01"),
            ("slot", slot),
            ("system", BETA),
            ("cooling", "ideal-dlc"),
            ("unit", "beta#00077"),
            ("feeds", "A+B"),
            ("cdu_loop", ""),
            ("rack_kw", 50.0),
        ):
            cols[key].append(value)
    b = a.model_copy(update={"layout": Layout(**cols)})
    racks = diff_plans(a, b)["racks"]
    moved = [(x["system"], x["from"], x["to"]) for x in racks["moved"]]
    assert moved == [(BETA, "h2/r2-01/9-10", "h2/r2-01/11-12")]
    assert [(x["system"], x["at"]) for x in racks["added"]] == [(BETA, "h1/r1-01/20-21"), (BETA, "h2/r2-02/6")]
    assert [(x["system"], x["at"]) for x in racks["removed"]] == [(ALPHA, "h1/r1-01/8"), (ALPHA, "h2/r2-02/6")]


def test_same_slots_in_another_hall_are_not_the_same_racks(base):
    a = build(base, [("h1", "r-01", ALPHA, 1, 3)])
    b = build(base, [("h2", "r-01", ALPHA, 1, 3)])  # same row name and slots, other hall
    racks = diff_plans(a, b)["racks"]
    assert len(racks["moved"]) == 3 and not racks["added"] and not racks["removed"]
    assert diff_plans(a, a)["same"] is True


def test_cli_diff_counts_after_an_extra_row(base, tmp_path, capsys):
    paths = []
    for name, rows in (("a", PLAN_A), ("b", PLAN_B)):
        path = tmp_path / f"{name}.json"
        write_plan(build(base, rows), path)
        paths.append(path)
    assert main(["diff", *map(str, paths), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {k: len(v) for k, v in result["racks"].items()} == {"moved": 0, "added": 4, "removed": 0}
    assert main(["diff", *map(str, paths)]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the console wraps long lines
    assert "moved 0 units (0 racks), added 4 units (4 racks), removed 0 units (0 racks)" in out
