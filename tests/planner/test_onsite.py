"""On-site generation and flexible connection (issue 15, item 3) in the optimiser
(planner.matrix_onsite / formulation_onsite), the plan and the re-check, on the
hand-checkable catalog (tests/data/handcat): alpha draws 100 kW design and average facility
power per unit, steps 100 - 20 = 80 kW at a job start, gives 100 PFLOPS; ideal-gas is
200 kW x 0.5 = 100 kW usable, 0.4 x 200 = 80 kW per step, 2.5 x 0.06 = 0.15 USD and
2.5 x 0.2 = 0.5 kg CO2 per kWh, variable O&M 0.01 USD/kWh (0.16 USD per kWh run), fixed
O&M 10 USD/kW-yr x 200 kW = 2,000 USD a unit-year, 500 USD/kW x 200 kW = 100,000 USD a
unit. One row holds
10 units; the grid is cut to 300 kW so on-site power decides the fleet."""

from __future__ import annotations

import random

import pytest

from dcplan.models.errors import DcplanError
from dcplan.models.onsite import delivered_share, units_for_power, units_for_step, ups_battery_kwh
from dcplan.planner.formulation import build_model
from dcplan.planner.matrix import build_direct
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.onsite_data import OnsiteInputError
from tests.bench.highs_direct import same_lp
from tests.planner.conftest import scenario, solve_plan, units_of
from tests.planner.test_outcomes import ONE_ROW

ALPHA = [{"system": "alpha"}]
ROW = {**ONE_ROW, "busway_runs_per_feed": 4}  # 20 racks: 10 alpha units fit
SITE = [{"id": "cold-aws", "utility_power": "300 kW"}]


def _onsite(**more):
    return [{"site": "cold-aws", **more}]


def _plan(ideal_catalog, onsite, header=None):
    scn = scenario(row=[ROW], candidate=ALPHA, site=SITE, onsite_power=onsite, header=header or {})
    plan = solve_plan(scn, ideal_catalog)
    assert plan.solver.status == "optimal" and plan.recheck.ok, plan.recheck.violations
    return plan


def test_gensets_lift_the_grid_limit_and_fuel_energy_carbon_follow(ideal_catalog):
    """300 kW grid alone: 3 units. With up to 5 gensets: 100 u <= 300 + 100 n, n <= 5, so
    u = 8 with n = 5; they generate 800 - 300 = 500 kW on average: 4,380 MWh/yr, fuel
    x 2.5 = 10,950 MWh, 0.5 kg/kWh = 2,190 t CO2; capex 5 x 100,000 = 0.5 MUSD; energy cost
    gains (0.15 + 0.01 - 0.1) x 4.38e6 kWh = 262,800 USD/yr of fuel and variable O&M and
    5 x 2,000 = 10,000 USD/yr of fixed O&M; O&M 0.01 x 4.38e6 + 10,000 = 53,800 USD/yr."""
    grid_only = _plan(ideal_catalog, [])
    assert units_of(grid_only, "alpha") == 3 and grid_only.onsite == []
    plan = _plan(ideal_catalog, _onsite(prime_mover="ideal-gas", max_units=5))
    assert units_of(plan, "alpha") == 8
    (line,) = plan.onsite
    assert (line.units, line.prime_mover) == (5, "ideal-gas")
    assert line.generation_mw == pytest.approx(0.5)
    assert line.generated_mwh_per_year == pytest.approx(4380.0)
    assert line.fuel_mwh_per_year == pytest.approx(10_950.0)
    assert line.carbon_t_per_year == pytest.approx(2190.0)
    assert line.capex_usd == pytest.approx(5e5)
    assert line.om_usd_per_year == pytest.approx(53_800.0)
    base_energy = 8 * 100 * 8760 * 0.1
    assert plan.costs.annual_energy_cost.m_as("USD") == pytest.approx(base_energy + 262_800.0 + 10_000.0)
    grid_carbon = 8 * 100 * 8760 * 0.2
    assert plan.energy.carbon.m_as("kg") == pytest.approx(grid_carbon + 500 * 8760 * (0.5 - 0.2))
    assert line.summary.startswith(
        "cold-aws: 5 gensets, 0.5 MW, 4,380 MWh/yr (10,950 MWh fuel, 2,190 t CO2, O&M 53,800 USD/yr)"
    )


def test_the_step_load_limit_forces_more_gensets_or_a_smaller_fleet(ideal_catalog):
    """Grid-parallel, 10 gensets allowed: 10 units need n >= (1000 - 300) / 100 = 7.
    Islanded, each genset takes 80 kW per step: 80 x 10 <= 80 n, so n = 10 (three more).
    Islanded with only 5 gensets: 80 u <= 400, so the fleet drops from 8 to 5 units."""
    parallel = _plan(ideal_catalog, _onsite(prime_mover="ideal-gas", max_units=10))
    assert units_of(parallel, "alpha") == 10 and parallel.onsite[0].units == 7
    islanded = _plan(ideal_catalog, _onsite(prime_mover="ideal-gas", max_units=10, islanded=True))
    assert units_of(islanded, "alpha") == 10 and islanded.onsite[0].units == 10
    assert islanded.onsite[0].step_kw == pytest.approx(800.0)
    assert islanded.onsite[0].step_capability_kw == pytest.approx(800.0)
    small = _plan(ideal_catalog, _onsite(prime_mover="ideal-gas", max_units=5, islanded=True))
    assert units_of(small, "alpha") == 5 and small.onsite[0].units == 5


def test_curtailment_is_taken_when_it_pays(ideal_catalog):
    """87.6 h (1 %) for +500 kW: 8 units, 800 - 0.01 x 800 = 792 PFLOPS > 300: taken."""
    plan = _plan(ideal_catalog, _onsite(curtailment_hours=87.6, curtailment_grid="500 kW"))
    assert units_of(plan, "alpha") == 8
    (line,) = plan.onsite
    assert line.curtailment_hours_per_year == pytest.approx(87.6)
    assert line.curtailment_grid_mw == pytest.approx(0.5)
    assert line.work_lost_pflops == pytest.approx(8.0)
    assert "curtailment 87.6 h/yr for +0.5 MW grid" in line.summary


def test_curtailment_is_refused_when_it_does_not_pay(ideal_catalog):
    """4,380 h (half the year) for +100 kW: 4 units x 100 x 0.5 = 200 PFLOPS < 300: refused."""
    plan = _plan(ideal_catalog, _onsite(curtailment_hours=4380, curtailment_grid="100 kW"))
    assert units_of(plan, "alpha") == 3
    assert plan.onsite[0].curtailment_hours_per_year == 0.0


def test_ups_kwh_on_a_hand_case(ideal_catalog):
    """E = P_UPS x max(t / 3600, d_min): 1,200 kW x 30 s = 10 kWh; a 15 min C-rate floor 300 kWh."""
    assert ups_battery_kwh(1200.0, 30.0) == pytest.approx(10.0)
    assert ups_battery_kwh(1200.0, 30.0, 0.25) == pytest.approx(300.0)
    plan = _plan(ideal_catalog, _onsite(ride_through="20 s"))
    (line,) = plan.onsite
    assert line.ups_battery_kwh == pytest.approx(line.ups_kw * 20.0 / 3600.0)
    assert line.ups_kw > 0


def test_physics_hand_values():
    from dcplan.models.onsite import PrimeMoverFigures

    pm = PrimeMoverFigures(4400.0, 0.95, 0.2, 2.17, 0.0119, 0.181, 1200.0, 1.0, 0.011, 20.0)
    assert pm.usable_kw == pytest.approx(4180.0)
    assert pm.energy_usd_per_kwh == pytest.approx(0.025823)  # 2.17 x 0.0119
    assert pm.running_usd_per_kwh == pytest.approx(0.036823)  # 0.025823 + 0.011 variable O&M
    assert pm.fixed_om_usd_per_unit_year == pytest.approx(88_000.0)  # 20 USD/kW-yr x 4,400 kW
    assert pm.carbon_kg_per_kwh == pytest.approx(0.39277)
    assert units_for_power(41_800.0, pm) == 10 and units_for_power(41_801.0, pm) == 11
    assert units_for_step(8800.0, pm) == 10 and units_for_step(8801.0, pm) == 11
    assert delivered_share(43.8) == pytest.approx(0.995)
    with pytest.raises(ValueError):
        delivered_share(9000.0)


@pytest.mark.parametrize("islanded", [False, True])
def test_the_lp_is_the_same_both_ways_with_onsite_rows(ideal_catalog, islanded):
    onsite = _onsite(
        prime_mover="ideal-gas", max_units=7, islanded=islanded, curtailment_hours=44, curtailment_grid="1 MW"
    )
    data = build_model_data(scenario(row=[ROW], candidate=ALPHA, site=SITE, onsite_power=onsite), ideal_catalog)
    direct = build_direct(data)
    assert ("prime_energy", "cold-aws") in direct.rows and ("curtail_link", "cold-aws") in direct.rows
    assert (("prime_step", "cold-aws") in direct.rows) is islanded
    assert same_lp(direct, build_model(data)) == []


def test_min_tco_prices_genset_om_the_same_in_both_builders(ideal_catalog):
    """min-tco, the TCO in the objective itself: per genset 0.1 MUSD capex + pv x 2,000 USD/yr
    fixed O&M (10 USD/kW-yr x 200 kW); per generated average kW pv x (0.15 + 0.01 - 0.1) USD/kWh
    x 8760 h = pv x 525.6 USD/yr (pv: the scenario's present-value factor of a yearly cost).
    The Pyomo model hands HiGHS the same LP."""
    scn = scenario(
        row=[ROW],
        candidate=ALPHA,
        site=SITE,
        header={"objective": "min-tco"},
        workload=[{"id": "train", "demand": "300 PFLOPS", "software": ["neuron", "cuda"]}],
        onsite_power=_onsite(prime_mover="ideal-gas", max_units=5),
    )
    data = build_model_data(scn, ideal_catalog)
    direct = build_direct(data)
    cost = dict(zip(direct.columns, direct.lp.col_cost_, strict=True))
    assert cost[("prime_n", "cold-aws")] == pytest.approx(0.1 + data.pv_factor * 0.002)
    assert cost[("prime_kw", "cold-aws")] == pytest.approx(data.pv_factor * 525.6e-6)
    assert same_lp(direct, build_model(data)) == []


def test_the_recheck_catches_too_few_gensets(ideal_catalog):
    from dcplan.planner.recheck_onsite import onsite_violations

    data = build_model_data(
        scenario(
            row=[ROW],
            candidate=ALPHA,
            site=SITE,
            onsite_power=_onsite(prime_mover="ideal-gas", max_units=20, islanded=True),
        ),
        ideal_catalog,
    )

    class _Fill:
        def __init__(self, option, units):
            self.option, self.units = option, units

    class _Ev:
        fills = [_Fill(data.options[0], 10)]

    ok = onsite_violations(data, _Ev(), {"prime_n": {"cold-aws": 10.0}, "prime_kw": {"cold-aws": 700.0}})
    assert ok == (4, [])
    checked, bad = onsite_violations(data, _Ev(), {"prime_n": {"cold-aws": 4.0}, "prime_kw": {"cold-aws": 400.0}})
    assert checked == 4
    assert bad == [
        "on-site power (cold-aws): 1 MW exceeds grid + generation",
        "genset step load (cold-aws): 800 kW step exceeds 320 kW",
        "on-site energy (cold-aws): 400 kW generated does not cover 1000 kW",
    ]


@pytest.mark.parametrize(
    ("row", "field", "expected"),
    [
        ({"site": "nowhere"}, "site", "expected a [[site]] id (cold-aws), got 'nowhere'"),
        (
            {"site": "cold-aws", "prime_mover": "no-such", "max_units": 1},
            "prime_mover",
            "expected a [[prime_mover]] id (gas-aero-35mw, gas-recip-4mw, ideal-gas), got 'no-such'",
        ),
    ],
)
def test_unknown_references_are_one_clear_line(ideal_catalog, row, field, expected):
    scn = scenario(row=[ROW], candidate=ALPHA, site=SITE, onsite_power=[row])
    with pytest.raises(OnsiteInputError) as err:
        build_model_data(scn, ideal_catalog)
    assert err.value.lines == [f"scenario: [[onsite_power]] #1 field {field}: {expected}"]
    assert (err.value.entry, err.value.field) == ("[[onsite_power]] #1", field)


def test_curtailment_needs_a_work_objective(ideal_catalog):
    scn = scenario(
        row=[ROW],
        candidate=ALPHA,
        site=SITE,
        header={"objective": "min-tco"},
        workload=[{"id": "train", "demand": "100 PFLOPS", "software": ["neuron", "cuda"]}],
        onsite_power=_onsite(curtailment_hours=10, curtailment_grid="1 MW"),
    )
    with pytest.raises(
        (OnsiteInputError, DcplanError), match=r"\[\[onsite_power\]\] #1 field curtailment_hours: expected an objective"
    ):
        build_model_data(scn, ideal_catalog)


def test_two_rows_on_one_site_are_refused(ideal_catalog):
    scn = scenario(row=[ROW], candidate=ALPHA, site=SITE, onsite_power=_onsite() + _onsite())
    with pytest.raises(
        OnsiteInputError, match=r"\[\[onsite_power\]\] #2 field site: expected one \[\[onsite_power\]\] per site"
    ):
        build_model_data(scn, ideal_catalog)


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"site": "cold-aws", "max_units": -1},
        {"site": "cold-aws", "max_units": "many"},
        {"site": "cold-aws", "max_units": 3},  # no prime_mover
        {"site": "cold-aws", "curtailment_hours": 10},  # no curtailment_grid
        {"site": "cold-aws", "curtailment_grid": "1 MW"},  # no hours
        {"site": "cold-aws", "curtailment_hours": 9000, "curtailment_grid": "1 MW"},
        {"site": "cold-aws", "curtailment_hours": 10, "curtailment_grid": "1 kg"},
        {"site": "cold-aws", "ride_through": "abc"},
        {"site": "cold-aws", "ride_through": "-5 s"},
        {"site": "cold-aws", "islanded": "perhaps"},
        {"site": "cold-aws", "colour": "red"},
        {"site": "Cold AWS!"},
    ],
)
def test_bad_onsite_rows_are_refused_in_one_line(bad):
    with pytest.raises(DcplanError) as err:
        scenario(row=[ROW], candidate=ALPHA, onsite_power=[bad])
    text = str(err.value)
    assert "onsite_power" in text and "Traceback" not in text
    assert len(text.strip().splitlines()) == 1, text


def test_seeded_fuzz_of_onsite_rows_never_crashes(ideal_catalog):
    """Random field values: either a plan-ready model or a DcplanError of one line per
    problem, each naming the table, never another exception."""
    rng = random.Random(15)
    values = {
        "site": ["cold-aws", "nowhere", "", 3, None],
        "prime_mover": ["ideal-gas", "gas-recip-4mw", "x", 0, None],
        "max_units": [0, 1, 5, -3, 10_001, 2.5, "3", None],
        "islanded": [True, False, "yes", 1, None],
        "curtailment_hours": [10, 0, -1, 8760, "44", None],
        "curtailment_grid": ["1 MW", "0 MW", "-1 MW", "1 kg", 5, None],
        "ride_through": ["30 s", "0 s", "1 h", "s", 12, None],
    }
    for _ in range(120):
        row = {k: rng.choice(v) for k, v in values.items()}
        row = {k: v for k, v in row.items() if v is not None}
        try:
            scn = scenario(row=[ROW], candidate=ALPHA, site=SITE, onsite_power=[row])
            build_model_data(scn, ideal_catalog)
        except DcplanError as exc:
            lines = str(exc).strip().splitlines()
            assert lines and all("onsite_power" in line for line in lines), (row, lines)


def test_a_roadmap_accepts_onsite_power(tmp_path):
    """Issue 15: a roadmap applies [[onsite_power]] per period (planner.roadmap_onsite;
    tests/planner/test_roadmap_onsite.py has its hand cases)."""
    from pathlib import Path

    from dcplan.planner.scenario import load_scenario

    small = Path(__file__).resolve().parents[1] / "data" / "roadmap" / "small.toml"
    path = tmp_path / "small.toml"
    path.write_text(small.read_text() + '\n[[onsite_power]]\nsite = "phoenix-az"\n')
    assert load_scenario(path).onsite_power[0].site == "phoenix-az"


def test_a_bad_onsite_row_in_a_roadmap_over_the_cli_is_one_json_object(tmp_path, capsys):
    """An unknown prime mover in a roadmap's [[onsite_power]]: exit 2, one JSON object naming
    the table, entry and field, no traceback."""
    import json
    from pathlib import Path

    from dcplan.planner.cli import main

    small = Path(__file__).resolve().parents[1] / "data" / "roadmap" / "small.toml"
    path = tmp_path / "small.toml"
    path.write_text(
        small.read_text() + '\n[[onsite_power]]\nsite = "phoenix-az"\nprime_mover = "nope"\nmax_units = 2\n'
    )
    code = main(["solve", str(path), "--json"])
    out = capsys.readouterr()
    assert code == 2
    lines = [line for line in out.out.splitlines() + out.err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    error = json.loads(lines[0])
    assert "[[onsite_power]] #1" in error["error"] and "prime_mover" in error["error"], error
    assert "Traceback" not in out.err


def test_the_plan_text_and_report_show_the_onsite_line(ideal_catalog):
    """The TUI plan screen's money/energy lines and the Markdown/HTML report blocks carry the
    on-site summary (generation MW, fuel, carbon, curtailment, UPS kWh)."""
    from dcplan.planner.report.document import report_sections
    from dcplan.planner.report.text import plan_money_energy_lines

    plan = _plan(ideal_catalog, _onsite(prime_mover="ideal-gas", max_units=5))
    summary = plan.onsite[0].summary
    assert summary in plan_money_energy_lines(plan)
    blocks = [b for section in report_sections(plan, set()) for b in section.blocks]
    (block,) = [b for b in blocks if b.title == "On-site generation, curtailment and UPS energy"]
    assert len(block.data) == 1 and "5 gensets" in block.data[0]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            '\n[[onsite_power]]\nsite = "nowhere"\n',
            ("[[onsite_power]] #1", "site", "expected a [[site]] id (ashburn-va), got 'nowhere'"),
        ),
        ('\n[[onsite_power]]\nsite = "ashburn-va"\nride_through = "soon"\n', (None, None, "ride_through")),
    ],
)
def test_bad_onsite_power_over_the_cli_is_one_json_object(tmp_path, capsys, extra, expected):
    import json

    from dcplan.planner.cli import main
    from dcplan.planner.scenario import DEMO_SCENARIO

    path = tmp_path / "demo.toml"
    path.write_text(DEMO_SCENARIO.read_text(encoding="utf-8") + extra, encoding="utf-8")
    code = main(["solve", str(path), "--json"])
    out = capsys.readouterr()
    assert code == 2
    lines = [line for line in out.out.splitlines() + out.err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    error = json.loads(lines[0])
    entry, field, text = expected
    assert "demo.toml" in error["error"] and text in error["error"]
    if entry is not None:
        assert (error["entry"], error["field"]) == (entry, field)


@pytest.mark.parametrize("field", ["variable_om", "fixed_om"])
def test_a_user_prime_mover_without_om_is_one_clear_line(tmp_path, field):
    """variable_om and fixed_om are required (no silent zero O&M): a user catalog's
    [[prime_mover]] lacking one fails naming the file, the entry and the field."""
    from dcplan.models.catalog import CatalogError, load_catalog
    from tests.planner.conftest import HANDCAT

    text = (HANDCAT / "ideal.toml").read_text(encoding="utf-8")
    entry = text[text.index("[[prime_mover]]") :].split("\n\n", 1)[0].replace('"ideal-gas"', '"my-gas"', 1)
    lines = entry.splitlines()
    kept = [line for line in lines if not line.startswith(f"{field} = ")]
    assert len(kept) == len(lines) - 1
    (tmp_path / "mine.toml").write_text("\n".join(kept) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog([HANDCAT, tmp_path], use_env=False)
    assert err.value.lines == [
        f"{tmp_path / 'mine.toml'}: prime_mover 'my-gas' field '{field}': is required but missing"
    ]
