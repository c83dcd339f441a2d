"""Property tests (hypothesis): energy conservation, unit invariance, monotonicity and
redundancy ordering, over kernels, the fleet wrapper and ``size()``.

Examples are kept small (``max_examples`` 50-100) so this file runs in a few seconds;
``deadline=None`` where ``size()`` runs, because a first call at a new supply
temperature evaluates a fresh 8,760-hour climate profile.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dcplan.models import fleet, power, thermal
from dcplan.models.sizing import SizingOptions, SizingRequest, size
from dcplan.models.units import Q_, VolumeFlow, parse_quantity

FAST = settings(max_examples=100, deadline=None)
SIZING = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SITES = ["ashburn-va", "phoenix-az", "dublin-ie", "portland-or", "singapore-sg"]
BASES = ["nameplate", "design", "typical"]
REDUNDANCIES = ["N", "N+1", "2N", "2(N+1)", "DR"]
EQUIPMENT_REDUNDANCY_ORDER = ["N", "N+1", "2N", "2(N+1)"]


def _combos(catalog) -> list[tuple[str, str]]:
    """Every (system, cooling) pair the catalog says is supported."""
    return [(system.id, cooling) for system in catalog.entries("system") for cooling in system.cooling]


@st.composite
def sizing_case(draw, catalog, max_count: int = 120):
    system, cooling = draw(st.sampled_from(_combos(catalog)))
    request = SizingRequest(
        system=system, cooling=cooling, site=draw(st.sampled_from(SITES)), count=draw(st.integers(1, max_count))
    )
    options = SizingOptions(
        utilisation=draw(st.floats(0.0, 1.0)),
        provisioning=draw(st.sampled_from(BASES)),
        redundancy=draw(st.sampled_from([None, *REDUNDANCIES])),
        fluid=draw(st.sampled_from([None, "water", "pg25"])),
    )
    return request, options


def _kw(quantity) -> float:
    return float(quantity.to("kW").magnitude)


def _finite_numbers(data: dict) -> bool:
    for value in data.values():
        if isinstance(value, float) and not math.isfinite(value):
            return False
        if isinstance(value, dict) and isinstance(value.get("value"), float) and not math.isfinite(value["value"]):
            return False
    return True


# --------------------------------------------------------------------------------------
# Energy conservation


power_values = st.floats(0.0, 1e6, allow_nan=False, allow_infinity=False)
fractions = st.floats(0.0, 1.0, allow_nan=False)


@FAST
@given(
    heat=arrays(np.float64, st.integers(1, 50), elements=power_values),
    share=fractions,
)
def test_split_heat_sums_to_the_input(heat, share):
    liquid, air = thermal.split_heat_kw(heat, share)
    np.testing.assert_allclose(liquid + air, heat, rtol=1e-12, atol=1e-9)
    assert np.all(liquid >= 0) and np.all(air >= -1e-9)


@FAST
@given(
    cooling_type=st.sampled_from(["room-air", "contained-air", "rdhx", "dlc-cdu", "dlc-l2a", "immersion"]),
    capture=fractions,
)
def test_liquid_and_air_shares_sum_to_one(cooling_type, capture):
    f = float(thermal.liquid_fraction(cooling_type, capture))
    assert 0.0 <= f <= 1.0
    liquid, air = thermal.split_heat_kw(1.0, f)
    assert float(liquid) + float(air) == pytest.approx(1.0)
    if cooling_type == "immersion":
        assert f == 1.0
    elif cooling_type in ("room-air", "contained-air", "rdhx"):
        assert f == 0.0


@st.composite
def fleet_arrays(draw):
    n = draw(st.integers(1, 40))
    idle = draw(arrays(np.float64, n, elements=st.floats(0.0, 50.0, allow_subnormal=False)))
    extra = draw(arrays(np.float64, n, elements=st.floats(0.0, 200.0, allow_subnormal=False)))
    utilisation = draw(arrays(np.float64, n, elements=fractions))
    liquid = draw(arrays(np.float64, n, elements=fractions))
    return idle, idle + extra, utilisation, liquid


@FAST
@given(data=fleet_arrays(), air_dt=st.floats(1.0, 30.0), liquid_dt=st.floats(1.0, 30.0))
def test_fleet_heat_to_liquid_plus_air_is_it_power(data, air_dt, liquid_dt):
    idle, busy, utilisation, liquid = data
    result = fleet.evaluate_fleet(
        Q_(idle, "kW"),
        Q_(busy, "kW"),
        utilisation,
        liquid,
        Q_(np.full(idle.size, 0.72), "m**2"),
        Q_(air_dt, "K"),
        Q_(liquid_dt, "K"),
        Q_(4.18, "kJ/(kg*K)"),
        Q_(997.0, "kg/m**3"),
    )
    power_kw = result.power.m_as("kW")
    np.testing.assert_allclose(
        result.heat_liquid.m_as("kW") + result.heat_air.m_as("kW"), power_kw, rtol=1e-12, atol=1e-9
    )
    assert np.all(power_kw >= idle - 1e-9) and np.all(power_kw <= busy + 1e-9)
    assert np.all(result.airflow.magnitude >= -1e-12) and np.all(result.coolant_flow.magnitude >= -1e-12)
    totals = result.totals()
    assert _kw(totals["heat_liquid"]) + _kw(totals["heat_air"]) == pytest.approx(_kw(totals["power"]), abs=1e-6)


@SIZING
@given(data=st.data())
def test_size_heat_to_liquid_plus_air_is_provisioned_it_power(catalog, data):
    request, options = data.draw(sizing_case(catalog))
    result = size(catalog, request, options)
    it_kw = _kw(result.it_power_provisioned)
    assert _kw(result.heat_to_liquid) + _kw(result.heat_to_air) == pytest.approx(it_kw, rel=1e-12)
    assert 0.0 <= result.liquid_fraction <= 1.0
    assert _kw(result.heat_to_liquid) == pytest.approx(result.liquid_fraction * it_kw, rel=1e-12, abs=1e-9)
    assert _kw(result.heat_to_air) == pytest.approx((1.0 - result.liquid_fraction) * it_kw, rel=1e-12, abs=1e-9)
    # everything the facility draws is IT plus overheads, and no number is NaN
    assert result.facility_power_design >= result.it_power_provisioned
    assert result.pue_design >= 1.0 and result.pue_annual >= 1.0
    assert _finite_numbers(result.to_json())


# --------------------------------------------------------------------------------------
# Unit invariance


@FAST
@given(data=fleet_arrays(), air_dt_k=st.floats(2.0, 25.0), liquid_dt_k=st.floats(2.0, 25.0))
def test_fleet_is_unit_invariant(data, air_dt_k, liquid_dt_k):
    """kW vs BTU/h and W, K vs degF (a rise) and degC, kJ/(kg K) vs BTU/(lb degF),
    kg/m3 vs lb/ft3, m2 vs ft2: the same physical inputs give the same outputs."""
    idle, busy, utilisation, liquid = data
    area = np.full(idle.size, 0.72)
    si = fleet.evaluate_fleet(
        Q_(idle, "kW"),
        Q_(busy, "kW"),
        utilisation,
        liquid,
        Q_(area, "m**2"),
        Q_(air_dt_k, "K"),
        Q_(liquid_dt_k, "K"),
        Q_(4.18, "kJ/(kg*K)"),
        Q_(997.0, "kg/m**3"),
    )
    imperial = fleet.evaluate_fleet(
        Q_(idle, "kW").to("BTU/h"),
        Q_(busy * 1000.0, "W"),
        utilisation,
        liquid,
        Q_(area, "m**2").to("ft**2"),
        Q_(air_dt_k * 1.8, "degF"),  # a rise written in degF
        Q_(liquid_dt_k, "degC"),  # a rise written in degC
        Q_(4.18, "kJ/(kg*K)").to("BTU/(lb*delta_degF)"),
        Q_(997.0, "kg/m**3").to("lb/ft**3"),
    )
    for name in ("power", "heat_liquid", "heat_air", "airflow", "coolant_flow", "area"):
        a, b = getattr(si, name), getattr(imperial, name)
        assert a.units == b.units, name
        np.testing.assert_allclose(b.magnitude, a.magnitude, rtol=1e-9, atol=1e-12, err_msg=name)
    gpm = si.coolant_flow.to("GPM")
    np.testing.assert_allclose(gpm.to("L/min").magnitude, si.coolant_flow.magnitude, rtol=1e-12, atol=1e-12)


@FAST
@given(heat_kw=st.floats(1.0, 2000.0), flow_l_min=st.floats(10.0, 5000.0))
def test_flow_in_litres_or_gallons_implies_the_same_delta_t(heat_kw, flow_l_min):
    """A flow given as L/min or as GPM (read through the VolumeFlow field type) implies
    the same loop rise ``dT = Q / (rho V cp)``."""
    flow_spec = VolumeFlow.__metadata__[0]
    in_litres = flow_spec.convert(f"{flow_l_min!r} L/min").magnitude
    in_gallons = flow_spec.convert(Q_(flow_l_min, "L/min").to("GPM")).magnitude
    dt_litres = float(thermal.delta_t_from_flow_k(heat_kw, in_litres, 4.18, 997.0))
    dt_gallons = float(thermal.delta_t_from_flow_k(heat_kw, in_gallons, 4.18, 997.0))
    assert dt_gallons == pytest.approx(dt_litres, rel=1e-12)
    # and it inverts the flow kernel
    assert float(thermal.coolant_volume_flow_l_min(heat_kw, dt_litres, 4.18, 997.0)) == pytest.approx(flow_l_min)


SIZE_FIELDS = (
    "it_power_provisioned",
    "facility_power_design",
    "facility_power_average",
    "cooling_power_design",
    "cooling_power_average",
    "airflow",
    "coolant_flow",
    "whitespace_gross",
    "facility_energy",
    "water",
    "capex_total",
    "floor_load_footprint",
)


def _same_result(a, b) -> None:
    for name in SIZE_FIELDS:
        qa, qb = getattr(a, name), getattr(b, name)
        assert qb.to(qa.units).magnitude == pytest.approx(qa.magnitude, rel=1e-9, abs=1e-9), name
    assert a.units == b.units and a.racks == b.racks
    assert [line.count for line in a.equipment] == [line.count for line in b.equipment]
    assert [c.ok for c in a.checks] == [c.ok for c in b.checks]
    assert a.free_cooling_hours == b.free_cooling_hours


@SIZING
@given(
    data=st.data(),
    air_dt_k=st.floats(5.0, 20.0),
    liquid_dt_k=st.floats(5.0, 20.0),
    supply_c=st.floats(15.0, 45.0),
    chilled_c=st.floats(7.0, 20.0),
    slab_kg_m2=st.floats(800.0, 3000.0),
)
def test_size_is_unit_invariant(catalog, data, air_dt_k, liquid_dt_k, supply_c, chilled_c, slab_kg_m2):
    """The same SizingOptions written in K / degC / kg/m2 or in degF / kelvin / kN/m2 / psf
    (and a power target in kW, MW or BTU/h) size the same plant."""
    request, base = data.draw(sizing_case(catalog, max_count=60))
    si = base.model_copy(
        update={
            "air_delta_t": Q_(air_dt_k, "K"),
            "liquid_delta_t": Q_(liquid_dt_k, "K"),
            "liquid_supply_temp": Q_(supply_c, "degC"),
            "chilled_water_temp": Q_(chilled_c, "degC"),
            "slab_rating": Q_(slab_kg_m2, "kg/m**2"),
        }
    )
    other = SizingOptions(
        utilisation=base.utilisation,
        provisioning=base.provisioning,
        redundancy=base.redundancy,
        fluid=base.fluid,
        air_delta_t=f"{air_dt_k * 1.8!r} degF",
        liquid_delta_t=f"{liquid_dt_k!r} degC",
        liquid_supply_temp=f"{supply_c * 1.8 + 32.0!r} degF",
        chilled_water_temp=f"{chilled_c + 273.15!r} K",
        slab_rating=data.draw(
            st.sampled_from(
                [
                    f"{slab_kg_m2 * 9.80665 / 1000.0!r} kN/m**2",
                    Q_(slab_kg_m2 * 9.80665, "N/m**2").to("psf"),
                ]
            )
        ),
    )
    _same_result(size(catalog, request, si), size(catalog, request, other))
    # a power target in different units fills the same number of units
    target_kw = _kw(size(catalog, request, si).it_power_provisioned)
    spellings = [Q_(target_kw, "kW"), Q_(target_kw / 1000.0, "MW"), Q_(target_kw, "kW").to("BTU/h")]
    filled = {
        size(catalog, request.model_copy(update={"count": None, "it_power": parse_quantity(q)}), si).units
        for q in spellings
    }
    assert filled == {request.count}


# --------------------------------------------------------------------------------------
# Monotonicity


MONOTONE_FIELDS = (
    "it_power_provisioned",
    "it_power_average",
    "facility_power_design",
    "facility_power_average",
    "electrical_losses_design",
    "cooling_power_design",
    "cooling_power_average",
    "heat_to_liquid",
    "heat_to_air",
    "airflow",
    "coolant_flow",
    "footprint_area",
    "whitespace_gross",
    "facility_energy",
    "energy_cost",
    "water",
    "capex_it",
    "capex_cooling",
    "capex_electrical",
    "capex_building",
    "capex_total",
)


@SIZING
@given(data=st.data(), more=st.integers(1, 60))
def test_more_units_never_need_less(catalog, data, more):
    request, options = data.draw(sizing_case(catalog))
    small = size(catalog, request, options)
    large = size(catalog, request.model_copy(update={"count": request.count + more}), options)
    for name in MONOTONE_FIELDS:
        a, b = getattr(small, name), getattr(large, name)
        assert b.to(a.units).magnitude >= a.magnitude * (1 - 1e-12) - 1e-9, name
    assert large.racks >= small.racks and large.rows >= small.rows and large.chips > small.chips
    counts = {line.item: line.count for line in small.equipment}
    for line in large.equipment:
        assert line.count >= counts[line.item], line.item


@SIZING
@given(data=st.data(), u_low=fractions, u_high=fractions)
def test_busier_fleets_never_use_less_energy(catalog, data, u_low, u_high):
    request, options = data.draw(sizing_case(catalog, max_count=40))
    u_low, u_high = sorted((u_low, u_high))
    low = size(catalog, request, options.model_copy(update={"utilisation": u_low}))
    high = size(catalog, request, options.model_copy(update={"utilisation": u_high}))
    for name in ("it_power_average", "facility_power_average", "it_energy", "facility_energy", "energy_cost", "carbon"):
        a, b = getattr(low, name), getattr(high, name)
        assert b.to(a.units).magnitude >= a.magnitude * (1 - 1e-12) - 1e-9, name
    # design-day sizing does not depend on utilisation
    assert high.facility_power_design == low.facility_power_design


# --------------------------------------------------------------------------------------
# Redundancy ordering


@FAST
@given(n=st.integers(0, 10_000))
def test_redundant_count_ordering(n):
    counts = {name: int(power.redundant_count(n, name)) for name in REDUNDANCIES}
    assert counts["N"] == n
    assert counts["N"] <= counts["N+1"] <= counts["2N"] or n == 0
    assert counts["2N"] <= counts["2(N+1)"]
    assert counts["N+1"] <= counts["DR"] <= counts["2(N+1)"]
    if n == 0:
        assert set(counts.values()) == {0}
    else:
        # 2N: each of two systems carries all of the load; DR: each of three carries half
        assert counts["2N"] % 2 == 0 and counts["2N"] // 2 >= n
        assert counts["DR"] % 3 == 0 and 2 * (counts["DR"] // 3) >= n


@FAST
@given(n=st.integers(0, 10_000))
def test_redundant_count_is_vectorised(n):
    arr = np.array([n, n + 1, 2 * n])
    for name in REDUNDANCIES:
        expected = [int(power.redundant_count(int(x), name)) for x in arr]
        assert power.redundant_count(arr, name).tolist() == expected


@SIZING
@given(data=st.data())
def test_more_redundancy_never_installs_less(catalog, data):
    """UPS and transformer counts follow N <= N+1 <= 2N <= 2(N+1); the generators (their
    own N+1 topology) never shrink as the UPS runs lighter-loaded and less efficient."""
    request, options = data.draw(sizing_case(catalog))
    previous = None
    for redundancy in EQUIPMENT_REDUNDANCY_ORDER:
        result = size(catalog, request, options.model_copy(update={"redundancy": redundancy}))
        counts = {line.item: line.count for line in result.equipment}
        if previous is not None:
            for item in ("UPS modules", "transformers", "generators"):
                assert counts[item] >= previous[item], (redundancy, item)
            assert _kw(result.facility_power_design) >= previous["facility_kw"] * (1 - 1e-12)
        previous = {**counts, "facility_kw": _kw(result.facility_power_design)}


def test_chain_losses_never_fall_when_it_load_rises(catalog):
    """WP108 (docs/reference.md): ``P_loss = P_noload + k1 L + k2 L^2`` rises with load, so more
    IT power can never mean less chain loss. Five Trn3 Gen2 on 2N (each side at half load):

    u = 0.35 -> 87.1 kW/unit, UPS at ``0.5 * 87.1 / 200 = 0.218`` of rating;
    u = 0.45 -> 97.7 kW/unit, UPS at 0.244. Interpolating the catalog's efficiency table
    linearly (0.920 @ 0.10, 0.956 @ 0.25) gives eta_UPS 0.9483 and 0.9546, transformer
    0.9869 and 0.9886, so the loss per unit is ``87.1 / (0.99 * 0.9483 * 0.9869) - 87.1 =
    6.92 kW`` at u = 0.35 but ``97.7 / (0.99 * 0.9546 * 0.9886) - 97.7 = 6.87 kW`` at
    u = 0.45 -- less loss for more load. The loss model itself gives 0.0110 and 0.0115 of
    rating (rising). SourcedCurve.at() therefore interpolates absolute losses, not efficiencies.
    """
    request = SizingRequest(system="trn3-ultraserver-gen2", cooling="dlc-cdu", site="ashburn-va", count=5)
    low = size(catalog, request, SizingOptions(utilisation=0.35))
    high = size(catalog, request, SizingOptions(utilisation=0.45))
    assert _kw(high.electrical_losses_average) >= _kw(low.electrical_losses_average)
