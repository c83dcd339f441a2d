"""The CLI's plumbing that needs no typer: exit codes, user errors, flag parsing, the
root's options, catalog loading and JSON output.

``planner.cli.lean`` runs ``dcplan size`` on these alone (typer's import and command build
are ~10-15 % of that command); ``planner.cli.common`` re-exports them beside typer's option
types for the ``*_cmd`` modules.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from dcplan.models.errors import DcplanError

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAILED",
    "EXIT_FEASIBLE_GAP",
    "EXIT_INFEASIBLE",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_NO_PLAN",
    "EXIT_OK",
    "EXIT_TIME_LIMIT",
    "State",
    "UserError",
    "load_catalog_for_cli",
    "parse_share",
    "parse_whole",
    "print_json",
    "resume_gc",
]

# One exit code per outcome (README "Exit codes"); never reuse one for another meaning.
EXIT_OK = 0  # optimal (within the requested gap), or a command that simply succeeded
EXIT_FAILED = 1  # the command ran but part of it failed (e.g. sweep samples that failed twice)
EXIT_BAD_INPUT = 2  # a mistake in what the user gave: one line naming file, entry, field, expectation
EXIT_FEASIBLE_GAP = 3  # a checked plan, stopped early (time limit or user cancel) with a gap above the target
EXIT_TIME_LIMIT = EXIT_FEASIBLE_GAP  # older name
EXIT_INFEASIBLE = 4  # proven infeasible; the elastic diagnosis is printed
EXIT_NO_PLAN = 5  # the time limit passed before any plan was found: unknown, not infeasible
EXIT_INTERNAL = 70  # a bug in dcplan (unexpected exception, or a plan that fails its own re-check)
EXIT_INTERRUPTED = 130  # Ctrl-C / SIGINT: nothing written


class UserError(DcplanError):
    """A mistake in what the user gave us, found by the CLI itself (a flag it parses).

    A thin ``DcplanError`` kept under its old name; printed as one line per message, exit 2
    unless ``exit_code`` says otherwise.
    """

    def __init__(
        self,
        *lines: str,
        exit_code: int = EXIT_BAD_INPUT,
        file: str | None = None,
        entry: str | None = None,
        field: str | None = None,
        expected: str | None = None,
        got: str | None = None,
    ):
        super().__init__(*lines, file=file, entry=entry, field=field, expected=expected, got=got, exit_code=exit_code)


def parse_whole(flag: str, text: str | None, noun: str, bound: int) -> int | None:
    """A whole positive number from a flag: ``"50"``, ``"1,000"`` or ``"2e3"``; one line otherwise.

    ``"2.5"`` -> "--count: expected a whole number of units, got '2.5'"; above ``bound`` ->
    "--count: expected at most 1,000,000 units (dcplan's bound), got '1e12'".
    """
    if text is None:
        return None
    cleaned = text.strip().replace(",", "").replace("_", "")
    try:
        value = float(cleaned)
    except ValueError:
        value = math.nan
    shown = text if len(text) <= 40 else text[:40] + "..."
    if not math.isfinite(value) or value != int(value):
        raise UserError(
            f"{flag}: expected a whole number of {noun}, got {shown!r}",
            field=flag,
            expected=f"a whole number of {noun}",
            got=shown,
        )
    if value <= 0:
        raise UserError(
            f"{flag}: expected a positive number of {noun}, got {shown!r}",
            field=flag,
            expected=f"a positive number of {noun}",
            got=shown,
        )
    if value > bound:
        raise UserError(
            f"{flag}: expected at most {bound:,} {noun} (dcplan's bound), got {shown!r}",
            field=flag,
            expected=f"at most {bound:,} {noun}",
            got=shown,
        )
    return int(value)


def parse_share(flag: str, text: str) -> float:
    """A ratio within [0, 1] from a flag: ``"0.8"`` or ``"80%"``; one line otherwise."""
    from dcplan.models.units import UnitInputError, parse_ratio

    try:
        value = parse_ratio(text.strip())
    except UnitInputError:
        value = math.nan
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise UserError(
            f"{flag}: expected a ratio within [0, 1], got {shown} (write e.g. 0.8 or 80%)",
            field=flag,
            expected="a ratio within [0, 1]",
            got=shown,
        )
    return value


class State:
    """Options given before the sub-command (``dcplan --catalog DIR ...``)."""

    catalog_dirs: list[Path] = []


def load_catalog_for_cli(extra: list[Path] | None = None, *, lazy: bool = False) -> Any:
    """Load the merged catalog with the root and per-command ``--catalog`` folders (``lazy``:
    entries validated when first read, for commands that read a few; see ``load_catalog``)."""
    from dcplan.models.catalog import load_catalog

    return load_catalog([*State.catalog_dirs, *(extra or [])], lazy=lazy)


def print_json(data: Any, pretty: bool = False) -> None:
    """Write ``data`` as JSON to stdout: compact (one line, C encoder) unless ``pretty`` (indented)."""
    if pretty:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str, separators=(",", ":")))
    sys.stdout.write("\n")


def resume_gc() -> None:
    """The cyclic garbage collector back on, for a command's long-running part (a solve, a
    sweep, the UI), if the console script paused it at start-up (``planner.cli.run``).

    ``gc.freeze`` first moves every object made so far (modules, classes, the unit registry,
    the catalog: all kept to the end) out of the collector's view, so a later collection
    scans only what the command makes from here on. A no-op when the collector is on
    (``main`` called from other code, the tests).
    """
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()
