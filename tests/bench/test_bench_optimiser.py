"""Speed of the optimiser, from the demo to a ~1M-chip campus (run on demand, never by default):

    .venv/bin/python -m pytest -n 0 -m bench tests/bench/test_bench_optimiser.py -s

For each size of the campus ladder (tests/bench/campus.py: S one hall, M ~106k chips,
L ~451k, XL ~1.1M) the same run measures:

- ``plan_scenario`` end to end (model data, numpy matrix build, hand-over to the HiGHS
  child process, solve, layout, re-check, plan; marginals off), with the build / hand-over /
  solve split reported by the solver;
- HiGHS alone on the same MIP built straight from ModelData with numpy
  (tests/bench/highs_direct.py: build + passModel + run, no Pyomo);
- the ratio of the two. ``highs_direct.same_lp`` first checks that both paths hand HiGHS
  the identical LP as the documented Pyomo formulation (columns, rows, coefficients bit for
  bit), so the solves follow the same branch-and-bound and the ratio measures only what
  dcplan adds around HiGHS. The large sizes of issue 12 are in test_bench_scale.py.

Settings as the XL target: rel_gap 0.5 %, time limit 30 s, one thread, seed 0. Small sizes
take the best of 3 runs; the machine load (``os.getloadavg``) is reported.

Targets (the README's Benchmarks table), each asserted; a target not met is a failing
benchmark, reported with its figures, never skipped or relaxed to what is met today:

- the demo solves end to end in a fresh ``dcplan solve`` process (interpreter start
  included, marginals off) in under 5 s;
- every ladder size reaches <= 0.5 % gap; XL in under 30 s, S (one hall) in under 1 s;
- end to end under 2x HiGHS alone on the identical LP, measured in the same run, at M, L
  and XL (at S HiGHS alone takes milliseconds, so the ratio only measures fixed Python
  costs: reported, and S has the absolute 1 s target instead);
- a time-limited XL solve stops on the limit (status 'time-limit',
  a gap, a re-checked plan), HiGHS within the limit + 0.5 s, and the whole call within the
  limit + 2 s.

Every measurement prints a ``BENCH {json}`` line as it is taken and a table at the end,
also when a target fails.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from dcplan.planner.formulation import build_model
from dcplan.planner.matrix import build_direct
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.pipeline import PlanOptions, plan_scenario
from dcplan.planner.scenario import DEMO_SCENARIO
from dcplan.planner.solve import SolveSettings
from tests.bench.campus import LADDER, campus
from tests.bench.highs_direct import same_lp, solve_direct
from tests.bench.report import emit, load_avg

pytestmark = pytest.mark.bench

REPO = Path(__file__).resolve().parents[2]
REL_GAP = 0.005
TIME_LIMIT_S = 30.0
REPEATS = {"S": 3, "M": 3, "L": 3, "XL": 3}
DEMO_TARGET_S = 5.0
XL_TARGET_S = 30.0
S_TARGET_S = 1.0
RATIO_TARGET = 2.0  # end to end / HiGHS alone, same LP, same run (README: "< 2x")
RATIO_SIZES = ("M", "L", "XL")
B10_LIMIT_S = 5.0  # short enough that XL at 0.01 % gap stops on the limit (it needs minutes)
B10_SOLVE_MARGIN_S = 0.5  # HiGHS may overrun its limit by this much
B10_WALL_MARGIN_S = 2.0  # the whole call: limit + model data, build, hand-over, layout, re-check

RESULTS: dict[str, dict[str, Any]] = {}


def _emit(name: str, figures: dict[str, Any]) -> None:
    emit(name, figures, RESULTS)


def _versions() -> dict[str, str]:
    import highspy
    import pyomo.version

    h = highspy.Highs()
    return {
        "python": platform.python_version(),
        "pyomo": pyomo.version.version,
        "highs": f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}",
        "cpus": str(os.cpu_count()),
    }


def _table() -> str:
    head = (
        f"{'size':<5} {'chips':>9} {'vars':>6} {'cons':>6} {'nnz':>6} {'build':>7} {'handover':>8} {'solve':>7} "
        f"{'layout+':>7} {'total':>7} {'HiGHS':>7} {'ratio':>6} {'cpu r':>6} {'model x':>7} {'gap':>7} {'status':<10}"
    )
    lines = [head, "-" * len(head)]
    for size in LADDER:
        r = RESULTS.get(f"ladder-{size}")
        if not r:
            continue
        lines.append(
            f"{size:<5} {r['chips']:>9,} {r['vars']:>6} {r['cons']:>6} {r['nnz']:>6} "
            f"{r['build_s']:>7.3f} {r['handover_s']:>8.3f} {r['solve_s']:>7.3f} {r['post_s']:>7.3f} "
            f"{r['total_s']:>7.3f} {r['highs_alone_s']:>7.3f} {r['ratio']:>6.2f} {r['cpu_ratio']:>6.2f} "
            f"{r['modelling_ratio']:>7.1f} {r['gap']:>7.2%} {r['status']:<10}"
        )
    lines.append(
        "times in s (best of runs); total = plan_scenario wall; layout+ = total - build - hand-over - solve "
        "(model data, layout, re-check, plan); HiGHS = numpy build + passModel + run of the same LP; "
        "ratio = total / HiGHS (cpu ratio: the same in process CPU time, less sensitive to load); "
        "model x = (build + hand-over) / (numpy build + passModel)"
    )
    for name in ("demo-cli", "demo-cli-marginals", "xl-time-limited"):
        if name in RESULTS:
            lines.append(f"{name}: {json.dumps(RESULTS[name], default=str)}")
    return "\n".join(lines)


@pytest.fixture(scope="module", autouse=True)
def _report():
    print(f"\nBENCH {json.dumps({'bench': 'environment', 'load_avg': load_avg(), **_versions()})}", flush=True)
    yield
    print(f"\n{_table()}\nload average at the end: {load_avg()}", flush=True)


def _settings(time_limit_s: float = TIME_LIMIT_S, rel_gap: float = REL_GAP) -> SolveSettings:
    return SolveSettings(time_limit_s=time_limit_s, rel_gap=rel_gap, threads=1, seed=0)


def _measure(size: str, catalog) -> dict[str, Any]:
    scenario = campus(size)
    data = build_model_data(scenario, catalog)
    direct = build_direct(data)
    differences = same_lp(direct, build_model(data))
    options = PlanOptions(settings=_settings(), marginals=False)
    best: tuple[float, float, Any] | None = None
    for _ in range(REPEATS[size]):
        start, cpu = time.perf_counter(), time.process_time()
        plan = plan_scenario(scenario, catalog, options)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        if best is None or wall < best[0]:
            best = (wall, cpu, plan)
    assert best is not None
    total, total_cpu, plan = best
    runs = []
    for _ in range(REPEATS[size]):
        cpu = time.process_time()
        result = solve_direct(data, TIME_LIMIT_S, REL_GAP)
        runs.append((result, time.process_time() - cpu))
    alone, alone_cpu = min(runs, key=lambda run: run[0].total_s)
    s = plan.solver
    return {
        "size": size,
        "halls": len(scenario.hall),
        "row_templates": len(scenario.row),
        "chips": sum(m.chips for m in plan.mix),
        "racks": len(plan.layout),
        "vars": direct.num_col,
        "cons": direct.num_row,
        "nnz": direct.nnz,
        "integer_vars": sum(1 for v in direct.lp.integrality_ if int(v) == 1),
        "same_lp": not differences,
        "lp_differences": differences,
        "build_s": s.build_s,
        "handover_s": s.handover_s,
        "solve_s": s.solve_s,
        "layout_s": s.layout_s,
        "recheck_s": s.recheck_s,
        "post_s": total - s.build_s - s.handover_s - s.solve_s,
        "total_s": total,
        "highs_alone_s": alone.total_s,
        "highs_build_s": alone.build_s,
        "highs_pass_s": alone.pass_s,
        "highs_solve_s": alone.solve_s,
        "ratio": total / alone.total_s,
        "cpu_total_s": total_cpu,
        "cpu_highs_alone_s": alone_cpu,
        "cpu_ratio": total_cpu / alone_cpu,
        "modelling_ratio": (s.build_s + s.handover_s) / (alone.build_s + alone.pass_s),
        "status": s.status,
        "gap": s.gap if s.gap is not None else float("nan"),
        "objective": s.objective,
        "highs_alone_objective": alone.objective,
        "highs_alone_status": alone.status,
        "recheck_ok": plan.recheck.ok,
        "repeats": REPEATS[size],
        "load_avg": load_avg(),
    }


@pytest.mark.parametrize("size", LADDER)
def test_bench_ladder(size, catalog):
    """Each ladder size: plan_scenario vs HiGHS alone on the identical LP; XL within 30 s at 0.5 %."""
    r = _measure(size, catalog)
    _emit(f"ladder-{size}", r)
    assert r["same_lp"], r["lp_differences"]
    assert r["recheck_ok"]
    assert r["status"] in ("optimal", "feasible-with-gap")
    # Same LP, same options: both paths stop at the same incumbent (within the gap).
    assert r["highs_alone_objective"] == pytest.approx(r["objective"], rel=REL_GAP)
    assert r["gap"] <= REL_GAP + 1e-9, f"{size}: gap {r['gap']:.3%} > {REL_GAP:.1%}"
    if size == "S":
        assert r["total_s"] < S_TARGET_S, f"S: {r['total_s']:.3f} s end to end, target < {S_TARGET_S:g} s"
    if size == "XL":
        assert r["chips"] >= 900_000, "the XL campus should deploy on the order of 1M chips"
        assert r["total_s"] < XL_TARGET_S, f"XL: {r['total_s']:.2f} s end to end, target < {XL_TARGET_S:g} s"


@pytest.mark.parametrize("size", RATIO_SIZES)
def test_bench_ratio_to_highs_alone(size, catalog):
    """dcplan end to end over HiGHS alone on the identical LP, both measured in this run:
    the README's target is < 2x. (At XL it was 2.7x when last measured: HiGHS needs only
    ~0.13 s and the fixed costs around it, Pyomo build and hand-over and models/
    re-evaluating a 16k-rack layout, dominate; that is a failing target until fixed.)"""
    r = RESULTS.get(f"ladder-{size}") or _measure(size, catalog)
    verdict = "met" if r["ratio"] < RATIO_TARGET else "NOT MET"
    print(
        f"{size} ratio {r['ratio']:.2f}x HiGHS alone, cpu {r['cpu_ratio']:.2f}x (target < {RATIO_TARGET:g}x: {verdict})"
    )
    assert r["ratio"] < RATIO_TARGET, (
        f"{size}: end to end {r['total_s']:.3f} s is {r['ratio']:.2f}x HiGHS alone ({r['highs_alone_s']:.3f} s), "
        f"target < {RATIO_TARGET:g}x; load {r['load_avg']}"
    )


def _cli(args: list[str], repeats: int) -> tuple[float, subprocess.CompletedProcess]:
    exe = shutil.which("dcplan", path=str(Path(sys.executable).parent)) or "dcplan"
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        env = {k: v for k, v in os.environ.items() if k != "DCPLAN_CATALOG"}
        result = subprocess.run([exe, *args], cwd=REPO, capture_output=True, text=True, env=env)
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def test_bench_demo_cli(tmp_path, catalog):
    """``dcplan solve`` on the demo in a fresh process (interpreter start included): under 5 s."""
    from dcplan.planner.scenario import load_scenario

    out = tmp_path / "plan.json"
    demo = str(DEMO_SCENARIO.relative_to(REPO))
    scenario = load_scenario(DEMO_SCENARIO)
    options = PlanOptions(settings=SolveSettings(), marginals=False)
    in_process = []
    for _ in range(3):
        start = time.perf_counter()
        plan_scenario(scenario, catalog, options)
        in_process.append(time.perf_counter() - start)
    base, _ = _cli(["--help"], 3)
    wall, result = _cli(["solve", demo, "--no-marginals", "-o", str(out), "--force"], 3)
    plan = json.loads(out.read_text()) if out.exists() else {}
    solver = plan.get("solver", {})
    _emit(
        "demo-cli",
        {
            "wall_s": wall,
            "cli_startup_s": base,
            "in_process_s": min(in_process),
            "exit": result.returncode,
            "status": solver.get("status"),
            **{k: solver.get(k) for k in ("build_s", "handover_s", "solve_s", "layout_s", "recheck_s", "total_s")},
            "load_avg": load_avg(),
        },
    )
    wall_m, result_m = _cli(["solve", demo, "-o", str(out), "--force"], 1)
    solver_m = json.loads(out.read_text()).get("solver", {}) if out.exists() else {}
    _emit(
        "demo-cli-marginals",
        {
            "wall_s": wall_m,
            "exit": result_m.returncode,
            "marginals_s": solver_m.get("marginals_s"),
            "load_avg": load_avg(),
        },
    )
    assert result.returncode == 0, result.stderr
    assert wall < DEMO_TARGET_S


def test_bench_time_limited_xl(catalog):
    """B10: a time-limited XL solve returns a re-checked plan and a gap, within limit + build time + 10 %."""
    scenario = campus("XL")
    options = PlanOptions(settings=_settings(time_limit_s=B10_LIMIT_S, rel_gap=1e-4), marginals=False)
    start = time.perf_counter()
    plan = plan_scenario(scenario, catalog, options)
    wall = time.perf_counter() - start
    s = plan.solver
    # reported beside it: the non-solve part of the unconstrained XL run in this session
    ladder = RESULTS.get("ladder-XL") or _measure("XL", catalog)
    fixed = ladder["total_s"] - ladder["solve_s"]
    _emit(
        "xl-time-limited",
        {
            "limit_s": B10_LIMIT_S,
            "wall_s": wall,
            "solve_s": s.solve_s,
            "fixed_s": fixed,
            "status": s.status,
            "gap": s.gap,
            "bound": s.bound,
            "objective": s.objective,
            "allowed_solve_s": B10_LIMIT_S + B10_SOLVE_MARGIN_S,
            "allowed_wall_s": B10_LIMIT_S + B10_WALL_MARGIN_S,
            "load_avg": load_avg(),
        },
    )
    # at a 0.01 % gap XL needs minutes: the only right outcome is a plan stopped by the limit
    assert s.status == "feasible-with-gap", f"status {s.status!r}, expected 'feasible-with-gap'"
    assert s.gap is not None and s.gap > 0 and plan.recheck.ok
    assert s.solve_s <= B10_LIMIT_S + B10_SOLVE_MARGIN_S, f"HiGHS took {s.solve_s:.2f} s for a {B10_LIMIT_S:g} s limit"
    assert wall <= B10_LIMIT_S + B10_WALL_MARGIN_S, (
        f"{wall:.2f} s for a {B10_LIMIT_S:g} s limit (non-solve part of the unconstrained XL run: {fixed:.2f} s)"
    )
