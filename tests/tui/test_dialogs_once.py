"""A modal answers once: a Yes handled after the dialog already closed (a click queued
behind Escape, as the UI monkey sent on the issue-15 scenario) must neither run the
callback again with the other answer nor pop the screen below (ScreenStackError)."""

from __future__ import annotations

from textual.widgets import Input, Static

from tests.tui.test_editor import SIZE, open_editor, set_field_path, status


async def test_export_overwrite_question_answers_once(app_factory, demo_plan_file, tmp_path):
    from dcplan.tui.screens.dialogs import ConfirmScreen
    from dcplan.tui.screens.export import ExportScreen

    out = tmp_path / "exported.json"
    out.write_text("keep me")
    app = app_factory(plan=demo_plan_file)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(out)
        export = app.screen
        export.export()
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ConfirmScreen)
        modal.action_answer(False)  # Escape / n
        modal._yes()  # the Yes click handled after it
        await pilot.pause()
        assert app.screen is export and isinstance(app.screen, ExportScreen)
        assert "not written" in str(export.query_one("#export-status", Static).render())
        await pilot.press("f2")  # the app still switches screens
        await pilot.pause()
        assert app.current_mode == "catalog"
    assert app._exception is None and app.return_code in (None, 0)
    assert out.read_text() == "keep me"


async def test_scenario_overwrite_question_answers_once(app_factory, tmp_path):
    from dcplan.planner.scenario import DEMO_SCENARIO
    from dcplan.tui.screens.scenario import ConfirmModal

    target = tmp_path / "mine.toml"
    target.write_bytes(DEMO_SCENARIO.read_bytes())
    before = target.read_bytes()
    app = app_factory(scenario=target)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        await set_field_path(pilot, str(target))
        editor = app.screen
        await pilot.press("ctrl+s")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        modal.action_answer(False)
        modal.query_one("#confirm-yes").press()  # a Yes click queued behind the No
        modal.action_answer(True)
        await pilot.pause()
        assert app.screen is editor and "not saved" in status(app), status(app)
    assert app._exception is None and app.return_code in (None, 0)
    assert target.read_bytes() == before
