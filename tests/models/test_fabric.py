"""Fabric and storage as equipment (issue 15, item 1): hand-derived fat trees, storage
racks, the catalog templates' sources, and hostile template input."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from dcplan.models.catalog import CatalogError, load_catalog
from dcplan.models.fabric import (
    MAX_TIERS,
    fabric_for_system,
    fat_tree_tiers,
    link_within_reach,
    size_fabric,
    switches_per_tier,
)
from dcplan.models.storage import size_storage, storage_demand


@pytest.mark.parametrize(
    ("endpoints", "tiers"),
    # radix 64: one tier to 64 ports, two to 64**2/2 = 2,048, three to 64**3/4 = 65,536
    # (the H100 InfiniBand thresholds of peers-2.md A4: <= 64 nodes one layer, <= 2,048 two,
    # <= 65,536 three)
    [(1, 1), (64, 1), (65, 2), (2048, 2), (2049, 3), (65536, 3), (65537, 4)],
)
def test_tier_added_at_the_radix_threshold(endpoints, tiers):
    assert fat_tree_tiers(endpoints, 64) == tiers


def test_switches_per_tier_by_hand():
    # 65 ports on 64-port switches: two tiers; leaves ceil(65/32) = 3, spines ceil(3/2) = 2
    assert switches_per_tier(65, 64) == (3, 2)
    # 2,049 ports: three tiers; ceil(2049/32) = 65 leaves, 65 aggregation, ceil(65/2) = 33 core
    assert switches_per_tier(2049, 64) == (65, 65, 33)
    assert switches_per_tier(64, 64) == (1,)
    assert switches_per_tier(0, 64) == ()


def test_a_tier_adds_switch_racks_at_the_cluster_size_threshold(catalog):
    """NDR Quantum-2 (radix 64, 1 port per GPU): 2,048 GPUs fit two tiers; 2,049 need a
    third, which adds 65 + 33 switches, 2,049 more switch links and network racks."""
    fabric = catalog.fabric("ndr-quantum2")
    below, above = size_fabric(fabric, 2048), size_fabric(fabric, 2049)
    assert (below.tiers, below.switches_per_tier) == (2, (64, 32))
    assert (above.tiers, above.switches_per_tier) == (3, (65, 65, 33))
    assert (below.switch_links, above.switch_links) == (2048, 2 * 2049)
    assert above.network_racks > below.network_racks
    # kW by hand: switches x P_sw + leaf-side end of each endpoint link + both ends of each
    # switch link (the NIC-side end is inside the system's rated power)
    p_sw = float(fabric.switch_power.magnitude)
    p_end = float(fabric.endpoint_link.power_per_end.magnitude)
    expected_kw = 96 * p_sw + 2048 * p_end + 2048 * 2 * float(fabric.switch_link.power_per_end.magnitude)
    assert below.network_kw == pytest.approx(expected_kw)
    # racks: space 96 x 1 U / 42 U = 2.29 vs power -> whichever binds
    racks = math.ceil(max(96 * 1 / 42, expected_kw / float(fabric.max_rack_power.magnitude)))
    assert below.network_racks == racks
    usd = 96 * float(fabric.switch_capex.magnitude)
    usd += (2048 + 2048) * (2 * float(fabric.endpoint_link.capex_per_end.magnitude) + 100.0)
    assert below.capex_usd == pytest.approx(usd)
    assert below.link_ends == 2 * (2048 + 2048)
    assert below.gbps_per_chip == pytest.approx(400.0)


def test_no_chips_no_fabric(catalog):
    size = size_fabric(catalog.fabric("xdr-quantum-x800"), 0)
    assert (size.tiers, size.switches, size.network_racks, size.network_kw, size.capex_usd) == (0, 0, 0, 0.0, 0.0)


def test_too_small_a_radix_is_refused():
    with pytest.raises(ValueError, match="tiers"):
        fat_tree_tiers(2 * 2**MAX_TIERS + 1, 4)


def test_every_fabric_system_exists_and_each_system_has_at_most_one_template(catalog):
    seen: dict[str, str] = {}
    for fabric_id in catalog.items["fabric"]:
        for system_id in catalog.fabric(fabric_id).systems:
            assert system_id in catalog.items["system"]
            assert system_id not in seen, f"{system_id} in {seen.get(system_id)} and {fabric_id}"
            seen[system_id] = fabric_id
    assert fabric_for_system(catalog, "gb300-nvl72").id == "xdr-quantum-x800"
    assert fabric_for_system(catalog, "no-such-system") is None


def test_fabric_power_per_chip_in_a_plausible_band(catalog):
    """Scale-out network per accelerator between 10 W and 400 W at 1k-1M chips: the
    networking share of an AI hall is ~5 % of its power (facility.md), a 1-2 kW accelerator."""
    for fabric_id in catalog.items["fabric"]:
        fabric = catalog.fabric(fabric_id)
        for chips in (1_000, 100_000, 1_000_000):
            watts = size_fabric(fabric, chips).network_kw * 1000 / chips
            assert 10 < watts < 400, (fabric_id, chips, watts)


def test_seeded_fuzz_fabric_monotone_and_finite(catalog):
    rng = random.Random(15)
    fabric = catalog.fabric("xdr-quantum-x800")
    for _ in range(200):
        chips = rng.randint(0, 2_000_000)
        size, more = size_fabric(fabric, chips), size_fabric(fabric, chips + rng.randint(1, 5000))
        assert more.switches >= size.switches and more.network_racks >= size.network_racks
        assert math.isfinite(size.network_kw) and size.network_kw >= 0


def test_link_reach():
    fabric = load_catalog(use_env=False).fabric("efa-trainium")
    assert link_within_reach(fabric.endpoint_link, 30.0)
    assert not link_within_reach(fabric.endpoint_link, 30.5)


def test_storage_racks_by_capacity_or_bandwidth(catalog):
    storage = catalog.storage("parallel-flash")
    # 4 PB and 1,000 GB/s per rack: 10 PB at 1,000 GB/s -> ceil(2.5) = 3 racks by capacity
    size = size_storage(storage, 10.0, 1000.0)
    assert (size.racks, size.limited_by) == (3, "capacity")
    assert size.storage_kw == pytest.approx(3 * 20.0)
    assert size.capex_usd == pytest.approx(3 * 3_000_000.0)
    # 1 PB at 2,500 GB/s -> 3 racks by bandwidth
    assert size_storage(storage, 1.0, 2500.0)[3:5] == (3, "bandwidth")
    assert size_storage(storage, 0.0, 0.0)[3:5] == (0, "none")
    # defaults per accelerator: 1 TB and 1.07 GB/s each
    assert storage_demand(storage, 1000) == pytest.approx((1.0, 1070.0))


def test_every_fabric_and_storage_figure_has_a_source(catalog):
    for kind in ("fabric", "storage"):
        for entry in catalog.entries(kind):
            for name, value in entry:
                sourced = [value] if hasattr(value, "source") else []
                if hasattr(value, "reach"):  # a link class
                    sourced = [value.reach, value.power_per_end, value.capex_per_end, value.cable_capex]
                for figure in sourced:
                    assert figure.source, (entry.id, name)
                    if figure.confidence == "assumption":
                        assert figure.low is not None or figure.high is not None or "assumption" in figure.source


BAD_FABRIC = """
[[fabric]]
id = "my-fabric"
name = "mine"
systems = ["gb300-nvl72"]
ports_per_chip = {{ value = 1, source = "assumption: test", confidence = "assumption" }}
port_speed = {{ value = "800 Gbit/s", source = "assumption: test", confidence = "assumption" }}
switch_radix = {{ value = {radix}, source = "assumption: test", confidence = "assumption" }}
switch_power = {{ value = "1 kW", source = "assumption: test", confidence = "assumption" }}
switch_capex = {{ value = "1 USD", source = "assumption: test", confidence = "assumption" }}
switch_height = {{ value = "2 U", source = "assumption: test", confidence = "assumption" }}
rack_units = {{ value = "42 U", source = "assumption: test", confidence = "assumption" }}
max_rack_power = {{ value = "30 kW", source = "assumption: test", confidence = "assumption" }}
storage = "{storage}"
endpoint_link = {{ name = "x", reach = {{ value = "3 m", source = "assumption: test", confidence = "assumption" }}, power_per_end = {{ value = "1 W", source = "assumption: test", confidence = "assumption" }}, capex_per_end = {{ value = "1 USD", source = "assumption: test", confidence = "assumption" }}, cable_capex = {{ value = "1 USD", source = "assumption: test", confidence = "assumption" }} }}
switch_link = {{ name = "x", reach = {{ value = "3 m", source = "assumption: test", confidence = "assumption" }}, power_per_end = {{ value = "1 W", source = "assumption: test", confidence = "assumption" }}, capex_per_end = {{ value = "1 USD", source = "assumption: test", confidence = "assumption" }}, cable_capex = {{ value = "1 USD", source = "assumption: test", confidence = "assumption" }} }}
"""


@pytest.mark.parametrize(
    ("radix", "storage", "expected"),
    [(63, "parallel-flash", "even number"), (64, "no-such-storage", "unknown storage 'no-such-storage'")],
)
def test_bad_fabric_template_is_one_clear_line(tmp_path: Path, radix, storage, expected):
    (tmp_path / "mine.toml").write_text(BAD_FABRIC.format(radix=radix, storage=storage))
    with pytest.raises(CatalogError) as info:
        load_catalog([tmp_path], use_env=False)
    text = str(info.value)
    assert "mine.toml" in text and "my-fabric" in text and expected in text


def test_catalog_show_lists_each_link_class_figure(catalog):
    from dcplan.planner.cli.catalog_cmd import _field_rows

    rows = {row[0]: row for row in _field_rows(catalog.fabric("efa-trainium").model_dump(mode="json"))}
    assert rows["endpoint_link.reach"][1:3] == ("30", "m")
    assert rows["switch_link.capex_per_end"][4] == "derived"
    assert "endpoint_link" not in rows
