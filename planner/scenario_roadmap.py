"""The roadmap tables of a scenario (issue 14): ``[roadmap]`` and the per-period schedules.

A scenario with a ``[roadmap]`` table plans over periods (quarters or calendar years, see
``dcplan.models.calendar``); without one it is single-period and every table and field here
is refused in one line naming it (so a single-period scenario solves exactly as before)::

    [roadmap]
    start = "2026Q1"          # the period containing it; a quarter, a year or an ISO date
    period = "quarter"        # quarter | year
    periods = 20              # 1..80, or end = "2030Q4" (exactly one)
    objective = "max-cumulative-delivered"   # | min-npv-tco

    [[site_power]]            # from this period on the site has `power` (a step)
    site = "ashburn-va"
    from = "2027Q3"
    power = "100 MW"

Steps (``site_power``, ``demand``, ``cloud_schedule``, a ``price`` step) take effect in the
period containing their ``from`` date; a date before the start takes effect at the start (of
two such steps the later date holds), a date after the end never within the horizon. Two
steps of one thing in the same period are refused (which one would hold is ambiguous).

Money over time: ``[scenario] budget`` caps the capex of the whole horizon and
``[[period_budget]]`` the capex of one period (or of every period of a year, summed);
``[scenario] discount_rate`` discounts per year. With ``[roadmap]`` the ``[scenario]``
fields ``objective``, ``target``, ``tco_horizon`` and ``annual_opex_budget`` are refused: the
roadmap's objective and horizon replace them (an opex cap per year has no roadmap meaning
yet). Row slots and density classes, cloud terms and AWS AI Factory entries are validated
here; their model meaning is planner.roadmap_slots / planner.roadmap_cloud.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING, Annotated, Any, Literal

import pint
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from dcplan.models.calendar import MAX_PERIODS, Calendar, parse_day
from dcplan.models.catalog.schema import ID_PATTERN, Id
from dcplan.models.units import Money, MoneyPerHour, PositivePower, QuantitySpec, Years

if TYPE_CHECKING:
    from dcplan.planner.scenario import Scenario

#: the roadmap-only arrays of tables, in file order
ROADMAP_TABLES = (
    "site_power",
    "period_budget",
    "price",
    "demand",
    "allocation",
    "ordered",
    "cloud_schedule",
    "ai_factory",
)
#: roadmap-only fields of existing tables (absent from a single-period scenario's dump)
ROADMAP_FIELDS: dict[str, tuple[str, ...]] = {
    "hall": ("ready", "fit_out"),
    "row": ("slot", "density"),
    "cloud": ("term", "term_length"),
}
#: [scenario] fields the roadmap replaces: refused when given with [roadmap]
REPLACED_HEADER_FIELDS = ("objective", "target", "tco_horizon", "annual_opex_budget")
MAX_STEPS = 10_000  # entries of one roadmap table
MAX_DENSITY_CLASSES = 16
CloudTerm = Literal["on-demand", "reserved", "capacity-block"]
#: planner.roadmap_types.ROADMAP_OBJECTIVES (not imported: that module imports the scenario)
RoadmapObjective = Literal["max-cumulative-delivered", "min-npv-tco"]
STEP_DEMAND_FIELDS = ("delivered", "demand", "chips", "tokens_per_s")
#: a demand step may be 0 (the workload ends)
ComputeOrZero = Annotated[
    pint.Quantity, QuantitySpec(kind="a compute rate", canonical="TFLOPS", example="40000 PFLOPS", nonnegative=True)
]


def _date_text(value: Any) -> str:
    """A TOML date or a date text, kept as text (the plan echoes it as written)."""
    if isinstance(value, date):
        value = value.isoformat()
    try:
        parse_day(value)
    except ValueError as exc:
        raise PydanticCustomError("date", "{message}", {"message": str(exc)}) from None
    return str(value).strip()


DateText = Annotated[str, BeforeValidator(_date_text)]

_QUARTERS = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(?:quarter|quarters|Q)\s*$")


def _quarters_to_years(value: Any) -> Any:
    """Two quarters -> ``"0.5 year"`` (pint's quarter is a mass, a quarter hundredweight): a
    roadmap duration may be written in quarters of a 365.25-day year (quarter, quarters, Q)."""
    if isinstance(value, str):
        found = _QUARTERS.match(value)
        if found:
            return f"{float(found.group(1)) / 4!r} year"
    return value


#: a duration in years; also written in quarters (fit_out = 2 quarters, in quotes)
PeriodYears = Annotated[Years, BeforeValidator(_quarters_to_years)]


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, validate_by_name=True, serialize_by_alias=True
    )


def _one_year() -> Any:
    from dcplan.models.units import Q_

    return Q_(15, "year")


class RoadmapHeader(_Strict):
    """The ``[roadmap]`` table: the calendar, the objective over time and global switches."""

    start: DateText = Field(description="first period: '2026Q1', '2026' or an ISO date (the period containing it)")
    period: Literal["quarter", "year"] = "quarter"
    periods: int | None = Field(default=None, ge=1, le=MAX_PERIODS, description="number of periods (or end)")
    end: DateText | None = Field(default=None, description="last period (or periods)")
    objective: RoadmapObjective = "max-cumulative-delivered"
    discount_delivered: bool = Field(default=False, description="weigh each period's delivered compute by its discount")
    facility_life: PeriodYears = Field(default_factory=_one_year, description="buildings and plant, for residual value")
    lead_times: bool = Field(default=True, description="enforce catalog lead times on new equipment")
    switch_trays_per_year: float | None = Field(
        default=None, ge=0.0, le=1e7, description="NVLink switch trays supplied per year (default: the catalog slot's)"
    )
    mixed_fusion_domain: bool = Field(
        default=False, description="WHAT-IF: a scale-up domain mixing Trainium4 and GPU units (not publicly described)"
    )

    @model_validator(mode="after")
    def _check(self) -> RoadmapHeader:
        if (self.periods is None) == (self.end is None):
            raise PydanticCustomError("calendar", "give exactly one of periods or end", {})
        try:
            self.calendar()
        except ValueError as exc:
            raise PydanticCustomError("calendar", "{message}", {"message": str(exc)}) from None
        return self

    def calendar(self) -> Calendar:
        """The roadmap's periods (``models.calendar.Calendar``)."""
        if self.end is not None:
            return Calendar.between(self.start, self.end, self.period)
        return Calendar(parse_day(self.start), self.period, int(self.periods or 0))


class SitePower(_Strict):
    """A utility step: from the period containing ``from`` the site has ``power``."""

    site: Id = Field(pattern=ID_PATTERN)
    from_: DateText = Field(alias="from")
    power: PositivePower = Field(description="utility power from this period on (design day)")
    low: DateText | None = Field(default=None, description="earliest energisation (reported)")
    high: DateText | None = Field(default=None, description="latest energisation (reported)")

    @model_validator(mode="after")
    def _check(self) -> SitePower:
        at = parse_day(self.from_)
        if self.low is not None and parse_day(self.low) > at:
            raise PydanticCustomError(
                "range", "low {l} is after from {f}", {"l": repr(self.low), "f": repr(self.from_)}
            )
        if self.high is not None and parse_day(self.high) < at:
            raise PydanticCustomError(
                "range", "high {h} is before from {f}", {"h": repr(self.high), "f": repr(self.from_)}
            )
        return self


class PeriodBudget(_Strict):
    """Capex in one period (``"2027Q2"``) or in all periods of a year together (``"2027"``)."""

    period: DateText
    capex: Money


class Price(_Strict):
    """A system's purchase price over time: a yearly decline, or a step to a new capex."""

    system: str = Field(description="a [[candidate]] system, or '*' (every candidate without its own [[price]])")
    decline_per_year: float | None = Field(default=None, ge=0.0, lt=1.0, description="capex x (1 - d)^years")
    from_: DateText | None = Field(default=None, alias="from", description="a step: from this period ...")
    capex: Money | None = Field(default=None, description="... one unit costs this (the system's own capex)")

    @model_validator(mode="after")
    def _check(self) -> Price:
        decline = self.decline_per_year is not None
        step = self.from_ is not None or self.capex is not None
        if decline == step:
            raise PydanticCustomError("price", "give decline_per_year, or from and capex (a step)", {})
        if step and (self.from_ is None or self.capex is None):
            raise PydanticCustomError("price", "a price step needs both from and capex", {})
        if step and self.system == "*":
            raise PydanticCustomError("price", "system '*' takes decline_per_year only (a step is one system's)", {})
        if self.system != "*":
            from dcplan.models.catalog.base import check_id

            check_id(self.system)
        return self


class Demand(_Strict):
    """A workload's demand from a period on (a step); 0 ends it."""

    workload: Id = Field(pattern=ID_PATTERN)
    from_: DateText = Field(alias="from")
    delivered: ComputeOrZero | None = Field(default=None, description="sustained delivered compute (PFLOPS)")
    demand: ComputeOrZero | None = Field(default=None, description="peak dense compute (the shorthand form)")
    chips: int | None = Field(default=None, ge=0, le=1_000_000_000)
    tokens_per_s: float | None = Field(default=None, ge=0.0, le=1e12)

    @model_validator(mode="after")
    def _check(self) -> Demand:
        given = [name for name in STEP_DEMAND_FIELDS if getattr(self, name) is not None]
        if len(given) != 1:
            raise PydanticCustomError("demand", "give exactly one of delivered, demand, chips or tokens_per_s", {})
        return self

    @property
    def field_name(self) -> str:
        return next(name for name in STEP_DEMAND_FIELDS if getattr(self, name) is not None)


class Allocation(_Strict):
    """Vendor allocation: at most ``max_units`` of a system added per period, in a window."""

    system: Id = Field(pattern=ID_PATTERN)
    from_: DateText | None = Field(default=None, alias="from", description="default: the start")
    until: DateText | None = Field(default=None, description="last period it applies to (default: the end)")
    max_units: int = Field(ge=0, le=10_000_000)

    @model_validator(mode="after")
    def _check(self) -> Allocation:
        if self.from_ is not None and self.until is not None and parse_day(self.until) < parse_day(self.from_):
            raise PydanticCustomError("range", "until is before from", {})
        return self


class Ordered(_Strict):
    """Long-lead equipment already on order at the start (delivered without a new lead time)."""

    hall: Id | None = Field(default=None, pattern=ID_PATTERN, description="transformers and UPS modules")
    site: Id | None = Field(default=None, pattern=ID_PATTERN, description="generators")
    equipment: Literal["distribution-transformer", "ups", "generator"]  # planner.roadmap_types.LEAD_TIME_COLUMNS
    count: int = Field(gt=0, le=1_000_000)
    delivered: DateText

    @model_validator(mode="after")
    def _check(self) -> Ordered:
        wants = "site" if self.equipment == "generator" else "hall"
        if (self.hall if wants == "hall" else self.site) is None or (self.site if wants == "hall" else self.hall):
            raise PydanticCustomError(
                "owner", "{e} is ordered for a {w} (give {w} only)", {"e": self.equipment, "w": wants}
            )
        return self

    @property
    def owner(self) -> str:
        return str(self.site if self.equipment == "generator" else self.hall)


class CloudSchedule(_Strict):
    """A cloud offer's quota and/or price from a period on (a step)."""

    cloud: Id = Field(pattern=ID_PATTERN)
    from_: DateText = Field(alias="from")
    quota: int | None = Field(default=None, ge=0, le=10_000_000)
    price: MoneyPerHour | None = None

    @model_validator(mode="after")
    def _check(self) -> CloudSchedule:
        if self.quota is None and self.price is None:
            raise PydanticCustomError("schedule", "give quota and/or price", {})
        return self


class AIFactory(_Strict):
    """AWS AI Factory: AWS-operated systems in the customer's hall at a committed rate."""

    id: Id = Field(pattern=ID_PATTERN)
    system: Id = Field(pattern=ID_PATTERN)
    hall: Id = Field(pattern=ID_PATTERN, description="the customer's hall (its rows hold the units)")
    rate: MoneyPerHour = Field(description="committed rate per unit-hour")
    min_units: int = Field(default=0, ge=0, le=10_000_000, description="minimum commitment in units")
    from_: DateText | None = Field(default=None, alias="from", description="commitment start (default: the start)")
    commitment: PeriodYears = Field(description="commitment length")


class DensityClass(_Strict):
    """A row build class: capex per row built for racks up to ``rack_kw``."""

    rack_kw: PositivePower
    capex: Money


def drop_unset(dumped: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """``dumped`` without the ``names`` whose value is None or empty: a single-period
    scenario's echo in its plan stays as it was before the roadmap fields existed."""
    for name in names:
        if name in dumped and dumped[name] in (None, [], ()):
            del dumped[name]
    return dumped


def cloud_term_problem(term: str | None, term_length: Any) -> str | None:
    """reserved and capacity-block need term_length; on-demand takes none."""
    if term in ("reserved", "capacity-block") and term_length is None:
        return f"a {term} term needs term_length (units are rented for that long, no cancellation)"
    if term in (None, "on-demand") and term_length is not None:
        return "term_length applies to term = 'reserved' or 'capacity-block' only"
    return None


def density_problem(classes: list[DensityClass] | None) -> str | None:
    if classes is None:
        return None
    kw = [float(c.rack_kw.magnitude) for c in classes]
    if any(b <= a for a, b in pairwise(kw)):
        return "density classes must be listed by rack_kw, strictly increasing"
    return None


# -- the rules across tables (run by Scenario's validator) -------------------------------
def _entry(table: str, index: int, name: str | None = None) -> str:
    return f"[[{table}]] {index + 1}" + (f" {name!r}" if name else "")


def single_period_problem(scenario: Scenario) -> str | None:
    """Without [roadmap]: the first roadmap-only table or field given, as one line."""
    for table in ROADMAP_TABLES:
        if getattr(scenario, table):
            return f"[[{table}]] is roadmap-only: add a [roadmap] table (start, period, periods) or remove it"
    for table, names in ROADMAP_FIELDS.items():
        for index, item in enumerate(getattr(scenario, table)):
            for name in names:
                if getattr(item, name) is not None:
                    return (
                        f"{_entry(table, index, item.id)}: {name} is roadmap-only: "
                        "add a [roadmap] table (start, period, periods) or remove it"
                    )
    return None


#: tables a single-period scenario may have that the roadmap does not apply per period yet
#: ([[onsite_power]] is per period since planner.roadmap_onsite)
SINGLE_PERIOD_TABLES: tuple[str, ...] = ()


def roadmap_error(scenario: Scenario) -> dict[str, str] | None:
    """``roadmap_problem`` as a validation error's context: its message, and its entry and
    field when it is a [scenario] field the roadmap replaces (the editor shows it there)."""
    problem = roadmap_problem(scenario)
    if problem is None:
        return None
    name = replaced_header_field(scenario)
    return {"message": problem, **({"entry": "[scenario]", "field": name} if name else {})}


def replaced_header_field(scenario: Scenario) -> str | None:
    """The first [scenario] field a [roadmap] replaces that differs from its default, or None."""
    if scenario.roadmap is None:
        return None
    header = scenario.scenario
    for name in REPLACED_HEADER_FIELDS:
        # differs from its default (not "was given": a dumped scenario re-validates)
        if getattr(header, name) != type(header).model_fields[name].get_default(call_default_factory=True):
            return name
    return None


def roadmap_problem(scenario: Scenario) -> str | None:
    """The first problem of a scenario's roadmap tables, as one line (None: none).

    Without [roadmap] only ``single_period_problem`` applies; with it, the replaced
    [scenario] fields, references between tables, and the steps' dates on the calendar.
    """
    roadmap = scenario.roadmap
    if roadmap is None:
        return single_period_problem(scenario)
    name = replaced_header_field(scenario)
    if name is not None:
        return (
            f"[scenario]: {name} does not apply with [roadmap] "
            "(the [roadmap] objective and periods replace it): remove it"
        )
    for table in SINGLE_PERIOD_TABLES:
        if getattr(scenario, table):
            return f"[[{table}]] is not applied per period by the roadmap yet: remove it, or plan one period"
    problem = _curtailment_problem(scenario)
    if problem:
        return problem
    if roadmap.objective == "min-npv-tco" and not scenario.workload:
        return "[roadmap]: objective 'min-npv-tco' needs at least one [[workload]] (the demand to meet)"
    for table in ROADMAP_TABLES:
        if len(getattr(scenario, table)) > MAX_STEPS:
            return f"[[{table}]]: more than dcplan's bound of {MAX_STEPS:,} entries"
    cal = roadmap.calendar()
    for check in (_reference_problem, _step_problem, _window_problem, _table_problem):
        problem = check(scenario, cal)
        if problem:
            return problem
    return None


def _curtailment_problem(scenario: Scenario) -> str | None:
    """A curtailment offer in a roadmap costs the work its hours lose in peak PFLOPS
    (planner.roadmap_onsite): only where the roadmap's delivered figure is peak PFLOPS."""
    roadmap = scenario.roadmap
    if roadmap is None or (roadmap.objective == "max-cumulative-delivered" and not scenario.workload):
        return None
    for index, row in enumerate(scenario.onsite_power):
        if row.curtailment_hours is not None:
            return (
                f"{_entry('onsite_power', index)}: curtailment_hours in a roadmap needs objective "
                "'max-cumulative-delivered' and no [[workload]] (its lost work is counted in peak PFLOPS): "
                "remove curtailment_hours and curtailment_grid, or plan one period"
            )
    return None


def _reference_problem(scenario: Scenario, cal: Calendar) -> str | None:
    """Every id a roadmap table names is in its scenario table."""
    known = {
        "site": {s.id for s in scenario.site},
        "hall": {h.id for h in scenario.hall},
        "workload": {w.id for w in scenario.workload},
        "cloud": {c.id for c in scenario.cloud},
        "candidate": {c.system for c in scenario.candidate},
    }
    wants: list[tuple[str, int, str, str, str | None]] = []  # table, index, field, kind, id
    wants += [("site_power", i, "site", "site", e.site) for i, e in enumerate(scenario.site_power)]
    wants += [("demand", i, "workload", "workload", e.workload) for i, e in enumerate(scenario.demand)]
    wants += [("cloud_schedule", i, "cloud", "cloud", e.cloud) for i, e in enumerate(scenario.cloud_schedule)]
    wants += [("allocation", i, "system", "candidate", e.system) for i, e in enumerate(scenario.allocation)]
    wants += [("price", i, "system", "candidate", e.system) for i, e in enumerate(scenario.price) if e.system != "*"]
    wants += [("ordered", i, "hall", "hall", e.hall) for i, e in enumerate(scenario.ordered)]
    wants += [("ordered", i, "site", "site", e.site) for i, e in enumerate(scenario.ordered)]
    wants += [("ai_factory", i, "hall", "hall", e.hall) for i, e in enumerate(scenario.ai_factory)]
    for table, index, field, kind, ident in wants:
        if ident is not None and ident not in known[kind]:
            where = "[[candidate]] system" if kind == "candidate" else f"[[{kind}]] id"
            return f"{_entry(table, index)}: {field} {ident!r} is not a {where} of the scenario"
    counts = Counter(f.id for f in scenario.ai_factory)
    twice = sorted(i for i, n in counts.items() if n > 1)
    if twice:
        return f"[[ai_factory]]: duplicate id {twice[0]!r}"
    return None


def _steps(cal: Calendar, table: str, entries: list[tuple[int, str, str]]) -> str | None:
    """Refuse two steps of one key in the same in-horizon period (``entries``: index, key, from)."""
    seen: dict[tuple[str, int], tuple[int, date]] = {}
    for index, key, when in entries:
        day = parse_day(when)
        t = cal.index_of(day)
        if t < 0:
            continue  # before the start: the latest such step holds at the start (not ambiguous)
        other = seen.get((key, t))
        if other is not None:
            return (
                f"{_entry(table, index)}: from {when!r} is in {cal.label(t)}, like {_entry(table, other[0])} "
                f"for {key!r}: one step per period"
            )
        seen[key, t] = (index, day)
    return None


def _step_problem(scenario: Scenario, cal: Calendar) -> str | None:
    groups: list[tuple[str, list[tuple[int, str, str]]]] = [
        ("site_power", [(i, e.site, e.from_) for i, e in enumerate(scenario.site_power)]),
        ("demand", [(i, e.workload, e.from_) for i, e in enumerate(scenario.demand)]),
        ("cloud_schedule", [(i, e.cloud, e.from_) for i, e in enumerate(scenario.cloud_schedule)]),
        ("price", [(i, e.system, e.from_) for i, e in enumerate(scenario.price) if e.from_ is not None]),
    ]
    for table, entries in groups:
        problem = _steps(cal, table, entries)
        if problem:
            return problem
    return _price_kind_problem(scenario)


def _price_kind_problem(scenario: Scenario) -> str | None:
    """One decline per system (and one for '*'); a system with a decline has no steps."""
    declines: dict[str, int] = {}
    stepped: set[str] = set()
    for index, price in enumerate(scenario.price):
        if price.decline_per_year is None:
            stepped.add(price.system)
            continue
        if price.system in declines:
            return f"{_entry('price', index)}: a second decline_per_year for {price.system!r}"
        declines[price.system] = index
    both = sorted(stepped & set(declines))
    if both:
        return f"{_entry('price', declines[both[0]])}: {both[0]!r} has both a decline and price steps: give one"
    return None


def _window_problem(scenario: Scenario, cal: Calendar) -> str | None:
    """Allocation windows of one system do not overlap; budgets cover in-horizon periods once."""
    spans: dict[str, list[tuple[int, int, int]]] = {}
    for index, cap in enumerate(scenario.allocation):
        first = cal.index_of_text(cap.from_) if cap.from_ is not None else 0
        last = cal.index_of_text(cap.until) if cap.until is not None else cal.periods - 1
        for other_first, other_last, other in spans.get(cap.system, []):
            if first <= other_last and other_first <= last:
                return f"{_entry('allocation', index)}: its window overlaps {_entry('allocation', other)} for {cap.system!r}"
        spans.setdefault(cap.system, []).append((first, last, index))
    labels: set[str] = set()
    for index, budget in enumerate(scenario.period_budget):
        try:
            covered = cal.indices_of(budget.period)
        except ValueError as exc:
            return f"{_entry('period_budget', index)}: period: {exc}"
        if not covered:
            return f"{_entry('period_budget', index)}: period {budget.period!r} is outside the roadmap ({cal.labels[0]} to {cal.labels[-1]})"
        key = budget.period.strip().upper()
        if key in labels:
            return f"{_entry('period_budget', index)}: a second budget for {budget.period!r}"
        labels.add(key)
    return None


def _table_problem(scenario: Scenario, cal: Calendar) -> str | None:
    """Per-entry rules that need the other tables: demand forms, cloud terms, row classes."""
    forms = {w.id: w for w in scenario.workload}
    for index, step in enumerate(scenario.demand):
        workload = forms[step.workload]
        problem = demand_form_problem(workload, step.field_name)
        if problem:
            return f"{_entry('demand', index)}: {step.field_name}: {problem}"
    for index, offer in enumerate(scenario.cloud):
        problem = cloud_term_problem(offer.term, offer.term_length)
        if problem:
            return f"{_entry('cloud', index, offer.id)}: {problem}"
    for index, row in enumerate(scenario.row):
        problem = density_problem(row.density)
        if problem:
            return f"{_entry('row', index, row.id)}: density: {problem}"
    return None


def demand_form_problem(workload: Any, field: str) -> str | None:
    """A step states the demand in the workload's own unit (its floor's): delivered or
    tokens_per_s for a classed rate or budget workload, demand for the peak shorthand,
    chips for a chips workload."""
    wanted: tuple[str, ...]
    if workload.chips is not None:
        wanted = ("chips",)
    elif workload.demand is not None:
        wanted = ("demand",)
    else:
        wanted = ("delivered", "tokens_per_s")
    if field in wanted:
        if field == "tokens_per_s" and workload.active is None:
            return f"workload {workload.id!r} gives no total_params, so tokens/s cannot be converted: give delivered"
        return None
    return f"workload {workload.id!r} states its demand as {' or '.join(wanted)}: give that"
