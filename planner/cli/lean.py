"""A lean dispatch for `dcplan size`: its command line read without typer.

typer's import and command build (flag types from the signature, the click parameter per
option, click's parser) were ~60-80 ms of `dcplan size`'s ~0.7 s. This reads the plain forms a
user and a script type: the root's ``--catalog DIR`` (or ``-c DIR``, ``--catalog=DIR``) before
``size``, then size's own flags as ``--flag VALUE``, ``--flag=VALUE``, ``-s VALUE`` or a
switch (``--json``), and calls ``size_run.run_size`` with what click would have passed
(the last of a repeated flag, each ``--catalog`` folder in order, the rest the defaults).

Anything else goes to typer as before, so help, usage errors and their wording stay
typer's own: ``--help``, an unknown or misspelt flag, a flag without its value, a value that
is empty or starts with ``-``, ``--json=...``, ``-sVALUE``, ``--``, a word that is no flag, a
missing ``--system``. tests/planner/test_cli_lean.py holds the flag table to the click
command typer builds and runs every command line both ways, comparing the output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

VALUE, SWITCH, FOLDERS = "value", "switch", "folders"

#: the root's options: flag -> (its parameter, what it takes)
ROOT_FLAGS: dict[str, tuple[str, str]] = {"--catalog": ("catalog", FOLDERS), "-c": ("catalog", FOLDERS)}

#: `dcplan size`'s flags (planner/cli/size_cmd.py): flag -> (run_size's parameter, what it takes)
SIZE_FLAGS: dict[str, tuple[str, str]] = {
    "--system": ("system", VALUE),
    "-s": ("system", VALUE),
    "--count": ("count", VALUE),
    "-n": ("count", VALUE),
    "--power": ("power", VALUE),
    "--racks": ("racks", VALUE),
    "--cooling": ("cooling", VALUE),
    "--site": ("site", VALUE),
    "--utilisation": ("utilisation", VALUE),
    "-u": ("utilisation", VALUE),
    "--redundancy": ("redundancy", VALUE),
    "--power-chain": ("power_chain", VALUE),
    "--plant": ("plant", VALUE),
    "--supply-temp": ("supply_temp", VALUE),
    "--chilled-water-temp": ("chilled_water_temp", VALUE),
    "--air-dt": ("air_dt", VALUE),
    "--liquid-dt": ("liquid_dt", VALUE),
    "--fluid": ("fluid", VALUE),
    "--slab": ("slab", VALUE),
    "--racks-per-row": ("racks_per_row", VALUE),
    "--basis": ("basis", VALUE),
    "--ups-basis": ("ups_basis", VALUE),
    "--chiller-efficiency": ("chiller_efficiency", VALUE),
    "--pue": ("pue", VALUE),
    "--wue": ("wue", VALUE),
    "--swing-band": ("swing_band", VALUE),
    "--ramp-limit": ("ramp_limit", VALUE),
    "--json": ("as_json", SWITCH),
    "--pretty": ("pretty", SWITCH),
    "--catalog": ("catalog", FOLDERS),
    "-c": ("catalog", FOLDERS),
}

#: size's parameters without a default (typer: "Missing option '--system'")
SIZE_REQUIRED = ("system",)


def read_flags(words: Sequence[str], flags: dict[str, tuple[str, str]]) -> dict[str, Any] | None:
    """The parameters ``words`` give, as click passes them, or None for a form left to typer."""
    given: dict[str, Any] = {}
    i = 0
    while i < len(words):
        name, equals, attached = words[i].partition("=") if words[i].startswith("--") else (words[i], "", "")
        if name not in flags:
            return None
        param, takes = flags[name]
        if takes == SWITCH:
            if equals:
                return None
            given[param], i = True, i + 1
            continue
        if equals:
            value, i = attached, i + 1
        elif i + 1 < len(words):
            value, i = words[i + 1], i + 2
        else:
            return None
        if not value or value.startswith("-"):
            return None
        if takes == FOLDERS:
            given.setdefault(param, []).append(Path(value))
        else:
            given[param] = value
    return given


def lean_command(args: Sequence[str]) -> Callable[[], None] | None:
    """`dcplan size ...` ready to run without typer, or None when typer is to run ``args``."""
    if "size" not in args:
        return None
    at = list(args).index("size")
    root = read_flags(args[:at], ROOT_FLAGS)
    options = read_flags(args[at + 1 :], SIZE_FLAGS)
    if root is None or options is None or any(name not in options for name in SIZE_REQUIRED):
        return None
    catalog_dirs: list[Path] = root.get("catalog", [])

    def run() -> None:
        from dcplan.planner.cli.core import State
        from dcplan.planner.cli.size_run import run_size

        State.catalog_dirs = list(catalog_dirs)  # as the root's callback sets them
        run_size(**options)

    return run
