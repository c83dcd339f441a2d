"""``python -m planner.cli`` runs the dcplan command line."""

from planner.cli import run

run()
