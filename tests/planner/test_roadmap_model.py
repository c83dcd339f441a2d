"""The time-expanded roadmap MIP (planner.roadmap_model / roadmap_solve): hand-derived optima.

Every scenario is the ideal hand catalog (tests/data/handcat: facility power = IT power,
free plant, busway, PDUs, UPS and transformers): alpha = 100 PFLOPS fp8, 100 kW, 1 MUSD per
unit; beta = 200 PFLOPS, 100 kW, 3 MUSD. One hall h1 (100 MW) with 50 rows of 20
positions, and a site whose utility power sets how many 100 kW units fit. Periods are
quarters of 2190 h (91.25 days) unless a test says otherwise. The RoadmapInputs are built
by hand from single-period ModelData (``roadmap``) so each test states exactly what differs
between periods.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
import pytest

from dcplan.planner.modeldata import ModelData, build_model_data
from dcplan.planner.roadmap_model import ROADMAP_HOOKS, RoadmapBuild, build_roadmap
from dcplan.planner.roadmap_solve import solve_roadmap
from dcplan.planner.roadmap_types import Ordered, PeriodInput, RoadmapInputs
from dcplan.planner.solve import SolveSettings, solve_model_data
from tests.planner.conftest import scenario

QUARTER_H = 2190.0
DAYS = QUARTER_H / 24.0
SETTINGS = SolveSettings(time_limit_s=20.0, rel_gap=1e-9, process="in-process")
ALPHA, BETA = "r1/alpha/ideal-dlc", "r1/beta/ideal-dlc"


def site_data(catalog: Any, mw: float, **changes: Any) -> ModelData:
    return build_model_data(scenario(site=[{"id": "cold-aws", "utility_power": f"{mw} MW"}], **changes), catalog)


def roadmap(
    data: ModelData | Callable[[int], ModelData],
    periods: int,
    *,
    years: float = 0.25,
    installable: Callable[[int, str], bool] = lambda t, k: True,
    ready: Callable[[int, str], bool] = lambda t, h: True,
    unit_capex: Callable[[int, Any], float] = lambda t, o: o.capex_per_unit_usd,
    budget: Callable[[int], float | None] = lambda t: None,
    caps: Callable[[int], dict[str, int]] = lambda t: {},
    **fields: Any,
) -> RoadmapInputs:
    """RoadmapInputs of ``periods`` periods from one ModelData (or one per period)."""
    out = []
    for t in range(periods):
        d = data(t) if callable(data) else data
        keys = frozenset(o.key for o in d.options if installable(t, o.key))
        out.append(
            PeriodInput(
                index=t,
                label=f"P{t}",
                start=date(2026, 1, 1),
                years_from_start=years * t,
                years=years,
                hours=years * 4 * QUARTER_H,
                data=d,
                installable=keys,
                purchasable=keys,
                unit_capex_usd={o.key: unit_capex(t, o) for o in d.options},
                halls_ready=frozenset(h for h in d.halls if ready(t, h)),
                capex_budget_musd=budget(t),
                allocation_caps=caps(t),
            )
        )
    d0 = out[0].data
    defaults: dict[str, Any] = {
        "scenario": d0.scenario,
        "objective": "max-cumulative-delivered",
        "discount_rate": 0.0,
        "discount_delivered": False,
        "it_life_years": {o.key: 5.0 for o in d0.options},
        "facility_life_years": 15.0,
        "lead_periods": {},
    }
    return RoadmapInputs(periods=out, **(defaults | fields))


def solved(inputs: RoadmapInputs) -> Any:
    outcome = solve_roadmap(inputs, SETTINGS)
    assert outcome.status == "optimal", outcome.termination
    return outcome


def units(outcome: Any, key: str) -> list[int]:
    return [round(p.values["units"].get(key, 0.0)) for p in outcome.periods]


def test_one_period_roadmap_is_the_single_period_plan(ideal_catalog: Any) -> None:
    """T = 1 with the total budget = the scenario's budget: 20 MUSD, 1 MW (10 units):
    max 100 a + 200 b s.t. a + b <= 10, a + 3 b <= 20 -> a = b = 5, 1500 PFLOPS; the
    single-period plan of the same scenario has the same compute."""
    data = site_data(ideal_catalog, 1, header={"budget": "20 MUSD"})
    single = solve_model_data(data, SETTINGS)
    outcome = solved(roadmap(data, 1, total_capex_budget_musd=20.0))
    assert single.compute_pflops == pytest.approx(1500.0)
    assert outcome.delivered_pflops == pytest.approx([single.compute_pflops])
    assert outcome.objective == pytest.approx(1500.0 * DAYS, rel=1e-6)
    assert units(outcome, ALPHA) == [5] and units(outcome, BETA) == [5]
    assert outcome.capex_musd == pytest.approx([20.0])


def test_hall_not_ready_until_period_two(ideal_catalog: Any) -> None:
    """h1 ready from period 2: nothing before, 10 beta (2000 PFLOPS, 1 MW) from then."""
    outcome = solved(roadmap(site_data(ideal_catalog, 1), 4, ready=lambda t, h: t >= 2))
    assert outcome.delivered_pflops == pytest.approx([0, 0, 2000, 2000])
    assert units(outcome, BETA) == [0, 0, 10, 10]
    assert [round(p.values["hall_used"]["h1"]) for p in outcome.periods] == [0, 0, 1, 1]


def test_utility_power_arriving_in_period_three(ideal_catalog: Any) -> None:
    """0.5 MW until period 3, 1 MW from it: 5 beta, then 5 more bought in period 3."""
    low, high = site_data(ideal_catalog, 0.5), site_data(ideal_catalog, 1)
    outcome = solved(roadmap(lambda t: high if t >= 3 else low, 5))
    assert outcome.delivered_pflops == pytest.approx([1000, 1000, 1000, 2000, 2000])
    assert outcome.linking["add"][(0, BETA)] == pytest.approx(5)
    assert outcome.linking["add"][(3, BETA)] == pytest.approx(5)


def test_system_not_available_until_period_five(ideal_catalog: Any) -> None:
    """beta only from period 5 (T = 7): 10 alpha (1000 PFLOPS) first; at 5 the alpha are
    retired and 10 beta bought (2000 PFLOPS a period beats keeping alpha: the cost term
    never trades compute)."""
    inputs = roadmap(site_data(ideal_catalog, 1), 7, installable=lambda t, k: k != BETA or t >= 5)
    outcome = solved(inputs)
    assert outcome.delivered_pflops == pytest.approx([1000] * 5 + [2000, 2000])
    assert units(outcome, ALPHA) == [10] * 5 + [0, 0]
    assert outcome.linking["ret"][(5, ALPHA)] == pytest.approx(10)
    assert (4, BETA) not in outcome.linking["add"]  # not purchasable before 5: no column


def test_transformer_lead_time_and_an_ordered_one(ideal_catalog: Any) -> None:
    """5 MW site, transformer lead 3 quarters, one 3000 kVA transformer ordered for period 1
    (100 kVA per unit, N: 30 units on it): period 0 nothing, 1-2 thirty beta (6000
    PFLOPS), from 3 (new transformers may arrive) fifty (5 MW, 10,000 PFLOPS)."""
    ordered = [Ordered(equipment="distribution-transformer", owner="h1", count=1, delivered=1)]
    inputs = roadmap(site_data(ideal_catalog, 5), 4, lead_periods={"distribution-transformer": 3}, ordered=ordered)
    outcome = solved(inputs)
    assert outcome.delivered_pflops == pytest.approx([0, 6000, 6000, 10000])
    xfmr = [round(p.values["xfmr_n"]["h1"]) for p in outcome.periods]
    assert xfmr[:3] == [0, 1, 1] and xfmr[3] >= 2
    without = solved(replace(inputs, ordered=[]))
    assert without.delivered_pflops == pytest.approx([0, 0, 0, 10000])


def test_end_of_life_refresh(ideal_catalog: Any) -> None:
    """IT life 1 year = 4 quarters, T = 6: the 10 beta bought in 0 retire in 4 and 10 new
    are bought (capex 30 MUSD in 0 and in 4), 2000 PFLOPS throughout."""
    data = site_data(ideal_catalog, 1)
    outcome = solved(roadmap(data, 6, it_life_years={o.key: 1.0 for o in data.options}))
    assert outcome.delivered_pflops == pytest.approx([2000] * 6)
    assert outcome.capex_musd == pytest.approx([30, 0, 0, 0, 30, 0])
    assert outcome.linking["ret"][(4, BETA)] == pytest.approx(10)
    assert outcome.linking["add"][(4, BETA)] == pytest.approx(10)


def test_period_and_total_budgets(ideal_catalog: Any) -> None:
    """beta only, 9 MUSD a period: 3 units a period -> 3, 6, 9, 10 (1 MW); with a total of
    21 MUSD as well: 7 units at most -> 3, 6, 7, 7."""
    data = site_data(ideal_catalog, 1, candidate=[{"system": "beta"}])
    per_period = roadmap(data, 4, budget=lambda t: 9.0)
    assert units(solved(per_period), BETA) == [3, 6, 9, 10]
    both = solved(replace(per_period, total_capex_budget_musd=21.0))
    assert units(both, BETA) == [3, 6, 7, 7]
    assert sum(both.capex_musd) == pytest.approx(21.0)


def test_price_decline_makes_waiting_pay(ideal_catalog: Any) -> None:
    """beta only, T = 2, a total budget of 10 MUSD. At 3 MUSD in both periods: buy 3 now
    (600 + 600 PFLOPS over the two periods; waiting buys 3 for 600 in period 1 only). With the
    price falling to 1 MUSD in period 1: k bought now leave 10 - 3k for period 1:
    200 k + 200 (k + 10 - 3k) = 2000 - 200 k (1 MW: at most 10 units), best k = 0:
    buy 10 in period 1."""
    data = site_data(ideal_catalog, 1, candidate=[{"system": "beta"}])
    flat = solved(roadmap(data, 2, total_capex_budget_musd=10.0))
    assert units(flat, BETA) == [3, 3]
    falling = roadmap(data, 2, total_capex_budget_musd=10.0, unit_capex=lambda t, o: 3e6 if t == 0 else 1e6)
    waited = solved(falling)
    assert units(waited, BETA) == [0, 10]
    assert waited.capex_musd == pytest.approx([0, 10])


def test_residual_value_of_a_fifteen_year_hall(ideal_catalog: Any) -> None:
    """Yearly periods, T = 5, r = 0: an optional hall (build cost 30 MUSD, facility life
    15 y) built in year 0 keeps 30 x (1 - 5/15) = 20 MUSD at the horizon; the 10 beta
    (30 MUSD, IT life 5 y) keep nothing. NPV TCO = 60 + opex - 20, opex 10 units x 100 kW
    x 8760 h x 0.1 USD/kWh = 0.876 MUSD a year (planner.modeldata's energy figure)."""
    data = site_data(
        ideal_catalog,
        1,
        hall=[
            {
                "id": "h1",
                "site": "cold-aws",
                "it_power_cap": "100 MW",
                "liquid_plant_capacity": "100 MW",
                "air_plant_capacity": "100 MW",
                "slab_rating": "3000 kg/m**2",
                "build": "optional",
                "build_cost": "30 MUSD",
            }
        ],
    )
    outcome = solved(roadmap(data, 5, years=1.0))
    energy = sum(o.energy_cost_per_unit_usd for o in data.options if o.key == BETA) / 1e6
    assert outcome.capex_musd == pytest.approx([60, 0, 0, 0, 0])
    assert outcome.residual_musd == pytest.approx(20.0)
    assert outcome.npv_tco_musd == pytest.approx(60 + 5 * 10 * energy - 20.0)


def test_allocation_cap(ideal_catalog: Any) -> None:
    """beta allocated 4 a period: 4, 8, 10 (1 MW) beta; the power left goes to alpha
    (6 then 2, then none: retired when beta fills the site)."""
    outcome = solved(roadmap(site_data(ideal_catalog, 1), 3, caps=lambda t: {"beta": 4}))
    assert units(outcome, BETA) == [4, 8, 10]
    assert outcome.delivered_pflops == pytest.approx([1400, 1800, 2000])


def test_min_npv_tco_meets_each_period_demand(ideal_catalog: Any) -> None:
    """min-npv-tco with a 500 PFLOPS peak demand: 5 alpha (5 MUSD; 2.5 beta would cost
    9 MUSD) bought in period 0 and kept; NPV = 5 + 4 quarters of their energy - 0 residual
    (IT life 1 y over a 1 y horizon)."""
    data = site_data(ideal_catalog, 1, workload=[{"id": "w", "demand": "500 PFLOPS", "software": ["neuron", "cuda"]}])
    inputs = roadmap(data, 4, objective="min-npv-tco", it_life_years={o.key: 1.0 for o in data.options})
    outcome = solved(inputs)
    assert units(outcome, ALPHA) == [5, 5, 5, 5]
    energy = next(o.energy_cost_per_unit_usd for o in data.options if o.key == ALPHA) / 1e6
    assert outcome.npv_tco_musd == pytest.approx(5 + 4 * 0.25 * 5 * energy)


def test_hooks_add_columns_and_rows(ideal_catalog: Any) -> None:
    """A hook capping beta units in period 1 at 3 through add_row over block columns, and
    one fixing a new column's upper bound: the plan obeys both."""

    def hook(b: RoadmapBuild) -> None:
        col = b.block_col(1, "units", BETA)
        assert col is not None and b.block_col(1, "units", "no-such-key") is None
        (extra,) = b.add_columns("probe", [(1, "x")], 0.0, 10.0, integer=True)
        b.set_upper(extra, 2.0)
        b.add_row("probe_cap", (1, BETA), {col: 1.0, extra: 1.0}, -math.inf, 3.0)
        b.delivered[1][extra] = 1000.0  # a probe unit delivers more than a beta (200): taken to its bound

    ROADMAP_HOOKS.append(hook)
    try:
        outcome = solved(roadmap(site_data(ideal_catalog, 1, candidate=[{"system": "beta"}]), 2))
    finally:
        ROADMAP_HOOKS.remove(hook)
    assert units(outcome, BETA)[1] == 1  # 1 beta + 2 probe units <= 3
    assert outcome.delivered_pflops[1] == pytest.approx(200 + 2000)
    assert outcome.linking["probe"][(1, "x")] == pytest.approx(2)


def test_columns_and_rows_are_named_per_period(ideal_catalog: Any) -> None:
    data = site_data(ideal_catalog, 1)
    model = build_roadmap(roadmap(data, 3))
    assert ("units", (2, BETA)) in model.columns and ("add", (0, ALPHA)) in model.columns
    assert model.num_col == len(model.columns) == model.lp.num_col_
    assert model.num_row == len(model.rows) == model.lp.num_row_
    assert {name for name, _ in model.rows} >= {"stock", "keep_hall_used", "rows_built_cover", "hall_it_power"}
    assert np.all(np.isfinite(np.asarray(model.lp.col_cost_)))


def test_budget_in_the_period_data_is_ignored(ideal_catalog: Any) -> None:
    """A period's own [scenario].budget is not a roadmap limit (the roadmap writes its money
    rows): 1 MUSD in the data, none in the roadmap -> 10 beta."""
    outcome = solved(roadmap(site_data(ideal_catalog, 1, header={"budget": "1 MUSD"}), 1))
    assert units(outcome, BETA) == [10]


def test_infeasible_roadmap_is_reported(ideal_catalog: Any) -> None:
    """Demand of 500 PFLOPS in a period where no hall is ready: infeasible, no plan."""
    data = site_data(ideal_catalog, 1, workload=[{"id": "w", "demand": "500 PFLOPS", "software": ["neuron", "cuda"]}])
    outcome = solve_roadmap(roadmap(data, 2, ready=lambda t, h: t >= 1), SETTINGS)
    assert outcome.status == "infeasible" and not outcome.has_solution and outcome.periods == []
