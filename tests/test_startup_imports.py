"""Lazy start-up: the light commands never import the heavy libraries.

``dcplan --help``, ``dcplan catalog ...`` and ``dcplan size ...`` run in a fresh interpreter;
afterwards ``sys.modules`` must hold none of pyomo, textual, dask (pint's optional dask
probe included), scipy.stats, SALib, openpyxl or matplotlib. A control run of the solve
path shows the check does see them when they are imported, and dask still works in the
same process after pint was imported without it (sweeps need it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = ("pyomo", "textual", "dask", "distributed", "scipy.stats", "SALib", "openpyxl", "matplotlib")

# Runs one command through the CLI's own entry point, then reports what was imported.
_PROBE = """
import contextlib, io, json, sys
from dcplan.planner.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(json.loads(sys.argv[1]))
forbidden = json.loads(sys.argv[2])
loaded = sorted(m for m in sys.modules if any(m == f or m.startswith(f + ".") for f in forbidden))
print(json.dumps({"code": code, "stdout": len(out.getvalue()), "loaded": loaded, "pint": "pint" in sys.modules}))
"""


def _probe(args: list[str], script: str = _PROBE) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(args), json.dumps(FORBIDDEN)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "DCPLAN_CATALOG"},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


SYSTEM = "trn3-ultraserver-gen2"


@pytest.mark.parametrize(
    ("args", "needs_pint"),
    [
        (["--help"], False),
        (["catalog", "--help"], False),
        (["size", "--help"], False),
        (["catalog", "list"], True),
        (["catalog", "list", "--json"], True),
        (["catalog", "show", SYSTEM], True),
        (["catalog", "show", SYSTEM, "--json"], True),
        (["catalog", "validate", "catalogs"], True),
        (["catalog", "schema"], True),
        (["size", "--system", SYSTEM, "--count", "4"], True),
        (["size", "--system", SYSTEM, "--power", "5 MW", "--json"], True),
        (["size", "--system", SYSTEM, "--count", "4", "--supply-temp", "35degC", "--slab", "15kN/m**2"], True),
    ],
)
def test_light_commands_import_no_heavy_library(args, needs_pint):
    report = _probe(args)
    assert report["code"] == 0 and report["stdout"] > 0, report
    assert report["loaded"] == [], f"`dcplan {' '.join(args)}` imported {report['loaded']}"
    # --help needs neither pint nor the catalog; the commands that read the catalog do need pint
    assert report["pint"] == needs_pint


def test_the_check_sees_a_heavy_import_when_there_is_one():
    script = _PROBE.replace("code = main(", "import dcplan.planner.formulation; code = main(")
    report = _probe(["--help"], script)
    assert "pyomo" in report["loaded"], report


def test_dask_works_after_pint_was_imported_without_it():
    script = """
import sys
import dcplan.models.units as u
import pint.compat
assert "dask" not in sys.modules and not pint.compat.HAS_DASK
import dask
import dask.array
total = dask.compute(dask.delayed(sum)([1, 2, 3]), scheduler="sync")[0]
array_sum = float(dask.array.ones(10, chunks=5).sum().compute(scheduler="sync"))
quantity = u.parse_quantity("1.5 MW").to("kW").magnitude
print(total, array_sum, quantity)
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["6", "10.0", "1500.0"]


def test_pint_is_hidden_from_probes_only_while_it_is_imported():
    from dcplan.models import ARRAY_PROBES, without_array_probes

    before = {name: sys.modules.get(name, "absent") for name in ARRAY_PROBES}
    with without_array_probes():
        for name in ARRAY_PROBES:
            if before[name] == "absent":
                assert sys.modules[name] is None
                with pytest.raises(ImportError):
                    __import__(name)
    assert {name: sys.modules.get(name, "absent") for name in ARRAY_PROBES} == before


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("4", "4")])
def test_the_console_script_keeps_openblas_to_one_thread_unless_told(monkeypatch, capsys, given, expected):
    from dcplan.planner.cli import run

    monkeypatch.setenv("OPENBLAS_NUM_THREADS", given or "unset")  # recorded: restored after the test
    if given is None:
        monkeypatch.delenv("OPENBLAS_NUM_THREADS")
    monkeypatch.setattr(sys, "argv", ["dcplan", "--help"])
    with pytest.raises(SystemExit) as done:
        run()
    assert done.value.code == 0 and "Usage" in capsys.readouterr().out
    assert os.environ["OPENBLAS_NUM_THREADS"] == expected
