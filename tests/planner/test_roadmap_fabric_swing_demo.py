"""The shipped roadmap demo with the single-period demo's [fabric] and [[utility_limit]]
(place = true; a 10 MW swing band at ashburn-va) added: issue 15's decisions per period.
Before planner.roadmap_layout._compact, this plan failed the roadmap re-check in 2027Q2
("b-mgx: 15 rows used but 14 built"): the continued layout kept a 1-unit GB300 row beside
four others. Checked: the re-check passes, every period places network racks and states
its swing, the battery never shrinks, and the timeline's capex charges it once."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from dcplan.planner.scenario import SCENARIO_DIR

ADDED = '[fabric]\nplace = true\n\n[[utility_limit]]\nsite = "ashburn-va"\nswing_band = "10 MW"\nramp_rate_mw_per_s = 10\n\n'


@pytest.fixture(scope="module")
def plan(catalog, tmp_path_factory):
    from dcplan.planner.pipeline import PlanOptions
    from dcplan.planner.roadmap_pipeline import plan_roadmap
    from dcplan.planner.scenario import load_scenario
    from dcplan.planner.solve import SolveSettings

    text = (SCENARIO_DIR / "aws-roadmap-2026-2030.toml").read_text(encoding="utf-8")
    at = text.index("[[hall]]")
    path: Path = tmp_path_factory.mktemp("demo") / "demo-fabric-swing.toml"
    path.write_text(text[:at] + ADDED + text[at:], encoding="utf-8")
    options = PlanOptions(settings=SolveSettings(time_limit_s=60.0, rel_gap=0.005), marginals=False)
    return plan_roadmap(load_scenario(path), catalog, options)


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
