"""Issue 12's scale rows (run on demand, never by default):

    .venv/bin/python -m pytest -n 0 -m bench tests/bench/test_bench_scale.py -s

Each figure is asserted against its target and printed as a ``BENCH {json}`` line with the
load average beside it; a target not met is a failing benchmark, never skipped or relaxed.

- 10M-chip campus (tests/bench/campus.py ``10M``: 365 halls, 11,780 columns): a re-checked
  plan at <= 0.5 % gap from ``plan_scenario`` in <= 15 s, and <= 1.5x the highspy floor
  (tests/bench/highs_direct.solve_direct with its best settings, presolve off) measured in
  the same run;
- T = 1,000 distinct row templates (``T1000``: 200 halls of 5 templates): a plan at <= 1 %
  gap in <= 60 s;
- T = 5,000: model data + matrix build + hand-over <= 2 s and peak RSS <= 300 MB, both in a
  fresh subprocess, beside the RSS of the same process after its imports (the baseline);
- wall time past the time limit: ``solve_model_data`` returns within limit + 2 s (build and
  hand-over included) at several sizes, including the 10M campus with HiGHS's default
  presolve, inside which HiGHS 1.16 ignores its time limit (the watchdog ends it);
- ``dcplan solve`` of the 1.1M-chip campus (XL, written as TOML in a temporary folder)
  with ``--no-marginals --gap 0.5%`` (the ladder's gap): CLI wall <= 1.5 s, beside ``python -c pass`` and ``dcplan
  --help`` measured in the same run.

Settings by model size (``planner.solve.highs_options``, ``presolve = "auto"``). HiGHS alone
in the child process, one thread, seed 0, wall s to the gap target (campuses 0.5 %, T1000
1 %) or the status at the limit; the 2-core machine was shared (load average beside each
row; 2026-12-01):

=========  ======  ======  =======  ============================  ==========================  ==============================  =====
size       cols    rows    nnz      presolve choose (default)      presolve off                presolve on, presolve_mode 2     load
=========  ======  ======  =======  ============================  ==========================  ==============================  =====
S          37      47      185      0.18 optimal                  0.36 optimal                0.22 optimal                    3.2
M          122     144     625      0.21 optimal                  0.54 optimal                0.28 optimal                    3.2
L          520     547     2,553    0.71 optimal                  3.73 optimal                6.79 optimal                    3.2
XL         1,296   1,347   6,370    0.40 optimal                  4.32 optimal                1.75 optimal                    3.1
10M        11,780  12,185  58,025   no plan at 20 s (killed in    0.69 % gap at 20 s (root LP  no useful plan at 20 s (gap      3.3
                                    presolve by the watchdog)     ~7 s)                       135 %, killed)
T1000      15,806  14,612  79,450   no plan at 30 s (killed in    1.02 % gap at 30 s (1 %      1.97 % gap at 30 s              3.5
                                    presolve by the watchdog)     target)
=========  ======  ======  =======  ============================  ==========================  ==============================  =====

Also measured on the 10M campus with presolve off, 20 s limit, 0.5 % target: heuristic effort
0.3: 0.68 % gap; primal simplex (``simplex_strategy`` 4): 0.69 %; effort 0.3 without
feasibility jump: 0.63 %; presolve_mode 1 (initial sweep): no useful plan (killed). So the
rule is: HiGHS's default below 5,000 columns (it is the fastest there, and it gives the
shipped scenarios their golden plans), presolve off from 5,000 columns (the only setting
with a plan on the 10M campus). ``presolve_reduction_limit`` is an advanced option and was
not measured.

The LP-rounding start (``planner.start.lp_start``; ``SolveSettings.start = "auto"``: from
5,000 columns, like presolve off). HiGHS's incumbent is what is weak on the 10M campus: LP
bound 35.145M, MIP bound 35.126M after minutes, best incumbent 34.887M. Measured in process,
one thread, 2026-12-01, with the load average of a machine shared by five sessions:

=====================================================  ==========================  ========  =====
10M campus, LP relaxation 35,144,626                   start objective / gap (LP)  wall s    load
=====================================================  ==========================  ========  =====
LP relaxation, primal simplex + presolve               (bound)                     1.0-2.3   2.9-4.7
LP relaxation, dual simplex, no presolve               (bound)                     8.8       3
naive rounding (value down, others up), no LP          violates 524 rows           -         3
dive, all fractional fixed per LP, by objective sign   LP infeasible in round 1    -         3
dive, independent batches, bounds by objective sign    0.73 % (200 LP solves)      5.8       2.3
RENS box [floor, ceil] of the LP, sub-MIP              infeasible (0.06 s)         -         3
RINS sub-MIP from a dive plan, presolve on, 10 s limit  no plan, returned at 22 s  22        4.9
binaries dived a quarter per LP; round down; fill       0.67 %                      7.9       4.7
binaries all up at once; round down; fill               0.503 %                     4.4       4.1
binaries to 1 from 0.5, to 0 below; round down; fill    0.5006 %                    4.7       4.5
... the same, rounding up from 0.7 / 0.3 / 0.15         0.494 / 0.4905 / 0.496 %    3.1-3.6   5.0
... rounding to nearest (shipped: ROUND_UP_FROM 0.5)    0.4905 % (34,973,071)       2.4-5.8   4-7
... plus each hall re-solved as a small MIP (dropped)   +0.006 %                    +25       4.5
MIP from the 0.5006 % start, presolve off              0.493 % once the root LP    +10       4.4
                                                       ends (9.3 s)
MIP with the start's binaries fixed, presolve on       nothing in 60 s (killed)    60        7.7
2026-12-02 model (7,595 columns, LP 35,146,636): the   0.505 % (34,970,040)        1.6-2.7   4.5-5.8
shipped rounding of 2026-12-01
... binaries fractional after the first fixing (one    0.4935 % (34,974,052)       2.4       5.8
hall the LP had at 1, moved to 0.39) fixed to 1, LP
again until none is (shipped: ``target_gap``)
... the same, to 1 from 0.5 / 0.3                      0.506 % / 0.4935 %          2.0-2.3   4.9
=====================================================  ==========================  ========  =====

The continuous columns of the start come from an LP of their own (0.15 s); fixing the
integer columns in the relaxation and re-solving it took 6-9 s. T1000 (15,806 columns): the
start is at 1.21 % of its LP bound in 7.3 s; the MIP from it (presolve off) reaches 0.93 %
of its own bound (optimal at the 1 % target) 23-44 s into the solve, where HiGHS alone was
at 1.02 % after 30 s. HiGHS counts its time limit over every run of one ``Highs``: the start
sets each LP's limit from ``getRunTime()``.

With the start (2026-12-01, best of 3, in process through ``plan_scenario``): 10M campus
6.7 s wall (start 2.8 s, layout and re-check the rest), 0.49 % of the LP bound, re-check
ok, 0.54x the floor (HiGHS alone, presolve off: 0.72 % at its 12 s limit), load 3.7;
T1000 15.4 s, 0.93 %, load 3.9; past the limit: XL 0.04 s, T1000 0.14 s, 10M with presolve
choose 1.09 s (watchdog), load 4.0.

2026-12-02, same bench, ours / the floor in one run: before (start 0.505 %, then the MIP):
1.58x / 1.80x (6.8 / 8.9 s, load 3.5-4.1); with the re-dived start (0.4935 %, no MIP) and
evaluate / re-check / sizing without per-hall rescans and unit re-parsing: 0.99x / 1.03x /
1.09x (5.8-6.2 s against the floor's 5.4-6.0 s, load 4.5-5.0); over this stop's commits
1.07x / 1.09x (3.4-3.5 s against 3.2 s, load 3.3-3.8), and 0.94x-1.40x with other sessions'
load bursts.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from dcplan.planner.modeldata import build_model_data
from dcplan.planner.pipeline import PlanOptions, plan_scenario
from dcplan.planner.session import KILL_GRACE_S, STOP_GRACE_S
from dcplan.planner.solve import SolveSettings, solve_model_data
from tests.bench.campus import campus, campus_scenario
from tests.bench.highs_direct import solve_direct
from tests.bench.report import emit

pytestmark = pytest.mark.bench

REPO = Path(__file__).resolve().parents[2]
TEN_M_GAP, TEN_M_TARGET_S, TEN_M_LIMIT_S, TEN_M_RATIO = 0.005, 15.0, 12.0, 1.5
T1000_GAP, T1000_TARGET_S = 0.01, 60.0
T5000_BUILD_TARGET_S, T5000_RSS_TARGET_MB = 2.0, 300.0
PAST_LIMIT_MARGIN_S = 2.0
CLI_TARGET_S = 1.5


def _plan(size: str, catalog, time_limit_s: float, rel_gap: float) -> tuple[float, Any]:
    settings = SolveSettings(time_limit_s=time_limit_s, rel_gap=rel_gap, threads=1, seed=0)
    start = time.perf_counter()
    plan = plan_scenario(campus(size), catalog, PlanOptions(settings=settings, marginals=False))
    return time.perf_counter() - start, plan


def test_bench_10m_campus(catalog):
    """A checked plan at <= 0.5 % gap in <= 15 s, and <= 1.5x HiGHS alone with presolve off."""
    # the limit leaves the 15 s target room for model data, layout and re-check (~3 s)
    wall, plan = _plan("10M", catalog, TEN_M_LIMIT_S, TEN_M_GAP)
    s = plan.solver
    data = build_model_data(campus("10M"), catalog)
    floor = solve_direct(data, TEN_M_LIMIT_S, TEN_M_GAP, options={"presolve": "off"})
    figures = {
        "wall_s": wall,
        "status": s.status,
        "gap": s.gap,
        "settings": s.settings,
        "build_s": s.build_s,
        "handover_s": s.handover_s,
        "solve_s": s.solve_s,
        "chips": sum(m.chips for m in plan.mix),
        "recheck_ok": plan.recheck.ok,
        "floor_s": floor.total_s,
        "floor_status": floor.status,
        "floor_gap": floor.gap,
        "ratio": wall / floor.total_s,
    }
    emit("10M-campus", figures)
    assert plan.recheck.ok and s.status in ("optimal", "feasible-with-gap")
    assert s.gap is not None and s.gap <= TEN_M_GAP + 1e-9, f"gap {s.gap} > {TEN_M_GAP:.1%} within {wall:.1f} s"
    assert wall <= TEN_M_TARGET_S, f"{wall:.1f} s > {TEN_M_TARGET_S:g} s"
    assert figures["ratio"] <= TEN_M_RATIO, f"{figures['ratio']:.2f}x the highspy floor"


def test_bench_t1000(catalog):
    """1,000 distinct row templates: a plan at <= 1 % gap in <= 60 s."""
    wall, plan = _plan("T1000", catalog, T1000_TARGET_S, T1000_GAP)
    s = plan.solver
    emit(
        "T1000",
        {
            "wall_s": wall,
            "status": s.status,
            "gap": s.gap,
            "settings": s.settings,
            "solve_s": s.solve_s,
            "recheck_ok": plan.recheck.ok,
            "options": len(build_model_data(campus("T1000"), catalog).options),
        },
    )
    assert plan.recheck.ok and s.status in ("optimal", "feasible-with-gap"), s.status
    assert s.gap is not None and s.gap <= T1000_GAP + 1e-9, f"gap {s.gap} > {T1000_GAP:.0%}"
    assert wall <= T1000_TARGET_S + PAST_LIMIT_MARGIN_S


BUILD_SCRIPT = textwrap.dedent(
    """
    import json, sys, time

    def hwm_mb(pid="self"):  # peak RSS of this process image (ru_maxrss would count the forked parent)
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024

    from dcplan.models.catalog import load_catalog
    from dcplan.planner.matrix import build_direct
    from dcplan.planner.modeldata import build_model_data
    from dcplan.planner.session import ChildSession
    from tests.bench.campus import campus
    base_mb = hwm_mb()  # the imports alone: the baseline
    catalog = load_catalog(use_env=False)
    scenario = campus(sys.argv[1])
    scenario_mb = hwm_mb()
    session = ChildSession()
    t0 = time.perf_counter()
    data = build_model_data(scenario, catalog)
    t1 = time.perf_counter()
    model = build_direct(data)
    t2 = time.perf_counter()
    session.set_options({"presolve": "off"})
    session.load(model.lp)
    t3 = time.perf_counter()
    session.run(0.0)  # the child has passed the model to HiGHS once this returns
    child_mb = hwm_mb(session.pid)
    session.close()
    print(json.dumps({"data_s": t1 - t0, "build_s": t2 - t1, "handover_s": t3 - t2, "total_s": t3 - t0,
                      "cols": model.num_col, "rows": model.num_row, "nnz": model.nnz,
                      "base_rss_mb": base_mb, "scenario_rss_mb": scenario_mb, "peak_rss_mb": hwm_mb(),
                      "child_rss_mb": child_mb}))
    """
)


def test_bench_t5000_build_and_rss():
    """5,000 templates: model data + build + hand-over <= 2 s, peak RSS <= 300 MB (fresh
    process; the child holding the model in HiGHS is reported beside it)."""
    runs = []
    for _ in range(2):
        proc = subprocess.run(
            [sys.executable, "-c", BUILD_SCRIPT, "T5000"], cwd=REPO, capture_output=True, text=True, check=True
        )
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["total_s"])
    peak = min(r["peak_rss_mb"] for r in runs)
    emit("T5000-build", {**best, "peak_rss_mb": peak, "runs": len(runs)})
    assert best["total_s"] <= T5000_BUILD_TARGET_S, f"{best['total_s']:.2f} s"
    assert peak <= T5000_RSS_TARGET_MB, f"{peak:.0f} MB"


@pytest.mark.parametrize(
    ("size", "limit_s", "presolve"), [("XL", 2.0, "auto"), ("T1000", 3.0, "auto"), ("10M", 3.0, "choose")]
)
def test_bench_wall_past_the_time_limit(size, limit_s, presolve, catalog):
    """solve_model_data returns within limit + 2 s (the watchdog's 1 s included); with
    presolve choose on the 10M campus HiGHS itself ignores the limit (78 s of presolve)."""
    data = build_model_data(campus(size), catalog)
    settings = SolveSettings(time_limit_s=limit_s, rel_gap=1e-6, presolve=presolve)  # type: ignore[arg-type]
    start = time.perf_counter()
    outcome = solve_model_data(data, settings)
    wall = time.perf_counter() - start
    emit(
        f"past-limit-{size}-{presolve}",
        {
            "limit_s": limit_s,
            "wall_s": wall,
            "past_s": wall - limit_s,
            "build_s": outcome.build_s,
            "solve_s": outcome.solve_s,
            "status": outcome.status,
            "termination": outcome.termination,
            "watchdog_margin_s": STOP_GRACE_S + KILL_GRACE_S,
        },
    )
    assert outcome.status in ("feasible-with-gap", "no-plan-within-limit", "optimal")
    assert wall <= limit_s + PAST_LIMIT_MARGIN_S, f"{wall:.2f} s for a {limit_s:g} s limit"


def _toml(mapping: dict[str, Any]) -> str:
    import tomlkit

    return tomlkit.dumps(mapping)


def _best(args: list[str], repeats: int, cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    best, result = float("inf"), None
    env = {k: v for k, v in os.environ.items() if k != "DCPLAN_CATALOG"}
    for _ in range(repeats):
        start = time.perf_counter()
        result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def test_bench_cli_solve_xl(tmp_path):
    """`dcplan solve` of the 1.1M-chip campus, marginals off: CLI wall <= 1.5 s."""
    scenario_file = tmp_path / "xl.toml"
    scenario_file.write_text(_toml(campus_scenario("XL")), encoding="utf-8")
    exe = shutil.which("dcplan", path=str(Path(sys.executable).parent)) or "dcplan"
    out = tmp_path / "plan.json"
    python_s, _ = _best([sys.executable, "-c", "pass"], 5, tmp_path)
    help_s, _ = _best([exe, "--help"], 3, tmp_path)
    args = [exe, "solve", str(scenario_file), "--no-marginals", "--gap", "0.5%", "-o", str(out), "--force"]
    wall, result = _best(args, 3, tmp_path)
    solver = json.loads(out.read_text()).get("solver", {}) if out.exists() else {}
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    emit(
        "cli-solve-XL",
        {
            "wall_s": wall,
            "python_pass_s": python_s,
            "help_s": help_s,
            "exit": result.returncode,
            "status": solver.get("status"),
            "settings": solver.get("settings"),
            **{k: solver.get(k) for k in ("build_s", "handover_s", "solve_s", "layout_s", "recheck_s", "total_s")},
            "children_peak_rss_mb": rss_mb,
        },
    )
    assert result.returncode in (0, 3), result.stderr
    assert wall <= CLI_TARGET_S, f"{wall:.2f} s"
