"""models.swing: hand-derived swings, storage, battery sizing and the cheapest mitigation."""

from __future__ import annotations

import pytest

from dcplan.models import swing


def test_unit_swing_without_a_share_is_design_minus_idle():
    # 142 kW design, 35.5 kW idle: compute at design, communication at idle -> 106.5 kW
    s = swing.unit_swing(142.0, 35.5, None, 0.0, 5.0)
    assert s.amplitude_kw == pytest.approx(106.5)
    assert s.residual_kw == pytest.approx(106.5)


def test_unit_swing_with_a_share_and_storage():
    # 0.5 x 100 kW = 50 kW; 50 kJ over a 5 s period carries 2 x 50 / 5 = 20 kW -> 30 kW left
    s = swing.unit_swing(100.0, 10.0, 0.5, 50.0 / 3600.0, 5.0)
    assert s.amplitude_kw == pytest.approx(50.0)
    assert s.absorbed_kw == pytest.approx(20.0)
    assert s.residual_kw == pytest.approx(30.0)


def test_storage_cannot_absorb_more_than_the_swing():
    assert swing.storage_absorbed_kw(10.0, 1.0, 1.0) == 10.0  # 1 kWh would carry 7200 kW for 0.5 s
    with pytest.raises(ValueError, match="period"):
        swing.storage_absorbed_kw(10.0, 1.0, 0.0)


def test_battery_hours_is_the_c_rate_floor_or_half_the_period():
    assert swing.battery_hours(5.0, 0.25) == 0.25  # 2.5 s << 15 min
    assert swing.battery_hours(7200.0, 0.25) == pytest.approx(1.0)  # half of 2 h


def _prices() -> swing.MitigationPrices:
    # battery 300 USD/kW + 0.25 h x 350 USD/kWh = 387.5 USD/kW; floor 0.3 x 8760 x 0.08 = 210.24 USD/kW-yr
    return swing.MitigationPrices(300.0, 350.0, 0.25, swing.floor_usd_per_kw_year(0.3, 0.08))


def test_cheapest_mitigation_is_a_battery_over_a_long_horizon():
    # need 38 - 10 = 28 MW; floor over PV 7 yr = 1471.68 USD/kW > battery 387.5 USD/kW
    m = swing.cheapest_mitigation(38_000.0, 10_000.0, _prices(), 7.0, ("battery", "floor"))
    assert m.battery_kw == pytest.approx(28_000.0)
    assert m.battery_kwh == pytest.approx(7_000.0)
    assert m.capex_usd == pytest.approx(28_000 * 300 + 7_000 * 350)  # 10.85 MUSD
    assert m.floor_kw == 0.0 and m.residual_kw == pytest.approx(10_000.0)


def test_cheapest_mitigation_is_a_floor_over_a_short_horizon():
    # PV 1 yr: 210.24 USD/kW < 387.5 USD/kW
    m = swing.cheapest_mitigation(38_000.0, 10_000.0, _prices(), 1.0, ("battery", "floor"))
    assert m.floor_kw == pytest.approx(28_000.0) and m.battery_kw == 0.0
    assert m.opex_usd_per_year == pytest.approx(28_000 * 210.24)


def test_no_mitigation_inside_the_band_or_when_none_is_allowed():
    assert swing.cheapest_mitigation(8_000.0, 10_000.0, _prices(), 7.0, ("battery",)).battery_kw == 0.0
    assert swing.cheapest_mitigation(38_000.0, 10_000.0, _prices(), 7.0, ()).residual_kw == 38_000.0


def test_ramp_time():
    assert swing.ramp_time_s(100_000.0, 10_000.0) == 10.0
    with pytest.raises(ValueError):
        swing.ramp_time_s(1.0, 0.0)


def test_catalog_figures(catalog):
    """GB300 NVL72: 142 kW design, 35.5 kW idle -> 106.5 kW swing; 50 kJ over the 5 s long period
    absorbs 2 x 50 / 5 = 20 kW; a system without storage keeps its whole swing."""
    d = catalog.defaults
    gb300 = swing.system_unit_swing(catalog.system("gb300-nvl72"), d)
    assert gb300.amplitude_kw == pytest.approx(106.5)
    assert gb300.absorbed_kw == pytest.approx(20.0)
    gb200 = swing.system_unit_swing(catalog.system("gb200-nvl72"), d)
    assert gb200.absorbed_kw == 0.0 and gb200.amplitude_kw > 0
    p = swing.mitigation_prices(d, 0.08)
    assert p.battery_hours == 0.25 and p.battery_usd_per_kw_mitigated() == pytest.approx(387.5)
    assert p.floor_usd_per_kw_year == pytest.approx(0.3 * 8760 * 0.08)


def test_seeded_fuzz_keeps_the_invariants():
    """Random (seeded) inputs: no crash, swing and absorption within [0, amplitude], the
    cheapest mitigation exactly fills the need with the cheaper way."""
    import random

    rng = random.Random(15)
    for _ in range(2000):
        design = rng.uniform(0, 1e3)
        idle = rng.uniform(0, 1.5 * design)
        share = rng.choice([None, rng.uniform(0, 1)])
        s = swing.unit_swing(design, idle, share, rng.choice([0.0, rng.uniform(0, 1)]), rng.uniform(1e-3, 100))
        assert 0.0 <= s.absorbed_kw <= s.amplitude_kw + 1e-12 and s.residual_kw >= -1e-12
        prices = swing.MitigationPrices(
            rng.uniform(0, 1e3), rng.uniform(0, 1e3), rng.uniform(0, 4), rng.uniform(0, 1e3)
        )
        total, band = rng.uniform(0, 1e6), rng.uniform(0, 1e6)
        allowed = rng.choice([("battery",), ("floor",), ("battery", "floor"), ()])
        m = swing.cheapest_mitigation(total, band, prices, rng.uniform(0, 20), allowed)
        if allowed:
            assert m.residual_kw == pytest.approx(min(total, band), abs=1e-6)
        assert m.battery_kw >= 0 and m.floor_kw >= 0 and m.capex_usd >= 0 and m.opex_usd_per_year >= 0
