"""The shipped roadmap demo, which carries the single-period demo's [fabric] (place = true)
and [[utility_limit]] (a 10 MW swing band at ashburn-va): issue 15's decisions per period.
Before planner.roadmap_layout._compact, this plan failed the roadmap re-check in 2027Q2
("b-mgx: 15 rows used but 14 built"): the continued layout kept a 1-unit GB300 row beside
four others. Checked: the re-check passes, every period places network racks and states
its swing, the battery never shrinks, and the timeline's columns are the plans' figures."""

from __future__ import annotations

import itertools

import pytest


@pytest.fixture(scope="module")
def plan(catalog):
    from dcplan.planner.pipeline import PlanOptions
    from dcplan.planner.roadmap_pipeline import plan_roadmap
    from dcplan.planner.scenario import DEMO_ROADMAP, load_scenario
    from dcplan.planner.solve import SolveSettings

    scenario = load_scenario(DEMO_ROADMAP)
    assert scenario.fabric is not None and scenario.fabric.place and scenario.utility_limit
    options = PlanOptions(settings=SolveSettings(time_limit_s=60.0, rel_gap=0.005), marginals=False)
    return plan_roadmap(scenario, catalog, options)


def test_the_plan_passes_its_roadmap_recheck(plan):
    assert plan.recheck.ok, plan.recheck.violations[:5]
    assert len(plan.periods) == 20


def test_every_period_places_network_racks_and_states_its_swing(plan):
    placed = []
    for period in plan.periods:
        (line,) = period.plan.swing
        assert line.residual.m_as("kW") <= 10_000.0 + 1e-6, period.period
        placed.append(sum(a.placed_racks for a in period.plan.all_in))
    assert all(n > 0 for n in placed), placed  # network + storage racks in rows every period


def test_the_battery_never_shrinks_and_is_charged_when_built(plan):
    kw = [p.plan.swing[0].battery_power.m_as("kW") for p in plan.periods]
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(kw)), kw
    assert kw[-1] > 0


def test_the_timeline_columns_are_the_plans_figures(plan):
    for period, point in zip(plan.periods, plan.timeline, strict=True):
        (line,) = period.plan.swing
        assert point.network_racks == sum(a.placed_racks for a in period.plan.all_in) > 0
        assert point.battery_mw == pytest.approx(line.battery_power.m_as("MW"))
        assert point.floor_mw == pytest.approx(line.floor.m_as("MW"))
