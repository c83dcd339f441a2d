"""The lean dispatch of `dcplan size` (planner/cli/lean.py) against typer's.

The lean reader must hand ``run_size`` exactly what typer hands it for every command line
it takes, and leave every other command line to typer; output, errors and exit codes of a
command line are the same either way. typer's side is always the command typer builds from
planner/cli/size_cmd.py, so a flag added there and not to the lean table fails here.
"""

from __future__ import annotations

import inspect
import json
import random
from pathlib import Path

import pytest

from dcplan.planner.cli import lean, main, size_cmd, size_run
from dcplan.planner.cli.core import State
from dcplan.planner.cli.lean import FOLDERS, ROOT_FLAGS, SIZE_FLAGS, SIZE_REQUIRED, SWITCH, VALUE, lean_command
from tests.conftest import user_system_toml

SYSTEM = "trn3-ultraserver-gen2"


def _click_size():
    from dcplan.planner.cli.root import click_command

    return click_command(["size"])


def _table_of(params) -> dict[str, tuple[str, str]]:
    """flag -> (parameter, what it takes), read off click parameters as typer built them."""
    table = {}
    for param in params:
        if param.name == "help":
            continue
        takes = SWITCH if param.is_flag else FOLDERS if param.multiple else VALUE
        for flag in [*param.opts, *param.secondary_opts]:
            table[flag] = (param.name, takes)
    return table


def test_the_flag_tables_are_the_ones_typer_builds():
    root = _click_size()
    size = root.commands["size"]
    assert _table_of(size.params) == SIZE_FLAGS
    assert _table_of(root.params) == ROOT_FLAGS
    assert tuple(p.name for p in size.params if p.required) == SIZE_REQUIRED


def test_run_size_takes_the_parameters_and_defaults_of_the_typer_command():
    typer_side = inspect.signature(size_cmd.size).parameters
    lean_side = inspect.signature(size_run.run_size).parameters
    assert list(typer_side) == list(lean_side)
    assert {n: p.default for n, p in typer_side.items()} == {n: p.default for n, p in lean_side.items()}


def _capture(monkeypatch, args: list[str], *, lean_on: bool) -> tuple[int, dict | None]:
    """(exit code, run_size's arguments with the defaults filled in, and the root's folders)."""
    seen: list[dict] = []
    defaults = {n: p.default for n, p in inspect.signature(size_run.run_size).parameters.items()}

    def record(**given):
        seen.append({**defaults, **given, "root_catalog_dirs": list(State.catalog_dirs)})

    monkeypatch.setattr(size_run, "run_size", record)
    monkeypatch.setattr(size_cmd, "run_size", record)
    if not lean_on:
        monkeypatch.setattr(lean, "lean_command", lambda args: None)
    State.catalog_dirs = [Path("stale")]
    code = main(list(args))
    monkeypatch.undo()
    return code, (seen[0] if seen else None)


TAKEN = [
    ["size", "--system", SYSTEM, "--count", "50"],
    ["size", "-s", SYSTEM, "-n", "50", "--json"],
    ["size", f"--system={SYSTEM}", "--count=50", "--pretty", "--json"],
    ["size", "--count", "4", "--system", "other", "--system", SYSTEM],  # the last of a repeated flag
    ["--catalog", "one", "-c", "two", "--catalog=three", "size", "--system", SYSTEM, "-c", "four", "--catalog=five"],
    ["size", "--system", SYSTEM, "--power", "5 MW", "--site", "x", "--utilisation", "80%", "--basis", "typical"],
    ["size", "-s", SYSTEM, "--racks", "10", "--cooling", "c", "--redundancy", "2(N+1)", "--power-chain", "p"],
    ["size", "-s", SYSTEM, "-n", "1", "--plant", "p", "--supply-temp", "35degC", "--chilled-water-temp", "18degC"],
    ["size", "-s", SYSTEM, "-n", "1", "--air-dt", "12K", "--liquid-dt=10K", "--fluid", "pg25", "--slab", "15kN/m**2"],
    ["size", "-s", SYSTEM, "-n", "1", "--racks-per-row", "20", "-u", "0.5", "--json", "--json"],
    ["size", "--system", "size", "--count", "1"],  # "size" as a value
]

LEFT_TO_TYPER = [
    ["size", "--help"],
    ["--help", "size"],
    ["size"],  # --system missing
    ["size", "--count", "4"],
    ["size", "--system"],  # no value
    ["size", "--system", SYSTEM, "--count"],
    ["size", "--system", SYSTEM, "--count", "-5"],  # click takes it as the value; typer says so
    ["size", "--system", "", "--count", "5"],
    ["size", "--system=", "--count", "5"],
    ["size", f"-s{SYSTEM}", "-n", "5"],
    ["size", "-s=x", "-n", "5"],
    ["size", "--system", SYSTEM, "--count", "5", "--json=yes"],
    ["size", "--system", SYSTEM, "--cuont", "5"],  # misspelt: typer's "No such option" and its suggestion
    ["size", "--system", SYSTEM, "--count", "5", "extra"],
    ["size", "--", "--system", SYSTEM],
    ["-cdir", "size", "--system", SYSTEM, "-n", "5"],
    ["--catalog", "size", "--system", SYSTEM, "-n", "5"],
    ["--verbose", "size", "--system", SYSTEM, "-n", "5"],
    ["catalog", "list"],
    ["solve", "size"],
    [],
]


@pytest.mark.parametrize("args", TAKEN)
def test_the_lean_reader_passes_what_typer_passes(monkeypatch, args):
    assert lean_command(args) is not None, "the lean dispatch should take this command line"
    assert _capture(monkeypatch, args, lean_on=True) == _capture(monkeypatch, args, lean_on=False)


@pytest.mark.parametrize("args", LEFT_TO_TYPER)
def test_other_command_lines_are_left_to_typer(args):
    assert lean_command(args) is None


def _random_command_line(rng: random.Random) -> list[str]:
    """Root folders, then size's flags in random order and forms, now and then a broken one."""
    words: list[str] = []
    for _ in range(rng.randrange(3)):
        words += rng.choice([["--catalog", "d1"], ["-c", "d2"], ["--catalog=d3"], ["--catalog", "d1"], ["-cd4"]])
    words.append("size")
    flags = list(SIZE_FLAGS)
    for _ in range(rng.randrange(1, 9)):
        flag = rng.choice(flags)
        _, takes = SIZE_FLAGS[flag]
        plain, broken = ["50", "5 MW", "x=y", "ashburn-va", "size", "80%", "2(N+1)"], ["", "-1", "--json"]
        value = rng.choice(plain) if rng.random() < 0.95 else rng.choice(broken)
        if takes == SWITCH:
            words += [flag] if rng.random() < 0.95 else [f"{flag}=1"]
        elif flag.startswith("--") and rng.random() < 0.3:
            words.append(f"{flag}={value}")
        else:
            words += [flag, value] if rng.random() < 0.95 else [flag]
    if rng.random() < 0.8:
        words += rng.choice([["--system", SYSTEM], ["-s", "other"], [f"--system={SYSTEM}"]])
    if rng.random() < 0.05:
        words.insert(rng.randrange(len(words) + 1), rng.choice(["--help", "--", "stray", "--nope"]))
    return words


def test_random_command_lines_reach_run_size_the_same_way(monkeypatch):
    """Seeded random command lines: whenever the lean reader takes one, typer (given the same
    line) calls run_size with the same arguments and ends with the same exit code."""
    rng = random.Random(1214)
    taken = 0
    for _ in range(300):
        args = _random_command_line(rng)
        if lean_command(args) is None:
            continue
        taken += 1
        assert _capture(monkeypatch, args, lean_on=True) == _capture(monkeypatch, args, lean_on=False), args
    assert taken > 100  # most generated lines are plain forms the lean reader takes


def _run(capsys, monkeypatch, args: list[str], *, lean_on: bool) -> tuple[int, str, str]:
    if not lean_on:
        monkeypatch.setattr(lean, "lean_command", lambda args: None)
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    monkeypatch.undo()
    return code, out, err


def _same_both_ways(capsys, monkeypatch, args: list[str]) -> tuple[int, str, str]:
    lean_side = _run(capsys, monkeypatch, args, lean_on=True)
    assert lean_side == _run(capsys, monkeypatch, args, lean_on=False), args
    return lean_side


@pytest.mark.parametrize(
    "args",
    [
        ["size", "--system", SYSTEM, "--count", "50"],
        ["size", "--system", SYSTEM, "--power", "5 MW", "--json"],
        ["size", "-s", SYSTEM, "--racks", "12", "--json", "--pretty", "--redundancy", "2N"],
        ["size", "-s", SYSTEM, "-n", "4", "--supply-temp", "35degC", "--slab", "15kN/m**2", "--basis", "nameplate"],
    ],
)
def test_a_sizing_prints_the_same_both_ways(capsys, monkeypatch, args):
    code, out, err = _same_both_ways(capsys, monkeypatch, args)
    assert code == 0 and out and not err
    if "--json" in args:
        assert json.loads(out)["system"] == SYSTEM


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["size", "--system", "trn9", "--count", "5"], "unknown system id"),
        (["size", "--system", "trn9", "--count", "5", "--json"], '"exit_code": 2'),
        (["size", "--system", SYSTEM, "--count", "2.5"], "whole number"),
        (["size", "--system", SYSTEM, "--count", "2", "--power", "5MW"], "exactly one"),
        (["size", "--system", SYSTEM, "--power", "5 parsecs", "--json"], "--power"),
        (["size", "--system", SYSTEM, "-n", "5", "--site", "atlantis"], "unknown site id"),
        (["size", "--system", SYSTEM, "-n", "5", "-u", "150%"], "ratio within [0, 1]"),
        (["size", "--system", SYSTEM, "-n", "5", "--redundancy", "3N"], "--redundancy"),
        (["size", "--system", SYSTEM, "-n", "5", "--supply-temp", "hot"], "--supply-temp"),
        (["--catalog", "/nonexistent/folder", "size", "--system", SYSTEM, "-n", "5"], "/nonexistent/folder"),
        (["size", "--system", SYSTEM, "-n", "5", "--catalog", "/nonexistent/folder", "--json"], "nonexistent"),
    ],
)
def test_an_error_is_the_same_line_both_ways(capsys, monkeypatch, args, words):
    assert lean_command(args) is not None
    code, out, err = _same_both_ways(capsys, monkeypatch, args)
    assert code == 2 and not out and words in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_user_catalog_before_and_after_size_is_read_both_ways(capsys, monkeypatch, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "mine.toml").write_text(user_system_toml(id="lean-test"))
    (second / "mine.toml").write_text(user_system_toml(id="lean-test-2"))
    for name in ("lean-test", "lean-test-2"):
        args = ["--catalog", str(first), "size", "--system", name, "-n", "3", "--json", f"--catalog={second}"]
        code, out, _ = _same_both_ways(capsys, monkeypatch, args)
        assert code == 0 and json.loads(out)["system"] == name


@pytest.mark.parametrize("args", [a for a in LEFT_TO_TYPER if a and a[0] in ("size", "--help")])
def test_command_lines_left_to_typer_answer_as_typer_does(capsys, monkeypatch, args):
    """Help and usage errors come from typer: the same text whether or not the lean reader
    is there, and a usage error is one line naming the command's help."""
    code, out, err = _same_both_ways(capsys, monkeypatch, args)
    if "--help" in args:
        assert code == 0 and "Usage: dcplan" in out
    elif code == 2 and not out:
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
