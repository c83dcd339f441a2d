"""Sweep throughput (run on demand, never in the default suite):

    .venv/bin/python -m pytest -n 0 -m bench tests/bench/test_bench_sweep.py -s

500 Latin-hypercube samples of the demo scenario (``DCPLAN_BENCH_SWEEP_SAMPLES`` to run
fewer), solved by 1 and then 2 local worker processes. Reports samples per second, the
parallel efficiency ``rate(2) / (2 x rate(1))`` (target >= 0.8 on 2 cores), what one
worker pays before its first solve (interpreter + pyomo/highspy imports + catalog load,
paid once per worker: the pool's initializer imports the solver and caches the loaded
catalog for every later sample), and the machine's load average before and after
(other work on the same cores lowers the efficiency).

``DCPLAN_BENCH_SWEEP_MODE``: ``catalog`` (default: every catalog range, as ``dcplan sweep``
does) or ``whatif`` (no catalog ranges; five scenario-level --vary inputs, every sample a
full solve). Prints one JSON line per configuration.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dcplan.planner.scenario import DEMO_SCENARIO, load_scenario
from dcplan.planner.sweep import SweepConfig, prepare_sweep, run_sweep
from tests.bench.report import load_avg

pytestmark = pytest.mark.bench

SAMPLES = int(os.environ.get("DCPLAN_BENCH_SWEEP_SAMPLES", "500"))
MODE = os.environ.get("DCPLAN_BENCH_SWEEP_MODE", "catalog")
TARGET_EFFICIENCY = 0.8
WHATIF = [
    "scenario.budget=4e9USD:8e9USD",
    "site.ashburn-va.utility_power=120MW:180MW",
    "scenario.electricity_price=0.05USD/kWh:0.12USD/kWh",
    "workload.cuda-teams.demand=40000PFLOPS:80000PFLOPS",
    "system.gb300-nvl72.capex=2.5e6USD:4.5e6USD",
]
REPO = Path(__file__).resolve().parents[2]


def _worker_startup_s() -> dict[str, float]:
    """What a fresh worker process pays before its first sample (measured in a subprocess)."""
    code = (
        "import time, json; t0 = time.perf_counter(); import dcplan.planner.sweep as s; t1 = time.perf_counter(); "
        "import dcplan.planner.pipeline; t2 = time.perf_counter(); s.base_catalog((), True); t3 = time.perf_counter(); "
        "print(json.dumps({'import_sweep_s': t1 - t0, 'import_solver_s': t2 - t1, 'catalog_s': t3 - t2}))"
    )
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures["process_total_s"] = time.perf_counter() - started
    return {k: round(v, 3) for k, v in figures.items()}


def _run(catalog, workers: int) -> tuple[dict, list]:
    scenario = load_scenario(DEMO_SCENARIO)
    vary = WHATIF if MODE == "whatif" else []
    config = SweepConfig(
        samples=SAMPLES, seed=1, workers=workers, robust_mixes=0, vary=vary, catalog_ranges=MODE != "whatif"
    )
    design = prepare_sweep(scenario, catalog, config)
    first: dict[str, float] = {}
    started = time.perf_counter()

    def on_result(done, total, result):
        first.setdefault("t", time.perf_counter() - started)

    load_before = load_avg()
    result = run_sweep(design, on_result=on_result)
    wall = time.perf_counter() - started
    solved = [r for r in result.results if r.status != "error"]
    solve_s = sum(r.elapsed_s for r in solved)
    cpu_s = sum(r.cpu_s for r in solved)
    steady = (len(result.results) - 1) / (wall - first["t"]) if wall > first["t"] else float("nan")
    figures = {
        "mode": MODE,
        "workers": workers,
        "samples": len(result.results),
        "inputs": len(design.inputs),
        "wall_s": round(wall, 2),
        "samples_per_s": round(len(result.results) / wall, 3),
        "steady_samples_per_s": round(steady, 3),
        "first_result_s": round(first["t"], 2),
        "mean_solved_sample_s": round(solve_s / len(solved), 3) if solved else None,
        "cpu_share_of_sample_time": round(cpu_s / solve_s, 3) if solve_s else None,
        "by_status": result.summary["by_status"],
        "failed_attempts": len(result.failures),
        "load_before": load_before,
        "load_after": load_avg(),
    }
    return figures, [r.outcome() for r in result.results]


def test_bench_sweep_scaling(catalog):
    startup = _worker_startup_s()
    print(json.dumps({"worker_startup": startup, "cpus": os.cpu_count(), "load": load_avg()}))
    one, outcomes_one = _run(catalog, 1)
    print(json.dumps(one))
    two, outcomes_two = _run(catalog, 2)
    print(json.dumps(two))
    efficiency = two["samples_per_s"] / (2 * one["samples_per_s"])
    steady = two["steady_samples_per_s"] / (2 * one["steady_samples_per_s"])
    print(
        json.dumps(
            {
                "parallel_efficiency": round(efficiency, 3),
                "steady_parallel_efficiency": round(steady, 3),
                "target": TARGET_EFFICIENCY,
                "met": efficiency >= TARGET_EFFICIENCY,
                "startup_share_1_worker": round(one["first_result_s"] / one["wall_s"], 4),
            }
        )
    )
    # the same samples give the same answers however many workers solve them
    assert outcomes_one == outcomes_two
    # the README's target, against the 1-worker rate measured in this run (a loaded machine
    # lowers it: the load averages are printed above)
    assert efficiency >= TARGET_EFFICIENCY, (
        f"parallel efficiency {efficiency:.2f} < {TARGET_EFFICIENCY} on 2 workers "
        f"({two['samples_per_s']} vs 2 x {one['samples_per_s']} samples/s; load {two['load_before']} -> {two['load_after']})"
    )
