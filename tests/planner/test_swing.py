"""Swing limits in the optimiser (planner.matrix_swing / formulation_swing), the plan and the
re-check, on the hand-checkable catalog (tests/data/handcat: alpha swings 100 - 20 = 80 kW
per unit, no storage; battery 100 USD/kW + 0.5 h x 1000 USD/kWh = 600 USD/kW; floor
0.5 x 8760 h x 0.1 USD/kWh = 438 USD/kW-yr)."""

from __future__ import annotations

import pytest

from dcplan.planner.formulation import build_model
from dcplan.planner.matrix import build_direct
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.swing_data import SwingInputError
from dcplan.planner.swing_plan import swing_violations
from tests.bench.highs_direct import same_lp
from tests.planner.conftest import scenario, solve_plan, units_of
from tests.planner.test_outcomes import ONE_ROW

ALPHA = [{"system": "alpha"}]
ROW = {**ONE_ROW, "busway_runs_per_feed": 4}  # 20 alpha racks fit; the budget binds


def _limit(band: str = "500 kW", **more):
    return [{"site": "cold-aws", "swing_band": band, **more}]


def test_a_swing_limit_forces_a_battery_and_costs_a_unit(ideal_catalog):
    """Budget 10 MUSD at 1 MUSD a unit buys 10 units without a limit. With a 500 kW band and a
    battery only: N x 1e6 + 600 x (80 N - 500) <= 10e6 gives N <= 9.83, so 9 units, a
    80 x 9 - 500 = 220 kW battery of 0.5 x 220 = 110 kWh, 22,000 + 110,000 = 132,000 USD."""
    header = {"budget": "10000000 USD"}
    free = solve_plan(scenario(row=[ROW], candidate=ALPHA, header=header), ideal_catalog)
    assert units_of(free, "alpha") == 10 and free.swing == []
    plan = solve_plan(
        scenario(row=[ROW], candidate=ALPHA, header=header, utility_limit=_limit(mitigation=["battery"])),
        ideal_catalog,
    )
    assert plan.solver.status == "optimal" and plan.recheck.ok, plan.recheck.violations
    assert units_of(plan, "alpha") == 9
    (line,) = plan.swing
    assert line.swing.m_as("kW") == pytest.approx(720.0)
    assert line.battery_power.m_as("kW") == pytest.approx(220.0)
    assert line.battery_energy.m_as("kWh") == pytest.approx(110.0)
    assert line.residual.m_as("kW") == pytest.approx(500.0)
    assert line.capex.m_as("USD") == pytest.approx(132_000.0)
    assert plan.costs.capex_swing.m_as("USD") == pytest.approx(132_000.0)
    assert plan.costs.capex_total.m_as("USD") == pytest.approx(9_132_000.0)
    assert plan.costs.capex_electrical.m_as("USD") == pytest.approx(132_000.0)  # the ideal chain is free
    from dcplan.planner.report.tables import bom_table, bom_total_usd

    bom = bom_table(plan)
    assert bom_total_usd(bom) == pytest.approx(9_132_000.0)
    assert [(r[1], r[3], r[-1]) for r in bom.rows if str(r[1]).startswith("swing battery")] == [
        ("swing battery energy", "cold-aws", pytest.approx(110_000.0)),
        ("swing battery power", "cold-aws", pytest.approx(22_000.0)),
    ]
    assert line.summary == "cold-aws: training swing 0.72 MW vs band 0.5 MW: 0.22 MW battery, 0.11 MWh, 0.132 MUSD"


def test_a_floor_is_cheaper_over_a_one_year_horizon(ideal_catalog):
    """1 year at 0 % discount: floor 438 USD/kW < battery 600 USD/kW; 10 units swing 800 kW,
    300 kW of floor burn 300 x 438 = 131,400 USD/yr (in the plan's energy cost)."""
    header = {"budget": "10000000 USD", "tco_horizon": "1 year", "discount_rate": 0.0}
    plan = solve_plan(scenario(row=[ROW], candidate=ALPHA, header=header, utility_limit=_limit()), ideal_catalog)
    assert plan.recheck.ok, plan.recheck.violations
    assert units_of(plan, "alpha") == 10  # the floor is opex: the capex budget still buys 10
    (line,) = plan.swing
    assert line.floor.m_as("kW") == pytest.approx(300.0) and line.battery_power.m_as("kW") == 0.0
    assert line.annual_energy_cost.m_as("USD") == pytest.approx(131_400.0)
    assert "0.3 MW power floor" in line.summary


def test_within_the_band_nothing_is_bought_and_the_ramp_is_reported(ideal_catalog):
    """10 units swing 800 kW inside a 1 MW band; a job start steps 10 x (100 - 20) = 800 kW,
    at 0.5 MW/s that is 1.6 s."""
    header = {"budget": "10000000 USD"}
    limit = _limit("1 MW", ramp_rate_mw_per_s=0.5)
    plan = solve_plan(scenario(row=[ROW], candidate=ALPHA, header=header, utility_limit=limit), ideal_catalog)
    (line,) = plan.swing
    assert line.battery_power.m_as("kW") == 0.0 and line.floor.m_as("kW") == 0.0
    assert line.ramp_time_s == pytest.approx(1.6)
    assert line.summary.endswith("within the band, no mitigation; job start ramps over 1.6 s")


def test_without_mitigation_the_band_caps_the_fleet(ideal_catalog):
    """No mitigation allowed: 80 kW x N <= 500 kW, so max-compute stops at 6 units (20 fit)."""
    plan = solve_plan(scenario(row=[ROW], candidate=ALPHA, utility_limit=_limit(mitigation=[])), ideal_catalog)
    assert plan.recheck.ok, plan.recheck.violations
    assert units_of(plan, "alpha") == 6
    assert plan.swing[0].swing.m_as("kW") == pytest.approx(480.0)


@pytest.mark.parametrize("mitigation", [["battery"], ["floor"], []])  # both: the shipped scenarios (test_direct_lp)
def test_the_lp_is_the_same_both_ways_with_swing_rows(ideal_catalog, mitigation):
    data = build_model_data(
        scenario(row=[ROW], candidate=ALPHA, utility_limit=_limit(mitigation=mitigation)), ideal_catalog
    )
    direct = build_direct(data)
    assert ("site_swing", "cold-aws") in direct.rows
    assert same_lp(direct, build_model(data)) == []


def test_the_recheck_catches_a_missing_battery(ideal_catalog):
    plan_data = build_model_data(
        scenario(row=[ROW], candidate=ALPHA, utility_limit=_limit(mitigation=["battery"])), ideal_catalog
    )

    class _Fill:
        def __init__(self, option, units):
            self.option, self.units = option, units

    class _Ev:
        fills = [_Fill(plan_data.options[0], 10)]

    checked, bad = swing_violations(ideal_catalog, plan_data, _Ev(), {"battery_kw": {"cold-aws": 0.0}})
    assert checked == 2 and bad == ["swing band (cold-aws): 0.8 MW after mitigation exceeds 0.5 MW"]
    ok = swing_violations(
        ideal_catalog, plan_data, _Ev(), {"battery_kw": {"cold-aws": 300.0}, "battery_kwh": {"cold-aws": 150.0}}
    )
    assert ok == (2, [])
    short = swing_violations(
        ideal_catalog, plan_data, _Ev(), {"battery_kw": {"cold-aws": 300.0}, "battery_kwh": {"cold-aws": 1.0}}
    )
    assert short[1] == ["battery energy (cold-aws): 1 kWh is below 150 kWh for 300 kW"]


def test_a_limit_on_an_unknown_site_is_one_clear_line(ideal_catalog):
    scn = scenario(row=[ROW], candidate=ALPHA, utility_limit=[{"site": "nowhere", "swing_band": "1 MW"}])
    with pytest.raises(SwingInputError) as err:
        build_model_data(scn, ideal_catalog)
    assert len(err.value.lines) == 1
    assert (
        err.value.lines[0]
        == "scenario: [[utility_limit]] #1 field site: expected a [[site]] id (cold-aws), got 'nowhere'"
    )
    assert (err.value.entry, err.value.field) == ("[[utility_limit]] #1", "site")


@pytest.mark.parametrize(
    "bad",
    [
        {"site": "cold-aws"},
        {"site": "cold-aws", "swing_band": "-1 MW"},
        {"site": "cold-aws", "swing_band": "1 MW", "mitigation": ["magic"]},
        {"site": "cold-aws", "swing_band": "1 MW", "ramp_rate_mw_per_s": 0},
        {"site": "cold-aws", "swing_band": "1 kg"},
        {"site": "cold-aws", "swing_band": "1 MW", "colour": "red"},
    ],
)
def test_bad_utility_limits_are_refused(bad):
    from dcplan.models.errors import DcplanError

    with pytest.raises(DcplanError) as err:
        scenario(row=[ROW], candidate=ALPHA, utility_limit=[bad])
    assert "utility_limit" in str(err.value)


def test_two_limits_on_one_site_are_refused(ideal_catalog):
    scn = scenario(row=[ROW], candidate=ALPHA, utility_limit=_limit() + _limit("2 MW"))
    with pytest.raises(
        SwingInputError, match=r"\[\[utility_limit\]\] #2 field site: expected one \[\[utility_limit\]\] per site"
    ):
        build_model_data(scn, ideal_catalog)


def test_the_floor_energy_counts_in_energy_and_carbon(ideal_catalog):
    """300 kW of floor x 0.5 x 8760 h = 1,314,000 kWh/yr more IT and facility energy, at
    0.2 kg/kWh 262,800 kg CO2e more than the same plan without the floor's energy."""
    header = {"budget": "10000000 USD", "tco_horizon": "1 year", "discount_rate": 0.0}
    free = solve_plan(scenario(row=[ROW], candidate=ALPHA, header=header), ideal_catalog)
    plan = solve_plan(scenario(row=[ROW], candidate=ALPHA, header=header, utility_limit=_limit()), ideal_catalog)
    assert units_of(free, "alpha") == units_of(plan, "alpha") == 10
    extra = plan.energy.facility_energy.m_as("kWh") - free.energy.facility_energy.m_as("kWh")
    assert extra == pytest.approx(1_314_000.0)
    assert plan.energy.it_energy.m_as("kWh") - free.energy.it_energy.m_as("kWh") == pytest.approx(1_314_000.0)
    assert plan.energy.carbon.m_as("kg") - free.energy.carbon.m_as("kg") == pytest.approx(262_800.0)
    cost = plan.costs.annual_energy_cost.m_as("USD") - free.costs.annual_energy_cost.m_as("USD")
    assert cost == pytest.approx(131_400.0)


def _demo_with(tmp_path, extra: str):
    from dcplan.planner.scenario import DEMO_SCENARIO

    text = DEMO_SCENARIO.read_text(encoding="utf-8").replace(
        '[[utility_limit]]\nsite = "ashburn-va"\nswing_band = "10 MW"\nramp_rate_mw_per_s = 10\n', extra
    )
    path = tmp_path / "demo.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            '[[utility_limit]]\nsite = "nowhere"\nswing_band = "10 MW"\n',
            ("[[utility_limit]] #1", "site", "expected a [[site]] id (ashburn-va), got 'nowhere'"),
        ),
        ('[[utility_limit]]\nsite = "ashburn-va"\nswing_band = "ten"\n', (None, None, "swing_band")),
    ],
)
def test_bad_utility_limit_over_the_cli_is_one_json_object(tmp_path, capsys, extra, expected):
    import json

    from dcplan.planner.cli import main

    code = main(["solve", str(_demo_with(tmp_path, extra)), "--json"])
    out = capsys.readouterr()
    assert code == 2
    lines = [line for line in out.out.splitlines() + out.err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    error = json.loads(lines[0])
    entry, field, text = expected
    assert "demo.toml" in error["error"] and text in error["error"]
    if entry is not None:
        assert (error["entry"], error["field"]) == (entry, field)


def test_a_roadmap_accepts_a_utility_limit(tmp_path):
    """Issue 15: a roadmap applies [[utility_limit]] per period (planner.roadmap_swing)."""
    from pathlib import Path

    from dcplan.planner.scenario import load_scenario

    small = Path(__file__).resolve().parents[1] / "data" / "roadmap" / "small.toml"
    path = tmp_path / "small.toml"
    path.write_text(small.read_text() + '\n[[utility_limit]]\nsite = "phoenix-az"\nswing_band = "1 MW"\n')
    scenario = load_scenario(path)
    assert scenario.roadmap is not None and scenario.utility_limit[0].site == "phoenix-az"


def test_reports_state_the_swing_mitigation():
    """The enterprise golden plan's swing lines reach the Markdown report (HTML renders the same
    blocks, planner/report/document.py) and the text."""
    from pathlib import Path

    from dcplan.planner.plan import load_plan
    from dcplan.planner.report.markdown import render_markdown
    from dcplan.planner.report.text import plan_money_energy_lines

    golden = Path(__file__).resolve().parents[1] / "data" / "golden" / "enterprise-hybrid.plan.json"
    plan = load_plan(golden)
    (portland,) = [line for line in plan.swing if line.site == "portland-or"]
    assert portland.battery_power.m_as("MW") > 0
    text = portland.summary
    swing, battery = portland.swing.m_as("MW"), portland.battery_power.m_as("MW")
    assert battery == pytest.approx(swing - 5.0, abs=0.01)  # the 5 MW band: the battery takes the rest
    head = f"portland-or: training swing {swing:.3g} MW vs band 5 MW: {battery:.3g} MW battery"
    assert text.startswith(head), text
    assert "Training power swings and their mitigation" in render_markdown(plan, {})
    assert f"{battery:.3g} MW battery" in render_markdown(plan, {})
    assert text in plan_money_energy_lines(plan)
