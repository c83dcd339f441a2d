"""The layer rule of DESIGN.md: tui -> planner -> models, checked in fresh interpreters."""

import json
import subprocess
import sys

import pytest


def _modules_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _top(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize(
    "statement",
    [
        "import models",
        "import models.catalog, models.sizing, models.fleet, models.units",
    ],
)
def test_models_imports_no_pyomo_textual_planner_or_tui(statement):
    top = _top(_modules_after(statement))
    assert not top & {"pyomo", "textual", "tui", "planner"}, top & {"pyomo", "textual", "tui", "planner"}


@pytest.mark.parametrize("statement", ["import planner", "import planner.cli"])
def test_planner_imports_no_textual_or_tui(statement):
    top = _top(_modules_after(statement))
    assert not top & {"textual", "tui"}, top & {"textual", "tui"}
