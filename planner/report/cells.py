"""The typed cells every export shares: a :class:`Table` of typed columns (:class:`Column`), a key
:class:`Figure`, and :func:`format_value`, the one display style of a cell's value.

A column's ``key`` carries the unit (``it_power_kw``, ``capex_usd``: the CSV header) and its
``header`` is the human form ("IT power [kW]": XLSX, Markdown, HTML).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dcplan.planner.report.quantity import count, display, number, percent, unit_text, usd


@dataclass(frozen=True)
class Column:
    """One typed column. ``kind``: text, int, float, usd, ratio, bool, unit (a unit string), auto.

    ``decimals`` is the XLSX display format only; text renderings use
    :mod:`planner.report.quantity` (about 4 significant figures)."""

    key: str
    label: str
    unit: str | None = None
    kind: str = "text"
    decimals: int = 1

    @property
    def header(self) -> str:
        return f"{self.label} [{unit_text(self.unit)}]" if self.unit else self.label

    def format(self, value: Any) -> str:
        return format_value(value, self.kind, self.decimals)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def column(self, key: str) -> list[Any]:
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]

    def select(self, *keys: str) -> Table:
        """The same rows with only the named columns, in that order."""
        index = [[c.key for c in self.columns].index(k) for k in keys]
        return Table(
            self.name, tuple(self.columns[i] for i in index), [tuple(row[i] for i in index) for row in self.rows]
        )

    def records(self) -> list[dict[str, Any]]:
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]

    def formatted(self) -> list[list[str]]:
        return [[c.format(v) for c, v in zip(self.columns, row, strict=True)] for row in self.rows]


@dataclass(frozen=True)
class Figure:
    """One key figure: a labelled value with its unit and display format."""

    section: str
    label: str
    value: Any
    unit: str | None = None
    kind: str = "float"
    decimals: int = 1

    def format(self) -> str:
        return format_value(self.value, self.kind, self.decimals)


def format_value(value: Any, kind: str = "text", decimals: int = 1) -> str:
    """Display text of a cell, in the one style of :mod:`planner.report.quantity`: numbers with
    thousands separators and ~4 significant figures, counts as integers, ratios as percentages,
    unit strings with superscript powers. ``decimals`` is kept for the XLSX number format."""
    if value is None:
        return ""
    if isinstance(value, bool) or kind == "bool":
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        return display(value)
    if kind == "unit":
        return unit_text(str(value))
    if isinstance(value, (int, float)):
        if kind == "int":
            return count(value)
        if kind == "usd":
            return usd(value)
        if kind == "ratio":
            return percent(value)
        return number(value)
    return str(value)


Getter = Callable[[Any], Any]


def table_of(name: str, spec: Sequence[tuple[Column, Getter]], items: Iterable[Any]) -> Table:
    """A table of one row per item, each column given beside the getter of its value."""
    getters = [get for _, get in spec]
    return Table(name, tuple(column for column, _ in spec), [tuple(get(item) for get in getters) for item in items])


def in_unit(attr: str, unit: str) -> Getter:
    """Getter of an item's quantity ``attr`` as a plain float in ``unit`` (None stays None)."""

    def get(item: Any) -> float | None:
        value = getattr(item, attr)
        return None if value is None else float(value.m_as(unit))

    return get


def as_usd(q: Any) -> float:
    """A money quantity as plain USD."""
    return float(q.m_as("USD"))
