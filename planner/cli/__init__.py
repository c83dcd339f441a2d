"""The `dcplan` command line: catalog browsing, sizing, solving, exporting, sweeps and the UI.

Every command reports user mistakes as one line on stderr with exit code 2 and no
traceback. Heavy imports (pyomo, textual, matplotlib) happen inside the commands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from planner.cli.common import EXIT_BAD_INPUT, EXIT_INTERNAL, State, UserError

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
        from planner.cli.tui_cmd import open_tui

        open_tui(None, None, [])


def _register() -> None:
    """Each ``planner/cli/*_cmd.py`` module adds its commands through ``register(app)``."""
    import importlib
    import pkgutil

    package = importlib.import_module("planner.cli")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.endswith("_cmd"):
            importlib.import_module(f"planner.cli.{info.name}").register(app)


_register()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app and turn user errors into one-line messages."""
    from models.catalog import CatalogError, UnknownIdError
    from models.sizing import SizingError
    from models.units import UnitInputError

    args = sys.argv[1:] if argv is None else argv
    try:
        # standalone mode: typer/click print usage errors themselves and exit with 2
        app(args=args, prog_name="dcplan", standalone_mode=True)
    except SystemExit as exc:
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else EXIT_INTERNAL
    except CatalogError as exc:
        for line in exc.lines:
            sys.stderr.write(f"dcplan: error: {line}\n")
        return EXIT_BAD_INPUT
    except UserError as exc:
        for line in exc.lines:
            sys.stderr.write(f"dcplan: error: {line}\n")
        return exc.exit_code
    except (UnknownIdError, UnitInputError, SizingError) as exc:
        sys.stderr.write(f"dcplan: error: {exc}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("dcplan: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_INTERNAL
    return 0


def run() -> None:
    """Console-script wrapper."""
    sys.exit(main())
