"""Running many samples: in this process, local worker processes, or a Dask cluster.

Every backend runs the same ``run_sample`` (pickled by its module path), so the results
are identical: ``workers=0`` solves in this process (debugging, tests), the default is a
pool of spawned local processes, and ``scheduler=`` reaches a Dask distributed cluster
(``tls://`` with ``DaskTls`` files, plain ``tcp://``, or ``"local"``: a LocalCluster on
127.0.0.1). A Dask client unpickles what the workers send back, so an untrusted cluster
can run code here: use TLS (or ``local``) and trusted workers. A cluster with no worker
for ``worker_timeout_s`` stops the sweep (``SweepRunError``) rather than waiting for ever.
``execute`` retries a sample that raised once, then reports it as ``error``.
"""

from __future__ import annotations

import os
import queue
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dcplan.planner.sweep.errors import InjectedFailure, SweepInputError, SweepRunError
from dcplan.planner.sweep.sample import SampleResult, SampleSpec, error_text, run_sample, start_error, warm_worker

MAX_ATTEMPTS = 2  # a sample that raises is retried once


@dataclass(frozen=True)
class FailedAttempt:
    """A sample attempt that raised (kept in the report even when its retry succeeded)."""

    phase: str
    index: int
    mix: int
    attempt: int
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {"phase": self.phase, "index": self.index, "mix": self.mix, "attempt": self.attempt, "error": self.error}


class _Backend:
    """Submits specs and hands back finished futures in completion order (a queue fed by
    done-callbacks, so collecting n results costs O(n), not O(n**2) waits)."""

    name = "backend"
    workers = 1

    def __init__(self) -> None:
        self._done: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def _track(self, future: Any) -> Any:
        future.add_done_callback(self._done.put)
        return future

    def next_done(self) -> Any:
        while True:  # short timeouts keep Ctrl-C responsive
            try:
                return self._done.get(timeout=0.5)
            except queue.Empty:
                continue

    def close(self) -> None:
        pass


class _InProcess(_Backend):
    """Runs each spec at submit time in this process (``workers=0``)."""

    name = "in-process"

    def submit(self, spec: SampleSpec) -> Any:
        from concurrent.futures import Future

        future: Future[SampleResult] = Future()
        try:
            future.set_result(run_sample(spec))
        except Exception as exc:
            future.set_exception(exc)
        return self._track(future)


class _Pool(_Backend):
    """Local worker processes (spawned; each imports the solver and loads the catalog once)."""

    name = "processes"

    def __init__(self, workers: int, dirs: tuple[str, ...], builtin: bool):
        super().__init__()
        self.workers = workers
        self._args = (dirs, builtin)
        self._executor = self._start()
        error = self._executor.submit(start_error).result()  # starts the pool; fails fast
        if error is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            raise SweepRunError(f"worker processes cannot start: {error}")

    def _start(self) -> Any:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=warm_worker,
            initargs=self._args,
        )

    def submit(self, spec: SampleSpec) -> Any:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self._track(self._executor.submit(run_sample, spec))
        except BrokenProcessPool:  # a worker died: start a fresh pool for the retries
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._start()
            return self._track(self._executor.submit(run_sample, spec))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class DaskTls:
    """TLS files for a ``tls://`` scheduler (the names of Dask's own ``--tls-*`` options):
    the CA that signed the scheduler's and workers' certificates, and this client's
    certificate and private key (PEM; the key may be inside the certificate file)."""

    ca_file: str
    cert: str
    key: str | None = None

    def check(self) -> None:
        """One line per unreadable file (dcplan's error, before Dask's ssl traceback)."""
        for flag, path in (("--tls-ca-file", self.ca_file), ("--tls-cert", self.cert), ("--tls-key", self.key)):
            if path is not None and not Path(path).is_file():
                raise SweepInputError(f"{flag} {path}: no such file")


def dask_security(address: str, tls: DaskTls | None) -> Any:
    """The ``distributed.security.Security`` for ``address``, or None for plain ``tcp://``.

    With ``tls`` the files are used and encryption is required. A ``tls://`` address
    without them takes Dask's own configuration (``distributed.comm.tls.ca-file``,
    ``.client.cert``, ``.client.key`` in ~/.config/dask/*.yaml or ``DASK_DISTRIBUTED__COMM__TLS__...``).
    """
    tls_address = address.startswith("tls://")
    if tls is not None and not tls_address:
        raise SweepInputError(f"--tls-ca-file/--tls-cert need a tls:// scheduler address, got {address!r}")
    if not tls_address:
        return None
    from distributed.security import Security

    if tls is not None:
        tls.check()
        return Security(
            tls_ca_file=tls.ca_file, tls_client_cert=tls.cert, tls_client_key=tls.key, require_encryption=True
        )
    security = Security(require_encryption=True)
    # set only when the Dask configuration names them (distributed.comm.tls.*)
    if not (getattr(security, "tls_ca_file", None) and getattr(security, "tls_client_cert", None)):
        raise SweepInputError(
            f"--scheduler {address}: a tls:// scheduler needs --tls-ca-file and --tls-cert (and --tls-key), "
            "or distributed.comm.tls settings in the Dask configuration"
        )
    return security


class _Dask(_Backend):
    """A Dask distributed cluster reached through its scheduler address.

    While samples are pending, the scheduler is asked every second how many workers it
    has; none for ``worker_timeout_s`` (the last worker died or left, or the scheduler is
    gone) stops the sweep with a SweepRunError instead of waiting for ever.
    """

    name = "dask"

    def __init__(
        self,
        address: str,
        dirs: tuple[str, ...],
        builtin: bool,
        client: Any = None,
        tls: DaskTls | None = None,
        worker_timeout_s: float = 60.0,
    ):
        from distributed import Client

        super().__init__()
        self._own = client is None
        self.worker_timeout_s = worker_timeout_s
        security = dask_security(address, tls) if client is None else None
        try:
            self.client = client or Client(address, timeout="10s", security=security)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SweepInputError(f"--scheduler {address}: cannot connect: {error_text(exc)}") from None
        self.address = address or str(self.client.scheduler.address)
        self.dashboard_link: str | None = None
        try:
            self.client.wait_for_workers(1, timeout=worker_timeout_s)
        except (TimeoutError, OSError) as exc:
            self.close()
            raise SweepRunError(
                f"--scheduler {self.address}: no worker joined within {worker_timeout_s:g} s "
                f"(--worker-timeout): {error_text(exc)}"
            ) from None
        workers = self.client.scheduler_info().get("workers", {}).values()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in workers))
        started = self.client.run(warm_worker, dirs, builtin)
        errors = [e for e in started.values() if e is not None]
        if errors:
            raise SweepRunError(f"{len(errors)} of {len(started)} Dask workers cannot start dcplan: {errors[0]}")
        self._no_workers_since: float | None = None
        self._last_check = 0.0

    def _worker_count(self) -> int:
        try:  # bounded: a scheduler that has gone must not block this check
            return len(self.client.sync(self.client.scheduler.ncores, callback_timeout=5))
        except Exception:
            return 0

    def next_done(self) -> Any:
        while True:
            try:
                future = self._done.get(timeout=0.5)
            except queue.Empty:
                self._watch_workers()
                continue
            self._no_workers_since = None
            return future

    def _watch_workers(self) -> None:
        now = time.monotonic()
        if now - self._last_check < 1.0:
            return
        self._last_check = now
        if self._worker_count() > 0:
            self._no_workers_since = None
            return
        if self._no_workers_since is None:
            self._no_workers_since = now
        elif now - self._no_workers_since >= self.worker_timeout_s:
            raise SweepRunError(
                f"--scheduler {self.address}: no workers for {self.worker_timeout_s:g} s "
                "(the last one died or left, or the scheduler is unreachable); stopped (--worker-timeout)"
            )

    def submit(self, spec: SampleSpec) -> Any:
        return self._track(self.client.submit(run_sample, spec, pure=False))

    def close(self) -> None:
        if self._own:
            self.client.close()


LOCAL_SCHEDULER = "local"
LOOPBACK = "127.0.0.1"


def local_cluster_kwargs(
    workers: int, host: str = LOOPBACK, dashboard: str | None = f"{LOOPBACK}:8787"
) -> dict[str, Any]:
    """``distributed.LocalCluster`` arguments for ``--scheduler local``: one single-threaded
    worker process per sample slot; scheduler, workers and dashboard listen on ``host``
    (loopback unless asked), the dashboard on ``dashboard`` (None: no dashboard).

    Dask's own defaults listen on every interface (dashboard ``:8787``), which on a shared
    or networked machine lets anyone who can reach the port see the cluster and submit work.
    """
    return {
        "n_workers": workers,
        "threads_per_worker": 1,
        "processes": True,
        "protocol": "tcp://",
        "host": host,
        "dashboard_address": dashboard,
        "worker_dashboard_address": None,
    }


class _LocalDask(_Dask):
    """A Dask LocalCluster started for this sweep and closed after it."""

    def __init__(self, workers: int, dirs: tuple[str, ...], builtin: bool, host: str, dashboard: str | None):
        from distributed import Client, LocalCluster

        self.cluster = LocalCluster(**local_cluster_kwargs(workers, host, dashboard))
        try:
            super().__init__("", dirs, builtin, client=Client(self.cluster), worker_timeout_s=60.0)
        except BaseException:
            self.cluster.close()
            raise
        self._own = True
        self.address = str(self.cluster.scheduler_address)
        self.dashboard_link = self.cluster.dashboard_link if dashboard is not None else None

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.cluster.close()


def make_backend(
    workers: int | None,
    scheduler: str | None,
    dirs: tuple[str, ...],
    builtin: bool,
    client: Any = None,
    tls: DaskTls | None = None,
    worker_timeout_s: float = 60.0,
    dask_host: str = LOOPBACK,
    dashboard: str | None = f"{LOOPBACK}:8787",
) -> Any:
    """``scheduler`` (or a Dask ``client``) -> Dask (``"local"``: a LocalCluster of ``workers``
    processes on ``dask_host``); ``workers=0`` -> this process; else a process pool."""
    if scheduler == LOCAL_SCHEDULER and client is None:
        return _LocalDask(workers or default_workers(), dirs, builtin, dask_host, dashboard)
    if scheduler is not None or client is not None:
        return _Dask(scheduler or "", dirs, builtin, client=client, tls=tls, worker_timeout_s=worker_timeout_s)
    if workers == 0:
        return _InProcess()
    return _Pool(workers or default_workers(), dirs, builtin)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


ProgressFn = Callable[[int, int, SampleResult], None]


def execute(
    specs: Sequence[SampleSpec], backend: Any, on_result: ProgressFn | None = None
) -> tuple[list[SampleResult], list[FailedAttempt]]:
    """Run every spec; a spec that raises is retried once, then reported as ``error``.

    Returns the results in spec order and every failed attempt. Infeasible samples are
    results like any other (status ``infeasible``).
    """
    pending: dict[Any, SampleSpec] = {}
    for spec in specs:
        pending[backend.submit(spec)] = spec
    results: dict[tuple[str, int, int], SampleResult] = {}
    failures: list[FailedAttempt] = []
    total = len(specs)
    try:
        while pending:
            future = backend.next_done()
            spec = pending.pop(future)
            try:
                result = future.result()
            except Exception as exc:  # a worker exception, a dead worker, a lost connection
                error = error_text(exc)
                if not isinstance(exc, InjectedFailure) and os.environ.get("DCPLAN_SWEEP_TRACEBACK"):
                    traceback.print_exception(exc)
                failures.append(FailedAttempt(spec.phase, spec.index, spec.mix, spec.attempt, error))
                if spec.attempt < MAX_ATTEMPTS:
                    retry = replace(spec, attempt=spec.attempt + 1)
                    pending[backend.submit(retry)] = retry
                    continue
                result = SampleResult(
                    index=spec.index,
                    phase=spec.phase,
                    mix=spec.mix,
                    status="error",
                    error=error,
                    attempts=spec.attempt,
                )
            results[(spec.phase, spec.mix, spec.index)] = result
            if on_result is not None:
                on_result(len(results), total, result)
    except BaseException:
        for future in pending:
            future.cancel()
        raise
    ordered = [results[(s.phase, s.mix, s.index)] for s in specs]
    return ordered, failures
