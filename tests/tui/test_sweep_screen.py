"""The sweep screen's sensitivity control: choose Sobol with the keyboard, run a small
sweep, see the indices table; hostile text in the fields around it is refused in one line."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static

from dcplan.tui.screens.sweep import sensitivity_text
from dcplan.tui.widgets.inputs import Field
from tests.tui.test_app import SIZE, wait_for

POWER = "site.ashburn-va.utility_power=120MW:200MW"


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def sweep_screen(pilot, method: str, samples: str, vary: str = "") -> object:
    """Go to the sweep screen (F8) and set the method, the samples and the --vary lines."""
    await pilot.press("f8")
    await pilot.pause()
    screen = pilot.app.screen
    screen.query_one("#sweep-sensitivity-method", Select).value = method
    screen.query_one("#sweep-samples", Input).value = samples
    screen.query_one("#sweep-catalog").value = False
    screen.query_one("#sweep-vary").text = vary
    await pilot.pause()
    return screen


async def test_choosing_sobol_runs_a_sensitivity_sweep_and_shows_the_table(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await pilot.pause()
        screen = app.screen
        select = screen.query_one("#sweep-sensitivity-method", Select)
        assert select.value == "none"
        select.focus()
        await pilot.press("enter", "down", "enter")  # open, next option (Sobol), choose
        await pilot.pause()
        assert select.value == "sobol"
        screen.query_one("#sweep-samples", Input).value = "2"  # base samples: 2 x (1 + 2) = 6 solves
        screen.query_one("#sweep-workers", Input).value = "1"
        screen.query_one("#sweep-catalog").value = False
        screen.query_one("#sweep-vary").text = f"{POWER}\n"
        await pilot.pause()
        await pilot.click("#sweep-run")
        assert await wait_for(
            pilot, lambda: screen.result is not None or "red" in text_of(screen, "#sweep-status"), 120
        )
        assert screen.result is not None, text_of(screen, "#sweep-status")
        assert [r.error or r.status for r in screen.result.results] == ["optimal"] * 6
        assert screen.result.design.method == "sobol" and len(screen.result.results) == 6
        shown = text_of(screen, "#sweep-sensitivity")
        assert "Sobol indices of compute" in shown and "site.ashburn-va.utility_power" in shown and " ± " in shown


@pytest.mark.parametrize("samples", ["3", "1e400", "\x00", "-4", "[b]8[/b]"])
async def test_hostile_samples_with_sobol_are_refused_without_running(app_factory, samples):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await sweep_screen(pilot, "sobol", samples, "scenario.budget=4e9USD:8e9USD\n")
        await pilot.click("#sweep-run")
        await pilot.pause(0.3)
        assert screen.result is None and not screen._sweeping
        status = text_of(screen, "#sweep-status")
        field_error = screen.query_one("#sweep-samples-field", Field)
        if samples == "3":  # a number, but not a power of 2: the sweep's own one-line error
            assert "--samples 3: Sobol base samples must be a power of 2" in status and "\n" not in status
            assert not field_error.has_class("-invalid")
        else:  # not a number in range: the field's validator says so, and nothing starts
            assert field_error.has_class("-invalid") and status == "Set the sweep up and press Run."


async def test_markup_in_a_vary_line_is_shown_as_text_not_read_as_markup(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await sweep_screen(pilot, "morris", "2", "[/]x[b]=1[/b]:2\n")
        await pilot.click("#sweep-run")
        await pilot.pause(0.3)
        status = text_of(screen, "#sweep-status")
        assert screen.result is None and "--vary" in status and "[/]x[b]" in status


def test_sensitivity_text_never_reads_input_names_as_markup():
    rows = [{"input": "[red]site[/red]", "S1": 0.5, "S1_conf": 0.1, "ST": 0.6, "ST_conf": 0.1}]
    section = {
        "method": "sobol",
        "computed": True,
        "objective": "tco_musd",
        "outputs": {"tco_musd": rows},
        "runs": 8,
        "feasibility": None,
        "reason": None,
    }
    text = sensitivity_text(section)
    assert "[red]site[/red]" in text.plain and "0.50 ± 0.10" in text.plain and "0.60 ± 0.10" in text.plain
    section |= {"computed": False, "reason": "3 of 8 samples have no plan", "outputs": {}}
    assert "not computed: 3 of 8 samples have no plan" in sensitivity_text(section).plain
    assert sensitivity_text(None).plain == ""


@pytest.mark.parametrize("workers", ["0", "-1", "65", "two"])
async def test_workers_outside_one_to_64_are_refused_in_place(app_factory, workers):
    """Samples never solve inside the UI process (Pyomo would redirect the terminal's file
    descriptors under Textual and every sample would fail): 0 workers is refused."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await sweep_screen(pilot, "none", "4", "scenario.budget=4e9USD:8e9USD\n")
        screen.query_one("#sweep-workers", Input).value = workers
        await pilot.pause()
        await pilot.click("#sweep-run")
        await pilot.pause(0.3)
        assert screen.result is None and not screen._sweeping
        assert screen.query_one("#sweep-workers-field", Field).has_class("-invalid")
