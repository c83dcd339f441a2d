"""The numpy/highspy builder (planner/matrix.py) must hand HiGHS the
same LP as the documented Pyomo formulation, or the benchmark's "floor" measures another
model. Checked here in the default run so the two cannot drift apart unnoticed (they did
when share floors and part-full racks gained rows)."""

from __future__ import annotations

import pytest

from dcplan.planner.formulation import build_model
from dcplan.planner.matrix import build_direct
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.scenario import DEMO_SCENARIO, load_scenario
from tests.bench.campus import campus
from tests.bench.highs_direct import same_lp
from tests.planner.conftest import scenario
from tests.planner.test_outcomes import ONE_ROW


def _differences(scen, catalog) -> list[str]:
    data = build_model_data(scen, catalog)
    return same_lp(build_direct(data), build_model(data))


@pytest.mark.parametrize("size", ["S", "M"])
def test_campus_lp_is_the_same_both_ways(size, catalog):
    assert _differences(campus(size), catalog) == []


def test_demo_lp_is_the_same_both_ways(catalog):
    assert _differences(load_scenario(DEMO_SCENARIO), catalog) == []


def test_part_full_rack_rows_are_the_same_both_ways(ideal_catalog):
    scen = scenario(row=[ONE_ROW], candidate=[{"system": "gamma"}, {"system": "alpha"}])
    data = build_model_data(scen, ideal_catalog)
    assert any(o.units_per_rack > 1 and o.units_per_row_max % o.units_per_rack for o in data.options)
    assert same_lp(build_direct(data), build_model(data)) == []
