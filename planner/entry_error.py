"""One error for a bad entry of a scenario table the model data reads (``[[utility_limit]]``,
``[[onsite_power]]``, ``[[water_loop]]``): the line names file, entry, field and what was
expected, and the error carries each for ``--json`` and the editor."""

from __future__ import annotations

from typing import Any, TypeVar

from dcplan.models.errors import DcplanError

E = TypeVar("E", bound=DcplanError)


def entry_error(kind: type[E], scenario: Any, table: str, index: int, name: str, expected: str, got: Any) -> E:
    """``<file>: [[<table>]] #<index + 1> field <name>: expected <expected>, got <got>`` as a
    ``kind``: the entry named as the scenario schema's errors name it (planner.scenario_file)."""
    where, entry = scenario.source, f"[[{table}]] #{index + 1}"
    return kind(
        f"{where}: {entry} field {name}: expected {expected}, got {got}",
        file=where,
        entry=entry,
        field=name,
        expected=expected,
        got=str(got),
    )
