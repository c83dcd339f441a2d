"""Hand-derived physics cases beyond docs/reference.md's worked check-cases.

Each test states the formula, where it comes from, and the arithmetic done by hand; the
expected numbers are those hand results, never values read back from models/. Agreement
is asked within 1 % (``rel=0.01``) unless the arithmetic is exact.

Sources are abbreviated:

- docs/reference.md (formulas section and defaults table)
- Cengel = Cengel & Boles, Thermodynamics, steam table A-4 (h_fg of water at 30 degC =
  2,429.8 kJ/kg, i.e. ~2,430 kJ/kg)
- ASHRAE imperial rules as quoted by docs/reference.md: CFM = 3.16 W / dT_F; GPM = BTU/h / (500 dT_F)
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dcplan.models import climate, energy, fleet, power, space, thermal
from dcplan.models.sizing import (
    SizingOptions,
    SizingRequest,
    check_limit,
    plant_loop,
    server_packing,
    size,
    unit_coefficients,
)
from dcplan.models.units import Q_

REL = 0.01
KW_TO_BTU_H = 3412.14  # 1 kW = 3,412 BTU/h (docs/reference.md conventions)


def _trn3(catalog, count=50, **options):
    request = SizingRequest(system="trn3-ultraserver-gen2", cooling="dlc-cdu", site="ashburn-va", count=count)
    return size(catalog, request, SizingOptions(**options))


def _line(result, item):
    return next(line for line in result.equipment if line.item == item)


# --------------------------------------------------------------------------------------
# Cooling: imperial rules against the SI kernels


def test_gpm_imperial_rule_matches_si_flow():
    """GPM rule (docs/reference.md, hydrothrift formulas): ``GPM = BTU/h / (500 * dT_F)``.

    100 kW = 100 * 3,412.14 = 341,214 BTU/h; dT 10 K = 18 degF:
    ``GPM = 341,214 / (500 * 18) = 37.91 GPM`` = 37.91 * 3.785 L = 143.5 L/min.
    The SI kernel (rho 997, cp 4.18) must land within 1 % (the constant 500 assumes
    62.4 lb/ft3 and 1 BTU/lb.degF, i.e. 998 kg/m3 and 4.187 kJ/kg.K).
    """
    gpm_rule = 100 * KW_TO_BTU_H / (500 * 18)
    assert gpm_rule == pytest.approx(37.91, rel=1e-3)
    si_l_min = float(thermal.coolant_volume_flow_l_min(100.0, 10.0, 4.18, 997.0))
    assert Q_(si_l_min, "L/min").to("GPM").magnitude == pytest.approx(gpm_rule, rel=REL)
    assert si_l_min == pytest.approx(143.5, rel=REL)


def test_delta_t_implied_by_flow_is_the_inverse_of_case3():
    """Inverse of check-case 3: ``dT = Q / (rho * V * cp)``.

    100 kW at 143.9 L/min water: ``m = 143.9/60,000 * 997 = 2.391 kg/s``;
    ``dT = 100 / (2.391 * 4.18) = 10.0 K``.
    NVL72 figure (docs/reference.md: ~80 L/min per ~120 kW rack): ``m = 80/60,000 * 997 =
    1.3293 kg/s``; ``dT = 120 / (1.3293 * 4.18) = 21.6 K`` -- the reference's "derived
    dT ~ 22 K" for a 25 -> 45 degC loop.
    """
    assert float(thermal.delta_t_from_flow_k(100.0, 143.9, 4.18, 997.0)) == pytest.approx(10.0, rel=REL)
    assert float(thermal.delta_t_from_flow_k(120.0, 80.0, 4.18, 997.0)) == pytest.approx(21.6, rel=REL)
    # a flow given in GPM is the same flow: 80 L/min = 21.13 GPM
    flow_l_min = Q_(21.134, "GPM").m_as("L/min")
    assert float(thermal.delta_t_from_flow_k(120.0, flow_l_min, 4.18, 997.0)) == pytest.approx(21.6, rel=REL)


def test_cfm_rule_for_four_dgx_h100_at_20_degf():
    """CFM rule (docs/reference.md, fanacdc / insideHPC): ``CFM = 3.16 * W / dT_F``, or
    ``CFM = 3,412 * kW / (1.085 * dT_F)``.

    Four DGX H100 (4 * 10.2 = 40.8 kW) at a 20 degF rise (insideHPC: 20-30 degF observed):
    ``3.16 * 40,800 / 20 = 6,446 CFM``; ``3,412 * 40.8 / (1.085 * 20) = 6,415 CFM``.
    SI: dT = 20/1.8 = 11.11 K, ``V = 40.8 / (1.2072 * 11.11) = 3.042 m3/s = 6,445 CFM``.
    """
    by_rule = 3.16 * 40_800 / 20
    assert by_rule == pytest.approx(6446.4)
    result = fleet.evaluate_fleet(
        idle_power=Q_(np.full(4, 10.2), "kW"),
        busy_power=Q_(np.full(4, 10.2), "kW"),
        utilisation=np.ones(4),
        liquid_fraction=np.zeros(4),
        area=Q_(np.full(4, 0.18), "m**2"),
        air_delta_t=Q_(20.0, "degF"),  # a "20 degF rise" is a 20 degF difference
        liquid_delta_t=Q_(10.0, "K"),
        coolant_specific_heat=Q_(4.18, "kJ/(kg*K)"),
        coolant_density=Q_(997.0, "kg/m**3"),
    )
    rack_cfm = result.airflow.to("CFM").magnitude.sum()
    assert rack_cfm == pytest.approx(by_rule, rel=REL)
    assert rack_cfm == pytest.approx(3412 * 40.8 / (1.085 * 20), rel=REL)
    assert result.airflow.sum().to("m**3/s").magnitude == pytest.approx(3.042, rel=REL)


# --------------------------------------------------------------------------------------
# Electrical


def test_three_phase_current_for_rack_feeds():
    """Three-phase current (docs/reference.md): ``I = P / (sqrt(3) * V_LL * pf)``.

    132 kW at 415 V, pf 0.95: ``132,000 / (1.7321 * 415 * 0.95) = 132,000 / 682.86 = 193.3 A``.
    One Trn3 Gen2 rack (200 kW per 2-rack UltraServer = 100 kW): ``100,000 / 682.86 = 146.4 A``.
    """
    currents = power.three_phase_current_a(np.array([132.0, 100.0]), 415.0, 0.95)
    assert currents == pytest.approx([193.3, 146.4], rel=REL)


def test_continuous_power_of_415v_pdus():
    """80 % rule (docs/reference.md, NEC): ``P_cont = 0.8 * sqrt(3) * V_LL * I * pf``.

    415 V 32 A: ``0.8 * 1.7321 * 415 * 32 = 18,401 VA = 18.40 kVA`` continuous; at pf 0.95
    ``17.48 kW``. 415 V 63 A: ``0.8 * 1.7321 * 415 * 63 = 36.23 kVA``; at pf 0.95 ``34.42 kW``.
    """
    assert float(power.continuous_kw(415.0, 32.0, 1.0)) == pytest.approx(18.40, rel=REL)
    assert float(power.continuous_kw(415.0, 32.0, 0.95)) == pytest.approx(17.48, rel=REL)
    assert float(power.continuous_kw(415.0, 63.0, 0.95)) == pytest.approx(34.42, rel=REL)
    # single phase (docs/reference.md: P = V * I * pf): 230 V 32 A at pf 1 -> 0.8 * 7,360 = 5.89 kW
    assert float(power.continuous_kw(230.0, 32.0, 1.0, 0.8, phases=1)) == pytest.approx(5.888, rel=REL)


def test_rack_pdu_tap_and_busway_counts_for_50_trn3(catalog):
    """Rack feeds for 50 Trn3 Gen2 UltraServers (100 racks of 100 kW) on the default 2N
    chain (63 A PDUs, 1,250 A busway with 125 A taps, 415 V, pf 0.95, 80 % rule):

    - PDU: 34.42 kW continuous -> ``ceil(100 / 34.42) = ceil(2.91) = 3`` per feed, two feeds
      (A/B) -> 6 per rack -> ``600`` PDUs and 600 tap-offs.
    - tap-off 125 A: ``0.8 * 1.7321 * 415 * 125 * 0.95 = 68.29 kW``.
    - busway run 1,250 A: ``0.8 * 1.7321 * 415 * 1,250 * 0.95 = 682.9 kW``; a row of 20
      racks is 2,000 kW -> ``ceil(2.93) = 3`` runs per feed; 5 rows * 2 feeds = ``30``.
    """
    result = _trn3(catalog)
    assert result.racks == 100 and result.rows == 5
    pdus, taps, runs = _line(result, "rack PDUs"), _line(result, "busway tap-offs"), _line(result, "busway runs")
    assert pdus.count == 600 and taps.count == 600
    assert pdus.unit_capacity == pytest.approx(34.42, rel=REL)
    assert taps.unit_capacity == pytest.approx(68.29, rel=REL)
    assert runs.unit_capacity == pytest.approx(682.9, rel=REL)
    assert runs.count == 30


def test_ups_cdu_and_crah_counts_for_50_trn3(catalog):
    """Whole-number equipment for 10 MW of Trn3 Gen2 (docs/reference.md redundancy rules,
    ``N = ceil(load / C)``):

    - UPS: load at the UPS output ``10,000 / 0.99 = 10,101 kW``; 1,250 kW modules ->
      ``ceil(8.08) = 9``; 2N -> ``18``.
    - CDUs: liquid heat ``0.90 * 10,000 = 9,000 kW``; 1,000 kW CDUs -> 9; N+1 -> ``10``.
    - CRAHs: air heat ``0.10 * 10,000 = 1,000 kW``; 200 kW units -> 5; N+1 -> ``6``.
    """
    result = _trn3(catalog)
    ups = _line(result, "UPS modules")
    assert ups.used == pytest.approx(10_101, rel=REL)
    assert ups.count == 18
    assert _line(result, "CDUs").count == 10
    assert _line(result, "CRAH units").count == 6


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (5, {"N": 5, "N+1": 6, "2N": 10, "2(N+1)": 12, "DR": 9}),
        (4, {"N": 4, "N+1": 5, "2N": 8, "2(N+1)": 10, "DR": 6}),
        (1, {"N": 1, "N+1": 2, "2N": 2, "2(N+1)": 4, "DR": 3}),
        (0, {"N": 0, "N+1": 0, "2N": 0, "2(N+1)": 0, "DR": 0}),
    ],
)
def test_redundancy_counts_including_dr_and_2n_plus_1(n, expected):
    """Redundancy sizing (docs/reference.md): N -> n; N+1 -> n + 1; 2N -> 2n; 2(N+1) -> 2(n + 1).

    Distributed redundant (DR), as models/power.py defines it: three systems, each sized
    for half the load. Modules come whole and a system's modules are identical (Schneider
    PME UPS configuration rules: in multi-group topologies "all groups must have the same
    number of UPS modules"), so each system needs ``ceil(n / 2)`` modules and DR installs
    ``3 * ceil(n / 2)``: n = 5 -> 3 * 3 = 9; n = 4 -> 3 * 2 = 6; n = 1 -> 3 * 1 = 3
    (three systems can never be built from fewer than three modules). No load, no units.
    """
    for name, count in expected.items():
        assert int(power.redundant_count(n, name)) == count, name


def test_power_chain_efficiency_curves_follow_their_loss_models(catalog):
    """The catalog's curves state their loss models (Schneider WP108 categories):

    UPS ``eta = L / (L + 0.007 + 0.017 L + 0.006 L^2)``: at L = 0.5,
    ``0.5 / (0.5 + 0.007 + 0.0085 + 0.0015) = 0.5 / 0.517 = 0.9671``; at L = 0.1,
    ``0.1 / 0.10876 = 0.9195``.
    Transformer ``eta = L / (L + 0.0020 + 0.0126 L^2)``: at L = 0.4,
    ``0.4 / (0.4 + 0.002 + 0.002016) = 0.9900``; at L = 1, ``1 / 1.0146 = 0.9856``.
    """
    ups = catalog.get("ups", "ups-1250kw")
    transformer = catalog.get("transformer", "xfmr-3000kva")
    assert float(ups.efficiency.at(0.5)) == pytest.approx(0.9671, abs=1e-3)
    assert float(ups.efficiency.at(0.1)) == pytest.approx(0.9195, abs=1e-3)
    assert float(transformer.efficiency.at(0.4)) == pytest.approx(0.9900, abs=1e-3)
    assert float(transformer.efficiency.at(1.0)) == pytest.approx(0.9856, abs=1e-3)


@pytest.mark.parametrize(
    ("redundancy", "module_load", "eta_ups", "eta_xfmr", "loss_kw"),
    [
        ("N", 1.0, 0.971, 0.986, 11.01),
        ("2N", 0.5, 0.967, 0.98914, 11.21),
        ("DR", 2.0 / 3.0, 0.96925, 0.98829, 10.90),
    ],
)
def test_chain_losses_at_the_topology_module_loading(catalog, redundancy, module_load, eta_ups, eta_xfmr, loss_kw):
    """Design-day chain loss of one Trn3 Gen2 (200 kW) with efficiencies read at the normal
    module loading of the topology (series losses, docs/reference.md: ``P_in = P_out / eta``):

    - N: one system carries all the load -> modules at 1.0: eta_UPS 0.971, eta_xfmr 0.986;
      ``200 / (0.99 * 0.971 * 0.986) - 200 = 200 / 0.94782 - 200 = 11.01 kW``.
    Between table points the curves interpolate absolute loss ``l = L (1/eta - 1)`` (fraction
    of rating) and read ``eta = L / (L + l)``. Transformer: l(0.40) = 0.0040404,
    l(0.75) = 0.0091093.

    - 2N: two systems each rated for the whole load carry half -> 0.5: UPS 0.967 (a table
      point); transformer l = 0.0040404 + (0.1/0.35) * 0.0050689 = 0.0054887,
      eta = 0.5 / 0.5054887 = 0.98914; ``200 / (0.99 * 0.967 * 0.98914) - 200 = 11.21 kW``.
    - DR: three systems each rated for half the load carry a third each -> a module runs at
      ``(1/3) / (1/2) = 2/3``: UPS l(0.5) = 0.017063, l(0.75) = 0.023196,
      l = 0.017063 + (0.1667/0.25) * 0.006133 = 0.021152, eta = 0.6667 / 0.6878 = 0.96925;
      transformer l = 0.0040404 + (0.2667/0.35) * 0.0050689 = 0.0079024, eta = 0.98829;
      ``200 / (0.99 * 0.96925 * 0.98829) - 200 = 10.90 kW``.
    """
    ups = catalog.get("ups", "ups-1250kw")
    transformer = catalog.get("transformer", "xfmr-3000kva")
    assert float(ups.efficiency.at(module_load)) == pytest.approx(eta_ups, abs=2e-4)
    assert float(transformer.efficiency.at(module_load)) == pytest.approx(eta_xfmr, abs=2e-4)
    coeff = unit_coefficients(
        catalog, "trn3-ultraserver-gen2", "dlc-cdu", "ashburn-va", SizingOptions(redundancy=redundancy)
    )
    assert coeff.electrical_loss_design_kw == pytest.approx(loss_kw, rel=REL)


def test_power_at_utilisation_and_transient_peak(catalog):
    """Linear utilisation model (docs/reference.md, Fan/Weber/Barroso 2007):
    ``P(u) = P_idle + (P_busy - P_idle) u``. Trn3 Gen2: idle 50 kW, typical 156 kW:
    u = 0.5 -> ``50 + 106 * 0.5 = 103 kW``; 50 units -> ``5,150 kW``; u = 0 -> ``2,500 kW``.
    Transient peak ``P_design * k = 200 * 1.4 = 280 kW`` per unit -> ``14,000 kW`` for 50.
    """
    assert float(power.power_at_utilisation_kw(50.0, 156.0, 0.5)) == pytest.approx(103.0, rel=REL)
    half = _trn3(catalog, utilisation=0.5)
    assert half.it_power_average.to("kW").magnitude == pytest.approx(5150.0, rel=REL)
    assert half.transient_peak.to("kW").magnitude == pytest.approx(14_000.0, rel=REL)
    idle = _trn3(catalog, utilisation=0.0)
    assert idle.it_power_average.to("kW").magnitude == pytest.approx(2500.0, rel=REL)
    # energy basis is the average power over 8,760 h: 5,150 kW * 8,760 h = 45.11 GWh
    assert half.it_energy.to("GWh").magnitude == pytest.approx(45.11, rel=REL)


# --------------------------------------------------------------------------------------
# Cooling plant


def test_chiller_cop_from_carnot_fraction():
    """Chiller COP (docs/reference.md): ``COP = eta * T_evap / (T_cond - T_evap)`` (K), with
    real machines at 40-60 % of Carnot. ``kW/ton = 3.517 / COP``.

    Tower plant, 15 degC chilled water, 24 degC wet bulb, approaches 2 K (evaporator),
    3 K (tower), 8 K (condenser), eta 0.5:
    ``T_evap = 13 degC = 286.15 K``; ``T_cond = 24 + 3 + 8 = 35 degC = 308.15 K``;
    ``COP = 0.5 * 286.15 / 22 = 6.50`` (water-cooled centrifugal 6-7); ``3.517 / 6.50 =
    0.541 kW/ton``.
    Dry cooler, 32 degC supply, 35 degC dry bulb, 7 K approach: ``T_evap = 30 degC =
    303.15 K``, ``T_cond = 50 degC = 323.15 K``, ``COP = 0.5 * 303.15 / 20 = 7.58``.
    """
    cop_tower = float(thermal.chiller_cop(15.0, 24.0, 3.0, 2.0, 8.0, 0.5, cop_max=12.0))
    assert cop_tower == pytest.approx(6.50, rel=REL)
    assert 3.517 / cop_tower == pytest.approx(0.541, rel=REL)
    assert float(thermal.chiller_cop(32.0, 35.0, 7.0, 2.0, 8.0, 0.5, cop_max=12.0)) == pytest.approx(7.58, rel=REL)
    # clipping: a sink below the evaporator needs no lift -> capped at cop_max; an absurd
    # lift at 10 % of Carnot (0.1 * 286.15 / 58 = 0.49) is floored at COP 1
    assert float(thermal.chiller_cop(15.0, 0.0, 3.0, 2.0, 8.0, 0.5, cop_max=8.0)) == pytest.approx(8.0)
    assert float(thermal.chiller_cop(15.0, 60.0, 3.0, 2.0, 8.0, 0.1, cop_max=8.0)) == pytest.approx(1.0)


def test_free_cooling_fraction_at_three_sink_temperatures():
    """Economiser test (docs/reference.md): the heat exchanger cools return water to
    ``T_sink + approach``; ``f = (T_return - (T_sink + approach)) / (T_return - T_supply)``.

    32 degC supply, 10 K rise (42 degC return), dry cooler with 7 K approach:
    sink 20 degC -> reach 27 degC <= 32 -> ``f = 15/10 -> 1`` (full free cooling);
    sink 30 degC -> reach 37 degC -> ``f = 5/10 = 0.5`` (partial);
    sink 38 degC -> reach 45 degC > 42 -> ``f = -0.3 -> 0`` (chiller only).
    """
    fractions = thermal.free_cooling_fraction(np.array([20.0, 30.0, 38.0]), 7.0, 32.0, 42.0)
    assert fractions == pytest.approx([1.0, 0.5, 0.0], abs=1e-12)


def test_evaporated_and_blowdown_water_per_kwh():
    """Tower water (docs/reference.md: latent heat is ~85 % of heat transfer in evaporative
    units; h_fg ~ 2,430 kJ/kg at 30 degC, Cengel A-4): ``m = f * 3,600 kJ / h_fg``.

    ``0.85 * 3,600 / 2,430 = 1.259 L/kWh`` evaporated. Blowdown at 4 cycles of concentration
    ``B = E / (CoC - 1) = 1.259 / 3 = 0.420 L/kWh``; total ``1.679 L/kWh``, inside the
    open-tower WUE band 1.2-2.0 L/kWh (docs/reference.md).
    """
    evaporated = float(thermal.evaporated_water_l(1.0, 0.85))
    assert evaporated == pytest.approx(1.259, rel=REL)
    blowdown = float(thermal.blowdown_water_l(evaporated, 4.0))
    assert blowdown == pytest.approx(0.420, rel=REL)
    assert 1.2 <= evaporated + blowdown <= 2.0
    assert evaporated + blowdown == pytest.approx(1.679, rel=REL)
    # no concentration cycles (dry cooler) -> no blowdown
    assert float(thermal.blowdown_water_l(evaporated, 0.0)) == 0.0


def test_plant_loop_in_a_constant_mild_climate(catalog):
    """Tower plant in a climate held at 20 degC dry bulb / 15 degC wet bulb with a 5 K
    daily swing (wet bulb swings 0.4 * 5 / 2 = +-1 K): every hour
    ``16 + 3 K approach = 19 degC <= 32 degC`` supply, so all 8,760 hours are free cooling.
    The chiller never runs; the tower fans draw ``0.057 kW`` per kW rejected
    (0.2 kW/ton / 3.517, catalog); water is ``1.679 L/kWh`` (previous test).
    """
    site = catalog.site("dublin-ie")
    constant = site.model_copy(
        update={
            "monthly_dry_bulb": site.monthly_dry_bulb.model_copy(update={"value": Q_(np.full(12, 20.0), "degC")}),
            "monthly_wet_bulb": site.monthly_wet_bulb.model_copy(update={"value": Q_(np.full(12, 15.0), "degC")}),
            "diurnal_range": site.diurnal_range.model_copy(update={"value": Q_(5.0, "K")}),
        }
    )
    loop = plant_loop(catalog.plant("tower-chiller"), constant, 32.0, 10.0)
    assert loop.free_cooling_hours == 8760
    assert loop.partial_hours == 0
    assert loop.annual_chiller_kw_per_kw == pytest.approx(0.0, abs=1e-12)
    assert loop.annual_kw_per_kw == pytest.approx(0.057, rel=REL)
    assert loop.water_l_per_kwh == pytest.approx(1.679, rel=REL)


def test_plant_loop_on_the_ashburn_design_day(catalog):
    """Design day at Ashburn (ASHRAE 0.4 % wet bulb 25.4 degC), tower plant, 15 degC chilled
    water with a 10 K rise: reach ``25.4 + 3 = 28.4 degC`` > 25 degC return -> no free cooling.
    ``COP = 0.5 * 286.15 / (25.4 + 3 + 8 - 13) = 143.075 / 23.4 = 6.114``; chiller
    ``1 / 6.114 = 0.1636 kW/kW``; tower fans ``0.057 * (1 + 0.1636) = 0.0663``;
    design ``0.1636 + 0.0663 = 0.2299 kW`` per kW of heat.
    """
    loop = plant_loop(catalog.plant("tower-chiller"), catalog.site("ashburn-va"), 15.0, 10.0)
    assert loop.design_chiller_kw_per_kw == pytest.approx(0.1636, rel=REL)
    assert loop.design_kw_per_kw == pytest.approx(0.2299, rel=REL)


def test_hourly_climate_profile_swing_and_peak_hour():
    """Diurnal model (models/climate.py docstring): ``T(h) = T_day + R/2 cos(2 pi (h - 15)/24)``,
    wet bulb swinging 0.4 R. On a day whose daily mean is 10 degC and range 8 K, at every
    integer hour the max (15:00) is ``10 + 4 = 14 degC`` and the min (03:00) ``10 - 4 =
    6 degC``; the wet bulb (mean 7 degC) swings ``0.4 * 8 = 3.2 K``: 8.6 .. 5.4 degC.
    A wet bulb above the dry bulb is impossible, so it is capped at the dry bulb: with both
    means at 10 degC, 03:00 gives ``min(10 - 1.6, 10 - 4) = 6 degC`` and 15:00
    ``min(10 + 1.6, 10 + 4) = 11.6 degC``.
    """
    dry, wet = climate.hourly_profile(np.full(12, 10.0), np.full(12, 7.0), 8.0)
    assert dry.shape == wet.shape == (8760,)
    first_day_dry, first_day_wet = dry[:24], wet[:24]
    assert int(np.argmax(first_day_dry)) == 15 and int(np.argmin(first_day_dry)) == 3
    assert first_day_dry.max() == pytest.approx(14.0) and first_day_dry.min() == pytest.approx(6.0)
    assert first_day_wet.max() == pytest.approx(8.6)
    assert first_day_wet.min() == pytest.approx(5.4)
    assert float(dry.mean()) == pytest.approx(10.0)
    _, saturated = climate.hourly_profile(np.full(12, 10.0), np.full(12, 10.0), 8.0)
    assert saturated[3] == pytest.approx(6.0)  # capped at the dry bulb
    assert saturated[15] == pytest.approx(11.6)  # 10 + 1.6, below the 14 degC dry bulb


def test_rear_door_fans_are_counted(catalog):
    """Active rear doors: door fans draw 0.5-2 kW per door (docs/reference.md, RDHx row); the
    catalog books them as 0.025 kW per kW of rack heat (1.25 kW / 50 kW door).

    A DGX H100 (10.2 kW, all to air) on rdhx: ``0.025 * 10.2 = 0.255 kW`` of door fans per
    server, ``4 * 0.255 = 1.02 kW`` per 4-server door -- inside the 0.5-2 kW band.
    """
    coeff = unit_coefficients(catalog, "dgx-h100", "rdhx", "ashburn-va")
    assert coeff.fan_kw == pytest.approx(0.255, rel=REL)
    assert 0.5 <= coeff.fan_kw * coeff.units_per_rack <= 2.0


# --------------------------------------------------------------------------------------
# Space and structure


def test_server_packing_for_dgx_h100(catalog):
    """Servers per rack = ``min(packing limit, floor(H_rack / h), floor(P_rack,max / P))``.

    DGX H100: packing limit 4 (NVIDIA SuperPOD: 4 per rack = 40.8 kW), 8 U in a 42 U rack
    -> ``floor(5.25) = 5``, 10.2 kW design:
    rdhx 50 kW -> ``floor(4.90) = 4`` -> 4 per rack, limited by the packing limit;
    contained-air: DGX H100's own air-cooled rack limit 40.8 kW (NVIDIA SuperPOD) replaces the
    generic 40 kW -> ``floor(40.8 / 10.2) = 4`` -> 4, limited by the packing limit;
    room-air 20 kW -> ``floor(1.96) = 1``.
    On rdhx 10 servers take ``ceil(10/4) = 3`` racks at ``4 * 10.2 = 40.8 kW`` per rack; rack mass
    ``4 * 130.45 + 200 = 721.8 kg``.
    """
    system = catalog.system("dgx-h100")
    assert server_packing(system, catalog.cooling("rdhx"), 10.2) == (4, "packing limit")
    assert server_packing(system, catalog.cooling("contained-air"), 10.2) == (4, "packing limit")
    assert server_packing(system, catalog.cooling("room-air"), 10.2) == (1, "cooling rack power")
    result = size(catalog, SizingRequest(system="dgx-h100", cooling="rdhx", site="ashburn-va", count=10))
    assert result.units_per_rack == 4 and result.packing_limited_by == "packing limit"
    assert result.racks == 3
    assert result.rack_power.to("kW").magnitude == pytest.approx(40.8, rel=REL)
    assert result.rack_mass.to("kg").magnitude == pytest.approx(721.8, rel=REL)


def test_ultraserver_cannot_straddle_rows(catalog):
    """A 2-rack UltraServer must sit in one row: usable positions ``floor(21 / 2) * 2 = 20``.
    21 UltraServers are 42 racks: ``ceil(42 / 20) = 3`` rows, not ``ceil(42 / 21) = 2``.
    """
    assert space.racks_per_row_for_unit(21, 2) == 20
    assert space.racks_per_row_for_unit(20, 2) == 20
    assert space.racks_per_row_for_unit(21, 1) == 21
    result = _trn3(catalog, count=21, racks_per_row=21)
    assert result.racks == 42
    assert result.racks_per_row == 20
    assert result.rows == 3


def test_floor_load_violation_message(catalog):
    """Floor load over the footprint (docs/reference.md): ``q = m / (W * D)``.

    A Trn3 Gen2 rack is 2,720 kg / 2 = 1,360 kg over 0.6 * 1.2 = 0.72 m2:
    ``1,360 / 0.72 = 1,888.9 kg/m2``. Against a 1,200 kg/m2 slab it exceeds by
    ``688.9 kg/m2``: "1,889 kg/m2 ... exceeds ... 1,200 kg/m2 by 689 kg/m2".
    The default 15 kN/m2 slab is ``15,000 / 9.80665 = 1,529.6 kg/m2`` -> over by 359.
    """
    assert float(space.floor_load_kg_m2(1360.0, space.footprint_m2(0.6, 1.2))) == pytest.approx(1888.9, rel=1e-4)
    result = _trn3(catalog, count=1, slab_rating="1200 kg/m**2")
    assert result.floor_load_footprint.to("kg/m**2").magnitude == pytest.approx(1888.9, rel=1e-4)
    (violation,) = [c for c in result.violations if c.limit.startswith("floor load")]
    assert violation.margin == pytest.approx(688.9, rel=1e-3)
    assert violation.message == (
        "1,889 kg/m2 over the rack footprint exceeds the slab rating of 1,200 kg/m2 by 689 kg/m2"
    )
    default = _trn3(catalog, count=1)
    assert default.slab_rating.to("kg/m**2").magnitude == pytest.approx(1529.6, rel=1e-4)
    (over,) = [c for c in default.violations if c.limit.startswith("floor load")]
    assert over.margin == pytest.approx(359.3, rel=1e-3)


# --------------------------------------------------------------------------------------
# Efficiency metrics, energy, cost


def test_pue_from_components():
    """Overhead decomposition (docs/reference.md): ``PUE = 1 + (P_cool + P_elec + P_misc) / P_IT``.

    1,000 kW IT with 150 kW cooling, case 7's 62.8 kW chain loss and 15 kW lighting/misc:
    ``PUE = 1 + 227.8 / 1,000 = 1.2278``; DCiE ``1 / 1.2278 = 0.8145``.
    Partial PUE of cooling (Stulz, docs/reference.md): ``(1,000 + 150) / 1,000 = 1.15``.
    """
    assert float(energy.pue(1000.0, 150.0 + 62.8 + 15.0)) == pytest.approx(1.2278, rel=1e-4)
    assert 1.0 / float(energy.pue(1000.0, 227.8)) == pytest.approx(0.8145, rel=1e-3)
    assert float(energy.pue(1000.0, 150.0)) == pytest.approx(1.15)


def test_energy_cost_and_carbon_at_ashburn_prices(catalog):
    """Energy opex (docs/reference.md): ``E = P * 8,760 h``; ``C = E * price``; carbon ``E * EF``.

    10 MW average facility power: ``10,000 * 8,760 = 87.6 GWh``. At Ashburn's EIA 2023
    industrial price 8.92 cents/kWh: ``87.6e6 * 0.0892 = $7.814 M``; at eGRID SRVC 0.2839
    kg/kWh: ``87.6e6 * 0.2839 = 24,870 t CO2e``.
    """
    site = catalog.site("ashburn-va")
    price = float(site.electricity_price.magnitude)
    intensity = float(site.grid_carbon_intensity.magnitude)
    assert (price, intensity) == pytest.approx((0.0892, 0.2839))
    energy_kwh = float(energy.annual_energy_kwh(10_000.0))
    assert energy_kwh == pytest.approx(87.6e6)
    assert float(energy.energy_cost_usd(energy_kwh, price)) == pytest.approx(7.814e6, rel=1e-3)
    assert Q_(float(energy.carbon_kg(energy_kwh, intensity)), "kg").to("t").magnitude == pytest.approx(24_870, rel=1e-3)


def test_capital_recovery_factor():
    """CRF (docs/reference.md): ``CRF = r (1+r)^n / ((1+r)^n - 1)``.

    r = 8 %, n = 5: ``1.08^5 = 1.46933``; ``0.08 * 1.46933 / 0.46933 = 0.25046``.
    r = 0: straight line ``1 / 5 = 0.2``.
    """
    assert energy.capital_recovery_factor(0.08, 5) == pytest.approx(0.25046, rel=1e-4)
    assert energy.capital_recovery_factor(0.0, 5) == pytest.approx(0.2)
    assert math.isclose(1.08**5, 1.46933, rel_tol=1e-5)


def test_size_coolant_and_airflow_for_50_trn3(catalog):
    """Flows for 10 MW of Trn3 Gen2 at the default 12 K air / 10 K water rises:
    liquid ``0.9 * 10,000 = 9,000 kW`` -> ``9,000 / (4.18 * 10) / 997 * 60,000 =
    12,958 L/min``; air ``1,000 kW`` -> ``1,000 / (1.2072 * 12) = 69.03 m3/s = 146,270 CFM``.
    """
    result = _trn3(catalog)
    assert result.coolant_flow.to("L/min").magnitude == pytest.approx(12_958, rel=REL)
    assert result.coolant_mass_flow.to("kg/s").magnitude == pytest.approx(9000 / 41.8, rel=REL)
    assert result.airflow.to("m**3/s").magnitude == pytest.approx(69.03, rel=REL)
    assert result.airflow_cfm == pytest.approx(146_270, rel=REL)


def test_limit_message_format():
    """The limit message reads "<value> <unit> <what> exceeds <against> of <allowed> by
    <margin>": a 132 kW rack against a 100 kW limit is over by ``132 - 100 = 32 kW``.
    """
    over = check_limit("rack power", 132.0, 100.0, "kW", "per rack", "the room's limit")
    assert not over.ok and over.margin == pytest.approx(32.0)
    assert over.message == "132 kW per rack exceeds the room's limit of 100 kW by 32 kW"
    assert over.utilisation == pytest.approx(1.32)
    within = check_limit("rack power", 40.8, 50.0, "kW", "per rack", "the rear door's capacity")
    assert within.ok and within.margin == pytest.approx(-9.2)
    assert within.message == "40.8 kW per rack is within the rear door's capacity (50 kW)"
