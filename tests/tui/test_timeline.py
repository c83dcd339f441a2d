"""The Timeline screen (tui/screens/timeline.py) and its Gantt widget, driven by Textual's Pilot.

Every key the screen binds, clicks on the period list, the tabs and the Gantt's columns, on
roadmaps of 1, 3 and 40 periods, an infeasible one, an empty one and none at all. The
roadmaps' periods are real single-period solves (tests/planner/roadmap_plans.py).
"""

from __future__ import annotations

import random

import pytest
from textual.widgets import DataTable, OptionList, Static

from dcplan.tui.app import adopt_plan
from dcplan.tui.screens.timeline import NO_ROADMAP, TimelineScreen
from dcplan.tui.state import AppState
from dcplan.tui.widgets.gantt import BLOCKS, LABEL_WIDTH, Gantt, block, cell_width, gantt_text, order_cells
from tests.planner import roadmap_plans as fixtures

SIZE = (130, 40)
KEYS = ["left_square_bracket", "right_square_bracket", "left_curly_bracket", "right_curly_bracket", "p"]
MOVES = ["up", "down", "enter", "home", "end", "pageup", "pagedown", "tab", "shift+tab", "left", "right"]
ROADMAPS = {
    "one": lambda: fixtures.roadmap_of([fixtures.period_plans()[2]]),
    "three": lambda: fixtures.growing_roadmap(3),
    "forty": lambda: fixtures.cycling_roadmap(40),
    "infeasible": fixtures.infeasible_roadmap,
    "empty": fixtures.empty_roadmap,
    "none": lambda: None,
}


def timeline_app(app_factory, roadmap):
    app = app_factory(start="timeline")
    app.state.roadmap = roadmap
    return app


def check_state(app) -> None:
    """The invariant after every action: the selection is a period (or None), shown everywhere."""
    screen = app.screen
    if not isinstance(screen, TimelineScreen):
        return
    roadmap = app.state.roadmap
    if roadmap is None or not roadmap.periods:
        assert screen.selected is None
        return
    assert 0 <= screen.selected < len(roadmap.periods)
    assert app.state.plan is roadmap.periods[screen.selected].plan
    assert screen.query_one("#timeline-gantt", Gantt).selected == screen.selected


async def gantt_click(pilot, index: int, count: int, row: int = 4) -> None:
    await pilot.click("#timeline-gantt", offset=(LABEL_WIDTH + index * cell_width(count), row))
    await pilot.pause()


#: the default run drives a normal and an infeasible roadmap; the long run (-m slow) all six
QUICK_ROADMAPS = ("three", "infeasible")


@pytest.mark.parametrize(
    "name", [n if n in QUICK_ROADMAPS else pytest.param(n, marks=pytest.mark.slow) for n in ROADMAPS]
)
async def test_every_key_and_click_on_every_roadmap(app_factory, name):
    """Keys, tab clicks, period-list clicks and Gantt clicks (seeded random, inside and outside
    the columns); no exception and the invariant holds after each."""
    roadmap = ROADMAPS[name]()
    app = timeline_app(app_factory, roadmap)
    rng = random.Random(name)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        check_state(app)
        for key in [*KEYS, *MOVES]:
            if not isinstance(app.screen, TimelineScreen):
                await pilot.press("f9")
                await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
            check_state(app)
        await pilot.press("f9")
        await pilot.pause()
        for tab in ("tab-timeline", "tab-period-floor", "tab-changes", "tab-cash"):
            await pilot.click(f"#--content-tab-{tab}")
            await pilot.pause()
            check_state(app)
        await pilot.click("#--content-tab-tab-timeline")
        for _ in range(12):
            await pilot.click("#timeline-gantt", offset=(rng.randint(0, 100), rng.randint(0, 16)))
            await pilot.pause()
            check_state(app)
        for _ in range(6):
            await pilot.click("#timeline-periods", offset=(rng.randint(0, 22), rng.randint(0, 28)))
            await pilot.pause()
            check_state(app)


async def test_keys_step_through_periods(app_factory):
    roadmap = fixtures.growing_roadmap(3)
    app = timeline_app(app_factory, roadmap)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.selected == 0
        await pilot.press("left_square_bracket")  # already the first: stays
        assert screen.selected == 0
        await pilot.press("right_square_bracket")
        assert screen.selected == 1
        await pilot.press("right_curly_bracket")
        assert screen.selected == 2
        await pilot.press("right_square_bracket")  # already the last: stays
        assert screen.selected == 2
        await pilot.press("left_curly_bracket")
        await pilot.pause()
        assert screen.selected == 0
        check_state(app)
        detail = str(screen.query_one("#timeline-detail", Static).render())
        point = roadmap.timeline[0]
        assert f"{point.energised_mw:,.1f} MW energised" in detail
        assert f"{point.used_mw:,.1f} MW used" in detail


async def test_gantt_click_selects_that_period(app_factory):
    """A click in period k's column (x = LABEL_WIDTH + k x cell width) selects period k, for 3
    periods (3-wide cells) and for 40 (2-wide: all 40 fit in 102 columns, no scrolling)."""
    for roadmap in (fixtures.growing_roadmap(3), fixtures.cycling_roadmap(40)):
        app = timeline_app(app_factory, roadmap)
        count = len(roadmap.periods)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            for index in sorted({count - 1, count // 2, 1, 0}):
                await gantt_click(pilot, index, count)
                assert app.screen.selected == index
                check_state(app)
            await pilot.click("#timeline-gantt", offset=(3, 4))  # the lane labels: no change
            await pilot.pause()
            assert app.screen.selected == count - 1


async def test_period_list_click_and_arrows(app_factory):
    roadmap = fixtures.cycling_roadmap(40)
    app = timeline_app(app_factory, roadmap)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#timeline-periods", offset=(4, 3))
        await pilot.pause()
        assert app.screen.selected == 2  # the list has a border row: row 3 is the third option
        app.screen.query_one("#timeline-periods", OptionList).focus()
        await pilot.press("down", "down")
        await pilot.pause()
        assert app.screen.selected == 4
        check_state(app)


async def test_floor_plan_and_changes_follow_the_period(app_factory):
    roadmap = fixtures.growing_roadmap(3)
    app = timeline_app(app_factory, roadmap)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for index in range(3):
            await gantt_click(pilot, index, 3)
            plan = roadmap.periods[index].plan
            floor = str(app.screen.query_one("#timeline-floor", Static).render())
            for hall in set(plan.layout.hall):
                assert f"{hall}  ({plan.layout.hall.count(hall):,} racks" in floor
            changes = app.screen.query_one("#timeline-changes", DataTable)
            period = roadmap.periods[index]
            assert changes.row_count == len(period.added) + len(period.retired)
        cash = app.screen.query_one("#timeline-cash", DataTable)
        assert cash.row_count == 3
        assert app.screen.query_one("#timeline-orders", DataTable).row_count == len(roadmap.orders)


async def test_p_shows_the_period_on_the_plan_screen(app_factory):
    from dcplan.tui.screens.plan import PlanScreen

    roadmap = fixtures.growing_roadmap(3)
    app = timeline_app(app_factory, roadmap)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await gantt_click(pilot, 1, 3)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        assert app.state.plan is roadmap.periods[1].plan
        summary = str(app.screen.query_one("#plan-summary", Static).render())
        assert f"{roadmap.periods[1].plan.compute_total.m_as('PFLOPS'):,.0f} PFLOPS" in summary
        await pilot.press("f9")  # back: the same period still selected
        await pilot.pause()
        assert app.screen.selected == 1


async def test_no_roadmap_says_how_to_get_one(app_factory):
    app = timeline_app(app_factory, None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert str(app.screen.query_one("#timeline-summary", Static).render()) == NO_ROADMAP
        app.state.roadmap = fixtures.growing_roadmap(3)  # a roadmap arriving while another screen is shown
        await pilot.press("f6")
        await pilot.press("f9")
        await pilot.pause()
        assert app.screen.selected == 0
        assert "AWS campus roadmap" in str(app.screen.query_one("#timeline-summary", Static).render())


async def test_infeasible_roadmap_shows_its_diagnosis(app_factory):
    roadmap = fixtures.infeasible_roadmap()
    app = timeline_app(app_factory, roadmap)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        summary = str(app.screen.query_one("#timeline-summary", Static).render())
        assert "INFEASIBLE" in summary and "utility power short" in summary
        await gantt_click(pilot, 1, 2)
        assert app.screen.selected == 1
        assert "no racks placed" in str(app.screen.query_one("#timeline-floor", Static).render())


def test_adopt_plan_keeps_roadmap_and_single_plans_apart():
    state = AppState(catalog=None)
    roadmap = fixtures.growing_roadmap(3)
    assert adopt_plan(state, None, roadmap) == "timeline"
    assert state.roadmap is roadmap and state.plan is roadmap.periods[0].plan
    single = fixtures.period_plans()[0]
    assert adopt_plan(state, None, single) == "plan"
    assert state.roadmap is None and state.plan is single
    assert adopt_plan(state, None, fixtures.empty_roadmap()) == "timeline"
    assert state.plan is None


@pytest.mark.parametrize(
    ("value", "largest", "glyph"),
    [
        (0, 10, "·"),
        (-1, 10, "·"),
        (10, 10, "█"),
        (5, 10, BLOCKS[4]),
        (0.01, 10, "▁"),
        (3, 0, "·"),
        (float("nan"), 1, "?"),
        (1, float("inf"), "?"),
    ],
)
def test_block_glyph_is_the_share_of_the_lane(value, largest, glyph):
    """level = round(value / largest x 7) of ▁..█ (5/10 -> 3.5 -> 4: ▅); nothing is a dot."""
    assert block(value, largest) == glyph


def test_gantt_text_marks_orders_and_the_selected_period():
    roadmap = fixtures.growing_roadmap(3)
    cells = order_cells(roadmap)
    glyphs = cells["distribution-transformer"]
    delivered = {o.delivered for o in roadmap.orders}
    ordered = {o.ordered for o in roadmap.orders}
    for point, glyph in zip(roadmap.timeline, glyphs, strict=True):
        if point.period in delivered and point.period in ordered:
            assert glyph == "◈"
        elif point.period in delivered:
            assert glyph == "▼"
    text = gantt_text(roadmap, 1)
    marker_line = text.plain.splitlines()[1]
    assert marker_line[LABEL_WIDTH + cell_width(3)] == "▼"
    assert gantt_text(fixtures.empty_roadmap(), None).plain == "no periods: nothing to draw"


def test_help_lists_the_timeline_on_f9(app_factory):
    from dcplan.tui.app import DcplanApp
    from dcplan.tui.screens.help import help_markdown

    text = help_markdown(DcplanApp.BINDINGS, list(DcplanApp.MODES))
    line = next(line for line in text.splitlines() if "**Timeline**" in line)
    assert "`F9` or `9`" in line


def test_timeline_snapshot(snap_compare, app_factory):
    from tests.tui.test_snapshots import settle

    app = timeline_app(app_factory, fixtures.growing_roadmap(3))

    async def go(pilot):
        await gantt_click(pilot, 1, 3)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=go)


def roadmap_scenario(tmp_path, lead_times: bool):
    """The shipped enterprise-hybrid scenario over three quarters ([scenario].objective and
    tco_horizon make way for the [roadmap] objective, as the scenario rules require). With
    catalog lead times and nothing on order it is infeasible (transformers take 8 quarters)."""
    import re

    import tomlkit

    from dcplan.planner.scenario import SCENARIO_DIR

    document = tomlkit.parse((SCENARIO_DIR / "enterprise-hybrid.toml").read_text())
    for table in ("utility_limit", "fabric"):  # out of this UI test (tests/planner/test_roadmap_swing.py has them)
        document.pop(table, None)
    text = re.sub(r"(?m)^(objective|tco_horizon)\s*=.*$", "", tomlkit.dumps(document))
    text += f'\n[roadmap]\nstart = "2026Q1"\nperiod = "quarter"\nperiods = 3\nlead_times = {str(lead_times).lower()}\n'
    path = tmp_path / f"roadmap-{lead_times}.toml"
    path.write_text(text)
    return path


async def test_optimise_solves_a_roadmap_into_the_timeline(app_factory, tmp_path):
    """The real pipeline end to end in the UI: a three-quarter roadmap solved on the Optimise
    screen in the child process lands on the Timeline, every period re-checked, and the
    period list, Gantt and floor plan are driven like a user would."""
    from dcplan.tui.screens.optimise import OptimiseScreen
    from tests.tui.test_optimise import solve

    app = app_factory(scenario=roadmap_scenario(tmp_path, lead_times=False), start="optimise")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, OptimiseScreen)
        await solve(pilot, timeout=240)
        status = str(app.screen.query_one("#optimise-status", Static).render())
        roadmap = app.state.roadmap
        assert roadmap is not None, status
        assert "F9 for the timeline" in status
        assert len(roadmap.periods) == 3 and roadmap.recheck.ok, roadmap.diagnosis.summary
        assert app.state.plan is roadmap.periods[0].plan
        await pilot.press("f9")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimelineScreen) and screen.selected == 0
        assert screen.query_one("#timeline-periods", OptionList).option_count == 3
        await gantt_click(pilot, 2, 3)
        assert screen.selected == 2
        check_state(app)
        await pilot.click("#--content-tab-tab-period-floor")
        await pilot.pause()
        last = roadmap.periods[2].plan
        floor = str(screen.query_one("#timeline-floor", Static).render())
        assert len(last.layout) and all(f"{hall}  (" in floor for hall in set(last.layout.hall))


async def test_optimise_shows_an_infeasible_roadmap(app_factory, tmp_path):
    """With lead times the roadmap has no plan: the Optimise screen says infeasible, the
    Timeline shows the diagnosis and no period, and its keys do nothing harmful."""
    from tests.tui.test_optimise import solve

    app = app_factory(scenario=roadmap_scenario(tmp_path, lead_times=True), start="optimise")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await solve(pilot, timeout=240)
        status = str(app.screen.query_one("#optimise-status", Static).render())
        assert "infeasible" in status
        roadmap = app.state.roadmap
        assert roadmap is not None and not roadmap.feasible
        await pilot.press("f9")
        await pilot.pause()
        summary = str(app.screen.query_one("#timeline-summary", Static).render())
        assert "INFEASIBLE" in summary and "lead time" in summary
        for key in KEYS[:-1]:
            await pilot.press(key)
            check_state(app)
