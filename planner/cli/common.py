"""Shared CLI plumbing: console output, user errors, catalog loading, exit codes.

The parts that need no typer live in ``planner.cli.core`` (re-exported here); this module
adds typer's option types the ``*_cmd`` modules share.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dcplan.planner.cli import core
from dcplan.planner.cli.core import *  # noqa: F403 (the names of core.__all__, as before the split)

__all__ = [*core.__all__, "CatalogOption", "JsonOption", "PrettyOption", "console"]

CatalogOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--catalog",
        "-c",
        help="Extra catalog folder layered over the built-ins (repeatable; also $DCPLAN_CATALOG).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
#: --json answers, and the plan .json files solve and export write, are compact unless --pretty
PrettyOption = Annotated[bool, typer.Option("--pretty", help="Indented JSON (default: compact, one line).")]


def console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)
