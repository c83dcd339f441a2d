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
