"""The shipped roadmap demo with an [[onsite_power]] row (ten gas-recip-4mw gensets at
ashburn-va) added: issue 15's on-site power per period. Before
planner.roadmap_onsite.onsite_within_options this plan crashed in the re-check (KeyError on
a slot option the roadmap had dropped). Checked: the re-check passes; no genset before the
1-year lead time from 2026Q1 (the first four quarters); gensets never fall once built; each
standing genset's usable MW is 4,400 kW x 0.95 = 4.18 MW; the genset equipment lines (what
the timeline charges when built) price 1,200 USD/kW x 4,400 kW = 5.28 MUSD a unit."""

from __future__ import annotations

import itertools

import pytest

from dcplan.planner.scenario import SCENARIO_DIR

ADDED = '\n[[onsite_power]]\nsite = "ashburn-va"\nprime_mover = "gas-recip-4mw"\nmax_units = 10\n'


@pytest.fixture(scope="module")
def plan(catalog, tmp_path_factory):
    from dcplan.planner.pipeline import PlanOptions
    from dcplan.planner.roadmap_pipeline import plan_roadmap
    from dcplan.planner.scenario import load_scenario
    from dcplan.planner.solve import SolveSettings

    text = (SCENARIO_DIR / "aws-roadmap-2026-2030.toml").read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("demo") / "demo-onsite.toml"
    path.write_text(text + ADDED, encoding="utf-8")
    options = PlanOptions(settings=SolveSettings(time_limit_s=60.0, rel_gap=0.005), marginals=False)
    return plan_roadmap(load_scenario(path), catalog, options)


def test_the_plan_passes_its_roadmap_recheck(plan):
    assert plan.recheck.ok, plan.recheck.violations[:5]
    assert len(plan.periods) == 20


def test_gensets_wait_for_their_lead_time_and_are_kept(plan):
    units = [p.plan.onsite[0].units for p in plan.periods]
    assert units[:4] == [0, 0, 0, 0], units
    assert all(b >= a for a, b in itertools.pairwise(units)), units
    for point, n in zip(plan.timeline, units, strict=True):
        assert point.onsite_gensets == n
        assert point.onsite_mw == pytest.approx(n * 4.18)


def test_the_genset_equipment_lines_price_each_unit(plan):
    """Each period's 'gensets' line carries 5.28 MUSD a unit, and some period has one."""
    lines = [[e for e in p.plan.equipment if e.item == "gensets"] for p in plan.periods]
    counts = [sum(e.count for e in group) for group in lines]
    for group in lines:
        for e in group:
            assert e.capex.m_as("USD") == pytest.approx(e.count * 5.28e6)
    assert max(counts) > 0


def test_each_period_line_prices_genset_om(plan):
    """gas-recip-4mw O&M per period line: 0.011 USD/kWh x generated kWh + 20 USD/kW-yr x
    4,400 kW x n; a period running 10 units flat out (41.8 MW x 8760 h = 366,168 MWh) pays
    4,027,848 + 880,000 = 4,907,848 USD/yr. Gensets still run as prime power: fuel + variable
    O&M 2.17 x 0.0119 + 0.011 = 0.0368 USD/kWh against Virginia's 0.089."""
    lines = [p.plan.onsite[0] for p in plan.periods]
    for line in lines:
        expected = 0.011 * line.generated_mwh_per_year * 1000 + 20 * 4400 * line.units
        assert line.om_usd_per_year == pytest.approx(expected)
    assert any(line.units == 10 and line.om_usd_per_year == pytest.approx(4_907_848.0) for line in lines)
