"""A seeded UI monkey: random keys, text, pastes and clicks on every screen; nothing may raise.

Every event is generated from a fixed seed, so a failure names the seed, the screen and the
last events, and the same seed replays the same events. The app's exception handler is
wrapped to record every unhandled exception (Textual would otherwise stop at the first),
and ``exit`` is disabled while the monkey runs (a palette "Quit" must not end the test).

Reproduce one failure:  pytest tests/tui/test_monkey.py -k "seed-<N>"  (or MONKEY_SEED=<N>).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.pilot import _get_mouse_message_arguments
from textual.widgets import DataTable, Input, Select

SIZE = (120, 40)
# screen -> the key that opens it (help is a modal over the current screen)
SCREENS = {
    "catalog": "f2",
    "sizer": "f3",
    "scenario": "f4",
    "optimise": "f5",
    "plan": "f6",
    "export": "f7",
    "sweep": "f8",
    "help": "f1",
}
SCREEN_KEYS = {**SCREENS, "timeline": "f9"}  # the timeline: driven on a roadmap plan (below)
# No ctrl+q / ctrl+c: the monkey must not quit the app (exit is also disabled while it runs).
KEYS = (
    ["tab", "shift+tab", "enter", "escape", "space", "backspace", "delete"] * 4
    + ["up", "down", "left", "right", "home", "end", "pageup", "pagedown"] * 3
    + ["ctrl+p", "ctrl+r", "ctrl+x", "ctrl+s", "ctrl+o", "ctrl+n", "ctrl+d", "ctrl+a", "ctrl+e", "ctrl+z"]
    + [f"f{n}" for n in range(1, 9)]
    + [str(n) for n in range(10)]
    + ["question_mark", "y", "n", "a", "+", "-", "."]
)
FRAGMENTS = [
    "25 kN/m**2",
    "25 kN/",
    "5 MW/",
    "1e300 kW",
    "1e12",
    "-300degC",
    "1000degC",
    "((((",
    "kN/m**2**",
    "%",
    "80%",
    "1,,000 kW",
    "6e9 USD",
    "0.1 %",
    "60 s",
    "2.5",
    "nan",
    "inf",
    "-1",
    "0",
    "9" * 40,
    "35 degC",
    "°C µs Ω",
    "日本語テキスト",
    "🔥💥",
    "[b]",
    "[/]",
    "[red",
    "$x",
    "scenario.budget=1:2",
    "x=",
    "hall-a",
    "../..",
    "plan.json",
    "*",
    "**",
    "/",
    " ",
    "e",
    "'",
    '"',
    "\\",
]
CONTROL = ["\x00", "\x1b", "\x7f", "\t", "\r", "\n", "\x08", "\u200b", "\ufeff", "\ud7ff"]


@dataclass(repr=False)
class Monkey:
    """Drives one app with events from one seed and records what went wrong."""

    app: Any
    seed: int
    rng: random.Random = field(init=False)
    recent: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    screen: str = ""
    sent: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        original = self.app._handle_exception

        def record(error: Exception) -> None:
            head = "".join(traceback.format_exception(error)[-12:])
            try:
                on = type(self.app.screen).__name__
            except Exception:  # no screen at all
                on = "?"
            self.crashes.append(
                f"seed={self.seed} segment={self.screen} on {on} event#{self.sent} after {self.recent[-8:]}\n{head}"
            )

        self.original_handler = original
        self.app._handle_exception = record
        self.original_exit = self.app.exit
        self.app.exit = lambda *args, **kwargs: self.recent.append("exit() ignored")

    def restore_exit(self) -> None:
        self.app.exit = self.original_exit

    def restore_handler(self) -> None:
        self.app._handle_exception = self.original_handler

    def _note(self, text: str) -> None:
        self.recent.append(text)
        del self.recent[:-20]
        self.sent += 1

    def key(self, key: str, char: str | None = None) -> None:
        if char is None and len(key) == 1:
            char = key
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        event = events.Key(key, char)
        event.set_sender(self.app)
        self.app.post_message(event)
        self._note(f"key {key!r}")

    def text(self, text: str) -> None:
        for char in text:
            self.key(char, char)

    def paste(self, text: str) -> None:
        event = events.Paste(text)
        event.set_sender(self.app)
        self.app.post_message(event)
        self._note(f"paste {text!r}")

    def click(self) -> None:
        if not self.app.screen_stack:
            return
        screen = self.app.screen
        x, y = self.rng.randrange(SIZE[0]), self.rng.randrange(SIZE[1])
        arguments = _get_mouse_message_arguments(screen, (x, y), button=1)
        for kind in (events.MouseDown, events.MouseUp, events.Click):
            kwargs = {**arguments, "chain": 1} if kind is events.Click else arguments
            event = kind(**kwargs)
            event.set_sender(self.app)
            self.app.post_message(event)  # through the app, as the driver sends them
        self._note(f"click {x},{y}")

    def random_event(self) -> None:
        roll = self.rng.random()
        if roll < 0.40:
            self.key(self.rng.choice(KEYS))
        elif roll < 0.70:
            self.text(self.rng.choice(FRAGMENTS))
        elif roll < 0.76:
            pasted = "".join(self.rng.choice(FRAGMENTS + CONTROL) for _ in range(self.rng.randint(1, 4)))
            self.paste(pasted)
        else:
            self.click()

    async def run_screen(self, pilot: Any, screen: str, events_wanted: int, batch: int = 25) -> None:
        """Open ``screen`` the way a user does, then send events in batches with a pause between."""
        self.screen = screen
        for _ in range(3):  # close a modal, palette or menu the last screen left open
            self.key("escape")
        self.app.set_focus(None)
        self.key(SCREEN_KEYS[screen])
        await settle(self.app)
        start = self.sent
        while self.sent - start < events_wanted:
            for _ in range(batch):
                self.random_event()
                if not self.app.screen_stack:  # the app lost its screen: stop and say after what
                    raise AssertionError(
                        f"seed={self.seed} segment={screen}: no screen left on the stack after {self.recent}"
                    )
            started = time.monotonic()
            await settle(self.app)
            if os.environ.get("MONKEY_TRACE"):
                print(f"{screen} {self.sent} {time.monotonic() - started:.2f}s {self.recent[-batch:]}", flush=True)


async def settle(app: Any, timeout: float = 20.0) -> None:
    """Wait until the app has handled what was sent, then until the process goes idle.

    Not ``pilot.pause()``: that waits on every widget of the screen, and a widget removed
    meanwhile (the footer rebuilds its keys on every focus change) never answers, so it
    times out after 30 s although the app is fine. The app itself must answer.
    """
    done = asyncio.Event()
    if app.call_later(done.set):
        try:
            await asyncio.wait_for(done.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"the app did not answer within {timeout:g} s") from None
    # then the screen's own queue (it may be replaced meanwhile: a short, silent wait)
    done = asyncio.Event()
    if app.screen.call_later(done.set):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), 1.0)


def screens_of(app: Any, kind: type) -> list[Any]:
    return [s for stack in app._screen_stacks.values() for s in stack if isinstance(s, kind)]


async def stop_background_work(pilot: Any) -> None:
    """Stop any solve child or sweep the monkey started, and wait (bounded) until they are gone."""
    from dcplan.tui.screens.optimise import OptimiseScreen
    from dcplan.tui.screens.sweep import SweepScreen

    app = pilot.app
    for screen in screens_of(app, OptimiseScreen):
        if screen.solver is not None and screen.solver.alive:
            screen.solver.stop()
    for screen in screens_of(app, SweepScreen):
        if screen._sweeping:
            screen.stop()
            started = time.monotonic()
            while screen._sweeping and time.monotonic() - started < 60:
                await pilot.pause(0.2)


async def still_answers(pilot: Any) -> None:
    """After the monkey: close what is open, go to the catalog, filter it, and read the table."""
    app = pilot.app
    for _ in range(4):
        await pilot.press("escape")
    app.set_focus(None)
    await pilot.press("f2")
    await pilot.pause()
    assert app.current_mode == "catalog"
    app.screen.query_one("#catalog-kind", Select).value = "systems"
    app.screen.query_one("#catalog-filter", Input).value = "vera-rubin"
    await pilot.pause()
    table = app.screen.query_one("#catalog-table", DataTable)
    assert table.row_count == 1 and str(table.get_row_at(0)[0]) == "vera-rubin-nvl144"


@pytest.fixture
def monkey_files(tmp_path, monkeypatch, demo_plan_file) -> tuple[Path, Path]:
    """Copies of the demo scenario and plan in a scratch folder that is also the working folder.

    Whatever the monkey types into a save or export path lands here, never in the repository;
    the exporter refuses any path outside it.
    """
    import dcplan.planner.export
    from dcplan.models.errors import DcplanError
    from dcplan.planner.scenario import DEMO_SCENARIO

    scenario = tmp_path / "demo.toml"
    shutil.copy(DEMO_SCENARIO, scenario)
    plan = tmp_path / "demo-plan.json"
    shutil.copy(demo_plan_file, plan)
    monkeypatch.chdir(tmp_path)
    real_write = dcplan.planner.export.write_plan

    def write_inside(plan_: Any, path: Path, force: bool = False) -> list[Path]:
        if not Path(os.path.abspath(path)).is_relative_to(tmp_path):
            raise DcplanError(f"{path}: outside the test folder")
        return real_write(plan_, path, force=force)

    monkeypatch.setattr(dcplan.planner.export, "write_plan", write_inside)
    import dcplan.planner.roadmap_export

    real_roadmap_write = dcplan.planner.roadmap_export.write_roadmap_plan

    def write_roadmap_inside(plan_: Any, path: Path, force: bool = False, pretty: bool = False) -> list[Path]:
        if not Path(os.path.abspath(path)).is_relative_to(tmp_path):
            raise DcplanError(f"{path}: outside the test folder")
        return real_roadmap_write(plan_, path, force=force, pretty=pretty)

    monkeypatch.setattr(dcplan.planner.roadmap_export, "write_roadmap_plan", write_roadmap_inside)
    return scenario, plan


async def run_monkey(
    app_factory, files: tuple[Path, Path], seed: int, per_screen: int, screens: tuple[str, ...] = tuple(SCREENS)
) -> Monkey:
    scenario, plan = files
    app = app_factory(scenario=scenario, plan=plan)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        monkey = Monkey(app, seed)
        try:
            for screen in screens:
                await monkey.run_screen(pilot, screen, per_screen)
            await settle(app)
        except Exception as exc:  # reported with the seed, after the background work is stopped
            monkey.crashes.append(f"the monkey stopped: {exc}")
        finally:
            await stop_background_work(pilot)
            monkey.restore_exit()
        if not monkey.crashes:
            await still_answers(pilot)
    # exceptions while the app shuts down are recorded too; then Textual's handler is back
    monkey.restore_handler()
    assert app._exception is None and app.return_code in (None, 0)
    return monkey


def report(monkey: Monkey) -> str:
    return f"{len(monkey.crashes)} unhandled exception(s), seed {monkey.seed}:\n\n" + "\n\n".join(monkey.crashes[:5])


SEEDS = [int(os.environ["MONKEY_SEED"])] if os.environ.get("MONKEY_SEED") else [20261201]


def seed_or_count(value: int) -> str:
    """Test ids: a seed as ``seed-N``, an event count per screen as ``xN``."""
    return f"seed-{value}" if value > 100_000 else f"x{value}"


# events per screen: the default run's count, and the full count under -m slow (same seeds)
QUICK_PER_SCREEN, FULL_PER_SCREEN = 250, 650


@pytest.mark.parametrize(
    ("seed", "per_screen"),
    [(seed, QUICK_PER_SCREEN) for seed in SEEDS]
    + [pytest.param(seed, FULL_PER_SCREEN, marks=pytest.mark.slow) for seed in SEEDS],
    ids=seed_or_count,
)
async def test_monkey_every_screen(app_factory, monkey_files, seed, per_screen):
    """Random events on each of the eight screens (2,000 in the default run, 5,200 under
    ``-m slow`` from the same seed); zero unhandled exceptions; the app still answers."""
    monkey = await run_monkey(app_factory, monkey_files, seed, per_screen=per_screen)
    assert not monkey.crashes, report(monkey)
    assert monkey.sent >= len(SCREENS) * per_screen


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12, 13], ids=lambda s: f"seed-{s}")
async def test_monkey_every_screen_long(app_factory, monkey_files, seed):
    """Many more events per seed (20,000 each)."""
    monkey = await run_monkey(app_factory, monkey_files, seed, per_screen=2500)
    assert not monkey.crashes, report(monkey)
    assert monkey.sent >= 20000


@pytest.fixture
def workload_files(monkey_files) -> tuple[Path, Path]:
    """The monkey's scratch folder with a delivered-form scenario and a plan with per-workload results."""
    from dcplan.planner.export import write_plan
    from tests.planner.workload_plans import hand_plan
    from tests.tui.delivered_scenario import write_delivered_scenario

    scenario, plan = monkey_files
    write_delivered_scenario(scenario)
    plan.unlink()
    write_plan(hand_plan(), plan)
    return scenario, plan


@pytest.mark.parametrize(
    ("seed", "per_screen"),
    [
        (20261202, 200),
        pytest.param(20261202, 500, marks=pytest.mark.slow),
        pytest.param(20261203, 4000, marks=pytest.mark.slow),
    ],
    ids=seed_or_count,
)
async def test_monkey_delivered_workloads_editor_and_plan(app_factory, workload_files, seed, per_screen):
    """The editor on workloads of the delivered form (class, precisions, budgets, rates) and the
    plan screen with a Workloads tab: 600 random events in the default run (1,500 from the same
    seed and 12,000 from another under ``-m slow``), zero unhandled exceptions."""
    monkey = await run_monkey(
        app_factory, workload_files, seed, per_screen=per_screen, screens=("scenario", "plan", "scenario")
    )
    assert not monkey.crashes, report(monkey)
    assert monkey.sent >= 3 * per_screen


@pytest.fixture
def roadmap_files(monkey_files) -> tuple[Path, Path]:
    """The monkey's scratch folder with the small roadmap scenario and a two-period roadmap plan."""
    from dcplan.planner.roadmap_export import write_roadmap_plan
    from tests.tui.test_export_roadmap import golden_roadmap

    scenario, plan = monkey_files
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "roadmap" / "small.toml", scenario)
    plan.unlink()
    write_roadmap_plan(golden_roadmap(), plan)
    return scenario, plan


@pytest.mark.parametrize(
    ("seed", "per_screen"),
    # both under -m slow: 400 events took 48 s at load 5 (where the time goes is not profiled
    # yet), too much for the default run's budget; the default run drives these screens in
    # test_editor_roadmap, test_export_roadmap and test_timeline
    [
        pytest.param(20261214, 100, marks=pytest.mark.slow),
        pytest.param(20261215, 3000, marks=pytest.mark.slow),
    ],
    ids=seed_or_count,
)
async def test_monkey_roadmap_editor_timeline_plan_and_export(app_factory, roadmap_files, seed, per_screen):
    """A roadmap scenario and plan (issue 14): the editor (its [roadmap] node too), the
    timeline, the plan of a period and the roadmap export: 400 and 12,000 random events
    (both ``-m slow``), zero unhandled exceptions."""
    monkey = await run_monkey(
        app_factory, roadmap_files, seed, per_screen=per_screen, screens=("scenario", "timeline", "plan", "export")
    )
    assert not monkey.crashes, report(monkey)
    assert monkey.sent >= 4 * per_screen
