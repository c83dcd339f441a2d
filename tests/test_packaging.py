"""dcplan installs as ONE import package, ``dcplan``, in regular and editable installs.

The regular install is checked in a fresh virtual environment outside the checkout: the
wheel ``pip install .`` would install, built from this checkout, holds nothing but
``dcplan/`` and its metadata; ``import dcplan`` works from any folder while ``import
models`` / ``planner`` / ``tui`` / ``catalogs`` fail; the console command and the shipped
data work. The editable install (the one the tests run in) is checked the same way from
outside the checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
OLD = ("models", "planner", "tui", "catalogs")


def _run(python: Path | str, code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}
    return subprocess.run([str(python), "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_every_package_folder_is_listed_in_pyproject():
    """A new sub-folder with an __init__.py must be named in [tool.setuptools] packages, or a
    regular install would silently leave it out."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    mapping = config["package-dir"]
    expected = {"dcplan"}
    for name, folder in mapping.items():
        if name == "dcplan":
            continue
        for init in sorted((REPO / folder).rglob("__init__.py")):
            parts = init.parent.relative_to(REPO / folder).parts
            if "_dcplan" in parts or "__pycache__" in parts:
                continue
            expected.add(".".join((name, *parts)))
    assert set(config["packages"]) == expected


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel of this checkout, built as `pip install .` builds it (in an isolated build environment)."""
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (found,) = out.glob("dcplan-*.whl")
    return found


def test_the_wheel_holds_only_the_dcplan_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"dcplan", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    for needed in (
        "dcplan/__init__.py",
        "dcplan/planner/cli/__init__.py",
        "dcplan/models/units.py",
        "dcplan/models/units.txt",
        "dcplan/models/units.expressions.json",
        "dcplan/tui/dcplan.tcss",
        "dcplan/catalogs/aws-trainium.toml",
        "dcplan/catalogs/plan.schema.json",
        "dcplan/catalogs/scenarios/aws-hybrid-campus.toml",
    ):
        assert needed in names, needed
    assert not [n for n in names if "/_dcplan/" in n]  # installed once, as dcplan/__init__.py


@pytest.fixture(scope="module")
def fresh_venv(wheel, tmp_path_factory) -> Path:
    """A new venv outside the checkout with the wheel installed; its dependencies come from
    the test venv's site-packages (added after the install, so pip never sees the editable
    dcplan there), so no download is needed."""
    where = tmp_path_factory.mktemp("fresh") / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(where)
    python = where / "bin" / "python"
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fresh_site = Path(_run(python, "import sysconfig; print(sysconfig.get_paths()['purelib'])", where).stdout.strip())
    (fresh_site / "zz-dcplan-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return where


def test_fresh_venv_imports_dcplan_from_any_folder_and_not_the_old_names(fresh_venv, tmp_path):
    python = fresh_venv / "bin" / "python"
    proc = _run(python, "import dcplan; print(dcplan.__version__); print(dcplan.__file__)", tmp_path)
    assert proc.returncode == 0, proc.stderr
    version, where = proc.stdout.split()
    assert version == "0.1.0"
    assert Path(where).is_relative_to(fresh_venv)  # the installed copy, not the checkout
    for name in OLD:
        proc = _run(python, f"import {name}", tmp_path)
        assert proc.returncode != 0 and "ModuleNotFoundError" in proc.stderr, (name, proc.stdout, proc.stderr)
    site = Path(_run(python, "import sysconfig; print(sysconfig.get_paths()['purelib'])", tmp_path).stdout.strip())
    assert not [p.name for p in site.iterdir() if p.name in OLD]


def test_fresh_venv_console_command_and_shipped_data(fresh_venv, tmp_path):
    dcplan = fresh_venv / "bin" / "dcplan"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    shown = subprocess.run([str(dcplan), "--help"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0 and "solve" in shown.stdout, shown.stderr
    sized = subprocess.run(
        [str(dcplan), "size", "--system", "trn3-ultraserver-gen2", "--count", "2", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert sized.returncode == 0, sized.stderr
    assert json.loads(sized.stdout)["units"] == 2
    proc = _run(fresh_venv / "bin" / "python", "import dcplan; print(dcplan.DEMO_SCENARIO.is_file())", tmp_path)
    assert proc.stdout.strip() == "True", proc.stderr


def test_editable_install_has_the_same_names(tmp_path):
    """The venv the tests run in (an editable install) answers the same way outside the checkout."""
    proc = _run(sys.executable, "import dcplan, dcplan.models, dcplan.planner, dcplan.tui, dcplan.catalogs", tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name in OLD:
        assert _run(sys.executable, f"import {name}", tmp_path).returncode != 0, name
