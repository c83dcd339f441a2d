"""A campus big and tangled enough that proving optimality (gap 0) takes minutes."""

from __future__ import annotations

from pathlib import Path

from dcplan.planner.scenario import scenario_to_toml


def long_scenario() -> dict:
    halls, rows = [], []
    for i in range(24):
        hall = f"h{i:02d}"
        halls.append(
            {
                "id": hall,
                "site": "ashburn-va",
                "it_power_cap": f"{23 + (i % 7) * 1.37:.2f} MW",
                "liquid_plant_capacity": f"{21 + (i % 5) * 1.11:.2f} MW",
                "air_plant_capacity": f"{5 + (i % 3) * 0.73:.2f} MW",
                "slab_rating": "25 kN/m**2",
            }
        )
        for j, (positions, runs, cooling) in enumerate(
            ((23, 3, ["dlc-cdu"]), (19, 4, ["dlc-cdu", "dlc-l2a"]), (24, 2, ["contained-air", "rdhx"]))
        ):
            rows.append(
                {
                    "id": f"{hall}-r{j}",
                    "hall": hall,
                    "count": 9 + (i + j) % 5,
                    "positions": positions,
                    "busway": "busway-1250a-415v",
                    "busway_runs_per_feed": runs,
                    "cooling": cooling,
                }
            )
    return {
        "scenario": {
            "id": "long",
            "name": "Long solve (cancel test)",
            "objective": "max-compute",
            "precision": "fp8",
            "budget": "9.7e9 USD",
        },
        "site": [{"id": "ashburn-va", "utility_power": "640 MW"}],
        "hall": halls,
        "row": rows,
        "candidate": [
            {"system": s}
            for s in (
                "trn3-ultraserver-gen2",
                "gb300-nvl72",
                "gb200-nvl72",
                "dgx-b300",
                "dgx-b200",
                "trn3-ultraserver-gen1",
            )
        ],
        "share": [{"software": "cuda", "min": 0.35, "max": 0.6}],
    }


def write_long_scenario(path: Path) -> Path:
    path.write_text(scenario_to_toml(long_scenario()))
    return path
