"""The calendar of a roadmap (issue 14): consecutive quarters or calendar years.

Periods are real calendar periods: a quarter starts on Jan 1, Apr 1, Jul 1 or Oct 1 and a
year on Jan 1, so ``hours(t)`` is calendar days x 24 (2028Q1 has 91 days = 2,184 h, 2027Q1
90 days = 2,160 h; the year 2028 8,784 h). Money and lives count in nominal years:
``years_per_period`` is 0.25 (quarter) or 1.0 (year) and ``years_from_start(t) = t x
years_per_period`` (a quarter is a quarter of a year whatever its days; stated, so
discounting and straight-line residual value are exact on whole periods).

Labels: ``"2027Q3"`` for a quarter, ``"2027"`` for a year. A date maps to the period that
contains it (``index_of``), which may be before the start (< 0) or after the end
(>= periods); the caller decides what that means (a hall ready before the start is ready in
period 0; a step after the end never happens within the horizon).

Pure python: no pint, no pydantic. Bad text raises ``ValueError`` with a one-line message
(the scenario loader turns it into a ``ScenarioError`` naming the file and field).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

PeriodKind = Literal["quarter", "year"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("quarter", "year")
#: the longest roadmap accepted (80 quarters = 20 years): the MIP grows with every period
MAX_PERIODS = 80
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
HOURS_PER_DAY = 24

_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_FORMS = "a quarter such as '2027Q3', a year such as '2027' or an ISO date such as '2027-07-01'"


def _checked_year(day: date, text: str) -> date:
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise ValueError(f"expected a year from {EARLIEST_YEAR} to {LATEST_YEAR}, got {text!r}")
    return day


def _shown(text: object) -> str:
    shown = repr(text)
    return shown if len(shown) <= 40 else f"{shown[:40]}... ({len(shown):,} characters)"


def parse_day(value: object) -> date:
    """The first day named by ``value``: ``"2027Q3"`` -> 2027-07-01, ``"2027"`` -> 2027-01-01,
    ``"2027-08-15"`` or a ``date`` -> itself. Raise ``ValueError`` (one line) otherwise."""
    if isinstance(value, date):
        return _checked_year(value if type(value) is date else date(value.year, value.month, value.day), str(value))
    if not isinstance(value, str):
        raise ValueError(f"expected {DATE_FORMS}, got {_shown(value)}")
    text = value.strip()
    quarter = _QUARTER.match(text)
    try:
        if quarter:
            day = date(int(quarter.group(1)), 3 * int(quarter.group(2)) - 2, 1)
        elif _YEAR.match(text):
            day = date(int(text), 1, 1)
        elif _ISO.match(text):
            day = date.fromisoformat(text)
        else:
            raise ValueError(text)
    except ValueError:
        raise ValueError(f"expected {DATE_FORMS}, got {_shown(value)}") from None
    return _checked_year(day, text)


def is_year_label(value: object) -> bool:
    """True for a bare year such as ``"2027"`` (a whole year, not its first day)."""
    return isinstance(value, str) and bool(_YEAR.match(value.strip()))


def is_quarter_label(value: object) -> bool:
    return isinstance(value, str) and bool(_QUARTER.match(value.strip()))


def _quarter_number(day: date) -> int:
    """Quarters since year 0: (year x 4 + quarter - 1)."""
    return day.year * 4 + (day.month - 1) // 3


@dataclass(frozen=True)
class Calendar:
    """``periods`` consecutive quarters or calendar years from the one containing ``start``.

    ``start`` is snapped to its period's first day (2026-02-10, quarterly -> 2026-01-01).
    """

    start: date
    period: PeriodKind
    periods: int

    def __post_init__(self) -> None:
        if self.period not in PERIOD_KINDS:
            raise ValueError(f"period: expected 'quarter' or 'year', got {_shown(self.period)}")
        if isinstance(self.periods, bool) or not isinstance(self.periods, int):
            raise ValueError(f"periods: expected a whole number from 1 to {MAX_PERIODS}, got {_shown(self.periods)}")
        if not 1 <= self.periods <= MAX_PERIODS:
            raise ValueError(f"periods: expected 1 to {MAX_PERIODS}, got {self.periods}")
        snapped = self._first_day(self._number(self.start))
        object.__setattr__(self, "start", snapped)
        last = self._first_day(self._number(snapped) + self.periods)
        if last.year > LATEST_YEAR + 1:
            raise ValueError(f"the roadmap ends after {LATEST_YEAR}: {self.periods} {self.period}s from {snapped}")

    @classmethod
    def between(cls, start: object, end: object, period: PeriodKind) -> Calendar:
        """The calendar from the period containing ``start`` to the one containing ``end``
        (both included); ``end`` before ``start`` raises ``ValueError``."""
        probe = cls(parse_day(start), period, 1)
        count = probe.index_of(parse_day(end)) + 1
        if count < 1:
            raise ValueError(f"end {_shown(end)} is before start {_shown(start)}")
        if count > MAX_PERIODS:
            raise ValueError(f"end: at most {MAX_PERIODS} periods, {_shown(start)} to {_shown(end)} is {count}")
        return cls(probe.start, period, count)

    # -- period numbering ------------------------------------------------------------
    def _number(self, day: date) -> int:
        """The period number of ``day`` on an absolute scale (quarters or years since year 0)."""
        return _quarter_number(day) if self.period == "quarter" else day.year

    def _first_day(self, number: int) -> date:
        if self.period == "quarter":
            return date(number // 4, 3 * (number % 4) + 1, 1)
        return date(number, 1, 1)

    @property
    def years_per_period(self) -> float:
        """[y] nominal length of one period: 0.25 (quarter) or 1.0 (year)."""
        return 0.25 if self.period == "quarter" else 1.0

    @property
    def starts(self) -> list[date]:
        """First day of every period."""
        base = self._number(self.start)
        return [self._first_day(base + t) for t in range(self.periods)]

    @property
    def end(self) -> date:
        """The day after the last period (its exclusive end)."""
        return self._first_day(self._number(self.start) + self.periods)

    @property
    def labels(self) -> list[str]:
        return [self.label_of(day) for day in self.starts]

    def label_of(self, day: date) -> str:
        """The label of the period containing ``day``: ``"2027Q3"`` or ``"2027"``."""
        if self.period == "quarter":
            return f"{day.year}Q{(day.month - 1) // 3 + 1}"
        return str(day.year)

    def label(self, t: int) -> str:
        """The label of period index ``t`` (any integer: before the start or after the end too)."""
        return self.label_of(self._first_day(self._number(self.start) + t))

    def start_of(self, t: int) -> date:
        """First day of period index ``t`` (any integer: before the start or after the end too)."""
        return self._first_day(self._number(self.start) + t)

    def first_period_from(self, day: date) -> int:
        """The first period starting on or after ``day``: something done mid-period (a hall
        shell ready on 2027-02-10) is usable from the next period."""
        t = self.index_of(day)
        return t if self.start_of(t) == day else t + 1

    def index_of(self, day: date) -> int:
        """Index of the period containing ``day`` (< 0 before the start, >= periods after)."""
        return self._number(day) - self._number(self.start)

    def index_of_text(self, value: object) -> int:
        """``index_of(parse_day(value))``: a label or date to its period index."""
        return self.index_of(parse_day(value))

    def indices_of(self, value: object) -> list[int]:
        """The in-horizon period indices a label covers: a year label ``"2027"`` covers every
        period of 2027 (four quarters, or the one year); a quarter label or a date covers the
        period containing it. A quarter on a yearly calendar is refused (not a period of it)."""
        if self.period == "year" and is_quarter_label(value):
            raise ValueError(f"{_shown(value)} is a quarter, and the roadmap's periods are years")
        day = parse_day(value)
        if is_year_label(value):
            first = self.index_of(day)
            span = 4 if self.period == "quarter" else 1
            return [t for t in range(first, first + span) if 0 <= t < self.periods]
        t = self.index_of(day)
        return [t] if 0 <= t < self.periods else []

    # -- lengths ---------------------------------------------------------------------
    def days(self, t: int) -> int:
        """Calendar days of period ``t``."""
        base = self._number(self.start) + t
        return (self._first_day(base + 1) - self._first_day(base)).days

    def hours(self, t: int) -> float:
        """[h] real length of period ``t``: calendar days x 24."""
        return float(self.days(t) * HOURS_PER_DAY)

    def years_from_start(self, t: int) -> float:
        """[y] nominal time from the roadmap start to the start of period ``t``: t x years_per_period."""
        return t * self.years_per_period

    @property
    def horizon_years(self) -> float:
        """[y] nominal length of the whole roadmap."""
        return self.periods * self.years_per_period

    def periods_for(self, years: float) -> int:
        """Whole periods covering a duration: ``ceil(years / years_per_period - 1e-9)`` (>= 0).

        The 1e-9 keeps an exact multiple (0.5 y = 2 quarters) from rounding up on float noise.
        """
        if not math.isfinite(years) or years < 0:
            raise ValueError(f"expected a duration >= 0, got {years!r} years")
        return max(0, math.ceil(years / self.years_per_period - 1e-9))


__all__ = [
    "DATE_FORMS",
    "MAX_PERIODS",
    "PERIOD_KINDS",
    "Calendar",
    "PeriodKind",
    "is_quarter_label",
    "is_year_label",
    "parse_day",
]
