"""HiGHS in a child process (planner/highs_child.py, ChildSession in planner/session.py):
the watchdog, a child that dies, hostile messages, Ctrl-C, and nothing left behind.

Misbehaving children are stand-ins started through the documented test seam (the
``argv`` of ChildSession / ``$DCPLAN_HIGHS_CHILD_ARGV``): a few lines of Python speaking
the protocol with planner.highs_child's own encoder, then breaking it in one way each.
"""

from __future__ import annotations

import io
import os
import signal
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from dcplan.planner import session as sessions
from dcplan.planner.highs_child import ProtocolError, encode, read_message
from dcplan.planner.matrix import build_direct
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.scenario import parse_scenario
from dcplan.planner.solve import SolveSettings, highs_options, solve_model_data
from tests.tui.long_scenario import long_scenario

#: a stand-in child's start: says ready, then reads commands and keeps the loaded column
#: count in ``n``; what follows (indented in the loop) answers them
STAND_IN_PRELUDE = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np
    from dcplan.planner.highs_child import encode, read_message
    out = sys.stdout.buffer
    def send(data):
        out.write(data); out.flush()
    send(encode({"type": "ready"}))
    n = 0
    while True:
        item = read_message(sys.stdin.buffer, 1 << 30)
        if item is None:
            sys.exit(0)
        message, arrays = item
        if message.get("cmd") == "load":
            n = message["num_col"]
    """
)


def stand_in(answers: str) -> str:
    """A stand-in child's script: STAND_IN_PRELUDE, then ``answers`` inside its loop."""
    return STAND_IN_PRELUDE + textwrap.indent(textwrap.dedent(answers), "    ")


FAKE = "mode = __import__('sys').argv[1]\n" + stand_in(
    """
        if message.get("cmd") != "run":
            continue
        if mode == "die":
            sys.exit(3)
        if mode == "garbage":
            send(b"this is not json\\n")
        elif mode == "bigblob":
            send(b'{"type":"incumbent","objective":1,"blobs":[1000000000000]}\\n')
        elif mode == "badshape":
            send(encode({"type": "incumbent", "objective": 1.0}, [np.zeros(n + 3)]))
        elif mode == "nan":
            send(b'{"type":"progress","incumbent":NaN,"bound":1,"gap":0,"elapsed_s":0}\\n')
        elif mode == "badstatus":
            send(encode({"type": "result", "status": "pwned", "arrays": []}))
        elif mode == "stall":
            send(encode({"type": "progress", "incumbent": 7.0, "bound": 10.0, "gap": 0.3, "elapsed_s": 0.1}))
            send(encode({"type": "incumbent", "objective": 7.0}, [np.full(n, 0.5)]))
        time.sleep(3600)  # ignores "stop" and its time limit
    """
)


def _fake(mode: str) -> list[str]:
    return [sys.executable, "-c", FAKE, mode]


@pytest.fixture
def demo_model(demo, catalog):
    return build_direct(build_model_data(demo, catalog))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a zombie still answers kill(0): check its state
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] == "Z"


def test_a_child_that_ignores_its_limit_is_killed_and_its_last_incumbent_returned(demo_model):
    session = sessions.ChildSession(argv=_fake("stall"))
    session.load(demo_model.lp)
    pid = session.pid
    seen = []
    session.watch(lambda *progress: seen.append(progress), None)
    started = time.perf_counter()
    result = session.run(0.5)
    wall = time.perf_counter() - started
    assert wall <= 0.5 + sessions.STOP_GRACE_S + sessions.KILL_GRACE_S + 0.3
    assert result.status == "time-limit" and result.detail.startswith("watchdog")
    assert result.has_solution and result.objective == 7.0 and result.bound == 10.0
    assert result.col_value is not None and np.array_equal(result.col_value, np.full(demo_model.num_col, 0.5))
    assert result.gap == pytest.approx(3.0 / 7.0)
    assert seen and seen[0][:3] == (7.0, 10.0, 0.3)
    assert pid is not None and _gone(pid) and not session.alive
    session.close()


def test_a_cancel_stops_a_child_that_ignores_stop_too(demo_model):
    session = sessions.ChildSession(argv=_fake("stall"))
    session.load(demo_model.lp)
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    session.watch(None, cancel)
    started = time.perf_counter()
    result = session.run(60.0)
    assert time.perf_counter() - started < 0.3 + sessions.KILL_GRACE_S + 0.5
    assert result.status == "interrupted" and result.has_solution
    session.close()


@pytest.mark.parametrize("mode", ["die", "garbage", "bigblob", "badshape", "nan", "badstatus"])
def test_a_dead_or_hostile_child_gives_no_plan_and_no_exception(demo_model, mode):
    session = sessions.ChildSession(argv=_fake(mode))
    session.load(demo_model.lp)
    pid = session.pid
    result = session.run(30.0)
    assert not result.has_solution and result.col_value is None and result.objective is None
    assert result.status == "other"
    assert "exited" in result.detail or "protocol" in result.detail
    assert pid is not None and _gone(pid)
    session.close()


def test_a_killed_child_is_replaced_and_given_the_model_again(demo_model):
    session = sessions.ChildSession({"mip_rel_gap": 1e-3, "threads": 1, "random_seed": 0})
    session.load(demo_model.lp)
    first = session.run(30.0)
    assert first.status == "optimal"
    pid = session.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    again = session.run(30.0)
    assert session.pid != pid
    assert again.status == "optimal" and again.objective == pytest.approx(first.objective, rel=1e-9)
    session.close()


def test_the_child_ignores_sigint_and_exits_when_closed(demo_model):
    session = sessions.ChildSession()
    session.load(demo_model.lp)
    assert session.run(30.0).status == "optimal"  # the child is up and serving
    pid = session.pid
    assert pid is not None
    os.kill(pid, signal.SIGINT)
    time.sleep(0.2)
    assert session.alive
    session.close()
    assert _gone(pid)


def test_a_real_child_whose_highs_ignores_its_limit_is_stopped_by_the_watchdog(catalog):
    """``--ignore-stop``: HiGHS runs without a limit and the child ignores stop; the long
    scenario at gap 0 needs far longer than the 1 s limit."""
    model = build_direct(build_model_data(parse_scenario(long_scenario()), catalog))
    session = sessions.ChildSession({"mip_rel_gap": 0.0}, argv=[*sessions.child_argv(), "--ignore-stop"])
    session.load(model.lp)
    started = time.perf_counter()
    result = session.run(1.0)
    wall = time.perf_counter() - started
    assert wall <= 1.0 + sessions.STOP_GRACE_S + sessions.KILL_GRACE_S + 0.3
    assert result.detail.startswith("watchdog") and not session.alive
    if result.has_solution:  # an incumbent streamed before the kill is a whole solution
        assert result.col_value is not None and len(result.col_value) == model.num_col
    session.close()


def test_a_solve_writes_no_files_and_leaves_no_process(demo, catalog, tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    sessions.close_all()
    data = build_model_data(demo, catalog)
    outcome = solve_model_data(data, SolveSettings(time_limit_s=30))
    assert outcome.status == "optimal" and outcome.highs_settings["process"] == "child"
    pooled = [s.pid for s in sessions._POOL]
    assert len(pooled) == 1  # kept for the next solve
    again = solve_model_data(data, SolveSettings(time_limit_s=30))
    assert [s.pid for s in sessions._POOL] == pooled  # and reused
    assert again.objective == outcome.objective
    sessions.close_all()
    assert all(_gone(pid) for pid in pooled if pid is not None)
    assert list(tmp_path.iterdir()) == []
    out = capfd.readouterr().out
    assert "HiGHS" not in out and out == ""  # the banner never reaches stdout


def test_child_and_in_process_give_the_same_plan(demo, catalog):
    data = build_model_data(demo, catalog)
    child = solve_model_data(data, SolveSettings(time_limit_s=30))
    local = solve_model_data(data, SolveSettings(time_limit_s=30, process="in-process"))
    assert child.status == local.status == "optimal"
    assert child.objective == local.objective and child.values == local.values
    assert child.compute_pflops == local.compute_pflops and child.tco_musd == local.tco_musd


def test_presolve_auto_is_by_model_size_and_explicit_choices_pass_through():
    from dcplan.planner.solve import PRESOLVE_OFF_FROM_COLUMNS as big

    auto = SolveSettings()
    assert highs_options(auto, 100, 100, 500)["presolve"] == "choose"
    assert highs_options(auto, big - 1, 100, 500)["presolve"] == "choose"
    assert highs_options(auto, big, 100, 500)["presolve"] == "off"
    for choice in ("choose", "on", "off"):
        assert highs_options(SolveSettings(presolve=choice), big * 2, 1, 1)["presolve"] == choice  # type: ignore[arg-type]


def test_the_protocol_reader_refuses_hostile_input():
    good = encode({"type": "x"}, [np.arange(3.0)])
    message, arrays = read_message(io.BytesIO(good), 1 << 20)  # type: ignore[misc]
    assert message["type"] == "x" and np.array_equal(arrays[0], np.arange(3.0))
    assert read_message(io.BytesIO(b""), 10) is None
    for bad in (
        b"[1, 2]\n",  # not an object
        b"{nope\n",
        b'{"blobs": [5]}\n12',  # cut short
        b'{"blobs": [-1]}\n',
        b'{"blobs": "many"}\n',
        b"x" * (2 << 20),  # a line longer than the cap
        encode({}, [np.arange(100.0)]),  # larger than the cap below
    ):
        with pytest.raises(ProtocolError):
            read_message(io.BytesIO(bad), 500)
    pickled = np.array([object()], dtype=object)
    buffer = io.BytesIO()
    np.save(buffer, pickled, allow_pickle=True)
    blob = buffer.getvalue()
    with pytest.raises(ProtocolError):
        read_message(io.BytesIO(b'{"blobs": [%d]}\n' % len(blob) + blob), 1 << 20)


def test_the_child_command_line_override_is_checked(monkeypatch):
    monkeypatch.setenv(sessions.CHILD_ARGV_ENV, '["python", "-m", "x"]')
    assert sessions.child_argv() == ["python", "-m", "x"]
    monkeypatch.setenv(sessions.CHILD_ARGV_ENV, '"python"')
    with pytest.raises(ValueError, match="JSON list"):
        sessions.child_argv()


def test_a_progress_callback_that_raises_kills_the_child_and_it_is_not_reused(demo_model):
    session = sessions.ChildSession(argv=_fake("stall"))
    session.load(demo_model.lp)
    pid = session.pid

    def broken(*progress):
        raise RuntimeError("the UI went away")

    session.watch(broken, None)
    with pytest.raises(RuntimeError, match="went away"):
        session.run(30.0)
    assert pid is not None and _gone(pid) and not session.alive
    sessions.release(session)
    assert session not in sessions._POOL
