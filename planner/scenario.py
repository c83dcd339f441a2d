"""Scenario schema and loader: what to plan, where, under which limits, for which work.

A scenario TOML file looks like::

    [scenario]
    id = "aws-hybrid-campus"
    objective = "max-compute"          # or "min-tco"
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
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from models.catalog.loader import display_path
from models.catalog.schema import ID_PATTERN, Redundancy
from models.units import (
    Area,
    Compute,
    FloorLoad,
    Money,
    MoneyPerEnergy,
    MoneyPerHour,
    PositivePower,
    Power,
    Years,
)

Objective = Literal["max-compute", "min-tco"]
Precision = Literal["bf16", "fp8", "fp4"]
Placement = Literal["aws", "owned", "colo", "cloud"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class ScenarioHeader(_Strict):
    """The ``[scenario]`` table: objective, money and global choices."""

    id: str = Field(pattern=ID_PATTERN)
    name: str
    description: str | None = None
    objective: Objective = "max-compute"
    precision: Precision = "fp8"
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


def _years(value: float) -> Any:
    from models.units import Q_

    return Q_(value, "year")


class SiteLimits(_Strict):
    """A catalog site used by the scenario, with its utility power limit (design day)."""

    id: str = Field(pattern=ID_PATTERN, description="catalog site id")
    utility_power: PositivePower = Field(description="grid connection, design-day basis")
    residency: str = Field(default="any", description="data-residency tag, e.g. 'us' or 'eu'")
    operator: Literal["aws", "owned", "colo"] | None = Field(default=None, description="overrides the catalog")


class Hall(_Strict):
    """A data hall: IT power cap, plant capacities, slab rating, optional build decision."""

    id: str = Field(pattern=ID_PATTERN)
    site: str = Field(pattern=ID_PATTERN)
    it_power_cap: PositivePower
    liquid_plant_capacity: Power = Field(description="heat the facility-water plant can reject (design day)")
    air_plant_capacity: Power = Field(description="heat the chilled-water (CRAH) plant can reject (design day)")
    slab_rating: FloorLoad
    area: Area | None = Field(default=None, description="whitespace available (checked against gross area)")
    plant: str | None = Field(default=None, description="catalog plant id (default: each cooling's own)")
    build: Literal["existing", "optional"] = "existing"
    build_cost: Money | None = Field(default=None, description="capex if an optional hall is built")

    @model_validator(mode="after")
    def _check(self) -> Hall:
        if self.build == "optional" and self.build_cost is None:
            raise PydanticCustomError("hall", "an optional hall needs build_cost", {})
        return self


class Row(_Strict):
    """A row, or ``count`` identical rows (a row template) in one hall."""

    id: str = Field(pattern=ID_PATTERN)
    hall: str = Field(pattern=ID_PATTERN)
    count: int = Field(default=1, gt=0, description="identical rows of this template")
    positions: int = Field(gt=0, description="rack positions per row")
    busway: str = Field(pattern=ID_PATTERN, description="catalog busway id")
    busway_runs_per_feed: int = Field(default=1, gt=0)
    feeds: Literal["A/B", "single"] = Field(default="A/B", description="A/B: each feed carries the whole row")
    cooling: list[str] = Field(min_length=1, description="cooling architectures allowed in this row")
    liquid_capacity: Power | None = Field(default=None, description="per-row liquid heat limit (in-row CDUs)")
    air_capacity: Power | None = Field(default=None, description="per-row air heat limit (in-row coolers)")


class Candidate(_Strict):
    """A system the optimiser may deploy, with optional bounds on units."""

    system: str = Field(pattern=ID_PATTERN)
    min_units: int = Field(default=0, ge=0)
    max_units: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _check(self) -> Candidate:
        if self.max_units is not None and self.max_units < self.min_units:
            raise PydanticCustomError("bounds", "max_units is below min_units", {})
        return self


class CloudOffer(_Strict):
    """Rentable capacity of a system in a cloud region (units are deployment units)."""

    id: str = Field(pattern=ID_PATTERN)
    region: str
    residency: str = "any"
    system: str = Field(pattern=ID_PATTERN)
    quota: int = Field(ge=0, description="most units that can be rented")
    price: MoneyPerHour | None = Field(default=None, description="per unit-hour; default: the catalog's cloud_price")


class Workload(_Strict):
    """Demand for compute at the scenario precision, and where it may run."""

    id: str = Field(pattern=ID_PATTERN)
    demand: Compute | None = Field(default=None, description="peak dense compute needed")
    chips: int | None = Field(default=None, gt=0, description="alternatively: accelerator chips needed")
    software: list[Literal["neuron", "cuda", "rocm", "xla"]] = Field(min_length=1)
    placement: list[Placement] = Field(default_factory=lambda: ["aws", "owned", "colo", "cloud"], min_length=1)
    residency: list[str] = Field(default_factory=lambda: ["any"], description="allowed residency tags")

    @model_validator(mode="after")
    def _check(self) -> Workload:
        if (self.demand is None) == (self.chips is None):
            raise PydanticCustomError("demand", "give exactly one of demand (compute) or chips", {})
        return self


class ShareBound(_Strict):
    """Hybrid share of total compute for a hardware family or software stack."""

    family: str | None = None
    software: str | None = None
    min: float = Field(default=0.0, ge=0.0, le=1.0)
    max: float = Field(default=1.0, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _check(self) -> ShareBound:
        if (self.family is None) == (self.software is None):
            raise PydanticCustomError("share", "give exactly one of family or software", {})
        if self.min > self.max:
            raise PydanticCustomError("share", "min is above max", {})
        return self

    @property
    def label(self) -> str:
        return f"family {self.family}" if self.family else f"software {self.software}"


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

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        for name in ("site", "hall", "row", "cloud", "workload"):
            ids = [item.id for item in getattr(self, name)]
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise PydanticCustomError("duplicate", "duplicate {t} id {i!r}", {"t": name, "i": duplicates[0]})
        systems = [c.system for c in self.candidate]
        if len(set(systems)) != len(systems):
            raise PydanticCustomError("duplicate", "a system is listed twice in [[candidate]]", {})
        sites = {s.id for s in self.site}
        halls = {h.id for h in self.hall}
        for hall in self.hall:
            if hall.site not in sites:
                raise PydanticCustomError(
                    "ref", "hall {h!r} names site {s!r}, not in [[site]]", {"h": hall.id, "s": hall.site}
                )
        for row in self.row:
            if row.hall not in halls:
                raise PydanticCustomError(
                    "ref", "row {r!r} names hall {h!r}, not in [[hall]]", {"r": row.id, "h": row.hall}
                )
        if not self.row and not self.cloud:
            raise PydanticCustomError("empty", "a scenario needs at least one [[row]] or [[cloud]] offer", {})
        if self.scenario.objective == "min-tco" and not self.workload:
            raise PydanticCustomError("objective", "objective 'min-tco' needs at least one [[workload]]", {})
        return self


class ScenarioError(Exception):
    """Problems in a scenario file: one line each (file, table, field, what was expected)."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))


def _label(data: dict[str, Any], loc: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """'[[row]] 'a-dlc'' for a location inside an array of tables; the rest of the loc."""
    if loc and isinstance(loc[0], str) and len(loc) > 1 and isinstance(loc[1], int):
        table, index = loc[0], loc[1]
        items = data.get(table, [])
        ident = (
            items[index].get("id") or items[index].get("system")
            if index < len(items) and isinstance(items[index], dict)
            else None
        )
        return (f"[[{table}]] {ident!r}" if ident else f"[[{table}]] #{index + 1}"), loc[2:]
    if loc and isinstance(loc[0], str):
        return f"[{loc[0]}]", loc[1:]
    return "scenario", loc


def parse_scenario(data: dict[str, Any], where: str = "scenario") -> Scenario:
    """Validate a scenario mapping; raise ScenarioError with one line per problem."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            label, rest = _label(data, tuple(error["loc"]))
            field = ".".join(str(p) for p in rest if not str(p).startswith("function-"))
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "missing":
                message = "is required but missing"
            elif error["type"] == "extra_forbidden":
                message = "is not a known field"
            lines.append(f"{where}: {label}{f' field {field!r}' if field else ''}: {message}")
        raise ScenarioError(lines) from None


def load_scenario(path: Path | str) -> Scenario:
    """Read and validate a scenario TOML file."""
    path = Path(path)
    where = display_path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError([f"{where}: scenario file does not exist"]) from None
    except IsADirectoryError:
        raise ScenarioError([f"{where}: is a folder, expected a scenario TOML file"]) from None
    except OSError as exc:
        raise ScenarioError([f"{where}: cannot read scenario file: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError:
        raise ScenarioError([f"{where}: not a text file"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{where}: malformed TOML: {exc}"]) from None
    return parse_scenario(data, where)


SCENARIO_DIR = Path(__file__).resolve().parents[1] / "catalogs" / "scenarios"
DEMO_SCENARIO = SCENARIO_DIR / "aws-hybrid-campus.toml"


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of a scenario file, generated from the models."""
    schema = Scenario.model_json_schema()
    schema["$id"] = "https://dcplan.dev/schema/scenario.json"
    schema["title"] = "dcplan scenario file"
    return schema


def scenario_errors(data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """Every validation problem as (location, message); location like ('row', 2, 'cooling')."""
    try:
        Scenario.model_validate(data)
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
    return []


TABLE_ORDER = ("scenario", "site", "hall", "row", "candidate", "cloud", "workload", "share")


def scenario_to_toml(data: dict[str, Any]) -> str:
    """Write a scenario mapping as TOML (tables in the usual order; unknown ones last).

    Through tomlkit, which escapes every control character; the text is proven to read back
    as the same data, else ScenarioFileError. To keep a file's comments and layout, edit its
    document instead (planner.scenario_file).
    """
    from planner.scenario_file import dumps, new_document

    return dumps(new_document(data))
