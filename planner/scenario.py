"""Scenario schema and loader: what to plan, where, under which limits, for which work.

A scenario TOML file looks like::

    [scenario]
    id = "aws-hybrid-campus"
    objective = "max-compute"          # max-delivered | min-time-to-train | min-cost-per-delivered | min-tco
    precision = "fp8"                  # bf16 | fp8 | fp4
    budget = "6e9 USD"

    [[site]]
    id = "ashburn-va"                  # a catalog site
    utility_power = "150 MW"

    [[hall]]
    id = "hall-a"
    site = "ashburn-va"
    it_power_cap = "40 MW"
    liquid_plant_capacity = "40 MW"
    air_plant_capacity = "10 MW"
    slab_rating = "25 kN/m**2"

    [[row]]
    id = "a-dlc"
    hall = "hall-a"
    count = 20                         # identical rows (a row template)
    positions = 24
    busway = "busway-1250a-415v"
    busway_runs_per_feed = 2
    cooling = ["dlc-cdu"]

Every quantity takes units and is checked against its dimension; errors name the file,
the table and the field in one line.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_serializer, model_validator
from pydantic_core import PydanticCustomError

from dcplan.models.catalog.loader import display_path
from dcplan.models.catalog.schema import ID_PATTERN, Id, Redundancy
from dcplan.models.errors import InputFileError, ProblemsError
from dcplan.models.files import MAX_NESTING, nesting_exceeds, read_text
from dcplan.models.units import (
    Area,
    FloorLoad,
    Money,
    MoneyPerEnergy,
    MoneyPerHour,
    PositivePower,
    Power,
    WaterIntensity,
    Years,
)
from dcplan.planner.scenario_fabric import FabricSettings
from dcplan.planner.scenario_links import reference_problems
from dcplan.planner.scenario_onsite import OnsitePower
from dcplan.planner.scenario_roadmap import (
    ROADMAP_FIELDS,
    ROADMAP_TABLES,
    AIFactory,
    Allocation,
    CloudSchedule,
    CloudTerm,
    DateText,
    Demand,
    DensityClass,
    Ordered,
    PeriodBudget,
    PeriodYears,
    Price,
    RoadmapHeader,
    SitePower,
    drop_unset,
    roadmap_error,
)
from dcplan.planner.scenario_swing import UtilityLimit
from dcplan.planner.scenario_water import WaterLoop
from dcplan.planner.scenario_workload import (
    ALL_PLACEMENTS,
    MAX_CHIPS,
    Haircut,
    Placement,
    Porting,
    Precision,
    ShareBound,
    Workload,
    objective_problem,
    porting_problem,
)

__all__ = ["ALL_PLACEMENTS", "MAX_CHIPS", "Haircut", "Placement", "Porting", "Precision", "ShareBound", "Workload"]

#: max-compute: peak dense PFLOPS at [scenario] precision (as before issue 13);
#: max-delivered: delivered PFLOPS to the workloads; min-time-to-train: the delivered rate
#: of the target workload (its budget / that rate is its time); min-cost-per-delivered: least
#: TCO per delivered PFLOP-day (planner/ratio.py); min-tco: least TCO meeting every demand
Objective = Literal["max-compute", "max-delivered", "min-time-to-train", "min-cost-per-delivered", "min-tco"]

# Size bounds of one scenario, far above real campuses (the largest benchmark campus has
# 40 halls, 874 rows, ~20,000 rack positions and ~1.1M chips) and low enough that
# validation and model data stay fast (tests/bench/test_bench_bounds.py measures a
# scenario at the bounds). Beyond them dcplan refuses the scenario with one line.
MAX_SITES = 1_000
MAX_HALLS = 2_000
MAX_ROW_TEMPLATES = 20_000  # [[row]] tables
MAX_POSITIONS_PER_HALL = 100_000  # sum of count x positions over a hall's rows
MAX_POSITIONS = 2_000_000  # rack positions in the whole scenario
MAX_CANDIDATES = 1_000
MAX_CLOUD_OFFERS = 10_000
MAX_WORKLOADS = 10_000
MAX_SHARES = 1_000
MAX_HAIRCUTS = 1_000
MAX_PORTINGS = 1_000
MAX_UNITS = 10_000_000  # min_units, max_units, a cloud quota, and the sum of the quotas
TABLE_BOUNDS = {
    "site": MAX_SITES,
    "hall": MAX_HALLS,
    "row": MAX_ROW_TEMPLATES,
    "candidate": MAX_CANDIDATES,
    "cloud": MAX_CLOUD_OFFERS,
    "workload": MAX_WORKLOADS,
    "share": MAX_SHARES,
    "porting": MAX_PORTINGS,
    "haircut": MAX_HAIRCUTS,
    **dict.fromkeys(ROADMAP_TABLES, 10_000),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class _RoadmapFields(_Strict):
    """A table with roadmap-only fields (ROADMAP_FIELDS): left out of the dump while unset."""

    roadmap_only: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _dump(self, handler: Any) -> Any:
        return drop_unset(handler(self), self.roadmap_only)


class ScenarioHeader(_Strict):
    """The ``[scenario]`` table: objective, money and global choices."""

    id: Id = Field(pattern=ID_PATTERN)
    name: str
    description: str | None = None
    objective: Objective = "max-compute"
    target: Id | None = Field(default=None, description="min-time-to-train: the workload whose time is minimised")
    precision: Precision = Field(default="fp8", description="precision of the peak shorthand and max-compute")
    budget: Money | None = Field(default=None, description="capex cap")
    annual_opex_budget: Money | None = Field(default=None, description="cap on energy + cloud rental per year")
    tco_horizon: Years = Field(default_factory=lambda: _years(5))
    discount_rate: float = Field(default=0.08, ge=0.0, le=1.0)
    electricity_price: MoneyPerEnergy | None = Field(default=None, description="overrides every site's price")
    provisioning: Literal["nameplate", "design", "typical"] = "design"
    typical_headroom: float = Field(
        default=1.0, ge=1.0, le=2.0, description="with provisioning = typical: planned oversubscription headroom"
    )
    utilisation: float = Field(default=1.0, ge=0.0, le=1.0, description="busy share for energy")
    redundancy: Redundancy | None = None
    power_chain: str | None = None
    ups_basis: Literal["it", "it-over-distribution"] = Field(default="it-over-distribution", description="UPS load")
    pue_target: float | None = Field(default=None, ge=1.0, le=5.0, description="quick estimate: PUE, no plant model")
    wue_target: WaterIntensity | None = Field(default=None, description="quick estimate: L/kWh of IT energy")


def _years(value: float) -> Any:
    from dcplan.models.units import Q_

    return Q_(value, "year")


class SiteLimits(_Strict):
    """A catalog site used by the scenario, with its utility power limit (design day)."""

    id: Id = Field(pattern=ID_PATTERN, description="catalog site id")
    utility_power: PositivePower = Field(description="grid connection, design-day basis")
    residency: str = Field(default="any", description="data-residency tag, e.g. 'us' or 'eu'")
    operator: Literal["aws", "owned", "colo"] | None = Field(default=None, description="overrides the catalog")


class Hall(_RoadmapFields):
    """A data hall: IT power cap, plant capacities, slab rating, optional build decision."""

    id: Id = Field(pattern=ID_PATTERN)
    site: Id = Field(pattern=ID_PATTERN)
    it_power_cap: PositivePower
    liquid_plant_capacity: Power = Field(description="heat the facility-water plant can reject (design day)")
    air_plant_capacity: Power = Field(description="heat the chilled-water (CRAH) plant can reject (design day)")
    slab_rating: FloorLoad
    area: Area | None = Field(default=None, description="whitespace available (checked against gross area)")
    plant: str | None = Field(default=None, description="catalog plant id (default: each cooling's own)")
    build: Literal["existing", "optional"] = "existing"
    build_cost: Money | None = Field(default=None, description="capex if an optional hall is built")
    ready: DateText | None = Field(default=None, description="roadmap: shell ready (default: before the start)")
    fit_out: PeriodYears | None = Field(default=None, description="roadmap: fit-out after ready (default 0)")
    roadmap_only: ClassVar[tuple[str, ...]] = ROADMAP_FIELDS["hall"]

    @model_validator(mode="after")
    def _check(self) -> Hall:
        if self.build == "optional" and self.build_cost is None:
            raise PydanticCustomError("hall", "an optional hall needs build_cost", {})
        return self


class Row(_RoadmapFields):
    """A row, or ``count`` identical rows (a row template) in one hall."""

    id: Id = Field(pattern=ID_PATTERN)
    hall: Id = Field(pattern=ID_PATTERN)
    count: int = Field(default=1, gt=0, le=MAX_POSITIONS_PER_HALL, description="identical rows of this template")
    positions: int = Field(gt=0, le=MAX_POSITIONS_PER_HALL, description="rack positions per row")
    busway: Id = Field(pattern=ID_PATTERN, description="catalog busway id")
    busway_runs_per_feed: int = Field(default=1, gt=0, le=1_000)
    feeds: Literal["A/B", "single"] = Field(default="A/B", description="A/B: each feed carries the whole row")
    cooling: list[str] = Field(min_length=1, description="cooling architectures allowed in this row")
    liquid_capacity: Power | None = Field(default=None, description="per-row liquid heat limit (in-row CDUs)")
    air_capacity: Power | None = Field(default=None, description="per-row air heat limit (in-row coolers)")
    slot: Id | None = Field(default=None, pattern=ID_PATTERN, description="roadmap: a catalog rack_slot class")
    density: list[DensityClass] | None = Field(
        default=None, min_length=1, max_length=16, description="roadmap: build classes (rack kW, capex per row)"
    )
    roadmap_only: ClassVar[tuple[str, ...]] = ROADMAP_FIELDS["row"]


class Candidate(_Strict):
    """A system the optimiser may deploy, with optional bounds on units."""

    system: Id = Field(pattern=ID_PATTERN)
    min_units: int = Field(default=0, ge=0, le=MAX_UNITS)
    max_units: int | None = Field(default=None, ge=0, le=MAX_UNITS)

    @model_validator(mode="after")
    def _check(self) -> Candidate:
        if self.max_units is not None and self.max_units < self.min_units:
            raise PydanticCustomError("bounds", "max_units is below min_units", {})
        return self


class CloudOffer(_RoadmapFields):
    """Rentable capacity of a system in a cloud region (units are deployment units)."""

    id: Id = Field(pattern=ID_PATTERN)
    region: str
    residency: str = "any"
    system: Id = Field(pattern=ID_PATTERN)
    quota: int = Field(ge=0, le=MAX_UNITS, description="most units that can be rented")
    price: MoneyPerHour | None = Field(default=None, description="per unit-hour; default: the catalog's cloud_price")
    term: CloudTerm | None = Field(default=None, description="roadmap: on-demand (default) | reserved | capacity-block")
    term_length: PeriodYears | None = Field(
        default=None, description="roadmap: reserved / capacity-block rental length"
    )
    roadmap_only: ClassVar[tuple[str, ...]] = ROADMAP_FIELDS["cloud"]


class Scenario(_Strict):
    """A whole scenario file."""

    scenario: ScenarioHeader
    site: list[SiteLimits] = Field(min_length=1)
    hall: list[Hall] = Field(default_factory=list)
    row: list[Row] = Field(default_factory=list)
    candidate: list[Candidate] = Field(min_length=1)
    cloud: list[CloudOffer] = Field(default_factory=list)
    workload: list[Workload] = Field(default_factory=list)
    share: list[ShareBound] = Field(default_factory=list)
    porting: list[Porting] = Field(default_factory=list, description="make a workload run on another software stack")
    haircut: list[Haircut] = Field(default_factory=list, description="what if a vendor claim delivers less")
    # issue 14: planning over periods (planner.scenario_roadmap); none of it without [roadmap]
    roadmap: RoadmapHeader | None = None
    site_power: list[SitePower] = Field(default_factory=list, description="roadmap: utility power steps")
    period_budget: list[PeriodBudget] = Field(default_factory=list, description="roadmap: capex per period or year")
    price: list[Price] = Field(default_factory=list, description="roadmap: purchase price over time")
    demand: list[Demand] = Field(default_factory=list, description="roadmap: workload demand steps")
    allocation: list[Allocation] = Field(default_factory=list, description="roadmap: units added per period")
    ordered: list[Ordered] = Field(default_factory=list, description="roadmap: long-lead equipment on order")
    cloud_schedule: list[CloudSchedule] = Field(default_factory=list, description="roadmap: cloud quota/price steps")
    ai_factory: list[AIFactory] = Field(default_factory=list, description="roadmap: AWS AI Factory commitments")
    utility_limit: list[UtilityLimit] = Field(default_factory=list, max_length=100, description="swing limits")
    water_loop: list[WaterLoop] = Field(default_factory=list, max_length=1000, description="hall supply classes")
    onsite_power: list[OnsitePower] = Field(default_factory=list, max_length=100, description="on-site generation")
    fabric: FabricSettings | None = Field(default=None, description="place network and storage racks (scenario_fabric)")

    _source: str = PrivateAttr(default="scenario")

    @property
    def source(self) -> str:
        """Where the scenario came from (its file, as shown to the user), for error lines."""
        return self._source

    @model_serializer(mode="wrap")
    def _dump(self, handler: Any) -> Any:
        return drop_unset(
            handler(self), ("roadmap", "fabric", *ROADMAP_TABLES, "utility_limit", "water_loop", "onsite_power")
        )

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: Any) -> Any:
        """Refuse oversized tables before validating their items (10,000 halls would take long)."""
        problem = size_problem(data)
        if problem:
            raise PydanticCustomError("bounds", "{message}", {"message": problem[1]})
        return data

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        for name in ("site", "hall", "row", "cloud", "workload"):
            # Counter: one pass (a list.count per id was quadratic in the table size)
            counts = Counter(item.id for item in getattr(self, name))
            duplicates = sorted(i for i, n in counts.items() if n > 1)
            if duplicates:
                raise PydanticCustomError("duplicate", "duplicate {t} id {i}", {"t": name, "i": _quote(duplicates[0])})
        counts = Counter(c.system for c in self.candidate)
        twice = sorted(i for i, n in counts.items() if n > 1)
        if twice:
            raise PydanticCustomError(
                "duplicate", "system {s} is listed twice in [[candidate]]", {"s": _quote(twice[0])}
            )
        sites = {s.id for s in self.site}
        halls = {h.id for h in self.hall}
        for hall in self.hall:
            if hall.site not in sites:
                raise PydanticCustomError(
                    "ref",
                    "hall {h} names site {s}, not in [[site]]",
                    {"h": _quote(hall.id), "s": _quote(hall.site)},
                )
        positions: Counter[str] = Counter()
        for row in self.row:
            if row.hall not in halls:
                raise PydanticCustomError(
                    "ref", "row {r} names hall {h}, not in [[hall]]", {"r": _quote(row.id), "h": _quote(row.hall)}
                )
            positions[row.hall] += row.count * row.positions
        for hall_id, total in positions.items():
            if total > MAX_POSITIONS_PER_HALL:
                raise PydanticCustomError(
                    "bounds",
                    "hall {h} has {n} rack positions (rows x positions); dcplan's bound is {m} per hall",
                    {"h": _quote(hall_id), "n": f"{total:,}", "m": f"{MAX_POSITIONS_PER_HALL:,}"},
                )
        total_positions = sum(positions.values())
        if total_positions > MAX_POSITIONS:
            raise PydanticCustomError(
                "bounds",
                "{n} rack positions in all; dcplan's bound is {m} per scenario",
                {"n": f"{total_positions:,}", "m": f"{MAX_POSITIONS:,}"},
            )
        quota = sum(offer.quota for offer in self.cloud)
        if quota > MAX_UNITS:
            raise PydanticCustomError(
                "bounds",
                "cloud quotas add up to {n} units; dcplan's bound is {m} per scenario",
                {"n": f"{quota:,}", "m": f"{MAX_UNITS:,}"},
            )
        if not self.row and not self.cloud:
            raise PydanticCustomError("empty", "a scenario needs at least one [[row]] or [[cloud]] offer", {})
        if self.scenario.objective == "min-tco" and not self.workload:
            raise PydanticCustomError("objective", "objective 'min-tco' needs at least one [[workload]]", {})
        problem = objective_problem(self.scenario, self.workload, self.share)
        if problem:
            raise PydanticCustomError("objective", "{message}", {"message": problem})
        problem = porting_problem(self.porting, self.workload, self.scenario.tco_horizon)
        if problem:
            raise PydanticCustomError("porting", "{message}", {"message": problem})
        error = roadmap_error(self)
        if error:
            raise PydanticCustomError("roadmap", "{message}", error)
        return self


def uses_peak(scenario: Scenario) -> bool:
    """Whether the plan reads [scenario] precision: the max-compute objective, a share on the
    peak basis or a shorthand workload (peak PFLOPS, or chips of work at that precision).
    Only then is a system without a figure at that precision pruned (a classed workload
    runs at its own precisions)."""
    return (
        scenario.scenario.objective == "max-compute"
        or any(s.basis == "peak" for s in scenario.share)
        or any(w.workload_class is None for w in scenario.workload)
    )


def _quote(value: object, limit: int = 60) -> str:
    """``repr(value)`` for a message, cut so that a 10,000-character id stays readable."""
    shown = repr(value)
    return shown if len(shown) <= limit else f"{shown[: limit - 5]}...' ({len(str(value)):,} characters)"


def size_problem(data: Any) -> tuple[str, str] | None:
    """(table, message) if a table of raw scenario ``data`` is longer than its bound."""
    if not isinstance(data, dict):
        return None
    for table, bound in TABLE_BOUNDS.items():
        items = data.get(table)
        if isinstance(items, list | tuple) and len(items) > bound:
            noun = {"hall": "halls", "site": "sites", "share": "share bounds"}.get(table, f"[[{table}]] tables")
            return table, f"{len(items):,} {noun} is more than dcplan's bound of {bound:,} per scenario"
    return None


class ScenarioError(ProblemsError):
    """Problems in a scenario file: one line each (file, table, field, what was expected).

    ``file``/``entry``/``field``/``expected`` locate the first problem (for ``--json``).
    """


def _label(data: dict[str, Any], loc: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """'[[row]] 'a-dlc'' for a location inside an array of tables; the rest of the loc."""
    if loc and isinstance(loc[0], str) and len(loc) > 1 and isinstance(loc[1], int):
        table, index = loc[0], loc[1]
        items = data.get(table, [])
        ident = (
            items[index].get("id") or items[index].get("system")
            if isinstance(items, list) and index < len(items) and isinstance(items[index], dict)
            else None
        )
        return (f"[[{table}]] {_quote(ident)}" if ident else f"[[{table}]] #{index + 1}"), loc[2:]
    if loc and isinstance(loc[0], str):
        return f"[{loc[0]}]", loc[1:]
    return "scenario", loc


def parse_scenario(data: dict[str, Any], where: str = "scenario") -> Scenario:
    """Validate a scenario mapping; raise ScenarioError with one line per problem."""
    if not isinstance(data, dict):
        raise ScenarioError([f"{where}: expected a table of scenario tables"], file=where)
    if nesting_exceeds(data):
        raise ScenarioError(
            [f"{where}: nested more than {MAX_NESTING} levels deep (tables or arrays inside one another)"],
            file=where,
            expected="scenario tables of plain values",
        )
    oversized = size_problem(data)
    if oversized:
        table, message = oversized
        raise ScenarioError(
            [f"{where}: [[{table}]]: {message}"], file=where, entry=f"[[{table}]]", expected="a smaller scenario"
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        lines: list[str] = []
        first: dict[str, str | None] = {}
        for error in exc.errors():
            label, rest = _label(data, tuple(error["loc"]))
            field = ".".join(str(p) for p in rest if not str(p).startswith("function-"))
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "missing":
                message = "is required but missing"
            elif error["type"] == "extra_forbidden":
                message = "is not a known field"
            if not lines:
                context = error.get("ctx") or {}
                first = {
                    "entry": context.get("entry") or label,
                    "field": context.get("field") or field or None,
                    "expected": context.get("expected") or message,
                    "got": context.get("got"),
                }
            lines.append(f"{where}: {label}{f' field {field!r}' if field else ''}: {message}")
        raise ScenarioError(lines, file=where, **first) from None
    except RecursionError:
        raise ScenarioError([f"{where}: nested too deeply to validate"], file=where) from None
    scenario._source = where
    return scenario


def load_scenario(path: Path | str, objective: str | None = None) -> Scenario:
    """Read and validate a scenario TOML file (through ``models.files.read_text``).

    ``objective`` replaces the file's ``[scenario] objective`` before validation, so every
    rule that depends on the objective (a target, classed workloads) is checked for it."""
    path = Path(path)
    where = display_path(path)
    try:
        text = read_text(path, "scenario file")
    except InputFileError as exc:
        raise ScenarioError(exc.lines, file=where, expected=exc.expected) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{where}: malformed TOML: {exc}"], file=where, expected="valid TOML") from None
    except RecursionError:
        raise ScenarioError(
            [f"{where}: nested too deeply to read (arrays or tables inside one another hundreds of levels deep)"],
            file=where,
        ) from None
    if objective is not None and isinstance(data.get("scenario"), dict):
        data["scenario"]["objective"] = objective
    return parse_scenario(data, where)


SCENARIO_DIR = Path(__file__).resolve().parents[1] / "catalogs" / "scenarios"
DEMO_SCENARIO = SCENARIO_DIR / "aws-hybrid-campus.toml"
DEMO_ROADMAP = SCENARIO_DIR / "aws-roadmap-2026-2030.toml"  # what `dcplan tui` / `dcplan` open


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of a scenario file, generated from the models."""
    schema = Scenario.model_json_schema()
    schema["$id"] = "https://dcplan.dev/schema/scenario.json"
    schema["title"] = "dcplan scenario file"
    return schema


def scenario_errors(data: dict[str, Any], catalog: Any = None) -> list[tuple[tuple[Any, ...], str]]:
    """Every validation problem as (location, message); location like ('row', 2, 'cooling').

    A scenario the schema accepts is checked for the references the planner refuses when
    solving (planner.scenario_links: a swing limit's site, a water loop's hall, with
    ``catalog`` an on-site prime mover), so the editor marks them under their field before
    any optimisation."""
    try:
        scenario = Scenario.model_validate(data)
    except RecursionError:
        return [((), "nested too deeply to validate")]
    except ValidationError as exc:
        out = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not str(p).startswith("function-"))
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "missing":
                message = "is required but missing"
            elif error["type"] == "extra_forbidden":
                message = "is not a known field"
            out.append((loc, message))
        return out
    return reference_problems(scenario, catalog)


TABLE_ORDER = (
    "scenario",
    "roadmap",
    "site",
    "hall",
    "row",
    "candidate",
    "cloud",
    "workload",
    "share",
    "porting",
    "haircut",
    *ROADMAP_TABLES,
)


def scenario_to_toml(data: dict[str, Any]) -> str:
    """Write a scenario mapping as TOML (tables in the usual order; unknown ones last).

    Through tomlkit, which escapes every control character; the text is proven to read back
    as the same data, else ScenarioFileError. To keep a file's comments and layout, edit its
    document instead (planner.scenario_file).
    """
    from dcplan.planner.scenario_file import dumps, new_document

    return dumps(new_document(data))
