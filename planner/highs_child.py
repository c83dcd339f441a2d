"""HiGHS in a child process: the other end of ``planner.session.ChildSession``.

Started as ``python -m dcplan.planner.highs_child`` (never forked: the UI, dask and sweep
workers have threads). It holds one HiGHS model and runs it on request, so the parent can
stop a run at its deadline even where HiGHS 1.16 ignores its own time limit (inside
presolve and primal heuristics: ERGO-Code/HiGHS #1501, #2226, #885).

Protocol (both directions): one JSON object per line, optionally followed by binary
blobs whose byte lengths the line lists under ``"blobs"``; each blob is one numpy ``.npy``
array, read with ``allow_pickle=False``. Nothing is ever pickled.

parent -> child (stdin)
    ``load`` (scalars ``num_col``, ``num_row``, ``sense``; blobs: the arrays of ``LP_ARRAYS``),
    ``options`` ({name: value}), ``row_bounds`` (row, lower, upper), ``start`` (blob: column
    values), ``run`` (time_limit_s, progress_s), ``stop`` (ends a run early, at HiGHS's next
    callback), ``close`` (or end of input: the child exits).
child -> parent (a copy of fd 1; fd 1 itself goes to /dev/null, so the banner HiGHS
prints from C can never mix with the protocol or reach the user's terminal)
    ``ready``; ``progress`` (incumbent, bound, gap, elapsed_s), at every improving solution
    and at most every ``progress_s`` otherwise; ``incumbent`` (objective, blob: column
    values) at most every ``progress_s``, the latest one kept until it is sent;
    ``result`` (status words of ``planner.session``, model_status, objective, bound, gap,
    elapsed_s, blobs col_value and row_dual when known); ``error`` (message).

The child ignores SIGINT: Ctrl-C in a terminal reaches the whole process group, and the
parent decides what a Ctrl-C means (it stops the run, then raises KeyboardInterrupt).

Test seam: ``--ignore-stop`` makes the child ignore ``stop`` and run HiGHS without a time
limit, standing in for a HiGHS that ignores its limit (tests/planner/test_solve_child.py).
"""

from __future__ import annotations

import io
import json
import math
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

import numpy as np

from dcplan.planner.highs_clock import run_highs, run_time_limit_s
from dcplan.planner.session import finite_or_none, run_result

#: the HighsLp arrays a ``load`` carries, in order
LP_ARRAYS = ("col_cost", "col_lower", "col_upper", "row_lower", "row_upper", "integrality", "start", "index", "value")
#: the longest JSON line either side accepts (a hostile or broken peer cannot exhaust memory)
MAX_LINE_BYTES = 1 << 20


def encode(message: dict[str, Any], arrays: list[np.ndarray] | tuple[np.ndarray, ...] = ()) -> bytes:
    """One message: its JSON line, then each array as ``.npy`` bytes."""
    blobs = []
    for array in arrays:
        buffer = io.BytesIO()
        np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
        blobs.append(buffer.getvalue())
    line = json.dumps({**message, "blobs": [len(b) for b in blobs]}, separators=(",", ":")).encode()
    return line + b"\n" + b"".join(blobs)


class ProtocolError(Exception):
    """A message that breaks the protocol (the peer is broken or hostile)."""


def read_message(
    stream: IO[bytes], max_blob_bytes: int | Callable[[], int]
) -> tuple[dict[str, Any], list[np.ndarray]] | None:
    """The next message and its arrays; None at end of input. Raises ProtocolError.

    ``max_blob_bytes`` (or a function giving it once the line has arrived) caps each array.
    """
    line = stream.readline(MAX_LINE_BYTES + 1)
    if not line:
        return None
    if len(line) > MAX_LINE_BYTES or not line.endswith(b"\n"):
        raise ProtocolError("message line too long or cut short")
    try:
        message = json.loads(line)
    except ValueError as exc:
        raise ProtocolError(f"not JSON: {exc}") from None
    if not isinstance(message, dict):
        raise ProtocolError("message is not a JSON object")
    sizes = message.get("blobs", [])
    cap = max_blob_bytes() if callable(max_blob_bytes) else max_blob_bytes
    if not isinstance(sizes, list) or not all(isinstance(n, int) and 0 < n <= cap for n in sizes):
        raise ProtocolError("bad blob sizes")
    arrays = []
    for n in sizes:
        blob = stream.read(n)
        if len(blob) != n:
            raise ProtocolError("array cut short")
        try:
            arrays.append(np.lib.format.read_array(io.BytesIO(blob), allow_pickle=False))
        except (ValueError, OSError) as exc:
            raise ProtocolError(f"bad array: {exc}") from None
    return message, arrays


class _Child:
    """The child's state: one Highs, the output stream, the stop flag of the current run."""

    def __init__(self, out: IO[bytes], ignore_stop: bool) -> None:
        import highspy

        self.highspy = highspy
        self.highs = highspy.Highs()  # fd 1 is /dev/null already: the banner goes nowhere
        self.highs.setOptionValue("output_flag", False)
        self.out = out
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.ignore_stop = ignore_stop
        self.progress_s = 0.25
        self._subscribe()

    def send(self, message: dict[str, Any], arrays: tuple[np.ndarray, ...] = ()) -> None:
        data = encode(message, arrays)
        with self.lock:
            self.out.write(data)
            self.out.flush()

    def _subscribe(self) -> None:
        state: dict[str, Any] = {"progress_t": 0.0, "sent_t": -1.0, "pending": None}
        self.state = state

        def report(out: Any) -> None:
            self.send(
                {
                    "type": "progress",
                    "incumbent": finite_or_none(out.objective_function_value),
                    "bound": finite_or_none(out.mip_dual_bound),
                    "gap": finite_or_none(out.mip_gap),
                    "elapsed_s": time.perf_counter() - state["started"],
                }
            )

        def flush(now: float) -> None:
            pending = state["pending"]
            if pending is not None and now - state["sent_t"] >= self.progress_s:
                state["pending"], state["sent_t"] = None, now
                self.send({"type": "incumbent", "objective": pending[0]}, (pending[1],))

        def on_improving(event: Any) -> None:
            out = event.data_out
            state["pending"] = (float(out.objective_function_value), np.array(out.mip_solution, dtype=np.float64))
            report(out)
            flush(time.perf_counter())

        def on_interrupt(event: Any) -> None:
            on_lp_interrupt(event)
            now = time.perf_counter()
            flush(now)
            if now - state["progress_t"] >= self.progress_s:
                state["progress_t"] = now
                report(event.data_out)

        def on_lp_interrupt(event: Any) -> None:
            # written every time: HiGHS keeps a True from an earlier run of the same Highs
            event.data_in.user_interrupt = self.stop.is_set() and not self.ignore_stop

        self.highs.cbMipImprovingSolution.subscribe(on_improving)
        self.highs.cbMipInterrupt.subscribe(on_interrupt)
        self.highs.cbSimplexInterrupt.subscribe(on_lp_interrupt)
        self.highs.cbIpmInterrupt.subscribe(on_lp_interrupt)

    def handle(self, message: dict[str, Any], arrays: list[np.ndarray]) -> bool:
        """Carry out one command; False on ``close``."""
        command = message.get("cmd")
        if command == "close":
            return False
        if command == "load":
            self.highs.passModel(_lp(self.highspy, message, arrays))
        elif command == "options":
            for name, value in dict(message.get("options", {})).items():
                if self.highs.setOptionValue(str(name), value) != self.highspy.HighsStatus.kOk:
                    self.send({"type": "error", "message": f"HiGHS rejected option {name}={value!r}"})
        elif command == "row_bounds":
            self.highs.changeRowBounds(int(message["row"]), float(message["lower"]), float(message["upper"]))
        elif command == "start":
            solution = self.highspy.HighsSolution()
            solution.col_value = list(map(float, arrays[0]))
            solution.value_valid = True
            self.highs.setSolution(solution)
        elif command == "run":
            self.run(float(message["time_limit_s"]), float(message.get("progress_s", 0.25)))
        else:
            self.send({"type": "error", "message": f"unknown command {command!r}"})
        return True

    def run(self, time_limit_s: float, progress_s: float) -> None:
        self.progress_s = progress_s
        self.state.update(started=time.perf_counter(), progress_t=0.0, sent_t=-1.0, pending=None)
        limit = math.inf if self.ignore_stop else run_time_limit_s(self.highs, max(time_limit_s, 0.0))
        self.highs.setOptionValue("time_limit", limit)
        started = time.perf_counter()
        run_highs(self.highs)
        result = run_result(self.highs, time.perf_counter() - started)
        status = self.highs.getModelStatus()
        arrays = tuple(a for a in (result.col_value, result.row_dual) if a is not None)
        self.send(
            {
                "type": "result",
                "status": result.status,
                "model_status": str(status).rsplit(".", 1)[-1],
                "has_solution": result.has_solution,
                "objective": result.objective,
                "bound": result.bound,
                "gap": result.gap,
                "elapsed_s": result.elapsed_s,
                "detail": result.detail,
                "arrays": [
                    name
                    for name, a in (("col_value", result.col_value), ("row_dual", result.row_dual))
                    if a is not None
                ],
            },
            arrays,
        )


def _lp(highspy: Any, message: dict[str, Any], arrays: list[np.ndarray]) -> Any:
    """The HighsLp of a ``load`` message."""
    a = dict(zip(LP_ARRAYS, arrays, strict=True))
    lp = highspy.HighsLp()
    lp.num_col_ = int(message["num_col"])
    lp.num_row_ = int(message["num_row"])
    lp.sense_ = highspy.ObjSense(int(message["sense"]))
    for name in ("col_cost", "col_lower", "col_upper", "row_lower", "row_upper"):
        setattr(lp, name + "_", a[name].astype(np.float64))
    lp.integrality_ = [highspy.HighsVarType(int(v)) for v in a["integrality"]]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a["start"].astype(np.int32)
    lp.a_matrix_.index_ = a["index"].astype(np.int32)
    lp.a_matrix_.value_ = a["value"].astype(np.float64)
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    return lp


def _reader(stream: IO[bytes], commands: queue.Queue[Any], stop: threading.Event) -> None:
    """Read commands; ``stop`` takes effect at once (the main thread is inside HiGHS)."""
    try:
        while True:
            item = read_message(stream, max_blob_bytes=1 << 34)
            if item is None:
                break
            if item[0].get("cmd") == "stop":
                stop.set()
                continue
            if item[0].get("cmd") == "run":
                stop.clear()  # here, not in the main thread: a stop read after this run counts
            commands.put(item)
    except ProtocolError:
        pass
    stop.set()  # end of input or a broken parent: finish the current run and exit
    commands.put(None)


def main(argv: list[str] | None = None) -> int:
    """Serve one parent until it closes our stdin."""
    args = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdout.flush()
    out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    child = _Child(out, ignore_stop="--ignore-stop" in args)
    commands: queue.Queue[Any] = queue.Queue()
    threading.Thread(target=_reader, args=(sys.stdin.buffer, commands, child.stop), daemon=True).start()
    child.send({"type": "ready", "pid": os.getpid()})
    while True:
        item = commands.get()
        if item is None or not child.handle(*item):
            out.flush()
            # skip the interpreter's clean-up (HiGHS's thread pool takes ~1 s to wind down):
            # nothing is left to write, and the parent waits for this exit
            os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
