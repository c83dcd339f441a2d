"""The ~1M-chip campus with network and storage racks placed (issue 15: <= 2x today's solve
time, same run). Run on demand, never by default:

    .venv/bin/python -m pytest -n 0 -m bench tests/bench/test_bench_fabric.py -s

The XL campus of the ladder (tests/bench/campus.py) end to end through ``plan_scenario``
(marginals off, 0.5 % gap, 30 s limit, one thread), without and with a ``[fabric]``
table, best of 2 each, in the same run; the machine load is printed beside. Seeds 0 and 2:
before the fabric start, HiGHS's branch and bound met the target at seed 0 by luck (0.88x)
and missed it at seed 2 (4.4x), so one seed alone cannot tell.
"""

from __future__ import annotations

import time

import pytest

from dcplan.planner.pipeline import PlanOptions, plan_scenario
from dcplan.planner.scenario import parse_scenario
from dcplan.planner.solve import SolveSettings
from tests.bench.campus import campus_scenario
from tests.bench.report import emit

pytestmark = pytest.mark.bench

SEEDS = (0, 2)
REPEATS = 2
TARGET_RATIO = 2.0


def _best(scenario, catalog, seed: int) -> tuple[float, object]:
    settings = SolveSettings(time_limit_s=30.0, rel_gap=0.005, threads=1, seed=seed)
    best: tuple[float, object] | None = None
    for _ in range(REPEATS):
        start = time.perf_counter()
        plan = plan_scenario(scenario, catalog, PlanOptions(settings=settings, marginals=False))
        elapsed = time.perf_counter() - start
        if best is None or elapsed < best[0]:
            best = (elapsed, plan)
    assert best is not None
    return best


@pytest.mark.parametrize("seed", SEEDS)
def test_bench_xl_campus_with_fabric_placed(catalog, seed):
    data = campus_scenario("XL")
    without_s, plain = _best(parse_scenario(data, where="campus XL"), catalog, seed)
    placed_scenario = parse_scenario({**data, "fabric": {"place": True}}, where="campus XL + fabric")
    with_s, placed = _best(placed_scenario, catalog, seed)
    network = sum(1 for s in placed.layout.system if s == "network+storage")
    figures = {
        "without_s": without_s,
        "with_s": with_s,
        "ratio": with_s / without_s,
        "chips_without": sum(m.chips for m in plain.mix),
        "chips_with": sum(m.chips for m in placed.mix),
        "racks_with": len(placed.layout),
        "network_storage_racks": network,
        "status_with": placed.solver.status,
        "recheck_with": placed.recheck.ok,
    }
    emit("xl-fabric" if seed == 0 else f"xl-fabric-seed{seed}", figures)
    assert placed.recheck.ok, placed.recheck.violations[:3]
    assert network > 0
    assert figures["ratio"] <= TARGET_RATIO, f"with fabric {with_s:.2f} s vs {without_s:.2f} s without"
