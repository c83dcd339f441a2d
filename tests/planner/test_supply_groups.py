"""One alloc column per (workload, supply group): supplies of one system with the same pair
figures share a capacity row (planner.delivered.supply_groups), and the plan splits a
group's allocation over its supplies within their units (planner.workload_results)."""

from __future__ import annotations

import pytest

from dcplan.planner.delivered import PairData, supply_groups
from dcplan.planner.matrix import build_direct
from dcplan.planner.matrix_workloads import pairs_in_order
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.scenario import SCENARIO_DIR, load_scenario
from dcplan.planner.solve import SolveSettings, solve_model_data
from dcplan.planner.workload_results import split_allocations


def _pair(workload: str, supply: str, system: str = "gx", rate: float = 1.0) -> PairData:
    return PairData(workload, supply, system, "fp8", rate, 2.0, rate, 0.5, 0.9)


def test_supplies_with_the_same_figures_share_a_group_and_any_difference_splits_it():
    eligible = {"b": ["e1", "e2", "e3", "e4"], "a": ["e1", "e2", "e3", "e4", "e5"]}
    pairs = {(w, e): _pair(w, e) for w, es in eligible.items() for e in es}
    pairs["a", "e3"] = _pair("a", "e3", rate=1.5)  # another rate for one workload
    pairs["a", "e4"] = _pair("a", "e4", system="tx")  # another system
    # e5: the same figures for "a" as e1 and e2, but "b" cannot use it
    assert supply_groups(eligible, pairs) == {"e1": ["e1", "e2"], "e3": ["e3"], "e4": ["e4"], "e5": ["e5"]}


def test_no_pairs_no_groups():
    assert supply_groups({"a": []}, {}) == {}


@pytest.fixture(scope="module")
def demo_data(catalog):
    return build_model_data(load_scenario(SCENARIO_DIR / "aws-hybrid-campus.toml"), catalog)


def test_groups_cover_every_eligible_supply_once_with_equal_figures(demo_data):
    data = demo_data
    groups = data.supply_groups
    members = [k for keys in groups.values() for k in keys]
    assert sorted(members) == sorted({e for es in data.eligible.values() for e in es})
    assert len(groups) < len(members)  # the shipped scenario has supplies to group
    for first, keys in groups.items():
        for w, es in data.eligible.items():
            assert (first in es) == all(k in es for k in keys) == any(k in es for k in keys)
            if first in es:
                want = data.pairs[w, first]
                for k in keys:
                    got = data.pairs[w, k]
                    assert (got.system, got.rate, got.delivered_pflops_per_unit) == (
                        want.system,
                        want.rate,
                        want.delivered_pflops_per_unit,
                    )


def test_the_model_has_one_alloc_and_one_capacity_row_per_group(demo_data):
    data = demo_data
    model = build_direct(data)
    alloc = [index for name, index in model.all_columns if name == "alloc"]
    assert alloc == pairs_in_order(data)
    assert {e for _, e in alloc} <= set(data.supply_groups)
    assert len(alloc) < sum(len(es) for es in data.eligible.values())
    rows = [index for name, index in model.rows if name == "supply_capacity"]
    assert sorted(rows) == sorted({e for _, e in pairs_in_order(data)})


def test_split_keeps_each_supply_within_its_units_and_each_group_total(demo_data):
    data = demo_data
    first = next(k for k, keys in data.supply_groups.items() if len(keys) > 1)
    keys = data.supply_groups[first]
    users = sorted(w for w, es in data.eligible.items() if first in es)
    units = {k: float(i % 3) for i, k in enumerate(keys)}  # some supplies hold nothing
    held = sum(units.values())
    share = held / len(users)
    values = {"units": units, "rent": {}, "alloc": {(w, first): share for w in users}}
    split = split_allocations(data, values)
    for k in keys:
        assert sum(v for (_, e), v in split.items() if e == k) <= units[k] + 1e-9
    for w in users:
        assert sum(v for (u, _), v in split.items() if u == w) == pytest.approx(share)
    assert all(v > 0 for v in split.values())


def test_split_of_an_allocation_over_the_units_stays_on_the_last_supply(demo_data):
    data = demo_data
    first = next(k for k, keys in data.supply_groups.items() if len(keys) > 1)
    keys = data.supply_groups[first]
    w = next(w for w, es in data.eligible.items() if first in es)
    values = {"units": dict.fromkeys(keys, 0.0), "alloc": {(w, first): 1e-6}}
    assert split_allocations(data, values) == {(w, keys[-1]): 1e-6}


def test_a_solved_plan_splits_within_the_solution_units(demo_data):
    data = demo_data
    outcome = solve_model_data(data, SolveSettings(rel_gap=0.005))
    assert outcome.status in ("optimal", "feasible-with-gap")
    split = split_allocations(data, outcome.values)
    units = outcome.values["units"] | outcome.values["rent"]
    for key in units:
        assert sum(v for (_, e), v in split.items() if e == key) <= units[key] + 1e-6, key
    for (w, first), given in outcome.values["alloc"].items():
        keys = set(data.supply_groups[first])
        assert sum(v for (u, e), v in split.items() if u == w and e in keys) == pytest.approx(given, abs=1e-9)
