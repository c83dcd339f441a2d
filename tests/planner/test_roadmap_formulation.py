"""The Pyomo roadmap formulation (planner/roadmap_formulation.py) on hand-derived roadmaps.

The hand catalog (tests/data/handcat): beta is 200 PFLOPS, 100 kW, 3 MUSD a unit, one rack;
alpha 100 PFLOPS, 100 kW, 1 MUSD, two racks; a row of the ideal busway (one run, 898.5 kW
per feed) takes 8 of either; equipment, busway, PDUs and halls cost nothing; energy is
0.1 USD/kWh (87,600 USD a unit-year). Periods are quarters of 91.25 days (2,190 h).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pyomo.environ as pyo
import pytest

from dcplan.planner.modeldata import build_model_data
from dcplan.planner.roadmap_formulation import (
    LINKING_FAMILIES,
    build_roadmap_model,
    life_periods,
    solve_roadmap_formulation,
)
from dcplan.planner.roadmap_types import Ordered, PeriodInput, RoadmapInputs
from dcplan.planner.solve import SolveSettings
from tests.planner.conftest import HANDCAT, scenario
from tests.planner.test_outcomes import ONE_ROW

DAYS = 91.25  # a quarter of 2,190 h
BETA_PFLOPS, ALPHA_PFLOPS = 200.0, 100.0
ENERGY_MUSD = 0.0876  # one unit-year at 100 kW x 0.1 USD/kWh
TWO_ROWS = {**ONE_ROW, "count": 2}
BETA = "r1/beta/ideal-dlc"
ALPHA = "r1/alpha/ideal-dlc"
#: RoadmapInputs fields a test leaves alone: undiscounted, a 15-year facility life
DEFAULTS = {"objective": "max-cumulative-delivered", "discount_rate": 0.0, "discount_delivered": False}
DEFAULTS |= {"facility_life_years": 15.0}
SETTINGS = SolveSettings(time_limit_s=30.0, rel_gap=1e-9, process="in-process")


def period_data(catalog: Any, candidates: tuple[str, ...] = ("beta",), power: str = "100 MW", **changes: Any) -> Any:
    """The ModelData of a period: two rows of the hand row, the candidates, a site power."""
    site = [{"id": "cold-aws", "utility_power": power}]
    rows = changes.pop("row", [TWO_ROWS])
    cands = changes.pop("candidate", [{"system": c} for c in candidates])
    return build_model_data(scenario(row=rows, site=site, candidate=cands, **changes), catalog)


def roadmap(datas: list[Any], **fields: Any) -> RoadmapInputs:
    """RoadmapInputs of quarterly periods over ``datas`` (one ModelData per period).

    ``fields``: RoadmapInputs fields, plus per-period ``installable`` / ``purchasable`` /
    ``halls_ready`` / ``capex_budget_musd`` / ``allocation_caps`` / ``unit_capex_usd`` as
    lists (one entry per period) or a callable of the period index.
    """
    per_period = {}
    for name in ("installable", "purchasable", "halls_ready", "capex_budget_musd", "allocation_caps", "unit_capex_usd"):
        if name in fields:
            per_period[name] = fields.pop(name)
    periods = []
    for t, data in enumerate(datas):
        keys = frozenset(o.key for o in data.options)
        values: dict[str, Any] = {
            "installable": keys,
            "purchasable": keys,
            "halls_ready": frozenset(data.halls),
            "capex_budget_musd": None,
            "allocation_caps": {},
            "unit_capex_usd": {o.key: o.capex_per_unit_usd for o in data.options},
        }
        for name, given in per_period.items():
            values[name] = given(t) if callable(given) else given[t]
        if "purchasable" not in per_period:
            values["purchasable"] = values["installable"]
        periods.append(
            PeriodInput(
                index=t,
                label=f"{2026 + t // 4}Q{t % 4 + 1}",
                start=date(2026 + t // 4, 3 * (t % 4) + 1, 1),
                years_from_start=0.25 * t,
                years=0.25,
                hours=DAYS * 24,
                data=data,
                **values,
            )
        )
    keys = [o.key for o in datas[0].options]
    base = DEFAULTS | {"scenario": datas[0].scenario, "it_life_years": dict.fromkeys(keys, 5.0), "lead_periods": {}}
    return RoadmapInputs(periods=periods, **(base | fields))


def solved(inputs: RoadmapInputs) -> Any:
    result = solve_roadmap_formulation(inputs, SETTINGS)
    assert result.status == "optimal", result.status
    return result


def units(result: Any, key: str) -> list[int]:
    m = result.model
    return [round(pyo.value(m.period[t].units[key])) for t in m.T]


def added(result: Any, key: str) -> list[int]:
    m = result.model
    return [round(pyo.value(m.add[key, t])) for t in m.T]


def work(result: Any) -> float:
    return float(pyo.value(result.model.work))


def test_one_period_is_the_single_period_plan(ideal_catalog):
    """One period: 2 rows x 8 beta = 16 units = 3,200 PFLOPS for 91.25 days."""
    result = solved(roadmap([period_data(ideal_catalog)]))
    assert units(result, BETA) == [16]
    assert work(result) == pytest.approx(16 * BETA_PFLOPS * DAYS)
    eps = result.model.tie_break
    assert 0 < eps * float(pyo.value(result.model.npv_tco)) < 0.01 * BETA_PFLOPS * DAYS


def test_a_hall_not_ready_holds_nothing_until_it_is(ideal_catalog):
    """The hall is ready from period 2 of 3: 0, 0, 16 beta; work 3,200 x 91.25."""
    data = period_data(ideal_catalog)
    ready = [frozenset(), frozenset(), frozenset({"h1"})]
    result = solved(roadmap([data] * 3, halls_ready=ready))
    assert units(result, BETA) == [0, 0, 16]
    assert work(result) == pytest.approx(16 * BETA_PFLOPS * DAYS)


def test_power_arriving_in_period_three(ideal_catalog):
    """0.5 MW until period 2 (5 beta of 100 kW), 100 MW from then (16, the rows' limit):
    5 + 5 + 16 units; the stock only grows (5 kept, 11 added)."""
    low, high = period_data(ideal_catalog, power="0.5 MW"), period_data(ideal_catalog)
    result = solved(roadmap([low, low, high]))
    assert units(result, BETA) == [5, 5, 16]
    assert added(result, BETA) == [5, 0, 11]
    assert work(result) == pytest.approx((5 + 5 + 16) * BETA_PFLOPS * DAYS)


def test_a_system_not_available_until_period_three_replaces_the_old_one(ideal_catalog):
    """beta installable from period 2 only; alpha before: 16 alpha (1,600 PFLOPS) in 0 and 1,
    retired in 2 for 16 beta (both rows, 3,200 PFLOPS)."""
    data = period_data(ideal_catalog, candidates=("alpha", "beta"))
    both = frozenset({ALPHA, BETA})
    installable = [frozenset({ALPHA}), frozenset({ALPHA}), both]
    result = solved(roadmap([data] * 3, installable=installable))
    assert units(result, ALPHA) == [16, 16, 0]
    assert units(result, BETA) == [0, 0, 16]
    assert round(pyo.value(result.model.ret[ALPHA, 2])) == 16  # the stock row's slack
    assert work(result) == pytest.approx((1600 + 1600 + 3200) * DAYS)


def test_end_of_life_refresh(ideal_catalog):
    """IT life 0.5 y = 2 quarters over 4: 16 beta bought in period 0 retire by period 2 and
    16 are bought again then (latest: cost breaks the tie); full work every period."""
    data = period_data(ideal_catalog)
    inputs = roadmap([data] * 4, it_life_years={BETA: 0.5})
    result = solved(inputs)
    assert units(result, BETA) == [16] * 4
    assert added(result, BETA) == [16, 0, 16, 0]
    assert work(result) == pytest.approx(4 * 16 * BETA_PFLOPS * DAYS)
    assert life_periods(0.5, 0.25) == 2 and life_periods(0.6, 0.25) == 3 and life_periods(0.1, 0.25) == 1


def test_a_period_budget_spreads_the_build(ideal_catalog):
    """24 MUSD a period buys 8 beta (3 MUSD) a period: stock 8, 16, 16."""
    data = period_data(ideal_catalog)
    result = solved(roadmap([data] * 3, capex_budget_musd=[24.0] * 3))
    assert units(result, BETA) == [8, 16, 16]
    assert work(result) == pytest.approx((8 + 16 + 16) * BETA_PFLOPS * DAYS)


def test_a_total_budget_buys_once(ideal_catalog):
    """30 MUSD over the horizon: 10 beta, bought in period 0 and kept."""
    data = period_data(ideal_catalog)
    result = solved(roadmap([data] * 3, total_capex_budget_musd=30.0))
    assert units(result, BETA) == [10, 10, 10]


def test_an_allocation_cap_per_period(ideal_catalog):
    """At most 5 beta added a period: stock 5, 10, 15."""
    data = period_data(ideal_catalog)
    result = solved(roadmap([data] * 3, allocation_caps=[{"beta": 5}] * 3))
    assert units(result, BETA) == [5, 10, 15]
    assert work(result) == pytest.approx((5 + 10 + 15) * BETA_PFLOPS * DAYS)


def test_a_closed_purchase_window_keeps_the_stock_but_buys_no_more(ideal_catalog):
    """beta purchasable in period 0 only (e.g. available_until): 0.5 MW then 100 MW, so
    the 5 bought first are all there is."""
    low, high = period_data(ideal_catalog, power="0.5 MW"), period_data(ideal_catalog)
    purchasable = [frozenset({BETA}), frozenset(), frozenset()]
    result = solved(roadmap([low, high, high], purchasable=purchasable))
    assert units(result, BETA) == [5, 5, 5]


def test_a_transformer_lead_time_forces_an_order_before_the_start(ideal_catalog):
    """Transformers (3,000 kVA; beta draws 100 kVA) take 2 quarters: without an order
    nothing runs in periods 0 and 1; one transformer ordered for period 1 carries 30 units,
    so the 16 the rows hold run from period 1."""
    data = period_data(ideal_catalog)
    late = solved(roadmap([data] * 3, lead_periods={"distribution-transformer": 2}))
    assert units(late, BETA) == [0, 0, 16]
    ordered = [Ordered(equipment="distribution-transformer", owner="h1", count=1, delivered=1)]
    early = solved(roadmap([data] * 3, lead_periods={"distribution-transformer": 2}, ordered=ordered))
    assert units(early, BETA) == [0, 16, 16]


def test_min_npv_tco_buys_at_the_last_moment(ideal_catalog):
    """min-npv-tco with a floor of 4 beta in period 2 only (a [[candidate]] minimum).

    Buying in period 2 (s = 0.5 y) costs 12 MUSD + 4 x 0.0876 x 0.25 opex; its residual at
    E = 0.75 y is 12 x (1 - 0.25 / 5) = 11.4, so NPV = 12 + 0.0876 - 11.4 at r = 0, and with
    r = 10 %: 1.1^-0.5 x 12.0876 - 1.1^-0.75 x 11.4."""
    free, floor = period_data(ideal_catalog), period_data(ideal_catalog, candidate=[{"system": "beta", "min_units": 4}])
    for rate in (0.0, 0.1):
        inputs = roadmap([free, free, floor], objective="min-npv-tco", discount_rate=rate)
        result = solved(inputs)
        assert units(result, BETA) == [0, 0, 4]
        expected = (1 + rate) ** -0.5 * (12.0 + 4 * ENERGY_MUSD * 0.25) - (1 + rate) ** -0.75 * 11.4
        assert result.objective == pytest.approx(expected, rel=1e-9)


def test_discounted_delivered_work_weighs_later_periods_less(ideal_catalog):
    """discount_delivered at 10 %: work = sum_t 1.1^-(0.25 t) x 91.25 x 3,200."""
    data = period_data(ideal_catalog)
    result = solved(roadmap([data] * 3, discount_rate=0.1, discount_delivered=True))
    expected = sum(1.1 ** -(0.25 * t) for t in range(3)) * 16 * BETA_PFLOPS * DAYS
    assert work(result) == pytest.approx(expected)


def test_the_hall_stays_fitted_out_once_built(ideal_catalog):
    """Monotone build: an optional hall (build cost 5 MUSD) used in periods 0 and 1 stays
    fitted out in period 2, which holds no units (beta installable in periods 0 and 1 only),
    though un-building it would "refund" its increment (-5 MUSD) and the tie-break would take
    that; the transformer count never falls. Without the monotone rows it would fall."""
    from tests.planner.conftest import BASE

    hall = {**BASE["hall"][0], "build": "optional", "build_cost": "5000000 USD"}
    data = period_data(ideal_catalog, hall=[hall])
    installable = [frozenset({BETA}), frozenset({BETA}), frozenset()]
    inputs = roadmap([data] * 3, installable=installable)
    result = solved(inputs)
    m = result.model
    assert units(result, BETA) == [16, 16, 0]
    used = [round(pyo.value(m.period[t].hall_used["h1"])) for t in m.T]
    xfmr = [round(pyo.value(m.period[t].xfmr_n["h1"])) for t in m.T]
    assert used == [1, 1, 1]
    assert xfmr == sorted(xfmr) and xfmr[0] >= 1
    unkept = build_roadmap_model(inputs)
    unkept.monotone_hall_used.deactivate()
    loose = solve_roadmap_formulation(inputs, SETTINGS, model=unkept)
    assert round(pyo.value(loose.model.period[2].hall_used["h1"])) == 0


def test_each_block_is_the_single_period_model_without_its_objective(ideal_catalog):
    data = period_data(ideal_catalog)
    m = build_roadmap_model(roadmap([data] * 2))
    for t in m.T:
        assert not m.period[t].objective.active
        assert m.period[t].hall_it_power["h1"].active
    assert m.objective.active and m.objective.sense == pyo.maximize


def test_an_unknown_elastic_family_is_refused(ideal_catalog):
    inputs = roadmap([period_data(ideal_catalog)])
    with pytest.raises(ValueError, match="not a linking family: bogus"):
        build_roadmap_model(inputs, frozenset({"bogus"}))
    m = build_roadmap_model(inputs, frozenset(LINKING_FAMILIES))
    assert m.objective.sense == pyo.minimize


def test_an_infeasible_roadmap_is_reported_infeasible(ideal_catalog):
    """A floor of 4 beta in period 0 with beta not installable then: infeasible, not a crash."""
    floor = period_data(ideal_catalog, candidate=[{"system": "beta", "min_units": 4}])
    inputs = roadmap([floor, floor], installable=[frozenset(), frozenset({BETA})])
    result = solve_roadmap_formulation(inputs, SETTINGS)
    assert result.status == "infeasible" and not result.has_solution


def test_unit_capex_of_the_period_is_what_a_purchase_costs(ideal_catalog):
    """A price decline: beta 3 MUSD in period 0, 1.5 MUSD in period 1, a 24 MUSD total
    budget and a floor of 1 in period 0: buying 1 at 3 and 14 at 1.5 = 24 MUSD gives
    1 + 15 + 15 units (the most work within the budget)."""
    floor = period_data(ideal_catalog, candidate=[{"system": "beta", "min_units": 1}])
    data = period_data(ideal_catalog)
    prices = [{BETA: 3e6}, {BETA: 1.5e6}, {BETA: 1.5e6}]
    result = solved(roadmap([floor, data, data], unit_capex_usd=prices, total_capex_budget_musd=24.0))
    # unit-periods per MUSD: 3 / 3 bought in period 0, 2 / 1.5 in period 1, 1 / 1.5 in period 2
    assert units(result, BETA) == [1, 15, 15]


def test_replace_keeps_option_order(ideal_catalog):
    """The helper's premise: periods built from different scenarios list the same options."""
    a, b = period_data(ideal_catalog, power="0.5 MW"), period_data(ideal_catalog)
    assert [o.key for o in a.options] == [o.key for o in b.options]
    assert replace(a, pv_factor=2.0).options == a.options


# -- the same optimum as the production direct model (planner.roadmap_model) -----------------


def _direct_run(inputs: RoadmapInputs) -> tuple[Any, str, float]:
    """build_roadmap's LP (no extension hooks but the swing, on-site and fabric families', which
    the Pyomo model writes whenever a period has a [[utility_limit]], an [[onsite_power]] or a
    placed fabric tier) solved by
    HiGHS alone (one thread, gap 1e-9): (model, HiGHS status, objective)."""
    from dcplan.planner.roadmap_fabric import fabric_hook
    from dcplan.planner.roadmap_model import build_roadmap
    from dcplan.planner.roadmap_onsite import onsite_hook
    from dcplan.planner.roadmap_swing import swing_hook
    from dcplan.planner.session import quiet_highs

    direct = build_roadmap(inputs, hooks=[swing_hook, onsite_hook, fabric_hook])
    h = quiet_highs()
    for name, value in (("threads", 1), ("mip_rel_gap", 1e-9), ("mip_abs_gap", 1e-9), ("time_limit", 60.0)):
        h.setOptionValue(name, value)
    h.passModel(direct.lp)
    h.run()
    return direct, h.modelStatusToString(h.getModelStatus()), float(h.getInfo().objective_function_value)


def _agree(inputs: RoadmapInputs, rel: float = 1e-7) -> tuple[Any, Any, float]:
    """Assert that the Pyomo model and build_roadmap hand HiGHS LPs of the same columns and
    rows and reach the same optimum; (direct model, Pyomo model, optimum)."""
    from tests.bench.highs_direct import pyomo_lp

    direct, status, optimum = _direct_run(inputs)
    assert status == "Optimal"
    model = build_roadmap_model(inputs)
    lp, _ = pyomo_lp(model)
    assert (lp.num_col_, lp.num_row_) == (direct.num_col, direct.num_row)
    result = solve_roadmap_formulation(inputs, SETTINGS, model=model)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(optimum, rel=rel, abs=1e-7)
    return direct, model, optimum


def _hand_cases(catalog: Any, objective: str) -> dict[str, RoadmapInputs]:
    """Small roadmaps touching every linking family; min-npv-tco cases carry floors (a
    [[candidate]] minimum per period) so that the cheapest roadmap is not the empty one."""
    plain = period_data(catalog, candidates=("alpha", "beta"))
    low = period_data(catalog, candidates=("alpha", "beta"), power="0.5 MW")
    if objective == "min-npv-tco":
        floors = [{"system": "beta", "min_units": n} for n in (2, 6, 12, 12)]
        datas = [period_data(catalog, candidates=("alpha", "beta"), candidate=[f, {"system": "alpha"}]) for f in floors]
    else:
        datas = [low, low, plain, plain]
    four = {"objective": objective}
    return {
        "stock": roadmap(datas, **four),
        "life and refresh": roadmap(datas, it_life_years={BETA: 0.5, ALPHA: 0.75}, **four),
        "availability": roadmap(datas, installable=[frozenset({ALPHA, BETA})] * 2 + [frozenset({BETA})] * 2, **four),
        "halls and purchase window": roadmap(
            datas,
            halls_ready=[frozenset(), *[frozenset({"h1"})] * 3],
            purchasable=[frozenset(), frozenset({ALPHA, BETA}), frozenset({ALPHA, BETA}), frozenset({BETA})],
            **four,
        )
        if objective != "min-npv-tco"
        else roadmap(datas, purchasable=[frozenset({ALPHA, BETA})] * 3 + [frozenset({BETA})], **four),
        "budgets": roadmap(datas, capex_budget_musd=[20.0, None, 30.0, None], total_capex_budget_musd=60.0, **four),
        "allocation caps": roadmap(datas, allocation_caps=[{"beta": 6}, {"beta": 4}, {}, {"beta": 3}], **four),
        "lead times": roadmap(
            datas,
            lead_periods={"distribution-transformer": 2, "ups": 1},
            ordered=[
                Ordered(equipment="distribution-transformer", owner="h1", count=1, delivered=0),
                Ordered(equipment="ups", owner="h1", count=2, delivered=0),
            ],
            **four,
        ),
        "discounted with a price decline": roadmap(
            datas,
            discount_rate=0.08,
            discount_delivered=True,
            unit_capex_usd=lambda t: {BETA: 3e6 * 0.9**t, ALPHA: 1e6 * 0.95**t},
            **four,
        ),
    }


CASES = ["stock", "life and refresh", "availability", "halls and purchase window"]
CASES += ["budgets", "allocation caps", "lead times", "discounted with a price decline"]


@pytest.mark.parametrize("objective", ["max-cumulative-delivered", "min-npv-tco"])
@pytest.mark.parametrize("case", CASES)
def test_the_same_optimum_and_size_as_the_direct_model(ideal_catalog, objective, case):
    """Both models hand HiGHS an LP of the same columns and rows and reach the same optimum
    (the Pyomo objective at its own optimum vs HiGHS on build_roadmap's LP), with the same
    tie weight for max-cumulative-delivered."""
    direct, model, _ = _agree(_hand_cases(ideal_catalog, objective)[case])
    if objective == "max-cumulative-delivered":
        assert model.tie_break == pytest.approx(direct.tie_weight, rel=1e-12)


@pytest.mark.parametrize("objective", ["max-cumulative-delivered", "min-npv-tco"])
def test_the_same_optimum_on_a_shipped_scenario(catalog, objective):
    """enterprise-hybrid (workloads, cloud offers, a paid porting, min-tco demands) over two
    quarters with a one-quarter IT life (a refresh in the second) and a budget there: same
    size, same optimum."""
    from dcplan.planner.scenario import SCENARIO_DIR, load_scenario

    data = build_model_data(load_scenario(SCENARIO_DIR / "enterprise-hybrid.toml"), catalog)
    inputs = roadmap(
        [data] * 2,
        objective=objective,
        it_life_years={o.key: 0.25 for o in data.options},
        capex_budget_musd=[None, 2500.0],
    )
    _, model, optimum = _agree(inputs, rel=1e-6)
    # and the production solve (planner.roadmap_solve: session, options, two phases for
    # max-cumulative-delivered, whose objective is then the work alone) agrees
    from dcplan.planner.roadmap_solve import solve_roadmap

    outcome = solve_roadmap(inputs, SETTINGS)
    assert outcome.status == "optimal"
    expected = float(pyo.value(model.work)) if objective == "max-cumulative-delivered" else optimum
    assert outcome.objective == pytest.approx(expected, rel=1e-6)


def _random_roadmap(catalog: Any, seed: int, objective: str) -> RoadmapInputs:
    """A seeded random small roadmap of 2-4 quarters: power, floors, availability, purchase
    windows, halls ready, budgets, caps, lives, lead times and orders drawn at random."""
    import random

    rng = random.Random(seed)
    n = rng.randint(2, 4)
    both = frozenset({ALPHA, BETA})
    datas = []
    for _ in range(n):
        power = rng.choice(["0.3 MW", "0.8 MW", "2 MW"])
        minimum = rng.choice([0, 0, 2, 5]) if objective == "min-npv-tco" or rng.random() < 0.3 else 0
        cands = [{"system": "beta", "min_units": minimum}, {"system": "alpha"}]
        datas.append(period_data(catalog, candidates=("alpha", "beta"), power=power, candidate=cands))
    subsets = [frozenset(), frozenset({ALPHA}), frozenset({BETA}), both]
    installable = [rng.choice([*subsets[1:], both]) for _ in range(n)]
    fields: dict[str, Any] = {
        "objective": objective,
        "installable": installable,
        "purchasable": [i & rng.choice([*subsets, both, both]) for i in installable],
        "halls_ready": [frozenset({"h1"}) if t >= rng.choice([0, 0, 1]) else frozenset() for t in range(n)],
        "capex_budget_musd": [rng.choice([None, None, 6.0, 20.0]) for _ in range(n)],
        "allocation_caps": [rng.choice([{}, {"beta": 3}, {"alpha": 4, "beta": 2}]) for _ in range(n)],
        "it_life_years": {BETA: rng.choice([0.25, 0.5, 5.0]), ALPHA: rng.choice([0.5, 5.0])},
        "discount_rate": rng.choice([0.0, 0.07]),
        "discount_delivered": rng.random() < 0.5,
        "total_capex_budget_musd": rng.choice([None, 30.0]),
    }
    if rng.random() < 0.5:
        fields["lead_periods"] = {"distribution-transformer": rng.randint(1, 2)}
        fields["ordered"] = [
            Ordered(equipment="distribution-transformer", owner="h1", count=1, delivered=rng.randint(0, 1))
        ]
    return roadmap(datas, **fields)


@pytest.mark.parametrize("objective", ["max-cumulative-delivered", "min-npv-tco"])
@pytest.mark.parametrize("seed", range(12))
def test_random_roadmaps_agree_with_the_direct_model(ideal_catalog, seed, objective):
    """Seeded random roadmaps: the Pyomo model and build_roadmap agree on the size of the LP,
    on whether a plan exists, and on the optimum; an infeasible one gets a diagnosis that
    names a cause (never a crash, never 'feasible')."""
    from dcplan.planner.roadmap_diagnosis import diagnose_roadmap
    from tests.bench.highs_direct import pyomo_lp

    inputs = _random_roadmap(ideal_catalog, seed, objective)
    _, status, _ = _direct_run(inputs)
    if status == "Optimal":
        _agree(inputs)
    else:
        direct = _direct_run(inputs)[0]
        lp, _ = pyomo_lp(build_roadmap_model(inputs))
        assert (lp.num_col_, lp.num_row_) == (direct.num_col, direct.num_row)
        assert status == "Infeasible" and solve_roadmap_formulation(inputs, SETTINGS).status == "infeasible"
        diagnosis = diagnose_roadmap(ideal_catalog, inputs, SETTINGS)
        assert not diagnosis.feasible and diagnosis.summary
        assert "no relaxation" not in diagnosis.summary or diagnosis.summary.startswith("in ")


@pytest.mark.parametrize("objective", ["max-cumulative-delivered", "min-npv-tco"])
def test_the_same_optimum_on_a_roadmap_scenario_file(catalog, objective):
    """tests/data/roadmap/small.toml through planner.roadmap_inputs (eight quarters, a hall
    ready later, a power step, a system from its catalog date, a price decline, an
    allocation cap, a growing demand, a total budget, catalog lead times with equipment on
    order, a 2026 budget over two quarters from extras["capex_budget_groups"]): same size,
    same optimum."""
    import tomllib

    from dcplan.planner.roadmap_inputs import roadmap_inputs
    from dcplan.planner.scenario import parse_scenario

    raw = tomllib.loads((HANDCAT.parent / "roadmap" / "small.toml").read_text(encoding="utf-8"))
    raw["roadmap"]["objective"] = objective
    _agree(roadmap_inputs(parse_scenario(raw), catalog), rel=1e-6)
