"""The scenario editor on a roadmap scenario (issue 14): every roadmap table's items show and
edit like the others, and saving keeps the [roadmap] table the form does not show."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from textual.widgets import Input, Static, Tree

from dcplan.planner.scenario_roadmap import ROADMAP_TABLES
from dcplan.tui.screens.scenario import tables

SIZE = (140, 45)
SMALL = Path(__file__).resolve().parents[1] / "data" / "roadmap" / "small.toml"


def status(app) -> str:
    return str(app.screen.query_one("#scenario-status", Static).render())


def nodes(app) -> list:
    tree = app.screen.query_one("#scenario-tree", Tree)
    out, stack = [], [tree.root]
    while stack:
        node = stack.pop(0)
        out.append(node)
        stack[:0] = list(node.children)
    return [n for n in out if n.data is not None]


async def test_every_roadmap_node_selects_edits_and_saves(app_factory, tmp_path):
    data = tomllib.loads(SMALL.read_text(encoding="utf-8"))
    assert set(ROADMAP_TABLES) <= set(tables())
    app = app_factory(scenario=Path(os.path.relpath(SMALL)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        tree = screen.query_one("#scenario-tree", Tree)
        for node in nodes(app):
            tree.select_node(node)
            await pilot.pause()
            table, index = node.data
            if table in ROADMAP_TABLES and index is not None:
                for key, value in data[table][index].items():  # aliased "from" shows under its file name
                    if isinstance(value, str):
                        assert screen.query_one(f"#f-{key}", Input).value == value, (table, key)
        site_power = next(n for n in nodes(app) if n.data == ("site_power", 0))
        tree.select_node(site_power)
        await pilot.pause()
        assert "scenario is valid" in status(app), status(app)
        screen.query_one("#f-from", Input).value = "2027Q9"  # not a quarter: shown inline, not a crash
        await pilot.pause()
        assert "scenario is valid" not in status(app)
        screen.query_one("#f-from", Input).value = "2027Q4"
        await pilot.pause()
        assert "scenario is valid" in status(app), status(app)
        out = tmp_path / "edited.toml"
        screen.query_one("#scenario-path", Input).value = str(out)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "saved" in status(app), status(app)
    saved = tomllib.loads(out.read_text(encoding="utf-8"))
    data["site_power"][0]["from"] = "2027Q4"
    assert saved == data  # [roadmap] kept, the one edit made
    assert app.return_code in (None, 0)


# --- the [roadmap] table itself (issue 14 item 2) ----------------------------------------------

from datetime import date  # noqa: E402

import pytest  # noqa: E402

from dcplan.planner.scenario import DEMO_SCENARIO, scenario_errors  # noqa: E402
from dcplan.tui.screens import scenario_roadmap as sr  # noqa: E402
from dcplan.tui.screens.scenario import ConfirmModal, text_to_value, value_to_text  # noqa: E402

#: typical values of every [roadmap] field, typed key by key (every prefix is a state the editor shows)
TYPICAL = {
    "start": ["2026Q1", "2027", "2026-07-01"],
    "period": ["quarter", "year"],
    "periods": ["20", "8", "80", "81", "0", "-3", "1e3"],
    "end": ["2030Q4", "2029"],
    "objective": ["max-cumulative-delivered", "min-npv-tco"],
    "discount_delivered": ["true", "false", "yes", "maybe"],
    "facility_life": ["15 year", "2 quarters", "60 month", "3 kg", "-1 year"],
    "lead_times": ["true", "false", "0"],
    "switch_trays_per_year": ["1000", "0", "-1", "nan", "1e400"],
    "mixed_fusion_domain": ["true", "false"],
}
HOSTILE = ["", " ", "[", "]]", '"', "\\", "'''", "\x00", "é" * 50, "9" * 400, "=", "#", "{a = 1}"]


def test_roadmap_helpers_add_and_remove_by_the_rules():
    demo = tomllib.loads(DEMO_SCENARIO.read_text(encoding="utf-8"))  # single-period, objective and tco_horizon
    assert sr.quarter_label(date(2026, 12, 2)) == "2026Q4" and sr.quarter_label(date(2027, 1, 1)) == "2027Q1"
    assert sr.replaced_fields(demo) == [
        "objective = 'max-delivered'",
        "tco_horizon = '5 year'",
    ]  # [[utility_limit]] and [fabric] stay: the roadmap applies them per period
    added = sr.with_roadmap(demo, date(2026, 12, 2))
    assert added["roadmap"] == {
        "start": "2026Q4",
        "period": "quarter",
        "periods": 20,  # 5 years of quarters
        "objective": "max-cumulative-delivered",
    }
    assert "objective" not in added["scenario"] and "tco_horizon" not in added["scenario"]
    assert added["utility_limit"] == demo["utility_limit"] and added["fabric"] == demo["fabric"]
    assert "objective" in demo["scenario"]  # the input is not changed
    assert scenario_errors(added) == []
    assert sr.without_roadmap(added) == {k: v for k, v in added.items() if k != "roadmap"}
    small = tomllib.loads(SMALL.read_text(encoding="utf-8"))
    parts = sr.roadmap_parts(small)
    assert parts[0] == "[roadmap]" and "hall.ready x 1" in parts and any(p.startswith("[[site_power]]") for p in parts)
    single = sr.without_roadmap(small)
    assert scenario_errors(single) == [], scenario_errors(single)
    assert not set(ROADMAP_TABLES) & set(single) and all("ready" not in h for h in single["hall"])
    mintco = {"scenario": {"id": "x", "objective": "min-tco", "tco_horizon": "3 years"}}
    assert sr.new_roadmap(mintco, date(2026, 1, 1))["objective"] == "min-npv-tco"
    assert sr.new_roadmap(mintco, date(2026, 1, 1))["periods"] == 12
    assert sr.new_roadmap({"scenario": {"tco_horizon": "90 year"}}, date(2026, 1, 1))["periods"] == 80
    assert sr.new_roadmap({"scenario": {"tco_horizon": "soon"}}, date(2026, 1, 1))["periods"] == sr.DEFAULT_PERIODS
    assert sr.new_roadmap({"scenario": "not a table"}, date(2026, 1, 1))["periods"] == sr.DEFAULT_PERIODS


def test_true_false_fields_read_and_show_as_toml():
    assert text_to_value(bool, " True ") is True and text_to_value(bool, "off") is False
    assert text_to_value(bool, "maybe") == "maybe"  # kept as text: the validator names it
    assert value_to_text(True) == "true" and value_to_text(False) == "false"


async def select(app, pilot, data) -> None:
    tree = app.screen.query_one("#scenario-tree", Tree)
    tree.select_node(next(n for n in nodes(app) if n.data == data))
    await pilot.pause()


async def test_add_edit_and_remove_roadmap_on_the_single_period_demo(app_factory, tmp_path):
    """Single-period demo -> Add item on "roadmap" (asks: it replaces objective and
    tco_horizon) -> a valid roadmap; edit its fields in place; Delete item -> the original
    scenario less the two replaced fields; saving writes exactly what is shown."""
    original = tomllib.loads(DEMO_SCENARIO.read_text(encoding="utf-8"))
    app = app_factory(scenario=Path(os.path.relpath(DEMO_SCENARIO)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        screen = app.screen
        await select(app, pilot, ("roadmap", None))
        assert not screen.query("#f-start")  # none yet: no fields to type into
        await pilot.click("#scenario-add")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        question = str(app.screen.query_one("#confirm-question", Static).render())
        assert "[fabric] and [[utility_limit]] stay" in question and "utility_limit]] x" not in question
        await pilot.press("n")  # the safe answer: nothing changes
        await pilot.pause()
        assert "roadmap" not in app.state.scenario_data
        await pilot.click("#scenario-add")
        await pilot.pause()
        await pilot.click("#confirm-yes")
        await pilot.pause()
        await pilot.pause()
        data = app.state.scenario_data
        assert data["roadmap"]["period"] == "quarter" and "objective" not in data["scenario"]
        assert data["fabric"] == original["fabric"] and data["utility_limit"] == original["utility_limit"]
        assert "scenario is valid" in status(app), status(app)
        screen.query_one("#f-discount_delivered", Input).value = "yes"
        screen.query_one("#f-periods", Input).value = ""  # cleared: periods or end is now missing
        await pilot.pause()
        assert "exactly one of periods or end" in str(screen.query_one("#scenario-item-error", Static).render())
        screen.query_one("#f-end", Input).value = "2030Q4"
        await pilot.pause()
        assert "scenario is valid" in status(app), status(app)
        assert app.state.scenario_data["roadmap"]["discount_delivered"] is True
        assert (
            app.state.scenario_data["roadmap"]["end"] == "2030Q4"
            and "periods" not in app.state.scenario_data["roadmap"]
        )
        out = tmp_path / "roadmap.toml"
        screen.query_one("#scenario-path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "saved" in status(app), status(app)
        saved = tomllib.loads(out.read_text(encoding="utf-8"))
        assert saved == app.state.scenario_data and scenario_errors(saved) == []
        await pilot.click("#scenario-delete")
        await pilot.pause()
        assert "[roadmap]" in str(app.screen.query_one("#confirm-question", Static).render())
        await pilot.click("#confirm-yes")
        await pilot.pause()
        await pilot.pause()
        expected = {
            **original,  # [[utility_limit]] and [fabric] kept through add and delete
            "scenario": {k: v for k, v in original["scenario"].items() if k not in ("objective", "tco_horizon")},
        }
        assert app.state.scenario_data == expected
        assert "scenario is valid" in status(app), status(app)
        assert not screen.query("#f-start")
    assert app.return_code in (None, 0)


def fuzz_texts(rng, count: int, every_value: bool) -> list[tuple[str, str]]:
    """(field, text) pairs: every prefix of the typical values (the first of each field, or
    all of them), then hostile and random texts."""
    out = [
        (name, value[:n])
        for name, values in TYPICAL.items()
        for value in (values if every_value else values[:1])
        for n in range(len(value) + 1)
    ]
    alphabet = "0123456789Qq-.e year monthkgtruefals[]\"'\\ "
    for _ in range(count):
        name = rng.choice(list(TYPICAL))
        out.append(
            (name, rng.choice(HOSTILE) if rng.random() < 0.3 else "".join(rng.choices(alphabet, k=rng.randint(0, 12))))
        )
    return out


async def roadmap_fuzz(app_factory, tmp_path, seed: int, count: int) -> None:
    """Type into every [roadmap] field (seeded) without a crash, the status agreeing with the
    validator; put the file's values back: valid, and the saved file equals the original;
    then remove the [roadmap]: a valid single-period scenario."""
    import random

    rng = random.Random(seed)
    app = app_factory(scenario=Path(os.path.relpath(SMALL)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await pilot.pause()
        await select(app, pilot, ("roadmap", None))
        screen = app.screen
        for i, (name, text) in enumerate(fuzz_texts(rng, count, every_value=count > 100)):
            screen.query_one(f"#f-{name}", Input).value = text
            if i % 7 == 0:
                await pilot.pause()
        await pilot.pause()
        assert screen.query_one("#f-start", Input).is_attached  # still the roadmap form
        errors = scenario_errors(app.state.scenario_data)
        assert ("problem" in status(app)) == bool(errors), status(app)
        # put back every field as the file had it: valid again, and saving loses nothing
        original = tomllib.loads(SMALL.read_text(encoding="utf-8"))
        for name in TYPICAL:
            screen.query_one(f"#f-{name}", Input).value = value_to_text(original["roadmap"].get(name))
        await pilot.pause()
        assert "scenario is valid" in status(app), status(app)
        out = tmp_path / f"fuzz-{seed}.toml"
        screen.query_one("#scenario-path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert tomllib.loads(out.read_text(encoding="utf-8")) == original
        # Delete item on "roadmap": a valid single-period scenario, no roadmap-only table left
        await pilot.click("#scenario-delete")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        await pilot.pause()
        data = app.state.scenario_data
        assert "roadmap" not in data and not set(ROADMAP_TABLES) & set(data)
        assert all("ready" not in hall for hall in data["hall"])
        assert "scenario is valid" in status(app), status(app)
        assert "roadmap: none (single period; Add item adds it)" in [str(n.label) for n in nodes(app)]
    assert app.return_code in (None, 0)


async def test_typing_every_prefix_and_hostile_text_into_the_roadmap_fields(app_factory, tmp_path):
    await roadmap_fuzz(app_factory, tmp_path, seed=14, count=20)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
async def test_roadmap_fields_long_fuzz(app_factory, tmp_path, seed):
    await roadmap_fuzz(app_factory, tmp_path, seed=seed, count=600)
