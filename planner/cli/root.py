"""The typer application of `dcplan`: the root options and every ``*_cmd.py`` command.

Imported by ``planner.cli.main`` inside its error guard, so even a Ctrl-C while this
module and typer are being imported ends as "dcplan: interrupted". Heavy imports (pyomo,
textual, matplotlib) happen inside the commands.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

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

#: the root options that take a value (``dcplan --catalog DIR size ...``)
ROOT_VALUE_OPTIONS = ("--catalog", "-c")


def invoked_name(args: Sequence[str]) -> str | None:
    """The sub-command named on the command line after the root's options, or None when the
    root itself answers: no command, ``--help`` or any other option before the command."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ROOT_VALUE_OPTIONS:
            i += 2
        elif arg.startswith("--catalog=") or (arg.startswith("-c") and not arg.startswith("--")):
            i += 1  # the value attached: --catalog=DIR, -cDIR
        elif arg.startswith("-"):
            return None
        else:
            return arg
    return None


def click_command(args: Sequence[str]) -> Any:
    """The click command that runs ``args``, with only the invoked sub-command built.

    typer builds a command's click parameters from its signature (type hints, help, a
    coercion per option) when the command tree is made: ~25 ms for all of dcplan's commands,
    a tenth of `dcplan size`. The root's options and callback are the same either way; the
    whole tree is built when the root answers (``dcplan --help`` lists every command) or the
    name is not a command (typer's "No such command" and its suggestion).
    """
    import typer.main

    name = invoked_name(args)
    # every *_cmd module registers its commands by name; one without a name is never matched
    # here, so it is still reached through the whole tree
    commands = [c for c in app.registered_commands if c.name == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if name is None or not (commands or groups):
        return typer.main.get_command(app)
    view = copy.copy(app)
    view.registered_commands, view.registered_groups = commands, groups
    return typer.main.get_command(view)
