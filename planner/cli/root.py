"""The typer application of `dcplan`: the root options and every ``*_cmd.py`` command.

Imported by ``planner.cli.main`` inside its error guard, so even a Ctrl-C while this
module and typer are being imported ends as "dcplan: interrupted". Heavy imports (pyomo,
textual, matplotlib) happen inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dcplan.planner.cli.common import State

app = typer.Typer(
    name="dcplan",
    help="Plan AI datacenter power, cooling, space and money: Trainium UltraServers and GPU racks.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    catalog: Annotated[
        list[Path] | None,
        typer.Option(
            "--catalog", "-c", help="Extra catalog folder over the built-ins (repeatable; also $DCPLAN_CATALOG)."
        ),
    ] = None,
) -> None:
    """dcplan: size racks, solve layouts and export capacity plans."""
    State.catalog_dirs = list(catalog or [])
    if ctx.invoked_subcommand is None:
        from dcplan.planner.cli.tui_cmd import open_tui

        open_tui(None, None, [])


def _register() -> None:
    """Each ``planner/cli/*_cmd.py`` module adds its commands through ``register(app)``."""
    import importlib
    import pkgutil

    package = importlib.import_module("dcplan.planner.cli")  # the package folder, for its *_cmd modules
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.endswith("_cmd"):
            importlib.import_module(f"dcplan.planner.cli.{info.name}").register(app)


_register()
