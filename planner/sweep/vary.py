"""``--vary FIELD=LOW:HIGH``: a range on a scenario field or on a scalar catalog figure.

``FIELD`` is ``scenario.NAME`` (the ``[scenario]`` header), ``TABLE.ID.NAME`` for a scenario
table (``site``, ``hall``, ``row``, ``candidate``, ``cloud``, ``workload``, ``share``), or
``KIND.ID.NAME`` for a catalog figure (which replaces that figure's catalog range). Both
ends are read with the field's own unit rules (pydantic validates them as the schema
would), and every error is one line naming the flag.
"""

from __future__ import annotations

import re
import types
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, Union, get_args, get_origin

import numpy as np
from pydantic import BaseModel

from dcplan.models.catalog import Catalog
from dcplan.models.catalog.loader import UnknownIdError
from dcplan.models.catalog.sourced import Sourced
from dcplan.planner.scenario import (
    Candidate,
    CloudOffer,
    Haircut,
    Hall,
    Row,
    Scenario,
    ScenarioHeader,
    ShareBound,
    SiteLimits,
    Workload,
)
from dcplan.planner.sweep.errors import SweepInputError
from dcplan.planner.sweep.inputs import POWER_ORDER, Domain, Follower, Target, UncertainInput, magnitude, unit_text

#: Scenario tables --vary may address, with the model of one item and its id field.
SCENARIO_TABLES: dict[str, tuple[type[BaseModel], str]] = {
    "site": (SiteLimits, "id"),
    "hall": (Hall, "id"),
    "row": (Row, "id"),
    "candidate": (Candidate, "system"),
    "cloud": (CloudOffer, "id"),
    "workload": (Workload, "id"),
    "share": (ShareBound, "family|software"),
    "haircut": (Haircut, "claim"),
}

_VARY = re.compile(r"^\s*([^=\s]+)\s*=\s*(.+?)\s*:\s*(.+?)\s*$")
VARY_EXAMPLE = "site.ashburn-va.utility_power=120MW:180MW"


def annotated_type(annotation: Any, metadata: Sequence[Any]) -> Any:
    """The field's type with its constraints, ``None`` stripped from optionals."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            annotation = args[0]
    if metadata:
        return Annotated[(annotation, *metadata)]
    return annotation


def _base_type(annotation: Any) -> Any:
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


def numeric_kind(annotation: Any) -> str | None:
    base = _base_type(annotation)
    if base is int:
        return "int"
    if base is float:
        return "float"
    if getattr(base, "__name__", "") == "Quantity":
        return "quantity"
    return None


def _read_end(flag: str, side: str, text: str, annotation: Any) -> tuple[float, str]:
    """Validate one end of a --vary range with the field's own rules; (canonical value, unit)."""
    from pydantic import TypeAdapter, ValidationError

    kind = numeric_kind(annotation)
    value: Any = text
    if kind == "int":
        if not re.fullmatch(r"\s*[-+]?\d+\s*", text):
            raise SweepInputError(f"{flag}: {side} {text!r}: expected a whole number")
        value = int(text)
    elif kind == "float":
        value = _plain_number(flag, side, text)
    try:
        result = TypeAdapter(annotation).validate_python(value)
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise SweepInputError(f"{flag}: {side} {text!r}: {message}") from None
    if kind == "quantity":
        return float(np.asarray(result.magnitude, dtype=float)), unit_text(result.units)
    return (int(result) if kind == "int" else float(result)), ("count" if kind == "int" else "")


def _plain_number(flag: str, side: str, text: str) -> float:
    """A bare number ('0.08') or a dimensionless quantity ('8 %')."""
    from dcplan.models.units import UnitInputError, parse_ratio

    try:
        return parse_ratio(text)
    except UnitInputError as exc:
        raise SweepInputError(f"{flag}: {side} {text!r}: {exc}") from None


def _find_item(scenario: Scenario, table: str, item_id: str, flag: str) -> Any:
    items = getattr(scenario, table)
    for item in items:
        if table == "candidate" and item.system == item_id:
            return item
        if table == "share" and item_id in (item.family, item.software):
            return item
        if table not in ("candidate", "share") and item.id == item_id:
            return item
    if table == "candidate":
        known = [i.system for i in items]
    elif table == "share":
        known = [i.family or i.software for i in items]
    else:
        known = [i.id for i in items]
    raise SweepInputError(f"{flag}: no [[{table}]] {item_id!r} in the scenario (known: {', '.join(known) or 'none'})")


@dataclass(frozen=True)
class _Field:
    """What ``--vary`` addresses: the target, its type (with the schema's constraints),
    its current value, and the catalog figure when it is one."""

    target: Target
    annotation: Any
    base: Any
    sourced: Sourced[Any] | None = None


def parse_vary(text: str, scenario: Scenario, catalog: Catalog) -> UncertainInput:
    """Read ``FIELD=LOW:HIGH`` into an input; raise SweepInputError (one line) otherwise."""
    match = _VARY.match(text)
    if not match:
        raise SweepInputError(f"--vary {text!r}: expected FIELD=LOW:HIGH, e.g. {VARY_EXAMPLE}")
    path, low_text, high_text = match.groups()
    flag = f"--vary {path}"
    addressed = _addressed_field(path, flag, scenario, catalog)
    low, unit = _read_end(flag, "LOW", low_text, addressed.annotation)
    high, _ = _read_end(flag, "HIGH", high_text, addressed.annotation)
    if low > high:
        raise SweepInputError(f"{flag}: LOW {low_text!r} is above HIGH {high_text!r}")
    if low == high:
        raise SweepInputError(f"{flag}: LOW and HIGH are equal ({low_text!r}); nothing to vary")
    sourced = addressed.sourced
    if sourced is not None and isinstance(sourced.value, int) and not isinstance(sourced.value, bool):
        domain = Domain("int", low, high)
        unit = "count"
    else:
        domain = Domain("int" if unit == "count" else "float", low, high)
    return UncertainInput(
        target=addressed.target,
        domain=domain,
        unit=unit,
        base=addressed.base,
        origin="vary",
        followers=_power_followers(addressed.target, catalog),
        source=sourced.source if sourced is not None else None,
        confidence=sourced.confidence if sourced is not None else None,
        text=text.strip(),
    )


def _addressed_field(path: str, flag: str, scenario: Scenario, catalog: Catalog) -> _Field:
    """``scenario.NAME``, ``TABLE.ID.NAME`` (scenario table) or ``KIND.ID.NAME`` (catalog)."""
    parts = path.split(".")
    if len(parts) < 2 or any(not p for p in parts):
        raise SweepInputError(f"{flag}: expected scenario.FIELD or TABLE.ID.FIELD, e.g. {VARY_EXAMPLE}")
    head, field_name = parts[0], parts[-1]
    item_id = ".".join(parts[1:-1])
    if head == "scenario" and len(parts) == 2:
        return _header_field(field_name, flag, scenario)
    if len(parts) < 3:
        raise SweepInputError(f"{flag}: expected scenario.FIELD or TABLE.ID.FIELD, e.g. {VARY_EXAMPLE}")
    if head in SCENARIO_TABLES and field_name in SCENARIO_TABLES[head][0].model_fields:
        return _table_field(head, item_id, field_name, flag, scenario)
    return _catalog_field(head, item_id, field_name, flag, catalog)


def _header_field(field_name: str, flag: str, scenario: Scenario) -> _Field:
    """A numeric field of the ``[scenario]`` header."""
    info = ScenarioHeader.model_fields.get(field_name)
    if info is None or numeric_kind(annotated_type(info.annotation, info.metadata)) is None:
        numeric = [
            n for n, i in ScenarioHeader.model_fields.items() if numeric_kind(annotated_type(i.annotation, i.metadata))
        ]
        raise SweepInputError(f"{flag}: not a numeric [scenario] field (one of: {', '.join(numeric)})")
    return _Field(
        target=Target("scenario", "scenario", "", field_name),
        annotation=annotated_type(info.annotation, info.metadata),
        base=magnitude(getattr(scenario.scenario, field_name)),
    )


def _table_field(table: str, item_id: str, field_name: str, flag: str, scenario: Scenario) -> _Field:
    """A numeric field of one item of a scenario table (``[[site]]``, ``[[candidate]]`` ...)."""
    model, _ = SCENARIO_TABLES[table]
    info = model.model_fields[field_name]
    annotation = annotated_type(info.annotation, info.metadata)
    if numeric_kind(annotation) is None:
        raise SweepInputError(f"{flag}: {field_name} of [[{table}]] is not a number that can be varied")
    item = _find_item(scenario, table, item_id, flag)
    return _Field(
        target=Target("scenario", table, item_id, field_name),
        annotation=annotation,
        base=magnitude(getattr(item, field_name)),
    )


def _catalog_field(kind: str, entry_id: str, field_name: str, flag: str, catalog: Catalog) -> _Field:
    """A scalar sourced figure of a catalog entry (its value's own type and unit rules)."""
    from dcplan.models.catalog.schema import KINDS

    if kind not in KINDS:
        tables = ", ".join(["scenario", *SCENARIO_TABLES, *(k for k in KINDS if k not in SCENARIO_TABLES)])
        raise SweepInputError(f"{flag}: unknown table {kind!r} (one of: {tables})")
    try:
        entry = catalog.get(kind, entry_id)
    except UnknownIdError as exc:
        raise SweepInputError(f"{flag}: {exc}") from None
    sourced = getattr(entry, field_name, None) if field_name in type(entry).model_fields else None
    if not isinstance(sourced, Sourced):
        hint = ""
        if kind == "site":
            hint = f"; scenario [[site]] fields: {', '.join(f for f in SiteLimits.model_fields if f != 'id')}"
        raise SweepInputError(f"{flag}: {kind} {entry_id!r} has no sourced figure {field_name!r}{hint}")
    if isinstance(magnitude(sourced.value), tuple):
        raise SweepInputError(f"{flag}: {field_name} is an array; its catalog range is sampled as a whole")
    info = type(sourced).model_fields["value"]
    return _Field(
        target=Target("catalog", kind, entry_id, field_name),
        annotation=annotated_type(info.annotation, info.metadata),
        base=magnitude(sourced.value),
        sourced=sourced,
    )


def _power_followers(target: Target, catalog: Catalog) -> tuple[Follower, ...]:
    """A varied system power figure drives the ones below it (design -> typical -> idle)."""
    if not (target.where == "catalog" and target.kind == "system" and target.field in POWER_ORDER):
        return ()
    system = catalog.system(target.id)
    below = POWER_ORDER[POWER_ORDER.index(target.field) + 1 :]
    return tuple(
        Follower(Target("catalog", "system", target.id, b), "scale", base=float(getattr(system, b).magnitude))
        for b in below
    )


def merge_inputs(catalog_ranges: list[UncertainInput], varied: list[UncertainInput]) -> list[UncertainInput]:
    """``--vary`` inputs replace catalog ranges on the same field; they are never followers."""
    names = [v.name for v in varied]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SweepInputError(f"--vary {duplicates[0]}: given twice")
    explicit = {v.target for v in varied}
    out: list[UncertainInput] = []
    for item in catalog_ranges:
        if item.target in explicit:
            continue
        followers = tuple(f for f in item.followers if f.target not in explicit)
        out.append(replace(item, followers=followers) if followers != item.followers else item)
    for item in varied:
        followers = tuple(f for f in item.followers if f.target not in explicit)
        out.append(replace(item, followers=followers))
    return out
