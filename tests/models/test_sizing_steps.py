"""The named steps of sizing (models.coefficients, models.sizing, models.limits,
models.equipment): each step's formula on its own, and the names callers import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dcplan.models import coefficients, equipment, limits, plant, sizing
from dcplan.models.sizing import SizingOptions, SizingRequest, size, unit_coefficients

TRN3 = ("trn3-ultraserver-gen2", "dlc-cdu", "ashburn-va")


@pytest.mark.parametrize(
    ("system_id", "cooling_id"),
    [("trn3-ultraserver-gen2", "dlc-cdu"), ("gb300-nvl72", "dlc-l2a"), ("dgx-h200", "rdhx"), ("dgx-h200", "room-air")],
)
def test_heat_paths_conserve_heat_and_route_it_by_architecture(catalog, system_id, cooling_id):
    system, cooling = catalog.system(system_id), catalog.cooling(cooling_id)
    heat = coefficients.heat_paths(system, cooling, 100.0)
    assert heat.liquid_kw + heat.air_kw == pytest.approx(100.0)
    assert heat.liquid_kw == pytest.approx(100.0 * heat.liquid_fraction)
    loops = (heat.liquid_loop_kw, heat.air_loop_kw, heat.room_air_kw)
    if cooling.type == "dlc-l2a":  # row units reject the liquid heat into the room
        assert loops == (0.0, 100.0, 100.0)
    elif cooling.type == "rdhx":  # rear doors put all of it on facility water
        assert loops == (100.0, 0.0, 0.0)
    else:
        assert loops == (heat.liquid_kw, heat.air_kw, heat.air_kw)


@pytest.mark.parametrize("redundancy", ["N", "N+1", "2N", "2(N+1)", "DR"])
def test_electrical_losses_read_both_loadings_as_the_scalar_curve_would(catalog, redundancy):
    """Both loadings are evaluated in one array call; each must equal the scalar evaluation."""
    system = catalog.system(TRN3[0])
    chain = catalog.power_chain(catalog.defaults.power_chain)
    options = SizingOptions(utilisation=0.6, redundancy=redundancy)
    it = coefficients.unit_it_power(system, options, coefficients.system_unit_kw(system, options))
    design, average = coefficients.electrical_losses_kw(chain, catalog, redundancy, it)

    from dcplan.models import power

    share = power.active_share(redundancy) / (0.5 if redundancy == "DR" else 1.0)
    ups, xfmr = catalog.ups(chain.ups).efficiency, catalog.transformer(chain.transformer).efficiency
    eta_d = float(chain.distribution_efficiency.magnitude)

    def loss(it_kw: float, fraction: float) -> float:
        return it_kw / (eta_d * float(ups.at(fraction)) * float(xfmr.at(fraction))) - it_kw

    assert design == pytest.approx(loss(it.it_provisioned_kw, share), rel=1e-12)
    fraction = share * it.it_average_kw / it.it_provisioned_kw
    assert average == pytest.approx(loss(it.it_average_kw, fraction), rel=1e-12)
    assert 0 < average < design


def test_facility_power_is_the_sum_of_its_parts(catalog):
    coeff = unit_coefficients(catalog, *TRN3, SizingOptions(utilisation=0.5))
    design = coeff.it_provisioned_kw + coeff.electrical_loss_design_kw + coeff.cooling_design_kw + coeff.misc_kw
    assert coeff.facility_design_kw == pytest.approx(design, rel=1e-12)
    misc_fraction = coeff.misc_kw / coeff.it_provisioned_kw
    average = (
        coeff.it_average_kw
        + coeff.electrical_loss_average_kw
        + coeff.cooling_annual_kw
        + misc_fraction * coeff.it_average_kw
    )
    assert coeff.facility_average_kw == pytest.approx(average, rel=1e-12)


def test_server_rack_packing_gives_rack_power_and_mass(catalog):
    system, cooling = catalog.system("dgx-h200"), catalog.cooling("room-air")
    system_kw = float(system.design_power.magnitude)
    packing = coefficients.rack_packing(system, cooling, system_kw)
    n = packing.units_per_rack
    assert packing.racks == pytest.approx(1.0 / n)
    assert packing.rack_kw == pytest.approx(n * system_kw)
    expected_mass = n * float(system.weight.magnitude) + float(system.rack_shell_weight.magnitude)
    assert packing.rack_mass_kg == pytest.approx(expected_mass)


@pytest.mark.parametrize("units", [1, 7, 20, 21, 50])
def test_row_layout_fills_whole_rows_and_keeps_units_whole(catalog, units):
    system = catalog.system("gb300-nvl72")
    coeff = unit_coefficients(catalog, "gb300-nvl72", "dlc-cdu", "ashburn-va")
    layout = sizing.row_layout(system, coeff, units, racks_per_row=10)
    assert sum(layout.row_racks) == layout.racks
    assert all(0 < r <= layout.racks_per_row for r in layout.row_racks)
    assert all(r == layout.racks_per_row for r in layout.row_racks[:-1])


def test_row_too_short_for_one_unit_is_a_sizing_error(catalog):
    system = catalog.system("trn3-ultraserver-gen2")
    coeff = unit_coefficients(catalog, *TRN3)
    assert coeff.racks > 1  # a multi-rack unit
    with pytest.raises(sizing.SizingError, match="cannot hold one"):
        sizing.row_layout(system, coeff, 3, racks_per_row=1)


def test_limit_table_adds_rear_door_and_coolant_rows_only_where_they_apply(catalog):
    def names(system_id: str, cooling_id: str) -> list[str]:
        request = SizingRequest(system=system_id, cooling=cooling_id, site="ashburn-va", count=4)
        return [check.limit for check in size(catalog, request).checks]

    base = ["rack power vs cooling", "rack PDU vs busway tap-off"]
    floor = "floor load (rack footprint) vs slab"
    assert names("dgx-h200", "room-air") == [*base, floor]
    assert names("dgx-h200", "rdhx") == [*base, "rack heat vs rear door", floor]
    liquid = names("trn3-ultraserver-gen2", "dlc-cdu")
    assert liquid[:3] == [*base, floor]
    if catalog.system("trn3-ultraserver-gen2").coolant_inlet_max is not None:
        assert liquid[3:] == ["coolant supply vs system inlet"]


def test_check_limit_reports_the_margin_it_exceeds_by():
    over = limits.check_limit("x", 130.0, 100.0, "kW", "per rack", "the limit")
    assert not over.ok and over.margin == pytest.approx(30.0)
    assert over.message == "130 kW per rack exceeds the limit of 100 kW by 30 kW"
    within = limits.check_limit("x", 99.5, 100.0, "kW", "per rack", "the limit")
    assert within.ok and within.message == "99.5 kW per rack is within the limit (100 kW)"


def test_priced_tally_costs_count_times_price(catalog):
    ups = catalog.ups(catalog.power_chain(catalog.defaults.power_chain).ups)
    tally = equipment.priced("UPS modules", ups.id, 3, 1250.0, "kW", 2000.0, ups.capex)
    assert tally.capex_usd == pytest.approx(3 * float(ups.capex.magnitude))
    assert tally.installed == pytest.approx(3750.0)


ROOT = Path(__file__).resolve().parents[2]


def _names_imported_from_sizing() -> set[str]:
    """Every name ``from dcplan.models.sizing import ...`` brings in across planner/, tui/, tests/."""
    names: set[str] = set()
    for folder in ("planner", "tui", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module == "dcplan.models.sizing":
                    names.update(alias.name for alias in node.names)
    return names


def test_sizing_keeps_exporting_every_name_callers_import():
    """``from dcplan.models.sizing import X`` keeps working for the names that moved out,
    and each is the very object of its new home module."""
    wanted = _names_imported_from_sizing()
    assert {"SizingOptions", "size", "unit_coefficients", "plant_loop", "check_limit"} <= wanted
    from dcplan.models import sizing_options

    homes = {
        "coefficients": coefficients,
        "limits": limits,
        "plant": plant,
        "sizing": sizing,
        "sizing_options": sizing_options,
    }
    for name in sorted(wanted):
        assert name in sizing.__all__, name
        obj = getattr(sizing, name)
        module = getattr(obj, "__module__", None)
        if module is not None and module.rsplit(".", 1)[-1] in homes:
            assert getattr(homes[module.rsplit(".", 1)[-1]], name) is obj, name
        else:  # a constant: the object of one home module
            assert any(getattr(home, name, None) is obj for home in homes.values()), name
