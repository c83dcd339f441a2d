"""The demo scenario with workloads in the delivered form of issue 13 (class, precisions,
model size, budget with deadline, token rate) beside a peak shorthand, for the editor tests.

A peak shorthand is only valid under the peak objective with peak share bounds, so the
scenario maximises peak compute (``max-compute``) and its share bounds are on peak."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from dcplan.planner.scenario import DEMO_SCENARIO

WORKLOADS: list[dict[str, Any]] = [
    {
        "id": "llama-405b",
        "class": "dense-pretraining",
        "precisions": ["bf16", "fp8"],
        "total_params": 405e9,
        "tokens": 15.6e12,
        "deadline": "90 day",
        "job_chips": 16384,
        "software": ["neuron", "cuda"],
    },
    {
        "id": "chat",
        "class": "inference",
        "latency": "interactive",
        "precisions": ["fp8", "fp4"],
        "total_params": 70e9,
        "tokens_per_s": 2e6,
        "software": ["cuda"],
    },
    {"id": "legacy", "demand": "1000 PFLOPS", "software": ["cuda"]},
]


def delivered_data() -> dict[str, Any]:
    data = tomllib.loads(DEMO_SCENARIO.read_text(encoding="utf-8"))
    data["workload"] = [dict(w) for w in WORKLOADS]
    data["scenario"]["objective"] = "max-compute"
    data["share"] = [{k: v for k, v in share.items() if k != "basis"} for share in data.get("share", [])]
    return data


def write_delivered_scenario(path: Path) -> Path:
    from dcplan.planner.scenario_file import dumps, new_document

    path.write_text(dumps(new_document(delivered_data())), encoding="utf-8")
    return path
