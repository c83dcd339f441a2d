"""All-in kW per accelerator (issue 15, item 1): compute only, with fabric and storage,
at the facility meter; in `dcplan size` text and --json."""

from __future__ import annotations

import json

import pytest

from dcplan.models.allin import all_in_power
from dcplan.models.fabric import size_fabric
from dcplan.models.sizing import SizingRequest, size
from dcplan.models.storage import size_storage
from dcplan.planner.cli.size_run import run_size


def test_all_in_by_hand(catalog):
    """2,048 GPUs of DGX H100 (NDR, two tiers), compute 1,000 kW, facility 1,300 kW."""
    result = all_in_power(catalog, "dgx-h100", 2048, 1000.0, 1300.0, storage_pb=4.0, storage_gb_s=1000.0)
    fabric_kw = size_fabric(catalog.fabric("ndr-quantum2"), 2048).network_kw
    storage_kw = size_storage(catalog.storage("parallel-flash"), 4.0, 1000.0).storage_kw
    assert storage_kw == pytest.approx(20.0)  # one rack: 4 PB and 1,000 GB/s each
    assert result.compute_kw_per_chip == pytest.approx(1000.0 / 2048)
    assert result.all_in_kw_per_chip == pytest.approx((1000.0 + fabric_kw + storage_kw) / 2048)
    assert result.facility_kw_per_chip == pytest.approx((1000.0 + fabric_kw + storage_kw) * 1.3 / 2048)
    assert result.fabric.tiers == 2 and result.storage.racks == 1 and result.missing == []


def test_a_system_without_a_template_says_so(catalog, tmp_path):
    result = all_in_power(catalog, "dgx-h100", 8, 10.0, 12.0)
    assert result.fabric is not None
    # a system no template lists: all-in equals compute and `missing` names why
    from dcplan.models.catalog import load_catalog
    from tests.conftest import user_system_toml

    (tmp_path / "mine.toml").write_text(user_system_toml())
    cat = load_catalog([tmp_path], use_env=False)
    system_id = next(i for i in cat.items["system"] if i not in catalog.items["system"])
    bare = all_in_power(cat, system_id, 8, 10.0, 12.0)
    assert bare.fabric is None and bare.storage is None
    assert bare.all_in_kw_per_chip == pytest.approx(bare.compute_kw_per_chip)
    assert "no [[fabric]] template" in bare.missing[0]


def test_size_result_carries_all_in(catalog):
    result = size(catalog, SizingRequest(system="gb300-nvl72", cooling="dlc-cdu", site="ashburn-va", count=10))
    all_in = result.all_in
    assert all_in.chips == 720
    assert all_in.compute_kw_per_chip == pytest.approx(result.it_power_provisioned.to("kW").magnitude / 720)
    assert all_in.compute_kw_per_chip < all_in.all_in_kw_per_chip < all_in.facility_kw_per_chip


def test_dcplan_size_text_and_json_show_all_in(capsys):
    run_size("gb300-nvl72", count="10")
    text = capsys.readouterr().out
    for line in ("compute only", "with fabric and storage", "at the facility meter", "fabric xdr-quantum-x800"):
        assert line in text
    run_size("gb300-nvl72", count="10", as_json=True)
    data = json.loads(capsys.readouterr().out)
    assert data["all_in"]["fabric"]["fabric"] == "xdr-quantum-x800"
    assert data["all_in"]["facility_kw_per_chip"] > data["all_in"]["compute_kw_per_chip"]


def test_plan_all_in_is_one_cluster_per_site_and_system(catalog):
    """Two halls of one site pool their GB300s into one fabric; another site is its own."""
    from dcplan.planner.plan_allin import plan_all_in
    from dcplan.planner.report.allin import plan_all_in_lines

    def sized(count: int):
        return size(catalog, SizingRequest(system="gb300-nvl72", cooling="dlc-cdu", site="ashburn-va", count=count))

    groups = {("h1", "gb300-nvl72", "dlc-cdu"): sized(10), ("h2", "gb300-nvl72", "dlc-cdu"): sized(20)}
    groups[("h3", "gb300-nvl72", "dlc-cdu")] = sized(5)
    sites = {"h1": "a", "h2": "a", "h3": "b"}
    entries = plan_all_in(catalog, sites, groups)
    assert [(e.site, e.system, e.all_in.chips) for e in entries] == [
        ("a", "gb300-nvl72", 2160),
        ("b", "gb300-nvl72", 360),
    ]
    expected_kw = sized(30).it_power_provisioned.m_as("kW") / 2160
    assert entries[0].all_in.compute_kw_per_chip == pytest.approx(expected_kw)
    assert entries[0].all_in.fabric.network_kw == pytest.approx(
        size_fabric(catalog.fabric("xdr-quantum-x800"), 2160).network_kw
    )

    class Plan:
        all_in = entries

    lines = plan_all_in_lines(Plan())
    assert len(lines) == 2 and "gb300-nvl72 at a" in lines[0] and "with fabric and storage" in lines[0]


def test_seeded_fuzz_all_in_every_system_no_crash(catalog):
    """Every catalog system at random sizes and powers: finite, ordered figures, never a crash."""
    import math
    import random

    rng = random.Random(1515)
    for system_id in sorted(catalog.items["system"]):
        for _ in range(5):
            chips = rng.choice([0, 1, rng.randint(2, 5000), rng.randint(5000, 2_000_000)])
            compute_kw = rng.uniform(0.0, 1e6) if chips else 0.0
            result = all_in_power(catalog, system_id, chips, compute_kw, compute_kw * rng.uniform(1.0, 2.0))
            figures = (result.compute_kw_per_chip, result.all_in_kw_per_chip, result.facility_kw_per_chip)
            assert all(math.isfinite(x) and x >= 0 for x in figures), (system_id, chips)
            assert figures[0] <= figures[1] + 1e-12 <= figures[2] + 2e-12
            assert result.fabric is not None or result.missing


def test_dcplan_size_with_a_broken_user_fabric_is_one_json_line(tmp_path, capsys):
    from dcplan.planner.cli import main
    from tests.models.test_fabric import BAD_FABRIC

    (tmp_path / "mine.toml").write_text(BAD_FABRIC.format(radix=63, storage="parallel-flash"))
    code = main(["--catalog", str(tmp_path), "size", "-s", "gb300-nvl72", "-n", "2", "--json"])
    out, err = capsys.readouterr()
    assert code != 0 and "Traceback" not in err
    error = json.loads(out or err)
    assert "mine.toml" in error["error"] and "my-fabric" in error["error"] and "even number" in error["error"]
