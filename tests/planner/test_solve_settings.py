"""Solver settings as options: ``dcplan solve --presolve``, ``dcplan.solve(presolve=...)``,
and the plan's ``solver.settings`` saying which ran."""

from __future__ import annotations

import json

import pytest

import dcplan
from dcplan.models.errors import DcplanError
from dcplan.planner.cli import main
from dcplan.planner.scenario import DEMO_SCENARIO


def test_the_plan_says_which_presolve_ran_and_off_finds_the_same_optimum(demo, catalog):
    auto = dcplan.solve(demo, catalog, marginals=False)
    off = dcplan.solve(demo, catalog, marginals=False, presolve="off")
    assert auto.solver.settings == {"presolve": "choose", "process": "child"}  # a small model: HiGHS's default
    assert off.solver.settings["presolve"] == "off"
    assert off.solver.status == auto.solver.status == "optimal"
    assert off.solver.objective == pytest.approx(auto.solver.objective, rel=2e-3)


def test_a_bad_presolve_is_one_clear_error(demo, catalog):
    with pytest.raises(DcplanError, match="presolve: expected one of auto, choose, on, off, got 'fast'"):
        dcplan.solve(demo, catalog, presolve="fast")


def test_cli_presolve_flag(tmp_path, capsys):
    out = tmp_path / "plan.json"
    code = main(["solve", str(DEMO_SCENARIO), "--no-marginals", "--presolve", "on", "-o", str(out)])
    assert code == 0
    assert json.loads(out.read_text())["solver"]["settings"]["presolve"] == "on"
    capsys.readouterr()
    code = main(["solve", str(DEMO_SCENARIO), "--no-marginals", "--presolve", "sometimes"])
    err = capsys.readouterr().err
    assert code == 2 and "--presolve: expected one of auto, choose, on, off, got 'sometimes'" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
