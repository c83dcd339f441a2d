"""The public Python API at ``dcplan``: the README's five lines, and its errors."""

from __future__ import annotations

import json

import pytest

import dcplan


def test_the_readme_five_lines_give_the_cli_plan(tmp_path):
    catalog = dcplan.load_catalog(use_env=False)
    scenario = dcplan.load_scenario(dcplan.DEMO_SCENARIO)
    plan = dcplan.solve(scenario, catalog, time_limit_s=60, marginals=False)
    written = dcplan.export(plan, tmp_path / "plan.json")
    assert written == [tmp_path / "plan.json"]
    assert plan.solver.status == "optimal" and plan.recheck.ok
    again = dcplan.read_plan(tmp_path / "plan.json")
    assert again.model_dump(mode="json") == json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert sum(m.units for m in again.mix) == sum(m.units for m in plan.mix) > 0


def test_export_refuses_an_existing_file_without_force(tmp_path):
    plan_file = tmp_path / "plan.md"
    plan_file.write_text("mine", encoding="utf-8")
    plan = dcplan.solve(dcplan.load_scenario(dcplan.DEMO_SCENARIO), marginals=False)
    with pytest.raises(dcplan.DcplanError, match="already exists"):
        dcplan.export(plan, plan_file)
    assert plan_file.read_text(encoding="utf-8") == "mine"


def test_size_matches_the_cli_figures_and_names_bad_fields():
    catalog = dcplan.load_catalog(use_env=False)
    result = dcplan.size(catalog, "gb300-nvl72", it_power="5 MW", cooling="dlc-cdu", site="phoenix-az")
    assert result.units >= 1 and result.it_power_provisioned.m_as("kW") <= 5000 + 1e-6
    with pytest.raises(dcplan.DcplanError, match=r"it_power: expected a power .* got '5 kg'") as bad:
        dcplan.size(catalog, "gb300-nvl72", it_power="5 kg")
    assert bad.value.field == "it_power"
    with pytest.raises(dcplan.DcplanError, match="exactly one of count"):
        dcplan.size(catalog, "gb300-nvl72")
    with pytest.raises(dcplan.DcplanError, match="no-such-system"):
        dcplan.size(catalog, "no-such-system", count=1)


def test_load_scenario_errors_are_dcplan_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[scenario]\nid = 'x'\n", encoding="utf-8")
    with pytest.raises(dcplan.DcplanError) as caught:
        dcplan.load_scenario(bad)
    assert caught.value.file is not None and "bad.toml" in caught.value.file


def test_public_names_resolve_and_unknown_ones_raise():
    for name in dcplan.__all__:
        assert getattr(dcplan, name) is not None, name
    assert set(dir(dcplan)) == set(dcplan.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = dcplan.nope  # type: ignore[attr-defined]


def test_a_roadmap_scenario_gives_a_roadmap_plan_that_exports_and_reloads(tmp_path):
    """dcplan.solve on a [roadmap] scenario returns the checked plan per period (it used to
    solve one period quietly), and dcplan.export / read_plan handle the roadmap kind."""
    from pathlib import Path

    from dcplan.planner.roadmap_plan import RoadmapPlan

    small = Path(__file__).resolve().parents[1] / "data" / "roadmap" / "small.toml"
    catalog = dcplan.load_catalog(use_env=False)
    plan = dcplan.solve(dcplan.load_scenario(small), catalog, time_limit_s=60, marginals=False)
    assert isinstance(plan, RoadmapPlan)
    assert plan.solver.status in ("optimal", "feasible-with-gap") and plan.recheck.ok
    assert [p.period for p in plan.periods] == [t.period for t in plan.timeline] and len(plan.periods) == 8
    assert dcplan.export(plan, tmp_path / "roadmap.json") == [tmp_path / "roadmap.json"]
    assert (tmp_path / "roadmap.xlsx") in dcplan.export(plan, tmp_path / "roadmap.xlsx")
    again = dcplan.read_plan(tmp_path / "roadmap.json")
    assert isinstance(again, RoadmapPlan) and again.timeline == plan.timeline
