"""Per (workload, supply) pair: which supply a workload may use, at which precision, and how
much it delivers per deployment unit.

For a classed workload (issue 13) and each supply it may run on (software, placement,
residency), for each precision it lists that the chip has a peak figure for and the
efficiency data covers:

    d[w, e] = chips_per_unit x TFLOPS_peak(chip, p) / 1000 x efficiency x goodput(job chips)
              x (1 - haircut)                                              [PFLOPS per unit]

(haircut: the scenario's [[haircut]] on claims whose subject is the system, else 0); the
pair runs at the precision with the largest d among those whose replica fits
(models.workload.fit_problem: state <= stages x scale-up domain x HBM x 0.9). A pair with no
such precision is dropped for that workload only (the supply stays for the others), with the
reason naming the figures in ``ModelData.workload_pruned``.

The demand row of workload w is ``sum_e rate[w, e] x alloc[w, e] >= need(w)``, with alloc in
deployment units and ``rate`` in the demand's own unit per unit of supply:

- classed workloads: delivered PFLOPS (rate = d[w, e]); need = budget / deadline, token
  rate x FLOPs per token, or the delivered figure; a budget without deadline needs 0;
- peak shorthand (``demand``): peak dense PFLOPS at the scenario precision per unit
  (rate = compute_per_unit / 1000), as before issue 13;
- chips (with or without a class): chips per unit.

A shorthand workload has no efficiency data: its placements report efficiency and goodput 1
at the scenario precision (delivered = peak), and the delivered objectives refuse it
(planner.scenario_workload.objective_problem).

The efficiency and goodput figures come from a lookup (``EfficiencyLookup``): by default
``dcplan.models.efficiency`` over the catalog's [[efficiency]] and [[goodput]] entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from dcplan.models import workload as physics
from dcplan.models.catalog import Catalog, System
from dcplan.models.catalog.performance import Claim
from dcplan.models.errors import DcplanError
from dcplan.planner import porting
from dcplan.planner.scenario import Scenario, Workload
from dcplan.planner.scenario_workload import default_stages

TFLOPS_PER_PFLOPS = 1e3
BYTES_PER_GB = 1e9
DELIVERED = "delivered PFLOPS"


class _Figure(Protocol):
    @property
    def value(self) -> float: ...

    @property
    def entry(self) -> str: ...


class EfficiencyLookup(Protocol):
    """Where sustained efficiency and goodput figures come from (catalog data, or a test's)."""

    def efficiency(self, system: System, workload_class: str, precision: str, latency: str | None) -> _Figure | None:
        """Delivered model FLOPs / peak dense FLOPs; None when nothing covers the pair."""

    def goodput(self, system: System, job_chips: float) -> _Figure:
        """Share of wall time doing useful work at a job size."""


class NoEfficiencyData(DcplanError):
    """A scenario with classed workloads and a dcplan without efficiency data."""


@dataclass(frozen=True)
class CatalogLookup:
    """The catalog's [[efficiency]] / [[goodput]] entries through dcplan.models.efficiency."""

    catalog: Catalog

    def efficiency(self, system: System, workload_class: str, precision: str, latency: str | None) -> Any:
        return _efficiency_module().sustained_efficiency(self.catalog, system, workload_class, precision, latency)

    def goodput(self, system: System, job_chips: float) -> Any:
        return _efficiency_module().goodput(self.catalog, system, job_chips)


def _efficiency_module() -> Any:
    try:
        from dcplan.models import efficiency
    except ImportError:
        raise NoEfficiencyData(
            "this dcplan has no efficiency data (dcplan.models.efficiency): a [[workload]] with a class cannot be planned"
        ) from None
    return efficiency


@dataclass(slots=True)
class PairData:
    """One (workload, supply) pair the workload may use, and what a unit of it gives.

    Slotted and not frozen: a model has one per eligible (workload, supply), ~30,000 at
    5,000 row templates, and a frozen dataclass's per-field ``object.__setattr__`` made
    building them 5x slower (0.11 vs 0.02 s for 30,000). Treat it as read-only."""

    workload: str
    supply: str
    system: str
    precision: str
    rate: float  # per unit, in the workload's demand unit (PFLOPS delivered or peak, or chips)
    peak_pflops_per_unit: float  # at ``precision``
    delivered_pflops_per_unit: float
    efficiency: float
    goodput: float
    haircut: float = 0.0
    sources: tuple[str, ...] = ()  # catalog entries of the efficiency and goodput figures
    ported: str = ""  # the stack a [[porting]] lets it run on ("" = written for it; planner.porting)
    porting_factor: float = 1.0  # 1 - delay / window, already in rate and delivered_pflops_per_unit


@dataclass(frozen=True)
class Need:
    """A workload's demand floor in its demand unit (0: no floor)."""

    value: float
    unit: str  # DELIVERED, "PFLOPS" (peak, the shorthand) or "chips"


@dataclass
class WorkloadPairs:
    """Eligible supply per workload, the pair figures, the floors, what was pruned, and the
    supply groups of the models' alloc columns (``supply_groups``)."""

    eligible: dict[str, list[str]]
    pairs: dict[tuple[str, str], PairData]
    needs: dict[str, Need]
    pruned: list[str]
    groups: dict[str, list[str]] = field(default_factory=dict)


def supply_groups(eligible: dict[str, list[str]], pairs: dict[tuple[str, str], PairData]) -> dict[str, list[str]]:
    """First supply key of a group -> the supplies of the group, in order of first appearance
    (workloads sorted, each one's supplies as eligible).

    Supplies are one group when they have the same system and the same figures for the same
    eligible workloads (every PairData field but the supply): a unit of any of them serves a
    workload alike, so the models give units of a *group* to a workload,

        alloc[w, g] >= 0,  sum_w alloc[w, g] <= sum_(e in g) units[e]           [units]

    an exact reformulation of one alloc per (workload, supply) with far fewer columns (the
    1.1M-chip campus: 828 pairs over 237 supplies -> 8 over 3 groups). Which supply of a group
    serves which workload is read from the solution afterwards (planner.workload_results:
    any split within the units is valid)."""
    figures: dict[str, list[tuple[Any, ...]]] = {}  # per supply: every PairData field but the supply
    for w in sorted(eligible):
        for e in eligible[w]:
            p = pairs[w, e]
            figure = (
                w,
                p.system,
                p.precision,
                p.rate,
                p.peak_pflops_per_unit,
                p.delivered_pflops_per_unit,
                p.efficiency,
                p.goodput,
                p.haircut,
                p.sources,
            )
            figures.setdefault(e, []).append(figure)
    groups: dict[str, list[str]] = {}
    first_of: dict[tuple[tuple[Any, ...], ...], str] = {}
    for e, signature in figures.items():
        first = first_of.setdefault(tuple(signature), e)
        groups.setdefault(first, []).append(e)
    return groups


def peak_tflops(catalog: Catalog, system: System, precision: str) -> float:
    """Peak dense TFLOPS of one chip of ``system`` at ``precision`` (0 when not published)."""
    chip = catalog.chip(system.chip)
    figure = {"bf16": chip.bf16_dense, "fp8": chip.fp8_dense, "fp4": chip.fp4_dense}[precision]
    return float(figure.magnitude) if figure is not None else 0.0


def need_of(workload: Workload) -> Need:
    """The floor of a workload's demand row (see the module docstring)."""
    if workload.demand is not None:
        return Need(float(workload.demand.m_as("PFLOPS")), "PFLOPS")
    if workload.chips is not None:
        return Need(float(workload.chips), "chips")
    if workload.delivered is not None:
        return Need(float(workload.delivered.m_as("PFLOPS")), DELIVERED)
    if workload.tokens_per_s is not None:
        per_token = physics.flops_per_token(workload.workload_class or "", workload.active or 0.0)
        return Need(physics.token_rate_pflops(workload.tokens_per_s, per_token), DELIVERED)
    budget = budget_flop(workload)
    if workload.deadline is None or budget is None:
        return Need(0.0, DELIVERED)
    return Need(physics.budget_rate_pflops(budget, float(workload.deadline.m_as("s"))), DELIVERED)


def budget_flop(workload: Workload) -> float | None:
    """A budget in FLOP: ``flops``, or ``tokens x FLOPs per token``; None for other forms."""
    if workload.flops is not None:
        return float(workload.flops.m_as("FLOP"))
    if workload.tokens is not None and workload.active is not None:
        return workload.tokens * physics.flops_per_token(workload.workload_class or "", workload.active)
    return None


def _placement_ok(workload: Workload, operator: str, residency: str) -> bool:
    return operator in workload.placement and ("any" in workload.residency or residency in workload.residency)


def candidate_supply(
    scenario: Scenario, options: list[Any], clouds: list[Any], sites: dict[str, Any]
) -> dict[str, list[str]]:
    """Workload id -> the option and cloud keys it may run on: its software (and the stacks
    a [[porting]] opens, planner.porting), placement (operator or cloud) and residency."""
    eligible: dict[str, list[str]] = {}
    stacks = porting.run_stacks(scenario)
    for workload in scenario.workload:
        keys = [
            o.key
            for o in options
            if o.software in stacks[workload.id]
            and _placement_ok(workload, sites[o.site].operator, sites[o.site].residency)
        ]
        keys += [
            c.key
            for c in clouds
            if c.software in stacks[workload.id]
            and "cloud" in workload.placement
            and ("any" in workload.residency or c.offer.residency in workload.residency)
        ]
        eligible[workload.id] = keys
    return eligible


@dataclass(frozen=True)
class _Choice:
    """The best precision of a (workload, system), or why none works."""

    precision: str = ""
    peak_tflops: float = 0.0
    efficiency: float = 0.0
    goodput: float = 0.0
    sources: tuple[str, ...] = ()
    reason: str = ""


def _state_bytes(workload: Workload, precision: str) -> float | None:
    if workload.state_bytes is not None:
        return float(workload.state_bytes.m_as("GB")) * BYTES_PER_GB
    if workload.total_params is None:
        return None  # no model size given: the fit rule is not applied
    return physics.state_bytes(workload.workload_class or "", workload.total_params, precision)


def _job_chips(workload: Workload) -> float:
    if workload.job_chips is not None:
        return float(workload.job_chips)
    return float(
        physics.DEFAULT_JOB_CHIPS["training" if physics.is_training(workload.workload_class or "") else "inference"]
    )


def choose_precision(catalog: Catalog, lookup: EfficiencyLookup, workload: Workload, system: System) -> _Choice:
    """The precision with the most delivered FLOPs per chip ``TFLOPS x efficiency`` among
    those with a peak figure, efficiency data and a replica that fits; else the reason."""
    reasons: list[str] = []
    best: _Choice | None = None
    domain = int(system.scale_up_domain.value)
    hbm = float(catalog.chip(system.chip).hbm_capacity.magnitude) * BYTES_PER_GB
    for precision in workload.run_precisions:
        peak = peak_tflops(catalog, system, precision)
        figure = (
            lookup.efficiency(system, workload.workload_class or "", precision, workload.latency) if peak > 0 else None
        )
        if figure is None:
            reasons.append(f"no {precision} {'efficiency data' if peak > 0 else 'figure'}")
            continue
        state = _state_bytes(workload, precision)
        if state is not None:
            problem = physics.fit_problem(workload.id, state, default_stages(workload), domain, hbm, system.id)
            if problem:
                reasons.append(f"{problem} at {precision}")
                continue
        if best is None or peak * figure.value > best.peak_tflops * best.efficiency:
            best = _Choice(precision, peak, float(figure.value), sources=(figure.entry,))
    if best is None:
        return _Choice(reason=f"{workload.id} cannot run on {system.id}: {'; '.join(reasons)}")
    good = lookup.goodput(system, _job_chips(workload))
    return _Choice(best.precision, best.peak_tflops, best.efficiency, float(good.value), (*best.sources, good.entry))


def _shorthand_pair(workload: Workload, supply: Any, precision: str) -> PairData:
    """A peak or chips shorthand: efficiency and goodput 1 at the scenario precision."""
    peak = supply.compute_per_unit / TFLOPS_PER_PFLOPS
    rate = peak if workload.demand is not None else float(supply.chips_per_unit)
    return PairData(workload.id, supply.key, supply.system, precision, rate, peak, peak, 1.0, 1.0)


def workload_pairs(
    scenario: Scenario,
    catalog: Catalog,
    supplies: tuple[list[Any], list[Any]],
    sites: dict[str, Any],
    lookup: EfficiencyLookup | None,
) -> WorkloadPairs:
    """Every eligible (workload, supply) pair with its figures; pairs that cannot run pruned."""
    options, clouds = supplies
    by_key = {s.key: s for s in [*options, *clouds]}
    candidates = candidate_supply(scenario, options, clouds, sites)
    eligible: dict[str, list[str]] = {}
    pairs: dict[tuple[str, str], PairData] = {}
    pruned: list[str] = []
    choices: dict[tuple[str, str], _Choice] = {}  # per (workload, system): rows and halls share it
    cuts = haircuts(scenario, catalog)
    for workload in scenario.workload:
        keep: list[str] = []
        for key in candidates[workload.id]:
            supply = by_key[key]
            if workload.workload_class is None:
                pairs[workload.id, key] = _shorthand_pair(workload, supply, scenario.scenario.precision)
                keep.append(key)
                continue
            if lookup is None:
                lookup = CatalogLookup(catalog)
            choice = choices.get((workload.id, supply.system))
            if choice is None:
                choice = choices[workload.id, supply.system] = choose_precision(
                    catalog, lookup, workload, catalog.system(supply.system)
                )
                if choice.reason:
                    pruned.append(choice.reason)
            if choice.reason:
                continue
            pairs[workload.id, key] = _classed_pair(workload, supply, choice, cuts.get(supply.system, 0.0))
            keep.append(key)
        eligible[workload.id] = keep
    pruned += porting.apply_porting(scenario, pairs, {k: s.software for k, s in by_key.items()})
    needs = {w.id: need_of(w) for w in scenario.workload}
    return WorkloadPairs(eligible, pairs, needs, pruned, supply_groups(eligible, pairs))


def haircuts(scenario: Scenario, catalog: Catalog) -> dict[str, float]:
    """System id -> the combined haircut of the scenario's [[haircut]] tables on claims about
    it: ``1 - prod(1 - fraction)``."""
    kept: dict[str, float] = {}
    for cut in scenario.haircut:
        claim = catalog.get("claim", cut.claim)
        subject = claim.subject if isinstance(claim, Claim) else ""
        kept[subject] = kept.get(subject, 1.0) * (1.0 - cut.fraction)
    return {system: 1.0 - share for system, share in kept.items()}


def _classed_pair(workload: Workload, supply: Any, choice: _Choice, haircut: float) -> PairData:
    peak = supply.chips_per_unit * choice.peak_tflops / TFLOPS_PER_PFLOPS
    delivered = physics.delivered_pflops_per_unit(
        supply.chips_per_unit, choice.peak_tflops, choice.efficiency, choice.goodput, haircut
    )
    rate = float(supply.chips_per_unit) if workload.chips is not None else delivered
    return PairData(
        workload.id,
        supply.key,
        supply.system,
        choice.precision,
        rate,
        peak,
        delivered,
        choice.efficiency,
        choice.goodput,
        haircut,
        sources=choice.sources,
    )
