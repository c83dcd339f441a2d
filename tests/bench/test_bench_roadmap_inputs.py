"""Benchmark: roadmap_inputs of the ~1M-chip campus over 20 quarters builds its model data once.

    .venv/bin/python -m pytest -n 0 -m bench tests/bench/test_bench_roadmap_inputs.py -s

The roadmap is the XL benchmark campus (tests/bench/campus.py) with a utility ramp from 30 %
to all of it by half the horizon (one [[site_power]] step per quarter per site), halls ready
one after another, a demand step every second quarter, a 15 %/year price decline for every
system and a GB300 allocation (planning assumptions of the benchmark, as campus.py's).

Targets (asserted against baselines measured in the same run, best of 3):
- ``roadmap_inputs`` over 20 quarters within ``UNION_SLACK`` (2x) of one single-period
  ``build_model_data`` of the same campus (it validates the period scenario once, builds the
  union data once and derives the periods by ``dataclasses.replace``; building 20 ModelData
  would be ~20x);
- the per-period derivation grows linearly: 40 quarters within ``GROWTH_SLACK`` (3x) of 20.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from dcplan.models.catalog import load_catalog
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.roadmap_inputs import roadmap_inputs
from dcplan.planner.scenario import parse_scenario
from tests.bench.campus import campus_scenario
from tests.bench.report import emit

pytestmark = pytest.mark.bench

UNION_SLACK = 2.0
GROWTH_SLACK = 3.0
RUNS = 3


def _label(q: int) -> str:
    return f"{2026 + q // 4}Q{q % 4 + 1}"


def roadmap_mapping(size: str, periods: int) -> dict[str, Any]:
    """The campus as a roadmap over ``periods`` quarters from 2026Q1 (module docstring)."""
    m = campus_scenario(size)
    for name in ("objective", "tco_horizon"):
        m["scenario"].pop(name)
    half = max(1, periods // 2)
    m["roadmap"] = {"start": "2026Q1", "period": "quarter", "periods": periods}
    m["site_power"] = []
    for site in m["site"]:
        mw = float(site["utility_power"].split()[0])
        site["utility_power"] = f"{mw * 0.3:.1f} MW"
        m["site_power"] += [
            {"site": site["id"], "from": _label(q), "power": f"{mw * (0.3 + 0.7 * q / half):.1f} MW"}
            for q in range(1, half + 1)
        ]
    for i, hall in enumerate(m["hall"]):
        hall["ready"] = _label((i * half) // len(m["hall"]))
    m["demand"] = [
        {
            "workload": w["id"],
            "from": _label(q),
            "demand": f"{float(w['demand'].split()[0]) * min(1, 0.3 + q / periods):.0f} PFLOPS",
        }
        for w in m["workload"]
        for q in range(1, periods, 2)
    ]
    m["price"] = [{"system": "*", "decline_per_year": 0.15}]
    m["allocation"] = [{"system": "gb300-nvl72", "max_units": 500}]
    return m


def _best(fn: Any) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(RUNS):
        began = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - began)
    return best, out


def test_roadmap_inputs_builds_the_model_data_once():
    catalog = load_catalog(use_env=False)
    single = campus_scenario("XL")
    single_s, data = _best(lambda: build_model_data(parse_scenario(single, "campus XL"), catalog))
    figures: dict[str, Any] = {
        "options": len(data.options),
        "build_model_data_s": round(single_s, 4),
    }
    derived: dict[int, float] = {}
    for periods in (20, 40):
        scenario = parse_scenario(roadmap_mapping("XL", periods), f"roadmap XL {periods}")
        total_s, inputs = _best(lambda scenario=scenario: roadmap_inputs(scenario, catalog))
        assert len(inputs.periods) == periods
        assert all(p.data.options is inputs.periods[0].data.options for p in inputs.periods)
        derived[periods] = inputs.extras["build_s"]["periods_s"]
        figures[f"roadmap_inputs_{periods}_s"] = round(total_s, 4)
        figures[f"derive_{periods}_s"] = round(derived[periods], 4)
        figures[f"ratio_{periods}"] = round(total_s / single_s, 3)
    emit("roadmap_inputs_xl", figures)
    assert figures["ratio_20"] <= UNION_SLACK, figures
    assert derived[40] <= GROWTH_SLACK * max(derived[20], 1e-3), figures
