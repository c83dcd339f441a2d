"""The numpy/highspy builder (planner/matrix.py) must hand HiGHS the
same LP as the documented Pyomo formulation, or the benchmark's "floor" measures another
model. Checked here in the default run so the two cannot drift apart unnoticed (they did
when share floors and part-full racks gained rows)."""

from __future__ import annotations

import pytest

from dcplan.planner.formulation import build_model
from dcplan.planner.matrix import build_direct
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.scenario import DEMO_SCENARIO, SCENARIO_DIR, load_scenario
from tests.bench.campus import campus
from tests.bench.highs_direct import same_lp
from tests.planner.conftest import HANDCAT, scenario
from tests.planner.test_outcomes import ONE_ROW


def _differences(scen, catalog) -> list[str]:
    data = build_model_data(scen, catalog)
    return same_lp(build_direct(data), build_model(data))


@pytest.mark.parametrize("size", ["S", "M", "L", "T25"])
def test_campus_lp_is_the_same_both_ways(size, catalog):
    """The ladder, and T25: 5 halls of 5 distinct row templates, three coolings per row."""
    assert _differences(campus(size), catalog) == []


@pytest.mark.parametrize("name", ["aws-hybrid-campus", "enterprise-hybrid"])
def test_shipped_scenario_lp_is_the_same_both_ways(name, catalog):
    assert _differences(load_scenario(SCENARIO_DIR / f"{name}.toml"), catalog) == []


def test_min_tco_lp_is_the_same_both_ways(catalog):
    scen = load_scenario(SCENARIO_DIR / "enterprise-hybrid.toml")
    scen = scen.model_copy(update={"scenario": scen.scenario.model_copy(update={"objective": "min-tco"})})
    assert _differences(scen, catalog) == []


@pytest.mark.parametrize("name", ["aws-hybrid-campus", "enterprise-hybrid"])
def test_compute_and_tco_vectors_are_the_formulation_expressions(name, catalog):
    """compute @ x and tco @ x equal Pyomo's compute_total and tco at the same point."""
    import numpy as np
    import pyomo.environ as pyo

    data = build_model_data(load_scenario(SCENARIO_DIR / f"{name}.toml"), catalog)
    direct, model = build_direct(data), build_model(data)
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 5, direct.num_col)
    value = dict(zip(direct.columns, x, strict=True))
    for var in model.component_data_objects(pyo.Var):
        var.set_value(value.get((var.parent_component().local_name, var.index()), 0.0), skip_validation=True)
    assert float(direct.compute @ x) == pytest.approx(pyo.value(model.compute_total), rel=1e-12)
    assert float(direct.tco @ x) == pytest.approx(pyo.value(model.tco), rel=1e-12)


def test_demo_lp_is_the_same_both_ways(catalog):
    assert _differences(load_scenario(DEMO_SCENARIO), catalog) == []


def test_part_full_rack_rows_are_the_same_both_ways(ideal_catalog):
    scen = scenario(row=[ONE_ROW], candidate=[{"system": "gamma"}, {"system": "alpha"}])
    data = build_model_data(scen, ideal_catalog)
    assert any(o.units_per_rack > 1 and o.units_per_row_max % o.units_per_rack for o in data.options)
    assert same_lp(build_direct(data), build_model(data)) == []


def test_a_cooling_listed_twice_is_one_option_and_changes_no_plan(catalog):
    """A row naming a cooling twice (found by the fuzz test) is one option in the model
    data, so both builders agree and the plan is the demo's."""
    from dcplan.planner.pipeline import PlanOptions, plan_scenario
    from dcplan.planner.solve import SolveSettings

    scen = load_scenario(DEMO_SCENARIO)
    rows = [r.model_copy(update={"cooling": [*r.cooling, r.cooling[0]]}) for r in scen.row]
    twice = scen.model_copy(update={"row": rows})
    model_data = build_model_data(twice, catalog)
    keys = [o.key for o in model_data.options]
    assert len(keys) == len(set(keys)) == len(build_model_data(scen, catalog).options)
    assert same_lp(build_direct(model_data), build_model(model_data)) == []
    options = PlanOptions(settings=SolveSettings(), marginals=False)
    plan, base = plan_scenario(twice, catalog, options), plan_scenario(scen, catalog, options)
    assert plan.recheck.ok, plan.recheck.violations
    assert plan.solver.objective == pytest.approx(base.solver.objective, rel=1e-9)


def test_ratio_step_lp_is_the_same_both_ways(catalog):
    """One Dinkelbach step of min-cost-per-delivered (a fixed lambda) on a shipped scenario."""
    from dataclasses import replace

    scen = load_scenario(SCENARIO_DIR / "enterprise-hybrid.toml", objective="min-cost-per-delivered")
    data = replace(build_model_data(scen, catalog), ratio_lambda_usd_per_pflop_day=37.5)
    direct = build_direct(data)
    assert same_lp(direct, build_model(data)) == []
    # the step's alloc costs are -lambda x horizon days / 1e6 x d, the other columns the TCO's
    alloc = [i for i, (name, _) in enumerate(direct.columns) if name == "alloc"]
    assert alloc and all(direct.lp.col_cost_[i] < 0 for i in alloc)


@pytest.mark.parametrize(
    "objective", ["max-compute", "max-delivered", "min-time-to-train", "min-cost-per-delivered", "min-tco"]
)
@pytest.mark.parametrize("basis", ["peak", "delivered", "chips", "power", "capex"])
def test_delivered_families_are_the_same_both_ways(objective, basis):
    """The issue-13 rows: alloc in units, rate x alloc demand rows, each share basis (floor and
    ceiling), each objective; a budget and a token-rate workload, with a cloud offer."""
    from dcplan.models.catalog import load_catalog
    from dcplan.planner.scenario import CloudOffer, ShareBound
    from tests.planner.test_delivered import FP4_LAYER, MOE, MOE_JOB, _scenario

    catalog = load_catalog([HANDCAT, FP4_LAYER], use_env=False)
    job = {**MOE_JOB, "deadline": "400 day"}
    serve = {"id": "serve", "class": "inference", "total_params": 1e10, "tokens_per_s": 1e5, "software": ["neuron"]}
    scen = _scenario(objective, [job, serve], target="moe" if objective == "min-time-to-train" else None)
    shares = [ShareBound(family="nvidia", basis=basis, min=0.2), ShareBound(software="neuron", basis=basis, max=0.9)]
    cloud = [CloudOffer(id="c1", region="r", system="tx", quota=3, price="100 USD/h")]
    scen = scen.model_copy(update={"share": shares, "cloud": cloud})
    data = build_model_data(scen, catalog, MOE)
    if objective == "min-cost-per-delivered":  # one Dinkelbach step at a fixed lambda
        from dataclasses import replace

        data = replace(data, ratio_lambda_usd_per_pflop_day=12.25)
    assert any(e.startswith("cloud:") for _, e in data.pairs)
    assert same_lp(build_direct(data), build_model(data)) == []


@pytest.mark.parametrize(
    "objective", ["max-compute", "max-delivered", "min-time-to-train", "min-cost-per-delivered", "min-tco"]
)
def test_porting_rows_are_the_same_both_ways(objective):
    """[[porting]]: a paid porting (binary port column in capex, its port_link row) and a
    delay-only one (scaled rates, no column), under a capex budget, with a cloud offer of the
    ported stack, for each objective."""
    from dcplan.models.catalog import load_catalog
    from dcplan.planner.porting import port_columns
    from dcplan.planner.scenario import CloudOffer, Porting
    from tests.planner.test_delivered import FP4_LAYER, MOE, MOE_JOB, _scenario

    catalog = load_catalog([HANDCAT, FP4_LAYER], use_env=False)
    job = {**MOE_JOB, "deadline": "400 day"}
    serve = {"id": "serve", "class": "inference", "total_params": 1e10, "tokens_per_s": 1e5, "software": ["neuron"]}
    cuda = {**MOE_JOB, "id": "cuda-job", "software": ["cuda"], "flops": "1e22 FLOP", "deadline": "300 day"}
    target = "moe" if objective == "min-time-to-train" else None
    scen = _scenario(objective, [job, serve, cuda], target=target, budget="9e6 USD")
    porting = [
        Porting(workload="serve", to="cuda", cost="1 MUSD", delay="30 day"),
        Porting(workload="*", to="neuron", delay="20 day"),
    ]
    cloud = [CloudOffer(id="c1", region="r", system="gx", quota=3, price="100 USD/h")]
    scen = scen.model_copy(update={"porting": porting, "cloud": cloud})
    data = build_model_data(scen, catalog, MOE)
    if objective == "min-cost-per-delivered":  # one Dinkelbach step: porting cost in its TCO
        from dataclasses import replace

        data = replace(data, ratio_lambda_usd_per_pflop_day=12.25)
    assert [(c.workload, c.stack) for c in port_columns(data)] == [("serve", "cuda")]
    assert {p.ported for p in data.pairs.values()} == {"", "cuda", "neuron"}
    assert same_lp(build_direct(data), build_model(data)) == []
