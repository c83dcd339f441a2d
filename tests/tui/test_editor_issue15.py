"""The issue-15 tables in the UI, driven as a planner drives them: [fabric], [[utility_limit]],
[[water_loop]] (classes and heat reuse) and [[onsite_power]] in the scenario editor with
partial and hostile text in every field, then optimised (Ctrl+R), the plan's tabs, the export,
and a roadmap's timeline (F9). Helpers are tests/tui/test_editor.py's and test_optimise.py's."""

from __future__ import annotations

import random

import pytest
from textual.widgets import Input, Static, TabbedContent

from dcplan.planner.scenario import SCENARIO_DIR, load_scenario
from dcplan.tui.widgets.inputs import Field
from tests.tui.test_editor import (
    SIZE,
    check_inline_errors,
    open_editor,
    save_as,
    select,
    set_field,
    status,
    wait_for,
)
from tests.tui.test_monkey import monkey_files  # noqa: F401  (the fixture)

ENTERPRISE = SCENARIO_DIR / "enterprise-hybrid.toml"
# the shipped enterprise scenario has [fabric] and two [[utility_limit]]; a loop with heat
# reuse on hall phx-1 and gensets at phoenix-az make all four issue-15 tables present
EXTRA = """
[[water_loop]]
hall = "phx-1"
classes = ["W32", "W40", "W45"]
reuse_capacity = "2 MW"
reuse_temperature = "50 degC"
reuse_price = "30 USD/MWh"
reuse_hours = 6000

[[onsite_power]]
site = "phoenix-az"
prime_mover = "gas-recip-4mw"
max_units = 3
"""
#: every entry of the four tables, as the editor's tree names them
ENTRIES = [("fabric", None), ("utility_limit", 0), ("utility_limit", 1), ("water_loop", 0), ("onsite_power", 0)]
# partial and hostile text; a half-typed unit, a NUL and markup too under -m slow
HOSTILE = ["", "1e400", "-3", "45 degC", "W99", "°C µs Ω 日本語 🔥", "x" * 10_000]
HOSTILE_MORE = ["25 kN/", "\x00", "[b]"]


def write_extended(tmp_path):
    path = tmp_path / "enterprise-issue15.toml"
    path.write_text(ENTERPRISE.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    return path


async def click(pilot, selector: str) -> None:
    """Click a button as a person would: after its ~0.2 s press animation of the last click."""
    button = pilot.app.screen.query_one(selector)
    await wait_for(pilot, lambda: not button.has_class("-active"), 2)
    await pilot.click(selector)
    await pilot.pause()


def field_names(screen) -> list[str]:
    return [f.id[len("field-") :] for f in screen.query("#scenario-form Field").results(Field)]


def field_error(screen, name: str) -> str:
    return str(screen.query_one(f"#field-{name}", Field).query_one(".field-error").render())


async def test_fabric_is_an_entry_of_the_editor_added_edited_and_removed(app_factory, tmp_path):
    """[fabric] used to have no node in the tree: a planner could not see or change it."""
    app = app_factory(scenario=write_extended(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        screen = app.screen
        await select(pilot, "fabric", None)
        assert screen.selected == ("fabric", None)
        assert set(field_names(screen)) == {"place", "storage_per_chip", "storage_read_per_chip"}
        assert screen.query_one("#f-place", Input).value == "true"
        await set_field(pilot, "place", "45 degC")
        assert screen.query_one("#field-place", Field).has_class("-invalid")
        assert "boolean" in field_error(screen, "place")
        await set_field(pilot, "place", "false")
        await set_field(pilot, "storage_per_chip", "2 TB")
        assert "scenario is valid" in status(app), status(app)
        assert app.state.scenario_data["fabric"] == {"place": False, "storage_per_chip": "2 TB"}
        await click(pilot, "#scenario-delete")
        assert "fabric" not in app.state.scenario_data
        assert "none" in str(screen.query_one("#scenario-item").render()) and not screen.query("#f-place")
        await click(pilot, "#scenario-delete")  # nothing left to delete: said, nothing raised
        assert "no [fabric] to delete" in status(app), status(app)
        await click(pilot, "#scenario-add")
        assert app.state.scenario_data["fabric"] == {"place": True}
        assert screen.query_one("#f-place", Input).value == "true"
        out = await save_as(pilot, tmp_path / "saved.toml")
    scenario = load_scenario(out)
    assert scenario.fabric is not None and scenario.fabric.place and scenario.fabric.storage_per_chip is None


async def test_a_reference_to_no_hall_or_site_is_marked_under_its_field_before_optimising(app_factory, tmp_path):
    """A loop's hall or a swing limit's / genset's site naming nothing used to read
    "scenario is valid" in the editor and fail only on Ctrl+R."""
    app = app_factory(scenario=write_extended(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        screen = app.screen
        for (table, index), name, known in (
            (("water_loop", 0), "hall", "pdx-1, phx-1"),
            (("utility_limit", 1), "site", "phoenix-az, portland-or"),
            (("onsite_power", 0), "site", "phoenix-az, portland-or"),
            (("onsite_power", 0), "prime_mover", "gas-aero-35mw, gas-recip-4mw"),  # the catalog's
        ):
            await select(pilot, table, index)
            original = screen.query_one(f"#f-{name}", Input).value
            for text in ("nan", "1e400", "true"):  # valid ids that name no item
                await set_field(pilot, name, text)
                assert screen.query_one(f"#field-{name}", Field).has_class("-invalid"), (table, text)
                assert field_error(screen, name) == f"expected a [[{name}]] id ({known}), got '{text}'", text
                assert "1 problem(s)" in status(app), status(app)
            await set_field(pilot, name, original)
            assert "scenario is valid" in status(app), status(app)
        # the second swing limit on the first one's site: named under the second's field
        await select(pilot, "utility_limit", 1)
        await set_field(pilot, "site", "phoenix-az")
        assert "got 'phoenix-az' twice" in field_error(screen, "site")


@pytest.mark.parametrize(
    ("texts", "one_at_a_time"),
    [(HOSTILE, False), pytest.param(HOSTILE + HOSTILE_MORE, True, marks=pytest.mark.slow)],
    ids=["all-fields-at-once", "each-field-alone"],
)
async def test_hostile_text_in_every_field_of_every_issue15_entry(app_factory, tmp_path, texts, one_at_a_time):
    """Each hostile text in every field of each entry at once (under -m slow: in each field
    alone, the others left valid, three more texts): what the validator says is shown under
    each field, nothing raises; the originals come back valid and save as they were."""
    app = app_factory(scenario=write_extended(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        screen = app.screen
        before = app.state.scenario_data
        for table, index in ENTRIES:
            await select(pilot, table, index)
            names = field_names(screen)
            assert len(names) >= 3, (table, names)
            originals = {name: screen.query_one(f"#f-{name}", Input).value for name in names}
            for edited in [[name] for name in names] if one_at_a_time else [names]:
                for text in texts:
                    for name in edited:
                        screen.query_one(f"#f-{name}", Input).value = text
                    await pilot.pause()
                    # every field shows what the validator says about it ("": no text is invalid in every field)
                    check_inline_errors(app, table, index, names, "")
                    if text in ("1e400", "W99", "x" * 10_000, "25 kN/", "\x00", "[b]"):
                        assert screen.query("#scenario-form Field.-invalid"), (table, text)
                        # alone, the field itself is marked (a reference to nothing is checked
                        # once the rest of the scenario reads: planner.scenario_links)
                        # never a valid id, number, quantity, flag, class or mitigation
                        for name in edited if one_at_a_time else []:
                            assert screen.query_one(f"#field-{name}", Field).has_class("-invalid"), (table, name, text)
                            assert field_error(screen, name), (table, name, text)
                for name in edited:
                    screen.query_one(f"#f-{name}", Input).value = originals[name]
                await pilot.pause()
            assert not [f.id for f in screen.query("#scenario-form Field.-invalid")], (table, index)
        assert "scenario is valid" in status(app), status(app)
        assert app.state.scenario_data == before
        out = await save_as(pilot, tmp_path / "after.toml")
    assert load_scenario(out).model_dump() == load_scenario(write_extended(tmp_path)).model_dump()


def crash_recorder(app) -> list[str]:
    """Record every unhandled exception of the app instead of stopping at the first."""
    import traceback

    crashes: list[str] = []
    app._handle_exception = lambda error: crashes.append("".join(traceback.format_exception(error)[-8:]))
    return crashes


async def test_edit_then_optimise_then_plan_tabs_then_export(app_factory, tmp_path, monkeypatch):
    """The whole path a planner takes: bad text into a loop's heat-reuse field (marked), Ctrl+R
    refused with the same message meanwhile, the text fixed, Ctrl+R solves, every plan tab
    opens and Mix & costs states the swing mitigation, the gensets and the loop's heat reuse;
    the plan exports to JSON and reads back."""
    from dcplan.planner.plan import load_plan
    from tests.tui.test_optimise import finished

    monkeypatch.chdir(tmp_path)
    app = app_factory(scenario=write_extended(tmp_path))
    crashes = crash_recorder(app)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        screen = app.screen
        await select(pilot, "water_loop", 0)
        await set_field(pilot, "reuse_temperature", "45 degC")  # valid: a warmer taker
        await set_field(pilot, "reuse_price", "30 [b]USD/")  # half-typed, a stray tag in it
        assert screen.query_one("#field-reuse_price", Field).has_class("-invalid")
        assert "1 problem(s)" in status(app), status(app)
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        refused = str(app.screen.query_one("#optimise-status", Static).render())
        # the message as the validator wrote it: the table's brackets and the typed tag shown, not markup
        assert "The scenario is invalid" in refused and "[[water_loop]] #1 field 'reuse_price'" in refused, refused
        assert "in '30 [b]USD/'" in refused, refused
        assert app.screen.solver is None  # nothing started
        await pilot.press("f4")
        await pilot.pause()
        await set_field(pilot, "reuse_price", "30 USD/MWh")
        assert "scenario is valid" in status(app), status(app)
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("ctrl+r")
        assert await wait_for(pilot, lambda: app.screen.solver is not None, 5)
        assert await wait_for(pilot, lambda: finished(app.screen), 240)
        plan = app.state.plan
        assert plan is not None and plan.solver.status == "optimal", str(
            app.screen.query_one("#optimise-status", Static).render()
        )
        await pilot.press("f6")
        await pilot.pause()
        tabs = app.screen.query_one("#plan-tabs", TabbedContent)
        for tab in ("tab-floor", "tab-limits", "tab-mix", "tab-workloads", "tab-diagnosis"):
            tabs.active = tab
            await pilot.pause()
        costs = str(app.screen.query_one("#plan-costs", Static).render())
        assert "phoenix-az: training swing" in costs and "portland-or: training swing" in costs
        assert "phoenix-az: " in costs and "UPS battery" in costs  # the [[onsite_power]] line
        assert "phx-1: " in costs and "taker needs 45 degC" in costs and "plan ERF" in costs
        await pilot.press("f7")
        await pilot.pause()
        out = tmp_path / "issue15.plan.json"
        app.screen.query_one("#export-path", Input).value = str(out)
        await pilot.pause()
        await click(pilot, "#export-go")
        export_status = app.screen.query_one("#export-status", Static)
        assert await wait_for(pilot, lambda: "written" in str(export_status.render()), 20), str(export_status.render())
    assert not crashes, crashes[0]
    assert app.return_code in (None, 0)
    loaded = load_plan(out)
    assert loaded.scenario_id == "enterprise-hybrid"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["enterprise-issue15.toml", "issue15.plan.json"]


ROADMAP_LOOP = """
[[water_loop]]
hall = "phx-1"
classes = ["W32", "W40"]
reuse_capacity = "2 MW"
reuse_temperature = "45 degC"
reuse_price = "30 USD/MWh"
"""
ROADMAP_ONSITE = '\n[[onsite_power]]\nsite = "phoenix-az"\nprime_mover = "gas-recip-4mw"\nmax_units = 2\n'


async def test_a_roadmap_with_a_water_loop_edits_solves_and_shows_its_timeline(app_factory, tmp_path):
    """A three-quarter roadmap of the enterprise scenario with a [[water_loop]] and an
    [[onsite_power]] (both applied per period): the loop's fields take hostile text, the
    roadmap solves from the Optimise screen, and the Timeline (F9) shows every period with
    the loop's hall on its floor plan."""
    from dcplan.tui.screens.timeline import TimelineScreen
    from tests.tui.test_optimise import finished
    from tests.tui.test_timeline import roadmap_scenario

    path = roadmap_scenario(tmp_path, lead_times=False)
    path.write_text(path.read_text(encoding="utf-8") + ROADMAP_LOOP + ROADMAP_ONSITE, encoding="utf-8")
    app = app_factory(scenario=path)
    crashes = crash_recorder(app)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        screen = app.screen
        assert "scenario is valid" in status(app), status(app)
        await select(pilot, "water_loop", 0)
        names = field_names(screen)
        for name in names:
            original = screen.query_one(f"#f-{name}", Input).value
            for text in ("1e400", "45 degC", "W99", "-3", ""):
                await set_field(pilot, name, text)
                check_inline_errors(app, "water_loop", 0, names, "")
            await set_field(pilot, name, original)
        assert "scenario is valid" in status(app), status(app)
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("ctrl+r")
        assert await wait_for(pilot, lambda: app.screen.solver is not None, 5)
        assert await wait_for(pilot, lambda: finished(app.screen), 300)
        roadmap = app.state.roadmap
        assert roadmap is not None and len(roadmap.periods) == 3, str(
            app.screen.query_one("#optimise-status", Static).render()
        )
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, TimelineScreen)
        for key in ("right_square_bracket", "right_square_bracket", "left_square_bracket"):
            await pilot.press(key)
            await pilot.pause()
        assert app.screen.selected == 1
        await pilot.click("#--content-tab-tab-period-floor")
        await pilot.pause()
        floor = str(app.screen.query_one("#timeline-floor", Static).render())
        assert "phx-1" in floor
    assert not crashes, crashes[0]
    assert app.return_code in (None, 0)


# what a planner types into these tables: numbers, units, classes, ids, and some noise
RANDOM_PIECES = ["1", "0", "-", ".", "e", "400", "45", " ", "degC", "MW", "MWh", "kW", "USD/", "USD/MWh", "TB", "GB/s"]
RANDOM_PIECES += ["s", "W", "W32", "W+", ",", "true", "battery", "floor", "phx-1", "phoenix-az", "gas-recip-4mw"]
RANDOM_PIECES += ["°C", "日", "🔥", "[", "]", "\\", '"', "\x00", "\t", "nan", "inf", "x" * 500]


@pytest.mark.parametrize(("seed", "rounds"), [(15, 8), pytest.param(1515, 40, marks=pytest.mark.slow)])
async def test_seeded_random_text_in_the_issue15_fields(app_factory, tmp_path, seed, rounds):
    """Random text built from RANDOM_PIECES (fixed seed) in random subsets of the fields of
    each issue-15 entry, ``rounds`` times per entry (8 by default, 40 under -m slow): every
    field shows what the validator says, nothing raises; the originals come back valid."""
    rng = random.Random(seed)
    app = app_factory(scenario=write_extended(tmp_path))
    crashes = crash_recorder(app)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot)
        screen = app.screen
        for table, index in ENTRIES:
            await select(pilot, table, index)
            names = field_names(screen)
            originals = {name: screen.query_one(f"#f-{name}", Input).value for name in names}
            for _ in range(rounds):
                for name in rng.sample(names, rng.randint(1, len(names))):
                    pieces = rng.randint(0, 5)
                    screen.query_one(f"#f-{name}", Input).value = "".join(
                        rng.choice(RANDOM_PIECES) for _ in range(pieces)
                    )
                await pilot.pause()
                check_inline_errors(app, table, index, names, "")
            for name in names:
                screen.query_one(f"#f-{name}", Input).value = originals[name]
            await pilot.pause()
        assert "scenario is valid" in status(app), status(app)
    assert not crashes, crashes[0]
    assert app.return_code in (None, 0)


@pytest.mark.parametrize(
    ("seed", "per_screen"),
    [(20261515, 250), pytest.param(20261516, 3000, marks=pytest.mark.slow)],
    ids=lambda v: f"seed-{v}" if v > 100_000 else f"x{v}",
)
async def test_monkey_on_the_issue15_scenario(app_factory, monkey_files, seed, per_screen):  # noqa: F811
    """tests/tui/test_monkey.py's seeded monkey (random keys, text, pastes, clicks) on the
    editor of the extended scenario (its fabric node and the three tables), the Optimise
    screen and the plan: 1,000 events by default, 12,000 under -m slow; nothing raises."""
    from tests.tui.test_monkey import report, run_monkey

    scenario, _ = monkey_files
    scenario.write_text(ENTERPRISE.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    monkey = await run_monkey(
        app_factory, monkey_files, seed, per_screen=per_screen, screens=("scenario", "optimise", "plan", "scenario")
    )
    assert not monkey.crashes, report(monkey)
    assert monkey.sent >= 4 * per_screen
