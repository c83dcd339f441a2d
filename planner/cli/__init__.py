"""The `dcplan` command line: catalog browsing, sizing, solving, exporting, sweeps and the UI.

``main`` is the one place where outcomes become text and exit codes:

- any ``DcplanError`` (a user mistake, found by the layer that detects it) is one line
  ``dcplan: error: <file>: <entry>: <field>: expected ..., got ...`` per message, exit 2
  (or the error's own ``exit_code``); a usage error of a flag (click/typer) likewise;
- with ``--json`` anywhere on the command line an error is instead ONE JSON object on
  stderr: ``{"error", "file", "entry", "field", "expected", "got", "messages", "exit_code"}``;
- Ctrl-C at any point, including while the command modules are being imported, is
  "dcplan: interrupted", exit 130, no traceback (the command itself writes nothing);
- stdout closed by the reader (``dcplan catalog list | head``) ends quietly, exit 1;
- anything else is a bug: one line "dcplan: internal error: <Type>: <message> ...", exit 70
  (``DCPLAN_TRACEBACK=1`` prints the traceback too).

This module imports only the standard library at import time, so the console script
reaches ``run()``'s guard before typer, pydantic or pint are imported.
"""

from __future__ import annotations

# Only modules the interpreter has loaded already (site imports contextlib and importlib):
# until ``run`` is entered no guard turns a Ctrl-C into "dcplan: interrupted", so this
# module's own import is kept short (json is imported where an error is written as JSON).
import contextlib
import gc
import importlib
import os
import sys
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

REPORT_HINT = "please report this to the dcplan maintainers with the command you ran (DCPLAN_TRACEBACK=1 shows where)"


def __getattr__(name: str) -> Any:
    """``planner.cli.app`` (the typer app) without importing typer when the package is imported."""
    if name == "app":
        from dcplan.planner.cli.root import app

        return app
    raise AttributeError(name)


def _one_line(text: object) -> str:
    """A message flattened to one line (newlines and tabs become spaces)."""
    return " ".join(str(text).split()) if ("\n" in str(text) or "\r" in str(text)) else str(text).replace("\t", " ")


def _emit(lines: list[str], record: dict[str, Any], as_json: bool, prefix: str = "dcplan: error: ") -> None:
    """Write an outcome: ``prefix + line`` per line, or one JSON object under ``--json``."""
    if as_json:
        import json

        sys.stderr.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    else:
        for line in lines:
            sys.stderr.write(f"{prefix}{_one_line(line)}\n")
    sys.stderr.flush()


def _present_error(exc: Any, as_json: bool) -> int:
    """A DcplanError as its lines (or its JSON record); returns its exit code."""
    code = int(getattr(exc, "exit_code", EXIT_BAD_INPUT))
    lines = [_one_line(line) for line in exc.lines]
    record = {**exc.as_json(), "error": lines[0], "messages": lines, "exit_code": code}
    _emit(lines, record, as_json)
    return code


def _present_usage(exc: Any, as_json: bool) -> int:
    """A click usage error (unknown option, bad value, missing argument) as one line, exit 2."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "dcplan"
    message = _one_line(exc.format_message())
    param = getattr(exc, "param", None)
    field = None
    if param is not None:
        opts = getattr(param, "opts", None) or []
        field = max(opts, key=len) if opts else getattr(param, "name", None)
    sub = command.removeprefix("dcplan").strip()
    line = f"{sub + ': ' if sub else ''}{message} (see `{command} --help`)"
    record = {
        "error": line,
        "file": None,
        "entry": None,
        "field": field,
        "expected": None,
        "got": None,
        "messages": [line],
        "exit_code": EXIT_BAD_INPUT,
    }
    _emit([line], record, as_json)
    return EXIT_BAD_INPUT


def _interrupted(as_json: bool) -> int:
    record = {"error": "interrupted", "messages": ["interrupted"], "exit_code": EXIT_INTERRUPTED}
    with contextlib.suppress(OSError, KeyboardInterrupt):
        _emit(["interrupted"], record, as_json, prefix="dcplan: ")
    return EXIT_INTERRUPTED


def _internal(exc: BaseException, as_json: bool) -> int:
    text = _one_line(exc) or "(no message)"
    if len(text) > 500:
        text = text[:500] + "..."
    line = f"{type(exc).__name__}: {text} — {REPORT_HINT}"
    if os.environ.get("DCPLAN_TRACEBACK"):
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    record = {"error": f"internal error: {line}", "type": type(exc).__name__, "exit_code": EXIT_INTERNAL}
    _emit([line], record, as_json, prefix="dcplan: internal error: ")
    return EXIT_INTERNAL


def _quiet_stdout() -> None:
    """After EPIPE on stdout: point it at /dev/null so the interpreter's final flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a real file (in-process tests): nothing will flush to a pipe


def _click_classes() -> dict[str, tuple[type[BaseException], ...]]:
    """The exception classes of the click typer runs on (typer >= 0.2x vendors click as
    ``typer._click``; older typer uses click itself): usage errors, exit, abort, help."""
    found: dict[str, list[type[BaseException]]] = {"usage": [], "exit": [], "abort": [], "help": []}
    modules: list[Any] = []
    for name in ("typer._click.exceptions", "typer.exceptions", "click.exceptions"):
        if name == "click.exceptions" and modules and modules[0].__name__ == "typer._click.exceptions":
            break  # typer runs on its own copy of click; importing click as well cost ~8 ms a start
        try:
            modules.append(importlib.import_module(name))
        except ImportError:
            continue
    for module in modules:
        for key, attr in (
            ("usage", "ClickException"),
            ("exit", "Exit"),
            ("abort", "Abort"),
            ("help", "NoArgsIsHelpError"),
        ):
            cls = getattr(module, attr, None)
            if isinstance(cls, type) and issubclass(cls, BaseException) and cls not in found[key]:
                found[key].append(cls)
    return {key: tuple(classes) for key, classes in found.items()}


#: the lean dispatch raises no click exception (click is not even imported): nothing to catch
_NO_CLICK: dict[str, tuple[type[BaseException], ...]] = {"usage": (), "exit": (), "abort": (), "help": ()}


def _invoke(args: list[str], lean: Any) -> int:
    """Run the command; click never prints or exits on its own (we present every outcome).
    ``lean``: the command ready to run without typer (``planner.cli.lean``), or None."""
    if lean is not None:
        lean()
        return EXIT_OK
    from dcplan.planner.cli.root import click_command

    command = click_command(args)
    with command.make_context("dcplan", list(args)) as ctx:
        command.invoke(ctx)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a command and turn every outcome into an exit code (see module doc)."""
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args
    try:
        # bound before the handlers below name them (an except clause naming an unbound
        # class would itself fail while a Ctrl-C during these imports is handled)
        from dcplan.models.errors import DcplanError
        from dcplan.planner.cli.lean import lean_command

        lean = lean_command(args)
        classes = _click_classes() if lean is None else _NO_CLICK
    except KeyboardInterrupt:
        return _interrupted(as_json)
    except Exception as exc:
        return _internal(exc, as_json)
    try:
        try:
            return _invoke(args, lean)
        except DcplanError as exc:
            return _present_error(exc, as_json)
        except classes["help"] as exc:
            # `dcplan catalog` alone: its help is what was asked for
            sys.stdout.write(exc.ctx.get_help() + "\n")  # type: ignore[attr-defined]
            return EXIT_OK
        except classes["usage"] as exc:
            return _present_usage(exc, as_json)
        except classes["exit"] as exc:
            return int(getattr(exc, "exit_code", 0) or 0)
        except classes["abort"]:
            return _interrupted(as_json)
        except SystemExit as exc:
            if exc.code is None:
                return EXIT_OK
            return exc.code if isinstance(exc.code, int) else EXIT_INTERNAL
        except BrokenPipeError:
            _quiet_stdout()
            return EXIT_FAILED
        except Exception as exc:
            return _internal(exc, as_json)
    except KeyboardInterrupt:
        return _interrupted(as_json)


def run() -> None:
    """Console-script wrapper (``dcplan``): ``main`` with a last guard for Ctrl-C.

    OpenBLAS, loaded with numpy, starts a worker thread per core that spins ~0.1 s of CPU
    at every start, taken from whatever else the machine runs; dcplan does no dense linear
    algebra (HiGHS has its own threads), so one BLAS thread unless the user chose otherwise.
    The cyclic garbage collector is paused from here: start-up makes ~90,000 container
    objects that live to the end (modules, classes, pydantic validators, the unit registry)
    and the collector rescanned them ~130-150 times, 60-85 ms of `dcplan size` or of the
    XL campus solve (measured at load 5), to free about 1 MB of cyclic garbage; reference
    counting frees everything else.
    Commands that run long (solve, sweep, the UI) call ``common.resume_gc`` once their
    start-up is over; the others exit first.
    When ``run`` is the process's main program (the console script, ``python -m``) it ends
    through ``exit_without_teardown``; called from other code it raises SystemExit as usual.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    collecting = gc.isenabled()
    gc.disable()
    try:
        code = main()
    except KeyboardInterrupt:
        code = _interrupted("--json" in sys.argv[1:])
    if getattr(sys.modules.get("__main__"), "run", None) is run:
        exit_without_teardown(code)
    if collecting:
        gc.enable()  # called from other code (a test): its process goes on collecting
    sys.exit(code)


def exit_without_teardown(code: int) -> None:
    """End the process as the interpreter would, minus freeing every object and module.

    Python's own exit joins the other non-daemon threads, runs the atexit handlers (the
    HiGHS child pool closes there, logging flushes), flushes stdout and stderr, then tears
    down every module and object: ~70 ms after `dcplan size` or `dcplan solve` (pint's
    registry, pydantic's validators, the plan), memory the operating system reclaims at
    once anyway. So: when no other non-daemon thread is alive, run the atexit handlers and
    flush here, then ``os._exit``. Returns (the caller exits normally) if a thread is still
    running or a flush fails (a reader that closed the pipe: Python's usual message and exit).
    """
    import atexit
    import threading

    main_thread = threading.main_thread()
    if any(t is not main_thread and not t.daemon and t.is_alive() for t in threading.enumerate()):
        return
    try:
        atexit._run_exitfuncs()  # runs each handler once and clears them (a later normal exit runs none)
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return
    except KeyboardInterrupt:  # Ctrl-C after the command was done: quiet, as during a command
        os._exit(EXIT_INTERRUPTED)
    os._exit(code)
