"""Synthetic AWS AI campuses for the optimiser benchmarks: a scale ladder from one hall to ~1M chips.

``campus_scenario(size)`` returns a scenario *mapping* (what ``planner.scenario.parse_scenario``
takes); ``campus(size)`` parses it. Every figure is a planning input invented for the benchmark,
deterministic for a given size (a seeded ``random.Random`` varies the halls so they are not all
identical, which would make the MIP artificially symmetric).

Shape of one hall (design-day basis, 40-52 MW IT):

- ``<hall>-cdu``: 10-14 rows of 24 positions, liquid only (dlc-cdu);
- ``<hall>-mix``: 4-8 rows of 22 positions, dlc-cdu or liquid-to-air (dlc-l2a);
- ``<hall>-air``: in two halls of three, 2-4 rows of 20 contained-air positions (DGX B300).

Candidates: Trn3 Gen2 UltraServers (144 chips, 2 racks), GB300 NVL72 (72 chips, capped by an
allocation), DGX B300 (8 chips, air). Sites: Ashburn (us) and Dublin (eu), both AWS-operated.
Workloads: pretraining (Neuron or CUDA), CUDA teams, EU-resident inference; CUDA share >= 25 %,
Trainium share <= 80 %; a capex budget that (nearly) binds. Every fifth hall is optional with a build cost.

These systems need about 2 kW of design-day facility power per chip (1.6 kW of IT), so the
XL campus (40 halls, 874 rows; its optimum deploys ~1.1M chips, 1.8 GW IT, ~49 B USD) has
~2.3 GW of utility across the two sites, not 1 GW: a 1 GW campus holds ~500k of these chips.
Optima at rel_gap 0.5 %: S ~25k chips, M ~106k, L ~451k, XL ~1.10M.
"""

from __future__ import annotations

import random
from typing import Any

from dcplan.planner.scenario import Scenario, parse_scenario

#: size -> (halls, sites used). Chips deployed by the optimum are printed by the benchmark.
SIZES: dict[str, tuple[int, tuple[str, ...]]] = {
    "S": (1, ("ashburn-va",)),
    "M": (4, ("ashburn-va",)),
    "L": (16, ("ashburn-va", "dublin-ie")),
    "XL": (40, ("ashburn-va", "dublin-ie")),
    # issue 12's scale rows: ~10M chips (365 halls, ~11,800 columns)
    "10M": (365, ("ashburn-va", "dublin-ie")),
}
LADDER = ("S", "M", "L", "XL")
#: distinct row templates -> halls (5 templates each) for ``templates_scenario``
TEMPLATES_PER_HALL = 5
ALL_COOLING = ["dlc-cdu", "dlc-l2a", "contained-air"]

# Planning ratios used to size the site, budget and demands from the halls (assumptions).
FACILITY_PER_IT = 1.27  # design-day facility / IT for DLC halls (the demo's PUE_design)
UTILITY_SHARE = 0.97  # utility connection / sum of the halls' design facility power
CAPEX_PER_IT_MW = 27.0e6  # USD per MW of hall IT cap the budget allows (binds below full halls)
PFLOPS_PER_IT_MW = 2000.0  # fp8 peak dense compute per MW of IT, for the workload demands


def _hall(
    rng: random.Random, index: int, site: str, five_templates: bool = False
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    hall_id = f"h{index:02d}"
    it_mw = rng.choice([40, 44, 48, 52])
    hall: dict[str, Any] = {
        "id": hall_id,
        "site": site,
        "it_power_cap": f"{it_mw} MW",
        "liquid_plant_capacity": f"{round(it_mw * rng.uniform(0.82, 0.92), 1)} MW",
        "air_plant_capacity": f"{round(it_mw * rng.uniform(0.16, 0.26), 1)} MW",
        # a 20 kN/m2 slab rules GB300 NVL72 out of the hall (rack footprint load); every fourth hall
        "slab_rating": "20 kN/m**2" if index % 4 == 3 else "25 kN/m**2",
        "area": f"{it_mw * 220} m**2",
    }
    if index % 5 == 4:
        hall["build"] = "optional"
        hall["build_cost"] = f"{it_mw * 4.5e6:.4g} USD"
    rows: list[dict[str, Any]] = [
        {
            "id": f"{hall_id}-cdu",
            "hall": hall_id,
            "count": rng.randint(12, 16),
            "positions": 24,
            "busway": "busway-1250a-415v",
            "busway_runs_per_feed": 4,
            "cooling": ["dlc-cdu"],
        },
        {
            "id": f"{hall_id}-mix",
            "hall": hall_id,
            "count": rng.randint(4, 8),
            "positions": 22,
            "busway": "busway-1250a-415v",
            "busway_runs_per_feed": 4,
            "cooling": ["dlc-cdu", "dlc-l2a"],
        },
    ]
    if five_templates:  # every hall gets the air row and two more liquid templates
        for suffix, positions, cooling in (("cdu2", 20, ALL_COOLING), ("mix2", 18, ALL_COOLING)):
            rows.append(
                {
                    "id": f"{hall_id}-{suffix}",
                    "hall": hall_id,
                    "count": rng.randint(3, 6),
                    "positions": positions,
                    "busway": "busway-1250a-415v",
                    "busway_runs_per_feed": 4,
                    "cooling": cooling,
                }
            )
    if index % 3 != 2 or five_templates:
        rows.append(
            {
                "id": f"{hall_id}-air",
                "hall": hall_id,
                "count": rng.randint(2, 4),
                "positions": 20,
                "busway": "busway-800a-415v",
                "busway_runs_per_feed": 2,
                "cooling": ["contained-air"],
            }
        )
    return hall, rows


def campus_scenario(size: str, seed: int = 7) -> dict[str, Any]:
    """The scenario mapping of one size (``S``, ``M``, ``L``, ``XL``, ``10M``), or ``T1000``
    style: ``T<n>`` is n distinct row templates, n / 5 halls of 5 templates each."""
    five = size.startswith("T")
    if five:
        n_halls, site_ids = int(size[1:]) // TEMPLATES_PER_HALL, ("ashburn-va", "dublin-ie")
    else:
        n_halls, site_ids = SIZES[size]
    rng = random.Random(f"{seed}-{size}")
    halls: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    it_by_site: dict[str, float] = dict.fromkeys(site_ids, 0.0)
    for index in range(n_halls):
        # Ashburn takes ~55 % of the halls, Dublin the rest.
        site = site_ids[0] if len(site_ids) == 1 or index % 9 not in (1, 3, 5, 7) else site_ids[1]
        hall, hall_rows = _hall(rng, index, site, five)
        halls.append(hall)
        rows.extend(hall_rows)
        it_by_site[site] += float(hall["it_power_cap"].split()[0])
    it_total = sum(it_by_site.values())
    sites = [
        {
            "id": site_id,
            "utility_power": f"{round(it_mw * FACILITY_PER_IT * UTILITY_SHARE, 1)} MW",
            "residency": "eu" if site_id == "dublin-ie" else "us",
        }
        for site_id, it_mw in it_by_site.items()
    ]
    compute = it_total * PFLOPS_PER_IT_MW
    gb300_units = int(it_total * 1000 * 0.45 / 142)  # allocation: ~45 % of the IT power as GB300
    workloads: list[dict[str, Any]] = [
        {"id": "pretraining", "demand": f"{round(0.40 * compute)} PFLOPS", "software": ["neuron", "cuda"]},
        {"id": "cuda-teams", "demand": f"{round(0.15 * compute)} PFLOPS", "software": ["cuda"]},
    ]
    if "dublin-ie" in site_ids:
        workloads.append(
            {
                "id": "eu-inference",
                "demand": f"{round(0.04 * compute)} PFLOPS",
                "software": ["cuda", "neuron"],
                "placement": ["aws"],
                "residency": ["eu"],
            }
        )
    return {
        "scenario": {
            "id": f"bench-campus-{size.lower()}",
            "name": f"Benchmark AWS campus {size}: {n_halls} halls, {len(site_ids)} sites",
            "objective": "max-compute",
            "precision": "fp8",
            "budget": f"{CAPEX_PER_IT_MW * it_total:.6g} USD",
            "tco_horizon": "5 year",
            "discount_rate": 0.08,
            "provisioning": "design",
            "utilisation": 0.9,
        },
        "site": sites,
        "hall": halls,
        "row": rows,
        "candidate": [
            {"system": "trn3-ultraserver-gen2"},
            {"system": "gb300-nvl72", "max_units": gb300_units},
            {"system": "dgx-b300"},
        ],
        "workload": workloads,
        "share": [
            {"software": "cuda", "min": 0.25},
            {"family": "trainium", "max": 0.80},
        ],
    }


def campus(size: str, seed: int = 7) -> Scenario:
    """The parsed Scenario of one ladder size."""
    return parse_scenario(campus_scenario(size, seed), where=f"campus {size}")


# -- the roadmap variant (issue 14) ------------------------------------------------------------
#: the roadmap campus: each site's utility ramps from ROADMAP_POWER_START of its final power
#: to all of it by half the horizon (a [[site_power]] step a quarter), halls come ready one
#: after another over the first half, demands follow the capacity (the smaller of the power
#: share and the share of halls ready) at ROADMAP_DEMAND_SHARE of what the single-period
#: campus asks, system capex falls by ROADMAP_DECLINE a year, GB300 is allocated
#: ROADMAP_GB300_SHARE of its campus cap per quarter and the capex budget over the horizon is
#: ROADMAP_BUDGET_SCALE x the single-period budget (planning assumptions for the benchmark)
ROADMAP_POWER_START = 0.3
ROADMAP_DEMAND_SHARE = 0.5
ROADMAP_DECLINE = 0.15
ROADMAP_GB300_SHARE = 0.25
ROADMAP_BUDGET_SCALE = 1.5


def _quarter(q: int) -> str:
    return f"{2026 + q // 4}Q{q % 4 + 1}"


def campus_roadmap_scenario(size: str, periods: int, seed: int = 7) -> dict[str, Any]:
    """The campus of ``size`` as a roadmap mapping over ``periods`` quarters from 2026Q1
    (the tables of planner.scenario_roadmap; figures as the comment above). Catalog lead
    times are off (``lead_times = false``): with them no transformer could arrive for
    years, and the benchmark measures the model, not an empty first half."""
    m = campus_scenario(size, seed)
    for name in ("objective", "tco_horizon"):
        m["scenario"].pop(name)
    budget = float(m["scenario"]["budget"].split()[0])
    m["scenario"]["budget"] = f"{budget * ROADMAP_BUDGET_SCALE:.6g} USD"
    half = max(1, periods // 2)
    m["roadmap"] = {
        "start": "2026Q1",
        "period": "quarter",
        "periods": periods,
        "objective": "max-cumulative-delivered",
        "lead_times": False,
    }
    power = [min(1.0, ROADMAP_POWER_START + (1.0 - ROADMAP_POWER_START) * q / half) for q in range(periods)]
    ready_at = [(i * half) // len(m["hall"]) for i in range(len(m["hall"]))]
    ready = [sum(1 for r in ready_at if r <= q) / len(ready_at) for q in range(periods)]
    m["site_power"] = []
    for site in m["site"]:
        mw = float(site["utility_power"].split()[0])
        site["utility_power"] = f"{mw * power[0]:.6g} MW"
        m["site_power"] += [
            {"site": site["id"], "from": _quarter(q), "power": f"{mw * power[q]:.6g} MW"} for q in range(1, half + 1)
        ]
    for hall, q in zip(m["hall"], ready_at, strict=True):
        if q > 0:
            hall["ready"] = _quarter(q)
    m["demand"] = []
    for w in m["workload"]:
        pflops = float(w["demand"].split()[0])
        w["demand"] = f"{pflops * min(power[0], ready[0]) * ROADMAP_DEMAND_SHARE:.6g} PFLOPS"
        m["demand"] += [
            {
                "workload": w["id"],
                "from": _quarter(q),
                "demand": f"{pflops * min(power[q], ready[q]) * ROADMAP_DEMAND_SHARE:.6g} PFLOPS",
            }
            for q in range(1, half + 1)
        ]
    gb300 = next(int(c["max_units"]) for c in m["candidate"] if c["system"] == "gb300-nvl72")
    m["price"] = [{"system": "*", "decline_per_year": ROADMAP_DECLINE}]
    m["allocation"] = [{"system": "gb300-nvl72", "max_units": max(1, int(gb300 * ROADMAP_GB300_SHARE))}]
    return m
