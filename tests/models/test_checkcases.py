"""The worked check-cases of docs/reference.md, reproduced through models/.

Every expected number below is the check-case's own arithmetic (quoted in each
docstring), not a value read back from the code under test. The reference asks for
agreement within +-1 %, hence ``pytest.approx(rel=0.01)`` throughout.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from dcplan.models import energy, fleet, power, space, thermal
from dcplan.models.catalog import Catalog, CatalogItem
from dcplan.models.sizing import SizingOptions, SizingRequest, size
from dcplan.models.units import Q_

REL = 0.01  # docs/reference.md: "a tool should agree within +-1 %"


def _with_entry(catalog: Catalog, kind: str, entry) -> Catalog:
    """A shallow copy of ``catalog`` with one entry replaced (the built-in stays untouched)."""
    items = {k: dict(v) for k, v in catalog.items.items()}
    items[kind][entry.id] = CatalogItem(entry=entry, origin=Path("test-override"))
    return replace(catalog, items=items)


# --------------------------------------------------------------------------------------
# 1. Airflow


def test_case1_airflow_for_132_kw_rack_at_10_k_kernel():
    """Case 1: ``V = 132 / (1.20 * 1.006 * 10) = 132 / 12.07 = 10.93 m3/s`` ->
    ``10.93 * 2,118.9 = 23,170 CFM``. Imperial cross-check: dT = 18 degF,
    ``3.16 * 132,000 / 18 = 23,173 CFM``.
    """
    flow_m3_s = float(thermal.air_volume_flow_m3_s(132.0, 10.0, 1.20, 1.006))
    assert flow_m3_s == pytest.approx(10.93, rel=REL)
    assert flow_m3_s * thermal.M3S_TO_CFM == pytest.approx(23_170, rel=REL)
    assert Q_(flow_m3_s, "m**3/s").to("CFM").magnitude == pytest.approx(23_170, rel=REL)
    assert Q_(flow_m3_s, "m**3/s").to("CFM").magnitude == pytest.approx(3.16 * 132_000 / 18, rel=REL)


def test_case1_airflow_through_fleet_with_quantities():
    """Case 1 through the unit-aware fleet wrapper: one 132 kW item, all heat to air,
    air rise given as 18 delta_degF (= 10 K): ``10.93 m3/s = 23,170 CFM``.
    """
    result = fleet.evaluate_fleet(
        idle_power=Q_(np.array([132.0]), "kW"),
        busy_power=Q_(np.array([132_000.0]), "W"),
        utilisation=np.array([1.0]),
        liquid_fraction=np.array([0.0]),
        area=Q_(np.array([0.72]), "m**2"),
        air_delta_t=Q_(18.0, "delta_degF"),
        liquid_delta_t=Q_(10.0, "K"),
        coolant_specific_heat=Q_(4.18, "kJ/(kg*K)"),
        coolant_density=Q_(997.0, "kg/m**3"),
    )
    assert result.airflow.to("m**3/s").magnitude[0] == pytest.approx(10.93, rel=REL)
    assert result.airflow.to("CFM").magnitude[0] == pytest.approx(23_170, rel=REL)


def test_case1_airflow_through_size(catalog):
    """Case 1 through ``size()``: ten GB200 NVL72 racks (132 kW design, catalog capture
    fraction 0.90) leave ``10 * 132 * (1 - 0.90) = 132 kW`` in the air; at an air rise of
    10 K that is ``132 / 12.07 = 10.93 m3/s = 23,170 CFM``.
    """
    result = size(
        catalog,
        SizingRequest(system="gb200-nvl72", cooling="dlc-cdu", site="ashburn-va", count=10),
        SizingOptions(air_delta_t="10 K"),
    )
    assert result.heat_to_air.to("kW").magnitude == pytest.approx(132.0, rel=1e-9)
    assert result.airflow.to("m**3/s").magnitude == pytest.approx(10.93, rel=REL)
    assert result.airflow_cfm == pytest.approx(23_170, rel=REL)
    assert result.airflow.to("CFM").magnitude == pytest.approx(23_170, rel=REL)


# --------------------------------------------------------------------------------------
# 2. Facility power, energy and cost from PUE


def test_case2_facility_power_energy_and_cost():
    """Case 2: 1 MW IT, PUE 1.2 -> ``1.2 MW`` facility, overhead 0.2 MW. Annual energy at
    constant load ``1.2 MW * 8,760 h = 10,512 MWh``; at $0.08/kWh -> ``$840,960``.
    """
    it_kw, overhead_kw = 1000.0, 200.0
    assert float(energy.pue(it_kw, overhead_kw)) == pytest.approx(1.2, rel=REL)
    facility_kw = it_kw * 1.2
    energy_kwh = float(energy.annual_energy_kwh(facility_kw))
    assert Q_(energy_kwh, "kWh").to("MWh").magnitude == pytest.approx(10_512, rel=REL)
    assert float(energy.energy_cost_usd(energy_kwh, 0.08)) == pytest.approx(840_960, rel=REL)


# --------------------------------------------------------------------------------------
# 3. Liquid loop, water and PG25


def test_case3_liquid_loop_water_and_pg25_kernels():
    """Case 3: 100 kW, dT = 10 K, water (cp 4.18, rho 997):
    ``m = 100 / (4.18 * 10) = 2.392 kg/s``; ``V = 2.392 / 997 = 2.399 L/s = 143.9 L/min``
    (rule of thumb ``14.3 * 100 / 10 = 143 L/min``).
    PG25 (cp 3.92, rho 1,021.5): ``m = 2.551 kg/s`` -> ``149.8 L/min`` (about +4 %).
    """
    assert float(thermal.coolant_mass_flow_kg_s(100.0, 10.0, 4.18)) == pytest.approx(2.392, rel=REL)
    water = float(thermal.coolant_volume_flow_l_min(100.0, 10.0, 4.18, 997.0))
    assert water == pytest.approx(143.9, rel=REL)
    assert water / 60.0 == pytest.approx(2.399, rel=REL)
    assert water == pytest.approx(14.3 * 100 / 10, rel=REL)
    assert float(thermal.coolant_mass_flow_kg_s(100.0, 10.0, 3.92)) == pytest.approx(2.551, rel=REL)
    pg25 = float(thermal.coolant_volume_flow_l_min(100.0, 10.0, 3.92, 1021.5))
    assert pg25 == pytest.approx(149.8, rel=REL)
    assert pg25 / water == pytest.approx(1.04, abs=0.005)


def test_case3_liquid_loop_through_fleet_with_catalog_fluids(catalog):
    """Case 3 with the catalog's water and PG25 entries (4.18 / 997 and 3.92 / 1,021.5, the
    check-case constants) through ``evaluate_fleet``: 100 kW all to liquid at 10 K ->
    ``143.9 L/min`` water, ``149.8 L/min`` PG25.
    """
    expected = {"water": 143.9, "pg25": 149.8}
    for fluid_id, litres_per_min in expected.items():
        fluid_entry = catalog.fluid(fluid_id)
        result = fleet.evaluate_fleet(
            idle_power=Q_(np.array([0.1]), "MW"),
            busy_power=Q_(np.array([0.1]), "MW"),
            utilisation=np.array([0.0]),
            liquid_fraction=np.array([1.0]),
            area=Q_(np.array([0.72]), "m**2"),
            air_delta_t=Q_(12.0, "K"),
            liquid_delta_t=Q_(10.0, "degC"),  # a "10 degC rise" is a 10 K difference
            coolant_specific_heat=fluid_entry.specific_heat.value,
            coolant_density=fluid_entry.density.value,
        )
        assert result.coolant_flow.to("L/min").magnitude[0] == pytest.approx(litres_per_min, rel=REL), fluid_id
        assert result.heat_air.magnitude[0] == pytest.approx(0.0, abs=1e-12)


def test_case3_pg25_needs_four_percent_more_flow_in_size(catalog):
    """Case 3's PG25/water ratio ``149.8 / 143.9 = 1.041`` holds for any liquid duty, so
    ``size()`` with ``fluid = pg25`` must report 4.1 % more coolant flow than with water.
    """
    request = SizingRequest(system="gb300-nvl72", cooling="dlc-cdu", site="dublin-ie", count=8)
    water = size(catalog, request, SizingOptions(fluid="water"))
    pg25 = size(catalog, request, SizingOptions(fluid="pg25"))
    ratio = pg25.coolant_flow.to("L/min").magnitude / water.coolant_flow.to("L/min").magnitude
    assert ratio == pytest.approx(149.8 / 143.9, rel=REL)
    assert water.coolant == "water" and pg25.coolant == "pg25"


# --------------------------------------------------------------------------------------
# 6. Rack PDU capacity, three-phase


def test_case6_rack_pdu_415v_60a():
    """Case 6: ``S = sqrt(3) * 415 * 60 = 43.13 kVA``; continuous ``0.8 * 43.13 = 34.50 kVA``;
    at pf 0.95 -> ``32.78 kW``.
    """
    assert float(power.three_phase_kva(415.0, 60.0)) == pytest.approx(43.13, rel=REL)
    # kVA under the 80 % rule equals the continuous real power at unity power factor
    assert float(power.continuous_kw(415.0, 60.0, 1.0, 0.8)) == pytest.approx(34.50, rel=REL)
    assert float(power.continuous_kw(415.0, 60.0, 0.95, 0.8)) == pytest.approx(32.78, rel=REL)


def test_case6_rack_pdu_415v_32a():
    """Case 6: 415 V 32 A -> ``23.00 kVA`` nameplate, ``18.40 kVA`` continuous."""
    assert float(power.three_phase_kva(415.0, 32.0)) == pytest.approx(23.00, rel=REL)
    assert float(power.continuous_kw(415.0, 32.0, 1.0, 0.8)) == pytest.approx(18.40, rel=REL)


def test_case6_line_current_for_132_kw_rack():
    """Case 6: line current for a 132 kW rack at 415 V, pf 0.95:
    ``132,000 / (sqrt(3) * 415 * 0.95) = 193.3 A``.
    """
    assert float(power.three_phase_current_a(132.0, 415.0, 0.95)) == pytest.approx(193.3, rel=REL)
    # the same through quantities at the boundary: 0.132 MW at 0.415 kV
    current = power.three_phase_current_a(Q_(0.132, "MW").m_as("kW"), Q_(0.415, "kV").m_as("V"), 0.95)
    assert float(current) == pytest.approx(193.3, rel=REL)


# --------------------------------------------------------------------------------------
# 7. Power-chain losses


def test_case7_power_chain_losses_flat_efficiencies():
    """Case 7: 1,000 kW IT; eta_distribution 0.99, eta_UPS 0.96, eta_transformer 0.99.
    UPS output ``1,000/0.99 = 1,010.1 kW``; UPS input ``1,010.1/0.96 = 1,052.2 kW``;
    transformer input ``1,052.2/0.99 = 1,062.8 kW``. Loss ``62.8 kW`` (6.3 % of IT);
    chain eta ``0.99 * 0.96 * 0.99 = 0.9409``.
    """
    ups_out, ups_in, transformer_in = (float(x) for x in power.chain_input_kw(1000.0, 0.99, 0.96, 0.99))
    assert ups_out == pytest.approx(1010.1, rel=REL)
    assert ups_in == pytest.approx(1052.2, rel=REL)
    assert transformer_in == pytest.approx(1062.8, rel=REL)
    assert transformer_in - 1000.0 == pytest.approx(62.8, rel=REL)
    assert (transformer_in - 1000.0) / 1000.0 == pytest.approx(0.063, rel=REL)
    assert 1000.0 / transformer_in == pytest.approx(0.9409, rel=REL)


def test_case7_psu_losses_are_inside_it_power():
    """Case 7: server PSU losses are inside the 1,000 kW: at eta_PSU = 0.96 the DC delivered
    to boards is ``960 kW`` (40 kW lost in the PSUs).
    """
    loss = float(power.psu_loss_kw(1000.0, 0.96))
    assert loss == pytest.approx(40.0, rel=REL)
    assert 1000.0 - loss == pytest.approx(960.0, rel=REL)


# --------------------------------------------------------------------------------------
# 9. Generator count


def test_case9_generator_count_n_n1_2n():
    """Case 9: 10 MW IT, design-day PUE 1.3 -> ``13.0 MW`` facility peak. 3.0 MW units
    derated 0.9 -> ``13.0 / 2.7 = 4.81`` -> N = 5; N+1 = 6 units; 2N = 10 units.
    """
    facility_kw = Q_(10, "MW").m_as("kW") * 1.3
    unit_kw = 3000.0 * 0.9
    n = int(power.units_required(facility_kw, unit_kw))
    assert facility_kw / unit_kw == pytest.approx(4.81, rel=REL)
    assert n == 5
    assert int(power.redundant_count(n, "N")) == 5
    assert int(power.redundant_count(n, "N+1")) == 6
    assert int(power.redundant_count(n, "2N")) == 10


def test_case9_generators_in_size_for_10_mw_of_trn3(catalog):
    """Case 9 inside ``size()``: 50 Trn3 Gen2 UltraServers are 10 MW IT (50 * 200 kW). With
    the catalog's 3.0 MW DCC genset derated 0.9 (2.7 MW usable) any design-day PUE in
    [1.2, 1.3] gives ``10 * 1.2 / 2.7 = 4.44`` to ``10 * 1.3 / 2.7 = 4.81`` -> N = 5, and the
    chain's N+1 generator redundancy installs 6.
    """
    gen = catalog.get("generator", "gen-3mw")
    assert float(gen.rating.magnitude) * float(gen.derating.magnitude) == pytest.approx(2700.0)
    result = size(
        catalog, SizingRequest(system="trn3-ultraserver-gen2", cooling="dlc-cdu", site="ashburn-va", count=50)
    )
    assert result.it_power_provisioned.to("MW").magnitude == pytest.approx(10.0)
    assert 1.2 <= result.pue_design <= 1.3
    generators = next(line for line in result.equipment if line.item == "generators")
    assert generators.count == 6
    assert generators.unit_capacity == pytest.approx(2700.0)


# --------------------------------------------------------------------------------------
# 12. Row geometry and hall area


def test_case12_row_geometry_and_gross_whitespace_kernels():
    """Case 12: 0.6 x 1.2 m racks, 1.2 m cold + 1.2 m hot aisle, back-to-back rows:
    ``0.6 * (2*1.2 + 1.2 + 1.2) / 2 = 1.44 m2`` per rack (net). A 10 MW IT hall at
    132 kW/rack needs ``ceil(10,000/132) = 76`` racks -> ``76 * 2.8 = 212.8 m2`` gross.
    """
    assert float(space.net_area_per_rack_m2(0.6, 1.2, 1.2, 1.2)) == pytest.approx(1.44, rel=REL)
    racks = int(power.units_required(10_000.0, 132.0))
    assert racks == 76 == math.ceil(10_000 / 132)
    assert racks * 2.8 == pytest.approx(212.8, rel=REL)


def test_case12_whitespace_through_size(catalog):
    """Case 12 through ``size()``: Trn3 Gen2 racks are 0.6 x 1.2 m and the catalog aisles are
    1.2 m, so 38 UltraServers (76 racks, the check-case's count) take ``76 * 1.44 =
    109.44 m2`` net and, at the catalog's whitespace factor (2.8 / 1.44 = 1.94), about
    ``76 * 2.8 = 212.8 m2`` gross.
    """
    result = size(
        catalog, SizingRequest(system="trn3-ultraserver-gen2", cooling="dlc-cdu", site="ashburn-va", count=38)
    )
    assert result.racks == 76
    assert result.whitespace_net.to("m**2").magnitude == pytest.approx(76 * 1.44, rel=REL)
    assert result.whitespace_gross.to("m**2").magnitude == pytest.approx(212.8, rel=REL)
    assert result.footprint_area.to("m**2").magnitude == pytest.approx(76 * 0.6 * 1.2, rel=REL)


# --------------------------------------------------------------------------------------
# 15. Capex


def test_case15_capex_50_mw_through_size(catalog):
    """Case 15: ``50 MW IT * $11.7 M/MW = $585 M``.

    Ashburn's construction cost is C&W's 11,700 USD/kW. dcplan counts power, cooling and
    fit-out bottom-up and books only the remaining ``1 - 0.63 = 0.37`` share as building
    capex (catalog default ``critical_capacity_share``), so for 250 UltraServers
    (250 * 200 kW = 50 MW) the building line is ``0.37 * 585 = $216.45 M`` and
    ``216.45 / 0.37 = $585 M`` is the check-case's all-in construction figure.
    """
    result = size(
        catalog, SizingRequest(system="trn3-ultraserver-gen2", cooling="dlc-cdu", site="ashburn-va", count=250)
    )
    assert result.it_power_provisioned.to("MW").magnitude == pytest.approx(50.0)
    critical = float(catalog.defaults.critical_capacity_share.magnitude)
    building = result.capex_building.to("USD").magnitude
    assert building == pytest.approx(0.37 * 585e6, rel=REL)
    assert building / (1.0 - critical) == pytest.approx(585e6, rel=REL)


@pytest.mark.parametrize(("premium", "expected_usd"), [(0.07, 626e6), (0.10, 644e6)])
def test_case15_capex_with_ai_premium(catalog, premium, expected_usd):
    """Case 15: with the 7-10 % AI premium -> ``$626-644 M``
    (``585 * 1.07 = 625.95``; ``585 * 1.10 = 643.5``). The premium is applied as a site
    override of the construction cost (11,700 * (1 + premium) USD/kW).
    """
    site = catalog.site("ashburn-va")
    cost = site.construction_cost_per_kw
    assert cost is not None
    premium_site = site.model_copy(
        update={"construction_cost_per_kw": cost.model_copy(update={"value": Q_(11_700.0 * (1 + premium), "USD/kW")})}
    )
    overridden = _with_entry(catalog, "site", premium_site)
    result = size(
        overridden, SizingRequest(system="trn3-ultraserver-gen2", cooling="dlc-cdu", site="ashburn-va", count=250)
    )
    critical = float(catalog.defaults.critical_capacity_share.magnitude)
    assert result.capex_building.to("USD").magnitude / (1.0 - critical) == pytest.approx(expected_usd, rel=REL)
