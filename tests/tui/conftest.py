"""TUI fixtures: an app factory and a solved demo plan saved to disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dcplan.planner.scenario import DEMO_SCENARIO


@pytest.fixture(scope="session")
def demo_plan_file(tmp_path_factory, catalog) -> Path:
    from dcplan.planner.export import write_plan
    from dcplan.planner.pipeline import PlanOptions, plan_scenario
    from dcplan.planner.scenario import load_scenario
    from dcplan.planner.solve import SolveSettings

    plan = plan_scenario(
        load_scenario(DEMO_SCENARIO), catalog, PlanOptions(settings=SolveSettings(time_limit_s=30), marginals=True)
    )
    path = tmp_path_factory.mktemp("plans") / "demo.json"
    write_plan(plan, path)
    return path


@pytest.fixture(scope="session")
def golden_demo_plan_file() -> Path:
    """The demo's golden plan (tests/data/golden, checked against a fresh solve by
    tests/planner/test_golden_plans.py): fixed text for snapshots, where a fresh solve's
    marginal values move with the machine's load (a re-solve past its budget becomes an
    LP estimate)."""
    return Path(__file__).parents[1] / "data" / "golden" / f"{Path(DEMO_SCENARIO).name.removesuffix('.toml')}.plan.json"


@pytest.fixture
def app_factory():
    from dcplan.tui.app import make_app

    def make(**kwargs):
        # relative to the repository root (pytest's working directory), so snapshots that
        # show the path do not depend on where the clone lives
        kwargs.setdefault("scenario", Path(os.path.relpath(DEMO_SCENARIO)))
        return make_app(**kwargs)

    return make
