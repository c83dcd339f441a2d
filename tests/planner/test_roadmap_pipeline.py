"""The roadmap output side: plan per period, layout continuity, timeline, orders, re-check.

The outcomes are single-period solves of the hand-checkable scenario (tests/planner/
roadmap_fakes.py). There, at 2 MW of utility power the optimum is 20 beta units (one row of
20, beta's row maximum: r1-01) and at 4 MW 40 (two rows); alpha is never chosen.
"""

from __future__ import annotations

import pytest

from dcplan.planner.pipeline import PlanOptions
from dcplan.planner.plan import outcome_message
from dcplan.planner.roadmap_layout import continue_fills
from dcplan.planner.roadmap_pipeline import assemble_roadmap
from dcplan.planner.roadmap_plan import RoadmapPlan
from dcplan.planner.roadmap_types import Ordered
from dcplan.planner.solve import SolveSettings
from tests.planner.roadmap_fakes import roadmap, with_status

BETA = "r1/beta/ideal-dlc"


def _slots(plan, system: str = "beta") -> set[tuple[str, int]]:
    layout = plan.layout
    return {(row, slot) for row, slot, s in zip(layout.row, layout.slot, layout.system, strict=True) if s == system}


@pytest.fixture(scope="module")
def grow_shrink(ideal_catalog):
    """2 MW, 4 MW, 2 MW: 20, 40, 20 units; the 20 bought first retire at the end of a half-year life."""
    inputs, outcome = roadmap(ideal_catalog, [2, 4, 2], it_life_years=0.5)
    return inputs, outcome, assemble_roadmap(ideal_catalog, inputs, outcome)


def test_the_outcome_is_what_the_docstring_says(grow_shrink):
    _, outcome, _ = grow_shrink
    assert [round(p.values["units"][BETA]) for p in outcome.periods] == [20, 40, 20]


def test_each_period_is_a_checked_plan(grow_shrink):
    _, _, plan = grow_shrink
    assert plan.feasible and plan.recheck.ok, plan.recheck.violations
    assert [p.period for p in plan.periods] == ["2026Q1", "2026Q2", "2026Q3"]
    assert [sum(m.units for m in p.plan.mix) for p in plan.periods] == [20, 40, 20]
    assert all(p.plan.recheck.ok and p.plan.recheck.checked > 0 for p in plan.periods)
    assert plan.recheck.checked > sum(p.plan.recheck.checked for p in plan.periods)


def test_added_and_retired_from_the_stock(grow_shrink):
    _, _, plan = grow_shrink
    assert [[(c.option, c.units) for c in p.added] for p in plan.periods] == [[(BETA, 20)], [(BETA, 20)], []]
    assert [[(c.option, c.units, c.why) for c in p.retired] for p in plan.periods] == [
        [],
        [],
        [(BETA, 20, "end of life")],  # bought in 2026Q1, life 2 quarters
    ]


def test_layout_keeps_rows_and_retires_the_oldest(grow_shrink):
    """2026Q2 keeps 2026Q1's row r1-01 slot for slot and adds r1-02; 2026Q3 retires the 20
    of 2026Q1 (r1-01), keeping r1-02, where a fresh layout would have used r1-01."""
    _, _, plan = grow_shrink
    first, second, third = (p.plan for p in plan.periods)
    assert {row for row, _ in _slots(first)} == {"r1-01"}
    assert _slots(first) <= _slots(second)
    assert {row for row, _ in _slots(second)} == {"r1-01", "r1-02"}
    assert {row for row, _ in _slots(third)} == {"r1-02"}
    assert not any("afresh" in note for note in plan.notes)


def test_timeline_figures_from_the_plans(grow_shrink):
    """Energised = the period's utility power; capex: 20 x unit capex in the first two
    quarters plus the infrastructure bought, nothing in the third (fewer units need no
    new equipment); opex a quarter of the plan's annual opex; cash flow -(capex + opex)."""
    inputs, _, plan = grow_shrink
    points = plan.timeline
    assert [p.energised_mw for p in points] == [2.0, 4.0, 2.0]
    unit_musd = inputs.periods[0].unit_capex_usd[BETA] / 1e6
    assert points[0].capex_musd >= 20 * unit_musd > 0
    assert points[1].capex_musd >= 20 * unit_musd
    assert points[2].capex_musd == 0.0
    for point, period in zip(points, plan.periods, strict=True):
        assert point.used_mw == pytest.approx(float(period.plan.energy.facility_power_design.m_as("MW")))
        assert point.stranded_mw == pytest.approx(point.energised_mw - point.used_mw)
        assert point.opex_musd == pytest.approx(0.25 * float(period.plan.costs.annual_opex.m_as("USD")) / 1e6)
        assert point.cash_flow_musd == pytest.approx(-(point.capex_musd + point.opex_musd))
        assert point.units_by_generation == {"nvidia": sum(m.units for m in period.plan.mix)}  # beta's family
        assert point.units_by_system == {"beta": sum(m.units for m in period.plan.mix)}
        assert point.peak_pflops == pytest.approx(float(period.plan.compute_total.m_as("PFLOPS")))
    assert points[-1].cumulative_cash_musd == pytest.approx(sum(p.cash_flow_musd for p in points))
    assert plan.cumulative_delivered_pflop_days == pytest.approx(
        sum(p.hours / 24 * pt.delivered_pflops for p, pt in zip(inputs.periods, points, strict=True))
    )


def test_infrastructure_is_bought_once(grow_shrink):
    """The ideal catalog's equipment is free, so price it here: 2, 4 then 2 UPS modules of
    1 MUSD each cost 2, 2 (the two above the first period's) and 0 MUSD (kept, not re-bought)."""
    inputs, _, plan = grow_shrink
    from dcplan.models.units import qty
    from dcplan.planner.roadmap_timeline import period_money

    periods = []
    for period, count in zip(plan.periods, (2, 4, 2), strict=True):
        ups = period.plan.equipment[0].model_copy(
            update={"item": "UPS modules", "count": count, "capex": qty(count * 1e6, "USD")}
        )
        periods.append(period.model_copy(update={"plan": period.plan.model_copy(update={"equipment": [ups]})}))
    money = period_money(inputs, periods)
    assert [m.infra_capex_musd for m in money] == [2.0, 2.0, 0.0]
    unit_musd = inputs.periods[0].unit_capex_usd[BETA] / 1e6
    assert [m.units_capex_musd for m in money] == [20 * unit_musd, 20 * unit_musd, 0.0]


def test_npv_and_residual(ideal_catalog):
    """2, 4, 4 MW with a 2-year IT life: 20 units of capex u bought at 0 and 0.25 years; the
    horizon ends at 0.75 years, so they keep 1 - 0.75/2 = 0.625 and 1 - 0.5/2 = 0.75 of their
    price: residual = 20u (0.625 + 0.75) (the ideal catalog's infrastructure is free).
    NPV = sum_t 1.08^-s_t (capex_t + opex_t) - 1.08^-0.75 x residual."""
    inputs, outcome = roadmap(ideal_catalog, [2, 4, 4], it_life_years=2.0)
    plan = assemble_roadmap(ideal_catalog, inputs, outcome)
    unit_musd = inputs.periods[0].unit_capex_usd[BETA] / 1e6
    expected = 20 * unit_musd * (0.625 + 0.75)
    assert expected > 0 and plan.residual_value_musd == pytest.approx(expected)
    spent = sum(1.08 ** -(0.25 * t) * (p.capex_musd + p.opex_musd) for t, p in enumerate(plan.timeline))
    assert plan.npv_tco_musd == pytest.approx(spent - 1.08**-0.75 * expected)
    assert [p.discount_factor for p in plan.timeline] == pytest.approx([1.0, 1.08**-0.25, 1.08**-0.5])


def test_roadmap_plan_json_round_trip(grow_shrink):
    _, _, plan = grow_shrink
    again = RoadmapPlan.model_validate_json(plan.to_json_text())
    assert again == plan
    assert again.to_json_text(pretty=True) == plan.to_json_text(pretty=True)


def test_life_violation_is_caught(ideal_catalog):
    """A quarter-year life: the 20 units of 2026Q1 are due in 2026Q2 but the stock keeps them."""
    inputs, outcome = roadmap(ideal_catalog, [2, 4], it_life_years=0.25)
    plan = assemble_roadmap(ideal_catalog, inputs, outcome)
    assert not plan.recheck.ok
    assert any("end of their 0.25-year life" in line for line in plan.recheck.violations)


def test_lead_time_needs_an_order(ideal_catalog):
    """Transformers with a 2-quarter lead time: none may stand in the first two quarters
    unless ordered before the start; with enough on order, the orders say 'before start'."""
    inputs, outcome = roadmap(ideal_catalog, [2, 4], lead_periods={"distribution-transformer": 2})
    plan = assemble_roadmap(ideal_catalog, inputs, outcome)
    assert any("distribution-transformer" in line for line in plan.recheck.violations)
    owner = next(line.scope for line in plan.periods[0].plan.equipment if line.item == "transformers")
    ordered = [Ordered("distribution-transformer", owner, 100, 0)]
    inputs, outcome = roadmap(ideal_catalog, [2, 4], lead_periods={"distribution-transformer": 2}, ordered=ordered)
    plan = assemble_roadmap(ideal_catalog, inputs, outcome)
    assert plan.recheck.ok, plan.recheck.violations
    transformer_orders = [o for o in plan.orders if o.equipment == "distribution-transformer"]
    assert transformer_orders and all(o.ordered == "before start" for o in transformer_orders)
    assert transformer_orders[0].delivered == "2026Q1" and transformer_orders[0].lead_time_periods == 2


def test_budget_violation_is_caught(ideal_catalog):
    inputs, outcome = roadmap(ideal_catalog, [2, 4], budgets_musd=[None, 0.001])
    plan = assemble_roadmap(ideal_catalog, inputs, outcome)
    assert any(line.startswith("2026Q2: capex") and "over its budget" in line for line in plan.recheck.violations)


def test_stock_balance_violation_is_caught(ideal_catalog):
    """Linking values that do not add up to the laid-out stock (20 + 10 != 40)."""
    linking = {"add": {(0, BETA): 20.0, (1, BETA): 10.0}, "ret": {}}
    inputs, outcome = roadmap(ideal_catalog, [2, 4], linking=linking)
    plan = assemble_roadmap(ideal_catalog, inputs, outcome)
    assert any("2026Q2 r1/beta/ideal-dlc: 40 units laid out" in line for line in plan.recheck.violations)


def test_unavailable_option_is_caught(ideal_catalog):
    from dataclasses import replace

    inputs, outcome = roadmap(ideal_catalog, [2, 4])
    periods = [inputs.periods[0], replace(inputs.periods[1], purchasable=frozenset(), installable=frozenset())]
    plan = assemble_roadmap(ideal_catalog, replace(inputs, periods=periods), outcome)
    assert any("not available yet" in line for line in plan.recheck.violations)
    assert any("cannot be bought" in line for line in plan.recheck.violations)


@pytest.mark.parametrize("status", ["infeasible", "no-plan-within-limit"])
def test_no_plan(ideal_catalog, status):
    inputs, outcome = roadmap(ideal_catalog, [2])
    options = PlanOptions(settings=SolveSettings(), diagnose=False)  # the fake is not really infeasible
    plan = assemble_roadmap(ideal_catalog, inputs, with_status(outcome, status), options)
    assert not plan.feasible and plan.periods == [] and plan.timeline == []
    assert plan.diagnosis.summary == (
        "infeasible; diagnosis not run" if status == "infeasible" else outcome_message(plan.solver, has_plan=False)
    )
    assert plan.solver.status == status
    assert RoadmapPlan.model_validate_json(plan.to_json_text()) == plan


def test_continue_fills_first_period_is_fresh(ideal_catalog):
    inputs, outcome = roadmap(ideal_catalog, [2])
    data, values = inputs.periods[0].data, outcome.periods[0].values
    fills, state, afresh = continue_fills(data, values["units"], values.get("rows"), None, {}, 0)
    assert afresh is None and [(f.row, f.units) for f in fills] == [("r1-01", 20)]
    assert [(r.name, r.units) for r in state.rows["r1"] if r.units] == [("r1-01", 20)]


def test_continue_fills_switches_system_only_in_an_emptied_row(ideal_catalog):
    """Period 0: 20 beta in r1-01. Period 1: the beta retired and 10 alpha bought: alpha
    takes the row freed (r1-01, the first free one); a row never holds two options."""
    inputs, outcome = roadmap(ideal_catalog, [2])
    data, values = inputs.periods[0].data, outcome.periods[0].values
    _, state, _ = continue_fills(data, values["units"], None, None, {}, 0)
    alpha = "r1/alpha/ideal-dlc"
    fills, _, afresh = continue_fills(data, {alpha: 10.0}, None, state, {BETA: 20}, 1)
    assert afresh is None and [(f.row, f.option.key, f.units) for f in fills] == [("r1-01", alpha, 10)]
    fills, _, _ = continue_fills(data, {alpha: 10.0, BETA: 20.0}, None, state, {}, 1)
    assert sorted((f.row, f.option.key) for f in fills) == [("r1-01", BETA), ("r1-02", alpha)]


@pytest.fixture(scope="module")
def refreshed():
    """enterprise-hybrid over two quarters with a one-quarter IT life, solved by the real
    time-expanded model (planner.roadmap_solve) under min-npv-tco: every unit of 2026Q1 is
    retired at the end of its life in 2026Q2 and bought again."""
    from dcplan.models.catalog import load_catalog
    from dcplan.planner.modeldata import build_model_data
    from dcplan.planner.roadmap_solve import solve_roadmap
    from dcplan.planner.scenario import SCENARIO_DIR, load_scenario
    from tests.planner.roadmap_fakes import inputs_for

    catalog = load_catalog()
    scenario = load_scenario(SCENARIO_DIR / "enterprise-hybrid.toml")
    # a roadmap does not apply [[utility_limit]] per period yet (refused in a roadmap scenario)
    data = build_model_data(scenario.model_copy(update={"utility_limit": []}), catalog)
    inputs = inputs_for([data] * 2, it_life_years=0.25, budgets_musd=[None, 2500.0], objective="min-npv-tco")
    outcome = solve_roadmap(inputs, SolveSettings(process="in-process", rel_gap=1e-9, time_limit_s=60))
    assert outcome.status == "optimal"
    return inputs, outcome, assemble_roadmap(catalog, inputs, outcome)


def test_real_roadmap_is_checked_and_agrees_with_the_solver(refreshed):
    """The plan's money and compute are recomputed from its layout; they agree with the
    solver's own period figures (capex within 0.1 %: the plan counts PDUs per actual rack),
    and the re-check of every period and of the roadmap passes."""
    _, outcome, plan = refreshed
    assert plan.recheck.ok, plan.recheck.violations
    for t, point in enumerate(plan.timeline):
        assert point.capex_musd == pytest.approx(outcome.capex_musd[t], rel=1e-3)
        assert point.opex_musd == pytest.approx(outcome.opex_musd[t], rel=1e-9)
        assert point.delivered_pflops == pytest.approx(outcome.delivered_pflops[t], rel=1e-9)
    assert plan.npv_tco_musd == pytest.approx(outcome.npv_tco_musd, rel=1e-3)
    assert plan.residual_value_musd == pytest.approx(outcome.residual_musd, rel=1e-2)


def test_real_refresh_keeps_the_rows(refreshed):
    """A refresh retires every 2026Q1 unit (end of life) and buys as many again: the new
    units stand in the same rows and slots."""
    _, _, plan = refreshed
    first, second = plan.periods
    assert {c.option: c.units for c in second.retired} == {c.option: c.units for c in first.added}
    assert {c.why for c in second.retired} == {"end of life"}
    layout = [p.plan.layout for p in plan.periods]
    places = [set(zip(lay.hall, lay.row, lay.slot, lay.system, strict=True)) for lay in layout]
    assert places[0] and places[0] == places[1]


def test_marginal_value_of_utility_power_per_period(ideal_catalog):
    """The real roadmap solve of 2, 4, 2 MW. In every period the utility power binds; one
    more MW in period t only holds 1,000 kW / 100 kW = 10 more beta units of 200 PFLOPS
    each for that quarter (91.3125 days): 10 x 200 x 91.3125 = 182,625 PFLOP-days of
    cumulative delivered work. The incremental MIP re-solve (planner.roadmap_resolve) finds it
    exactly; the LP estimate (used when no re-solve runs) is that less the tie-break x their
    NPV (under 0.01 %)."""
    from dcplan.planner.roadmap_solve import solve_roadmap

    inputs, _ = roadmap(ideal_catalog, [2, 4, 2], it_life_years=0.5)
    settings = SolveSettings(process="in-process", rel_gap=1e-9)
    outcome = solve_roadmap(inputs, settings)
    plan = assemble_roadmap(ideal_catalog, inputs, outcome, PlanOptions(settings=settings))
    for period in plan.periods:
        (power,) = [u for u in period.plan.limits if u.binding]
        assert power.limit == "utility power (design day)" and power.marginal_method == "re-solve"
        assert power.marginal == pytest.approx(10 * 200 * inputs.periods[0].hours / 24, rel=1e-9)
        assert f"in {period.period} = +182,625 PFLOP-days (re-solve)" in power.marginal_text
    no_time = assemble_roadmap(ideal_catalog, inputs, outcome, PlanOptions(settings=settings, marginal_budget_s=0.0))
    for period in no_time.periods:
        (power,) = [u for u in period.plan.limits if u.binding]
        assert power.marginal_method == "LP estimate" and "not re-solved" in (power.marginal_note or "")
        assert power.marginal == pytest.approx(10 * 200 * inputs.periods[0].hours / 24, rel=1e-4)
        assert power.marginal < 10 * 200 * inputs.periods[0].hours / 24
        assert f"in {period.period} = +182,625 PFLOP-days (LP estimate)" in power.marginal_text


def test_without_a_model_limits_are_not_valued(grow_shrink):
    """The fake outcome has no roadmap model: every binding limit says why it has no value."""
    _, _, plan = grow_shrink
    binding = [u for p in plan.periods for u in p.plan.limits if u.binding]
    assert binding and all(u.marginal is None for u in binding)
    assert all(u.marginal_text == "not valued: roadmap (no solved roadmap model to price limits on)" for u in binding)


def test_no_marginals_asked(ideal_catalog):
    inputs, outcome = roadmap(ideal_catalog, [2])
    options = PlanOptions(settings=SolveSettings(), marginals=False)
    plan = assemble_roadmap(ideal_catalog, inputs, outcome, options)
    assert all(u.marginal_text is None for u in plan.periods[0].plan.limits)


def test_year_budget_group_is_checked(ideal_catalog):
    """A budget over 2026Q1 + 2026Q2 (extras["capex_budget_groups"]) far below their spend."""
    from dataclasses import replace

    inputs, outcome = roadmap(ideal_catalog, [2, 4])
    inputs = replace(inputs, extras={"capex_budget_groups": [([0, 1], 1.0)]})
    plan = assemble_roadmap(ideal_catalog, inputs, outcome)
    assert any(line.startswith("2026Q1..2026Q2: capex") for line in plan.recheck.violations)
    inputs = replace(inputs, extras={"capex_budget_groups": [([0, 1], 1e6)]})
    assert assemble_roadmap(ideal_catalog, inputs, outcome).recheck.ok


def _density_inputs(ideal_catalog, linking):
    """One beta row (20 units) in 2026Q1 under density classes of 1 kW (0.5 MUSD a row)
    and 1,000 kW (2 MUSD a row): its racks need the second class."""
    from dataclasses import replace
    from types import SimpleNamespace

    from dcplan.planner.roadmap_slots import DensityClass

    inputs, outcome = roadmap(ideal_catalog, [2])
    classes = [DensityClass(rack_kw=1.0, capex_usd=0.5e6), DensityClass(rack_kw=1000.0, capex_usd=2e6)]
    inputs = replace(inputs, extras={"slots": SimpleNamespace(density={"r1": classes})})
    return inputs, replace(outcome, linking=linking)


def test_density_builds_are_paid_and_checked(ideal_catalog):
    """Built for the 1,000 kW class: +2 MUSD in 2026Q1 and the check passes; built for the
    1 kW class only: 0.5 MUSD and the check finds the row's racks uncovered."""
    base = {"add": {(0, BETA): 20.0}, "ret": {}}
    high = {**base, "density_build": {(0, "r1", 1): 1.0}, "density_rows": {(0, "r1", 1): 1.0}}
    low = {**base, "density_build": {(0, "r1", 0): 1.0}, "density_rows": {(0, "r1", 0): 1.0}}
    for linking, extra, ok in ((high, 2.0, True), (low, 0.5, False)):
        inputs, outcome = _density_inputs(ideal_catalog, linking)
        plan = assemble_roadmap(ideal_catalog, inputs, outcome)
        unit_musd = 20 * inputs.periods[0].unit_capex_usd[BETA] / 1e6
        assert plan.timeline[0].capex_musd == pytest.approx(unit_musd + extra)
        assert plan.recheck.ok is ok
        if not ok:
            assert any("r1: 1 rows with racks above 1 kW but 0 built" in v for v in plan.recheck.violations)


def test_term_starts_from_the_rented_units():
    """2-period terms rented 2, 2, 3, 1: 2 start in 2026Q1 (held through Q2), 3 start in Q3
    once those end, and Q4's 1 would give back 2 of the 3 before their term ends."""
    from dcplan.planner.roadmap_timeline import term_starts

    assert term_starts([2, 2, 3, 1], 2) == [2, 0, 3, -2]
    assert term_starts([], 3) == [] and term_starts([0, 0], 1) == [0, 0]


def test_cloud_term_and_ai_factory_opex(grow_shrink):
    """A 2-period term of 1 MUSD a year rented 2, 2, 3 (a quarter: 0.25 MUSD a unit): the
    period prices are replaced by the locked ones and the last term's quarter past the
    horizon is charged in 2026Q3: extra = [0, 0, 0.75]. An AI Factory at 10 USD/h over the
    beta units adds 10 x 2,191.5 h x units / 1e6 and its 25-unit commitment fails in 2026Q1."""
    from dataclasses import replace
    from types import SimpleNamespace

    from dcplan.planner.roadmap_recheck import roadmap_recheck
    from dcplan.planner.roadmap_timeline import extension_opex, period_money

    inputs, _, plan = grow_shrink
    line = plan.periods[0].plan.mix[0]
    periods = []
    for period, units in zip(plan.periods, (2, 2, 3), strict=True):
        cloud = line.model_copy(update={"place": "cloud:x", "units": units})
        periods.append(
            period.model_copy(update={"plan": period.plan.model_copy(update={"mix": [*period.plan.mix, cloud]})})
        )
    offer = SimpleNamespace(key="cloud:x", annual_cost_usd=1e6)
    term = SimpleNamespace(key="cloud:x", term="reserved", periods=2)
    inputs = replace(
        inputs,
        periods=[replace(p, data=replace(p.data, clouds=[offer])) for p in inputs.periods],
        extras={"cloud": SimpleNamespace(terms=[term], factories=[])},
    )
    assert extension_opex(inputs, periods) == pytest.approx([0.0, 0.0, 0.75])
    factory = SimpleNamespace(
        id="f", keys=(BETA,), rate_usd_per_hour=10.0, min_units=25, from_period=0, commit_periods=2
    )
    inputs = replace(inputs, extras={"cloud": SimpleNamespace(terms=[], factories=[factory])})
    hours = inputs.periods[0].hours
    assert extension_opex(inputs, periods) == pytest.approx([10 * hours * n / 1e6 for n in (20, 40, 20)])
    checked = roadmap_recheck(inputs, periods, period_money(inputs, periods))
    assert [v for v in checked.violations if "AI Factory" in v] == [
        "2026Q1 AI Factory f: 20 units below the commitment of 25"
    ]
