"""One sample: a pure function of its spec, run in this process, a worker or on Dask.

``SampleSpec`` holds everything one solve needs (small and picklable); ``run_sample``
applies its values to the process's cached catalog and to the scenario mapping, solves
the plan (marginals and diagnosis off, HiGHS with one thread) and returns a small
``SampleResult``. The worker-side state (the catalog cache and why a worker could not
start) lives in this module, so a process pool or Dask imports it by this module's path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

import numpy as np
from pydantic import BaseModel

from dcplan.models.catalog import Catalog, System
from dcplan.models.catalog.loader import CatalogItem, load_catalog
from dcplan.models.catalog.performance import Goodput
from dcplan.models.catalog.sourced import Sourced
from dcplan.planner.scenario import ScenarioHeader, parse_scenario
from dcplan.planner.sweep.errors import InjectedFailure, SweepRunError
from dcplan.planner.sweep.inputs import multi_rack
from dcplan.planner.sweep.vary import SCENARIO_TABLES, annotated_type, numeric_kind

SOLUTION_STATUSES = ("optimal", "feasible-with-gap", "cancelled")

Assignment = tuple[str, str, str, Any]  # (kind, id, field, value) in the field's canonical unit


@dataclass(frozen=True)
class SampleSpec:
    """Everything one solve needs; small and picklable (sent to a worker process or Dask)."""

    index: int
    scenario: dict[str, Any]
    catalog_dirs: tuple[str, ...]
    builtin: bool
    catalog_values: tuple[Assignment, ...]
    scenario_values: tuple[Assignment, ...]
    time_limit_s: float = 60.0
    rel_gap: float = 1e-3
    fixed_mix: tuple[tuple[str, int], ...] | None = None  # candidate min_units = max_units
    phase: Literal["sample", "robust"] = "sample"
    mix: int = -1  # robust phase: which candidate mix
    attempt: int = 1
    fail_attempts: int = 0  # testing aid: raise InjectedFailure on attempts <= this


@dataclass(frozen=True)
class SampleResult:
    """What one solve gave (small): status, figures in display units, units per system."""

    index: int
    phase: str
    mix: int
    status: str  # optimal | feasible-with-gap | cancelled | infeasible | no-plan-within-limit | error
    compute_pflops: float | None = None
    tco_musd: float | None = None
    capex_musd: float | None = None
    facility_mw: float | None = None
    units: tuple[tuple[str, int], ...] = ()  # every system, owned + rented
    candidate_units: tuple[tuple[str, int], ...] = ()  # [[candidate]] systems: what min/max_units bound
    gap: float | None = None
    error: str | None = None
    attempts: int = 1
    elapsed_s: float = 0.0
    cpu_s: float = 0.0  # CPU time of the worker process for this sample (vs elapsed: contention)

    @property
    def has_plan(self) -> bool:
        return self.status in SOLUTION_STATUSES

    @property
    def mix_key(self) -> tuple[tuple[str, int], ...]:
        """The purchase decision: units of each [[candidate]] system (rented cloud-only
        systems adapt per sample, so they are not part of a mix)."""
        return self.candidate_units

    def outcome(self) -> tuple[Any, ...]:
        """Everything but timing: equal for the same spec on any backend."""
        return (
            self.index,
            self.phase,
            self.mix,
            self.status,
            self.compute_pflops,
            self.tco_musd,
            self.capex_musd,
            self.facility_mw,
            self.units,
            self.candidate_units,
            self.error,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": self.status,
            "compute_pflops": self.compute_pflops,
            "tco_musd": self.tco_musd,
            "capex_musd": self.capex_musd,
            "facility_mw": self.facility_mw,
            "units": dict(self.units),
            "gap": self.gap,
            "error": self.error,
            "attempts": self.attempts,
            "elapsed_s": round(self.elapsed_s, 4),
            "cpu_s": round(self.cpu_s, 4),
        }


_CATALOGS: dict[tuple[tuple[str, ...], bool], Catalog] = {}


def base_catalog(dirs: tuple[str, ...], builtin: bool = True) -> Catalog:
    """The merged catalog, loaded once per process (worker processes and Dask workers)."""
    key = (tuple(dirs), builtin)
    if key not in _CATALOGS:
        _CATALOGS[key] = load_catalog(list(dirs), builtin=builtin, use_env=False)
    return _CATALOGS[key]


def prime_catalog(dirs: tuple[str, ...], builtin: bool, catalog: Catalog) -> None:
    """Seed this process's cache with an already loaded catalog (in-process runs)."""
    _CATALOGS[(tuple(dirs), builtin)] = catalog


_WARM_ERROR: str | None = None  # why this worker process could not start, if it could not


def warm_worker(dirs: tuple[str, ...], builtin: bool = True) -> str | None:
    """Process-pool initializer / Dask ``client.run`` target: import the solver, load the
    catalog. Returns (and remembers) the error text if that fails, so the pool is not
    broken and the parent can say why in one line."""
    global _WARM_ERROR
    try:
        from pyomo.contrib.solver.solvers.highs import Highs  # noqa: F401  (highspy)

        import dcplan.planner.pipeline  # noqa: F401  (pyomo)

        base_catalog(tuple(dirs), builtin)
    except Exception as exc:
        _WARM_ERROR = error_text(exc)
    else:
        _WARM_ERROR = None
    return _WARM_ERROR


def start_error() -> str | None:
    """Run in a worker after its initializer: None if it is ready."""
    return _WARM_ERROR


def apply_catalog_values(base: Catalog, values: Iterable[Assignment]) -> Catalog:
    """A copy of ``base`` with the given figures replaced (entries copied, not re-validated).

    The ranges (``low``/``high``) are kept, so a plan's assumptions still show them.
    """
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, entry_id, field_name, value in values:
        grouped.setdefault((kind, entry_id), {})[field_name] = value
    if not grouped:
        return base
    items = {kind: dict(by_id) for kind, by_id in base.items.items()}
    for (kind, entry_id), fields in grouped.items():
        item: CatalogItem = items[kind][entry_id]
        entry = item.entry
        update: dict[str, Any] = {}
        for field_name, value in fields.items():
            if isinstance(entry, Goodput) and field_name == "points":
                update[field_name] = _goodput_points(entry, value)
                continue
            sourced = getattr(entry, field_name)
            update[field_name] = sourced.model_copy(update={"value": _as_field_value(sourced, value)})
        racks = entry.racks_per_unit if isinstance(entry, System) else None
        if racks is not None and "weight" in update and "racks_per_unit" in fields and multi_rack(entry):
            # the mass range is the catalog's for its rack count: rescale it with the sampled count
            ratio = round(fields["racks_per_unit"]) / int(racks.value)
            mass = update["weight"]
            update["weight"] = mass.model_copy(
                update={end: getattr(mass, end) * ratio for end in ("low", "high") if getattr(mass, end) is not None}
            )
        items[kind][entry_id] = replace(item, entry=entry.model_copy(update=update))
    return Catalog(items=items, folders=list(base.folders))


def _goodput_points(curve: Goodput, values: Any) -> list[Any]:
    """The curve's points with their goodput values replaced (one value per point, in order)."""
    return [
        point.model_copy(update={"goodput": point.goodput.model_copy(update={"value": float(v)})})
        for point, v in zip(curve.points, values, strict=True)
    ]


def _as_field_value(sourced: Sourced[Any], value: Any) -> Any:
    current = sourced.value
    units = getattr(current, "units", None)
    if units is not None:
        from dcplan.models.units import Q_

        return Q_(np.asarray(value, dtype=float) if isinstance(value, tuple | list) else float(value), units)
    if isinstance(current, int) and not isinstance(current, bool):
        return round(value)
    return float(value)


def _quantity_field(model: type[BaseModel], field_name: str) -> str | None:
    """Canonical unit of a scenario quantity field, None for plain numbers."""
    info = model.model_fields[field_name]
    annotation = annotated_type(info.annotation, info.metadata)
    if numeric_kind(annotation) != "quantity":
        return None
    for meta in (*get_args(annotation)[1:], *info.metadata):
        canonical = getattr(meta, "canonical", None)
        if canonical:
            return str(canonical)
    return None


def apply_scenario_values(
    data: dict[str, Any], values: Iterable[Assignment], fixed_mix: Sequence[tuple[str, int]] | None = None
) -> dict[str, Any]:
    """A copy of the scenario mapping with the given fields set (validated by the caller)."""
    import copy

    out = copy.deepcopy(data)
    for table, item_id, field_name, value in values:
        model = ScenarioHeader if table == "scenario" else SCENARIO_TABLES[table][0]
        unit = _quantity_field(model, field_name)
        wrapped = {"value": float(value), "unit": unit} if unit else value
        if table == "scenario":
            out["scenario"][field_name] = wrapped
            continue
        for item in out.get(table, []):
            if table == "share":
                idents: tuple[Any, ...] = (item.get("family"), item.get("software"))
            else:
                key = {"candidate": "system", "haircut": "claim"}.get(table, "id")
                idents = (item.get(key),)
            if item_id in idents:
                item[field_name] = wrapped
    if fixed_mix is not None:
        mix = dict(fixed_mix)
        for item in out["candidate"]:
            units = int(mix.get(item["system"], 0))
            item["min_units"] = units
            item["max_units"] = units
    return out


def maximised_pflops(plan: Any) -> float:
    """The compute a plan's objective counts [PFLOPS]: peak (max-compute, min-tco) or the
    delivered PFLOPS of the workloads (max-delivered; min-time-to-train: its target's)."""
    header = plan.scenario["scenario"]
    if header["objective"] == "max-delivered":
        return float(sum(w.delivered_pflops for w in plan.workloads))
    if header["objective"] == "min-time-to-train":
        return float(sum(w.delivered_pflops for w in plan.workloads if w.workload == header["target"]))
    return float(plan.compute_total.m_as("PFLOPS"))


def run_sample(spec: SampleSpec) -> SampleResult:
    """Solve one sample in full; a pure function of ``spec`` (exceptions propagate)."""
    from dcplan.planner.pipeline import PlanOptions, plan_scenario
    from dcplan.planner.solve import SolveSettings

    started, cpu_started = time.perf_counter(), time.process_time()
    if _WARM_ERROR is not None:
        raise SweepRunError(f"worker could not start: {_WARM_ERROR}")
    if spec.attempt <= spec.fail_attempts:
        raise InjectedFailure(f"injected failure on attempt {spec.attempt} of sample {spec.index}")
    catalog = apply_catalog_values(base_catalog(spec.catalog_dirs, spec.builtin), spec.catalog_values)
    data = apply_scenario_values(spec.scenario, spec.scenario_values, spec.fixed_mix)
    scenario = parse_scenario(data, where=f"sample {spec.index}")
    options = PlanOptions(
        settings=SolveSettings(time_limit_s=spec.time_limit_s, rel_gap=spec.rel_gap, threads=1, seed=0),
        marginals=False,
        diagnose=False,
    )
    with _quiet_pyomo():
        plan = plan_scenario(scenario, catalog, options)
    systems = [c.system for c in scenario.candidate] + [o.system for o in scenario.cloud]
    units = dict.fromkeys(systems, 0)
    for line in plan.mix:
        units[line.system] = units.get(line.system, 0) + int(line.units)
    has_plan = plan.solver.status in SOLUTION_STATUSES and plan.costs is not None and plan.energy is not None
    return SampleResult(
        index=spec.index,
        phase=spec.phase,
        mix=spec.mix,
        status=plan.solver.status,
        compute_pflops=maximised_pflops(plan) if has_plan else None,
        tco_musd=float(plan.costs.tco.m_as("USD")) / 1e6 if has_plan and plan.costs else None,
        capex_musd=float(plan.costs.capex_total.m_as("USD")) / 1e6 if has_plan and plan.costs else None,
        facility_mw=float(plan.energy.facility_power_design.m_as("MW")) if has_plan and plan.energy else None,
        units=tuple(sorted(units.items())) if has_plan else (),
        candidate_units=tuple(sorted((c.system, units[c.system]) for c in scenario.candidate)) if has_plan else (),
        gap=plan.solver.gap,
        attempts=spec.attempt,
        elapsed_s=time.perf_counter() - started,
        cpu_s=time.process_time() - cpu_started,
    )


@contextmanager
def _quiet_pyomo() -> Iterator[None]:
    """Pyomo logs a failed constraint rule before raising; the sweep reports the exception."""
    logger = logging.getLogger("pyomo")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip().splitlines()
    return text[0] if text else type(exc).__name__
