"""A whole sweep: its configuration, the design drawn from it, and the result.

``prepare_sweep`` reads the inputs (catalog ranges, ``--vary``), draws the design and
builds one ``SampleSpec`` per sample; ``run_sweep`` runs them on the configured backend,
then the robust check, and analyses the results (summary, tornado).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from dcplan.models.catalog import Catalog
from dcplan.models.catalog.loader import catalog_dirs_from_env
from dcplan.planner.scenario import Scenario, ScenarioError, parse_scenario
from dcplan.planner.sweep.backends import LOOPBACK, DaskTls, FailedAttempt, ProgressFn, execute, make_backend
from dcplan.planner.sweep.design import LHS_KINDS, grid_matrix, lhs_matrix, sample_assignments
from dcplan.planner.sweep.errors import SweepInputError
from dcplan.planner.sweep.inputs import UncertainInput, catalog_inputs, haircut_inputs
from dcplan.planner.sweep.robust import robust_check
from dcplan.planner.sweep.sample import SampleResult, SampleSpec, apply_scenario_values
from dcplan.planner.sweep.sensitivity import (
    SENSITIVITY_METHODS,
    check_base_samples,
    sensitivity,
    sensitivity_matrix,
)
from dcplan.planner.sweep.stats import summarise, tornado, unproven_share
from dcplan.planner.sweep.vary import merge_inputs, parse_vary

SWEEP_SCHEMA_VERSION = "1.3"  # 1.1: summary.infeasible_share, inputs[].per_rack; 1.2: lhs, sensitivity;
# 1.3: tornado[].confidence, unproven
Method = Literal["lhs", "grid", "sobol", "morris"]


@dataclass
class SweepConfig:
    """How to sweep (CLI flags map one to one)."""

    samples: int = 500
    seed: int = 1
    grid: int | None = None  # levels per --vary input (full factorial) instead of LHS
    lhs: str = "scrambled"  # Latin hypercube: "scrambled" (uniform in each stratum) or "centred" (see lhs_matrix)
    sensitivity: str | None = None  # "sobol" | "morris": that method's design and indices (samples = base samples)
    vary: list[str] = field(default_factory=list)
    catalog_ranges: bool | None = None  # default: on for LHS, off for a grid
    time_limit_s: float = 60.0
    rel_gap: float = 1e-3  # 0.1 %: 3-6x faster per sample than `dcplan solve`'s 0.01 %, well inside the spread
    workers: int | None = None  # None: one per CPU; 0: in this process
    scheduler: str | None = None
    tls: DaskTls | None = None  # --tls-ca-file/--tls-cert/--tls-key for a tls:// scheduler
    worker_timeout_s: float = 60.0  # a Dask cluster with no workers this long stops the sweep
    dask_host: str = LOOPBACK  # --scheduler local: where its scheduler, workers and dashboard listen
    dashboard: str | None = f"{LOOPBACK}:8787"  # --scheduler local: dashboard address (None: off)
    robust_mixes: int = 5
    robust_samples: int | None = 100  # None: all samples


@dataclass
class SweepDesign:
    """The inputs, the design matrix and one spec per sample, before anything runs."""

    scenario: Scenario
    scenario_file: str | None
    config: SweepConfig
    method: Method
    inputs: list[UncertainInput]
    unit_cube: np.ndarray  # n x d coordinates in [0, 1]
    drivers: np.ndarray  # n x d driver values (scalars) for tables and statistics
    specs: list[SampleSpec]
    catalog_dirs: tuple[str, ...]
    builtin: bool
    skipped: list[str] = field(default_factory=list)


def resolve_catalog_dirs(extra: Sequence[Path | str] = (), use_env: bool = True) -> tuple[str, ...]:
    """Folders a worker must load: $DCPLAN_CATALOG then ``extra``, as absolute paths."""
    dirs = [*(catalog_dirs_from_env() if use_env else []), *(Path(d).expanduser() for d in extra)]
    return tuple(str(Path(d).resolve()) for d in dirs)


def prepare_sweep(
    scenario: Scenario,
    catalog: Catalog,
    config: SweepConfig,
    catalog_dirs: tuple[str, ...] = (),
    builtin: bool = True,
    scenario_file: str | None = None,
) -> SweepDesign:
    """Read the inputs, draw the design and build one spec per sample (nothing solved yet)."""
    if scenario.scenario.objective == "min-cost-per-delivered":  # its statistics would rank peak compute
        raise SweepInputError(
            "a sweep cannot rank plans by USD per PFLOP-day yet: sweep it as min-tco or max-delivered"
        )
    if scenario.roadmap is not None:  # a sample is one single-period solve; a roadmap is many
        raise SweepInputError(
            "a sweep cannot sample a [roadmap] scenario yet: sweep one period's single-period scenario"
        )
    method = _check_method(config)
    use_catalog = config.catalog_ranges if config.catalog_ranges is not None else method != "grid"
    varied = [parse_vary(text, scenario, catalog) for text in config.vary]
    if use_catalog:  # a [[haircut]]'s own range is sampled like a catalog range (unless --vary'd)
        varied += [h for h in haircut_inputs(scenario) if h.target not in {v.target for v in varied}]
    inputs = merge_inputs(catalog_inputs(scenario, catalog) if use_catalog else [], varied)
    if not inputs:
        raise SweepInputError(
            "nothing to vary: the scenario's catalog entries have no ranges; add --vary FIELD=LOW:HIGH"
        )
    _check_scenario_ends(scenario, inputs)
    cube = _unit_cube(method, inputs, config)
    base_data = scenario.model_dump(mode="json")
    specs: list[SampleSpec] = []
    drivers = np.zeros(cube.shape, dtype=float)
    for index, row in enumerate(cube):
        pairs, driver_values = sample_assignments(inputs, row, catalog)
        drivers[index] = driver_values
        specs.append(
            SampleSpec(
                index=index,
                scenario=base_data,
                catalog_dirs=catalog_dirs,
                builtin=builtin,
                catalog_values=tuple((t.kind, t.id, t.field, v) for t, v in pairs if t.where == "catalog"),
                scenario_values=tuple((t.kind, t.id, t.field, v) for t, v in pairs if t.where == "scenario"),
                time_limit_s=config.time_limit_s,
                rel_gap=config.rel_gap,
            )
        )
    return SweepDesign(
        scenario=scenario,
        scenario_file=scenario_file,
        config=config,
        method=method,
        inputs=inputs,
        unit_cube=cube,
        drivers=drivers,
        specs=specs,
        catalog_dirs=catalog_dirs,
        builtin=builtin,
    )


def _check_method(config: SweepConfig) -> Method:
    """The design the flags ask for, and the flags that do not go with it (one line each)."""
    if config.sensitivity is not None:
        return _check_sensitivity(config)
    method: Method = "grid" if config.grid is not None else "lhs"
    if config.lhs not in LHS_KINDS:
        raise SweepInputError(f"--lhs {config.lhs}: expected one of {', '.join(LHS_KINDS)}")
    if method == "grid" and config.catalog_ranges:
        raise SweepInputError("--grid varies only the --vary inputs; drop --catalog-ranges or use --samples")
    if method == "grid" and not config.vary:
        raise SweepInputError("--grid needs at least one --vary FIELD=LOW:HIGH")
    if method == "grid" and config.grid is not None and config.grid < 2:
        raise SweepInputError(f"--grid {config.grid}: needs at least 2 levels")
    if method == "grid" and config.lhs != "scrambled":
        raise SweepInputError(f"--lhs {config.lhs}: only for Latin-hypercube sampling, not with --grid")
    if method == "lhs" and config.samples < 1:
        raise SweepInputError(f"--samples {config.samples}: needs at least 1 sample")
    return method


def _check_sensitivity(config: SweepConfig) -> Method:
    """--sensitivity sobol|morris: its own design, so no --grid and no --lhs choice."""
    method = config.sensitivity
    if method in ("sobol", "morris"):
        chosen: Method = "sobol" if method == "sobol" else "morris"
        if config.grid is not None:
            raise SweepInputError(f"--sensitivity {method}: draws its own design; drop --grid")
        if config.lhs != "scrambled":
            raise SweepInputError(f"--lhs {config.lhs}: only for Latin-hypercube sampling, not with --sensitivity")
        check_base_samples(chosen, config.samples)
        return chosen
    raise SweepInputError(f"--sensitivity {method}: expected one of none, {', '.join(SENSITIVITY_METHODS)}")


def _unit_cube(method: str, inputs: Sequence[UncertainInput], config: SweepConfig) -> np.ndarray:
    """The design's points in [0, 1]^d, one row per sample, one column per input."""
    if method == "grid":
        assert config.grid is not None
        return grid_matrix(inputs, config.grid)
    if method in SENSITIVITY_METHODS:
        return sensitivity_matrix(method, [item.name for item in inputs], config.samples, config.seed)
    return lhs_matrix(len(inputs), config.samples, config.seed, config.lhs)


def _check_scenario_ends(scenario: Scenario, inputs: Sequence[UncertainInput]) -> None:
    """The scenario must stay valid with every --vary input at its low (and high) end."""
    scenario_inputs = [i for i in inputs if i.target.where == "scenario"]
    if not scenario_inputs:
        return
    base = scenario.model_dump(mode="json")
    for side, u in (("low", 0.0), ("high", 1.0)):
        values = [(i.target.kind, i.target.id, i.target.field, i.domain.at(u)) for i in scenario_inputs]
        try:
            parse_scenario(apply_scenario_values(base, values), where=f"--vary at the {side} ends")
        except ScenarioError as exc:
            raise SweepInputError(exc.lines[0]) from None


@dataclass
class SweepResult:
    """Everything a sweep produced: design, per-sample results, statistics, robust choice."""

    design: SweepDesign
    results: list[SampleResult]
    failures: list[FailedAttempt]
    backend: str
    workers: int
    wall_s: float
    summary: dict[str, Any]
    tornado: list[dict[str, Any]]
    robust: dict[str, Any]
    dashboard: str | None = None  # --scheduler local: the Dask dashboard it served
    sensitivity: dict[str, Any] | None = None  # --sensitivity: Sobol or Morris indices (sensitivity.py)

    @property
    def objective(self) -> str:
        return self.design.scenario.scenario.objective

    def to_dict(self) -> dict[str, Any]:
        """The versioned JSON document (inputs, ranges and seed echoed)."""
        design = self.design
        config = design.config
        samples = []
        for result, drivers in zip(self.results, design.drivers, strict=True):
            row = result.to_dict()
            row["inputs"] = {item.name: float(v) for item, v in zip(design.inputs, drivers, strict=True)}
            samples.append(row)
        return {
            "schema_version": SWEEP_SCHEMA_VERSION,
            "kind": "dcplan-sweep",
            "scenario_id": design.scenario.scenario.id,
            "scenario_name": design.scenario.scenario.name,
            "scenario_file": design.scenario_file,
            "objective": self.objective,
            "precision": design.scenario.scenario.precision,
            "method": design.method,
            "seed": config.seed if design.method != "grid" else None,
            "lhs": config.lhs if design.method == "lhs" else None,
            "samples": len(self.results),
            "grid_levels": config.grid,
            "catalog_ranges": any(i.origin == "catalog" for i in design.inputs),
            "vary": list(config.vary),
            "settings": {
                "time_limit_s": config.time_limit_s,
                "rel_gap": config.rel_gap,
                "threads_per_solve": 1,
                "marginals": False,
                "diagnosis": False,
                "catalog_dirs": list(design.catalog_dirs),
            },
            "run": {
                "backend": self.backend,
                "workers": self.workers,
                "dashboard": self.dashboard,
                "wall_s": round(self.wall_s, 3),
                "samples_per_s": round(len(self.results) / self.wall_s, 4) if self.wall_s > 0 else None,
                "solve_s_total": round(sum(r.elapsed_s for r in self.results), 3),
            },
            "inputs": [i.describe() for i in design.inputs],
            "summary": self.summary,
            "tornado": self.tornado,
            "unproven": unproven_share(self.tornado),
            "robust": self.robust,
            "sensitivity": self.sensitivity,
            "failures": [f.to_dict() for f in self.failures],
            "results": samples,
            "scenario": design.scenario.model_dump(mode="json"),
        }


def run_sweep(
    design: SweepDesign,
    on_result: ProgressFn | None = None,
    on_phase: Callable[[str, int], None] | None = None,
    client: Any = None,
) -> SweepResult:
    """Run every sample (and the robust check) on the configured backend; analyse."""
    config = design.config
    started = time.perf_counter()
    backend = make_backend(
        config.workers,
        config.scheduler,
        design.catalog_dirs,
        design.builtin,
        client=client,
        tls=config.tls,
        worker_timeout_s=config.worker_timeout_s,
        dask_host=config.dask_host,
        dashboard=config.dashboard,
    )
    try:
        if on_phase is not None:
            on_phase("samples", len(design.specs))
        results, failures = execute(design.specs, backend, on_result)
        robust = robust_check(design, results, backend, on_result, on_phase)
        failures += robust.pop("_failures", [])
    finally:
        backend.close()
    wall = time.perf_counter() - started
    objective_name = "tco_musd" if design.scenario.scenario.objective == "min-tco" else "compute_pflops"
    return SweepResult(
        design=design,
        results=results,
        failures=failures,
        backend=backend.name,
        workers=backend.workers,
        dashboard=getattr(backend, "dashboard_link", None),
        wall_s=wall,
        summary=summarise(results),
        tornado=tornado(design, results, objective_name),
        robust=robust,
        sensitivity=sensitivity(design, results, objective_name),
    )
