"""The fabric tier per roadmap period (planner.roadmap_fabric), by hand.

Hand fabric (tests/data/handfabric): beta (1 rack, 100 chips, 100 kW, 3 MUSD a unit) on a
fat tree of 64-port switches (k/2 = 32), one port per chip, 1 kW, 1 U and 1,000 USD per
switch, 42 U / 100 kW per network rack, 1 W per powered link end, 1 USD per link end and
per cable, no storage. Two halls of one 20-position row each (a in h1, b in h2); h2 is
ready from the second quarter. Three quarters, max-cumulative-delivered, no lead times.

- 2026Q1, h1 only: the cluster is 20 x 100 = 2,000 chips <= 2 x 32**2 = 2,048: 2 tiers,
  ceil(2,000 / 32) = 63 leaves + 32 spines = 95 switches; 2,000 leaf-side ends + 2 x 2,000
  switch-link ends at 1 W = 6 kW: 101 kW in ceil(max(95 / 42, 1.01)) = 3 racks; capex
  95,000 + 2,000 x 3 + 2,000 x 3 = 107,000 USD. Per unit (100 / 2,000): n = 0.15 racks,
  5.05 kW, 5,350 USD. Row a: u + ceil(0.15 u) <= 20 -> 17 units (17 + 3 = 20), 3 racks.
- 2026Q2 on, h1 + h2: 4,000 chips > 2,048: 3 tiers, 125 + 125 + 63 = 313 switches;
  4,000 endpoint links and 2 x 4,000 switch links: 313 + 4 + 16 = 333 kW in
  ceil(max(313 / 42, 3.33)) = 8 racks; capex 313,000 + 4,000 x 3 + 8,000 x 3 = 349,000 USD.
  Per unit (100 / 4,000): n = 0.2, 8.325 kW, 8,725 USD. A row: u + ceil(0.2 u) <= 20 -> 16
  (16 + 4 = 20): 16 units and 4 network racks in each of a and b, 8 in all.

Sized at the horizon's cluster (as before), 2026Q1 would carry 4,000-chip shares: 16 units
and 4 racks in row a.
"""

from __future__ import annotations

import copy

import pytest

from dcplan.models.catalog import load_catalog
from dcplan.planner.layout import NETWORK_SYSTEM
from dcplan.planner.scenario import parse_scenario
from tests.planner.conftest import BASE, HANDCAT
from tests.planner.test_fabric_placement import HANDFABRIC

ROW = {"busway": "ideal-busway", "busway_runs_per_feed": 4, "cooling": ["ideal-dlc"], "count": 1, "positions": 20}
ROADMAP = {"start": "2026Q1", "period": "quarter", "periods": 3, "objective": "max-cumulative-delivered"}
ROADMAP |= {"lead_times": False}
BETA_USD = 3e6


@pytest.fixture(scope="module")
def fabric_catalog():
    return load_catalog([HANDCAT, HANDFABRIC], use_env=False)


def _raw(place: bool = True, **tables: object) -> dict:
    data = copy.deepcopy(BASE) | tables
    hall_2 = {**BASE["hall"][0], "id": "h2", "ready": "2026-04-01"}
    data.update(
        hall=[BASE["hall"][0], hall_2],
        row=[{**ROW, "id": "a", "hall": "h1"}, {**ROW, "id": "b", "hall": "h2"}],
        candidate=[{"system": "beta"}],
        roadmap=dict(ROADMAP),
    )
    if place:
        data["fabric"] = {"place": True}
    return data


@pytest.fixture(scope="module")
def inputs(fabric_catalog):
    from dcplan.planner.roadmap_inputs import roadmap_inputs

    return roadmap_inputs(parse_scenario(_raw()), fabric_catalog)


def _solve(raw: dict, catalog):
    from dcplan.planner.pipeline import PlanOptions
    from dcplan.planner.roadmap_pipeline import plan_roadmap
    from dcplan.planner.solve import SolveSettings

    options = PlanOptions(settings=SolveSettings(time_limit_s=30.0, rel_gap=1e-9), marginals=False)
    return plan_roadmap(parse_scenario(raw), catalog, options)


@pytest.fixture(scope="module")
def plan(fabric_catalog):
    return _solve(_raw(), fabric_catalog)


def test_each_period_sizes_the_fabric_at_the_cluster_its_ready_halls_hold(inputs):
    shares = [p.data.options[0].fabric for p in inputs.periods]
    assert [(s.cluster_chips, s.tiers) for s in shares] == [(2000, 2), (4000, 3), (4000, 3)]
    assert (shares[0].racks, shares[0].kw, shares[0].capex_usd) == pytest.approx((0.15, 5.05, 5350.0))
    assert (shares[1].racks, shares[1].kw, shares[1].capex_usd) == pytest.approx((0.2, 8.325, 8725.0))
    assert [p.data.options[0].units_per_row_max for p in inputs.periods] == [17, 16, 16]
    # the last periods are the union data (all halls ready): one object, one block built
    assert inputs.periods[1].data is inputs.periods[2].data
    # a unit bought pays its system's price and the period's fabric share
    key = "a/beta/ideal-dlc"
    assert [p.unit_capex_usd[key] for p in inputs.periods] == pytest.approx(
        [BETA_USD + 5350.0, *[BETA_USD + 8725.0] * 2]
    )


def test_network_racks_jump_in_the_period_the_cluster_crosses_the_tier_threshold(plan):
    assert plan.recheck.ok, plan.recheck.violations[:3]
    units = [sum(m.units for m in p.plan.mix) for p in plan.periods]
    racks = [list(p.plan.layout.system).count(NETWORK_SYSTEM) for p in plan.periods]
    tiers = [p.plan.all_in[0].all_in.fabric.tiers for p in plan.periods]
    assert units == [17, 32, 32]
    assert racks == [3, 8, 8]  # row a: 3 -> 4 (the third tier), row b: 4
    assert tiers == [2, 3, 3]
    network_kw = [
        sum(k for s, k in zip(p.plan.layout.system, p.plan.layout.rack_kw, strict=True) if s == NETWORK_SYSTEM)
        for p in plan.periods
    ]
    assert network_kw == pytest.approx([17 * 5.05, 32 * 8.325, 32 * 8.325])


def test_the_kept_units_pay_the_tier_once_and_new_units_its_share(plan):
    """2026Q2: row a keeps 16 of its 17 units (one retired: its position holds the fourth
    network rack) and b gets 16 new ones: capex 16 x (3e6 + 8,725) USD for the new units +
    16 x (8,725 - 5,350) = 54,000 USD for the kept units' third tier; 2026Q1: 17 x
    (3e6 + 5,350); 2026Q3: nothing bought. Equipment is free in the hand catalog."""
    capex = [p.capex_musd for p in plan.timeline]
    assert capex[0] == pytest.approx(17 * (BETA_USD + 5350.0) / 1e6)
    assert capex[1] == pytest.approx((16 * (BETA_USD + 8725.0) + 16 * 3375.0) / 1e6)
    assert capex[2] == pytest.approx(0.0, abs=1e-9)


def test_without_placing_nothing_changes_per_period(fabric_catalog):
    from dcplan.planner.roadmap_inputs import roadmap_inputs

    inputs = roadmap_inputs(parse_scenario(_raw(place=False)), fabric_catalog)
    assert all(p.data is inputs.periods[0].data for p in inputs.periods)
    assert all(o.fabric is None for o in inputs.periods[0].data.options)


def test_the_timeline_csv_and_tui_state_the_network_racks_per_period(plan):
    from dcplan.planner.roadmap_export import timeline_csv_text
    from dcplan.tui.screens.timeline import fabric_swing_text

    assert [p.network_racks for p in plan.timeline] == [3, 8, 8]
    assert [p.network_kw for p in plan.timeline] == pytest.approx([17 * 5.05, 32 * 8.325, 32 * 8.325])
    header, first, second, _ = timeline_csv_text(plan).splitlines()
    columns = header.split(",")
    at = columns.index("network_racks")
    assert columns[at : at + 5] == ["network_racks", "network_kw", "battery_mw", "battery_mwh", "floor_mw"]
    assert (first.split(",")[at], second.split(",")[at]) == ("3", "8")
    assert fabric_swing_text(plan.timeline[1], swing=False) == "fabric  8 network racks, 266 kW\n"  # 266.4


def test_the_timeline_states_the_swing_battery_per_period(fabric_catalog):
    """A 1 MW band, batteries only: beta swings 100 - 20 = 80 kW a unit (no storage of its
    own); 17 units swing 1,360 kW: a 360 kW battery of 0.5 h x 360 = 180 kWh; 32 units swing
    2,560 kW: 1,560 kW and 780 kWh, kept in 2026Q3. The fleet is the one above: the swing
    does not change what fits."""
    limit = [{"site": "cold-aws", "swing_band": "1 MW", "mitigation": ["battery"]}]
    plan = _solve(_raw(utility_limit=limit), fabric_catalog)
    assert plan.recheck.ok, plan.recheck.violations[:3]
    assert [p.network_racks for p in plan.timeline] == [3, 8, 8]
    assert [p.battery_mw for p in plan.timeline] == pytest.approx([0.36, 1.56, 1.56])
    assert [p.battery_mwh for p in plan.timeline] == pytest.approx([0.18, 0.78, 0.78])
    assert [p.floor_mw for p in plan.timeline] == pytest.approx([0.0, 0.0, 0.0])
