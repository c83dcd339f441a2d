"""Issue 14 catalog entries: Rubin Ultra NVL576 (Kyber) and Trainium4 in an MGX rack.

Each test re-derives a catalog figure from the public figures its source text names, so a
typo in a value (or a source that no longer matches it) fails here rather than in a plan.
"""

from __future__ import annotations

from datetime import date

import pytest

from dcplan.models.catalog import CatalogError, load_catalog

TOMS_KYBER = (
    "https://tomshardware.com/pc-components/gpus/"
    "nvidia-shows-off-rubin-ultra-with-600-000-watt-kyber-racks-and-infrastructure-coming-in-2027"
)
HYPERAI_FUSION = "https://hyper.ai/en/stories/f47a9a360ff677cb09410f3eb3c23de3"
NEW_SYSTEMS = ("rubin-ultra-nvl576", "trn4-nvl72")


def _tflops(figure) -> float:
    """A sourced figure's value, or a bare quantity (its low/high), in TFLOPS."""
    quantity = getattr(figure, "value", figure)
    return float(quantity.to("TFLOPS").magnitude)


def _sourced_fields(entry) -> dict[str, dict]:
    dumped = entry.model_dump(mode="json")
    return {name: value for name, value in dumped.items() if isinstance(value, dict) and "value" in value}


@pytest.mark.parametrize("system_id", NEW_SYSTEMS)
def test_new_systems_are_projected_with_a_sourced_dated_range(catalog, system_id):
    system = catalog.system(system_id)
    assert system.status == "projected" and "PROJECTED" in system.name
    start = system.available_from
    assert start is not None and start.projected
    assert start.low is not None and start.high is not None and start.low < start.value < start.high
    assert start.source.startswith("http"), "a projected date names who projected it"
    for name, value in _sourced_fields(system).items():
        assert value["source"] and value["confidence"], f"{system_id}.{name}"
        if value["confidence"] == "assumption":
            assert value["source"].startswith("assumption:"), f"{system_id}.{name}"


def test_rubin_ultra_rack_figures_are_nvidias_rack_targets_over_144_packages(catalog):
    """GTC 2025: NVL576 = 15 EF FP4, 5 EF FP8, 4.6 PB/s HBM4e, 1.5 PB/s NVLink 7 per rack,
    up to 600 kW, second half of 2027; the catalog stores per package (144 per rack)."""
    system = catalog.system("rubin-ultra-nvl576")
    chip = catalog.chip(system.chip)
    packages = system.chips_per_unit.value
    assert packages == 144 and system.scale_up_domain.value == 144 and system.racks_per_unit.value == 1
    assert packages * _tflops(chip.fp4_dense) == pytest.approx(15e6, rel=1e-3)  # TFLOPS per rack
    assert packages * _tflops(chip.fp8_dense) == pytest.approx(5e6, rel=1e-3)
    assert packages * float(chip.hbm_bandwidth.value.to("TB/s").magnitude) == pytest.approx(4600, rel=2e-3)
    assert packages * float(chip.scale_up_bandwidth.value.to("TB/s").magnitude) == pytest.approx(1500, rel=1e-3)
    # the reported 2-die redesign (half) and a sparse reading (half again) bound the low ends
    assert _tflops(chip.fp4_dense.low) == pytest.approx(_tflops(chip.fp4_dense) / 4, rel=1e-3)
    assert _tflops(chip.fp8_dense.low) == pytest.approx(_tflops(chip.fp8_dense) / 4, rel=1e-3)
    design = system.design_power
    assert float(design.value.to("kW").magnitude) == 600 and design.source == TOMS_KYBER
    assert float(design.low.to("kW").magnitude) < 600 < float(design.high.to("kW").magnitude)
    start = system.available_from
    assert start is not None and start.low == date(2027, 7, 1)  # NVIDIA: 2H 2027
    assert date(2027, 7, 1) <= start.value < date(2028, 1, 1) < start.high
    # typical follows design at the 0.78 measured ratio, as for every other rack-scale entry
    for bound in ("value", "low", "high"):
        typical = float(getattr(system.typical_power, bound).to("kW").magnitude)
        assert typical == pytest.approx(0.78 * float(getattr(design, bound).to("kW").magnitude), rel=0.01)


def test_trainium4_mgx_rack_is_the_announced_nvlink_fusion_form(catalog):
    """AWS/NVIDIA: up to 72 Trainium4 per MGX rack with the Vera Rubin NVLink switch tray."""
    trn4 = catalog.system("trn4-nvl72")
    twin = catalog.system("trn4-ultraserver")
    vera = catalog.system("vera-rubin-nvl144")
    assert trn4.chips_per_unit.value == 72 == trn4.scale_up_domain.value and trn4.racks_per_unit.value == 1
    assert trn4.chips_per_unit.source == HYPERAI_FUSION
    assert trn4.chip == twin.chip == "trainium4" and trn4.family == "trainium" and trn4.deployable_by == ["aws"]
    assert trn4.available_from == twin.available_from and trn4.it_life == twin.it_life
    # the same MGX rack envelope as the NVIDIA racks it shares slots with
    assert trn4.rack_width.value == vera.rack_width.value and trn4.rack_depth.value == vera.rack_depth.value
    # power per chip as the 144-chip assumption: half the chips, half the rack power (rounded)
    assert 2 * float(trn4.design_power.value.to("kW").magnitude) == pytest.approx(
        float(twin.design_power.value.to("kW").magnitude), rel=0.01
    )
    assert 2 * float(trn4.capex.magnitude) == pytest.approx(float(twin.capex.magnitude))
    assert trn4.chip_power == twin.chip_power


def test_projected_generations_arrive_in_roadmap_order(catalog):
    """GB300 ships; Vera Rubin 2026 H2; Trainium4 no earlier than 2027; Rubin Ultra 2027 H2."""

    def start(system_id: str) -> date:
        found = catalog.system(system_id).available_from
        assert found is not None
        return found.value

    assert start("gb300-nvl72") < start("vera-rubin-nvl144") < start("trn4-nvl72") < start("rubin-ultra-nvl576")
    trn4 = catalog.system("trn4-nvl72").available_from
    assert trn4 is not None and trn4.low is not None and trn4.low >= date(2027, 1, 1)


def test_a_kyber_rack_fits_the_liquid_room_side_and_no_shipping_rack_moved(catalog):
    """dlc-cdu's room-side limit was raised from 250 kW to 600 kW for Kyber; no shipping
    system's rack reaches 250 kW, so no plan of today's hardware can change with it."""
    cdu_kw = float(catalog.cooling("dlc-cdu").max_rack_power.value.to("kW").magnitude)
    kyber = catalog.system("rubin-ultra-nvl576")
    assert float(kyber.design_power.value.to("kW").magnitude) <= cdu_kw
    for system in catalog.entries("system"):
        racks = system.racks_per_unit.value if system.racks_per_unit is not None else 1
        per_rack_kw = float(system.design_power.value.to("kW").magnitude) / racks
        if system.status == "shipping" and system.form != "server":
            assert per_rack_kw < 250, system.id


def test_a_user_copy_claiming_rubin_ultra_has_shipped_is_refused_in_one_line(tmp_path, catalog):
    """Marking the entry shipping while its date is still projected is caught at load."""
    from dcplan.models.catalog import BUILTIN_DIR

    text = (BUILTIN_DIR / "nvidia-rubin.toml").read_text()
    start = text.index('id = "rubin-ultra-nvl576"')
    edited = text[:start] + text[start:].replace('status = "projected"', 'status = "shipping"', 1)
    (tmp_path / "nvidia-rubin.toml").write_text(edited)
    with pytest.raises(CatalogError) as caught:
        load_catalog([tmp_path], use_env=False).system("rubin-ultra-nvl576")
    message = str(caught.value)
    assert "rubin-ultra-nvl576" in message and "projected" in message
    assert "Traceback" not in message
