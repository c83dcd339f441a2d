"""``python -m dcplan`` runs the dcplan command line."""

from dcplan.planner.cli import run

run()
