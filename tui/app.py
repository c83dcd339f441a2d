"""The dcplan Textual app: catalog, sizer, scenario editor, optimise, plan and export screens."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tui.screens.catalog import CatalogScreen
from tui.screens.export import ExportScreen
from tui.screens.help import HelpScreen
from tui.screens.optimise import OptimiseScreen
from tui.screens.plan import PlanScreen
from tui.screens.scenario import ScenarioScreen
from tui.screens.sizer import SizerScreen
from tui.screens.sweep import SweepScreen
from tui.state import AppState

SCREENS = {
    "catalog": ("Catalog", "Browse systems, cooling, power chain and sites with sources"),
    "sizer": ("Sizer", "Size racks, power, heat, flows and equipment for N units"),
    "scenario": ("Scenario", "Edit the scenario; load and save TOML"),
    "optimise": ("Optimise", "Solve the scenario with live progress; cancel"),
    "plan": ("Plan", "Floor plan, limits, mix, costs and diagnosis"),
    "export": ("Export", "Write the plan as JSON, CSV, XLSX, Markdown, HTML or SVG"),
    "sweep": ("Sweep", "Uncertainty and what-if sweeps: P10/P50/P90, tornado, robust mix"),
}


class DcplanApp(App[None]):
    """dcplan in the terminal."""

    CSS_PATH = "dcplan.tcss"
    TITLE = "dcplan"
    MODES = {
        "catalog": CatalogScreen,
        "sizer": SizerScreen,
        "scenario": ScenarioScreen,
        "optimise": OptimiseScreen,
        "plan": PlanScreen,
        "export": ExportScreen,
        "sweep": SweepScreen,
    }
    DEFAULT_MODE = "sizer"
    # F1 and 1 are help; F2..F8 and 2..8 the screens in SCREENS order, so a digit does what the
    # F-key of the same number does. Help is generated from these bindings (tui/screens/help.py).
    BINDINGS = [
        Binding("f1", "help", "Help"),
        *(Binding(f"f{n}", f"switch_mode('{mode}')", SCREENS[mode][0]) for n, mode in enumerate(SCREENS, start=2)),
        Binding("ctrl+q", "quit", "Quit"),
        # Digits switch screens too when no text input has focus (then they type into it).
        Binding("1", "help", show=False),
        *(Binding(str(n), f"switch_mode('{mode}')", show=False) for n, mode in enumerate(SCREENS, start=2)),
        Binding("question_mark", "help", show=False),
    ]

    def __init__(self, state: AppState, start: str = "sizer") -> None:
        super().__init__()
        self.state = state
        self._start = start

    def on_mount(self) -> None:
        self.switch_mode(self._start)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for mode, (title, help_text) in SCREENS.items():
            yield SystemCommand(f"Go to {title}", help_text, lambda m=mode: self.switch_mode(m))
        yield SystemCommand("Help", "Keys and screens", self.action_help)


def make_app(
    scenario: Path | None = None,
    catalog_dirs: list[Path] | None = None,
    plan: Path | None = None,
    start: str | None = None,
) -> DcplanApp:
    """Build the app (tests call this; nothing depends on the user's files unless given)."""
    from models.catalog import load_catalog
    from tui.solver_process import prepare

    prepare()
    dirs = list(catalog_dirs or [])
    state = AppState(catalog=load_catalog(dirs), catalog_dirs=dirs)
    if scenario is not None:
        state.scenario_path = scenario
        state.scenario_data = tomllib.loads(scenario.read_text(encoding="utf-8"))
    if plan is not None:
        from planner.plan import load_plan

        state.plan = load_plan(plan)
        state.plan_path = plan
    return DcplanApp(state, start=start or ("plan" if plan is not None else "sizer"))
