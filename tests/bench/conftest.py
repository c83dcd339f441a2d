"""Benchmarks measure against baselines taken in the same run, so they must have the
machine to themselves: the default test run uses pytest-xdist (``-n auto``); benchmarks
refuse to run inside an xdist worker. Run them with ``pytest -n 0 -m bench tests/bench -s``."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _benchmarks_run_serially() -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.fail("benchmarks must run one at a time: add -n 0 (pytest -n 0 -m bench tests/bench -s)")
