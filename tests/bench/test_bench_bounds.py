"""Benchmark: a scenario at dcplan's input bounds validates and builds its model data fast.

    .venv/bin/python -m pytest -n 0 -m bench tests/bench/test_bench_bounds.py -s

The bound scenario has ``MAX_HALLS`` (2,000) halls and ``MAX_POSITIONS`` (2,000,000) rack
positions in all, one hall at ``MAX_POSITIONS_PER_HALL`` (100,000); every hall has two row
templates (``MAX_ROW_TEMPLATES`` is not reached: 4,000 of 20,000). The baseline, measured in
the same run, is the same shape with 50 halls.

Targets (asserted, each against the same-run baseline):
- validation (``parse_scenario``) + model data (``build_model_data``) at the bound within
  ``SCALE_SLACK`` (3x) of linear scaling from the baseline: 40x the halls may take at most
  120x the baseline time (a quadratic step, like the old ``ids.count`` duplicate check,
  is ~1,600x);
- and under ``BOUND_TARGET_S`` (20 s) of wall time on the 2-core CI machine.
- One table past a bound (2,001 halls) is refused in under ``REFUSE_TARGET_S`` (0.5 s):
  the bounds are checked before the items are validated.

Prints one JSON line with the figures.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from dcplan.planner.modeldata import build_model_data
from dcplan.planner.scenario import (
    MAX_HALLS,
    MAX_POSITIONS,
    MAX_POSITIONS_PER_HALL,
    ScenarioError,
    parse_scenario,
)

pytestmark = pytest.mark.bench

BASELINE_HALLS = 50
SCALE_SLACK = 3.0
BOUND_TARGET_S = 20.0
REFUSE_TARGET_S = 0.5
POSITIONS = 25  # per row


def bound_scenario(n_halls: int, big_hall_positions: int, total_positions: int) -> dict[str, Any]:
    """``n_halls`` halls; hall 0 holds ``big_hall_positions``, the rest share the remainder."""
    per_hall = (total_positions - big_hall_positions) // max(1, n_halls - 1)
    halls, rows = [], []
    for i in range(n_halls):
        hall = f"h{i:04d}"
        halls.append(
            {
                "id": hall,
                "site": "ashburn-va",
                "it_power_cap": f"{40 + i % 5} MW",
                "liquid_plant_capacity": "36 MW",
                "air_plant_capacity": "8 MW",
                "slab_rating": "25 kN/m**2",
            }
        )
        positions = big_hall_positions if i == 0 else per_hall
        rows_in_hall = positions // POSITIONS
        for j, (share, cooling) in enumerate(((0.8, ["dlc-cdu"]), (0.2, ["dlc-cdu", "dlc-l2a"]))):
            count = max(1, int(rows_in_hall * share)) if j == 0 else max(1, rows_in_hall - int(rows_in_hall * 0.8))
            rows.append(
                {
                    "id": f"{hall}-r{j}",
                    "hall": hall,
                    "count": count,
                    "positions": POSITIONS,
                    "busway": "busway-1250a-415v",
                    "busway_runs_per_feed": 4,
                    "cooling": cooling,
                }
            )
    return {
        "scenario": {"id": "bounds", "name": "at the bounds", "objective": "max-compute", "budget": "1e12 USD"},
        "site": [{"id": "ashburn-va", "utility_power": "100 GW"}],
        "hall": halls,
        "row": rows,
        "candidate": [{"system": "trn3-ultraserver-gen2"}, {"system": "gb300-nvl72"}],
    }


def _validate_and_build(data: dict[str, Any], catalog: Any) -> tuple[float, int]:
    started = time.perf_counter()
    scenario = parse_scenario(data, where="bench")
    model = build_model_data(scenario, catalog)
    return time.perf_counter() - started, len(model.options)


def test_scenario_at_the_bounds_is_fast(catalog):
    baseline_positions = MAX_POSITIONS * BASELINE_HALLS // MAX_HALLS
    baseline = bound_scenario(BASELINE_HALLS, baseline_positions // 10, baseline_positions)
    at_bound = bound_scenario(MAX_HALLS, MAX_POSITIONS_PER_HALL, MAX_POSITIONS)
    positions = sum(r["count"] * r["positions"] for r in at_bound["row"])
    assert len(at_bound["hall"]) == MAX_HALLS and positions <= MAX_POSITIONS
    assert at_bound["row"][0]["count"] * POSITIONS + at_bound["row"][1]["count"] * POSITIONS == MAX_POSITIONS_PER_HALL

    _validate_and_build(baseline, catalog)  # warm caches (units, coefficients)
    baseline_s = min(_validate_and_build(baseline, catalog)[0] for _ in range(3))
    bound_s, options = _validate_and_build(at_bound, catalog)
    ratio = bound_s / baseline_s
    allowed_ratio = SCALE_SLACK * MAX_HALLS / BASELINE_HALLS

    too_many = bound_scenario(MAX_HALLS + 1, 1_000, MAX_POSITIONS // 2)
    started = time.perf_counter()
    with pytest.raises(ScenarioError, match="2,001 halls is more than dcplan's bound of 2,000"):
        parse_scenario(too_many, where="bench")
    refuse_s = time.perf_counter() - started

    print(
        json.dumps(
            {
                "bench": "bounds",
                "halls": MAX_HALLS,
                "positions": positions,
                "options": options,
                "baseline_halls": BASELINE_HALLS,
                "baseline_s": round(baseline_s, 4),
                "bound_s": round(bound_s, 3),
                "ratio": round(ratio, 1),
                "allowed_ratio": allowed_ratio,
                "bound_target_s": BOUND_TARGET_S,
                "refuse_s": round(refuse_s, 4),
            }
        )
    )
    assert ratio <= allowed_ratio, f"{ratio:.0f}x the {BASELINE_HALLS}-hall time: worse than linear"
    assert bound_s <= BOUND_TARGET_S
    assert refuse_s <= REFUSE_TARGET_S
