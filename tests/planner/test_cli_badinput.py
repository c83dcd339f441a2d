"""Bad input over the whole CLI: one line (or one JSON object under --json), the right exit
code, no traceback, never a hang, and never the internal-error guard.

Issue 10 defects covered here: 10 (tracebacks), 11 (hangs and unbounded sizes), 12 (values
accepted that should not be), 13 (usage blocks, dimension jargon, broken f-strings), 14
(--json errors), 25(c) (unknown ids name file, table and field), 21 (Ctrl-C at start-up
and during a solve), plus the bad-input cases of the older tests, in one table.

Most cases run ``planner.cli.main`` in process (fast); a few run the real ``dcplan`` console
script for start-up, Ctrl-C and ``--json``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from dcplan.planner.cli import EXIT_INTERNAL, main
from dcplan.planner.scenario import DEMO_SCENARIO, scenario_to_toml
from tests.conftest import user_system_toml

REPO = Path(__file__).resolve().parents[2]
DCPLAN = Path(sys.executable).with_name("dcplan")
TRN3 = "trn3-ultraserver-gen2"
HANG_GUARD_S = 20  # an in-process case that takes longer than this is a hang


class Hang(BaseException):
    """Raised by the alarm: a BaseException, so the CLI's own guard cannot swallow it."""


def _on_alarm(signum, frame):
    raise Hang(f"no answer within {HANG_GUARD_S} s")


def run(capsys, args: list[str]) -> tuple[int, str, str]:
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(HANG_GUARD_S)
    try:
        code = main([str(a) for a in args])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error(code: int, err: str, expected_code: int, expected: str) -> str:
    """Exactly one ``dcplan: error:`` line, the exit code, no traceback, not the guard."""
    assert code != EXIT_INTERNAL and "internal error" not in err, err
    assert "Traceback" not in err, err
    assert code == expected_code, (code, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("dcplan: error: "), err
    assert expected in lines[0], (expected, lines[0])
    return lines[0]


def assert_one_json_error(code: int, out: str, err: str, expected_code: int, expected: str) -> dict:
    """Exactly one JSON object on stderr naming the error; nothing on stdout."""
    assert code != EXIT_INTERNAL and "internal error" not in err, err
    assert "Traceback" not in err, err
    assert code == expected_code, (code, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    record = json.loads(lines[0])
    assert {"error", "file", "entry", "field", "expected", "exit_code"} <= set(record)
    assert record["exit_code"] == code
    assert expected in record["error"], record
    return record


# --- input files --------------------------------------------------------------------------

DEMO_TEXT = DEMO_SCENARIO.read_text()


def _demo_with(old: str, new: str) -> str:
    assert old in DEMO_TEXT, old
    return DEMO_TEXT.replace(old, new, 1)


def _halls(n: int) -> str:
    """The demo with ``n`` extra halls (each valid on its own)."""
    extra = "".join(
        f'\n[[hall]]\nid = "x{i}"\nsite = "ashburn-va"\nit_power_cap = "1 MW"\n'
        f'liquid_plant_capacity = "1 MW"\nair_plant_capacity = "1 MW"\nslab_rating = "25 kN/m**2"\n'
        for i in range(n)
    )
    return DEMO_TEXT + extra


def _catalog_dir(root: Path, name: str, files: dict[str, bytes | str]) -> Path:
    folder = root / name
    folder.mkdir()
    for file_name, content in files.items():
        path = folder / file_name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return folder


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("badinput")
    out: dict[str, Path] = {}

    def scenario(name: str, text: str | bytes) -> None:
        path = root / f"{name}.toml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        out[name] = path

    scenario("utf8", DEMO_TEXT.encode() + b"\n# \xff\xfe broken\n")
    scenario("binary", bytes(range(256)) * 4)
    scenario("nested", "[scenario]\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    scenario("row_count", _demo_with("count = 16", "count = 1000000000000"))
    scenario("halls", _halls(10_000))
    scenario("long_id", _demo_with('id = "hall-a"', f'id = "{"h" * 10_000}"'))
    scenario("dup_hall", _demo_with('id = "hall-b"', 'id = "hall-a"'))
    scenario("row_bad_hall", _demo_with('hall = "hall-a"', 'hall = "hall-z"'))
    scenario("unknown_system", _demo_with('system = "gb300-nvl72"', 'system = "gb300-nvl73"'))
    scenario("unknown_busway", _demo_with('busway = "busway-1250a-415v"', 'busway = "busway-1250a-416v"'))
    scenario("bad_unit", _demo_with('it_power_cap = "36 MW"', 'it_power_cap = "36 MW/"'))
    scenario("molar", _demo_with('it_power_cap = "36 MW"', 'it_power_cap = "36 M"'))
    scenario("low_pue", _demo_with('id = "aws-hybrid-campus"', 'id = "aws-hybrid-campus"\npue_target = 1.01'))
    scenario("huge_power", _demo_with('it_power_cap = "36 MW"', 'it_power_cap = "1e308 kW"'))
    fifo = root / "fifo.toml"
    os.mkfifo(fifo)
    out["fifo"] = fifo
    plan_fifo = root / "plan-fifo.json"
    os.mkfifo(plan_fifo)
    out["plan_fifo"] = plan_fifo
    folder = root / "folder.toml"
    folder.mkdir()
    out["folder"] = folder

    good = user_system_toml()
    catalogs = {
        "cat_utf8": {"bad.toml": b"[[chip]]\nid = '\xff'\n"},
        "cat_binary": {"bin.toml": bytes(range(256))},
        "cat_nested": {"deep.toml": "x = " + "[" * 5000 + "]" * 5000 + "\n"},
        "cat_power": {"mine.toml": user_system_toml(design="1e308 kW")},
        "cat_chips": {"mine.toml": user_system_toml(chips="1e12")},
        "cat_long_id": {"mine.toml": user_system_toml(id="r" * 10_000)},
        "cat_fifo": {"good.toml": good},
        "cat_dir": {"good.toml": good},
        "cat_loop": {"good.toml": good},
        "cat_bad_unit": {"mine.toml": user_system_toml(weight="1400 kg/")},
    }
    for name, content in catalogs.items():
        out[name] = _catalog_dir(root, name, content)
    os.mkfifo(out["cat_fifo"] / "x.toml")
    (out["cat_dir"] / "x.toml").mkdir()
    os.symlink("x.toml", out["cat_loop"] / "x.toml")
    os.symlink("loop", root / "loop")
    out["loop"] = root / "loop"
    out["root"] = root
    return out


# --- the table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    args: Callable[[dict[str, Path]], list[str]] | list[str]
    code: int
    expected: str
    json: bool = True  # the command takes --json: run the case again with it

    def argv(self, files: dict[str, Path]) -> list[str]:
        return [str(a) for a in (self.args(files) if callable(self.args) else self.args)]


def size(*args: str) -> list[str]:
    return ["size", "--system", TRN3, *args]


def solve(name: str, *extra: str) -> Callable[[dict[str, Path]], list[str]]:
    return lambda f: ["solve", f[name], "--no-marginals", "--time-limit", "20s", *extra]


def validate(name: str) -> Callable[[dict[str, Path]], list[str]]:
    return lambda f: ["catalog", "validate", f[name]]


CASES: dict[str, Case] = {
    # defect 10: tracebacks
    "slab trailing slash": Case(size("--count", "5", "--slab", "25 kN/"), 2, "--slab: unknown unit 'kN/'"),
    "power trailing slash": Case(size("--power", "5 MW/"), 2, "--power: unknown unit 'MW/'"),
    "power open bracket": Case(size("--power", "5 (kW"), 2, "--power: unknown unit"),
    "power 1/0": Case(size("--power", "5 1/0"), 2, "--power: unknown unit"),
    "power 1e300 kW": Case(size("--power", "1e300 kW"), 2, "--power: expected a power of at most 1e9 kW"),
    "power 1e999 kW": Case(size("--power", "1e999 kW"), 2, "--power: expected a finite power"),
    "count 1e12": Case(size("--count", "1e12"), 2, "--count: expected at most 1,000,000 units"),
    "count 10**12": Case(size("--count", "1000000000000"), 2, "--count: expected at most 1,000,000 units"),
    "racks 1e12": Case(size("--racks", "1e12"), 2, "--racks: expected at most 2,000,000 racks"),
    "scenario invalid utf-8": Case(solve("utf8"), 2, "not UTF-8 text (invalid byte 0xff"),
    "scenario binary": Case(solve("binary"), 2, "utf8"[:0] + "not UTF-8 text"),
    "scenario nested": Case(solve("nested"), 2, "nested too deeply"),
    "catalog invalid utf-8": Case(validate("cat_utf8"), 2, "bad.toml: not UTF-8 text (invalid byte 0xff", json=True),
    "catalog binary": Case(validate("cat_binary"), 2, "bin.toml: not UTF-8 text"),
    "catalog nested": Case(validate("cat_nested"), 2, "deep.toml: nested too deeply"),
    "catalog bad unit": Case(validate("cat_bad_unit"), 2, "field 'weight.value': unknown unit 'kg/'"),
    # defect 11: hangs and unbounded sizes
    "scenario is a FIFO": Case(solve("fifo"), 2, "is a FIFO (named pipe), expected a regular scenario file"),
    "scenario is a folder": Case(solve("folder"), 2, "is a folder, expected a scenario file"),
    "plan is a FIFO": Case(
        lambda f: ["export", f["plan_fifo"], "--format", "html", "-o", f["root"] / "x.html"],
        2,
        "is a FIFO (named pipe), expected a regular plan file",
        json=False,
    ),
    "diff plan is a FIFO": Case(lambda f: ["diff", f["plan_fifo"], f["plan_fifo"]], 2, "is a FIFO (named pipe)"),
    "tui scenario is a FIFO": Case(lambda f: ["tui", f["fifo"]], 2, "is a FIFO (named pipe)", json=False),
    "FIFO x.toml in a catalog": Case(validate("cat_fifo"), 2, "x.toml: is not a regular file (a FIFO (named pipe))"),
    "folder x.toml in a catalog": Case(validate("cat_dir"), 2, "x.toml: is not a regular file (a folder)"),
    "symlink loop x.toml in a catalog": Case(validate("cat_loop"), 2, "x.toml: is not a regular file (a symlink loop)"),
    "catalog folder is a symlink loop": Case(validate("loop"), 2, "loop: catalog folder is a symlink loop"),
    "--catalog is a symlink loop": Case(
        lambda f: ["size", "--catalog", f["loop"], "--system", TRN3, "--count", "1"],
        2,
        "catalog folder is a symlink loop",
    ),
    "row count 10**12": Case(solve("row_count"), 2, "field 'count': Input should be less than or equal to 100000"),
    "10,000 halls": Case(solve("halls"), 2, "[[hall]]: 10,004 halls is more than dcplan's bound of 2,000"),
    # defect 12: values accepted that should not be
    "catalog design power 1e308 kW": Case(
        validate("cat_power"), 2, "field 'design_power.value': expected a power of at most 1e9 kW"
    ),
    "scenario power 1e308 kW": Case(solve("huge_power"), 2, "field 'it_power_cap': expected a power of at most 1e9"),
    "catalog 1e12 chips per unit": Case(
        validate("cat_chips"), 2, "field 'chips_per_unit.value': Input should be less than or equal to 1000000"
    ),
    "catalog 10,000-character id": Case(validate("cat_long_id"), 2, "expected an id of at most 64 characters"),
    "scenario 10,000-character id": Case(solve("long_id"), 2, "expected an id of at most 64 characters"),
    "supply temp below absolute zero": Case(
        size("--count", "5", "--supply-temp", "-300degC"),
        2,
        "--supply-temp: expected a temperature above absolute zero",
    ),
    "supply temp 1000 degC": Case(
        size("--count", "5", "--supply-temp", "1000degC"),
        2,
        "--supply-temp: expected a temperature between -150 and 250",
    ),
    "chilled water 1e9 degF": Case(size("--count", "5", "--chilled-water-temp", "1e9 degF"), 2, "--chilled-water-temp"),
    "air dt 1000 K": Case(size("--count", "5", "--air-dt", "1000 K"), 2, "--air-dt: expected a temperature difference"),
    # defect 13: usage blocks, jargon, broken f-strings
    "count 2.5": Case(size("--count", "2.5"), 2, "--count: expected a whole number of units, got '2.5'"),
    "count abc": Case(size("--count", "abc"), 2, "--count: expected a whole number of units, got 'abc'"),
    "utilisation 180%": Case(
        size("--count", "5", "--utilisation", "180%"), 2, "--utilisation: expected a ratio within"
    ),
    "utilisation kW": Case(size("--count", "5", "--utilisation", "5 kW"), 2, "--utilisation: expected a ratio within"),
    "power 5 M": Case(size("--power", "5 M"), 2, "got '5 M' (a concentration; M is molar: did you mean '5 MW'?)"),
    "scenario 36 M": Case(solve("molar"), 2, "M is molar: did you mean '36 MW'?"),
    "scenario bad unit": Case(solve("bad_unit"), 2, "field 'it_power_cap': unknown unit 'MW/'"),
    "duplicate hall id": Case(solve("dup_hall"), 2, "duplicate hall id 'hall-a'"),
    "row names unknown hall": Case(solve("row_bad_hall"), 2, "names hall 'hall-z', not in [[hall]]"),
    "unknown option": Case(size("--count", "5", "--colour", "red"), 2, "No such option: --colour"),
    "missing option": Case(["size", "--count", "5"], 2, "Missing option '--system'"),
    "solve time limit abc": Case(lambda f: ["solve", DEMO_SCENARIO, "--time-limit", "abc"], 2, "--time-limit"),
    # 25(c): unknown ids name the file, the table entry and the field
    "unknown candidate system": Case(
        solve("unknown_system"),
        2,
        "unknown_system.toml: [[candidate]] 2: system: unknown system id 'gb300-nvl73' (did you mean 'gb300-nvl72'",
    ),
    "unknown row busway": Case(
        solve("unknown_busway"), 2, "[[row]] 1 'a-dlc': busway: unknown busway id 'busway-1250a-416v' (did you mean"
    ),
    # existing bad-input cases (tests/models/test_sizing.py, test_cli_catalog.py, test_sweep.py, ...)
    "power in kg": Case(size("--power", "5 kg"), 2, "--power: expected a power such as '132 kW', got '5 kg' (a mass)"),
    "utilisation 1.5": Case(size("--count", "5", "--utilisation", "1.5"), 2, "expected a ratio within [0, 1], got 1.5"),
    "liquid dt 0 K": Case(size("--count", "5", "--liquid-dt", "0K"), 2, "expected a positive temperature difference"),
    "slab in kW": Case(size("--count", "5", "--slab", "5 kW"), 2, "--slab: expected a floor load"),
    "redundancy 3N": Case(size("--count", "5", "--redundancy", "3N"), 2, "--redundancy: expected N, N+1"),
    "two targets": Case(size("--count", "2", "--power", "5 MW"), 2, "give exactly one of --count, --power or --racks"),
    "less than one unit": Case(size("--power", "150 kW"), 2, "150 kW is less than one trn3-ultraserver-gen2 unit"),
    "unknown fluid": Case(size("--count", "5", "--fluid", "pg26"), 2, "did you mean 'pg25'"),
    "unknown system": Case(["size", "--system", "gb300-nvl27", "--count", "1"], 2, "unknown system id 'gb300-nvl27'"),
    "catalog show unknown": Case(
        ["catalog", "show", "trn3-ultraserver-gen3"], 2, "did you mean 'trn3-ultraserver-gen2'"
    ),
    "catalog list bad kind": Case(["catalog", "list", "--kind", "toasters"], 2, "--kind: expected one of"),
    "catalog folder missing": Case(lambda f: ["catalog", "validate", f["root"] / "nope"], 2, "does not exist"),
    "scenario missing": Case(lambda f: ["solve", f["root"] / "nope.toml"], 2, "no such scenario file"),
    "sweep bare number": Case(
        ["sweep", DEMO_SCENARIO, "--workers", "0", "--vary", "scenario.budget=4e9:8e9"],
        2,
        "--vary scenario.budget: LOW '4e9': a bare number",
    ),
    "sweep unknown format": Case(["sweep", DEMO_SCENARIO, "--workers", "0", "-o", "s.xlsx"], 2, "unknown sweep format"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_one_line(files, capsys, name):
    case = CASES[name]
    started = time.perf_counter()
    code, _, err = run(capsys, case.argv(files))
    assert_one_error(code, err, case.code, case.expected)
    assert time.perf_counter() - started < HANG_GUARD_S


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.json))
def test_bad_input_under_json_is_one_object(files, capsys, name):
    case = CASES[name]
    code, out, err = run(capsys, [*case.argv(files), "--json"])
    assert_one_json_error(code, out, err, case.code, case.expected)


def test_json_error_locates_file_entry_and_field(files, capsys):
    code, out, err = run(capsys, [*solve("unknown_system")(files), "--json"])
    record = assert_one_json_error(code, out, err, 2, "unknown system id 'gb300-nvl73'")
    assert record["file"].endswith("unknown_system.toml")
    assert record["entry"] == "[[candidate]] 2" and record["field"] == "system"
    assert record["expected"] == "a catalog system id" and record["got"] == "gb300-nvl73"
    code, out, err = run(capsys, [*size("--count", "5", "--supply-temp", "-300degC"), "--json"])
    record = assert_one_json_error(code, out, err, 2, "absolute zero")
    assert record["field"] == "--supply-temp" and record["expected"] == "a temperature above absolute zero"
    code, out, err = run(capsys, [*validate("cat_power")(files), "--json"])
    record = assert_one_json_error(code, out, err, 2, "at most 1e9 kW")
    assert record["file"].endswith("mine.toml") and record["entry"] == "system 'test-rack'"
    assert record["field"] == "design_power.value"


def test_json_error_of_a_figure_the_physics_refuses_keeps_its_field(files, capsys):
    """A pue_target below what the losses alone give is found by the physics (models/), with
    its field and expectation: the solve command adds the file and keeps both."""
    code, out, err = run(capsys, [*solve("low_pue")(files), "--json"])
    record = assert_one_json_error(code, out, err, 2, "PUE target 1.01")
    assert record["file"].endswith("low_pue.toml") and record["field"] == "pue_target"
    assert record["expected"].startswith("a PUE of at least")


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (size("--count", "5", "--utilisation", "80%", "--json"), lambda d: d["utilisation"] == 0.8),
        (size("--count", "5", "--utilisation", "0.8", "--json"), lambda d: d["utilisation"] == 0.8),
        (size("--count", "1,000", "--json"), lambda d: d["units"] == 1000),
        (size("--count", "2e3", "--json"), lambda d: d["units"] == 2000),
        (size("--count", "5", "--supply-temp", "35degC", "--json"), lambda d: d["liquid_supply_temp"]["value"] == 35),
    ],
)
def test_reasonable_spellings_work(capsys, args, check):
    code, out, err = run(capsys, args)
    assert code == 0 and err == "", err
    assert check(json.loads(out))


def test_scenario_error_shows_ids_not_format_fields(files, capsys):
    for name in ("dup_hall", "row_bad_hall"):
        _, _, err = run(capsys, solve(name)(files))
        assert "{" not in err and "!r" not in err, err


def test_internal_error_guard_is_one_line_exit_70(capsys, monkeypatch):
    """The guard itself: an unexpected exception is a bug, said in one line, exit 70."""
    import dcplan.planner.cli.catalog_cmd as catalog_cmd

    def broken(*args, **kwargs):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(catalog_cmd, "console", broken)
    code, _, err = run(capsys, ["catalog", "list"])
    assert code == EXIT_INTERNAL
    assert err.splitlines() == [err.strip()] and "Traceback" not in err
    assert err.startswith("dcplan: internal error: ZeroDivisionError: float division by zero — please report")
    code, _, err = run(capsys, ["catalog", "list", "--kind", "systems", "--json"])
    assert code == 0  # --json does not go through the broken console
    monkeypatch.setattr(catalog_cmd, "print_json", broken)
    code, _, err = run(capsys, ["catalog", "list", "--json"])
    record = json.loads(err)
    assert code == EXIT_INTERNAL and record["exit_code"] == EXIT_INTERNAL and record["type"] == "ZeroDivisionError"


def test_keyboard_interrupt_in_process_is_130(capsys, monkeypatch):
    import dcplan.planner.cli.catalog_cmd as catalog_cmd

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(catalog_cmd, "load_catalog_for_cli", interrupted)
    code, _, err = run(capsys, ["catalog", "list"])
    assert code == 130 and err == "dcplan: interrupted\n"


def test_plan_with_unequal_layout_columns(tmp_path, capsys):
    """A plan file whose layout columns differ in length is a corrupt plan (was a zip ValueError)."""
    from dcplan.models.catalog import load_catalog
    from dcplan.planner.pipeline import PlanOptions, plan_scenario
    from dcplan.planner.solve import SolveSettings
    from tests.planner.conftest import HANDCAT, scenario

    plan = plan_scenario(
        scenario(), load_catalog([HANDCAT], use_env=False), PlanOptions(SolveSettings(time_limit_s=20), marginals=False)
    )
    data = json.loads(plan.to_json_text())
    assert len(data["layout"]["slot"]) > 1
    good = tmp_path / "good.json"
    good.write_text(json.dumps(data))
    data["layout"]["row"] = data["layout"]["row"][:-1]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    expected = "corrupt plan: layout: layout columns have unequal lengths: row has"
    code, _, err = run(capsys, ["export", bad, "--format", "csv", "-o", tmp_path / "p.csv"])
    assert_one_error(code, err, 2, expected)
    code, _, err = run(capsys, ["diff", good, bad])
    assert_one_error(code, err, 2, expected)
    code, out, err = run(capsys, ["diff", good, bad, "--json"])
    assert_one_json_error(code, out, err, 2, expected)
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 5000 + "]" * 5000)
    code, _, err = run(capsys, ["diff", good, nested])
    assert_one_error(code, err, 2, "nested too deeply")


# --- the real console script ----------------------------------------------------------------


def dcplan(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([str(DCPLAN), *args], capture_output=True, text=True, timeout=timeout, cwd=REPO, env=_env())


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DCPLAN_CATALOG", "DCPLAN_TRACEBACK")}
    return env


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (size("--count", "5", "--slab", "25 kN/"), "--slab: unknown unit 'kN/'"),
        (size("--count", "2.5"), "--count: expected a whole number of units, got '2.5'"),
        (size("--power", "5 M"), "M is molar"),
    ],
)
def test_console_script_one_line(args, expected):
    proc = dcplan(*args)
    assert_one_error(proc.returncode, proc.stderr, 2, expected)
    proc = dcplan(*args, "--json")
    assert_one_json_error(proc.returncode, proc.stdout, proc.stderr, 2, expected)


def test_console_script_fifo_does_not_hang(files):
    proc = dcplan("solve", str(files["fifo"]), timeout=30)
    assert_one_error(proc.returncode, proc.stderr, 2, "is a FIFO")


def test_broken_pipe_is_quiet():
    """`dcplan catalog schema | head -0`: the reader has closed the pipe; no traceback, no noise."""
    proc = subprocess.Popen(
        [str(DCPLAN), "catalog", "schema"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, env=_env()
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before dcplan writes anything (its start-up takes far longer)
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=30)
    assert err == "" and code == 1


def _interrupt_after(args: list[str], delay_s: float, tmp_path: Path) -> tuple[int, str, str]:
    proc = subprocess.Popen(
        [str(DCPLAN), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=_env(),
    )
    time.sleep(delay_s)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


@pytest.fixture(scope="module")
def long_toml(tmp_path_factory) -> Path:
    from tests.tui.long_scenario import long_scenario

    path = tmp_path_factory.mktemp("long") / "long.toml"
    path.write_text(scenario_to_toml(long_scenario()))
    return path


@pytest.mark.parametrize("delay_s", [0.15, 0.4, 0.8])
def test_ctrl_c_during_start_up(long_toml, tmp_path, delay_s):
    """SIGINT while the interpreter imports typer, pydantic, pint, the catalog...: 130, one line."""
    code, _, err = _interrupt_after(["solve", str(long_toml), "-o", "plan.json"], delay_s, tmp_path)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert code == 130, (code, err)
    assert err.strip() == "dcplan: interrupted"
    assert not (tmp_path / "plan.json").exists()
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_during_the_solve(long_toml, tmp_path):
    """SIGINT once the solver runs: 130, "interrupted", nothing written (issue 10 item 21)."""
    code, _, err = _interrupt_after(
        ["solve", str(long_toml), "-o", "plan.json", "--time-limit", "120s", "--no-marginals"], 6.0, tmp_path
    )
    assert "Traceback" not in err, err
    assert code == 130, (code, err)
    assert "interrupted" in err.splitlines()[-1]
    assert list(tmp_path.iterdir()) == []


def test_objective_override_is_validated_like_the_file(capsys, tmp_path):
    """--objective goes through the scenario's own rules: min-time-to-train needs a target."""
    from dcplan.planner.scenario import SCENARIO_DIR

    demo = SCENARIO_DIR / "aws-hybrid-campus.toml"
    code = main(["solve", str(demo), "--objective", "min-time-to-train", "--no-marginals"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "aws-hybrid-campus.toml" in err[0] and "target" in err[0], err
    code = main(["solve", str(demo), "--objective", "fastest"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err == [
        "dcplan: error: --objective: expected one of max-compute, max-delivered, min-time-to-train, "
        "min-cost-per-delivered, min-tco, got 'fastest'"
    ]
    code = main(["solve", str(demo), "--objective", "max-compute", "--no-marginals", "--json"])
    out = capsys.readouterr().out
    assert code == 0 and '"objective":"max-compute"' in out
