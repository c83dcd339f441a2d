"""Water class and heat reuse over a roadmap (planner.roadmap_water), hand-derived on the
water-class test catalog of tests/planner/test_water.py (beta's coolant inlet limit 40 degC,
alpha without one) at its cold site (5 degC: every class free-cooled, 100 kW a unit at the
meter), one 20-position row, two quarters, min-npv-tco with a 600 PFLOPS peak demand.

Period 0 may install beta only, period 1 alpha only, and beta's IT life is one quarter, so
period 0 runs 3 beta (200 PFLOPS each; only W40 accepts beta) and period 1 runs 6 alpha
(100 PFLOPS each) on an otherwise empty loop. The loop offers heat to a 52 degC taker (only
W45's 55 degC return reaches it): per period alone, period 1 would take W45 for the revenue
of 6 x 90 = 540 kW of heat; the class is plumbing, built once, so it stays W40 and nothing
is reused.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dcplan.planner.modeldata import build_model_data
from dcplan.planner.roadmap_formulation import build_roadmap_model, solve_roadmap_formulation
from dcplan.planner.roadmap_model import ROADMAP_HOOKS, build_roadmap
from dcplan.planner.roadmap_water import heat_revenue, water_hook
from tests.planner.conftest import scenario
from tests.planner.test_roadmap_model import SETTINGS, roadmap, solved
from tests.planner.test_water import ROW, water_catalog  # noqa: F401  (the module fixture)

LOOP = {
    "hall": "h1",
    "classes": ["W40", "W45"],
    "reuse_capacity": "2 MW",
    "reuse_temperature": "52 degC",
    "reuse_price": "30 USD/MWh",
}


def _inputs(catalog: Any) -> Any:
    data = build_model_data(
        scenario(
            row=[ROW],
            candidate=[{"system": "alpha"}, {"system": "beta"}],
            workload=[{"id": "w", "demand": "600 PFLOPS", "software": ["neuron", "cuda"]}],
            water_loop=[LOOP],
        ),
        catalog,
    )
    keys = {o.key for o in data.options}
    assert keys == {"r1/alpha/ideal-dlc@W40", "r1/alpha/ideal-dlc@W45", "r1/beta/ideal-dlc@W40"}
    inputs = roadmap(data, 2, installable=lambda t, k: ("beta" in k) == (t == 0), objective="min-npv-tco")
    lives = {k: (0.25 if "beta" in k else 5.0) for k in keys}
    return replace(inputs, it_life_years=lives)


def _classes(outcome: Any, t: int) -> dict[str, float]:
    return {k: round(v) for (h, k), v in outcome.periods[t].values.get("water_class", {}).items() if round(v)}


def test_one_class_per_hall_for_the_whole_roadmap(water_catalog):  # noqa: F811
    outcome = solved(_inputs(water_catalog))
    units = [{k: round(v) for k, v in p.values["units"].items() if round(v)} for p in outcome.periods]
    assert units == [{"r1/beta/ideal-dlc@W40": 3}, {"r1/alpha/ideal-dlc@W40": 6}]
    assert _classes(outcome, 0) == _classes(outcome, 1) == {"W40": 1}
    assert outcome.periods[1].values.get("heat_reuse", {}).get("h1", 0.0) == pytest.approx(0.0)


def test_without_the_link_period_one_would_switch_to_the_reusing_class(water_catalog):  # noqa: F811
    """The same roadmap without water_class_link: period 1 picks W45 for the heat revenue
    and credits 6 x 90 = 540 kW of heat, NPV lower by 540 x 0.25 x 30 x 8760 / 1e9 = 0.0354780
    MUSD (r = 0): the link is what binds."""
    at = ROADMAP_HOOKS.index(water_hook)
    ROADMAP_HOOKS[at] = heat_revenue  # the revenue without water_class_link
    try:
        outcome = solved(_inputs(water_catalog))
    finally:
        ROADMAP_HOOKS[at] = water_hook
    assert _classes(outcome, 0) == {"W40": 1} and _classes(outcome, 1) == {"W45": 1}
    assert outcome.periods[1].values["heat_reuse"]["h1"] == pytest.approx(540.0)
    linked = solved(_inputs(water_catalog))
    assert linked.npv_tco_musd - outcome.npv_tco_musd == pytest.approx(540 * 0.25 * 30 * 8760 / 1e9)


def test_the_heat_revenue_is_period_opex(water_catalog):  # noqa: F811
    """One quarter at 30 USD/MWh for 8760 h a year: 0.25 x 30 x 8760 / 1000 / 1e6
    = 6.57e-5 MUSD per kW, so period 1's opex coefficient of heat_reuse is -6.57e-5."""
    model = build_roadmap(_inputs(water_catalog))
    col = model.columns.index(("heat_reuse", (1, "h1")))
    assert model.opex[1][col] == pytest.approx(-0.25 * 30 * 8760 / 1000 / 1e6)
    assert ("water_class_kept", (1, "h1", "W40")) in model.rows


def test_the_pyomo_roadmap_agrees(water_catalog):  # noqa: F811
    inputs = _inputs(water_catalog)
    direct = build_roadmap(inputs)
    model = build_roadmap_model(inputs)
    from tests.bench.highs_direct import pyomo_lp

    lp, _ = pyomo_lp(model)
    assert (lp.num_col_, lp.num_row_) == (direct.num_col, direct.num_row)
    result = solve_roadmap_formulation(inputs, SETTINGS, model=model)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(solved(inputs).npv_tco_musd, rel=1e-7, abs=1e-7)


def test_the_assembled_roadmap_reports_the_class_per_period_and_passes_its_recheck(water_catalog):  # noqa: F811
    """The period plans carry their water line (W40, 50 degC return, nothing reused for the
    52 degC taker); the stock re-check counts the rows under their ``@W40`` option keys."""
    from dcplan.planner.roadmap_pipeline import assemble_roadmap

    inputs = _inputs(water_catalog)
    plan = assemble_roadmap(water_catalog, inputs, solved(inputs))
    assert plan.recheck.ok, plan.recheck.violations
    lines = [(p.plan.water[0].water_class, p.plan.water[0].return_c, p.plan.water[0].reused_mwh) for p in plan.periods]
    assert lines == [("W40", 50.0, 0.0), ("W40", 50.0, 0.0)]
    assert [[(c.option, c.units) for c in p.added] for p in plan.periods] == [
        [("r1/beta/ideal-dlc@W40", 3)],
        [("r1/alpha/ideal-dlc@W40", 6)],
    ]


def test_the_roadmap_recheck_catches_two_classes_on_one_loop():
    from types import SimpleNamespace as NS

    from dcplan.planner.roadmap_water import water_class_checks

    def period(label: str, water_class: str | None) -> NS:
        return NS(period=label, plan=NS(water=[NS(hall="h1", water_class=water_class)]))

    assert water_class_checks([period("P0", "W40"), period("P1", None), period("P2", "W40")]) == (1, [])
    assert water_class_checks([period("P0", "W40"), period("P1", "W45")]) == (
        1,
        ["water loop (h1): 2 supply classes over the roadmap (W40 from P0, W45 from P1)"],
    )
