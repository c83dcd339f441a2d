"""`dcplan tui` and `dcplan` with no arguments open the roadmap demo (issue 14 item 7: the
README's main command); the single-period demo stays shipped and opens when named."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dcplan.planner.scenario import DEMO_ROADMAP, DEMO_SCENARIO, load_scenario


class FakeApp:
    def run(self) -> None:
        pass


@pytest.fixture
def opened(monkeypatch) -> list[dict]:
    """The arguments `dcplan tui` builds the app with (the app itself is not run)."""
    import dcplan.tui.app

    calls: list[dict] = []

    def make_app(**kwargs):
        calls.append(kwargs)
        return FakeApp()

    monkeypatch.setattr(dcplan.tui.app, "make_app", make_app)
    return calls


@pytest.mark.parametrize("argv", [[], ["tui"]], ids=["dcplan", "dcplan tui"])
def test_no_scenario_opens_the_roadmap_demo(opened, argv):
    from dcplan.planner.cli import main

    assert main(argv) == 0
    assert [Path(c["scenario"]) for c in opened] == [DEMO_ROADMAP]
    scenario = load_scenario(DEMO_ROADMAP)
    assert scenario.roadmap is not None and len(scenario.roadmap.calendar().labels) == 20  # 2026Q1-2030Q4


def test_the_single_period_demo_stays_shipped_and_opens_when_named(opened):
    from dcplan.planner.cli import main

    assert "roadmap" not in tomllib.loads(DEMO_SCENARIO.read_text(encoding="utf-8"))
    assert main(["tui", str(DEMO_SCENARIO)]) == 0
    assert [Path(c["scenario"]) for c in opened] == [DEMO_SCENARIO]
