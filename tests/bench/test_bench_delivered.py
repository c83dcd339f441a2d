"""Issue 13's benchmark (run on demand, never by default):

    .venv/bin/python -m pytest -n 0 -m bench tests/bench/test_bench_delivered.py -s

The 1.1M-chip campus (tests/bench/campus.py ``XL``) with a four-class workload mix —
dense pretraining with a token budget and a deadline, MoE pretraining in delivered PFLOPS,
post-training in delivered PFLOPS, interactive inference in tokens/s — and the objective
``max-delivered`` with a CUDA floor on delivered compute, solved end to end
(``plan_scenario``, marginals off) to <= 0.5 % gap in <= 2x the time of today's
peak-PFLOPS model (the same campus with its shorthand demands and ``max-compute``),
measured in the same run, best of 2 each. The load average is printed beside each figure.
"""

from __future__ import annotations

import time

import pytest

from dcplan.planner.pipeline import PlanOptions, plan_scenario
from dcplan.planner.scenario import parse_scenario
from dcplan.planner.solve import SolveSettings
from tests.bench.campus import PFLOPS_PER_IT_MW, campus, campus_scenario
from tests.bench.report import emit

pytestmark = pytest.mark.bench

GAP = 0.005
RATIO = 2.0
DEADLINE_DAYS = 90.0


def _four_class_mix(size: str) -> dict:
    """The campus of ``size`` with four classed workloads sized from its IT power.

    Peak fp8 compute ~ PFLOPS_PER_IT_MW x IT MW; training delivers ~25-50 % of it and
    interactive serving ~5 % (the catalog's interactive entries), and the demands ask for
    ~18 % of peak in delivered terms, so the delivered objective has room to choose.

    Serving asks for 1 % of peak in delivered PFLOPS. It asked for 3 % until Trainium3 got its
    interactive MXFP4 entry (0.06, where the latency-free 0.10 had applied): at ~5 %
    efficiency 3 % of peak delivered took the rest of the campus, every demand sat at its
    floor and the objective had nothing left to choose (optimal in 2.0 s against 0.45 s for
    the peak model, 4.5x, on 2026-12-01: the LP-rounding start cannot round a plan whose
    every demand is at its floor, so HiGHS ran alone)."""
    data = campus_scenario(size)
    it_mw = sum(float(h["it_power_cap"].split()[0]) for h in data["hall"])
    peak = it_mw * PFLOPS_PER_IT_MW
    dense_pflops = 0.08 * peak
    dense_tokens = dense_pflops * 1e15 * DEADLINE_DAYS * 86_400 / (6 * 405e9)  # 6 N D rule
    data["scenario"]["objective"] = "max-delivered"
    data["workload"] = [
        {
            "id": "dense",
            "class": "dense-pretraining",
            "precisions": ["bf16", "fp8"],
            "total_params": 405e9,
            "tokens": float(f"{dense_tokens:.4g}"),
            "deadline": f"{DEADLINE_DAYS:g} day",
            "job_chips": 16384,
            "software": ["neuron", "cuda"],
        },
        {
            "id": "moe",
            "class": "moe-pretraining",
            "precisions": ["fp8"],
            "total_params": 671e9,
            "active_params": 37e9,
            "delivered": f"{round(0.05 * peak)} PFLOPS",
            "job_chips": 8192,
            "software": ["cuda", "neuron"],
        },
        {
            "id": "post",
            "class": "post-training",
            "precisions": ["bf16", "fp8"],
            "total_params": 70e9,
            "delivered": f"{round(0.04 * peak)} PFLOPS",
            "job_chips": 2048,
            "software": ["cuda"],
        },
        {
            "id": "serve",
            "class": "inference",
            "latency": "interactive",
            "precisions": ["fp8", "fp4"],
            "total_params": 70e9,
            "tokens_per_s": float(f"{0.01 * peak * 1e15 / (2 * 70e9):.4g}"),
            "software": ["cuda", "neuron"],
        },
    ]
    data["share"] = [
        {"software": "cuda", "basis": "delivered", "min": 0.25},
        {"family": "trainium", "max": 0.80},
    ]
    return data


def _best_of(n: int, scenario, catalog) -> tuple[float, object]:
    settings = SolveSettings(time_limit_s=60, rel_gap=GAP)
    best, plan = float("inf"), None
    for _ in range(n):
        start = time.perf_counter()
        plan = plan_scenario(scenario, catalog, PlanOptions(settings=settings, marginals=False))
        best = min(best, time.perf_counter() - start)
    return best, plan


def test_bench_delivered_four_class_mix_vs_peak(catalog):
    """Delivered, 4-class mix: <= 0.5 % gap in <= 2x the peak model's time, same run."""
    peak_s, peak_plan = _best_of(2, campus("XL"), catalog)
    delivered_scenario = parse_scenario(_four_class_mix("XL"), where="campus XL, four classes")
    delivered_s, plan = _best_of(2, delivered_scenario, catalog)
    s = plan.solver
    figures = {
        "peak_s": peak_s,
        "peak_status": peak_plan.solver.status,
        "peak_gap": peak_plan.solver.gap,
        "delivered_s": delivered_s,
        "status": s.status,
        "gap": s.gap,
        "chips": sum(m.chips for m in plan.mix),
        "delivered_pflops": sum(w.delivered_pflops for w in plan.workloads),
        "recheck_ok": plan.recheck.ok,
        "ratio": delivered_s / peak_s,
    }
    emit("delivered-4-class-XL", figures)
    assert plan.recheck.ok and s.status == "optimal", s.status
    assert s.gap is not None and s.gap <= GAP + 1e-9
    assert len(plan.workloads) == 4 and all(w.delivered_pflops > 0 for w in plan.workloads)
    assert figures["ratio"] <= RATIO, f"{figures['ratio']:.2f}x the peak model"
