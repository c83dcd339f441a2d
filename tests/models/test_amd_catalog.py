"""AMD Instinct entries: the MI355X 8-GPU server and the projected Helios rack."""

from __future__ import annotations

import json

from dcplan.models.efficiency import sustained_efficiency
from dcplan.planner.cli import main


def _sourced_fields(entry) -> dict[str, dict]:
    return {
        name: value
        for name, value in entry.model_dump(mode="json").items()
        if isinstance(value, dict) and "value" in value and "confidence" in value
    }


def test_mi355x_server_is_a_liquid_cooled_rocm_server(catalog):
    server = catalog.system("mi355x-server")
    assert (server.family, server.software, server.form, server.status) == ("instinct", "rocm", "server", "shipping")
    assert server.chips_per_unit.value == server.scale_up_domain.value == 8
    assert server.liquid_capture_fraction.value > 0
    assert all(catalog.cooling(c).takes_liquid for c in server.cooling)
    assert "aws" not in server.deployable_by
    chip = catalog.chip(server.chip)
    assert chip.hbm_capacity.magnitude == 288
    # dense figures keep the FP4 = 2 x FP8 = 4 x BF16 proportion of CDNA 4
    assert chip.fp4_dense.magnitude == 2 * chip.fp8_dense.magnitude == 4 * chip.bf16_dense.magnitude


def test_helios_is_projected_with_a_range_on_every_figure_not_from_the_vendor(catalog):
    helios = catalog.system("helios")
    assert (helios.status, helios.form, helios.family, helios.software) == (
        "projected",
        "rack-scale",
        "instinct",
        "rocm",
    )
    assert helios.chips_per_unit.value == helios.scale_up_domain.value == 72
    for entry in (helios, catalog.chip(helios.chip)):
        for name, value in _sourced_fields(entry).items():
            if value["confidence"] != "vendor":
                assert value.get("low") is not None or value.get("high") is not None, f"{entry.id}.{name}"


def test_every_amd_cooling_id_exists_and_takes_liquid(catalog):
    for system_id in ("mi355x-server", "helios"):
        for cooling_id in catalog.system(system_id).cooling:
            assert catalog.cooling(cooling_id).takes_liquid


def test_amd_systems_have_efficiency_figures(catalog):
    server, helios = catalog.system("mi355x-server"), catalog.system("helios")
    bf16 = sustained_efficiency(catalog, server, "dense-pretraining", "bf16")
    assert bf16 is not None and bf16.entry == "mi355x-dense-pretraining-bf16" and bf16.confidence == "derived"
    projected = sustained_efficiency(catalog, helios, "dense-pretraining", "fp8")
    assert projected is not None and projected.confidence == "assumption"


def test_sizing_an_mi355x_hall_runs_end_to_end(capsys):
    code = main(["size", "-s", "mi355x-server", "-n", "64", "--site", "phoenix-az", "--json"])
    out, _ = capsys.readouterr()
    assert code == 0
    data = json.loads(out)
    # 64 servers at the 8-per-rack packing limit, 15 kW each (design)
    assert (data["units"], data["chips"], data["units_per_rack"], data["racks"]) == (64, 512, 8, 8)
    assert data["rack_power"] == {"value": 120.0, "unit": "kW"}
    assert data["it_power_design"]["value"] == 64 * 15.0
