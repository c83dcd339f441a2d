"""The ``[[workload]]`` and ``[[share]]`` tables of a scenario, and the rules that tie them
to the ``[scenario]`` objective.

A workload says what it runs and what it needs::

    [[workload]]
    id = "llama-405b"
    class = "dense-pretraining"     # dense-pretraining | moe-pretraining | post-training | inference
    precisions = ["bf16", "fp8"]    # it runs at the best of these a system supports (default ["bf16"])
    total_params = 405e9            # active_params defaults to total_params (MoE: give both)
    tokens = 15.6e12                # a token budget ...
    deadline = "90 day"             # ... finished within (optional)
    software = ["cuda", "neuron"]

Demand, exactly one of: ``tokens`` or ``flops`` (a budget, with an optional ``deadline``),
``tokens_per_s`` (a sustained rate), ``delivered`` (sustained delivered PFLOPS), or the
shorthands kept from before issue 13: ``demand`` (peak dense PFLOPS at the scenario
precision; no class) and ``chips`` (accelerator chips; with or without a class).

A budget without a deadline sets no floor: it is what ``min-time-to-train`` minimises (or
what ``max-delivered`` fills); ``min-tco`` and ``min-cost-per-delivered`` need every budget
to have a deadline (every demand is a floor), and ``min-cost-per-delivered`` (like the other
delivered objectives) needs every workload to give a class.
Without ``total_params`` (or ``state_bytes``) the fit rule is not applied and tokens/s are
not reported.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from dcplan.models.catalog.base import check_id
from dcplan.models.catalog.schema import ID_PATTERN, Id
from dcplan.models.units import Compute, Duration, Information, Money
from dcplan.models.workload import DEFAULT_STAGES, FlopAmount, is_training

Precision = Literal["bf16", "fp8", "fp4"]
Placement = Literal["aws", "owned", "colo", "cloud"]
ALL_PLACEMENTS: tuple[Placement, ...] = ("aws", "owned", "colo", "cloud")
WorkloadClass = Literal["dense-pretraining", "moe-pretraining", "post-training", "inference"]
ShareBasis = Literal["peak", "delivered", "chips", "power", "capex"]

MAX_CHIPS = 1_000_000_000  # a workload's chips (10M units of a 100-chip system)
MAX_PARAMS = 1e15  # parameters of one model (a thousand times today's largest)
MAX_TOKENS = 1e18  # tokens of one budget (about 60,000 times Llama 3's 15.6T)
MAX_TOKEN_RATE = 1e12  # tokens/s
MAX_STAGES = 1_024

DEMAND_FIELDS = ("tokens", "flops", "tokens_per_s", "delivered", "demand", "chips")
MODEL_FIELDS = (
    "latency",
    "precisions",
    "total_params",
    "active_params",
    "state_bytes",
    "max_pipeline_stages",
    "job_chips",
)


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, validate_by_name=True, serialize_by_alias=True
    )


class Workload(_Strict):
    """Demand for delivered compute (or the peak / chips shorthands), and where it may run."""

    id: Id = Field(pattern=ID_PATTERN)
    workload_class: WorkloadClass | None = Field(
        default=None, alias="class", description="absent: a shorthand form (demand = peak PFLOPS, or chips)"
    )
    latency: Literal["interactive", "batch"] | None = Field(default=None, description="inference only")
    precisions: list[Precision] | None = Field(
        default=None, min_length=1, description="precisions it can run at (default ['bf16'])"
    )
    total_params: float | None = Field(default=None, gt=0, le=MAX_PARAMS, description="parameters of the model")
    active_params: float | None = Field(
        default=None, gt=0, le=MAX_PARAMS, description="parameters per token (MoE); default total_params"
    )
    state_bytes: Information | None = Field(default=None, description="state of one replica (else the default rule)")
    max_pipeline_stages: int | None = Field(
        default=None, gt=0, le=MAX_STAGES, description="scale-up domains a replica may span (training 16, inference 1)"
    )
    job_chips: int | None = Field(default=None, gt=0, le=MAX_CHIPS, description="one job's chips, for goodput")
    tokens: float | None = Field(default=None, gt=0, le=MAX_TOKENS, description="token budget")
    flops: FlopAmount | None = Field(default=None, description="FLOP budget")
    deadline: Duration | None = Field(default=None, description="with a budget: finish within")
    tokens_per_s: float | None = Field(default=None, gt=0, le=MAX_TOKEN_RATE, description="sustained token rate")
    delivered: Compute | None = Field(default=None, description="sustained delivered compute")
    demand: Compute | None = Field(default=None, description="shorthand: peak dense compute at the scenario precision")
    chips: int | None = Field(default=None, gt=0, le=MAX_CHIPS, description="shorthand: accelerator chips needed")
    software: list[Literal["neuron", "cuda", "rocm", "xla"]] = Field(min_length=1)
    placement: list[Placement] = Field(default_factory=lambda: list(ALL_PLACEMENTS), min_length=1)
    residency: list[str] = Field(default_factory=lambda: ["any"], description="allowed residency tags")

    @model_validator(mode="after")
    def _check(self) -> Workload:
        given = [name for name in DEMAND_FIELDS if getattr(self, name) is not None]
        if len(given) != 1:
            shown = f" (got {', '.join(given)})" if given else ""
            raise PydanticCustomError(
                "demand", "give exactly one of tokens, flops, tokens_per_s, delivered, demand or chips{s}", {"s": shown}
            )
        problem = _class_problem(self) if self.workload_class is None else _model_problem(self)
        if problem:
            raise PydanticCustomError("workload", "{message}", {"message": problem})
        return self

    @property
    def form(self) -> str:
        """How the demand is stated: peak | chips | rate | budget."""
        if self.demand is not None:
            return "peak"
        if self.chips is not None:
            return "chips"
        if self.tokens is not None or self.flops is not None:
            return "budget"
        return "rate"

    @property
    def active(self) -> float | None:
        """Parameters per token: active_params, else total_params."""
        return self.active_params if self.active_params is not None else self.total_params

    @property
    def run_precisions(self) -> list[str]:
        return list(self.precisions or ["bf16"])


def _class_problem(workload: Workload) -> str | None:
    """A shorthand workload (no class) may state only demand or chips, and no model fields."""
    for name in (*DEMAND_FIELDS[:4], "deadline", *MODEL_FIELDS):
        if getattr(workload, name) is not None:
            return f"{name} needs a class (dense-pretraining, moe-pretraining, post-training or inference)"
    return None


def _model_problem(workload: Workload) -> str | None:
    """The consistency rules of a classed workload (one line each)."""
    if workload.demand is not None:
        return "demand is the peak-PFLOPS shorthand of a workload without a class; give delivered (PFLOPS) instead"
    if workload.deadline is not None and workload.tokens is None and workload.flops is None:
        return "deadline needs a budget (tokens or flops)"
    if workload.latency is not None and workload.workload_class != "inference":
        return "latency is for the inference class only"
    if workload.active_params is not None and workload.total_params is None:
        return "active_params needs total_params"
    if workload.active_params is not None and workload.active_params > (workload.total_params or 0.0):
        return f"active_params {workload.active_params:g} is above total_params {workload.total_params:g}"
    if (workload.tokens is not None or workload.tokens_per_s is not None) and workload.active is None:
        return "a token demand needs total_params (and active_params for MoE) to count FLOPs per token"
    if workload.precisions is not None and len(set(workload.precisions)) != len(workload.precisions):
        return "precisions lists a precision twice"
    return None


class ShareBound(_Strict):
    """Hybrid share of the plan for a hardware family or software stack, on a basis.

    basis: ``peak`` (peak dense PFLOPS at the scenario precision, as before issue 13),
    ``delivered`` (delivered PFLOPS to the workloads), ``chips``, ``power`` (facility design
    kW of owned and colo units; rented units count their IT design power), ``capex``
    (purchase capex of units; rented units count none).
    """

    family: str | None = None
    software: str | None = None
    basis: ShareBasis = "peak"
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
        who = f"family {self.family}" if self.family else f"software {self.software}"
        return who if self.basis == "peak" else f"{who}, {self.basis}"


#: objectives that read delivered PFLOPS (so every workload needs a class)
DELIVERED_USE = ("max-delivered", "min-time-to-train", "min-cost-per-delivered")


def objective_problem(header: Any, workloads: list[Workload], shares: list[ShareBound]) -> str | None:
    """Why the objective, its target and the share bases do not fit the workloads, or None."""
    objective, target = header.objective, header.target
    by_id = {w.id: w for w in workloads}
    if objective == "min-time-to-train":
        if target is None:
            return "objective 'min-time-to-train' needs target = '<workload id>'"
        if target not in by_id:
            return f"target {target!r} names no [[workload]]"
        if by_id[target].form != "budget":
            return f"target {target!r} needs a budget (tokens or flops) to have a time to train"
    elif target is not None:
        return f"target is for objective 'min-time-to-train' (objective is {objective!r})"
    if objective in DELIVERED_USE and not workloads:
        return f"objective {objective!r} needs at least one [[workload]]"
    delivered_use = objective in DELIVERED_USE or any(s.basis == "delivered" for s in shares)
    shorthand = next((w.id for w in workloads if w.workload_class is None), None)
    if delivered_use and shorthand is not None:
        why = f"objective {objective!r}" if objective != "max-compute" else "a share with basis 'delivered'"
        return f"{why} needs every [[workload]] to give a class (workload {shorthand!r} is a peak/chips shorthand)"
    if objective in ("min-tco", "min-cost-per-delivered"):
        # every demand is a floor: a budget without a deadline sets none (it has no rate)
        open_budget = next((w.id for w in workloads if w.form == "budget" and w.deadline is None), None)
        if open_budget is not None:
            return f"objective {objective!r} needs a deadline on every budget (workload {open_budget!r} has none)"
    return None


def default_stages(workload: Workload) -> int:
    """Scale-up domains a replica may span: the scenario's, else 16 (training) or 1 (inference)."""
    if workload.max_pipeline_stages is not None:
        return workload.max_pipeline_stages
    return DEFAULT_STAGES["training" if is_training(workload.workload_class or "") else "inference"]


class Haircut(_Strict):
    """What if a vendor claim delivers less than claimed: the claim's subject system
    delivers ``1 - fraction`` of its sustained efficiency for every classed workload
    (two haircuts on one system multiply: ``(1 - f1)(1 - f2)``). ``low``/``high``: the range
    sweeps sample (default: the fraction alone)."""

    claim: Id = Field(pattern=ID_PATTERN, description="a catalog [[claim]] id")
    fraction: float = Field(ge=0.0, lt=1.0, description="share of the claim not delivered")
    low: float | None = Field(default=None, ge=0.0, lt=1.0)
    high: float | None = Field(default=None, ge=0.0, lt=1.0)

    @model_validator(mode="after")
    def _check(self) -> Haircut:
        low = self.fraction if self.low is None else self.low
        high = self.fraction if self.high is None else self.high
        if not low <= self.fraction <= high:
            message = f"fraction {self.fraction:g} is outside [low, high] = [{low:g}, {high:g}]"
            raise PydanticCustomError("haircut", "{message}", {"message": message})
        return self


Stack = Literal["neuron", "cuda", "rocm", "xla"]
ANY_WORKLOAD = "*"


def _workload_or_any(value: Any) -> Any:
    return value if value == ANY_WORKLOAD else check_id(value)


WorkloadOrAny = Annotated[str, BeforeValidator(_workload_or_any)]


class Porting(_Strict):
    """Make a workload run on a software stack it was not written for::

        [[porting]]
        workload = "llama-405b"     # a [[workload]] id, or "*": every workload not written for `to`
        to = "neuron"               # neuron | cuda | rocm | xla
        cost = "2 MUSD"             # one-off, in capex (and TCO) when the workload uses the stack
        delay = "60 day"            # time lost before it runs there

    At least one of ``cost`` and ``delay``. An entry for the workload's id beats a ``"*"``
    entry for the same stack; a ``"*"`` entry's cost is paid once per workload it ports.
    The delay scales what a unit of the stack delivers to the workload by
    ``1 - delay / window`` (planner.porting).
    """

    workload: WorkloadOrAny = Field(description="a [[workload]] id, or '*' for every workload")
    to: Stack = Field(description="the software stack it is ported to")
    cost: Money | None = Field(default=None, description="one-off porting cost, counted in capex when used")
    delay: Duration | None = Field(default=None, description="time lost before it runs on that stack")

    @model_validator(mode="after")
    def _check(self) -> Porting:
        if self.cost is None and self.delay is None:
            raise PydanticCustomError("porting", "give a cost, a delay or both", {})
        return self

    @property
    def label(self) -> str:
        return f"{self.workload} to {self.to}"


def porting_window(workload: Workload, tco_horizon: Any) -> tuple[float, str]:
    """(seconds, what it is) of the time a ported workload's delay is taken from: its
    deadline for a budget with a deadline, else the scenario's TCO horizon (a sustained rate
    loses ``delay`` of the horizon; a delay on a budget without a deadline is refused by
    ``porting_problem``)."""
    if workload.form == "budget" and workload.deadline is not None:
        return float(workload.deadline.m_as("s")), f"its deadline of {days(workload.deadline)}"
    return float(tco_horizon.m_as("s")), f"the tco_horizon of {float(tco_horizon.m_as('year')):g} year"


def days(duration: Any) -> str:
    """'60 day' (a duration in days, for messages)."""
    return f"{float(duration.m_as('day')):,.6g} day"


def porting_problem(portings: list[Porting], workloads: list[Workload], tco_horizon: Any) -> str | None:
    """The first reason the [[porting]] tables do not fit the workloads (one line), or None:
    an unknown workload id, a stack the workload already runs (redundant), an entry given
    twice, a delay on a budget without a deadline, or a delay not shorter than the
    workload's window (``porting_window``)."""
    by_id = {w.id: w for w in workloads}
    exact = {(p.workload, p.to) for p in portings if p.workload != ANY_WORKLOAD}
    seen: dict[tuple[str, str], int] = {}
    for i, entry in enumerate(portings):
        where = f"[[porting]] #{i + 1} ({entry.label})"
        if (entry.workload, entry.to) in seen:
            return f"{where}: given twice (also [[porting]] #{seen[entry.workload, entry.to] + 1})"
        seen[entry.workload, entry.to] = i
        if entry.workload == ANY_WORKLOAD and not workloads:
            return f"{where}: the scenario has no [[workload]] to port"
        if entry.workload == ANY_WORKLOAD:
            targets = [w for w in workloads if entry.to not in w.software and (w.id, entry.to) not in exact]
            if not targets:
                why = f"already runs on {entry.to} or has its own porting to it"
                return f"{where}: every [[workload]] {why}: the porting is redundant"
        elif entry.workload not in by_id:
            return f"{where}: workload {entry.workload!r} names no [[workload]]"
        elif entry.to in by_id[entry.workload].software:
            return f"{where}: workload {entry.workload!r} already runs on {entry.to} (its software): the porting is redundant"
        else:
            targets = [by_id[entry.workload]]
        if entry.delay is not None:
            problem = _delay_problem(entry, targets, tco_horizon)
            if problem:
                return f"{where}: {problem}"
    return None


def _delay_problem(entry: Porting, targets: list[Workload], tco_horizon: Any) -> str | None:
    """Why a porting's delay cannot be priced for one of its workloads, or None.

    A budget without a deadline is refused: its time to train on a ported stack is
    ``delay + budget / rate``, which no rate scaling of the linear model represents (scaling
    by ``1 - delay / horizon`` would make a long delay nearly free)."""
    delay_s = float(entry.delay.m_as("s")) if entry.delay is not None else 0.0
    for workload in targets:
        if workload.form == "budget" and workload.deadline is None:
            return (
                f"a delay on workload {workload.id!r}, a budget without a deadline, cannot be planned "
                "(its time to train would be delay + budget / rate): give the budget a deadline, or "
                "the porting a cost only"
            )
        window_s, what = porting_window(workload, tco_horizon)
        if delay_s >= window_s:
            return f"delay {days(entry.delay)} is not shorter than the window of workload {workload.id!r} ({what})"
    return None
