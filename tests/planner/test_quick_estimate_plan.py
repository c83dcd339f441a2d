"""Scenario quick-estimate inputs in a single-period plan: ``pue_target``, ``wue_target`` and
``ups_basis`` (issue 15 item 5), each named in the plan's report.

The scenario of test_air_rack_limit: one contained-air row filled with 80 DGX H100 (20
racks of 4), IT ``80 * 10.2 = 816 kW`` provisioned, ``80 * 8.0 = 640 kW`` average (u = 1).
"""

from __future__ import annotations

import copy

import pytest

from dcplan.models.catalog import Catalog, load_catalog
from dcplan.models.errors import DcplanError
from dcplan.planner.pipeline import plan_scenario
from dcplan.planner.report.figures import summary_figures
from dcplan.planner.report.text import plan_money_energy_lines
from dcplan.planner.scenario import parse_scenario
from tests.planner.test_air_rack_limit import SCENARIO


@pytest.fixture(scope="module")
def builtin() -> Catalog:
    return load_catalog(use_env=False)


def _plan(catalog: Catalog, **header):
    data = copy.deepcopy(SCENARIO)
    data["scenario"].update(header)
    return plan_scenario(parse_scenario(data), catalog)


def _ups_used_kw(plan) -> float:
    (ups,) = [line for line in plan.equipment if line.item == "UPS modules"]
    return ups.used


def test_pue_wue_targets_and_ups_basis_flow_into_the_plan(builtin):
    """PUE 1.3: facility ``1.3 * 816 = 1,060.8 kW`` on the design day, PUE 1.3 both ways;
    WUE 0.2 L/kWh: water ``0.2 * 640 kW * 8,760 h = 1,121,280 L``; UPS on the IT load:
    816 kW, against ``816 / 0.99 = 824.24 kW`` on the default basis."""
    plan = _plan(builtin, pue_target=1.3, wue_target="0.2 L/kWh", ups_basis="it")
    e = plan.energy
    assert e.facility_power_design.to("kW").magnitude == pytest.approx(1060.8, rel=1e-6)
    assert (e.pue_design, e.pue_annual) == (pytest.approx(1.3), pytest.approx(1.3))
    assert e.water.to("L").magnitude == pytest.approx(1_121_280, rel=1e-6)
    assert _ups_used_kw(plan) == pytest.approx(816.0, rel=1e-6)
    assert _ups_used_kw(_plan(builtin)) == pytest.approx(824.24, rel=1e-4)
    assert plan.recheck.ok


def test_the_plan_report_names_the_quick_estimate_inputs(builtin):
    plan = _plan(builtin, pue_target=1.3, wue_target="0.2 L/kWh", ups_basis="it")
    named = "PUE 1.3 target input, WUE 0.2 L/kWh target input, UPS on IT load"
    assert plan.quick_estimate_bases == named
    assert any(f.label == "quick-estimate inputs" and f.value == named for f in summary_figures(plan))
    assert named in plan_money_energy_lines(plan)[-1]
    modelled = _plan(builtin)
    assert modelled.quick_estimate_bases == ""
    assert all(f.label != "quick-estimate inputs" for f in summary_figures(modelled))


def test_a_scenario_pue_below_the_losses_is_bad_input(builtin):
    with pytest.raises(DcplanError, match=r"PUE target 1\.01 \(--pue, scenario pue_target\) is below 1\.07"):
        _plan(builtin, pue_target=1.01)
