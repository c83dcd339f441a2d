"""Sizing behaviour: targets, power bases, limits with margins, bad input, and the CLI.

Expected numbers are hand arithmetic from catalog figures quoted in each docstring.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from pint.errors import DimensionalityError
from pydantic import ValidationError

from dcplan.models import fleet
from dcplan.models.catalog import UnknownIdError
from dcplan.models.sizing import SizingError, SizingOptions, SizingRequest, SizingResult, size
from dcplan.models.units import Q_, parse_quantity
from dcplan.planner.cli import main

TRN3 = "trn3-ultraserver-gen2"


def _request(system=TRN3, cooling="dlc-cdu", site="ashburn-va", **target):
    if not target:
        target = {"count": 10}
    return SizingRequest(system=system, cooling=cooling, site=site, **target)


def _one_line(text: str) -> None:
    assert text.strip() and "\n" not in text.strip(), text
    assert "Traceback" not in text


def _fleet(**changes):
    args = {
        "idle_power": Q_(np.array([1.0, 2.0]), "kW"),
        "busy_power": Q_(np.array([3.0, 4.0]), "kW"),
        "utilisation": np.array([0.5, 0.5]),
        "liquid_fraction": np.array([0.8, 0.8]),
        "area": Q_(np.array([0.72, 0.72]), "m**2"),
        "air_delta_t": Q_(12.0, "K"),
        "liquid_delta_t": Q_(10.0, "K"),
        "coolant_specific_heat": Q_(4.18, "kJ/(kg*K)"),
        "coolant_density": Q_(997.0, "kg/m**3"),
    }
    args.update(changes)
    return fleet.evaluate_fleet(**args)


# --------------------------------------------------------------------------------------
# Impossible combinations and bad input


@pytest.mark.parametrize(
    ("system", "cooling", "needs"),
    [("gb300-nvl72", "room-air", "liquid"), (TRN3, "contained-air", "liquid"), ("dgx-h100", "dlc-cdu", "air")],
)
def test_unsupported_cooling_is_one_clear_line(catalog, system, cooling, needs):
    """A liquid-only rack on room air (or an air-cooled server on cold plates) is refused
    with one line naming the system, the cooling, what it needs and what it supports."""
    with pytest.raises(SizingError) as excinfo:
        size(catalog, _request(system=system, cooling=cooling))
    message = str(excinfo.value)
    _one_line(message)
    assert system in message and cooling in message and f"needs {needs} cooling" in message
    for supported in catalog.system(system).cooling:
        assert supported in message


@pytest.mark.parametrize("field", ["liquid_delta_t", "air_delta_t"])
@pytest.mark.parametrize("value", ["0 K", "-3 K", "0 degF", "-10 degC"])
def test_zero_or_negative_delta_t_is_rejected(field, value):
    with pytest.raises(ValidationError) as excinfo:
        SizingOptions(**{field: value})
    assert isinstance(excinfo.value, ValueError)
    (error,) = excinfo.value.errors()
    assert error["loc"] == (field,)
    _one_line(error["msg"])
    assert "positive temperature difference" in error["msg"]


def test_delta_t_with_wrong_dimension_is_rejected():
    with pytest.raises(ValidationError) as excinfo:
        SizingOptions(liquid_delta_t="10 kW")
    (error,) = excinfo.value.errors()
    assert "expected a temperature difference" in error["msg"] and "a power" in error["msg"]


@pytest.mark.parametrize("utilisation", [1.5, -0.1, math.nan, math.inf])
def test_utilisation_outside_unit_interval_is_rejected(utilisation):
    with pytest.raises(ValidationError) as excinfo:
        SizingOptions(utilisation=utilisation)
    assert excinfo.value.errors()[0]["loc"] == ("utilisation",)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"utilisation": np.array([0.5, 1.5])}, "utilisation"),
        ({"utilisation": np.array([0.5, math.nan])}, "utilisation"),
        ({"liquid_fraction": np.array([0.8, 1.2])}, "liquid_fraction"),
        ({"liquid_fraction": np.array([math.nan, 0.5])}, "liquid_fraction"),
        ({"idle_power": Q_(np.array([1.0, math.nan]), "kW")}, "idle_power"),
        ({"busy_power": Q_(np.array([-3.0, 4.0]), "kW")}, "busy_power"),
        ({"busy_power": Q_(np.array([math.inf, 4.0]), "kW")}, "busy_power"),
    ],
)
def test_fleet_rejects_out_of_range_and_nan_inputs(change, field):
    """NaN or out-of-range shares and powers are errors, not NaN (or negative airflow) out."""
    with pytest.raises(ValueError, match=field) as excinfo:
        _fleet(**change)
    _one_line(str(excinfo.value))


def test_fleet_rejects_wrong_dimension_and_bad_delta_t():
    with pytest.raises(DimensionalityError, match="Cannot convert from 'kilogram'"):
        _fleet(idle_power=Q_(np.array([1.0, 2.0]), "kg"))
    with pytest.raises(ValueError, match="positive temperature difference"):
        _fleet(liquid_delta_t=Q_(0.0, "K"))


@pytest.mark.parametrize(
    ("field", "bad", "kind", "suggestion"),
    [
        ("system", "trn3-ultraserver-gen3", "system", TRN3),
        ("cooling", "dlc-cdu2", "cooling", "dlc-cdu"),
        ("site", "ashburn", "site", "ashburn-va"),
    ],
)
def test_unknown_ids_suggest_close_matches(catalog, field, bad, kind, suggestion):
    with pytest.raises(UnknownIdError) as excinfo:
        size(catalog, _request(**{field: bad}))
    message = str(excinfo.value)
    _one_line(message)
    assert f"unknown {kind} id {bad!r}" in message
    assert f"did you mean {suggestion!r}" in message or repr(suggestion) in message


@pytest.mark.parametrize(
    ("option", "bad", "suggestion"),
    [("fluid", "pg26", "pg25"), ("power_chain", "ac-415v-2", "ac-415v-2n"), ("plant", "tower-chillr", "tower-chiller")],
)
def test_unknown_option_ids_suggest_close_matches(catalog, option, bad, suggestion):
    with pytest.raises(UnknownIdError, match=repr(suggestion)):
        size(catalog, _request(), SizingOptions(**{option: bad}))


def test_request_needs_exactly_one_positive_target():
    with pytest.raises(ValidationError, match="exactly one"):
        SizingRequest(system=TRN3, cooling="dlc-cdu", site="ashburn-va")
    with pytest.raises(ValidationError, match="exactly one"):
        SizingRequest(system=TRN3, cooling="dlc-cdu", site="ashburn-va", count=2, racks=4)
    for target in ({"count": 0}, {"racks": -1}, {"it_power": "-5 MW"}, {"it_power": "5 kg"}):
        with pytest.raises(ValidationError):
            SizingRequest(system=TRN3, cooling="dlc-cdu", site="ashburn-va", **target)


def test_row_too_short_for_one_ultraserver(catalog):
    """A 2-rack UltraServer cannot fit in a 1-rack row: ``floor(1/2) * 2 = 0`` usable."""
    with pytest.raises(SizingError, match="a row of 1 racks cannot hold one trn3-ultraserver-gen2 unit of 2 racks"):
        size(catalog, _request(), SizingOptions(racks_per_row=1))


# --------------------------------------------------------------------------------------
# Targets: count, power, racks


@pytest.mark.parametrize(
    ("it_power", "units"),
    [("5 MW", 25), ("5.1 MW", 25), ("5399 kW", 26), ("17,100,000 BTU/h", 25), ("200 kW", 1)],
)
def test_power_target_fills_whole_units(catalog, it_power, units):
    """``--power`` fills as many whole units as fit: ``floor(P / 200 kW)`` for Trn3 Gen2.
    5 MW -> 25; 5.1 MW -> floor(25.5) = 25; 5,399 kW -> floor(26.995) = 26;
    17,100,000 BTU/h = 17,100,000 / 3,412.14 = 5,011.5 kW -> floor(25.06) = 25; 200 kW -> 1."""
    result = size(catalog, _request(it_power=it_power))
    assert result.units == units
    assert result.it_power_provisioned.to("kW").magnitude == pytest.approx(200.0 * units)
    assert result.it_power_provisioned <= parse_quantity(it_power).to("kW") * (1 + 1e-9)


def test_power_target_below_one_unit(catalog):
    with pytest.raises(SizingError) as excinfo:
        size(catalog, _request(it_power="199 kW"))
    assert str(excinfo.value) == "199 kW is less than one trn3-ultraserver-gen2 unit (200 kW)"


def test_racks_target(catalog):
    """``--racks`` fills whole units: 5 racks hold ``floor(5/2) = 2`` Trn3 Gen2 UltraServers
    (4 racks used); 3 racks hold ``3 * 4 = 12`` DGX H100 on rear doors (4 per rack)."""
    trn3 = size(catalog, _request(racks=5))
    assert (trn3.units, trn3.racks, trn3.chips) == (2, 4, 288)
    dgx = size(catalog, _request(system="dgx-h100", cooling="rdhx", racks=3))
    assert (dgx.units, dgx.racks, dgx.chips) == (12, 3, 96)
    with pytest.raises(SizingError, match="1 racks cannot hold one trn3-ultraserver-gen2 unit"):
        size(catalog, _request(racks=1))


# --------------------------------------------------------------------------------------
# Power bases


def test_power_basis_is_named_and_used(catalog):
    """Provisioning basis (feeds, UPS, cooling) vs energy basis (typical at a utilisation).

    DGX H100 x 8 (catalog: nameplate 13.2, design 10.2, typical 8.0, idle 2.55 kW):
    nameplate -> ``8 * 13.2 = 105.6 kW``; design -> ``81.6 kW``; typical -> ``64.0 kW``.
    Energy at u = 0.25 on every basis: ``8 * (2.55 + (8.0 - 2.55) * 0.25) = 31.3 kW``.
    """
    expected = {"nameplate": 105.6, "design": 81.6, "typical": 64.0}
    for basis, kw in expected.items():
        result = size(
            catalog,
            _request(system="dgx-h100", cooling="rdhx", count=8),
            SizingOptions(provisioning=basis, utilisation=0.25),
        )
        assert result.provisioning_basis == basis
        assert result.energy_basis == "typical at utilisation 0.25"
        assert result.it_power_provisioned.to("kW").magnitude == pytest.approx(kw)
        assert result.it_power_average.to("kW").magnitude == pytest.approx(31.3)
        assert result.it_power_design.to("kW").magnitude == pytest.approx(81.6)


def test_nameplate_basis_falls_back_to_design(catalog):
    """GB300 NVL72 has no nameplate in the catalog: nameplate basis uses design, 142 kW."""
    result = size(catalog, _request(system="gb300-nvl72", count=3), SizingOptions(provisioning="nameplate"))
    assert result.it_power_provisioned.to("kW").magnitude == pytest.approx(3 * 142.0)


def test_default_basis_is_design_and_appears_in_json(catalog):
    data = size(catalog, _request()).to_json()
    assert data["provisioning_basis"] == "design"
    assert data["energy_basis"].startswith("typical")


# --------------------------------------------------------------------------------------
# Limits broken, with margins


def test_rack_power_over_the_cooling_limit(catalog):
    """Vera Rubin NVL144 (200 kW per rack) on liquid-to-air row units (150 kW limit):
    over by ``200 - 150 = 50 kW``. Trn2 UltraServer (26 kW) on room air (20 kW): over by 6."""
    result = size(catalog, _request(system="vera-rubin-nvl144", cooling="dlc-l2a", count=2))
    check = next(c for c in result.checks if c.limit == "rack power vs cooling")
    assert not check.ok
    assert check.margin == pytest.approx(50.0)
    assert check.message == (
        "200 kW per rack exceeds Direct-to-chip liquid via liquid-to-air row units's limit of 150 kW by 50 kW"
    )
    assert check in result.violations
    trn2 = size(catalog, _request(system="trn2-ultraserver", cooling="room-air", count=2))
    (over,) = [c for c in trn2.violations if c.limit == "rack power vs cooling"]
    assert over.margin == pytest.approx(6.0)
    assert over.message.startswith("26 kW per rack exceeds") and over.message.endswith("by 6 kW")


def test_coolant_supply_above_system_inlet(catalog):
    """Trn3 Gen2's coolant inlet max is 40 degC; 113 degF = 45 degC supply is 5 K over."""
    result = size(catalog, _request(), SizingOptions(liquid_supply_temp="113 degF"))
    (check,) = [c for c in result.violations if c.limit == "coolant supply vs system inlet"]
    assert check.value == pytest.approx(45.0)
    assert check.margin == pytest.approx(5.0)
    assert check.message == "45 degC coolant supply exceeds trn3-ultraserver-gen2's maximum inlet of 40 degC by 5 degC"


def test_all_limits_are_reported_even_when_met(catalog):
    result = size(catalog, _request(), SizingOptions(slab_rating="25 kN/m**2"))
    names = {check.limit for check in result.checks}
    assert {
        "rack power vs cooling",
        "rack PDU vs busway tap-off",
        "floor load (rack footprint) vs slab",
        "coolant supply vs system inlet",
    } <= names
    assert result.violations == []
    assert all(check.ok and check.margin <= 0 for check in result.checks)


# --------------------------------------------------------------------------------------
# Accounting identities of a result


def test_result_accounting_identities(catalog):
    """The result adds up: facility = IT + chain losses + cooling + misc; PUE = facility / IT;
    cost = energy * price; carbon = energy * intensity; capex total = sum of its parts;
    WUE = water / IT energy; misc = 1.5 % of IT (catalog default)."""
    r = size(catalog, _request(system="gb300-nvl72", cooling="dlc-l2a", site="phoenix-az", count=12))
    kw = lambda q: q.to("kW").magnitude  # noqa: E731
    parts = kw(r.it_power_provisioned) + kw(r.electrical_losses_design) + kw(r.cooling_power_design) + kw(r.misc_power)
    assert kw(r.facility_power_design) == pytest.approx(parts, rel=1e-9)
    assert r.pue_design == pytest.approx(kw(r.facility_power_design) / kw(r.it_power_provisioned), rel=1e-9)
    assert kw(r.misc_power) == pytest.approx(0.015 * kw(r.it_power_provisioned), rel=1e-9)
    site = catalog.site("phoenix-az")
    energy_kwh = r.facility_energy.to("kWh").magnitude
    assert r.energy_cost.to("USD").magnitude == pytest.approx(energy_kwh * site.electricity_price.magnitude)
    assert r.carbon.to("kg").magnitude == pytest.approx(energy_kwh * site.grid_carbon_intensity.magnitude)
    total = sum(
        getattr(r, f).to("USD").magnitude for f in ("capex_it", "capex_cooling", "capex_electrical", "capex_building")
    )
    assert r.capex_total.to("USD").magnitude == pytest.approx(total)
    assert r.capex_it.to("USD").magnitude == pytest.approx(12 * 3.5e6)
    assert r.wue == pytest.approx(r.water.to("L").magnitude / r.it_energy.to("kWh").magnitude)
    assert r.pue_annual == pytest.approx(r.facility_energy.magnitude / r.it_energy.magnitude, rel=1e-9)


# --------------------------------------------------------------------------------------
# CLI: JSON round trip and bad flags


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["size", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_round_trips(capsys, catalog):
    code, out, err = _run(capsys, "--system", TRN3, "--count", "50", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    again = SizingResult.model_validate(data)
    direct = size(catalog, _request(count=50))
    assert again.units == 50 and again.racks == 100 and again.provisioning_basis == "design"
    for name in ("it_power_provisioned", "facility_power_design", "coolant_flow", "whitespace_gross", "capex_total"):
        assert getattr(again, name).magnitude == pytest.approx(getattr(direct, name).magnitude, rel=1e-12), name
    assert [line.count for line in again.equipment] == [line.count for line in direct.equipment]
    assert [c.message for c in again.violations] == [c["message"] for c in data["violations"]]
    assert data["it_power_provisioned"] == {"value": pytest.approx(10_000.0), "unit": "kW"}
    # serialising the reloaded result gives the same JSON
    assert json.loads(json.dumps(again.to_json())) == data


def test_cli_json_with_imperial_flags(capsys):
    """Flags in imperial units mean the same thing: 18 degF air rise = 10 K, 36 degF loop
    rise = 20 K, 95 degF supply = 35 degC, 64.4 degF chilled water = 18 degC, 313.3 psf ~
    15 kN/m2 slab. (Temperatures used to crash: a degC quantity has no truth value.)"""
    code, out, _ = _run(
        capsys,
        *("--system", TRN3, "--count", "4", "--air-dt", "18degF", "--supply-temp", "95degF", "--slab", "313.3psf"),
        *("--chilled-water-temp", "64.4degF", "--liquid-dt", "36degF"),
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["air_delta_t"]["value"] == pytest.approx(10.0)
    assert data["liquid_supply_temp"] == {"value": pytest.approx(35.0), "unit": "degC"}
    assert data["liquid_delta_t"]["value"] == pytest.approx(20.0)
    # 313.3 lbf/ft2 * 47.880 Pa = 15.0 kPa; / 9.80665 m/s2 = 1,529.7 kg/m2
    assert data["slab_rating"]["value"] == pytest.approx(1529.7, rel=1e-3)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--power", "5 kg"), "--power: expected a power such as '132 kW', got '5 kg' (a mass)"),
        (("--count", "5", "--utilisation", "1.5"), "--utilisation: expected a ratio within [0, 1], got 1.5"),
        (("--count", "5", "--liquid-dt", "0K"), "--liquid-dt: expected a positive temperature difference"),
        (("--count", "5", "--air-dt", "-2 K"), "--air-dt: expected a positive temperature difference"),
        (("--count", "5", "--slab", "5 kW"), "--slab: expected a floor load"),
        (("--count", "5", "--redundancy", "3N"), "--redundancy: expected N, N+1, 2N, 2(N+1) or DR"),
        (("--count", "5", "--cooling", "room-air"), "cannot be cooled by room-air"),
        (("--count", "2", "--power", "5 MW"), "give exactly one of --count, --power or --racks"),
        (("--power", "150 kW"), "150 kW is less than one trn3-ultraserver-gen2 unit (200 kW)"),
        (("--count", "5", "--fluid", "pg26"), "did you mean 'pg25'"),
    ],
)
def test_cli_bad_flags_exit_2_with_one_line(capsys, args, expected):
    code, out, err = _run(capsys, "--system", TRN3, *args)
    assert code == 2
    assert out == ""
    _one_line(err)
    assert err.startswith("dcplan: error: ")
    assert expected in err


def test_cli_unknown_system_suggests(capsys):
    code, _, err = _run(capsys, "--system", "gb300-nvl27", "--count", "1")
    assert code == 2
    _one_line(err)
    assert "unknown system id 'gb300-nvl27'" in err and "'gb300-nvl72'" in err


def test_cli_human_output_names_the_broken_limit(capsys):
    code, out, _ = _run(capsys, "--system", TRN3, "--count", "2", "--slab", "1200 kg/m**2")
    assert code == 0
    assert "LIMIT BROKEN" in out and "exceeds the slab rating of 1,200 kg/m² by 689 kg/m²" in " ".join(out.split())
