"""Network and storage racks in the power chain and the hall totals (issue 15 loose ends):
their rack PDUs and tap-offs, their positions and whitespace in the hall (hand catalog
beta with the hand fat tree of tests/data/handfabric)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from dcplan.models.catalog import load_catalog
from tests.planner.conftest import BASE, HANDCAT, scenario, solve_plan
from tests.planner.test_fabric_placement import HANDFABRIC
from tests.planner.test_fabric_placement import ROW as FABRIC_ROW

ROW = {**FABRIC_ROW, "positions": 19}
HALL = BASE["hall"][0]
#: One ideal PDU: 415 V x 63 A x sqrt(3), power factor 1, no derating [kW].
PDU_KW = math.sqrt(3) * 415 * 63 / 1000


@pytest.fixture(scope="module")
def fabric_catalog():
    return load_catalog([HANDCAT, HANDFABRIC], use_env=False)


def _beta(hall_area: str | None = None, **changes):
    hall = {**HALL, "area": hall_area} if hall_area else HALL
    return scenario(hall=[hall], row=[ROW], candidate=[{"system": "beta"}], **changes)


def _count(plan, item: str) -> int:
    return sum(t.count for t in plan.equipment if t.item == item)


def test_network_racks_get_rack_pdus_and_tap_offs_by_their_kw(fabric_catalog):
    """19 positions placed: 16 betas and 3 network racks (test_fabric_placement). A beta rack
    is 100 kW: ceil(100 / 45.28) = 3 PDUs per feed; a network rack carries 16 x 95.7 / 19 / 3
    = 26.86 kW: 1 PDU per feed. Per feed: 16 x 3 + 3 x 1 = 51 PDUs (and as many tap-offs)."""
    assert math.ceil(100 / PDU_KW) == 3 and math.ceil(16 * 95.7 / 19 / 3 / PDU_KW) == 1
    plain = solve_plan(_beta(), fabric_catalog)
    plan = solve_plan(_beta(fabric={"place": True}), fabric_catalog)
    assert plan.recheck.ok, plan.recheck.violations
    feeds = _count(plain, "rack PDUs") // (19 * 3)  # without fabric: 19 racks x 3 per feed
    assert feeds in (1, 2) and _count(plain, "rack PDUs") == feeds * 19 * 3
    assert _count(plan, "rack PDUs") == feeds * (16 * 3 + 3 * 1)
    assert _count(plan, "busway tap-offs") == feeds * (16 * 3 + 3 * 1)


def test_hall_racks_and_whitespace_include_the_network_racks(fabric_catalog):
    """The hall's 19 racks are 16 compute + 3 network; its gross whitespace is 19 racks' worth
    (the same per-rack gross area as the 19 beta racks of the plan without fabric)."""
    plain = solve_plan(_beta(), fabric_catalog)
    plan = solve_plan(_beta(fabric={"place": True}), fabric_catalog)
    per_rack_m2 = plain.halls[0].gross_area.m_as("m**2") / 19
    hall = plan.halls[0]
    assert (hall.racks, hall.network_racks) == (19, 3)
    assert hall.gross_area.m_as("m**2") == pytest.approx(19 * per_rack_m2)
    assert plain.halls[0].network_racks == 0


def test_a_hall_area_counts_the_network_racks_whitespace(fabric_catalog):
    """A hall with 18 racks' whitespace: the optimiser holds A * (u + 3u/19) <= 18 A, so
    u <= 15.54 -> 15 betas and ceil(15 x 3 / 19) = 3 network racks: 18 racks, which fit.
    Counting compute racks only it would have placed 16 + 3 = 19 racks' worth."""
    per_rack_m2 = solve_plan(_beta(), fabric_catalog).halls[0].gross_area.m_as("m**2") / 19
    area = f"{18 * per_rack_m2 + 1e-6} m**2"
    plan = solve_plan(_beta(hall_area=area, fabric={"place": True}), fabric_catalog)
    assert plan.solver.status == "optimal" and plan.recheck.ok, plan.recheck.violations
    assert sum(m.units for m in plan.mix) == 15
    assert (plan.halls[0].racks, plan.halls[0].network_racks) == (18, 3)
    assert plan.halls[0].gross_area.m_as("m**2") <= 18 * per_rack_m2 + 1e-6


@pytest.mark.parametrize("name", ["enterprise-hybrid", "aws-hybrid-campus"])
def test_the_demo_plans_state_all_three_kw_per_accelerator(name):
    """Per (site, system): with fabric and storage = compute only + (P_network + P_storage) / N
    [kW per accelerator]; the facility meter figure is that x the PUE applied. Enterprise,
    phoenix-az DGX B200: 1.7875 + (113.04 + 40) / 1,520 = 1.8882 kW; x 1.3468 = 2.543 kW."""
    import json

    golden = Path(__file__).resolve().parents[1] / "data" / "golden" / f"{name}.plan.json"
    entries = json.loads(golden.read_text())["all_in"]
    assert entries
    for entry in entries:
        a = entry["all_in"]
        extra_kw = (a["fabric"]["network_kw"] + a["storage"]["storage_kw"]) / a["chips"]
        assert a["all_in_kw_per_chip"] == pytest.approx(a["compute_kw_per_chip"] + extra_kw)
        assert a["facility_kw_per_chip"] == pytest.approx(a["all_in_kw_per_chip"] * a["pue_applied"])
        assert a["compute_kw_per_chip"] < a["all_in_kw_per_chip"] < a["facility_kw_per_chip"]
    if name == "enterprise-hybrid":
        b200 = next(e["all_in"] for e in entries if e["system"] == "dgx-b200")
        assert b200["all_in_kw_per_chip"] == pytest.approx(1.7875 + (113.04 + 40) / 1520)
