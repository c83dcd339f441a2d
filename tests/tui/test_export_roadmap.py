"""The Export screen on a roadmap plan (issue 14): the whole roadmap in every format, as
`dcplan export` writes it (planner.roadmap_export), asking before any file it would write is
overwritten; SVG is the selected period's floor plan; hostile file names are one line."""

from __future__ import annotations

from textual.widgets import Button, Input, Select, Static

from dcplan.planner.plan import load_plan
from dcplan.planner.roadmap_plan import load_any_plan
from dcplan.tui.screens.dialogs import ConfirmScreen
from dcplan.tui.screens.export import FORMATS, ROADMAP_FORMATS, ExportScreen
from dcplan.tui.state import adopt_plan
from tests.planner import roadmap_plans as fixtures

SIZE = (130, 40)


def golden_roadmap():
    """Two periods of the golden demo plan: a real roadmap plan without a solve."""
    return fixtures.roadmap_of([load_plan(fixtures.GOLDEN), load_plan(fixtures.GOLDEN)])


def status(app) -> str:
    return str(app.screen.query_one("#export-status", Static).render())


async def export_to(pilot, path, fmt: str | None = None) -> None:
    screen = pilot.app.screen
    if fmt is not None:
        screen.query_one("#export-format", Select).value = fmt
        await pilot.pause()
    screen.query_one("#export-path", Input).value = str(path)
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()  # the format's note may have re-flowed the form: click where the button is now
    status_line = screen.query_one("#export-status", Static)
    status_line.update("")
    # press the button itself: a click goes to screen coordinates, which a re-flow under load
    # can move between the layout and the click (the click then lands beside the button)
    screen.query_one("#export-go", Button).press()
    for _ in range(100):  # under load the export's answer can take a few frames: wait, bounded
        await pilot.pause(0.02)
        if str(status_line.render()) or pilot.app.screen is not screen:
            break


HOSTILE_NAMES = [
    "",
    "   ",
    ".",
    "no-such-dir/x/roadmap.json",
    "roadmap.pdf",
    "roadmap",
    "x" * 300 + ".json",
    "a\x00b.json",
]


async def test_every_format_of_the_whole_roadmap_and_no_overwrite_unasked(app_factory, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where the relative hostile names would go
    roadmap = golden_roadmap()
    app = app_factory(start="export")
    adopt_plan(app.state, None, roadmap)
    app.state.plan = roadmap.periods[1].plan  # as the Timeline leaves it with period 2 selected
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        title = str(screen.query_one("#export-plan", Static).render())
        assert "roadmap:" in title and "2 quarter periods" in title and roadmap.periods[1].period in title
        select = screen.query_one("#export-format", Select)
        assert [v for _, v in select._options] == [v for _, v in ROADMAP_FORMATS]
        assert str(select.query_one("#label").render()) == ROADMAP_FORMATS[0][0]  # the shown label too
        assert screen.query_one("#export-path", Input).value == f"plan-{roadmap.scenario_id}.json"
        for name in HOSTILE_NAMES:  # one line each, no question, nothing written
            await export_to(pilot, name)
            assert not isinstance(app.screen, ConfirmScreen)
            shown = status(app)
            assert shown and not shown.startswith("written") and "Traceback" not in shown, (name, shown)
            assert len(shown) < 600, shown
        assert not list(tmp_path.iterdir())
        written = {}
        for _, fmt in ROADMAP_FORMATS:
            out = tmp_path / f"roadmap.{fmt}"
            await export_to(pilot, out, fmt)
            assert "written" in status(app), (fmt, status(app))
            written[fmt] = out
        again = load_any_plan(written["json"])
        assert again.kind == "roadmap" and len(again.periods) == 2 and again.to_json_text() == roadmap.to_json_text()
        assert all((tmp_path / f"roadmap{s}").exists() for s in ("-orders.csv", "-changes.csv", "-mix.csv"))
        assert written["csv"].read_text().splitlines()[0].startswith("period")
        assert written["xlsx"].read_bytes()[:2] == b"PK"
        assert "<svg" in written["html"].read_text() and roadmap.periods[1].period in written["html"].read_text()
        assert list(tmp_path.glob("roadmap-*.svg"))  # the Markdown report's timeline charts
        assert "<svg" in written["svg"].read_text()
        # every file of a set is checked: an existing companion CSV alone is asked about
        companion = tmp_path / "roadmap-mix.csv"
        companion.write_text("keep me")
        await export_to(pilot, written["csv"], "csv")
        assert isinstance(app.screen, ConfirmScreen)
        assert str(companion) in str(app.screen.query_one("#confirm-question", Static).render())
        await pilot.press("n")
        await pilot.pause()
        assert companion.read_text() == "keep me" and "not written" in status(app)
        await pilot.click("#export-go")
        await pilot.pause()
        await pilot.click("#confirm-yes")
        await pilot.pause()
        assert "written" in status(app) and companion.read_text() != "keep me"
        # the Plan screen names the period it shows
        await pilot.press("f6")
        await pilot.pause()
        summary = str(app.screen.query_one("#plan-summary", Static).render())
        assert summary.startswith(f"period {roadmap.periods[1].period} of the roadmap"), summary
        # a single-period plan replaces the roadmap: its own formats (SVG: the whole plan) come back
        adopt_plan(app.state, None, load_plan(fixtures.GOLDEN))
        await pilot.press("f7")
        await pilot.pause()
        screen = app.screen
        assert [v for _, v in screen.query_one("#export-format", Select)._options] == [v for _, v in FORMATS]
        assert str(screen.query_one("#export-plan", Static).render()).startswith("plan:")
        assert not screen.query_one("#export-detail", Static).display
    assert app.return_code in (None, 0)


def test_roadmap_objectives_have_their_units_and_the_polish_progress_is_not_shown():
    from dcplan.tui.screens.optimise import reports_objective
    from dcplan.tui.widgets.solver_text import objective_text

    assert objective_text(282094320.4, "max-cumulative-delivered", "fp8") == "282,094,320 PFLOP-days delivered"
    assert objective_text(4139.25, "min-npv-tco", "fp8") == "4,139.2 M USD NPV"
    # phase 1 maximises PFLOP-days: bound above incumbent, incumbent rising
    assert reports_objective("max-cumulative-delivered", None, 3.0e8)
    assert reports_objective("max-cumulative-delivered", 2.8e8, 2.9e8, best=2.7e8)
    # the polish minimises NPV TCO (M USD): bound below incumbent, or the incumbent falls
    assert not reports_objective("max-cumulative-delivered", 4144.0, 4127.0, best=2.8e8)
    assert not reports_objective("max-cumulative-delivered", 4146.0, None, best=2.8e8)
    assert not reports_objective("max-cumulative-delivered", 4144.0, 4127.0)
    assert not reports_objective("max-cumulative-delivered", None, 4127.0, best=2.8e8)
    # every other objective's reports are shown as they come (min-tco's bound is below its incumbent)
    assert reports_objective("min-tco", 4144.0, 4127.0, best=9e9)
    assert reports_objective("min-npv-tco", 4144.0, 4127.0, best=9e9)
