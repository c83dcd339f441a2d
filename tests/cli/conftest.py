"""Fixtures of the CLI tests: the hand-checkable catalog of tests/planner."""

from tests.planner.conftest import ideal_catalog

__all__ = ["ideal_catalog"]
