"""`dcplan tui [SCENARIO.toml]` (and `dcplan` with no arguments): open the terminal UI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.cli.common import CatalogOption, State, UserError


def tui(
    scenario: Annotated[
        Path | None, typer.Argument(metavar="[SCENARIO.toml]", help="scenario to open (default: the demo)")
    ] = None,
    plan: Annotated[Path | None, typer.Option("--plan", help="open a saved plan (JSON) on the Plan screen")] = None,
    catalog: CatalogOption = None,
) -> None:
    """Open the terminal UI on a scenario (the built-in demo if none is given)."""
    open_tui(scenario, plan, list(catalog or []))


def open_tui(scenario: Path | None, plan: Path | None, catalog_dirs: list[Path]) -> None:
    """Start the app; the textual import happens only here (planner never imports tui at import time)."""
    import importlib
    import tomllib

    from planner.plan import PlanFileError
    from planner.scenario import DEMO_SCENARIO

    path = scenario or DEMO_SCENARIO
    if not path.is_file():
        raise UserError(f"{path}: scenario file does not exist")
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: malformed TOML: {exc}") from None
    make_app = importlib.import_module("tui.app").make_app
    try:
        app = make_app(scenario=path, catalog_dirs=[*State.catalog_dirs, *catalog_dirs], plan=plan)
    except PlanFileError as exc:
        raise UserError(str(exc)) from None
    app.run()


def register(root: typer.Typer) -> None:
    """Add `dcplan tui`."""
    root.command("tui")(tui)
