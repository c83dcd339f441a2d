"""The physics gaps of issue 15 item 5, each with a hand-derived case.

Chiller power from a rated COP or kW/ton; PUE and WUE targets as quick-estimate inputs;
the UPS sizing basis; floor load on net row and gross whitespace area; dry-cooler water;
per-system air-cooled rack limits. Expected numbers are hand arithmetic from the catalog
figures quoted in each docstring, never values read back from models/.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from pydantic import ValidationError

from dcplan.models import thermal
from dcplan.models.catalog import Plant
from dcplan.models.sizing import SizingError, SizingOptions, SizingRequest, plant_loop, size, unit_coefficients
from dcplan.models.units import Q_
from dcplan.planner.cli import main
from dcplan.planner.cli.core import UserError
from dcplan.planner.cli.size_run import parse_chiller_efficiency

REL = 1e-3


def _size(catalog, system="dgx-h100", cooling="rdhx", count=10, **options):
    request = SizingRequest(system=system, cooling=cooling, site="ashburn-va", count=count)
    return size(catalog, request, SizingOptions(**options))


def _hot_constant_site(catalog):
    """Ashburn held at 30 degC dry bulb / 24 degC wet bulb with a 2 K daily swing (wet bulb
    +-0.4 K): a tower reaches at best ``23.6 + 3 = 26.6 degC``, above a 25 degC return."""
    site = catalog.site("ashburn-va")
    return site.model_copy(
        update={
            "monthly_dry_bulb": site.monthly_dry_bulb.model_copy(update={"value": Q_(np.full(12, 30.0), "degC")}),
            "monthly_wet_bulb": site.monthly_wet_bulb.model_copy(update={"value": Q_(np.full(12, 24.0), "degC")}),
            "diurnal_range": site.diurnal_range.model_copy(update={"value": Q_(2.0, "K")}),
        }
    )


def _rated_tower(catalog, **rating) -> Plant:
    data = catalog.plant("tower-chiller").model_dump(mode="json")
    return Plant.model_validate(
        data
        | {key: {"value": v, "source": "assumption: test", "confidence": "assumption"} for key, v in rating.items()}
    )


# ---------------------------------------------------------------------------------------
# 1. chiller power from a COP or kW/ton


def test_kw_per_ton_and_cop_convert_both_ways():
    """1 ton of refrigeration = 12,000 Btu/h = 3.51685 kW: ``COP = 3.51685 / (kW/ton)``.
    0.6 kW/ton -> 5.8614; COP 7.0 -> 0.50241 kW/ton; the two are inverse."""
    assert float(thermal.cop_from_kw_per_ton(0.6)) == pytest.approx(5.8614, rel=REL)
    assert float(thermal.kw_per_ton_from_cop(7.0)) == pytest.approx(0.50241, rel=REL)
    assert float(thermal.cop_from_kw_per_ton(thermal.kw_per_ton_from_cop(6.3))) == pytest.approx(6.3)
    ton_kw = Q_(1.0, "ton_of_refrigeration").to("kW").magnitude  # the unit registry agrees
    assert ton_kw == pytest.approx(thermal.KW_PER_TON_OF_REFRIGERATION, rel=1e-5)


def test_rated_kw_per_ton_sets_chiller_power_at_every_chiller_hour(catalog):
    """Tower plant rated 0.6 kW/ton (COP 5.8614) on 15 degC chilled water with a 10 K rise,
    in the hot constant climate: no hour of free cooling, so the chiller runs 8,760 h at
    ``1 / 5.8614 = 0.17061 kW`` per kW of heat, as a yearly mean and on the design day;
    tower fans ``0.057 * (1 + 0.17061) = 0.066725``; design ``0.17061 + 0.066725 = 0.23733``.
    The Carnot model would give 6.114 at Ashburn's design day instead (test_physics).
    """
    loop = plant_loop(_rated_tower(catalog, chiller_kw_per_ton=0.6), _hot_constant_site(catalog), 15.0, 10.0)
    assert loop.free_cooling_hours == 0 and loop.chiller_hours == 8760
    assert loop.annual_chiller_kw_per_kw == pytest.approx(0.17061, rel=REL)
    assert loop.design_chiller_kw_per_kw == pytest.approx(0.17061, rel=REL)
    assert loop.design_kw_per_kw == pytest.approx(0.23733, rel=REL)
    assert loop.design_cop == pytest.approx(5.8614, rel=REL)
    assert "0.6 kW/ton" in loop.cop_basis
    same = plant_loop(_rated_tower(catalog, chiller_cop=5.8614), _hot_constant_site(catalog), 15.0, 10.0)
    assert same.annual_chiller_kw_per_kw == pytest.approx(loop.annual_chiller_kw_per_kw, rel=1e-4)


def test_a_plant_takes_one_chiller_rating_not_both(catalog):
    with pytest.raises(ValidationError, match="chiller_cop or chiller_kw_per_ton"):
        _rated_tower(catalog, chiller_cop=6.0, chiller_kw_per_ton=0.6)
    with pytest.raises(ValidationError):
        _rated_tower(catalog, chiller_kw_per_ton=6.0)  # a COP in the kW/ton field: above 3


def test_sizing_reports_chiller_power_cop_and_kw_per_ton(catalog):
    """DGX H100 on room air (all heat on the 15 degC chilled-water loop) with an input
    chiller of 0.6 kW/ton: Ashburn's design wet bulb 25.4 + 3 = 28.4 degC > 25 degC return,
    so the chillers take all the loop heat, ``Q = Q_air + L_design``, at ``1 / 5.8614``:
    chiller power ``0.17061 * Q``, COP 5.8614 = 0.6 kW/ton.
    """
    cop, basis = parse_chiller_efficiency("0.6 kW/ton")
    options = {"chiller_cop": cop, "chiller_cop_basis": basis}
    result = _size(catalog, cooling="room-air", **options)
    coeff = unit_coefficients(catalog, "dgx-h100", "room-air", "ashburn-va", SizingOptions(**options))
    loop_heat_kw = 10 * (coeff.air_loop_kw + coeff.electrical_loss_design_kw)
    assert result.chiller_power_design.to("kW").magnitude == pytest.approx(0.17061 * loop_heat_kw, rel=REL)
    assert result.chiller_cop_design == pytest.approx(5.8614, rel=REL)
    assert result.chiller_kw_per_ton_design == pytest.approx(0.6, rel=REL)
    assert result.chiller_cop_basis == "input 0.6 kW/ton = COP 5.86"
    modelled = _size(catalog, cooling="room-air")
    assert modelled.chiller_cop_basis == "modelled against lift"
    assert modelled.chiller_cop_design == pytest.approx(6.114, rel=REL)  # Carnot at the design day


@pytest.mark.parametrize(
    ("text", "cop"),
    [("6", 6.0), ("COP 6", 6.0), ("cop=4.5", 4.5), ("0.6kW/ton", 5.8614), ("0.6 kW/TR", 5.8614)],
)
def test_chiller_efficiency_flag_reads_a_cop_or_kw_per_ton(text, cop):
    assert parse_chiller_efficiency(text)[0] == pytest.approx(cop, rel=REL)


@pytest.mark.parametrize("text", ["0.6 kW/t", "fast", "", "0.6 kW/ton kW", "30", "0.6e9 kW/ton", "-1"])
def test_chiller_efficiency_flag_rejects_other_words_in_one_line(text):
    with pytest.raises(UserError) as caught:
        parse_chiller_efficiency(text)
    assert str(caught.value).startswith("--chiller-efficiency:") and "\n" not in str(caught.value)


# ---------------------------------------------------------------------------------------
# 2. PUE and WUE targets


def test_pue_and_wue_targets_replace_the_plant_model(catalog):
    """10 DGX H100, PUE 1.25 and WUE 0.3 L/kWh as inputs: IT 10 * 10.2 = 102 kW design,
    10 * 8.0 = 80 kW average (u = 1): facility ``1.25 * 102 = 127.5 kW`` on the design day
    and ``1.25 * 80 = 100 kW`` average, ``100 * 8,760 = 876,000 kWh`` a year; water
    ``0.3 * 80 * 8,760 = 210,240 L``. Named as target inputs; no chiller figures.
    """
    result = _size(catalog, pue_target=1.25, wue_target=Q_(0.3, "L/kWh"))
    assert result.facility_power_design.to("kW").magnitude == pytest.approx(127.5, rel=REL)
    assert result.facility_power_average.to("kW").magnitude == pytest.approx(100.0, rel=REL)
    assert result.facility_energy.to("kWh").magnitude == pytest.approx(876_000, rel=REL)
    assert result.water.to("L").magnitude == pytest.approx(210_240, rel=REL)
    assert result.pue_annual == pytest.approx(1.25) and result.wue == pytest.approx(0.3)
    assert result.pue_basis == "target input" and result.water_basis.startswith("target input")
    assert result.chiller_power_design is None and "not modelled" in result.chiller_cop_basis
    assert _size(catalog).pue_basis == "modelled"


def test_a_pue_below_losses_and_misc_is_one_clear_line(catalog):
    with pytest.raises(
        SizingError, match=r"PUE target 1\.01 \(--pue, scenario pue_target\) is below 1\.0\d\d"
    ) as caught:
        _size(catalog, pue_target=1.01)
    assert caught.value.field == "pue_target" and "\n" not in str(caught.value)


# ---------------------------------------------------------------------------------------
# 3. UPS sizing basis


def test_ups_basis_changes_the_module_count_and_is_named(catalog):
    """122 DGX H100 = 1,244.4 kW IT on 2N with 1,250 kW UPS modules.
    ``it-over-distribution``: 1,244.4 / 0.99 = 1,256.97 kW -> 2 modules per side, 4 installed;
    ``it``: 1,244.4 kW -> 1 per side, 2 installed.
    """
    over = _size(catalog, count=122)
    plain = _size(catalog, count=122, ups_basis="it")
    (ups_over,) = [line for line in over.equipment if line.item == "UPS modules"]
    (ups_plain,) = [line for line in plain.equipment if line.item == "UPS modules"]
    assert (ups_over.count, ups_plain.count) == (4, 2)
    assert ups_over.used == pytest.approx(1256.97, rel=REL) and ups_plain.used == pytest.approx(1244.4, rel=REL)
    assert over.ups_sizing_basis == "IT / distribution efficiency 0.99"
    assert plain.ups_sizing_basis == "IT load"


# ---------------------------------------------------------------------------------------
# 4. floor load on its stated area


def test_floor_load_over_footprint_net_row_and_gross_whitespace(catalog):
    """DGX H100 on rdhx, 4 per rack: rack ``4 * 130.45 + 200 = 721.8 kg``; footprint
    ``0.6 * 1.2 = 0.72 m2`` -> 1,002.5 kg/m2; net row ``0.6 * (2 * 1.2 + 1.2 + 1.2) / 2 =
    1.44 m2`` -> 501.25 kg/m2; gross whitespace ``1.44 * 1.94 = 2.7936 m2`` -> 258.38 kg/m2,
    the area ``whitespace_gross`` states (floor_load_average)."""
    result = _size(catalog)
    assert result.floor_load_footprint.to("kg/m**2").magnitude == pytest.approx(1002.5, rel=REL)
    assert result.floor_load_net_row.to("kg/m**2").magnitude == pytest.approx(501.25, rel=REL)
    assert result.floor_load_average.to("kg/m**2").magnitude == pytest.approx(258.38, rel=REL)
    gross_per_rack = result.whitespace_gross.to("m**2").magnitude / result.racks
    assert result.rack_mass.to("kg").magnitude / gross_per_rack == pytest.approx(258.38, rel=REL)


# ---------------------------------------------------------------------------------------
# 5. dry-cooler water


def test_dry_cooler_sites_use_the_sourced_dry_water_default(catalog):
    """GB300 NVL72 on dlc-cdu rejects through the dry cooler (evaporated fraction 0): water
    is the planning default 0.05 L per kWh of loop heat (Yobitel WUE band 0-0.05). Loop heat
    at average load is ``P_IT,avg + L_avg``, so ``W = 0.05 * (P_IT,avg + L_avg) * 8,760 h``
    and ``WUE = 0.05 * (1 + L_avg / P_IT,avg)``. It was 0 L before.
    """
    result = _size(catalog, system="gb300-nvl72", cooling="dlc-cdu", count=10)
    coeff = unit_coefficients(catalog, "gb300-nvl72", "dlc-cdu", "ashburn-va")
    it_kw, loss_kw = coeff.it_average_kw, coeff.electrical_loss_average_kw
    assert result.water.to("L").magnitude == pytest.approx(0.05 * 10 * (it_kw + loss_kw) * 8760, rel=REL)
    assert result.wue == pytest.approx(0.05 * (1 + loss_kw / it_kw), rel=REL)
    assert result.water_basis == "dry default 0.05 L/kWh of heat"
    assert "evaporation" in _size(catalog).water_basis  # towers keep their modelled water


# ---------------------------------------------------------------------------------------
# 6. per-system air-cooled rack limits


@pytest.mark.parametrize(
    ("system", "cooling", "per_rack", "rack_kw", "by"),
    [
        # 40.8 kW NVIDIA SuperPOD limit over the generic 40 kW: floor(40.8 / 10.2) = 4
        ("dgx-h100", "contained-air", 4, 40.8, "dgx-h100 air-cooled rack limit"),
        # 58 kW (4 x 14.5, SuperPOD ~56 kW): floor(58 / 14.5) = 4
        ("dgx-b300", "contained-air", 4, 58.0, "dgx-b300 air-cooled rack limit"),
        # the 50 kW rear door still caps it: floor(50 / 14.5) = 3 -> 43.5 kW
        ("dgx-b300", "rdhx", 3, 43.5, "dgx-b300 air-cooled rack limit"),
        # no limit of its own: generic 40 kW, floor(40 / 14.3) = 2 -> 28.6 kW
        ("dgx-b200", "contained-air", 2, 28.6, "contained-air limit"),
    ],
)
def test_a_system_air_cooled_rack_limit_overrides_the_generic_cap(catalog, system, cooling, per_rack, rack_kw, by):
    result = _size(catalog, system=system, cooling=cooling, count=40)
    assert result.units_per_rack == per_rack
    assert result.rack_power.to("kW").magnitude == pytest.approx(rack_kw, rel=REL)
    assert result.rack_power_limit_by == by
    (rack_check,) = [c for c in result.checks if c.limit == "rack power vs cooling"]
    assert rack_check.ok


def test_the_system_rack_limit_is_sourced(catalog):
    for system_id in ("dgx-h100", "dgx-h200", "dgx-b300"):
        limit = catalog.system(system_id).air_rack_power_limit
        assert limit is not None and limit.source.startswith(("http", "derived:"))


# ---------------------------------------------------------------------------------------
# dcplan size shows each figure with its basis (text and --json)


def _run(capsys, *args: str) -> tuple[int, str]:
    code = main(["size", "--system", "dgx-h100", "--count", "10", "--cooling", "contained-air", *args])
    out, err = capsys.readouterr()
    return code, out + err


def test_size_text_and_json_name_each_basis(capsys):
    code, text = _run(capsys, "--pue", "1.25", "--wue", "0.3L/kWh", "--ups-basis", "it")
    assert code == 0
    assert "1.25 (target input)" in text and "target input WUE 0.3 L/kWh" in text
    assert "UPS sized on" in text and "net row / gross" in text
    assert "40.8 kW (dgx-h100 air-cooled)" in text
    code, out = _run(capsys, "--chiller-efficiency", "0.6kW/ton", "--json")
    data = json.loads(out)
    assert code == 0 and data["pue_basis"] == "modelled"
    assert data["chiller_kw_per_ton_design"] == pytest.approx(0.6, rel=REL)
    assert data["ups_sizing_basis"] == "IT / distribution efficiency 0.99"
    assert data["floor_load_net_row"]["unit"] == "kg/m**2" and data["rack_power_limit"]["value"] == 40.8


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--pue", "0.9"), "--pue: expected a PUE from 1 to 5"),
        (("--wue", "3kW"), "--wue: expected a water intensity"),
        (("--ups-basis", "gross"), "--ups-basis: expected it or it-over-distribution"),
        (("--chiller-efficiency", "0.6kW/t"), "--chiller-efficiency: expected a COP"),
    ],
)
def test_size_bad_quick_estimate_flags_exit_2_with_one_line(capsys, args, expected):
    code, text = _run(capsys, *args)
    assert code == 2 and expected in text and len(text.strip().splitlines()) == 1


def test_the_rated_tower_plant_entry_runs_its_chiller_at_0_6_kw_per_ton(catalog):
    """catalogs/cooling.toml ``tower-chiller-rated``: 0.6 kW/ton (BAC guide 0.6-0.8 kW/ton)
    -> COP ``3.517 / 0.6 = 5.861`` on every chiller hour, also on Ashburn's design day
    (where the Carnot model gives 6.114)."""
    result = _size(catalog, cooling="room-air", plant="tower-chiller-rated")
    assert result.chiller_cop_design == pytest.approx(5.8614, rel=REL)
    assert result.chiller_kw_per_ton_design == pytest.approx(0.6, rel=REL)
    assert result.chiller_cop_basis == "rated 0.6 kW/ton = COP 5.86 (plant tower-chiller-rated)"
    assert catalog.plant("tower-chiller-rated").chiller_kw_per_ton.source.startswith("https://")


def test_seeded_fuzz_of_the_quick_estimate_inputs_never_crashes(catalog):
    """300 random chiller ratings (text) and PUE/WUE/UPS choices: each is a result or one
    clear error (UserError / SizingError / validation), never another exception."""
    rng = np.random.default_rng(15)
    pieces = ["COP", "cop=", " ", "0.6", "6", "-", "e9", "kW/ton", "kW/TR", "kW/t", "ton", ".", "nan", "inf", "ü"]
    for _ in range(300):
        text = "".join(rng.choice(pieces, size=int(rng.integers(0, 5))))
        try:
            cop, basis = parse_chiller_efficiency(text)
        except UserError as exc:
            assert str(exc).startswith("--chiller-efficiency:")
            continue
        assert 1.0 <= cop <= 35.2 and basis
    sized = 0
    for _ in range(40):
        system, cooling = [("dgx-h100", "rdhx"), ("gb300-nvl72", "dlc-cdu")][int(rng.integers(0, 2))]
        options = {
            "pue_target": float(rng.uniform(1.0, 2.0)),
            "wue_target": Q_(float(rng.uniform(0.0, 3.0)), "L/kWh"),
            "ups_basis": str(rng.choice(["it", "it-over-distribution"])),
        }
        try:
            result = _size(catalog, system=system, cooling=cooling, **options)
        except SizingError as exc:
            assert "\n" not in str(exc)
            continue
        assert result.pue_annual == pytest.approx(options["pue_target"])
        sized += 1
    assert sized > 10  # most draws are above the losses-and-misc floor (~1.07)
