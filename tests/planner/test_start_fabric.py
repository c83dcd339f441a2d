"""The LP-rounding start for models that place network and storage racks (issue 15 benchmark).

With a placing ``[fabric]`` table every row reserves ceil(units x per-unit racks) end
positions, and HiGHS's branch and bound alone is slow to close 0.5 % on a large campus
(tests/bench/test_bench_fabric.py); the start is tried from ``START_FABRIC_FROM_COLUMNS``
columns (the L campus with fabric has 350). The shipped demos (49 columns) stay below it, so their golden plans keep HiGHS's.
"""

from __future__ import annotations

from dcplan.planner.matrix import build_direct
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.scenario import SCENARIO_DIR, load_scenario, parse_scenario
from dcplan.planner.solve import START_FABRIC_FROM_COLUMNS, SolveSettings, solve_model_data, uses_start
from tests.bench.campus import campus_scenario

GAP = 0.005


def test_the_start_is_on_for_placed_fabric_from_its_own_column_count():
    assert START_FABRIC_FROM_COLUMNS == 300
    assert uses_start(SolveSettings(), 300, fabric=True) and not uses_start(SolveSettings(), 299, fabric=True)
    assert not uses_start(SolveSettings(), 300) and not uses_start(SolveSettings(), 4999, fabric=False)
    assert uses_start(SolveSettings(), 5000, fabric=False)
    assert not uses_start(SolveSettings(start="off"), 10**6, fabric=True)
    # a delivered objective (500) with fabric keeps the lower of the two thresholds
    assert uses_start(SolveSettings(), 300, delivered=True, fabric=True)
    assert not uses_start(SolveSettings(), 499, delivered=True)


def test_the_shipped_fabric_demos_stay_below_the_fabric_start(catalog):
    for name in ("aws-hybrid-campus", "enterprise-hybrid"):
        data = build_model_data(load_scenario(SCENARIO_DIR / f"{name}.toml"), catalog)
        assert data.placed_fabric, f"{name} places fabric"
        model = build_direct(data)
        assert model.num_col < START_FABRIC_FROM_COLUMNS, (name, model.num_col)


def test_a_fabric_campus_solve_uses_the_start_and_keeps_the_plan_within_the_gap(catalog):
    mapping = campus_scenario("L")
    data = build_model_data(parse_scenario({**mapping, "fabric": {"place": True}}, where="campus L + fabric"), catalog)
    assert data.placed_fabric and build_direct(data).num_col >= START_FABRIC_FROM_COLUMNS
    settings = SolveSettings(time_limit_s=30.0, rel_gap=GAP, threads=1, seed=0)
    started = solve_model_data(data, settings)
    alone = solve_model_data(data, SolveSettings(time_limit_s=30.0, rel_gap=GAP, threads=1, seed=0, start="off"))
    assert started.highs_settings.get("start") == "lp-rounding" and "start" not in alone.highs_settings
    assert started.status == alone.status == "optimal"
    assert started.gap is not None and started.gap <= GAP + 1e-9 and started.objective is not None
    assert alone.gap is not None and alone.gap <= GAP + 1e-9 and alone.objective is not None
    # both are within the gap of their bounds, so within about twice the gap of each other
    assert abs(started.objective - alone.objective) <= 2 * GAP * abs(alone.objective)
