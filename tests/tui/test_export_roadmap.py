"""The Export screen on a roadmap plan (issue 14): the whole roadmap in every format, as
`dcplan export` writes it (planner.roadmap_export), asking before any file it would write is
overwritten; SVG is the selected period's floor plan; hostile file names are one line."""

from __future__ import annotations

from textual.widgets import Input, Select, Static

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
    await pilot.click("#export-go")
    await pilot.pause()


async def test_every_format_of_the_whole_roadmap_and_no_overwrite_unasked(app_factory, tmp_path):
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
        assert screen.query_one("#export-path", Input).value == f"plan-{roadmap.scenario_id}.json"
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
    assert app.return_code in (None, 0)


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


async def test_hostile_file_names_are_one_line_and_a_single_plan_gets_its_formats_back(
    app_factory, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    roadmap = golden_roadmap()
    app = app_factory(start="export")
    adopt_plan(app.state, None, roadmap)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for name in HOSTILE_NAMES:
            await export_to(pilot, name)
            assert not isinstance(app.screen, ConfirmScreen)
            shown = status(app)
            assert shown and not shown.startswith("written") and "Traceback" not in shown, (name, shown)
            assert "\n" not in shown.strip() or len(shown) < 400, shown
        assert not list(tmp_path.iterdir())  # nothing written by any of them
        # a single-period plan replaces the roadmap: its own formats (SVG: the whole plan) come back
        adopt_plan(app.state, None, load_plan(fixtures.GOLDEN))
        await pilot.press("f6")
        await pilot.press("f7")
        await pilot.pause()
        screen = app.screen
        assert [v for _, v in screen.query_one("#export-format", Select)._options] == [v for _, v in FORMATS]
        assert str(screen.query_one("#export-plan", Static).render()).startswith("plan:")
        assert not screen.query_one("#export-detail", Static).display
    assert app.return_code in (None, 0)
