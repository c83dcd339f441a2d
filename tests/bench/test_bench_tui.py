"""TUI speed: first paint, sizer keystroke latency, UI timer gaps during a 1M-chip solve.

Run on demand: pytest -n 0 -m bench tests/bench/test_bench_tui.py -s
Each figure is printed as a JSON line next to a baseline measured in the same run.
"""

from __future__ import annotations

import itertools
import json
import statistics
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.bench

FIRST_PAINT = """
import time, asyncio, sys
t0 = time.perf_counter()
from dcplan.tui.app import make_app
from dcplan.planner.scenario import DEMO_SCENARIO
async def main():
    app = make_app(scenario=DEMO_SCENARIO)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        print("painted", time.perf_counter() - t0, flush=True)
asyncio.run(main())
"""


def _until_line(args: list[str], marker: str | None) -> tuple[float, str]:
    """Seconds from launching ``args`` to the first stdout line starting with ``marker``
    (or to the process's exit when ``marker`` is None), and that line."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = ""
    if marker is None:
        proc.wait()
    else:
        for line in proc.stdout:
            if line.startswith(marker):
                break
    elapsed = time.perf_counter() - started
    proc.stdout.read()
    proc.wait()
    return elapsed, line


def test_first_paint_under_one_second():
    """From launching the interpreter to the sizer's first frame (not to process exit)."""
    baseline = min(_until_line([sys.executable, "-c", "pass"], None)[0] for _ in range(3))
    runs = [_until_line([sys.executable, "-c", FIRST_PAINT], "painted") for _ in range(3)]
    launch_to_paint = min(r[0] for r in runs)
    in_process = min(float(r[1].split()[1]) for r in runs)
    figures = {
        "bench": "tui_first_paint",
        "python_start_s": baseline,
        "launch_to_first_paint_s": launch_to_paint,
        "imports_to_first_paint_s": in_process,
        "over_baseline_s": launch_to_paint - baseline,
    }
    print(json.dumps(figures))
    assert launch_to_paint - baseline < 1.0, figures


async def test_sizer_keystroke_latency():
    from dcplan.models.catalog import load_catalog
    from dcplan.models.sizing import SizingRequest, size
    from dcplan.planner.scenario import DEMO_SCENARIO
    from dcplan.tui.app import make_app

    catalog = load_catalog(use_env=False)
    request = SizingRequest(system="trn3-ultraserver-gen2", cooling="dlc-cdu", site="ashburn-va", count=50)
    size(catalog, request)
    started = time.perf_counter()
    for _ in range(50):
        size(catalog, request)
    size_only_ms = (time.perf_counter() - started) / 50 * 1000

    app = make_app(scenario=DEMO_SCENARIO)
    latencies = []
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        screen = app.screen
        done: list[float] = []
        original = screen.recompute

        def timed_recompute() -> None:
            original()
            done.append(time.perf_counter())

        screen.recompute = timed_recompute  # the Input.Changed handler calls self.recompute()
        target = screen.query_one("#target")
        target.focus()
        await pilot.press("end")
        await pilot.pause()
        for i in range(40):
            key = "0" if i % 2 == 0 else "backspace"
            count = len(done)
            started = time.perf_counter()
            await pilot.press(key)
            while len(done) == count:
                await pilot.pause(0)
            latencies.append((done[count] - started) * 1000)
    figures = {
        "bench": "sizer_keystroke",
        "size_call_ms": size_only_ms,
        # from the key entering the app to the sizer tables holding the new numbers
        "keystroke_to_numbers_p50_ms": statistics.median(latencies),
        "keystroke_to_numbers_max_ms": max(latencies),
    }
    print(json.dumps(figures))
    assert figures["keystroke_to_numbers_p50_ms"] < 16, figures


async def test_ui_stays_responsive_during_a_1m_chip_solve():
    from dcplan.tui.app import make_app
    from tests.bench.campus import campus_scenario

    app = make_app()
    app.state.scenario_data = campus_scenario("XL")
    ticks: list[float] = []
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        # a tight gap keeps HiGHS busy for the whole time limit, so the gaps are measured
        # over a long solve, not just the start-up and the hand-back of the plan
        screen.query_one("#time-limit").value = "10 s"
        screen.query_one("#gap").value = "0.001 %"
        screen.query_one("#marginals").value = False
        app.set_interval(0.02, lambda: ticks.append(time.perf_counter()))
        await pilot.click("#solve")
        solve_started = time.perf_counter()
        while app.state.plan is None and time.perf_counter() - solve_started < 180:
            await pilot.pause(0.1)
        done = time.perf_counter()
        plan = app.state.plan
        await pilot.pause(0.3)
    during = [b - a for a, b in itertools.pairwise(ticks) if b <= done]
    after = [b - a for a, b in itertools.pairwise(ticks) if b > done]
    during_ms = sorted(g * 1000 for g in during)
    p99 = during_ms[int(0.99 * (len(during_ms) - 1))]
    figures = {
        "bench": "tui_timer_gaps_1m_chip_solve",
        "solve_wall_s": done - solve_started,
        "status": plan.solver.status if plan else None,
        "chips": sum(m.chips for m in plan.mix) if plan else None,
        "ticks": len(during_ms),
        "ideal_ticks": int((done - solve_started) / 0.02),
        "gap_p50_ms": statistics.median(during_ms),
        "gap_p99_ms": p99,
        "gap_max_ms": max(during_ms),
        "gap_max_after_result_ms": max(after) * 1000 if after else None,
    }
    print(json.dumps(figures))
    assert p99 < 50, figures
