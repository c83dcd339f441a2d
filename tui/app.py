"""The dcplan Textual app: catalog, sizer, scenario editor, optimise, plan and export screens."""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual import events, work
from textual.app import App, ScreenStackError, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.command import CommandPalette
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen
from textual.widgets import OptionList

from dcplan.tui.screens.catalog import CatalogScreen
from dcplan.tui.screens.dialogs import OpenFileScreen
from dcplan.tui.screens.export import ExportScreen
from dcplan.tui.screens.help import HelpScreen
from dcplan.tui.screens.optimise import OptimiseScreen
from dcplan.tui.screens.plan import PlanScreen
from dcplan.tui.screens.scenario import ScenarioScreen
from dcplan.tui.screens.sizer import SizerScreen
from dcplan.tui.screens.sweep import SweepScreen
from dcplan.tui.screens.timeline import TimelineScreen
from dcplan.tui.state import AppState, adopt_plan

SCREENS = {
    "catalog": ("Catalog", "Browse systems, cooling, power chain and sites with sources"),
    "sizer": ("Sizer", "Size racks, power, heat, flows and equipment for N units"),
    "scenario": ("Scenario", "Edit the scenario; load and save TOML"),
    "optimise": ("Optimise", "Solve the scenario with live progress; cancel"),
    "plan": ("Plan", "Floor plan, limits, mix, costs and diagnosis"),
    "export": ("Export", "Write the plan as JSON, CSV, XLSX, Markdown, HTML or SVG"),
    "sweep": ("Sweep", "Uncertainty and what-if sweeps: P10/P50/P90, tornado, robust mix"),
    "timeline": ("Timeline", "Roadmap plan by period: Gantt-like timeline, floor plan per period, orders, cash"),
}


async def _click_current_option(self: OptionList, event: events.Click) -> None:
    """OptionList's click, ignoring a click on an option the list no longer has.

    The option index comes from the last rendering; a list refilled since (the palette's
    results, a Select whose options were replaced) made Textual 8.2 raise IndexError.
    """
    option = event.style.meta.get("option")
    if isinstance(option, int) and not 0 <= option < self.option_count:
        return
    await _option_list_click(self, event)


def _move_page_when_laid_out(self: OptionList, direction: int) -> None:
    """OptionList's page up/down, doing nothing before the list has laid out its lines.

    Textual 8.2 raised KeyError paging a list (a Select's, the palette's) whose line map was
    still empty (UI monkey).
    """
    with contextlib.suppress(KeyError, IndexError):
        _option_list_move_page(self, direction)


_option_list_click = OptionList._on_click
OptionList._on_click = _click_current_option  # type: ignore[method-assign]
_option_list_move_page = OptionList._move_page
OptionList._move_page = _move_page_when_laid_out  # type: ignore[method-assign]


class SafeCommandPalette(CommandPalette):
    """Textual's palette, guarded against two races the UI monkey found in it (Textual 8.2).

    Page up/down while the command list is being rebuilt raises KeyError in OptionList; a
    click that dismisses a palette no longer on top of the stack raises ScreenStackError; and
    the busy or list-visible flag can flip after the palette's children are gone (a search
    finishing as it closes), where Textual's watchers raise NoMatches.
    """

    async def _watch__show_busy(self) -> None:
        with contextlib.suppress(NoMatches):
            await super()._watch__show_busy()

    def _watch__list_visible(self) -> None:
        with contextlib.suppress(NoMatches):
            super()._watch__list_visible()

    def _action_command_list(self, action: str) -> None:
        with contextlib.suppress(KeyError, IndexError):
            super()._action_command_list(action)

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        # a search started just before the palette closed finds no CommandList: nothing to show
        with contextlib.suppress(NoMatches):
            await CommandPalette._gather_commands.__wrapped__(self, search_value)  # type: ignore[attr-defined]

    def dismiss(self, result: Any = None) -> AwaitComplete:
        if self.app.screen is not self or len(self.app.screen_stack) < 2:
            return AwaitComplete.nothing()
        try:
            return super().dismiss(result)
        except ScreenStackError:  # already popped by an earlier event of the same burst
            return AwaitComplete.nothing()


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
        "timeline": TimelineScreen,
    }
    DEFAULT_MODE = "sizer"
    # F1 and 1 are help; F2..F9 and 2..9 the screens in SCREENS order, so a digit does what the
    # F-key of the same number does. Help is generated from these bindings (tui/screens/help.py).
    BINDINGS = [
        *(Binding(f"f{n}", f"switch_mode('{mode}')", SCREENS[mode][0]) for n, mode in enumerate(SCREENS, start=2)),
        Binding("f1", "help", "Help"),
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

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.MouseDown):
            try:
                await super().on_event(event)
            except AttributeError:
                # Textual 8.2 starts a text selection in the widget under the pointer; a widget
                # removed since the last layout has no parent and that raised (UI monkey).
                return
            return
        await super().on_event(event)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_switch_mode(self, mode: str) -> None:
        """Switch screens; a help page, dialog or palette open on the old screen closes first.

        Left open, it would stay on the old screen's stack, and dismissing it later pops the
        wrong stack (Textual raises ScreenStackError).
        """
        while len(self.screen_stack) > 1 and isinstance(self.screen, ModalScreen):
            if isinstance(self.screen, CommandPalette):
                self.screen._cancel_gather_commands()  # its search worker must not outlive it
            self.pop_screen()
        self.switch_mode(mode)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(SafeCommandPalette(id="--command-palette"))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for mode, (title, help_text) in SCREENS.items():
            yield SystemCommand(f"Go to {title}", help_text, lambda m=mode: self.switch_mode(m))
        yield SystemCommand("Solve", "Solve the scenario now (on the Optimise screen)", self.action_solve)
        yield SystemCommand("Export", "Write the plan to the file named on the Export screen", self.action_export)
        yield SystemCommand("Open scenario", "Load a scenario TOML file", self.action_open_scenario)
        yield SystemCommand("Open plan", "Load a plan JSON file and show it", self.action_open_plan)
        yield SystemCommand("Help", "Keys and screens", self.action_help)

    async def action_solve(self) -> None:
        """Go to Optimise and start a solve, as its Solve button does."""
        await self.switch_mode("optimise")
        screen = self.screen
        if isinstance(screen, OptimiseScreen):
            screen.action_solve()

    async def action_export(self) -> None:
        """Go to Export and write the plan, as its Export button does (asking before overwriting)."""
        await self.switch_mode("export")
        screen = self.screen
        if isinstance(screen, ExportScreen):
            screen.export()

    def action_open_scenario(self) -> None:
        default = str(self.state.scenario_path or "")
        self.push_screen(OpenFileScreen("Open scenario (TOML)", read_scenario_file, default), self._scenario_opened)

    def action_open_plan(self) -> None:
        default = str(self.state.plan_path or "")
        self.push_screen(OpenFileScreen("Open plan (JSON)", _read_plan_file, default), self._plan_opened)

    def _scenario_opened(self, loaded: tuple[Path, dict[str, Any]] | None) -> None:
        if loaded is None:
            return
        self.state.scenario_path, self.state.scenario_data = loaded
        # the editor adopts a replaced scenario when it is shown again (on_screen_resume)
        self.switch_mode("scenario")
        self.notify(f"opened {loaded[0]}", title="dcplan")

    def _plan_opened(self, loaded: tuple[Path, Any] | None) -> None:
        if loaded is None:
            return
        if adopt_plan(self.state, *loaded) == "timeline":
            self.switch_mode("timeline")  # the Timeline screen shows the state's roadmap when it is shown
            if isinstance(self.screen, TimelineScreen):
                self.screen.refresh_roadmap()
        elif self.current_mode == "plan" and isinstance(self.screen, PlanScreen):
            self.screen.refresh_plan()
        else:
            self.switch_mode("plan")  # the Plan screen shows the state's plan when it is shown
        self.notify(f"opened {loaded[0]}", title="dcplan")


def read_scenario_file(path: Path, validate: bool = True) -> tuple[Path, dict[str, Any]]:
    """Read (and validate) a scenario TOML file; raises dcplan's errors (the prompt shows their first line)."""
    from dcplan.models.files import read_text
    from dcplan.planner.scenario import ScenarioError, parse_scenario

    try:
        data = tomllib.loads(read_text(path, "scenario"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{path}: not valid TOML: {exc}"]) from None
    if validate:
        parse_scenario(data, where=str(path))
    return path, data


def _read_plan_file(path: Path) -> tuple[Path, Any]:
    from dcplan.models.files import check_regular_file
    from dcplan.planner.roadmap_plan import load_any_plan

    check_regular_file(path, "plan")  # a FIFO or folder is refused, not waited on
    return path, load_any_plan(path)  # a single-period or a roadmap plan


def make_app(
    scenario: Path | None = None,
    catalog_dirs: list[Path] | None = None,
    plan: Path | None = None,
    start: str | None = None,
) -> DcplanApp:
    """Build the app (tests call this; nothing depends on the user's files unless given)."""
    from dcplan.models.catalog import load_catalog
    from dcplan.tui.solver_process import prepare

    prepare()
    dirs = list(catalog_dirs or [])
    state = AppState(catalog=load_catalog(dirs), catalog_dirs=dirs)
    if scenario is not None:
        state.scenario_path, state.scenario_data = read_scenario_file(scenario, validate=False)
    shows = "sizer"
    if plan is not None:
        from dcplan.planner.roadmap_plan import load_any_plan

        shows = adopt_plan(state, plan, load_any_plan(plan))
    return DcplanApp(state, start=start or shows)
