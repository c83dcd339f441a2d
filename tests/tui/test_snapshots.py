"""Snapshot of every screen at a fixed terminal size (pytest-textual-snapshot).

Update after an intended change with: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

SIZE = (130, 40)


async def settle(pilot) -> None:
    """Let mounts, refreshes and animations finish so the picture is the same every run."""
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.2)
    await pilot.wait_for_scheduled_animations()


@pytest.mark.parametrize(
    "key",
    ["f2", "f3", "f4", "f5", "f7", "f8", "f1"],
    ids=["catalog", "sizer", "scenario", "optimise", "export", "sweep", "help"],
)
def test_screen_snapshot(snap_compare, app_factory, key):
    app = app_factory()

    async def go(pilot):
        await pilot.press(key)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=go)


@pytest.mark.parametrize("tab", ["tab-floor", "tab-limits", "tab-mix", "tab-diagnosis"])
def test_plan_snapshot(snap_compare, app_factory, golden_demo_plan_file, tab):
    app = app_factory(plan=golden_demo_plan_file)

    async def go(pilot):
        pilot.app.screen.query_one("#plan-tabs").active = tab
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=go)


def test_plan_workloads_snapshot(snap_compare, app_factory, tmp_path):
    """The Workloads tab of a plan with hand-made per-workload results (tests/planner/workload_plans.py)."""
    from dcplan.planner.export import write_plan
    from tests.planner.workload_plans import hand_plan

    path = tmp_path / "hand.json"
    write_plan(hand_plan(), path)
    app = app_factory(plan=path)

    async def go(pilot):
        pilot.app.screen.query_one("#plan-tabs").active = "tab-workloads"
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=go)


def test_export_roadmap_snapshot(snap_compare, app_factory):
    """Export on a roadmap plan (two periods of the golden plan): the roadmap's formats."""
    from dcplan.tui.state import adopt_plan
    from tests.tui.test_export_roadmap import golden_roadmap

    app = app_factory(start="export")
    adopt_plan(app.state, None, golden_roadmap())

    async def go(pilot):
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=go)


def test_scenario_roadmap_snapshot(snap_compare, app_factory):
    """The editor's [roadmap] form on the small test roadmap (tests/data/roadmap/small.toml)."""
    import os
    from pathlib import Path

    from textual.widgets import Tree

    small = Path(__file__).resolve().parents[1] / "data" / "roadmap" / "small.toml"
    app = app_factory(scenario=Path(os.path.relpath(small)))

    async def go(pilot):
        await pilot.press("f4")
        await settle(pilot)
        tree = pilot.app.screen.query_one("#scenario-tree", Tree)
        tree.select_node(next(n for n in tree.root.children if n.data == ("roadmap", None)))
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=go)
