"""Adding and removing a scenario's ``[roadmap]`` in the editor (issue 14): pure functions on
the plain scenario mapping, so the screen only asks and shows (tui/screens/scenario.py).

Adding ``[roadmap]`` to a single-period scenario moves what the roadmap replaces
(planner.scenario_roadmap.REPLACED_HEADER_FIELDS: ``[scenario]`` objective, target,
tco_horizon, annual_opex_budget; refused with ``[roadmap]``) out of ``[scenario]``: the
objective becomes the roadmap's (min-tco -> min-npv-tco, anything else
max-cumulative-delivered) and a TCO horizon of whole years the number of quarters. Removing
``[roadmap]`` removes every roadmap-only table and field too (refused without it), so either
way the result validates as far as the rest of the scenario does. The screen names what goes
before it does it.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

#: periods of a new [roadmap] when the scenario gives no TCO horizon to take them from
DEFAULT_PERIODS = 20
QUARTERS_PER_YEAR = 4


def quarter_label(day: date) -> str:
    """The quarter containing ``day``: date(2026, 12, 2) -> "2026Q4" (models.calendar's label)."""
    from dcplan.models.calendar import Calendar

    return Calendar(start=day, period="quarter", periods=1).label(0)


def _horizon_years(value: Any) -> float | None:
    """A TCO horizon as the scenario reads it (planner.scenario's ``Years``: "5 year",
    "60 month") in years; None if it is not one."""
    from pydantic import TypeAdapter, ValidationError

    from dcplan.models.units import Years

    try:
        return float(TypeAdapter(Years).validate_python(value).m_as("year"))
    except (ValidationError, ValueError, TypeError):
        return None


def new_roadmap(data: dict[str, Any], today: date) -> dict[str, Any]:
    """The ``[roadmap]`` table the editor adds: quarters from the current one, as many as the
    scenario's TCO horizon covers (else DEFAULT_PERIODS), with the objective that matches."""
    from dcplan.models.calendar import MAX_PERIODS

    header = data.get("scenario") if isinstance(data.get("scenario"), dict) else {}
    years = _horizon_years(header.get("tco_horizon"))
    periods = DEFAULT_PERIODS if years is None else int(min(max(round(years * QUARTERS_PER_YEAR), 1), MAX_PERIODS))
    objective = "min-npv-tco" if header.get("objective") == "min-tco" else "max-cumulative-delivered"
    return {"start": quarter_label(today), "period": "quarter", "periods": periods, "objective": objective}


def replaced_fields(data: dict[str, Any]) -> list[str]:
    """What adding ``[roadmap]`` removes: the ``[scenario]`` fields it replaces ("name = value").
    ``[fabric]`` and ``[[utility_limit]]`` stay: the roadmap applies them per period."""
    from dcplan.planner.scenario_roadmap import REPLACED_HEADER_FIELDS

    header = data.get("scenario") if isinstance(data.get("scenario"), dict) else {}
    return [f"{name} = {header[name]!r}" for name in REPLACED_HEADER_FIELDS if name in header]


def with_roadmap(data: dict[str, Any], today: date) -> dict[str, Any]:
    """``data`` with a new ``[roadmap]`` (``new_roadmap``) and without the ``[scenario]``
    fields it replaces (every other table stays); ``data`` itself is not changed."""
    from dcplan.planner.scenario_roadmap import REPLACED_HEADER_FIELDS

    out = copy.deepcopy(data)
    out["roadmap"] = new_roadmap(data, today)
    if isinstance(out.get("scenario"), dict):
        for name in REPLACED_HEADER_FIELDS:
            out["scenario"].pop(name, None)
    return out


def roadmap_parts(data: dict[str, Any]) -> list[str]:
    """What removing ``[roadmap]`` removes: "[roadmap]", "[[site_power]] x 2", "hall.ready x 3"."""
    from dcplan.planner.scenario_roadmap import ROADMAP_FIELDS, ROADMAP_TABLES

    parts = ["[roadmap]"] if "roadmap" in data else []
    for table in ROADMAP_TABLES:
        if table in data:
            items = data[table]
            parts.append(f"[[{table}]] x {len(items)}" if isinstance(items, list) else f"{table}")
    for table, fields in ROADMAP_FIELDS.items():
        items = data.get(table)
        if not isinstance(items, list):
            continue
        for name in fields:
            count = sum(1 for item in items if isinstance(item, dict) and name in item)
            if count:
                parts.append(f"{table}.{name} x {count}")
    return parts


def without_roadmap(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as a single-period scenario: no ``[roadmap]``, no roadmap-only table or field."""
    from dcplan.planner.scenario_roadmap import ROADMAP_FIELDS, ROADMAP_TABLES

    out = {key: copy.deepcopy(value) for key, value in data.items() if key != "roadmap" and key not in ROADMAP_TABLES}
    for table, fields in ROADMAP_FIELDS.items():
        items = out.get(table)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict):
                    for name in fields:
                        item.pop(name, None)
    return out
