"""models/ and planner/ type-check cleanly with mypy (config in pyproject.toml).

mypy names modules after folders, and the checkout has no folder named ``dcplan``: the
test builds the installed layout as a tree of symbolic links (dcplan/__init__.py,
dcplan/models, dcplan/planner, ...) in a scratch folder and checks it there.
"""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def installed_layout(where: Path) -> Path:
    """``where/dcplan`` laid out as site-packages would hold it, made of links into the checkout."""
    package = where / "dcplan"
    package.mkdir()
    (package / "__init__.py").symlink_to(REPO / "planner" / "_dcplan" / "__init__.py")
    for folder in ("models", "planner", "tui", "catalogs"):
        (package / folder).symlink_to(REPO / folder, target_is_directory=True)
    return package


def test_models_and_planner_pass_mypy(tmp_path):
    installed_layout(tmp_path)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(REPO / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            "--exclude",
            "_dcplan",  # the same file as dcplan/__init__.py, checked once under that name
            "dcplan/__init__.py",
            "dcplan/models",
            "dcplan/planner",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
