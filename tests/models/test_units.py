"""The unit registry and quantity field types."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from models import units as u
from models.units import Q_, UnitInputError, parse_quantity, ureg


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
