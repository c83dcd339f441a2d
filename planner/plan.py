"""CapacityPlan: the one result object of a solve, versioned and re-loadable.

Quantities serialise as ``{"value": ..., "unit": ...}`` in their canonical unit; counts
and ratios are plain numbers. ``schema_version`` changes when the layout of this model
changes incompatibly; ``load_plan`` refuses other major versions with a clear message.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from dcplan.models.errors import DcplanError, InputFileError
from dcplan.models.files import MAX_NESTING, nesting_exceeds, read_text
from dcplan.models.units import AreaTotal as Area
from dcplan.models.units import ComputeTotal as Compute
from dcplan.models.units import Energy, Money, Power, Volume
from dcplan.models.units import MassTotal as Mass
from dcplan.planner.plan_allin import PlanAllIn
from dcplan.planner.plan_onsite import OnsiteLine
from dcplan.planner.water_plan import WaterLine

if TYPE_CHECKING:
    from dcplan.planner.roadmap_plan import RoadmapPlan

SCHEMA_VERSION = (
    "1.2"  # 1.2: workloads (delivered results); 1.1: LimitUse.marginal_method/marginal_note, SolverInfo.settings
)


def _usd(value: float) -> Any:
    from dcplan.models.units import qty

    return qty(value, "USD")


class _Model(BaseModel):
    # ser_json_inf_nan: a non-finite figure is written as json.dumps writes it and read back as it was
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, ser_json_inf_nan="constants")


class MixLine(_Model):
    """Units of one system at one place (a site, or a cloud offer)."""

    system: str
    family: str
    software: str
    status: str
    place: str = Field(description="site id, or 'cloud:<offer>'")
    units: int
    chips: int
    racks: int
    compute: Compute
    share: float = Field(description="share of total compute")
    capex: Money | None = Field(
        default=None,
        description="IT capex of these units (0 for cloud rental); null in plans written before it was recorded",
    )


class RowPlan(_Model):
    """One physical row: what it holds and how loaded it is."""

    row: str
    template: str
    hall: str
    system: str
    cooling: str
    units: int
    racks: int
    positions: int
    rack_power: Power
    it_power: Power
    feed_capacity: Power = Field(description="continuous capacity of one feed (busway runs)")
    feeds: str
    heat_to_liquid: Power
    heat_to_air: Power


class EquipmentCount(_Model):
    """Installed equipment of one kind in one scope (hall, site or whole plan)."""

    item: str
    catalog_id: str | None
    scope: str
    count: int
    unit_capacity: float
    capacity_unit: str
    installed: float
    used: float
    capex: Money


class HallPlan(_Model):
    hall: str
    site: str
    built: bool
    racks: int = Field(description="racks in the hall's rows: compute, network and storage")
    network_racks: int = Field(0, description="of the racks, network and storage racks at the row ends")
    rows_used: int
    it_power: Power
    it_power_cap: Power
    liquid_plant_load: Power
    liquid_plant_capacity: Power
    air_plant_load: Power
    air_plant_capacity: Power
    gross_area: Area
    area: Area | None
    facility_power_design: Power


class Layout(_Model):
    """Rack positions, one entry per rack slot, as parallel columns."""

    hall: list[str] = Field(default_factory=list)
    row: list[str] = Field(default_factory=list)
    slot: list[int] = Field(default_factory=list)
    system: list[str] = Field(default_factory=list)
    cooling: list[str] = Field(default_factory=list)
    unit: list[str] = Field(default_factory=list, description="deployment-unit id; UltraServer racks share one")
    feeds: list[str] = Field(default_factory=list, description="'A+B' for A/B rows, 'A' for single-feed rows")
    cdu_loop: list[str] = Field(default_factory=list, description="coolant loop (CDU or row unit) serving the rack")
    rack_kw: list[float] = Field(default_factory=list)

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "hall",
        "row",
        "slot",
        "system",
        "cooling",
        "unit",
        "feeds",
        "cdu_loop",
        "rack_kw",
    )

    @model_validator(mode="after")
    def _same_lengths(self) -> Layout:
        """Parallel columns: a plan file whose columns differ in length is corrupt, not a crash later."""
        lengths = {name: len(getattr(self, name)) for name in self.COLUMNS}
        if len(set(lengths.values())) > 1:
            expected = max(set(lengths.values()), key=list(lengths.values()).count)
            odd = ", ".join(f"{name} has {n}" for name, n in lengths.items() if n != expected)
            raise PydanticCustomError(
                "layout",
                "layout columns have unequal lengths: {odd} entries where the others have {n}",
                {"odd": odd, "n": expected},
            )
        return self

    def __len__(self) -> int:
        return len(self.slot)

    def records(self) -> list[dict[str, Any]]:
        """One dict per rack slot."""
        columns = self.COLUMNS
        return [
            dict(zip(columns, values, strict=True)) for values in zip(*(getattr(self, c) for c in columns), strict=True)
        ]


class LimitUse(_Model):
    """How much of a limit the plan uses, whether it binds, and what relaxing it is worth."""

    limit: str
    scope: str
    sense: Literal["<=", ">="] = Field(default="<=", description="'<=': used must stay below allowed; '>=': above")
    used: float = Field(description="what the plan uses (or achieves, for '>=' limits)")
    allowed: float = Field(description="the limit (or the requirement, for '>=' limits)")
    unit: str
    utilisation: float = Field(description="used / allowed ('<='), or allowed / used ('>='): 1 means binding")
    binding: bool
    marginal: float | None = Field(
        default=None,
        description="what one step of relaxation is worth: +PFLOPS (max-compute) or MUSD of TCO saved (min-tco)",
    )
    marginal_step: str | None = None
    marginal_text: str | None = Field(
        default=None, description="the value in words, or 'not valued: <reason>' for a binding limit without one"
    )
    marginal_method: Literal["re-solve", "LP estimate"] | None = Field(
        default=None,
        description="'re-solve': the MIP solved again with the limit relaxed; 'LP estimate': LP dual x step",
    )
    marginal_note: str | None = Field(default=None, description="what the value means and why this method")


class Costs(_Model):
    capex_it: Money
    capex_cooling: Money
    capex_electrical: Money
    capex_building: Money
    capex_halls: Money
    capex_porting: Money = Field(
        default_factory=lambda: _usd(0.0), description="one-off [[porting]] costs of the stacks the plan uses"
    )
    capex_swing: Money = Field(
        default_factory=lambda: _usd(0.0),
        description="facility batteries for training swings (part of capex_electrical)",
    )
    capex_total: Money
    annual_energy_cost: Money
    annual_cloud_cost: Money
    annual_opex: Money
    tco: Money
    tco_horizon_years: float
    discount_rate: float


class SwingLine(_Model):
    """A site's training power swing against its [[utility_limit]] and the mitigation bought
    (models.swing): residual = swing - battery_power - floor <= band."""

    site: str
    swing: Power = Field(description="all units in one synchronous job, after their own storage")
    band: Power
    battery_power: Power
    battery_energy: Energy
    floor: Power = Field(description="power floor: GPUs burn energy in the low phase")
    residual: Power
    capex: Money = Field(description="battery kW and kWh")
    annual_energy_cost: Money = Field(description="energy the power floor burns (in annual_energy_cost)")
    ramp_time_s: float | None = Field(default=None, description="a job's start at the contract's ramp rate")
    summary: str


class EnergySummary(_Model):
    it_power_provisioned: Power
    it_power_average: Power
    facility_power_design: Power
    facility_power_average: Power
    cooling_power_design: Power
    electrical_losses_design: Power
    heat_to_liquid: Power
    heat_to_air: Power
    it_energy: Energy
    facility_energy: Energy
    carbon: Mass
    water: Volume
    pue_design: float
    pue_annual: float
    wue: float


#: Status words of plans written before the outcomes were renamed, read as today's words.
OLD_STATUS_WORDS = {"time-limit": "feasible-with-gap", "no-solution": "no-plan-within-limit"}


class RatioIteration(_Model):
    """One solve of the min-cost-per-delivered loop (planner/ratio.py): iteration 0 is the
    min-TCO start (lambda 0), iteration k the parametric problem min TCO - lambda x work."""

    iteration: int
    lambda_usd_per_pflop_day: float = Field(description="lambda of this solve's objective (0: the min-TCO start)")
    tco_usd: float | None = Field(description="TCO of the plan this solve returned (null: none)")
    delivered_pflops: float | None = Field(description="delivered PFLOPS of that plan (all allocations)")
    ratio_usd_per_pflop_day: float | None = Field(description="TCO / (delivered x horizon days) of that plan")
    parametric_usd: float | None = Field(default=None, description="TCO - lambda x delivered work of that plan")
    bound_usd: float | None = Field(default=None, description="HiGHS's proven lower bound of TCO - lambda x work")
    status: str = Field(description="the HiGHS run: optimal | time-limit | infeasible | interrupted | other")
    solve_s: float = 0.0


class RatioResult(_Model):
    """The ratio objective's result: the plan's cost per delivered work, its proven bound and
    the iterations that found it (planner/ratio.py states the method and the stopping rule)."""

    value: float = Field(description="the plan's costs.tco / (its workloads' delivered PFLOPS x horizon days)")
    unit: str = "USD per PFLOP-day"
    model_value: float = Field(
        description="the same ratio with the MIP's own TCO (the optimised figure, which bound and gap compare)"
    )
    bound: float | None = Field(default=None, description="proven lower bound of the least ratio (null: not proven)")
    gap: float | None = Field(default=None, description="(value - bound) / value (null: ratio gap not proven)")
    usd_per_million_tokens: float | None = Field(
        default=None, description="plan TCO / tokens over the horizon, when every workload has a model size"
    )
    horizon_days: float = Field(description="the TCO horizon the delivered work counts [days]")
    stop: str = Field(description="why the loop ended")
    iterations: list[RatioIteration] = Field(default_factory=list)


class SolverInfo(_Model):
    status: Literal["optimal", "feasible-with-gap", "cancelled", "infeasible", "no-plan-within-limit"] = Field(
        description=(
            "optimal: gap target met; feasible-with-gap: time limit with a plan; cancelled: stopped by the user; "
            "infeasible: proven, see diagnosis; no-plan-within-limit: time limit before any plan (not known "
            "to be infeasible)"
        )
    )
    termination: str
    objective_name: str
    objective: float | None
    bound: float | None
    gap: float | None
    time_limit_s: float
    rel_gap_target: float
    build_s: float
    handover_s: float
    solve_s: float
    settings: dict[str, str] = Field(
        default_factory=dict,
        description="solver settings the run used: presolve (choose/on/off, auto resolved by model size), process",
    )
    layout_s: float = 0.0
    recheck_s: float = 0.0
    marginals_s: float = 0.0
    total_s: float = 0.0
    ratio: RatioResult | None = Field(
        default=None, description="min-cost-per-delivered: the ratio, its bound and the Dinkelbach iterations"
    )

    @field_validator("status", mode="before")
    @classmethod
    def _old_status_words(cls, value: Any) -> Any:
        return OLD_STATUS_WORDS.get(value, value) if isinstance(value, str) else value


def outcome_message(solver: SolverInfo, has_plan: bool) -> str:
    """One sentence on what a solve ended with (the CLI and the UI show it as is)."""
    if solver.status == "no-plan-within-limit":
        return (
            f"no plan found within the time limit ({solver.time_limit_s:g} s); "
            "the problem is not known to be infeasible — raise --time-limit"
        )
    if solver.status == "cancelled" and not has_plan:
        return "cancelled before any plan was found; the problem is not known to be infeasible"
    if solver.status == "cancelled":
        return f"cancelled: best plan found so far, gap {solver.gap:.2%}" if solver.gap is not None else "cancelled"
    if solver.status == "feasible-with-gap":
        gap = f", gap {solver.gap:.2%}" if solver.gap is not None else ""
        return f"time limit ({solver.time_limit_s:g} s) reached with a plan{gap} above the {solver.rel_gap_target:.2%} target"
    if solver.status == "infeasible":
        return "infeasible"
    return "optimal plan"


class Relaxation(_Model):
    """One way out of infeasibility: relax a limit by an amount."""

    group: Literal["capacity", "demand"]
    limit: str
    scope: str
    amount: float
    unit: str
    text: str


class Diagnosis(_Model):
    feasible: bool
    summary: str
    relaxations: list[Relaxation] = Field(default_factory=list)


class Recheck(_Model):
    ok: bool
    checked: int
    violations: list[str] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list,
        description="what the re-check found short but does not fail the plan on (placed fabric below its exact size)",
    )


class Assumption(_Model):
    """A catalog figure the plan used, with its provenance."""

    kind: str
    id: str
    field: str
    value: Any
    unit: str | None
    low: Any = None
    high: Any = None
    source: str
    confidence: str
    origin: str


class WorkloadPlacement(_Model):
    """The share of one supply (an option's units, or a cloud offer's rented units) a workload runs on."""

    supply: str = Field(description="option key (row template/system/cooling) or 'cloud:<offer>'")
    system: str
    place: str = Field(description="site id, or 'cloud:<offer>'")
    units: float = Field(description="deployment units given to this workload (a fraction of a supply's units)")
    chips: float
    precision: str = Field(description="the precision this workload runs at on this system")
    peak_pflops: float = Field(description="peak dense PFLOPS of these units at that precision")
    efficiency: float = Field(description="sustained efficiency: delivered model FLOPs / peak dense FLOPs")
    goodput: float = Field(description="share of wall time doing useful work at the job's size")
    haircut: float = Field(default=0.0, description="claim haircut applied to this system (0 = none)")
    ported: str = Field(default="", description="the stack a [[porting]] lets it run on ('' = written for it)")
    porting_factor: float = Field(default=1.0, description="1 - porting delay / window (1 = not ported)")
    delivered_pflops: float = Field(description="peak_pflops x efficiency x goodput x (1 - haircut) x porting_factor")


class WorkloadPorting(_Model):
    """A software stack a workload was ported to, and what the porting costs it."""

    stack: str = Field(description="neuron | cuda | rocm | xla")
    entry: str = Field(description="the [[porting]] entry that matched: the workload's id, or '*'")
    cost_usd: float = Field(description="one-off cost [USD], in the plan's capex")
    delay_days: float = Field(description="time lost before it runs on the stack")
    factor: float = Field(description="1 - delay / window: the share of its delivered rate a ported unit keeps")
    window: str = Field(description="what the delay is taken from: its deadline, or the TCO horizon")


class WorkloadResult(_Model):
    """What one workload gets: where it runs, what it delivers, how long it takes, what it costs."""

    workload: str
    workload_class: str = Field(description="dense-pretraining | moe-pretraining | post-training | inference | peak")
    demand_form: str = Field(description="peak | chips | rate | budget: how the scenario stated the demand")
    demand_pflops: float | None = Field(default=None, description="delivered PFLOPS required (null: no floor)")
    delivered_pflops: float = Field(description="sustained delivered PFLOPS over all its placements")
    peak_pflops: float = Field(description="peak dense PFLOPS of its units at the precisions it runs at")
    chips: float
    tokens_per_s: float | None = Field(default=None, description="delivered tokens/s (null without a model size)")
    time_to_train_days: float | None = Field(default=None, description="budget / delivered rate (budget demands)")
    cost_per_unit: float | None = Field(default=None, description="TCO share / delivered work, in cost_unit")
    cost_unit: str | None = Field(default=None, description="'USD per million tokens' or 'USD per PFLOP-day'")
    per_mw: float | None = Field(default=None, description="delivered work per facility MW, in per_mw_unit")
    per_mw_unit: str | None = Field(default=None, description="'tokens/s per MW' or 'PFLOPS per MW'")
    placements: list[WorkloadPlacement] = Field(default_factory=list)
    ported: list[WorkloadPorting] = Field(default_factory=list, description="stacks it was ported to ([[porting]])")
    limited_by: list[str] = Field(default_factory=list, description="binding limits and prunings that cap it")


class CapacityPlan(_Model):
    """A solved (or diagnosed) scenario: mix, layout, limits, costs, energy, solver facts."""

    schema_version: str = SCHEMA_VERSION
    scenario_id: str
    scenario_name: str
    scenario: dict[str, Any] = Field(description="the validated scenario, echoed")
    objective: str
    precision: str
    provisioning_basis: str
    compute_total: Compute
    mix: list[MixLine]
    halls: list[HallPlan]
    rows: list[RowPlan]
    equipment: list[EquipmentCount]
    layout: Layout
    limits: list[LimitUse]
    costs: Costs | None
    energy: EnergySummary | None
    solver: SolverInfo
    pruned: list[str]
    recheck: Recheck
    diagnosis: Diagnosis
    assumptions: list[Assumption]
    workloads: list[WorkloadResult] = Field(
        default_factory=list, description="per-workload delivered results (empty in plans written before 1.2)"
    )
    swing: list[SwingLine] = Field(default_factory=list, description="per [[utility_limit]] site: swing mitigation")
    water: list[WaterLine] = Field(default_factory=list, description="per [[water_loop]] hall: the supply class chosen")
    onsite: list[OnsiteLine] = Field(default_factory=list, description="per [[onsite_power]] site: generation")

    @property
    def quick_estimate_bases(self) -> str:
        """What replaced the models, from the scenario echo: "PUE 1.25 target input, UPS on IT load", or ""."""
        header = self.scenario.get("scenario", {})
        pue, wue = header.get("pue_target"), header.get("wue_target")
        words = [f"PUE {pue:g} target input"] if pue is not None else []
        words += [f"WUE {wue['value']:g} L/kWh target input"] if isinstance(wue, dict) else []
        return ", ".join(words + (["UPS on IT load"] if header.get("ups_basis") == "it" else []))

    all_in: list[PlanAllIn] = Field(
        default_factory=list, description="kW per accelerator with fabric and storage, per site and system"
    )

    @property
    def feasible(self) -> bool:
        return self.diagnosis.feasible

    def to_json_text(self, pretty: bool = False) -> str:
        """The plan file's text: compact JSON (one line) by default, indented with ``pretty``.

        Written by pydantic's own serialiser in one pass (about 20 ms at 1.1M chips, where
        ``json.dumps(model_dump(mode="json"), indent=1)`` took ~0.5 s): the same data, key
        order and floats (shortest round-trip form) as ``model_dump(mode="json")``; UTF-8,
        and inf/nan as ``Infinity``/``NaN`` like ``json.dumps``.
        """
        return self.model_dump_json(indent=1 if pretty else None) + "\n"


_M = TypeVar("_M", bound=BaseModel)


class PlanFileError(DcplanError):
    """A plan file that cannot be read: one line."""


def read_plan_data(path: Path | str) -> dict[str, Any]:
    """A plan file's JSON object (through ``models.files.read_text``: regular file, bounded,
    UTF-8), with a ``schema_version``; one clear line for anything else."""
    path = Path(path)
    where = str(path)
    try:
        text = read_text(path, "plan file")
    except InputFileError as exc:
        if not path.exists() and not path.is_symlink():
            raise PlanFileError(f"{path}: plan file does not exist", file=where) from None
        raise PlanFileError(*exc.lines, file=where, expected=exc.expected) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            f"{path}: not a dcplan plan (invalid JSON: {exc.msg} at line {exc.lineno})", file=where
        ) from None
    except RecursionError:
        raise PlanFileError(f"{path}: not a dcplan plan (JSON nested too deeply)", file=where) from None
    if nesting_exceeds(data):
        raise PlanFileError(f"{path}: not a dcplan plan (nested more than {MAX_NESTING} levels deep)", file=where)
    if not isinstance(data, dict) or "schema_version" not in data:
        raise PlanFileError(f"{path}: not a dcplan plan (no schema_version)", file=where, field="schema_version")
    return data


def validate_plan(path: Path | str, data: dict[str, Any], model: type[_M], current: str) -> _M:
    """``data`` as ``model`` (CapacityPlan or RoadmapPlan) whose schema is at version
    ``current``: other major versions and corrupt content refused with one clear line."""
    where = str(path)
    version = str(data["schema_version"])
    if version.split(".")[0] != current.split(".")[0]:
        newer = version > current
        raise PlanFileError(
            f"{path}: plan schema version {version[:20]} is {'newer' if newer else 'older'} than this dcplan's "
            f"{current}; {'upgrade dcplan' if newer else 're-solve the scenario'} to read it",
            file=where,
            field="schema_version",
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise PlanFileError(
            f"{path}: corrupt plan: {loc}: {first['msg']}", file=where, field=loc or None, expected=first["msg"]
        ) from None
    except (ValueError, RecursionError) as exc:  # e.g. a layout whose columns differ in length
        raise PlanFileError(f"{path}: corrupt plan: {exc}", file=where) from None


def load_plan(path: Path | str) -> CapacityPlan | RoadmapPlan:
    """Read a plan file (``read_plan_data``) of either kind: ``"kind": "roadmap"`` a
    RoadmapPlan (planner.roadmap_plan), none or ``"single"`` a CapacityPlan; one clear line
    for an unknown kind, another major schema version or corrupt content."""
    from dcplan.planner.roadmap_plan import ROADMAP_SCHEMA_VERSION, RoadmapPlan

    data = read_plan_data(path)
    kind = data.pop("kind", "single")
    if kind == "roadmap":
        return validate_plan(path, {**data, "kind": kind}, RoadmapPlan, ROADMAP_SCHEMA_VERSION)
    if kind != "single":
        raise PlanFileError(
            f"{path}: not a dcplan plan (unknown kind {str(kind)[:20]!r})", file=str(path), field="kind"
        )
    return validate_plan(path, data, CapacityPlan, SCHEMA_VERSION)


def plan_json_schema() -> dict[str, Any]:
    schema = CapacityPlan.model_json_schema(mode="serialization")
    schema["$id"] = "https://dcplan.dev/schema/capacity-plan.json"
    schema["title"] = "dcplan capacity plan"
    return schema
