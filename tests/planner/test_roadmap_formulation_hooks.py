"""The Pyomo roadmap formulation with the extension families (planner/roadmap_formulation_hooks.py)
against the production direct model with its hooks (planner.roadmap_slots.slot_hook,
planner.roadmap_cloud.cloud_hook): on small cases exercising each family, both hand HiGHS
an LP of the same columns and rows and reach the same optimum (as
tests/planner/test_roadmap_formulation.py checks for the core roadmap).

The cases are those of tests/planner/test_roadmap_slots.py and test_roadmap_cloud.py (the
ideal hand catalog: alpha 100 PFLOPS, 50 kW racks, 1 MUSD; beta 200 PFLOPS, 100 kW racks,
3 MUSD; 1 MW holds 10 units), with both objectives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyomo.environ as pyo
import pytest

from dcplan.planner.roadmap_cloud import cloud_hook, cloud_inputs
from dcplan.planner.roadmap_fabric import fabric_hook
from dcplan.planner.roadmap_formulation import build_roadmap_model, solve_roadmap_formulation
from dcplan.planner.roadmap_model import build_roadmap
from dcplan.planner.roadmap_onsite import onsite_hook
from dcplan.planner.roadmap_slots import slot_hook
from dcplan.planner.roadmap_swing import swing_hook
from dcplan.planner.roadmap_types import RoadmapInputs
from dcplan.planner.solve import SolveSettings
from tests.planner.test_roadmap_cloud import cloud_only, factory, factory_roadmap, quarter_of, termed, with_terms
from tests.planner.test_roadmap_model import ALPHA, BETA, roadmap, site_data
from tests.planner.test_roadmap_slots import CHEAP, DENSE, slot_catalog, stand_in, with_slots

SETTINGS = SolveSettings(time_limit_s=30.0, rel_gap=1e-9, process="in-process")
OBJECTIVES = ["max-cumulative-delivered", "min-npv-tco"]


def _direct(inputs: RoadmapInputs) -> tuple[Any, str, float, np.ndarray]:
    """build_roadmap with the swing, on-site, fabric, slot and cloud hooks, solved by HiGHS alone
    at gap 1e-9: (model, status, objective, column values)."""
    from dcplan.planner.session import quiet_highs

    direct = build_roadmap(inputs, hooks=[swing_hook, onsite_hook, fabric_hook, slot_hook, cloud_hook])
    h = quiet_highs()
    for name, value in (("threads", 1), ("mip_rel_gap", 1e-9), ("mip_abs_gap", 1e-9), ("time_limit", 60.0)):
        h.setOptionValue(name, value)
    h.passModel(direct.lp)
    h.run()
    x = np.asarray(h.getSolution().col_value, dtype=np.float64)
    return direct, h.modelStatusToString(h.getModelStatus()), float(h.getInfo().objective_function_value), x


def _pyomo_var(model: Any, name: str, index: Any) -> Any:
    """The Pyomo variable of a direct column (name, (t, index)): a block column, a core
    linking column (add[o, t], rows_built[r, t], racks_built[r, t]) or an extension's,
    indexed as the direct model (density_*[t, r, k], cloud_start[t, key])."""
    t, rest = index[0], index[1:] if len(index) > 2 else index[1]
    if name in ("add", "rows_built", "racks_built"):
        return getattr(model, name)[rest, t]
    if name.startswith("density_") or name == "cloud_start":
        return getattr(model, name)[index]
    return getattr(model.period[t], name)[rest]


def _same_money_at(direct: Any, model: Any, x: np.ndarray) -> None:
    """The direct optimum x, put into the Pyomo model column by column, satisfies every
    Pyomo row and has the same capex and opex per period, residual, NPV TCO and delivered
    work: the two models state the same money and the same limits at that point."""
    for (name, index), value in zip(direct.columns, x, strict=True):
        _pyomo_var(model, name, index).set_value(float(value), skip_validation=True)
    for row in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        body = pyo.value(row.body)
        lower, upper = pyo.value(row.lower), pyo.value(row.upper)
        assert (lower is None or body >= lower - 1e-6) and (upper is None or body <= upper + 1e-6), row.name
    for t in model.T:
        assert pyo.value(model.capex[t]) == pytest.approx(float(direct.capex[t] @ x), rel=1e-9, abs=1e-9)
        assert pyo.value(model.opex[t]) == pytest.approx(float(direct.opex[t] @ x), rel=1e-9, abs=1e-9)
    assert pyo.value(model.residual) == pytest.approx(float(direct.residual @ x), rel=1e-9, abs=1e-9)
    assert pyo.value(model.npv_tco) == pytest.approx(float(direct.npv_tco @ x), rel=1e-9, abs=1e-9)
    if direct.work is not None:
        assert pyo.value(model.work) == pytest.approx(float(direct.work @ x), rel=1e-9, abs=1e-9)


def _agree(inputs: RoadmapInputs) -> tuple[Any, Any]:
    """Same LP size, same optimum, the same money and rows at the direct optimum;
    (direct model, solved Pyomo model)."""
    from tests.bench.highs_direct import pyomo_lp

    direct, status, optimum, x = _direct(inputs)
    model = build_roadmap_model(inputs)
    lp, _ = pyomo_lp(model)
    assert (lp.num_col_, lp.num_row_) == (direct.num_col, direct.num_row)
    assert status == "Optimal", status
    _same_money_at(direct, build_roadmap_model(inputs), x)
    result = solve_roadmap_formulation(inputs, SETTINGS, model=model)
    assert result.status == "optimal", result.status
    assert result.objective == pytest.approx(optimum, rel=1e-7, abs=1e-7)
    if inputs.objective == "max-cumulative-delivered":
        assert model.tie_break == pytest.approx(direct.tie_weight, rel=1e-12)
    return direct, model


def _with(inputs: RoadmapInputs, objective: str) -> RoadmapInputs:
    from dataclasses import replace

    return replace(inputs, objective=objective)


def _units(model: Any, key: str) -> list[int]:
    return [round(pyo.value(model.period[t].units[key])) for t in model.T]


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_density_pre_build(ideal_catalog: Any, objective: str) -> None:
    """Two density classes (50 and 100 kW racks), beta from period 2 of 4: the 100 kW class
    pre-built now (1.6 MUSD) beats building 50 kW now and rebuilding (2.7 MUSD)."""
    data = site_data(ideal_catalog, 1)
    installable = lambda t, k: k != BETA or t >= 2  # noqa: E731
    inputs = with_slots(ideal_catalog, data, 4, stand_in(density=[DENSE, CHEAP]), installable=installable)
    _, model = _agree(_with(inputs, objective))
    assert hasattr(model, "density_build")
    if objective == "max-cumulative-delivered":
        built = {k: round(pyo.value(model.density_build[0, "r1", k])) for k in (0, 1)}
        assert built == {0: 0, 1: 1}  # class 1 = 100 kW, the pre-build
        assert _units(model, BETA)[2:] == [10, 10]


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_a_rebuild_between_classes(ideal_catalog: Any, objective: str) -> None:
    """The same with beta from period 1 and a facility life short enough that building late
    is worth a rebuild's residual: density_rebuilt and density_keep take part."""
    data = site_data(ideal_catalog, 1)
    installable = lambda t, k: k != BETA or t >= 1  # noqa: E731
    inputs = with_slots(
        ideal_catalog, data, 3, stand_in(density=[CHEAP, DENSE]), installable=installable, facility_life_years=1.0
    )
    _agree(_with(inputs, objective))


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_a_slot_row_and_switch_trays(tmp_path: Path, objective: str) -> None:
    """A slot admitting alpha only (beta blocked) with 4 trays per alpha and 6 a quarter."""
    cat = slot_catalog(tmp_path, admits='["alpha"]')
    inputs = with_slots(cat, site_data(cat, 1), 3, stand_in(slot="test-slot"))
    assert inputs.extras["slots"].blocked and inputs.extras["slots"].tray_supply == [6, 6, 6]
    _, model = _agree(_with(inputs, objective))
    assert hasattr(model, "switch_trays")
    if objective == "max-cumulative-delivered":
        assert _units(model, ALPHA) == [1, 2, 3] and _units(model, BETA) == [0, 0, 0]


def test_the_mixed_domain_what_if_writes_no_tray_row(tmp_path: Path) -> None:
    cat = slot_catalog(tmp_path)
    data = site_data(cat, 1, candidate=[{"system": "alpha"}])
    _, model = _agree(with_slots(cat, data, 2, stand_in(slot="test-slot", mixed=True)))
    assert not hasattr(model, "switch_trays") and _units(model, ALPHA) == [10, 10]


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("periods", [3, 4])
def test_reserved_terms(ideal_catalog: Any, objective: str, periods: int) -> None:
    """6-month reservations over 3 (one term past the horizon) and 4 quarters."""
    inputs = termed(ideal_catalog, cloud_only(ideal_catalog), periods, "6 month")
    if objective == "min-npv-tco":  # a demand floor, or renting nothing is cheapest
        inputs = termed(ideal_catalog, cloud_only(ideal_catalog), periods, "6 month", objective=objective)
    _, model = _agree(inputs)
    assert hasattr(model, "cloud_start")


def test_a_capacity_block_when_the_quota_falls(ideal_catalog: Any) -> None:
    full, none = cloud_only(ideal_catalog, 10), cloud_only(ideal_catalog, 0)
    scn = with_terms(full.scenario, "capacity-block", "6 month")
    extras = {"cloud": cloud_inputs(scn, full, period_years=0.25, period_of=quarter_of)}
    inputs = roadmap(lambda t: full if t == 0 else none, 2, extras=extras, ready=lambda t, h: False)
    _, model = _agree(inputs)
    assert [round(pyo.value(model.period[t].rent["cloud:east"])) for t in model.T] == [0, 0]


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_ai_factory_commitment(ideal_catalog: Any, objective: str) -> None:
    """8 alpha committed in periods 1-2 at 50 USD/h: binding for max-cumulative-delivered
    (beta delivers more), the cheapest supply's floor for min-npv-tco. The period's unit
    price of the factory option is set apart from its own capex (as a declined system price
    would be): a factory unit costs its own (non-IT) capex in both models, not that price."""
    from dataclasses import replace

    inputs, _, _ = factory_roadmap(ideal_catalog, 4, factory())
    factory_price = {k: 1e6 for k in inputs.periods[0].unit_capex_usd if k.endswith("@ai-factory")}  # its own: 0
    periods = [replace(p, unit_capex_usd=p.unit_capex_usd | factory_price) for p in inputs.periods]
    inputs = replace(inputs, periods=periods)
    _, model = _agree(_with(inputs, objective))
    key = next(k for k in model.O if k.endswith("@ai-factory"))
    if objective == "max-cumulative-delivered":
        assert _units(model, key) == [0, 8, 8, 0]
    else:
        assert all(n >= 8 for n in _units(model, key)[1:3]) and _units(model, key)[0] == 0


def test_ai_factory_from_a_later_period(ideal_catalog: Any) -> None:
    inputs, _, _ = factory_roadmap(ideal_catalog, 4, factory(min_units=0, from_="2026Q3"))
    _, model = _agree(inputs)
    key = next(k for k in model.O if k.endswith("@ai-factory"))
    assert _units(model, key)[:2] == [0, 0]


def test_no_extras_add_nothing(ideal_catalog: Any) -> None:
    """Without extras the families add no component and no money."""
    model = build_roadmap_model(roadmap(site_data(ideal_catalog, 1), 2))
    assert not any(hasattr(model, n) for n in ("density_build", "switch_trays", "cloud_start"))
    assert not model.hook_money.capex and not model.hook_money.opex and not model.hook_money.residual


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("mitigation", [["battery"], ["floor"], ["battery", "floor"]])
def test_swing_batteries_kept_and_floors_paid(ideal_catalog: Any, objective: str, mitigation: list[str]) -> None:
    """planner.roadmap_swing in both builders: the fleet 5, 10, 5 under a 500 kW band
    (tests/planner/test_roadmap_swing.py): battery_kept rows, the battery's capex on its
    increments and residual, the floor's energy per period."""
    from dataclasses import replace

    from tests.planner.test_roadmap_swing import swing_roadmap

    inputs = swing_roadmap(ideal_catalog, mitigation)
    if objective == "min-npv-tco":  # demand is not needed: buying nothing is the cheapest
        inputs = replace(inputs, objective=objective)
    _, model = _agree(_with(inputs, objective))
    assert hasattr(model, "battery_kept")
    if objective == "max-cumulative-delivered" and mitigation == ["battery"]:
        assert [pyo.value(model.period[t].battery_kw["cold-aws"]) for t in model.T] == pytest.approx([0, 300, 300])


def test_a_fabric_tier_added_in_period_two() -> None:
    """tests/planner/test_roadmap_fabric_tier.py's roadmap (2 tiers in 2026Q1, 3 from
    2026Q2; min-npv-tco would need a [[workload]]): both builders give the same LP, optimum
    and money; 2026Q2's capex carries the kept units' upgrade, 16 x (8,725 - 5,350) USD."""
    from dcplan.models.catalog import load_catalog
    from dcplan.planner.roadmap_inputs import roadmap_inputs
    from dcplan.planner.scenario import parse_scenario
    from tests.planner.conftest import HANDCAT
    from tests.planner.test_fabric_placement import HANDFABRIC
    from tests.planner.test_roadmap_fabric_tier import _raw

    inputs = roadmap_inputs(parse_scenario(_raw()), load_catalog([HANDCAT, HANDFABRIC], use_env=False))
    _, model = _agree(inputs)
    kept = round(pyo.value(model.period[1].units["a/beta/ideal-dlc"] - model.add["a/beta/ideal-dlc", 1]))
    assert kept == 16
    assert pyo.value(model.capex[1]) == pytest.approx(
        sum(round(pyo.value(model.add[k, 1])) for k in ("a/beta/ideal-dlc", "b/beta/ideal-dlc") if (k, 1) in model.add)
        * (3e6 + 8725.0)
        / 1e6
        + 16 * 3375.0 / 1e6
    )
