"""Facility water class as an optimiser decision (planner.water_data, formulation_water,
matrix_water) on a copy of the hand-checkable catalog (tests/data/handcat) with:

- beta's coolant inlet limited to 40 degC (alpha: no stated limit);
- a "hot-aws" site at a constant 40 degC dry bulb (diurnal 0.01 K), design day 40 degC, and
  the ideal plant given a rated chiller COP of 4, chilled water at 45 degC.

Loop rise 10 K, approach 1 K, fans, pumps, losses and misc 0 (the ideal catalog):
at W45 the dry cooler reaches 41 degC < 45 degC supply, all free cooling, so an alpha unit
draws 100 kW at the meter; at W27 the return (37 degC) is below 41 degC, so the chiller
takes all 90 kW of liquid heat at COP 4: 100 + 90 / 4 = 122.5 kW.
"""

from __future__ import annotations

import shutil

import pytest

from dcplan.models.catalog import load_catalog
from dcplan.planner.formulation import build_model
from dcplan.planner.matrix import build_direct
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.water_data import WaterInputError
from tests.bench.highs_direct import same_lp
from tests.planner.conftest import HANDCAT, scenario, solve_plan, units_of
from tests.planner.test_outcomes import ONE_ROW

HOT_SITE = """
[[site]]
id = "hot-aws"
name = "Hot AWS test site"
location = "test"
operator = "aws"
monthly_dry_bulb = { value = [40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40], unit = "degC", source = "assumption: test", confidence = "assumption" }
monthly_wet_bulb = { value = [30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30], unit = "degC", source = "assumption: test", confidence = "assumption" }
diurnal_range = { value = "0.01 K", source = "assumption: test", confidence = "assumption" }
design_dry_bulb = { value = "40 degC", source = "assumption: test", confidence = "assumption" }
design_wet_bulb = { value = "30 degC", source = "assumption: test", confidence = "assumption" }
electricity_price = { value = "0.1 USD/kWh", source = "assumption: test", confidence = "assumption" }
grid_carbon_intensity = { value = "0.2 kg/kWh", source = "assumption: test", confidence = "assumption" }
"""


@pytest.fixture(scope="module")
def water_catalog(tmp_path_factory):
    root = tmp_path_factory.mktemp("watercat")
    shutil.copytree(HANDCAT, root / "handcat")
    path = root / "handcat" / "ideal.toml"
    text = path.read_text()
    beta = text.index('id = "beta"')
    cut = text.index('cooling = ["ideal-dlc"]', beta)
    inlet = 'coolant_inlet_max = { value = "40 degC", source = "assumption: test", confidence = "assumption" }\n'
    text = text[:cut] + inlet + text[cut:]
    text = text.replace('chilled_water_temp = { value = "40 degC"', 'chilled_water_temp = { value = "45 degC"')
    plant = text.index('id = "ideal-plant"\nname')
    cut = text.index("capex_per_kw", plant)
    cop = 'chiller_cop = { value = 4, source = "assumption: test", confidence = "assumption" }\n'
    text = text[:cut] + cop + text[cut:] + HOT_SITE
    path.write_text(text)
    return load_catalog([root / "handcat"], use_env=False)


ROW = {**ONE_ROW, "busway_runs_per_feed": 4}  # 20 positions: 10 alpha or 20 beta units


def _loop(*classes: str, hall: str = "h1"):
    return [{"hall": hall, "classes": list(classes)}]


def test_a_pinned_w45_loop_places_only_the_system_that_accepts_it(water_catalog):
    """beta (200 PFLOPS a rack) beats alpha on max-compute, but its 40 degC inlet limit is below
    W45's 45 degC supply: pinned W45 places alpha alone (10 units fill the row)."""
    both = [{"system": "alpha"}, {"system": "beta"}]
    free = solve_plan(scenario(row=[ROW], candidate=both), water_catalog)
    assert units_of(free, "beta") > 0
    scn = scenario(row=[ROW], candidate=both, water_loop=_loop("W45"))
    data = build_model_data(scn, water_catalog)
    assert {o.key.rsplit("@", 1)[1] for o in data.options} == {"W45"}
    assert {o.system for o in data.options} == {"alpha"}
    assert any(p.system == "beta" and "below W45's 45 degC" in p.reason for p in data.pruned)
    plan = solve_plan(scn, water_catalog)
    assert plan.solver.status == "optimal" and plan.recheck.ok, plan.recheck.violations
    assert units_of(plan, "beta") == 0 and units_of(plan, "alpha") == 10


def test_a_pinned_class_that_excludes_every_system_warns_before_optimising(water_catalog):
    data = build_model_data(scenario(row=[ROW], candidate=[{"system": "beta"}], water_loop=_loop("W45")), water_catalog)
    assert data.options == []
    assert data.water_warnings == (
        "hall h1: water class W45 (pinned in [[water_loop]]) excludes every liquid-cooled candidate"
        " (beta: coolant inlet limit below its supply)",
    )


HOT = {"site": [{"id": "hot-aws", "utility_power": "1000 kW"}]}
HOT_HALL = {
    "id": "h1",
    "site": "hot-aws",
    "it_power_cap": "100 MW",
    "liquid_plant_capacity": "100 MW",
    "air_plant_capacity": "100 MW",
    "slab_rating": "3000 kg/m**2",
}


def _hot(*classes: str):
    return scenario(**HOT, hall=[HOT_HALL], row=[ROW], candidate=[{"system": "alpha"}], water_loop=_loop(*classes))


def test_the_optimiser_picks_the_warmer_class_when_its_plant_draws_less(water_catalog):
    """1000 kW at the meter: W45 fits 1000 / 100 = 10 alpha units, W27 floor(1000 / 122.5) = 8."""
    data = build_model_data(_hot("W27", "W45"), water_catalog)
    facility = {o.water_class: o.facility_design_kw_per_unit for o in data.options}
    assert facility == {"W27": pytest.approx(122.5), "W45": pytest.approx(100.0)}
    pinned = solve_plan(_hot("W27"), water_catalog)
    assert units_of(pinned, "alpha") == 8
    plan = solve_plan(_hot("W27", "W45"), water_catalog)
    assert plan.solver.status == "optimal" and plan.recheck.ok, plan.recheck.violations
    assert units_of(plan, "alpha") == 10
    (line,) = plan.water
    assert (line.hall, line.allowed, line.water_class, line.supply_c) == ("h1", ["W27", "W45"], "W45", 45.0)
    assert line.chiller_hours == 0.0 and line.plant_kw == pytest.approx(0.0) and line.pue == pytest.approx(1.0)
    assert line.erf == 0.0 and line.water_l == 0.0
    (hot,) = pinned.water
    assert (hot.water_class, hot.chiller_hours) == ("W27", 8760.0)
    assert hot.plant_kw == pytest.approx(8 * 90 / 4)  # 8 units x 90 kW liquid heat / COP 4
    assert hot.pue == pytest.approx(1.225)  # (IT + 0.9 IT / 4) / IT


def test_the_recheck_catches_a_class_above_a_placed_systems_inlet_limit(water_catalog):
    from dataclasses import replace

    from dcplan.planner.water_plan import water_violations

    data = build_model_data(_hot("W27", "W45"), water_catalog)
    by_class = {o.water_class: o for o in data.options}

    class _Fill:
        def __init__(self, option, units):
            self.option, self.units = option, units

    class _Ev:
        fills = [_Fill(replace(by_class["W45"], system="beta"), 1)]

    assert water_violations(water_catalog, data, _Ev()) == (
        2,
        ["coolant supply (h1, beta): W45 45 degC exceeds the 40 degC inlet limit"],
    )
    _Ev.fills = [_Fill(by_class["W45"], 1), _Fill(by_class["W27"], 1)]
    assert water_violations(water_catalog, data, _Ev())[1] == [
        "water loop (h1): 2 supply classes placed on one loop (W27, W45)"
    ]
    _Ev.fills = [_Fill(by_class["W27"], 3)]
    assert water_violations(water_catalog, data, _Ev()) == (2, [])


@pytest.mark.parametrize("classes", [("W45",), ("W27", "W45"), ("W27", "W32", "W40", "W45", "W+")])
def test_the_lp_is_the_same_both_ways_with_water_rows(water_catalog, classes):
    data = build_model_data(_hot(*classes), water_catalog)
    direct = build_direct(data)
    assert ("water_class_one", "h1") in direct.rows
    assert same_lp(direct, build_model(data)) == []


@pytest.mark.parametrize(
    ("loop", "expected"),
    [
        ({"hall": "nowhere"}, "scenario: [[water_loop]] #1 field hall: expected a [[hall]] id (h1), got 'nowhere'"),
    ],
)
def test_a_loop_on_an_unknown_hall_is_one_clear_line(water_catalog, loop, expected):
    with pytest.raises(WaterInputError) as err:
        build_model_data(scenario(row=[ROW], candidate=[{"system": "alpha"}], water_loop=[loop]), water_catalog)
    assert str(err.value) == expected


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ({"hall": "h1", "classes": ["W50"]}, "classes"),
        ({"hall": "h1", "classes": []}, "classes"),
        ({"hall": "h1", "classes": "W45"}, "classes"),
        ({"classes": ["W45"]}, "hall"),
        ({"hall": "h1", "colour": "red"}, "colour"),
        ({"hall": "h 1; rm -rf /"}, "hall"),
        ({"hall": "h1", "classes": ["W45"] * 6}, "classes"),
    ],
)
def test_bad_water_loops_are_refused_in_one_line(bad, expected):
    from dcplan.models.errors import DcplanError

    with pytest.raises(DcplanError) as err:
        scenario(row=[ROW], candidate=[{"system": "alpha"}], water_loop=[bad])
    assert "water_loop" in str(err.value) and expected in str(err.value)
    assert "Traceback" not in str(err.value)


def test_a_hall_given_two_loops_is_refused(water_catalog):
    scn = scenario(row=[ROW], candidate=[{"system": "alpha"}], water_loop=_loop("W45") + _loop("W27"))
    with pytest.raises(WaterInputError) as err:
        build_model_data(scn, water_catalog)
    assert err.value.lines == ["scenario: [[water_loop]] #2 field hall: expected each hall once, got 'h1'"]
    assert (err.value.entry, err.value.field) == ("[[water_loop]] #2", "hall")


def test_a_default_loop_allows_every_class_coolest_first(water_catalog):
    data = build_model_data(
        scenario(row=[ROW], candidate=[{"system": "alpha"}], water_loop=[{"hall": "h1"}]), water_catalog
    )
    assert data.water == {"h1": ("W27", "W32", "W40", "W45", "W+")}
    assert sorted(o.water_class for o in data.options) == ["W+", "W27", "W32", "W40", "W45"]


def test_a_bad_water_loop_over_the_cli_is_one_json_object(tmp_path, capsys):
    import json

    from dcplan.planner.cli import main
    from dcplan.planner.scenario import DEMO_SCENARIO

    text = DEMO_SCENARIO.read_text(encoding="utf-8") + '\n[[water_loop]]\nhall = "nowhere"\n'
    path = tmp_path / "demo.toml"
    path.write_text(text, encoding="utf-8")
    code = main(["solve", str(path), "--json"])
    out = capsys.readouterr()
    lines = [line for line in out.out.splitlines() + out.err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, lines
    error = json.loads(lines[0])
    assert "demo.toml" in error["error"] and "got 'nowhere'" in error["error"]
    assert (error["entry"], error["field"]) == ("[[water_loop]] #1", "hall")


def test_fuzzed_water_loops_never_crash(water_catalog):
    """Seeded: random class subsets, halls and junk either parse and build model data, or
    raise a DcplanError with one line; nothing else."""
    import random

    from dcplan.models.errors import DcplanError

    rng = random.Random(15)
    pool = ["W27", "W32", "W40", "W45", "W+", "W17", "", "w45", 45, None]
    for _ in range(60):
        loop: dict = {"hall": rng.choice(["h1", "h1", "h2", "", "H1", 3])}
        if rng.random() < 0.8:
            loop["classes"] = [rng.choice(pool) for _ in range(rng.randint(0, 6))]
        try:
            scn = scenario(row=[ROW], candidate=[{"system": "alpha"}, {"system": "beta"}], water_loop=[loop])
            data = build_model_data(scn, water_catalog)
        except DcplanError as exc:
            assert str(exc).strip() and "Traceback" not in str(exc)
            continue
        assert all(o.water_class in data.water["h1"] for o in data.options)


def test_the_plan_notes_a_pinned_class_that_excludes_every_candidate(water_catalog):
    plan = solve_plan(scenario(row=[ROW], candidate=[{"system": "beta"}], water_loop=_loop("W45")), water_catalog)
    assert units_of(plan, "beta") == 0
    assert any("water class W45 (pinned in [[water_loop]]) excludes every" in note for note in plan.recheck.notes)
    assert plan.solver.status == "infeasible" and plan.water == []  # no plan: no water lines
