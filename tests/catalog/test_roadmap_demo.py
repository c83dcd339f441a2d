"""The demo roadmap (catalogs/scenarios/aws-roadmap-2026-2030.toml) against the catalog.

These read the file as TOML and check what its comments claim and what DESIGN14's tables
need, independently of the scenario loader: every id it names exists, every date sits on
the 2026Q1-2030Q4 calendar, projected hardware is flagged, and the hall and slot figures
admit the systems the comments say they host.
"""

from __future__ import annotations

import math
import re
import tomllib
from datetime import date

import pytest

from dcplan.models.catalog import BUILTIN_DIR

DEMO = BUILTIN_DIR / "scenarios" / "aws-roadmap-2026-2030.toml"
QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
KG_PER_KN = 1000 / 9.80665  # kN/m2 -> kg/m2


@pytest.fixture(scope="module")
def demo() -> dict:
    with DEMO.open("rb") as handle:
        return tomllib.load(handle)


def _quarter(label: str) -> int:
    """'2027Q3' -> periods after 2026Q1 (6); raises on anything else."""
    found = QUARTER.match(label)
    assert found, label
    return (int(found.group(1)) - 2026) * 4 + int(found.group(2)) - 1


def _dates(demo: dict):
    date_keys = {"site_power": ("from", "low", "high"), "demand": ("from",), "allocation": ("from", "until")}
    date_keys["ordered"] = ("delivered",)
    for table, keys in date_keys.items():
        for row in demo.get(table, []):
            for key in keys:
                if isinstance(row.get(key), str):
                    yield table, key, row[key]
    for hall in demo["hall"]:
        if "ready" in hall:
            yield "hall", "ready", hall["ready"]


def test_the_calendar_is_20_quarters_and_every_date_is_on_it(demo):
    roadmap = demo["roadmap"]
    assert (roadmap["start"], roadmap["period"], roadmap["periods"]) == ("2026Q1", "quarter", 20)
    for table, key, label in _dates(demo):
        assert 0 <= _quarter(label) < 20, (table, key, label)


def test_every_id_it_names_is_in_the_catalog_or_the_file(demo, catalog):
    candidates = {c["system"] for c in demo["candidate"]}
    for system_id in candidates:
        catalog.system(system_id)  # raises on an unknown id
    for table in ("allocation", "price"):
        for row in demo[table]:
            assert row["system"] in candidates, (table, row)
    halls = {h["id"] for h in demo["hall"]}
    assert all(o.get("hall", "hall-a") in halls for o in demo["ordered"])
    assert {o.get("site") for o in demo["ordered"]} <= {None, demo["site"][0]["id"]}
    workloads = {w["id"] for w in demo["workload"]}
    assert {d["workload"] for d in demo["demand"]} <= workloads
    for row in demo["row"]:
        assert row["hall"] in halls
        if "slot" in row:
            catalog.rack_slot(row["slot"])


def test_projected_candidates_are_the_projected_catalog_systems(demo, catalog):
    projected = {c["system"] for c in demo["candidate"] if catalog.system(c["system"]).status != "shipping"}
    assert projected == {"vera-rubin-nvl144", "trn4-ultraserver", "rubin-ultra-nvl576"}
    shipping = {c["system"] for c in demo["candidate"]} - projected
    assert shipping == {"trn3-ultraserver-gen2", "gb300-nvl72"}


def test_utility_ramps_up_to_150_mw_with_its_ranges(demo):
    steps = [(_quarter(s["from"]), float(s["power"].split()[0])) for s in demo["site_power"]]
    powers = [float(demo["site"][0]["utility_power"].split()[0])] + [p for _, p in steps]
    assert powers == sorted(powers) and powers[-1] == 150
    assert [t for t, _ in steps] == sorted(t for t, _ in steps)
    for step in demo["site_power"]:
        assert _quarter(step["low"]) <= _quarter(step["from"]) <= _quarter(step["high"]), step


def test_slot_rows_host_the_systems_the_comments_name(demo, catalog):
    """GB300, Vera Rubin and Trainium4 fit the MGX slot; each density class lies in its
    kW band, and the 150 kW class holds GB300 while only the 230 kW one holds Vera Rubin."""
    slot = catalog.rack_slot("mgx-nvl72")
    assert {"gb300-nvl72", "vera-rubin-nvl144", "trn4-ultraserver"} <= set(slot.admits)
    low_kw = float(slot.min_rack_power.value.to("kW").magnitude)
    high_kw = float(slot.max_rack_power.value.to("kW").magnitude)

    def rack_kw(system_id: str) -> float:
        system = catalog.system(system_id)
        return float(system.design_power.value.to("kW").magnitude) / system.racks_per_unit.value

    for row in (r for r in demo["row"] if "slot" in r):
        classes = sorted(float(c["rack_kw"].split()[0]) for c in row["density"])
        assert all(low_kw <= kw <= high_kw for kw in classes), row["id"]
        assert rack_kw("gb300-nvl72") <= classes[0] < rack_kw("vera-rubin-nvl144") <= classes[-1]
        assert rack_kw("trn4-ultraserver") <= classes[-1]
        costs = [float(c["capex"].split()[0]) for c in sorted(row["density"], key=lambda c: c["rack_kw"])]
        assert costs == sorted(costs), "a row built for denser racks costs more"


def test_kyber_racks_fit_hall_d_only(demo, catalog):
    """A 2.5 t Rubin Ultra rack on its own 0.6 x 1.2 m footprint is ~3,470 kg/m2: above the
    25 kN/m2 (2,549 kg/m2) slabs of halls A-C, within hall D's 40 kN/m2 (4,079 kg/m2)."""
    kyber = catalog.system("rubin-ultra-nvl576")
    footprint = float(kyber.rack_width.value.to("m").magnitude) * float(kyber.rack_depth.value.to("m").magnitude)
    load = float(kyber.weight.value.to("kg").magnitude) / footprint
    slabs = {h["id"]: float(h["slab_rating"].split()[0]) * KG_PER_KN for h in demo["hall"]}
    assert load <= slabs["hall-d"]
    assert all(load > slab for hall, slab in slabs.items() if hall != "hall-d")


def test_equipment_on_order_covers_the_lead_times_before_a_hall_is_used(demo, catalog):
    """Distribution transformers take 2 years (8 quarters): a hall used before quarter 8
    needs its transformers on order; UPS and generators take 3 quarters."""
    weeks = {e.equipment: e.weeks for e in catalog.entries("lead_time")}
    lead_quarters = math.ceil(weeks["distribution-transformer"] * 7 / 365.25 / 0.25 - 1e-9)
    assert lead_quarters == 8
    usable = {"hall-a": 0, "hall-b": _quarter("2026Q3"), "hall-c": _quarter("2027Q3")}
    ordered = {o["hall"] for o in demo["ordered"] if o["equipment"] == "distribution-transformer"}
    assert {hall for hall, t in usable.items() if t < lead_quarters} <= ordered
    for order in demo["ordered"]:
        hall = order.get("hall")
        if hall in usable:
            assert _quarter(order["delivered"]) <= usable[hall], order


def test_price_declines_and_budgets_are_plausible(demo):
    for price in demo["price"]:
        assert 0 < price["decline_per_year"] < 0.21, price  # below Epoch's ~21 %/year top-GPU trend
    years = [int(b["period"]) for b in demo["period_budget"]]
    assert years == list(range(2026, 2031))
    total = float(demo["scenario"]["budget"].split()[0])
    assert sum(float(b["capex"].split()[0]) for b in demo["period_budget"]) >= total  # the total binds first


def test_the_demo_keeps_trainium_in_the_plan_and_cuda_at_a_quarter(demo, catalog):
    neuron_only = [w for w in demo["workload"] if w["software"] == ["neuron"]]
    assert neuron_only, "a Neuron-only workload keeps Trainium in a delivered-compute plan"
    assert {"software": "cuda", "basis": "delivered", "min": 0.25} in demo["share"]
    # every projected generation can arrive inside the horizon, even at the late end of its range
    for system_id in ("vera-rubin-nvl144", "trn4-ultraserver", "rubin-ultra-nvl576"):
        start = catalog.system(system_id).available_from
        assert start is not None and start.high is not None and start.high < date(2031, 1, 1), system_id
