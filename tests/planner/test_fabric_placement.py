"""Network and storage racks placed by the optimiser (issue 15, item 1, step 3), by hand.

Hand fabric (tests/data/handfabric): beta (1 rack, 100 chips, 100 kW per unit) on a fat
tree of 64-port switches, 1 kW and 1 U each, 42 U / 100 kW per network rack, 1 W per
powered link end, 1,000 USD per switch, 1 USD per link end and per cable, no storage.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from dcplan.models.catalog import load_catalog
from dcplan.planner.fabric_data import largest_cluster_chips, placed_fabric, units_per_row_positions
from dcplan.planner.layout import NETWORK_SYSTEM
from dcplan.planner.modeldata import build_model_data, sizing_options
from dcplan.planner.scenario import ScenarioError
from tests.planner.conftest import BASE, HANDCAT, scenario, solve_plan

HANDFABRIC = Path(__file__).resolve().parents[1] / "data" / "handfabric"
ROW = {
    "id": "r1",
    "hall": "h1",
    "count": 1,
    "busway": "ideal-busway",
    "busway_runs_per_feed": 4,
    "cooling": ["ideal-dlc"],
}


@pytest.fixture(scope="module")
def fabric_catalog():
    return load_catalog([HANDCAT, HANDFABRIC], use_env=False)


def _beta(positions: int, **changes):
    return scenario(row=[{**ROW, "positions": positions}], candidate=[{"system": "beta"}], **changes)


@pytest.mark.parametrize(
    ("positions", "slots", "per_rack", "n", "expected"),
    [
        (19, 1, 1, 0.0, 19),  # no fabric: floor(P / r)
        (19, 1, 1, 3 / 19, 16),  # u + ceil(u * 3/19) <= 19: 16 + 3 = 19; 17 + 3 = 20 > 19
        (18, 2, 1, 0.25, 8),  # 2u + ceil(u / 4) <= 18: 16 + 2 = 18
        (10, 1, 4, 0.0, 40),  # servers, 4 per rack: P * x
        (10, 1, 4, 0.1, 28),  # ceil(u / 4) + ceil(u / 10) <= 10: 7 + 3 = 10; 29: 8 + 3 = 11
        (1, 2, 1, 0.0, 0),  # a 2-rack unit in 1 position
    ],
)
def test_units_per_row_positions_reserve_the_row_end(positions, slots, per_rack, n, expected):
    assert units_per_row_positions(positions, slots, per_rack, n) == expected


def test_a_row_holds_fewer_units_with_its_fabric_and_the_plan_places_it(fabric_catalog):
    """19 positions: 19 betas without fabric. Placed, the fabric is sized at the largest
    cluster the row holds, 19 x 100 = 1,900 chips: 2 tiers (1,900 <= 2 x 32^2 = 2,048),
    ceil(1,900 / 32) = 60 leaves + 30 spines = 90 switches; 1,900 leaf-side ends + 2 x 1,900
    switch-link ends at 1 W = 5.7 kW; 95.7 kW in ceil(max(90 / 42, 0.957)) = 3 racks, i.e.
    n = 3/19 racks and 95.7 / 19 = 5.0368 kW per unit. Row: u + ceil(3u/19) <= 19 -> 16 units,
    3 network racks at slots 17-19. The exact fabric of 1,600 chips (50 + 25 switches, 79.8 kW,
    2 racks) fits what the row reserves (3 racks, 16 x 5.0368 = 80.59 kW)."""
    without = solve_plan(_beta(19), fabric_catalog)
    assert without.recheck.ok and sum(m.units for m in without.mix) == 19
    plan = solve_plan(_beta(19, fabric={"place": True}), fabric_catalog)
    assert plan.solver.status == "optimal" and plan.recheck.ok, plan.recheck.violations
    assert sum(m.units for m in plan.mix) == 16
    assert list(plan.layout.system) == ["beta"] * 16 + [NETWORK_SYSTEM] * 3
    assert list(plan.layout.slot) == list(range(1, 20))
    assert plan.layout.rack_kw[-1] == pytest.approx(16 * 95.7 / 19 / 3)
    hall = plan.halls[0]  # beta puts 90 % of its 100 kW on liquid; the fabric's kW all on air
    assert hall.it_power.m_as("kW") == pytest.approx(16 * (100 + 95.7 / 19))
    assert hall.liquid_plant_load.m_as("kW") == pytest.approx(16 * 90)
    assert hall.air_plant_load.m_as("kW") == pytest.approx(16 * (10 + 95.7 / 19))
    entry = plan.all_in[0]
    assert entry.placed_racks == 3
    assert entry.all_in.compute_kw_per_chip == pytest.approx(1.0)  # 100 kW / 100 chips: fabric counted once
    assert entry.all_in.fabric.switches == 75 and entry.all_in.fabric.network_kw == pytest.approx(79.8)


def test_placed_fabric_power_counts_in_it_power_heat_and_capex(fabric_catalog):
    """Per unit: IT 100 + 5.0368 kW, the 5.0368 kW all to room air, capex + 101,400 / 19 USD."""
    plain = build_model_data(_beta(19), fabric_catalog).options[0]
    placed = build_model_data(_beta(19, fabric={"place": True}), fabric_catalog).options[0]
    assert placed.coeff.it_provisioned_kw - plain.coeff.it_provisioned_kw == pytest.approx(95.7 / 19)
    assert placed.coeff.room_air_kw - plain.coeff.room_air_kw == pytest.approx(95.7 / 19)
    assert placed.coeff.liquid_kw == pytest.approx(plain.coeff.liquid_kw)
    assert placed.coeff.capex_it_usd - plain.coeff.capex_it_usd == pytest.approx((90 * 1000 + 1900 * 6) / 19)
    assert (plain.units_per_row_positions, placed.units_per_row_positions) == (19, 16)


def test_a_cluster_size_threshold_adds_a_tier_and_racks_per_unit(fabric_catalog):
    """20 positions: 2,000 chips, 2 tiers (63 + 32 = 95 switches, 101 kW, 3 racks): n = 3/20.
    21 positions: 2,100 > 2,048 chips, 3 tiers (66 + 66 + 33 = 165 switches; 4,200 switch links:
    165 + 2.1 + 8.4 = 175.5 kW; ceil(165 / 42) = 4 racks): n = 4/21, 175.5 / 21 kW per unit."""
    for positions, tiers, racks, kw in ((20, 2, 3 / 20, 101 / 20), (21, 3, 4 / 21, 175.5 / 21)):
        scen = _beta(positions, fabric={"place": True})
        assert largest_cluster_chips(
            scen, fabric_catalog, "cold-aws", fabric_catalog.system("beta"), sizing_options
        ) == (positions * 100)
        (share,) = placed_fabric(scen, fabric_catalog, sizing_options)["cold-aws"]
        assert (share.tiers, share.racks, share.kw) == (tiers, pytest.approx(racks), pytest.approx(kw))
    # 21 positions with 4/21 racks per unit: u + ceil(4u/21) <= 21 -> 17 (17 + 4 = 21)
    assert units_per_row_positions(21, 1, 1, 4 / 21) == 17 and math.ceil(17 * 4 / 21) == 4


def test_no_fabric_table_or_place_false_places_nothing(fabric_catalog):
    for changes in ({}, {"fabric": {"place": False}}):
        data = build_model_data(_beta(19, **changes), fabric_catalog)
        assert data.placed_fabric == {} and data.options[0].fabric is None
        assert data.options[0].units_per_row_positions == 19


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"place": "sometimes"}, "place"),
        ({"place": True, "storage_per_chip": "2 kW"}, "storage_per_chip"),
        ({"racks": 3}, "racks"),
    ],
)
def test_a_bad_fabric_table_is_one_clear_line(table, expected):
    with pytest.raises(ScenarioError) as info:
        _beta(19, fabric=table)
    text = str(info.value)
    assert "fabric" in text and expected in text and "\n" not in text.strip()


def test_a_small_deployment_whose_exact_fabric_exceeds_the_reserve_is_a_note(fabric_catalog):
    """A 110 kW utility takes 1 beta (100 + 5.0368 kW; the cluster is sized on the rows and
    the 100 MW hall, not on the site's utility). Its exact fabric, 100 chips > 64 ports:
    2 tiers, 4 leaves + 2 spines = 6 switches, 6 + 0.1 + 0.2 = 6.3 kW, 1 rack; the row
    reserved ceil(3/19) = 1 rack and 5.0368 kW. The plan stands; the re-check says so in one line."""
    site = [{"id": "cold-aws", "utility_power": "110 kW"}]
    plan = solve_plan(_beta(19, fabric={"place": True}, site=site), fabric_catalog)
    assert plan.recheck.ok and sum(m.units for m in plan.mix) == 1
    (note,) = plan.recheck.notes
    assert "hand-fabric" in note and "1 units of beta" in note and "1 racks and 6 kW" in note and "5 kW" in note


def test_the_cluster_is_capped_by_the_halls_it_power(fabric_catalog):
    """A 1 MW hall holds floor(1,000 / 100) = 10 betas of its 19 positions: 1,000 chips."""
    hall = {**BASE["hall"][0], "it_power_cap": "1 MW"}
    scen = _beta(19, fabric={"place": True}, hall=[hall])
    beta = fabric_catalog.system("beta")
    assert largest_cluster_chips(scen, fabric_catalog, "cold-aws", beta, sizing_options) == 1000
