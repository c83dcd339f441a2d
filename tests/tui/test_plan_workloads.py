"""The plan screen's Workloads tab shows planner.report.workloads' tables (hand-made plans:
figures, nulls, hostile ids; a plan without workloads says so)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from dcplan.planner.export import write_plan
from dcplan.planner.report.workloads import NO_WORKLOADS, placement_rows, workload_rows
from tests.planner.workload_plans import hand_plan

SIZE = (130, 40)
HOSTILE = "[b]bold[/b] [red"


@pytest.fixture
def hand_plan_file(tmp_path) -> Path:
    path = tmp_path / "hand.json"
    write_plan(hand_plan(), path)
    return path


def table_cells(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def show_workloads(pilot) -> None:
    pilot.app.screen.query_one("#plan-tabs").active = "tab-workloads"
    await pilot.pause()


async def test_workloads_tab_shows_every_workload_and_placement(app_factory, hand_plan_file):
    plan = hand_plan()
    app = app_factory(plan=hand_plan_file)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await show_workloads(pilot)
        screen = app.screen
        workloads = screen.query_one("#plan-workloads", DataTable)
        headers, rows = workload_rows(plan)
        assert [str(c.label) for c in workloads.columns.values()] == headers
        assert table_cells(workloads) == rows
        peak = table_cells(workloads)[2]
        assert peak[0] == "legacy-peak" and peak[headers.index("rate [tokens/s]")] == "-"
        placements = screen.query_one("#plan-placements", DataTable)
        assert table_cells(placements) == placement_rows(plan)[1] and placements.row_count == 4
        assert workloads.display and placements.display
        summary = str(screen.query_one("#plan-summary", Static).render())
        assert f"{sum(w.delivered_pflops for w in plan.workloads):,.0f} PFLOPS delivered" in summary


async def test_workloads_tab_of_a_plan_without_workloads_says_so(app_factory, tmp_path):
    path = tmp_path / "old.json"
    write_plan(hand_plan(workloads=[]), path)
    app = app_factory(plan=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await show_workloads(pilot)
        screen = app.screen
        assert str(screen.query_one("#plan-workloads-note", Static).render()) == NO_WORKLOADS
        assert not screen.query_one("#plan-workloads", DataTable).display
        assert not screen.query_one("#plan-placements", DataTable).display
        assert not screen.query_one("#plan-placements-title", Static).display
        assert "delivered" not in str(screen.query_one("#plan-summary", Static).render())


async def test_workload_ids_are_shown_as_text_not_markup(app_factory, tmp_path):
    plan = hand_plan()
    hostile = [w.model_copy(update={"workload": HOSTILE, "limited_by": [HOSTILE]}) for w in plan.workloads]
    path = tmp_path / "hostile.json"
    write_plan(plan.model_copy(update={"workloads": hostile}), path)
    app = app_factory(plan=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await show_workloads(pilot)
        cells = table_cells(app.screen.query_one("#plan-workloads", DataTable))
        assert [row[0] for row in cells] == [HOSTILE] * 3
        assert cells[0][-1] == HOSTILE
        assert app.return_code is None


async def test_a_new_plan_replaces_the_workloads_shown(app_factory, hand_plan_file):
    app = app_factory(plan=hand_plan_file)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await show_workloads(pilot)
        one = hand_plan().workloads[1:2]
        app.state.plan = hand_plan(workloads=one)
        app.screen.refresh_plan()
        await pilot.pause()
        cells = table_cells(app.screen.query_one("#plan-workloads", DataTable))
        assert [row[0] for row in cells] == ["chat-serving"]
        app.state.plan = hand_plan(workloads=[])
        app.screen.refresh_plan()
        await pilot.pause()
        assert app.screen.query_one("#plan-workloads", DataTable).row_count == 0
