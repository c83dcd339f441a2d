"""`dcplan tui [SCENARIO.toml]` (and `dcplan` with no arguments): open the terminal UI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dcplan.planner.cli.common import CatalogOption, State, resume_gc


def tui(
    scenario: Annotated[
        Path | None,
        typer.Argument(metavar="[SCENARIO.toml]", help="scenario to open (default: the demo roadmap 2026-2030)"),
    ] = None,
    plan: Annotated[Path | None, typer.Option("--plan", help="open a saved plan (JSON) on the Plan screen")] = None,
    catalog: CatalogOption = None,
) -> None:
    """Open the terminal UI on a scenario (the built-in demo roadmap, aws-roadmap-2026-2030.toml, if none is given)."""
    open_tui(scenario, plan, list(catalog or []))


def open_tui(scenario: Path | None, plan: Path | None, catalog_dirs: list[Path]) -> None:
    """Start the app; the textual import happens only here (planner never imports tui at import time)."""
    import importlib
    import tomllib

    from dcplan.models.catalog.loader import display_path
    from dcplan.models.files import read_text
    from dcplan.planner.plan import load_plan
    from dcplan.planner.scenario import DEMO_ROADMAP, ScenarioError

    path = scenario or DEMO_ROADMAP  # issue 14: the README's demo is the 2026-2030 roadmap
    # Check the files here, where a problem is one line, before the UI takes the terminal
    # (both read through models.files: a FIFO or a binary file is refused, never waited on).
    # The scenario need only be TOML: the editor is where an invalid one gets fixed.
    where = display_path(path)
    text = read_text(path, "scenario file")
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{where}: malformed TOML: {exc}", file=where) from None
    except RecursionError:
        raise ScenarioError(f"{where}: nested too deeply to read", file=where) from None
    if plan is not None:
        load_plan(plan)
    make_app = importlib.import_module("dcplan.tui.app").make_app
    resume_gc()  # the UI runs until the user quits; textual and the app's modules are loaded
    app = make_app(scenario=path, catalog_dirs=[*State.catalog_dirs, *catalog_dirs], plan=plan)
    app.run()


def register(root: typer.Typer) -> None:
    """Add `dcplan tui`."""
    root.command("tui")(tui)
