"""Fixtures for optimiser tests: the ideal hand-checkable catalog and a scenario builder."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from dcplan.models.catalog import Catalog, load_catalog
from dcplan.planner.pipeline import PlanOptions, plan_scenario
from dcplan.planner.plan import CapacityPlan
from dcplan.planner.scenario import parse_scenario
from dcplan.planner.solve import SolveSettings

HANDCAT = Path(__file__).resolve().parents[1] / "data" / "handcat"


@pytest.fixture(scope="session")
def ideal_catalog() -> Catalog:
    return load_catalog([HANDCAT], use_env=False)


BASE: dict[str, Any] = {
    "scenario": {"id": "hand", "name": "hand-checkable", "objective": "max-compute", "precision": "fp8"},
    "site": [{"id": "cold-aws", "utility_power": "100 MW"}],
    "hall": [
        {
            "id": "h1",
            "site": "cold-aws",
            "it_power_cap": "100 MW",
            "liquid_plant_capacity": "100 MW",
            "air_plant_capacity": "100 MW",
            "slab_rating": "3000 kg/m**2",
        }
    ],
    "row": [
        {
            "id": "r1",
            "hall": "h1",
            "count": 50,
            "positions": 20,
            "busway": "ideal-busway",
            "busway_runs_per_feed": 4,
            "cooling": ["ideal-dlc"],
        }
    ],
    "candidate": [{"system": "alpha"}, {"system": "beta"}],
}


def scenario(**changes: Any) -> Any:
    """BASE with top-level tables replaced and ``scenario`` keys merged."""
    data = copy.deepcopy(BASE)
    header = changes.pop("header", {})
    data["scenario"].update(header)
    data.update(changes)
    return parse_scenario(data)


def solve_plan(scn: Any, catalog: Catalog, marginals: bool = False, time_limit: float = 20.0) -> CapacityPlan:
    return plan_scenario(
        scn, catalog, PlanOptions(settings=SolveSettings(time_limit_s=time_limit, rel_gap=1e-9), marginals=marginals)
    )


def units_of(plan: CapacityPlan, system: str) -> int:
    return sum(line.units for line in plan.mix if line.system == system)


@pytest.fixture(scope="module")
def demo():
    """The shipped demo scenario, loaded once per test module."""
    from dcplan.planner.scenario import DEMO_SCENARIO, load_scenario

    return load_scenario(DEMO_SCENARIO)


@pytest.fixture
def primed_sweep_catalog(catalog):
    """In-process sweep runs reuse the session's built-in catalog instead of loading it again."""
    from dcplan.planner.sweep import prime_catalog

    prime_catalog((), True, catalog)
