"""The layer rule of docs/architecture.md: tui -> planner -> models, checked in fresh
interpreters on the installed names (dcplan.models, dcplan.planner, dcplan.tui), and no
module of the project importing itself under the old top-level names."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OLD_NAMES = {"models", "planner", "tui", "catalogs"}


def _modules_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    # run outside the checkout, so only the installed package can answer
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _top(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def _dcplan_layers(modules: set[str]) -> set[str]:
    return {m.split(".")[1] for m in modules if m.startswith("dcplan.") and m.count(".") >= 1}


@pytest.mark.parametrize(
    "statement",
    [
        "import dcplan.models",
        "import dcplan.models.catalog, dcplan.models.sizing, dcplan.models.fleet, dcplan.models.units",
    ],
)
def test_models_imports_no_pyomo_textual_planner_or_tui(statement):
    modules = _modules_after(statement)
    assert not _top(modules) & {"pyomo", "textual"}, _top(modules) & {"pyomo", "textual"}
    assert not _dcplan_layers(modules) & {"planner", "tui"}, sorted(m for m in modules if m.startswith("dcplan."))


@pytest.mark.parametrize(
    "statement", ["import dcplan.planner", "import dcplan.planner.cli", "import dcplan.planner.api"]
)
def test_planner_imports_no_textual_or_tui(statement):
    modules = _modules_after(statement)
    assert "textual" not in _top(modules)
    assert "tui" not in _dcplan_layers(modules), sorted(m for m in modules if m.startswith("dcplan."))


def test_import_dcplan_alone_imports_no_layer():
    """``import dcplan`` (the console script imports it first) resolves the API lazily."""
    modules = _modules_after("import dcplan")
    assert not _dcplan_layers(modules), sorted(m for m in modules if m.startswith("dcplan."))
    assert not _top(modules) & {"pint", "pydantic", "pyomo", "numpy", "textual"}


def _imported_names(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append((node.lineno, node.module))
    return names


def test_no_module_imports_the_old_top_level_names():
    """Every import of the project is spelled dcplan.*: an old name would load a second copy
    of a module inside the checkout and fail outside it."""
    found = []
    for folder in ("models", "planner", "tui", "catalogs", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for line, name in _imported_names(path):
                if name.split(".")[0] in OLD_NAMES:
                    found.append(f"{path.relative_to(ROOT)}:{line}: {name}")
    assert not found, found
