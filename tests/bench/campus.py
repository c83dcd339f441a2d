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
#: the roadmap campus: the site's utility ramps from ROADMAP_POWER_START of its final power to
#: all of it by half the horizon, halls come ready one after another over the first half,
#: demands follow the capacity (the smaller of the power share and the share of halls
#: ready) at ROADMAP_DEMAND_SHARE of what the single-period campus asks,
#: system capex falls by ROADMAP_DECLINE a year, GB300 is allocated ROADMAP_GB300_SHARE of its
#: campus cap per period and the capex budget over the horizon is ROADMAP_BUDGET_SCALE x the
#: single-period budget (planning assumptions for the benchmark)
ROADMAP_POWER_START = 0.3
ROADMAP_DEMAND_SHARE = 0.5
ROADMAP_DECLINE = 0.15
ROADMAP_GB300_SHARE = 0.25
ROADMAP_BUDGET_SCALE = 1.5


def campus_roadmap_inputs(size: str, periods: int, catalog: Any, seed: int = 7) -> Any:
    """RoadmapInputs of ``size`` over ``periods`` quarters, built by hand from the campus's
    single-period ModelData (one ModelData per period: its site power and demands)."""
    from dataclasses import replace
    from datetime import date

    from dcplan.planner.modeldata import build_model_data
    from dcplan.planner.roadmap_types import PeriodInput, RoadmapInputs

    mapping = campus_scenario(size, seed)
    scenario = parse_scenario(mapping, where=f"campus {size}")
    data = build_model_data(scenario, catalog)
    ramp_periods = max(1, periods // 2)
    halls = sorted(data.halls)
    ready_at = {h: (i * ramp_periods) // max(1, len(halls)) for i, h in enumerate(halls)}
    gb300_cap = next(int(c["max_units"]) for c in mapping["candidate"] if c["system"] == "gb300-nvl72")
    out = []
    for t in range(periods):
        share = min(1.0, ROADMAP_POWER_START + (1.0 - ROADMAP_POWER_START) * t / ramp_periods)
        sites = {
            k: replace(s, limits=s.limits.model_copy(update={"utility_power": s.limits.utility_power * share}))
            for k, s in data.sites.items()
        }
        ready = sum(1 for h in halls if ready_at[h] <= t) / max(1, len(halls))
        scale = min(share, ready) * ROADMAP_DEMAND_SHARE
        needs = {w: replace(n, value=n.value * scale) for w, n in data.needs.items()}
        years = 0.25 * t
        price = (1.0 - ROADMAP_DECLINE) ** years
        out.append(
            PeriodInput(
                index=t,
                label=f"{2026 + t // 4}Q{t % 4 + 1}",
                start=date(2026 + t // 4, 3 * (t % 4) + 1, 1),
                years_from_start=years,
                years=0.25,
                hours=2190.0,
                data=replace(data, sites=sites, needs=needs),
                installable=frozenset(o.key for o in data.options),
                purchasable=frozenset(o.key for o in data.options),
                unit_capex_usd={o.key: o.capex_per_unit_usd * price for o in data.options},
                halls_ready=frozenset(h for h in halls if ready_at[h] <= t),
                allocation_caps={"gb300-nvl72": max(1, int(gb300_cap * ROADMAP_GB300_SHARE))},
            )
        )
    budget = float(scenario.scenario.budget.magnitude) / 1e6 if scenario.scenario.budget is not None else None
    return RoadmapInputs(
        scenario=scenario,
        periods=out,
        objective="max-cumulative-delivered",
        discount_rate=float(scenario.scenario.discount_rate),
        discount_delivered=False,
        it_life_years={o.key: 5.0 for o in data.options},
        facility_life_years=15.0,
        lead_periods={},
        total_capex_budget_musd=budget * ROADMAP_BUDGET_SCALE if budget is not None else None,
    )
