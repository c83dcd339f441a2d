"""Heat reuse offtake on a [[water_loop]] (planner.water_data.HeatReuse, formulation_water /
matrix_water heat_reuse rows, planner.water_plan figures) on the water-class test catalog of
tests/planner/test_water.py, at its cold site (5 degC all year: every class is free-cooled,
so a unit draws exactly its 100 kW IT at the meter) with the defaults' 10 K loop rise.

Hand figures used below (ideal catalog: average = provisioned load, 90 % of heat to liquid):
- an alpha unit puts 0.9 x 100 = 90 kW on the facility-water loop, all year;
- return = supply + 10 K: W40 -> 50 degC, W45 -> 55 degC;
- 6 alpha units (600 PFLOPS): 540 kW captured, 540 x 8760 h = 4,730.4 MWh/yr; facility
  energy 600 kW x 8760 h = 5,256 MWh/yr, so ERF = 4,730.4 / 5,256 = 0.9.
"""

from __future__ import annotations

import random
import shutil

import pytest

from dcplan.models.catalog import load_catalog
from dcplan.models.errors import DcplanError
from dcplan.models.units import Q_
from dcplan.models.water_class import captured_average_kw, return_c, reuse_usable, reused_mwh
from dcplan.planner.formulation import build_model
from dcplan.planner.matrix import build_direct
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.water_plan import reuse_violations, water_text_lines
from tests.bench.highs_direct import same_lp
from tests.planner.conftest import scenario, solve_plan, units_of
from tests.planner.test_water import ROW, water_catalog  # noqa: F401  (the module fixture)

PV = 3.9927100370780884  # the hand scenario's present-value factor (5 years at its discount rate)


def _loop(price: float = 30.0, taker: str = "52 degC", capacity: str = "1 MW", **more):
    return {
        "hall": "h1",
        "classes": ["W40", "W45"],
        "reuse_capacity": capacity,
        "reuse_temperature": taker,
        "reuse_price": f"{price} USD/MWh",
        **more,
    }


def _alpha_only(loop: dict, demand: str = "600 PFLOPS"):
    return scenario(
        header={"objective": "min-tco"},
        row=[ROW],
        candidate=[{"system": "alpha"}],
        workload=[{"id": "train", "demand": demand, "software": ["neuron"]}],
        water_loop=[loop],
    )


def test_the_physics_hand_cases():
    assert return_c(45.0, 10.0) == 55.0
    assert reuse_usable(55.0, 50.0) and reuse_usable(50.0, 50.0) and not reuse_usable(49.9, 50.0)
    assert captured_average_kw(90.0, 50.0, 100.0) == 45.0  # half load: half the loop heat
    assert reused_mwh(1000.0, 540.0, 8760.0) == pytest.approx(4730.4)  # the heat caps it
    assert reused_mwh(270.0, 540.0, 6000.0) == pytest.approx(1620.0)  # the offtake caps it: 270 kW x 6000 h


def test_a_w45_loop_reuses_for_a_50_degc_taker_and_w40_does_not_for_52(water_catalog):  # noqa: F811
    """W45 returns 55 degC >= 50: 4,730.4 MWh/yr, ERF 0.9, revenue 4,730.4 x 30 = 141,912 USD/yr."""
    plan = solve_plan(_alpha_only({**_loop(taker="50 degC"), "classes": ["W45"]}), water_catalog)
    assert plan.solver.status == "optimal" and plan.recheck.ok, plan.recheck.violations
    assert units_of(plan, "alpha") == 6
    (line,) = plan.water
    assert (line.water_class, line.return_c, line.reuse_taker_c) == ("W45", 55.0, 50.0)
    assert line.captured_kw == pytest.approx(540.0)
    assert line.reused_mwh == pytest.approx(4730.4)
    assert line.erf == pytest.approx(0.9) and line.site_erf == pytest.approx(0.9)
    assert line.reuse_revenue_usd == pytest.approx(141_912.0)
    assert water_text_lines(plan)[-1] == "plan ERF 0.900: 4,730 MWh/yr of heat reused, 141,912 USD/yr"
    # W40 returns 50 degC: below a 52 degC taker, nothing reused
    cool = solve_plan(_alpha_only({**_loop(taker="52 degC"), "classes": ["W40"]}), water_catalog)
    (line,) = cool.water
    assert (line.return_c, line.reused_mwh, line.erf, line.reuse_revenue_usd) == (50.0, 0.0, 0.0, 0.0)


@pytest.mark.parametrize(("taker", "reused_mwh"), [("50 degC", 4730.4), ("50.5 degC", 0.0)])
def test_the_taker_is_served_exactly_when_the_return_reaches_its_temperature(water_catalog, taker, reused_mwh):  # noqa: F811
    """W40 returns 40 + 10 = 50 degC: a 50 degC taker takes all 540 kW (4,730.4 MWh/yr), a
    50.5 degC taker nothing, in the plan and in the optimiser's option coefficient."""
    scn = _alpha_only({**_loop(taker=taker), "classes": ["W40"]})
    (option,) = build_model_data(scn, water_catalog).options
    assert option.reuse_kw_per_unit == (90.0 if reused_mwh else 0.0)
    (line,) = solve_plan(scn, water_catalog).water
    assert line.return_c == 50.0 and line.reused_mwh == pytest.approx(reused_mwh)


def test_the_offtake_capacity_and_hours_cap_the_reused_heat(water_catalog):  # noqa: F811
    """0.27 MW for 6,000 h: 270 x 6000 = 1,620 MWh/yr; ERF 1,620 / 5,256 = 0.30822."""
    loop = {**_loop(taker="50 degC", capacity="0.27 MW", reuse_hours=6000), "classes": ["W45"]}
    plan = solve_plan(_alpha_only(loop), water_catalog)
    assert plan.recheck.ok, plan.recheck.violations
    (line,) = plan.water
    assert line.reused_mwh == pytest.approx(1620.0)
    assert line.erf == pytest.approx(1620.0 / 5256.0)


@pytest.fixture(scope="module")
def dear_alpha_catalog(water_catalog, tmp_path_factory):  # noqa: F811
    """The water catalog with alpha at 1.6 M USD a unit: 16,000 USD per PFLOPS, dearer than
    beta's 3 M / 200 = 15,000, so without heat revenue 600 PFLOPS is 3 beta (inlet limit 40 degC)."""
    from tests.planner.conftest import HANDCAT

    root = tmp_path_factory.mktemp("dearcat")
    shutil.copytree(HANDCAT, root / "handcat")
    base = load_catalog([root / "handcat"], use_env=False)  # noqa: F841  (the copy parses as is)
    path = root / "handcat" / "ideal.toml"
    text = path.read_text()
    alpha = text.index('id = "alpha"')
    cut = text.index('capex = { value = "1000000 USD"', alpha)
    text = text[:cut] + text[cut:].replace('"1000000 USD"', '"1600000 USD"', 1)
    beta = text.index('id = "beta"')
    cut = text.index('cooling = ["ideal-dlc"]', beta)
    inlet = 'coolant_inlet_max = { value = "40 degC", source = "assumption: test", confidence = "assumption" }\n'
    path.write_text(text[:cut] + inlet + text[cut:])
    return load_catalog([root / "handcat"], use_env=False)


def _both(price: float):
    return scenario(
        header={"objective": "min-tco"},
        row=[ROW],
        candidate=[{"system": "alpha"}, {"system": "beta"}],
        workload=[{"id": "train", "demand": "600 PFLOPS", "software": ["neuron", "cuda"]}],
        water_loop=[_loop(price=price, taker="52 degC")],
    )


@pytest.mark.parametrize(
    ("price", "system", "water_class"), [(0.0, "beta", "W40"), (80.0, "beta", "W40"), (95.0, "alpha", "W45")]
)
def test_heat_revenue_flips_the_class_choice(dear_alpha_catalog, price, system, water_class):
    """600 PFLOPS: 3 beta (9 M USD, 300 kW) at W40 or 6 alpha (9.6 M USD, 600 kW) at W45.
    Alpha costs 0.6 M + PV x 300 kW x 8760 h x 0.1 USD/kWh = 0.6 M + 3.99271 x 262,800
    = 1,649,285 USD more; only W45 (55 degC return) serves the 52 degC taker, whose
    revenue is PV x 4,730.4 MWh x c = 18,887.1 c USD: the class flips at c = 87.3 USD/MWh."""
    flip = (0.6e6 + PV * 300 * 8760 * 0.1) / (PV * 4730.4)
    assert flip == pytest.approx(87.32, abs=0.01)
    plan = solve_plan(_both(price), dear_alpha_catalog)
    assert plan.solver.status == "optimal" and plan.recheck.ok, plan.recheck.violations
    (line,) = plan.water
    assert line.water_class == water_class
    assert units_of(plan, system) == (3 if system == "beta" else 6)
    assert line.reused_mwh == pytest.approx(4730.4 if water_class == "W45" else 0.0)


@pytest.mark.parametrize("price", [0.0, 95.0])
def test_the_lp_is_the_same_both_ways_with_reuse_rows(dear_alpha_catalog, price):
    data = build_model_data(_both(price), dear_alpha_catalog)
    direct = build_direct(data)
    assert ("heat_reuse_cap", "h1") in direct.rows and ("heat_reuse", "h1") in direct.columns
    assert same_lp(direct, build_model(data)) == []


def test_the_opex_budget_counts_what_is_paid_not_the_heat_revenue(dear_alpha_catalog):
    """Both builders leave heat_reuse out of the opex budget row (the plan's costs are what is
    paid); 6 alpha at 100 kW: 6 x 100 x 8760 x 0.1 = 525,600 USD/yr, within 0.6 M USD/yr."""
    scn = _both(95.0)
    header = scn.scenario.model_copy(update={"annual_opex_budget": Q_(6e5, "USD")})
    scn = scn.model_copy(update={"scenario": header})
    data = build_model_data(scn, dear_alpha_catalog)
    direct = build_direct(data)
    assert same_lp(direct, build_model(data)) == []
    row = direct.rows.index(("opex_budget", None))
    column = direct.columns.index(("heat_reuse", "h1"))
    start, index = list(direct.lp.a_matrix_.start_), list(direct.lp.a_matrix_.index_)
    assert row not in index[start[column] : start[column + 1]]  # column-wise: heat_reuse has no opex_budget entry
    plan = solve_plan(scn, dear_alpha_catalog)
    assert plan.recheck.ok, plan.recheck.violations
    assert plan.costs.annual_opex.m_as("USD") == pytest.approx(525_600.0)


def test_only_options_whose_return_reaches_the_taker_carry_heat(dear_alpha_catalog):
    data = build_model_data(_both(30.0), dear_alpha_catalog)
    heat = {(o.system, o.water_class): o.reuse_kw_per_unit for o in data.options}
    assert heat == {("alpha", "W40"): 0.0, ("alpha", "W45"): 90.0, ("beta", "W40"): 0.0}


def test_the_recheck_catches_heat_credited_beyond_the_layout(water_catalog):  # noqa: F811
    data = build_model_data(_alpha_only({**_loop(taker="50 degC"), "classes": ["W45"]}), water_catalog)
    (option,) = data.options

    class _Fill:
        def __init__(self, units):
            self.option, self.units = option, units

    class _Ev:
        fills = [_Fill(6)]

    assert reuse_violations(water_catalog, data, _Ev(), {"heat_reuse": {"h1": 540.0}}) == (1, [])
    assert reuse_violations(water_catalog, data, _Ev(), {"heat_reuse": {"h1": 600.0}}) == (
        1,
        ["heat reuse (h1): 600 kW credited exceeds the 540 kW the layout gives the 50 degC taker"],
    )


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ({"reuse_capacity": "1 MW"}, "reuse_capacity, reuse_temperature and reuse_price go together"),
        ({"reuse_hours": 100}, "reuse_hours needs"),
        ({**_loop(), "reuse_hours": 9000}, "reuse_hours"),
        ({**_loop(), "reuse_hours": 0}, "reuse_hours"),
        ({**_loop(), "reuse_capacity": "-1 MW"}, "reuse_capacity"),
        ({**_loop(), "reuse_capacity": "1 degC"}, "reuse_capacity"),
        ({**_loop(), "reuse_temperature": "150 degC"}, "0 to 100 degC"),
        ({**_loop(), "reuse_temperature": "50 kW"}, "reuse_temperature"),
        ({**_loop(), "reuse_price": "-3 USD/MWh"}, "reuse_price"),
        ({**_loop(), "reuse_price": "hot"}, "reuse_price"),
    ],
)
def test_bad_reuse_fields_are_refused_in_one_line(bad, expected):
    with pytest.raises(DcplanError) as err:
        scenario(row=[ROW], candidate=[{"system": "alpha"}], water_loop=[{"hall": "h1", **bad}])
    text = str(err.value)
    assert "water_loop" in text and expected in text, text
    assert "Traceback" not in text and len(text.strip().splitlines()) == 1, text


def test_fuzzed_reuse_fields_never_crash(water_catalog):  # noqa: F811
    """Seeded: random reuse fields either parse and build model data, or raise a one-line DcplanError."""
    rng = random.Random(1364)
    values = {
        "reuse_capacity": ["1 MW", "0 MW", "-2 MW", "5 kW", "1e9 MW", "x", 3, None],
        "reuse_temperature": ["50 degC", "45 degC", "-20 degC", "373 K", "150 degC", "warm", 50, None],
        "reuse_price": ["30 USD/MWh", "0 USD/MWh", "0.05 USD/kWh", "-1 USD/MWh", "USD", 7, None],
        "reuse_hours": [8760, 1, 0, -5, 9999, 0.5, "all", None],
    }
    for _ in range(60):
        loop: dict = {"hall": "h1"}
        for name, pool in values.items():
            if rng.random() < 0.7:
                value = rng.choice(pool)
                if value is not None:
                    loop[name] = value
        try:
            data = build_model_data(
                scenario(row=[ROW], candidate=[{"system": "alpha"}], water_loop=[loop]), water_catalog
            )
        except DcplanError as exc:
            assert str(exc).strip() and "Traceback" not in str(exc)
            continue
        assert set(data.reuse) <= {"h1"}
        assert all(o.reuse_kw_per_unit >= 0.0 for o in data.options)


def test_a_bad_reuse_field_over_the_cli_is_one_json_object(tmp_path, capsys):
    import json

    from dcplan.planner.cli import main
    from dcplan.planner.scenario import DEMO_SCENARIO

    loop = '\n[[water_loop]]\nhall = "hall-a"\nreuse_capacity = "5 MW"\nreuse_temperature = "50 degC"\n'
    path = tmp_path / "demo.toml"
    path.write_text(DEMO_SCENARIO.read_text(encoding="utf-8") + loop, encoding="utf-8")
    code = main(["solve", str(path), "--json"])
    out = capsys.readouterr()
    lines = [line for line in out.out.splitlines() + out.err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, lines
    error = json.loads(lines[0])
    assert "demo.toml" in error["error"] and "water_loop" in error["error"]
    assert "reuse_capacity, reuse_temperature and reuse_price go together" in error["error"]
