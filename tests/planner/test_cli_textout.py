"""The CLI's plain-text tables (planner/cli/textout.py) and its exit without teardown
(planner/cli/__init__.py ``exit_without_teardown``): aligned columns, hostile cell text,
colour only on a terminal, and an exit that still runs atexit handlers and flushes output."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dcplan.planner.cli import textout
from dcplan.planner.cli.textout import TextTable, clean, display_width, style

REPO = Path(__file__).resolve().parents[2]


def test_columns_are_padded_to_their_widest_cell_numbers_right():
    table = TextTable("Mix", ("system", "units"), right=("units",))
    table.add_row("gb300-nvl72", "1,500")
    table.add_row("dgx", "8")
    assert table.lines() == [
        "Mix",
        "system       units",
        "-----------  -----",
        "gb300-nvl72  1,500",
        "dgx              8",
    ]


def test_a_key_value_block_has_no_header_and_no_trailing_spaces():
    table = TextTable(None, ("what", "value"), show_header=False)
    table.add_row("chips", "")
    table.add_row("racks", "100")
    assert table.lines() == ["chips", "racks  100"]


def test_an_empty_table_is_its_title_header_and_rule():
    assert TextTable("Halls", ("hall", "racks")).lines() == ["Halls", "hall  racks", "----  -----"]


def test_control_characters_in_cells_cannot_break_lines_or_move_the_cursor():
    table = TextTable("evil\nname\x1b[2J", ("a", "b"))
    table.add_row("x\ty", "1\r\n2")
    lines = table.lines()
    assert len(lines) == 4 and all(c.isprintable() for line in lines for c in line)
    assert lines[0] == "evil name [2J" and lines[3] == "x y  1  2"
    assert clean(42) == "42"


def test_wide_and_combining_characters_count_their_display_columns():
    assert display_width("m³/s") == 4
    assert display_width("データ") == 6  # full-width: two columns each
    assert display_width("e\u0301") == 1  # e + combining acute accent
    table = TextTable(None, ("name", "n"), right=("n",))
    table.add_row("データ", "1")
    table.add_row("ab", "22")
    assert table.lines()[2:] == ["データ   1", "ab      22"]


def test_a_row_of_the_wrong_length_is_refused():
    table = TextTable("t", ("a", "b"))
    with pytest.raises(ValueError, match="1 cells for 2 columns"):
        table.add_row("only one")


class _Tty:
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("tty", "env", "coloured"),
    [(True, {}, True), (False, {}, False), (True, {"NO_COLOR": "1"}, False), (True, {"TERM": "dumb"}, False)],
)
def test_colour_only_on_a_terminal_without_no_color(monkeypatch, tty, env, coloured):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(textout.sys, "stdout", _Tty() if tty else object())
    text = style("LIMIT BROKEN", "bold", "red")
    assert (text == "\x1b[1;31mLIMIT BROKEN\x1b[0m") is coloured
    assert (text == "LIMIT BROKEN") is not coloured


def _run_main_program(body: str) -> subprocess.CompletedProcess[str]:
    """``body`` as a main program that imported ``run`` (as the console script does)."""
    script = "import atexit, sys, threading\nfrom dcplan.planner.cli import run, exit_without_teardown\n"
    script += textwrap.dedent(body)
    env = {k: v for k, v in os.environ.items() if k != "DCPLAN_CATALOG"}
    return subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, env=env, timeout=60)


def test_the_fast_exit_runs_atexit_handlers_flushes_and_keeps_the_exit_code():
    done = _run_main_program(
        """
        atexit.register(lambda: print("atexit ran", file=sys.stderr))
        sys.stdout.write("buffered, not yet flushed")
        exit_without_teardown(3)
        print("not reached")
        """
    )
    assert done.returncode == 3
    assert done.stdout == "buffered, not yet flushed"
    assert done.stderr == "atexit ran\n"


def test_the_fast_exit_steps_aside_while_another_thread_runs():
    done = _run_main_program(
        """
        stop = threading.Event()
        worker = threading.Thread(target=stop.wait)
        worker.start()
        exit_without_teardown(3)
        print("returned")
        stop.set()
        """
    )
    assert done.returncode == 0 and done.stdout == "returned\n"


def test_the_console_script_exits_with_the_commands_code():
    done = _run_main_program(
        """
        sys.argv = ["dcplan", "size", "--system", "no-such-system", "--count", "1"]
        run()
        """
    )
    assert done.returncode == 2
    assert done.stderr.startswith("dcplan: error: unknown system id 'no-such-system'")


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["size", "--system", "x"], "size"),
        (["--catalog", "dir", "solve", "a.toml"], "solve"),
        (["-c", "dir", "-c", "other", "catalog", "list"], "catalog"),
        (["--catalog=dir", "export", "p.json"], "export"),
        (["-cdir", "diff", "a", "b"], "diff"),
        (["--help", "size"], None),  # the root's help lists every command
        (["--", "size"], None),
        ([], None),
        (["--catalog"], None),
    ],
)
def test_the_invoked_sub_command_is_found_after_the_root_options(args, name):
    from dcplan.planner.cli.root import invoked_name

    assert invoked_name(args) == name


@pytest.mark.parametrize(
    ("args", "commands"),
    [
        (["size", "--system", "x"], ["size"]),
        (["catalog", "list"], ["catalog"]),
        (["export", "p.json"], ["export"]),
        (["--help"], ["catalog", "diff", "export", "size", "solve", "sweep", "tui"]),
        (["sizee"], ["catalog", "diff", "export", "size", "solve", "sweep", "tui"]),  # typer's suggestion needs all
    ],
)
def test_only_the_invoked_command_is_built_unless_the_root_answers(args, commands):
    from dcplan.planner.cli.root import click_command

    assert sorted(click_command(args).commands) == commands  # type: ignore[attr-defined]


def test_a_sub_command_built_alone_has_the_same_parameters_and_help():
    import typer.main

    from dcplan.planner.cli.root import app, click_command

    full = typer.main.get_command(app)
    for name in ("size", "solve", "catalog", "diff"):
        alone = click_command([name]).commands[name]  # type: ignore[attr-defined]
        whole = full.commands[name]  # type: ignore[attr-defined]
        assert [p.opts for p in alone.params] == [p.opts for p in whole.params], name
        assert alone.help == whole.help, name

        def wrapped(command):  # typer wraps each command's function anew at every build
            return getattr(command.callback, "__wrapped__", command.callback)

        assert wrapped(alone) is wrapped(whole), name
    assert [p.opts for p in click_command(["size"]).params] == [p.opts for p in full.params]


def test_the_console_script_pauses_the_collector_for_a_short_command():
    done = _run_main_program(
        """
        import gc
        from dcplan.planner.cli import size_run
        shown = size_run.print_json
        size_run.print_json = lambda data, pretty: (print("collecting", gc.isenabled(), file=sys.stderr), shown(data, pretty))
        sys.argv = ["dcplan", "size", "--system", "trn3-ultraserver-gen2", "--count", "2", "--json"]
        run()
        """
    )
    assert done.returncode == 0 and done.stderr == "collecting False\n"
    assert '"units":2' in done.stdout


def test_resume_gc_turns_a_paused_collector_back_on_and_leaves_a_running_one_alone():
    done = _run_main_program(
        """
        import gc
        from dcplan.planner.cli.common import resume_gc
        resume_gc()
        print(gc.isenabled(), gc.get_freeze_count() == 0)
        gc.disable()
        resume_gc()
        print(gc.isenabled(), gc.get_freeze_count() > 0)
        """
    )
    assert done.returncode == 0 and done.stdout.split() == ["True", "True", "True", "True"]


def test_run_called_from_other_code_leaves_the_collector_on(monkeypatch, capsys):
    import gc

    from dcplan.planner.cli import run

    monkeypatch.setattr(sys, "argv", ["dcplan", "--help"])
    with pytest.raises(SystemExit):
        run()
    assert gc.isenabled()
    assert "Usage" in capsys.readouterr().out
