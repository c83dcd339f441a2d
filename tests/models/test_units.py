"""The unit registry and quantity field types."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from dcplan.models import units as u
from dcplan.models.units import Q_, UnitInputError, parse_quantity, ureg


class Rack(BaseModel):
    model_config = {"arbitrary_types_allowed": True}
    power: u.PositivePower
    inlet: u.Temperature
    rise: u.TemperatureDifference
    flow: u.VolumeFlow
    floor: u.FloorLoad
    price: u.MoneyPerEnergy


GOOD = {
    "power": "132 kW",
    "inlet": "35 degC",
    "rise": "10 K",
    "flow": "180 L/min",
    "floor": "1500 kg/m**2",
    "price": "0.08 USD/kWh",
}


def test_domain_units_are_defined():
    assert Q_(1, "refrigeration_ton").to("kW").magnitude == pytest.approx(3.5169, rel=1e-4)
    assert Q_(1, "kW").to("BTU/h").magnitude == pytest.approx(3412.14, rel=1e-4)
    assert Q_(1, "CFM").to("m**3/s").magnitude == pytest.approx(1 / 2118.88, rel=1e-4)
    assert Q_(1, "GPM").to("L/min").magnitude == pytest.approx(3.78541, rel=1e-5)
    assert Q_(42, "U").to("mm").magnitude == pytest.approx(1866.9)
    assert Q_(1, "kVA").to("VA").magnitude == 1000
    assert Q_(5, "MUSD").to("USD").magnitude == 5e6
    assert Q_(50, "percent").to("dimensionless").magnitude == 0.5
    assert Q_(2.517, "PFLOPS").to("TFLOPS").magnitude == pytest.approx(2517)


def test_fields_convert_to_canonical_units():
    rack = Rack(**GOOD)
    assert rack.power.units == ureg.kW and rack.power.magnitude == 132
    assert rack.inlet.to("degC").magnitude == pytest.approx(35)
    assert rack.rise.magnitude == 10
    assert rack.floor.magnitude == 1500


def test_mapping_and_quantity_inputs():
    rack = Rack(**{**GOOD, "power": {"value": 0.132, "unit": "MW"}, "flow": Q_(47.55, "GPM")})
    assert rack.power.magnitude == pytest.approx(132)
    assert rack.flow.magnitude == pytest.approx(180, rel=1e-3)


def test_thousands_separators_are_normalised():
    assert parse_quantity("4,100 kBTU/h").to("kW").magnitude == pytest.approx(1201.6, rel=1e-3)


def test_temperature_difference_reads_degC_as_a_rise():
    assert Rack(**{**GOOD, "rise": "18 delta_degF"}).rise.magnitude == pytest.approx(10)
    assert Rack(**{**GOOD, "rise": "10 degC"}).rise.magnitude == pytest.approx(10)


def test_floor_load_accepts_force_per_area():
    assert Rack(**{**GOOD, "floor": "15 kN/m**2"}).floor.magnitude == pytest.approx(1529.6, rel=1e-4)
    assert Rack(**{**GOOD, "floor": "300 psf"}).floor.magnitude == pytest.approx(1464.7, rel=1e-3)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("power", "5 kg", "expected a power such as '132 kW', got '5 kg' (a mass)"),
        ("power", 132, "a bare number (132) needs a unit"),
        ("power", "132", "a bare number (132) needs a unit"),
        ("power", "0 kW", "expected a positive power"),
        ("power", "-5 kW", "expected a positive"),
        ("power", "132 parsecs-per-fortnight", "unknown unit"),
        ("flow", "3 kW", "expected a volume flow"),
        ("price", "0.08 USD", "expected a price per energy"),
        ("inlet", "35", "needs a unit"),
    ],
)
def test_bad_quantities_name_the_field(field, value, expected):
    with pytest.raises(ValidationError) as info:
        Rack(**{**GOOD, field: value})
    errors = info.value.errors()
    assert errors[0]["loc"] == (field,)
    assert expected in errors[0]["msg"]


def test_foreign_registry_quantities_are_adopted():
    import pint

    other = pint.UnitRegistry()
    assert parse_quantity(other.Quantity(3, "kW")).to("W").magnitude == 3000


def test_array_values_stay_arrays():
    q = parse_quantity({"value": [1, 2, 3], "unit": "MW"})
    assert isinstance(q.magnitude, np.ndarray)
    assert u.QuantitySpec("a power", "kW", "1 kW").convert(q).magnitude.tolist() == [1000, 2000, 3000]


def test_non_finite_rejected():
    with pytest.raises(UnitInputError, match="finite"):
        u.QuantitySpec("a power", "kW", "1 kW").convert({"value": float("inf"), "unit": "kW"})


POWER_UNITS = ["W", "kW", "MW", "BTU/h", "kBTU/h", "refrigeration_ton", "hp"]


@given(st.floats(min_value=1e-3, max_value=1e9, allow_nan=False), st.sampled_from(POWER_UNITS))
def test_round_trip_through_any_power_unit(kw, unit):
    spec = u.QuantitySpec("a power", "kW", "1 kW")
    converted = Q_(kw, "kW").to(unit)
    assert math.isclose(spec.convert(converted).magnitude, kw, rel_tol=1e-9)
    assert math.isclose(spec.convert(f"{converted.magnitude!r} {unit}").magnitude, kw, rel_tol=1e-9)


@given(st.floats(min_value=-40, max_value=80, allow_nan=False))
def test_temperature_round_trip_degC_degF_K(celsius):
    spec = u.QuantitySpec("a temperature", "degC", "35 degC")
    for unit in ("degF", "K"):
        other = Q_(celsius, "degC").to(unit)
        assert math.isclose(
            spec.convert({"value": float(other.magnitude), "unit": unit}).magnitude, celsius, abs_tol=1e-9
        )


# --- issue 10: malformed text, plausible bounds, dimensions in words ------------------------

POWER_SPEC = u.PositivePower.__metadata__[0]
SLAB_SPEC = u.FloorLoad.__metadata__[0]
TEMPERATURE_SPEC = u.Temperature.__metadata__[0]


@pytest.mark.parametrize(
    "text",
    ["25 kN/", "5 MW/", "5 (kW", "5 kW)", "5 1/0", "5 **", "5 m**", "5 __class__", "5 " + "k" * 100, "5 kW; x"],
)
def test_malformed_unit_text_is_a_unit_input_error(text):
    """pint's parser raises AssertionError, TokenError, ZeroDivisionError... (defect 10)."""
    for spec in (POWER_SPEC, SLAB_SPEC):
        with pytest.raises(UnitInputError) as info:
            spec.convert(text)
        assert "\n" not in str(info.value) and info.value.expected == f"{spec.kind} such as '{spec.example}'"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"value": "abc", "unit": "kW"}, "cannot read 'abc' as a number"),
        ({"value": [[1, 2], [3]], "unit": "kW"}, "a number or a flat list of numbers"),
        ({"value": [{"a": 1}], "unit": "kW"}, "a number or a flat list of numbers"),
        ({"value": 5, "unit": ["kW"]}, "'unit' must be a unit name"),
        ("1" * 300 + " kW", "cannot read"),
    ],
)
def test_odd_mappings_are_unit_input_errors(value, message):
    with pytest.raises(UnitInputError, match=message.replace("(", r"\(").replace("[", r"\[")):
        POWER_SPEC.convert(value)


@pytest.mark.parametrize(
    ("spec", "text", "message"),
    [
        (POWER_SPEC, "1e308 kW", "expected a power of at most 1e9 kW"),
        (POWER_SPEC, "1e300 kW", "expected a power of at most 1e9 kW"),
        (TEMPERATURE_SPEC, "-300 degC", "above absolute zero"),
        (TEMPERATURE_SPEC, "-10 K", "above absolute zero"),
        (TEMPERATURE_SPEC, "1000 degC", "expected a temperature between -150 and 250 degC"),
        (u.TemperatureDifference.__metadata__[0], "300 K", "at most 250 K"),
        (u.Money.__metadata__[0], "1e16 USD", "at most 1e15 USD"),
    ],
)
def test_values_outside_plausible_bounds_are_refused(spec, text, message):
    """Defect 12: each quantity type has generous physical bounds."""
    with pytest.raises(UnitInputError, match=message):
        spec.convert(text)


@pytest.mark.parametrize(
    ("spec", "text"),
    [(POWER_SPEC, "1 TW"), (POWER_SPEC, "150 MW"), (TEMPERATURE_SPEC, "-60 degC"), (TEMPERATURE_SPEC, "95 degF")],
)
def test_values_inside_the_bounds_pass(spec, text):
    number, unit = text.split()
    assert spec.convert(text).magnitude == pytest.approx(Q_(float(number), unit).to(spec.canonical).magnitude)


def test_a_bare_prefix_is_explained():
    """Defect 13: '5 M' is molar in pint; say so in words and suggest the power."""
    with pytest.raises(UnitInputError) as info:
        POWER_SPEC.convert("5 M")
    assert str(info.value) == (
        "expected a power such as '132 kW', got '5 M' (a concentration; M is molar: did you mean '5 MW'?)"
    )
    with pytest.raises(UnitInputError, match=r"\(a speed\)"):
        POWER_SPEC.convert("3 m/s")
    with pytest.raises(UnitInputError) as info:
        POWER_SPEC.convert("5 mol/s")
    assert "[" not in str(info.value) and "amount of substance per time" in str(info.value)


def test_unit_input_error_is_a_dcplan_error_and_a_value_error():
    from dcplan.models.errors import DcplanError

    assert issubclass(UnitInputError, DcplanError) and issubclass(UnitInputError, ValueError)
