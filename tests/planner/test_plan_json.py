"""Plan JSON: compact by default, --pretty on request, written without re-parsing units, read back the same.

Golden plan files are compared parsed, so the layout (compact or indented) never changes
what they hold; these tests pin what each layout is and that every reader gets the same
plan back: ``load_plan``/``dcplan.read_plan``, ``dcplan diff`` and ``dcplan export``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import dcplan
from dcplan.models import units as u
from dcplan.planner.cli import main
from dcplan.planner.export import write_plan
from dcplan.planner.pipeline import PlanOptions, plan_scenario
from dcplan.planner.plan import CapacityPlan, load_plan
from dcplan.planner.scenario import DEMO_SCENARIO, load_scenario
from dcplan.planner.solve import SolveSettings
from tests.bench.campus import campus


def _plan(scenario, catalog) -> CapacityPlan:
    settings = SolveSettings(time_limit_s=60, rel_gap=0.005)
    return plan_scenario(scenario, catalog, PlanOptions(settings=settings, marginals=False))


@pytest.fixture(scope="module")
def demo_plan(catalog) -> CapacityPlan:
    return _plan(load_scenario(DEMO_SCENARIO), catalog)


@pytest.fixture(scope="module")
def campus_plan(catalog) -> CapacityPlan:
    """The benchmark ladder's M campus: 4 halls, ~100k chips, thousands of rack slots."""
    return _plan(campus("M"), catalog)


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("which", ["demo_plan", "campus_plan"])
def test_a_written_plan_reads_back_as_the_same_plan(which, request, tmp_path):
    plan: CapacityPlan = request.getfixturevalue(which)
    assert plan.feasible and len(plan.layout) > 0
    for pretty in (False, True):
        path = tmp_path / f"plan-{pretty}.json"
        write_plan(plan, path, pretty=pretty)
        again = load_plan(path)
        assert again == plan
        assert again.model_dump(mode="json") == plan.model_dump(mode="json")
        assert dcplan.read_plan(path) == plan
        assert again.to_json_text(pretty) == path.read_text(encoding="utf-8")  # re-writing is byte-identical


def test_compact_is_one_line_and_pretty_is_indented_with_the_same_content(demo_plan):
    compact, pretty = demo_plan.to_json_text(), demo_plan.to_json_text(pretty=True)
    assert compact.endswith("}\n") and compact.count("\n") == 1 and '": ' not in compact
    assert pretty.count("\n") > 100 and pretty.startswith('{\n "schema_version": "1.2",\n')
    assert json.loads(compact) == json.loads(pretty) == demo_plan.model_dump(mode="json")
    assert len(compact) < 0.8 * len(pretty)


def test_the_plan_json_keeps_key_order_and_non_ascii_text(demo_plan):
    data = json.loads(demo_plan.to_json_text())
    assert list(data) == list(CapacityPlan.model_fields)
    renamed = demo_plan.model_copy(update={"scenario_name": "Zürich — hall ①"})
    assert '"scenario_name":"Zürich — hall ①"' in renamed.to_json_text()


def test_a_non_finite_figure_is_written_as_json_dumps_writes_it_and_read_back(demo_plan, tmp_path):
    limit = demo_plan.limits[0].model_copy(update={"utilisation": math.inf, "used": math.nan})
    odd = demo_plan.model_copy(update={"limits": [limit, *demo_plan.limits[1:]]})
    text = odd.to_json_text()
    assert '"utilisation":Infinity' in text and '"used":NaN' in text
    path = tmp_path / "odd.json"
    path.write_text(text, encoding="utf-8")
    back = load_plan(path).limits[0]
    assert back.utilisation == math.inf and math.isnan(back.used)


def test_quantities_are_written_in_their_canonical_unit_whatever_unit_they_hold():
    spec = u.Power.__metadata__[0]
    assert spec._serialise(u.Q_(1.5, "MW")) == {"value": 1500.0, "unit": "kW"}
    assert spec._serialise(u.Q_(132.0, "kW")) == {"value": 132.0, "unit": "kW"}
    assert spec._serialise(u.Q_(np.array([1.0, 2.0]), "MW")) == {"value": [1000.0, 2000.0], "unit": "kW"}
    temperature = u.Temperature.__metadata__[0]
    assert temperature._serialise(u.Q_(95.0, "degF"))["value"] == pytest.approx(35.0)
    money = u.Money.__metadata__[0]
    assert money._serialise(u.Q_(2.0, "MUSD")) == {"value": 2e6, "unit": "USD"}


def test_a_plan_holding_other_units_is_written_in_canonical_units(demo_plan):
    hall = demo_plan.halls[0]
    in_mw = hall.model_copy(update={"it_power": hall.it_power.to("MW")})
    plan = demo_plan.model_copy(update={"halls": [in_mw, *demo_plan.halls[1:]]})
    written = json.loads(plan.to_json_text())["halls"][0]["it_power"]
    assert written == {"value": pytest.approx(hall.it_power.m_as("kW")), "unit": "kW"}


def test_cli_plan_files_and_answers_are_compact_unless_pretty(demo_plan, tmp_path, capsys):
    plan_file = tmp_path / "demo.json"
    write_plan(demo_plan, plan_file)
    again, pretty = tmp_path / "again.json", tmp_path / "pretty.json"
    assert run(capsys, "export", plan_file, "-f", "json", "-o", again)[0] == 0
    assert again.read_bytes() == plan_file.read_bytes()
    assert run(capsys, "export", plan_file, "-f", "json", "-o", pretty, "--pretty")[0] == 0
    assert pretty.read_text(encoding="utf-8") == demo_plan.to_json_text(pretty=True)
    code, out, _ = run(capsys, "diff", plan_file, pretty, "--json")
    assert code == 0 and out.count("\n") == 1
    same = json.loads(out)
    code, out, _ = run(capsys, "diff", plan_file, pretty, "--json", "--pretty")
    assert code == 0 and out.count("\n") > 3 and json.loads(out) == same
    assert load_plan(pretty) == load_plan(plan_file) == load_plan(again)


@pytest.mark.parametrize(
    "args",
    [
        ["size", "--system", "trn3-ultraserver-gen2", "--count", "4"],
        ["catalog", "list"],
        ["catalog", "show", "trn3-ultraserver-gen2"],
    ],
)
def test_json_answers_on_stdout_are_one_line_unless_pretty(args, capsys):
    code, compact, _ = run(capsys, *args, "--json")
    assert code == 0 and compact.count("\n") == 1
    code, pretty, _ = run(capsys, *args, "--json", "--pretty")
    assert code == 0 and pretty.count("\n") > 3
    assert json.loads(compact) == json.loads(pretty)


def test_solve_writes_a_compact_plan_and_prints_it_with_pretty(tmp_path, capsys):
    out_file = tmp_path / "demo.plan.json"
    code, out, _ = run(capsys, "solve", DEMO_SCENARIO, "--no-marginals", "-o", out_file, "--json", "--pretty")
    assert code == 0
    assert out.count("\n") > 100 and out_file.read_text(encoding="utf-8").count("\n") > 100
    assert json.loads(out) == json.loads(out_file.read_text(encoding="utf-8"))
    compact = tmp_path / "compact.plan.json"
    code, out, _ = run(capsys, "solve", DEMO_SCENARIO, "--no-marginals", "-o", compact, "--json")
    assert code == 0 and out.count("\n") == 1 and compact.read_text(encoding="utf-8").count("\n") == 1
    assert Path(compact).stat().st_size < Path(out_file).stat().st_size
