"""The terminal UI driven by Textual's Pilot: sizing, inline errors, solving, cancelling, exporting."""

from __future__ import annotations

import time

import pytest
from textual.widgets import DataTable, Input, Markdown, Static

from dcplan.tui.widgets.inputs import Field

SIZE = (140, 45)


def figure(app, name: str) -> str:
    return str(app.screen.query_one("#sizer-figures", DataTable).get_row(name)[1])


async def set_input(pilot, selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector, Input)
    widget.value = text
    await pilot.pause()


async def test_sizer_numbers_change_with_count(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "trn3-ultraserver-gen2" in str(app.screen.query_one("#sizer-title", Static).render())
        assert figure(app, "racks") == "100 in 5 rows of up to 20"  # 50 units x 2 racks
        await set_input(pilot, "#target", "60")
        assert figure(app, "racks") == "120 in 6 rows of up to 20"
        assert figure(app, "chips") == "8,640"  # 60 x 144
        await set_input(pilot, "#target", "40 racks")
        assert figure(app, "chips") == "2,880"  # 20 UltraServers
        await set_input(pilot, "#target", "2 MW")
        assert figure(app, "chips") == "1,440"  # 10 x 200 kW


async def test_sizer_typing_keys_recomputes(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#target", Input).focus()
        await pilot.press("end", "0")  # 50 -> 500
        await pilot.pause()
        assert figure(app, "racks") == "1,000 in 50 rows of up to 20"


async def test_sizer_bad_value_shows_inline_error(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await set_input(pilot, "#target", "5 kg")
        field = app.screen.query_one("#target-field", Field)
        assert field.has_class("-invalid")
        message = str(field.query_one(".field-error").render())
        assert "expected" in message and "power" in message
        await set_input(pilot, "#supply", "35 kW")
        supply = app.screen.query_one("#supply-field", Field)
        assert "expected a temperature" in str(supply.query_one(".field-error").render())
        await set_input(pilot, "#target", "50")
        await set_input(pilot, "#supply", "35 degC")
        assert not field.has_class("-invalid") and not supply.has_class("-invalid")


async def test_sizer_shows_broken_limits_with_margin(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await set_input(pilot, "#slab", "10 kN/m**2")
        text = str(app.screen.query_one("#sizer-limits", Static).render())
        assert "exceeds the slab rating" in text and "by" in text


async def test_catalog_filters_and_shows_sources(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        await set_input(pilot, "#catalog-filter", "rubin")
        table = app.screen.query_one("#catalog-table", DataTable)
        assert table.row_count == 4  # Vera Rubin and Rubin Ultra: each system and its chip
        title = str(app.screen.query_one("#catalog-title", Static).render())
        assert "rubin-ultra-nvl576" in title and "PROJECTED" in title  # the first row listed
        assert "source:" in detail_text(app)


def detail_text(app) -> str:
    """Every line the catalog's detail pane draws (all of it, not only the part scrolled into view)."""
    from textual.geometry import Region

    fields = app.screen.query_one("#catalog-fields")
    lines = fields.render_lines(Region(0, 0, fields.size.width, fields.size.height))
    return "\n".join(line.text for line in lines)


async def test_catalog_detail_shows_units_lists_and_sources_within_100_columns(app_factory):
    """Defect 6: value with unit, range, confidence, list fields and wrapped sources, no sideways scrolling."""
    app = app_factory()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        await set_input(pilot, "#catalog-filter", "trn3-ultraserver-gen2")
        await pilot.pause()
        detail = app.screen.query_one("#catalog-detail")
        fields = app.screen.query_one("#catalog-fields")
        text = detail_text(app)
        lines = text.splitlines()
        flat = " ".join(text.split())
        row = next(line for line in lines if line.startswith("design_power"))
        assert "200 kW" in row and "range 150–200 kW" in row and "derived" in row
        assert (
            "deployable_by" in text and next(ln for ln in lines if ln.startswith("deployable_by")).split()[1] == "aws"
        )
        cooling = next(ln for ln in lines if ln.startswith("cooling"))
        assert "dlc-cdu, dlc-l2a" in cooling
        # the long notes and sources are wrapped, whole, within the pane and the 100-column terminal
        entry = app.state.catalog.system("trn3-ultraserver-gen2")
        assert " ".join(entry.notes.split()) in flat
        assert "".join(entry.design_power.source.split()) in "".join(text.split())
        assert max(len(line.rstrip()) for line in lines) <= fields.size.width
        assert fields.region.right <= 100 and detail.region.right <= 100
        assert detail.max_scroll_x == 0  # nothing reachable only by scrolling sideways
        # the filtered list is one entry; every figure is reachable by scrolling down
        assert detail.max_scroll_y > 0


async def test_scenario_editor_marks_invalid_field_and_never_half_writes(app_factory, tmp_path):
    from dcplan.planner.scenario import DEMO_SCENARIO

    target = tmp_path / "edited.toml"
    original = DEMO_SCENARIO.read_text()
    target.write_text(original)
    app = app_factory(scenario=target)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await set_input(pilot, "#f-budget", "6e9 kg")
        field = app.screen.query_one("#field-budget", Field)
        assert field.has_class("-invalid")
        assert "expected" in str(field.query_one(".field-error").render())
        await pilot.click("#scenario-save")
        await pilot.pause()
        assert "not saved" in str(app.screen.query_one("#scenario-status", Static).render())
        assert target.read_text() == original  # untouched
        await set_input(pilot, "#f-budget", "5e9 USD")
        await pilot.click("#scenario-save")
        await pilot.pause()
        await pilot.click("#confirm-yes")  # the file exists: saving asks before replacing it
        await pilot.pause()
    from dcplan.planner.scenario import load_scenario

    assert load_scenario(target).scenario.budget.m_as("USD") == pytest.approx(5e9)


async def wait_for(pilot, predicate, timeout: float) -> bool:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return True
        await pilot.pause(0.2)
    return predicate()


async def test_solve_demo_and_see_the_plan(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        await pilot.click("#solve")
        assert await wait_for(pilot, lambda: app.state.plan is not None, 90)
        assert app.state.plan.solver.status == "optimal"
        await pilot.press("f6")
        await pilot.pause()
        summary = str(app.screen.query_one("#plan-summary", Static).render())
        assert "optimal" in summary and "re-check passed" in summary
        floor = str(app.screen.query_one("#plan-floor", Static).render())
        assert "hall-a" in floor and "gb300-nvl72" in floor


async def test_export_asks_before_overwriting(app_factory, demo_plan_file, tmp_path):
    """Defect 8: an existing file is never overwritten unasked; No leaves it untouched, Yes overwrites."""
    from dcplan.planner.plan import load_plan
    from dcplan.tui.screens.dialogs import ConfirmScreen

    app = app_factory(plan=demo_plan_file)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        out = tmp_path / "exported.json"
        await set_input(pilot, "#export-path", str(out))
        screen = app.screen
        status = screen.query_one("#export-status", Static)
        await pilot.click("#export-go")
        assert await wait_for(pilot, lambda: "written" in str(status.render()), 10)
        assert load_plan(out).scenario_id == "aws-hybrid-campus"
        out.write_text("keep me")
        for answer in ("n", "escape"):
            screen.export()
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen), "no question asked before overwriting"
            assert str(out) in str(app.screen.query_one("#confirm-question", Static).render())
            await pilot.press(answer)
            await pilot.pause()
            assert out.read_text() == "keep me"
            assert "not written" in str(status.render()) and "pass --force" not in str(status.render())
        screen.export()
        await pilot.pause()
        await pilot.click("#confirm-yes")
        assert await wait_for(pilot, lambda: "written" in str(status.render()), 10)
    assert load_plan(out).scenario_id == "aws-hybrid-campus"


async def run_palette_command(pilot, title: str) -> None:
    """Open the command palette with ctrl+p, type the command's title and press enter, as a user would."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    for char in title:
        await pilot.press(char)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause(0.3)


async def test_palette_open_plan_open_scenario_export_and_solve(app_factory, demo_plan_file, tmp_path):
    """Defect 8: the palette has Solve, Export, Open scenario and Open plan, and each does what it says."""
    from dcplan.planner.plan import load_plan
    from dcplan.planner.scenario import DEMO_SCENARIO
    from dcplan.tui.screens.dialogs import OpenFileScreen

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Solve", "Export", "Open scenario", "Open plan"} <= set(titles)
        assert app.state.plan is None
        # Open plan: a missing file is refused in the dialog, the real one opens on the Plan screen
        await run_palette_command(pilot, "Open plan")
        assert isinstance(app.screen, OpenFileScreen)
        app.screen.query_one("#open-path", Input).value = str(tmp_path / "missing.json")
        await pilot.press("enter")
        error = app.screen.query_one("#open-error", Static)
        assert await wait_for(pilot, lambda: "missing.json" in str(error.render()), 10)
        app.screen.query_one("#open-path", Input).value = str(demo_plan_file)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: app.state.plan is not None, 20)
        await pilot.pause()
        assert app.current_mode == "plan"
        assert "aws-hybrid-campus" in str(app.screen.query_one("#plan-summary", Static).render()) or (
            app.state.plan.scenario_name in str(app.screen.query_one("#plan-summary", Static).render())
        )
        # Open scenario: a renamed copy of the demo becomes the scenario being edited
        renamed = tmp_path / "renamed.toml"
        text = DEMO_SCENARIO.read_text()
        name = app.state.scenario_data["scenario"]["name"]
        renamed.write_text(text.replace(f'name = "{name}"', 'name = "Opened from the palette"', 1))
        await run_palette_command(pilot, "Open scenario")
        app.screen.query_one("#open-path", Input).value = str(renamed)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: app.state.scenario_path == renamed, 20)
        await pilot.pause()
        assert app.current_mode == "scenario"
        assert app.state.scenario_data["scenario"]["name"] == "Opened from the palette"
        # Export: writes the plan to the file named on the Export screen
        out = tmp_path / "from-palette.json"
        await pilot.press("f7")
        await set_input(pilot, "#export-path", str(out))
        await pilot.press("f3")
        await run_palette_command(pilot, "Export")
        assert await wait_for(pilot, out.exists, 10)
        assert load_plan(out).scenario_id == app.state.plan.scenario_id
        # Solve: starts the solver child on the Optimise screen
        await run_palette_command(pilot, "Solve")
        assert app.current_mode == "optimise"
        screen = app.screen
        assert screen.solver is not None, str(screen.query_one("#optimise-status", Static).render())
        screen.solver.stop()
        assert not screen.solver.alive


async def test_help_and_command_palette(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Go to Optimise" in commands and "Go to Plan" in commands


async def test_sweep_screen_runs_a_small_sweep(app_factory, tmp_path):
    """Four seeded samples of the demo on one worker process: summary, tornado, robust mix, save."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await pilot.pause()
        screen = app.screen
        await set_input(pilot, "#sweep-samples", "4")
        await set_input(pilot, "#sweep-workers", "1")
        screen.query_one("#sweep-catalog").value = False
        screen.query_one("#sweep-vary").text = "scenario.budget=3e9USD:6e9USD\n"
        await pilot.click("#sweep-run")
        assert await wait_for(
            pilot,
            lambda: screen.result is not None or "error" in str(screen.query_one("#sweep-status", Static).render()),
            180,
        )
        assert screen.result is not None, str(screen.query_one("#sweep-status", Static).render())
        assert screen.result.summary["samples"] == 4
        status = str(screen.query_one("#sweep-status", Static).render())
        assert f"{screen.result.summary['infeasible']} of 4 samples infeasible (" in status
        assert screen.query_one("#sweep-summary", DataTable).row_count >= 4
        assert "Tornado" in str(screen.query_one("#sweep-tornado", Static).render())
        out = tmp_path / "sweep.json"
        await set_input(pilot, "#sweep-path", str(out))
        await pilot.pause(0.3)
        await pilot.click("#sweep-save")
        assert await wait_for(pilot, out.exists, 10)


HOSTILE_TEXT = ["25 kN/m**2", "5 MW/", "1e300 kW", "1e12", "-300degC", "((((", "kN/m**2**", "\x00", "%", "1,,000 kW"]


async def type_text(pilot, widget: Input, text: str) -> None:
    """Type ``text`` key by key (control characters arrive as a paste would put them)."""
    for char in text:
        if char.isprintable():
            await pilot.press(char)
        else:
            widget.insert_text_at_cursor(char)
            await pilot.pause()
        assert pilot.app._exception is None, f"crashed after typing {widget.value!r} into #{widget.id}"


@pytest.mark.parametrize("input_id", ["target", "utilisation", "supply", "slab"])
async def test_sizer_every_prefix_of_hostile_text_shows_inline_error(app_factory, input_id):
    """Defect 2: every keystroke of partial or malformed text leaves the app running with a message in place."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        widget = app.screen.query_one(f"#{input_id}", Input)
        field = app.screen.query_one(f"#{input_id}-field", Field)
        for text in HOSTILE_TEXT:
            widget.value = ""
            widget.focus()
            await type_text(pilot, widget, text)
            assert widget.value == text
            error = str(field.query_one(".field-error").render())
            title = str(app.screen.query_one("#sizer-title", Static).render())
            if field.has_class("-invalid"):
                assert error.strip(), f"{text!r}: marked invalid without a message"
            else:  # accepted by the field: then the results or a sizing message show
                assert title.strip()
        # the bad prefix of a good value is marked, the whole value is not
        if input_id == "slab":
            widget.value = ""
            await type_text(pilot, widget, "25 kN/")
            assert field.has_class("-invalid")
            await type_text(pilot, widget, "m**2")
            assert not field.has_class("-invalid")
            assert figure(app, "racks")  # sized again


async def test_sizer_huge_target_is_refused_in_place_and_fast(app_factory):
    """A count that would take minutes to lay out is refused with a message, not computed."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for text in ("1000000000", "1e300 kW", "99999999999 racks", "9" * 5000):
            started = time.monotonic()
            await set_input(pilot, "#target", text)
            assert time.monotonic() - started < 5
            field = app.screen.query_one("#target-field", Field)
            message = str(field.query_one(".field-error").render())
            assert field.has_class("-invalid") and ("at most" in message or "too many" in message), (text, message)


async def test_sizer_warns_when_the_system_cannot_be_deployed_at_the_site(app_factory):
    """Defect 7: Trainium at an owned site shows the optimiser's availability rule."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        limits = app.screen.query_one("#sizer-limits", Static)
        assert "deployable" not in str(limits.render())  # trn3 at ashburn-va (AWS)
        app.screen.query_one("#site").value = "phoenix-az"
        await pilot.pause()
        text = str(limits.render())
        assert "NOT DEPLOYABLE" in text and "deployable only at aws sites; phoenix-az is owned" in text
        app.screen.query_one("#system").value = "gb300-nvl72"
        await pilot.pause()
        assert "deployable" not in str(limits.render())


def help_shortcuts(markdown: str) -> list[tuple[str, str]]:
    """(key, screen title) for every key named in a row of Help's table that names a screen."""
    import re

    pairs = []
    for line in markdown.splitlines():
        screen = re.search(r"\*\*(\w+)\*\*", line)
        if not line.startswith("|") or screen is None:
            continue
        keys_cell = line.split("|")[1]
        pairs += [(key, screen.group(1)) for key in re.findall(r"`([^`]+)`", keys_cell)]
    return pairs


def key_to_press(shown: str) -> str:
    return {"?": "question_mark"}.get(shown, shown.lower())


async def test_every_help_shortcut_switches_to_the_screen_help_names(app_factory):
    """Defect 9: Help's keys are the real bindings, and a digit does what the F-key of that number does."""
    from dcplan.tui.app import SCREENS
    from dcplan.tui.screens.help import HelpScreen

    titles = {title: mode for mode, (title, _) in SCREENS.items()}
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shortcuts = help_shortcuts(app.screen.query_one(Markdown).source)
        await pilot.press("escape")
        assert {titles[title] for _, title in shortcuts if title in titles} == set(SCREENS)  # every screen named
        for shown, title in shortcuts:
            if title not in titles:
                continue
            await pilot.press("f2" if titles[title] != "catalog" else "f3")  # start elsewhere
            await pilot.pause()
            app.screen.set_focus(None)  # digits are typed into a focused text field, as Help says
            await pilot.press(key_to_press(shown))
            await pilot.pause()
            assert app.current_mode == titles[title], f"Help says {shown} opens {title}"
        for number in range(2, 9):  # the digit and the F-key of one number agree
            app.screen.set_focus(None)
            await pilot.press(f"f{number}")
            await pilot.pause()
            by_f_key = app.current_mode
            await pilot.press("f2" if by_f_key != "catalog" else "f3")
            app.screen.set_focus(None)
            await pilot.press(str(number))
            await pilot.pause()
            assert app.current_mode == by_f_key, f"{number} and F{number} differ"
        app.screen.set_focus(None)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)  # 1 is help, like F1


async def test_palette_flags_flipping_after_its_children_are_gone_do_not_crash(app_factory):
    """The UI monkey (seed 20261201) crashed the app: the palette's busy flag flipped after its
    LoadingIndicator was removed (a search finishing while the palette closed), and Textual's
    watcher raised NoMatches. Both flag watchers now tolerate missing children."""
    from textual.command import CommandList
    from textual.widgets import LoadingIndicator

    from dcplan.tui.app import SafeCommandPalette

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        assert await wait_for(pilot, lambda: isinstance(app.screen, SafeCommandPalette), 10)
        palette = app.screen
        await palette.query_one(LoadingIndicator).remove()
        await palette.query_one(CommandList).remove()
        palette._show_busy = not palette._show_busy
        palette._list_visible = not palette._list_visible
        await pilot.pause()
        await pilot.pause()
        assert app.is_running and app._exception is None
