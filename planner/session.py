"""One HiGHS model kept loaded across runs: the interface the solve and the marginal values share.

A session holds one LP/MIP (a ``highspy.HighsLp`` from ``planner.matrix``) and runs it
again after small changes (one row bound, a warm start), so a re-solve costs neither a
rebuild nor a hand-over. ``InProcessSession`` runs HiGHS in this process (HiGHS's own
time limit only); ``ChildSession`` runs it in a child process (planner/highs_child.py), so a
run can be stopped at its deadline even where HiGHS ignores its time limit: the run returns
no later than ``time_limit_s + STOP_GRACE_S + KILL_GRACE_S`` (1 s) after it starts, with the
last incumbent the child streamed, or none. Child sessions are pooled (``acquire`` /
``release``): one stays alive for the next solve in the same process and is closed at exit.

Both take ``watch(on_progress, cancel)`` before a run: ``on_progress(incumbent, bound, gap,
elapsed_s)`` is called in the thread that called ``run`` (the child's: from its stream), a
set ``cancel`` stops the run at HiGHS's next callback. Time limits: planner.highs_clock.

Status words of a run (``RunResult.status``):

- ``optimal``: HiGHS met the gap target (or solved the LP);
- ``time-limit``: the time limit passed (with or without a solution: see ``has_solution``);
- ``infeasible``: HiGHS proved there is no solution;
- ``interrupted``: the run was stopped on request (cancel) or by a watchdog;
- ``other``: any other HiGHS model status (its text in ``detail``)."""

from __future__ import annotations

import atexit
import contextlib
import json
import math
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from dcplan.planner.highs_clock import run_highs, run_time_limit_s

#: called with (incumbent, bound, gap, elapsed_s), any of the first three may be None
ProgressCallback = Callable[[float | None, float | None, float | None, float], None]


@dataclass
class RunResult:
    """What one run returned. Objective and bound in the model's units (PFLOPS or MUSD)."""

    status: str
    has_solution: bool
    objective: float | None
    bound: float | None
    gap: float | None
    col_value: np.ndarray | None
    row_dual: np.ndarray | None
    elapsed_s: float
    detail: str = ""
    model_status: str = ""  # HiGHS's model status name ("kOptimal", "kTimeLimit", ...); "" if unknown


class Session(Protocol):
    """A loaded HiGHS model that can be changed a little and run again."""

    def load(self, lp: Any) -> None:
        """Replace the loaded model with ``lp`` (a highspy.HighsLp)."""

    def set_options(self, options: dict[str, Any]) -> None:
        """Set HiGHS options by name (``{"presolve": "off", "mip_rel_gap": 1e-3}``)."""

    def change_row_bounds(self, row: int, lower: float, upper: float) -> None:
        """Set the bounds of one row (HiGHS row index)."""

    def set_start(self, col_value: np.ndarray) -> None:
        """Give HiGHS a starting solution (one value per column) for the next run."""

    def run(self, time_limit_s: float) -> RunResult:
        """Run the loaded model; return no later than about ``time_limit_s`` from now."""

    def close(self) -> None:
        """Release the model (and any process holding it)."""


_STATUS = {
    "kOptimal": "optimal",
    "kTimeLimit": "time-limit",
    "kInfeasible": "infeasible",
    "kInterrupt": "interrupted",
}


def run_result(highs: Any, elapsed_s: float) -> RunResult:
    """Read a finished run off a ``highspy.Highs``; gap = |bound - objective| / max(|objective|, 1e-9)."""
    import highspy

    model_status = highs.getModelStatus()
    info = highs.getInfo()
    has_solution = info.primal_solution_status >= 2  # kSolutionStatusFeasible
    objective = float(info.objective_function_value) if has_solution else None
    is_mip = highs.getNumCol() > 0 and any(v != highspy.HighsVarType.kContinuous for v in highs.getLp().integrality_)
    if is_mip:
        bound: float | None = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
    else:
        bound = objective if model_status == highspy.HighsModelStatus.kOptimal else None
    gap = abs(bound - objective) / max(abs(objective), 1e-9) if objective is not None and bound is not None else None
    solution = highs.getSolution() if has_solution else None
    row_dual = None
    if solution is not None and not is_mip and info.dual_solution_status >= 2:
        row_dual = np.asarray(solution.row_dual, dtype=np.float64)
    name = highs.modelStatusToString(model_status)
    key = str(model_status).rsplit(".", 1)[-1]
    return RunResult(
        status=_STATUS.get(key, "other"),
        has_solution=has_solution,
        objective=objective,
        bound=bound,
        gap=gap,
        col_value=np.asarray(solution.col_value, dtype=np.float64) if solution is not None else None,
        row_dual=row_dual,
        elapsed_s=elapsed_s,
        detail=name,
        model_status=key,
    )


def quiet_highs() -> Any:
    """A ``highspy.Highs`` with its output off; the banner HiGHS prints (from C, on the
    process's stdout) when the first one is made is sent to /dev/null, since stdout may be
    a ``--json`` answer or a protocol pipe."""
    import os
    import sys

    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
            highs = highspy.Highs()
            highs.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return highs


class InProcessSession:
    """A Session on a highspy.Highs in this process (HiGHS's own time limit only: no watchdog)."""

    def __init__(self, options: dict[str, Any] | None = None, highs: Any = None) -> None:
        """A new quiet Highs, or ``highs`` (one another library made, e.g. Pyomo's) to watch."""
        self.highs = highs if highs is not None else quiet_highs()
        self.set_options(options or {})
        self.on_progress: ProgressCallback | None = None
        self.cancel: threading.Event | None = None
        self._subscribed = False
        self.started = time.perf_counter()

    def watch(self, on_progress: ProgressCallback | None, cancel: threading.Event | None) -> None:
        """Progress and cancel for the next runs (HiGHS's MIP and LP callbacks)."""
        self.on_progress, self.cancel = on_progress, cancel
        if not self._subscribed:
            self._subscribed = True
            _subscribe(self.highs, self)

    def load(self, lp: Any) -> None:
        self.highs.passModel(lp)

    def set_options(self, options: dict[str, Any]) -> None:
        for name, value in options.items():
            self.highs.setOptionValue(name, value)

    def change_row_bounds(self, row: int, lower: float, upper: float) -> None:
        self.highs.changeRowBounds(int(row), float(lower), float(upper))

    def set_start(self, col_value: np.ndarray) -> None:
        import highspy

        solution = highspy.HighsSolution()
        solution.col_value = list(map(float, col_value))
        solution.value_valid = True
        self.highs.setSolution(solution)

    def run(self, time_limit_s: float) -> RunResult:
        self.highs.setOptionValue("time_limit", run_time_limit_s(self.highs, max(float(time_limit_s), 0.0)))
        started = self.started = time.perf_counter()
        run_highs(self.highs)
        return run_result(self.highs, time.perf_counter() - started)

    def close(self) -> None:
        self.highs.clear()


def finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _subscribe(highs: Any, session: InProcessSession) -> None:
    """Progress at every improving solution and every 0.25 s; the cancel event as an interrupt."""
    last = {"t": 0.0}

    def report(out: Any) -> None:
        if session.on_progress is not None:
            elapsed = time.perf_counter() - session.started
            session.on_progress(
                finite_or_none(out.objective_function_value),
                finite_or_none(out.mip_dual_bound),
                finite_or_none(out.mip_gap),
                elapsed,
            )

    def on_improving(event: Any) -> None:
        report(event.data_out)

    def on_interrupt(event: Any) -> None:
        on_lp_interrupt(event)
        now = time.perf_counter()
        if now - last["t"] > 0.25:
            last["t"] = now
            report(event.data_out)

    def on_lp_interrupt(event: Any) -> None:
        # root LPs run for seconds without MIP callbacks; set always: HiGHS keeps an earlier True
        event.data_in.user_interrupt = session.cancel is not None and session.cancel.is_set()

    highs.cbMipImprovingSolution.subscribe(on_improving)
    highs.cbMipInterrupt.subscribe(on_interrupt)
    highs.cbSimplexInterrupt.subscribe(on_lp_interrupt)
    highs.cbIpmInterrupt.subscribe(on_lp_interrupt)


#: after the time limit, the child is asked to stop; this long after that it is killed
STOP_GRACE_S = 0.5
KILL_GRACE_S = 0.5
#: how often the child streams progress and its latest incumbent's column values
PROGRESS_S = 0.25
#: test seam: a JSON list replacing the child's command line (``[python, -m, module, ...]``)
CHILD_ARGV_ENV = "DCPLAN_HIGHS_CHILD_ARGV"


def child_argv() -> list[str]:
    """The child's command line: ``$DCPLAN_HIGHS_CHILD_ARGV`` (a JSON list) if set."""
    override = os.environ.get(CHILD_ARGV_ENV)
    if override:
        argv = json.loads(override)
        if not (isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv)):
            raise ValueError(f"{CHILD_ARGV_ENV}: expected a JSON list of strings")
        return argv
    return [sys.executable, "-m", "dcplan.planner.highs_child"]


class ChildSession:
    """A Session whose HiGHS runs in a child process, with a watchdog on every run.

    The child is started at construction and its start-up (~0.2 s of imports) overlaps
    whatever the caller does next; the first command waits for it. Every command since the
    last ``load`` is kept, so a child that died or was killed is replaced on the next
    command and given the same model again.
    """

    def __init__(self, options: dict[str, Any] | None = None, argv: list[str] | None = None) -> None:
        self.argv = argv or child_argv()
        self.on_progress: ProgressCallback | None = None
        self.cancel: threading.Event | None = None
        self._replay: list[bytes] = []
        self._num_col = 0
        self._num_row = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._start()
        if options:
            self.set_options(options)

    # --- the child process -------------------------------------------------------------
    def _start(self) -> None:
        self._proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            process_group=0,  # Ctrl-C in the terminal reaches us, never the child directly
            close_fds=True,
        )
        self._messages: queue.Queue[Any] = queue.Queue()
        self._ready = False
        reader = threading.Thread(target=self._read, args=(self._proc, self._messages), daemon=True)
        reader.start()

    def _read(self, proc: subprocess.Popen[bytes], messages: queue.Queue[Any]) -> None:
        from dcplan.planner.highs_child import ProtocolError, read_message

        assert proc.stdout is not None

        def limit() -> int:  # the largest array the child may send: one float64 per column or row
            return 8 * (max(self._num_col, self._num_row) + 1) + 1024

        try:
            while True:
                item = read_message(proc.stdout, max_blob_bytes=limit)
                if item is None:
                    messages.put(("gone", "the HiGHS child process exited"))
                    return
                messages.put(("message", item))
        except (ProtocolError, OSError, ValueError) as exc:
            messages.put(("gone", f"the HiGHS child process broke the protocol: {exc}"))

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def _send(self, data: bytes, keep: bool = True, restart: bool = True) -> None:
        if keep:
            self._replay.append(data)
        if not self.alive and not restart:
            return
        if not self.alive:
            self._kill()
            self._start()
            data = b"".join(self._replay) if keep else b"".join(self._replay) + data
        assert self._proc is not None and self._proc.stdin is not None
        try:
            self._proc.stdin.write(data)
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the run sees the child gone

    # --- the Session methods -----------------------------------------------------------
    def load(self, lp: Any) -> None:
        from dcplan.planner.highs_child import encode

        m = lp.a_matrix_
        arrays: list[np.ndarray] = [
            np.asarray(lp.col_cost_, dtype=np.float64),
            np.asarray(lp.col_lower_, dtype=np.float64),
            np.asarray(lp.col_upper_, dtype=np.float64),
            np.asarray(lp.row_lower_, dtype=np.float64),
            np.asarray(lp.row_upper_, dtype=np.float64),
            np.asarray([int(v) for v in lp.integrality_], dtype=np.int8),
            np.asarray(m.start_, dtype=np.int32),
            np.asarray(m.index_, dtype=np.int32),
            np.asarray(m.value_, dtype=np.float64),
        ]
        if m.format_ != _colwise():
            raise ValueError("ChildSession.load needs a column-wise matrix (planner.matrix builds one)")
        self._num_col, self._num_row = int(lp.num_col_), int(lp.num_row_)
        options = [d for d in self._replay if d.startswith(b'{"cmd":"options"')]
        self._replay = options
        scalars = {"num_col": self._num_col, "num_row": self._num_row, "sense": int(lp.sense_)}
        self._send(encode({"cmd": "load", **scalars}, arrays))

    def set_options(self, options: dict[str, Any]) -> None:
        from dcplan.planner.highs_child import encode

        self._send(encode({"cmd": "options", "options": options}))

    def change_row_bounds(self, row: int, lower: float, upper: float) -> None:
        from dcplan.planner.highs_child import encode

        self._send(encode({"cmd": "row_bounds", "row": int(row), "lower": float(lower), "upper": float(upper)}))

    def set_start(self, col_value: np.ndarray) -> None:
        from dcplan.planner.highs_child import encode

        self._send(encode({"cmd": "start"}, [np.asarray(col_value, dtype=np.float64)]))

    def watch(self, on_progress: ProgressCallback | None, cancel: threading.Event | None) -> None:
        self.on_progress, self.cancel = on_progress, cancel

    def run(self, time_limit_s: float) -> RunResult:
        """Run; the watchdog asks the child to stop STOP_GRACE_S after the time limit (or at
        a cancel) and kills it KILL_GRACE_S later, returning the last streamed incumbent."""
        from dcplan.planner.highs_child import encode

        limit = max(float(time_limit_s), 0.0)
        started = time.perf_counter()
        self._send(encode({"cmd": "run", "time_limit_s": limit, "progress_s": PROGRESS_S}), keep=False)
        watch = _Watch(self, started, limit)
        try:
            while True:
                result = self._step(watch)
                if result is not None:
                    return result
        except BaseException:
            # an on_progress that raised (or a KeyboardInterrupt) leaves HiGHS running: a
            # child mid-run must never go back to the pool
            self._kill()
            raise

    def _step(self, watch: _Watch) -> RunResult | None:
        """Handle the next message (or a 20 ms tick): the run's result once there is one."""
        try:
            kind, payload = self._messages.get(timeout=0.02)
        except queue.Empty:
            kind, payload = "tick", None
        if kind == "gone":
            self._kill()
            return watch.without_child(str(payload))
        if kind == "message":
            result = watch.message(*payload)
            if result is not None:
                return result
        return watch.tick()

    def close(self) -> None:
        """Ask the child to exit, and make sure it has."""
        from dcplan.planner.highs_child import encode

        proc = self._proc
        if proc is not None and proc.poll() is None and proc.stdin is not None:
            try:
                proc.stdin.write(encode({"cmd": "close"}))
                proc.stdin.close()
                proc.wait(timeout=0.5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill()


def _colwise() -> Any:
    import highspy

    return highspy.MatrixFormat.kColwise


class _Watch:
    """One child run as the parent sees it: progress, the last incumbent, the deadlines."""

    def __init__(self, session: ChildSession, started: float, limit_s: float) -> None:
        self.session = session
        self.started = started
        self.stop_at = started + limit_s + STOP_GRACE_S
        self.kill_at: float | None = None
        self.incumbent: tuple[float, np.ndarray] | None = None
        self.bound: float | None = None
        self.errors: list[str] = []

    def message(self, message: dict[str, Any], arrays: list[np.ndarray]) -> RunResult | None:
        kind = message.get("type")
        n = self.session._num_col
        if kind == "progress":
            values = [message.get(k) for k in ("incumbent", "bound", "gap", "elapsed_s")]
            if not all(v is None or (isinstance(v, int | float) and math.isfinite(v)) for v in values):
                return self._broken("a progress message with non-numbers")
            if values[1] is not None:
                self.bound = float(values[1])
            if self.session.on_progress is not None:
                self.session.on_progress(values[0], values[1], values[2], float(values[3] or 0.0))
        elif kind == "incumbent":
            objective = message.get("objective")
            if not _vector(arrays, 1, n) or not isinstance(objective, int | float):
                return self._broken("an incumbent of the wrong shape")
            self.incumbent = (float(objective), arrays[0].astype(np.float64))
        elif kind == "result":
            return self._result(message, arrays, n)
        elif kind == "error":
            self.errors.append(str(message.get("message"))[:500])
        return None

    def _result(self, message: dict[str, Any], arrays: list[np.ndarray], n: int) -> RunResult | None:
        names = message.get("arrays", [])
        expected = {"col_value": n, "row_dual": self.session._num_row}
        if not isinstance(names, list) or len(names) != len(arrays) or not all(name in expected for name in names):
            return self._broken("a result with unexpected arrays")
        found = dict(zip(names, arrays, strict=True))
        if not all(_vector([a], 1, expected[name]) for name, a in found.items()):
            return self._broken("a result array of the wrong shape")
        numbers = [message.get(k) for k in ("objective", "bound", "gap")]
        if not all(v is None or isinstance(v, int | float) for v in numbers):
            return self._broken("a result with non-numbers")
        status = message.get("status")
        if status not in ("optimal", "time-limit", "infeasible", "interrupted", "other"):
            return self._broken(f"unknown status {status!r}")
        col_value = found.get("col_value")
        has_solution = bool(message.get("has_solution")) and col_value is not None
        detail = str(message.get("detail", ""))[:200]
        if self.errors:
            detail += "; " + "; ".join(self.errors)
        return RunResult(
            status=str(status),
            has_solution=has_solution,
            objective=float(numbers[0]) if has_solution and numbers[0] is not None else None,
            bound=float(numbers[1]) if numbers[1] is not None else None,
            gap=float(numbers[2]) if has_solution and numbers[2] is not None else None,
            col_value=col_value.astype(np.float64) if has_solution and col_value is not None else None,
            row_dual=found["row_dual"].astype(np.float64) if "row_dual" in found else None,
            elapsed_s=time.perf_counter() - self.started,
            detail=detail,
            model_status=str(message.get("model_status", ""))[:40],
        )

    def _broken(self, why: str) -> RunResult:
        self.session._kill()
        return self.without_child(f"the HiGHS child process broke the protocol: {why}")

    def tick(self) -> RunResult | None:
        """Ask the child to stop at the deadline or a cancel; kill it if it does not."""
        from dcplan.planner.highs_child import encode

        now = time.perf_counter()
        cancelled = self.session.cancel is not None and self.session.cancel.is_set()
        if self.kill_at is None and (now >= self.stop_at or cancelled):
            self.kill_at = now + KILL_GRACE_S
            self.session._send(encode({"cmd": "stop"}), keep=False, restart=False)
        if self.kill_at is not None and now >= self.kill_at:
            self.session._kill()
            return self.without_child("watchdog: the HiGHS child did not stop in time and was killed")
        return None

    def without_child(self, detail: str) -> RunResult:
        """The run's result from what was streamed before the child was gone."""
        cancelled = self.session.cancel is not None and self.session.cancel.is_set()
        status = "interrupted" if cancelled else "time-limit" if "watchdog" in detail else "other"
        objective = self.incumbent[0] if self.incumbent is not None else None
        gap = None
        if objective is not None and self.bound is not None:
            gap = abs(self.bound - objective) / max(abs(objective), 1e-9)
        return RunResult(
            status=status,
            has_solution=self.incumbent is not None,
            objective=objective,
            bound=self.bound,
            gap=gap,
            col_value=self.incumbent[1] if self.incumbent is not None else None,
            row_dual=None,
            elapsed_s=time.perf_counter() - self.started,
            detail=detail,
        )


def _vector(arrays: list[np.ndarray], count: int, length: int) -> bool:
    return (
        len(arrays) == count
        and all(a.ndim == 1 and a.shape[0] == length and a.dtype.kind in "fiu" for a in arrays)
        and all(bool(np.all(np.isfinite(a))) for a in arrays)
    )


# --- the pool: child sessions kept alive for the next solve in this process ----------------
_POOL: list[ChildSession] = []
_POOL_LOCK = threading.Lock()


def acquire(options: dict[str, Any] | None = None) -> ChildSession:
    """An idle child session (started earlier by ``prestart`` or a previous solve), or a new one."""
    with _POOL_LOCK:
        while _POOL:
            session = _POOL.pop()
            if session.alive:
                break
            session.close()
        else:
            session = ChildSession()
    session.watch(None, None)
    if options:
        session.set_options(options)
    return session


def release(session: ChildSession) -> None:
    """Give a session back for the next solve (closed instead if its child is gone)."""
    session.watch(None, None)
    if not session.alive:
        session.close()
        return
    with _POOL_LOCK:
        _POOL.append(session)


def prestart() -> None:
    """Start a child now, so its start-up overlaps the model-data build (no-op if one idles)."""
    with _POOL_LOCK:
        if not any(s.alive for s in _POOL):
            _POOL.append(ChildSession())


@atexit.register
def close_all() -> None:
    """Close every pooled child (at exit, and for tests that check for stray processes)."""
    with _POOL_LOCK:
        sessions, _POOL[:] = list(_POOL), []
    for session in sessions:
        session.close()
