"""Optimiser tests on scenarios whose optimum is derived by hand.

The ideal test catalog (tests/data/handcat) has no facility overhead: facility power =
IT power, capex = IT capex. alpha: 100 PFLOPS fp8, 100 kW, 1 M USD, 2 racks, neuron,
AWS sites only. beta: 200 PFLOPS, 100 kW, 3 M USD, 1 rack, cuda.
"""

from __future__ import annotations

import json

import pytest

from dcplan.planner.cli import main
from dcplan.planner.layout import NETWORK_SYSTEM
from dcplan.planner.scenario import DEMO_SCENARIO, SCENARIO_DIR, load_scenario
from tests.planner.conftest import HANDCAT, scenario, solve_plan, units_of


def test_power_binds(ideal_catalog):
    """Utility 1 MW, facility = IT: beta gives 2 PFLOPS/kW vs alpha's 1, so 10 beta = 2,000 PFLOPS."""
    plan = solve_plan(scenario(site=[{"id": "cold-aws", "utility_power": "1 MW"}]), ideal_catalog, marginals=True)
    assert plan.recheck.ok, plan.recheck.violations
    assert plan.solver.status == "optimal"
    assert units_of(plan, "beta") == 10 and units_of(plan, "alpha") == 0
    assert plan.compute_total.m_as("PFLOPS") == pytest.approx(2000)
    utility = next(u for u in plan.limits if u.limit.startswith("utility power"))
    assert utility.binding and utility.used == pytest.approx(1.0)
    # +1 MW lets 10 more beta in: +2,000 PFLOPS
    assert utility.marginal == pytest.approx(2000)
    assert "+1 MW utility power (design day) (cold-aws) = +2,000 PFLOPS" in utility.marginal_text


def test_budget_prefers_cheap_compute(ideal_catalog):
    """Budget 10 M USD, power ample: alpha costs 10 k USD/PFLOPS vs beta 15 k, so 10 alpha = 1,000 PFLOPS."""
    plan = solve_plan(scenario(header={"budget": "10e6 USD"}), ideal_catalog)
    assert plan.recheck.ok, plan.recheck.violations
    assert units_of(plan, "alpha") == 10 and units_of(plan, "beta") == 0
    assert plan.costs.capex_total.m_as("USD") == pytest.approx(10e6)


def test_hybrid_share_bound_binds(ideal_catalog):
    """Budget 10 M USD and >= 50 % of compute on CUDA.

    Share: 200 b >= 0.5 (100 a + 200 b)  =>  a <= 2 b.  Budget: a + 3 b <= 10.
    b = 2, a = 4 gives 800 PFLOPS (b = 3 allows a = 1: 700; b = 1 allows a = 2: 400).
    """
    plan = solve_plan(scenario(header={"budget": "10e6 USD"}, share=[{"software": "cuda", "min": 0.5}]), ideal_catalog)
    assert plan.recheck.ok, plan.recheck.violations
    assert (units_of(plan, "alpha"), units_of(plan, "beta")) == (4, 2)
    assert plan.compute_total.m_as("PFLOPS") == pytest.approx(800)
    share = next(u for u in plan.limits if u.limit.startswith("minimum share"))
    assert share.binding and share.used == pytest.approx(0.5)


def test_cooling_binds_not_power(ideal_catalog):
    """Liquid plant 450 kW; each unit puts 0.9 x 100 kW = 90 kW on facility water: 5 units.

    Power (100 MW) would allow 1,000 units. Best compute per liquid kW is beta: 5 beta = 1,000 PFLOPS.
    """
    halls = [dict(scenario().model_dump(mode="json")["hall"][0], liquid_plant_capacity="450 kW")]
    plan = solve_plan(scenario(hall=halls), ideal_catalog)
    assert plan.recheck.ok, plan.recheck.violations
    assert units_of(plan, "beta") == 5
    liquid = next(u for u in plan.limits if u.limit == "hall liquid plant")
    power = next(u for u in plan.limits if u.limit.startswith("utility power"))
    assert liquid.binding and not power.binding
    assert liquid.used == pytest.approx(0.45)


def test_ultraserver_racks_stay_together(ideal_catalog):
    """Rows of 5 positions take two 2-rack alpha units each (the 5th slot stays empty).

    Budget 6 M USD buys 6 alpha -> 3 rows; every unit's two racks sit in one row, adjacent.
    """
    rows = [
        {
            "id": "r1",
            "hall": "h1",
            "count": 10,
            "positions": 5,
            "busway": "ideal-busway",
            "busway_runs_per_feed": 4,
            "cooling": ["ideal-dlc"],
        }
    ]
    plan = solve_plan(scenario(row=rows, candidate=[{"system": "alpha"}], header={"budget": "6e6 USD"}), ideal_catalog)
    assert plan.recheck.ok, plan.recheck.violations
    assert units_of(plan, "alpha") == 6
    assert len(plan.rows) == 3 and all(r.racks == 4 for r in plan.rows)
    records = plan.layout.records()
    by_unit: dict[str, list[tuple[str, int]]] = {}
    for rec in records:
        by_unit.setdefault(rec["unit"], []).append((rec["row"], rec["slot"]))
    assert len(by_unit) == 6
    for places in by_unit.values():
        (row_a, slot_a), (row_b, slot_b) = sorted(places)
        assert row_a == row_b and slot_b == slot_a + 1


def test_busway_per_feed_limits_a_row(ideal_catalog):
    """One 1,250 A run per feed at 415 V, pf 1, no derating: sqrt(3) x 415 x 1250 = 898.5 kW -> 8 units of 100 kW per row."""
    rows = [
        {
            "id": "r1",
            "hall": "h1",
            "count": 1,
            "positions": 40,
            "busway": "ideal-busway",
            "busway_runs_per_feed": 1,
            "cooling": ["ideal-dlc"],
        }
    ]
    plan = solve_plan(scenario(row=rows, candidate=[{"system": "beta"}]), ideal_catalog)
    assert plan.recheck.ok
    assert units_of(plan, "beta") == 8


def test_trainium_only_at_aws_sites(ideal_catalog):
    """An owned site cannot host alpha (deployable_by = aws): all capacity goes to beta, and the pruning is explained."""
    sites = [{"id": "cold-owned", "utility_power": "1 MW"}]
    halls = [dict(scenario().model_dump(mode="json")["hall"][0], site="cold-owned")]
    plan = solve_plan(scenario(site=sites, hall=halls, header={"budget": "9e6 USD"}), ideal_catalog)
    assert plan.recheck.ok
    assert units_of(plan, "alpha") == 0 and units_of(plan, "beta") == 3
    assert any("alpha is deployable only at aws sites" in line for line in plan.pruned)


def test_min_tco_meets_demand_cheapest(ideal_catalog):
    """Demand 1,000 PFLOPS at least cost: alpha 10 x 1 M = 10 M USD beats beta 5 x 3 M = 15 M.

    Energy: 10 units x 100 kW x u=1 x 8,760 h x 0.1 USD/kWh = 876,000 USD/yr, so TCO over
    5 years at 8 % = 10 M + 3.9927 x 0.876 M = 13.498 M USD.
    """
    plan = solve_plan(
        scenario(
            header={"objective": "min-tco"},
            workload=[{"id": "train", "demand": "1000 PFLOPS", "software": ["neuron", "cuda"]}],
        ),
        ideal_catalog,
    )
    assert plan.recheck.ok, plan.recheck.violations
    assert units_of(plan, "alpha") == 10 and units_of(plan, "beta") == 0
    assert plan.costs.annual_energy_cost.m_as("USD") == pytest.approx(876_000)
    assert plan.costs.tco.m_as("USD") == pytest.approx(10e6 + 3.99271 * 876_000, rel=1e-5)


def test_cloud_capacity_serves_residency_limited_demand(ideal_catalog):
    """Owned site (no alpha), a neuron workload must rent alpha in the cloud: 1,000 PFLOPS = 10 rented units."""
    sites = [{"id": "cold-owned", "utility_power": "1 MW"}]
    halls = [dict(scenario().model_dump(mode="json")["hall"][0], site="cold-owned")]
    plan = solve_plan(
        scenario(
            site=sites,
            hall=halls,
            header={"objective": "min-tco"},
            cloud=[{"id": "east", "region": "us-east-1", "residency": "us", "system": "alpha", "quota": 50}],
            workload=[{"id": "pretrain", "demand": "1000 PFLOPS", "software": ["neuron"], "residency": ["us"]}],
        ),
        ideal_catalog,
    )
    assert plan.recheck.ok, plan.recheck.violations
    cloud = [m for m in plan.mix if m.place == "cloud:east"]
    assert cloud and cloud[0].units == 10
    assert plan.costs.annual_cloud_cost.m_as("USD") == pytest.approx(10 * 100 * 8760)


def test_infeasible_power_gives_relaxation_in_units(ideal_catalog):
    """Demand 1,000 PFLOPS of neuron work needs 10 alpha = 1 MW; utility is 0.5 MW.

    Capacity relaxation: utility short by 0.5 MW. Demand relaxation: drop 500 PFLOPS (50 %).
    """
    plan = solve_plan(
        scenario(
            site=[{"id": "cold-aws", "utility_power": "0.5 MW"}],
            workload=[{"id": "pretrain", "demand": "1000 PFLOPS", "software": ["neuron"]}],
        ),
        ideal_catalog,
    )
    assert not plan.feasible and plan.solver.status == "infeasible"
    texts = [r.text for r in plan.diagnosis.relaxations]
    assert "site cold-aws: utility power short by 0.50 MW" in texts
    assert "drop workload pretrain demand by 500 PFLOPS (50%)" in texts


def test_infeasible_without_eligible_capacity(ideal_catalog):
    """A CUDA workload with placement 'owned' at an AWS-only campus has nowhere to run."""
    plan = solve_plan(
        scenario(workload=[{"id": "onprem", "demand": "100 PFLOPS", "software": ["cuda"], "placement": ["owned"]}]),
        ideal_catalog,
    )
    assert not plan.feasible
    assert "workload onprem has no eligible capacity" in plan.diagnosis.summary


def test_same_input_same_plan(ideal_catalog):
    scn = scenario(header={"budget": "10e6 USD"}, share=[{"software": "cuda", "min": 0.5}])
    first = solve_plan(scn, ideal_catalog).model_dump(mode="json")
    second = solve_plan(scn, ideal_catalog).model_dump(mode="json")
    for plan in (first, second):
        plan["solver"] = {k: v for k, v in plan["solver"].items() if not k.endswith("_s")}
    assert first == second


@pytest.mark.parametrize("path", sorted(SCENARIO_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_scenarios_solve_and_pass_recheck(path, catalog):
    plan = solve_plan(load_scenario(path), catalog, time_limit=30)
    assert plan.feasible, plan.diagnosis.summary
    assert plan.recheck.ok, plan.recheck.violations
    assert plan.solver.status == "optimal"
    assert sum(1 for s in plan.layout.system if s != NETWORK_SYSTEM) == sum(m.racks for m in plan.mix)


def test_demo_is_hybrid_and_binding_limits_have_marginals(catalog):
    plan = solve_plan(load_scenario(DEMO_SCENARIO), catalog, marginals=True)
    families = {m.family for m in plan.mix}
    assert families == {"trainium", "nvidia"}
    assert sum(m.share for m in plan.mix if m.software == "cuda") >= 0.25 - 1e-9
    binding = [u for u in plan.limits if u.binding and u.marginal is not None]
    assert binding and all(u.marginal_text for u in binding)
    # Trainium is never placed outside an AWS site
    assert all(m.place == "ashburn-va" for m in plan.mix if m.family == "trainium")


def test_time_limited_solve_returns_a_plan(catalog):
    """A time limit that passes after the first incumbent returns that plan, with its gap.

    The setup makes the outcome certain: the M benchmark campus (~106k chips, ~1,000
    integer columns) with rel_gap 0 (and an absolute gap of 1e-9 PFLOPS) cannot be proved
    optimal in 1 s, while HiGHS finds incumbents within a fraction of it. Expected: status
    "feasible-with-gap", the plan's objective at least the best incumbent the progress
    reports showed (HiGHS runs in a child process that streams them at most every 0.25 s,
    so the last may not have been reported), and the gap |bound - objective| / |objective| > 0.
    """
    from dcplan.planner.modeldata import build_model_data
    from dcplan.planner.solve import SolveSettings, solve_model_data
    from tests.bench.campus import campus

    data = build_model_data(campus("M"), catalog)
    seen = []

    def record(progress):
        if progress.incumbent is not None:
            seen.append(progress.incumbent)

    outcome = solve_model_data(data, SolveSettings(time_limit_s=1.0, rel_gap=0.0, on_progress=record))
    assert outcome.status == "feasible-with-gap"
    assert outcome.termination == "maxTimeLimit"
    assert outcome.has_solution
    assert seen and outcome.objective >= max(seen) - 1e-9 * abs(max(seen))
    assert outcome.bound is not None
    assert outcome.gap == pytest.approx(abs(outcome.bound - outcome.objective) / abs(outcome.objective))
    assert outcome.gap > 0


def test_cli_solve_exit_codes_and_output(tmp_path, capsys):
    out = tmp_path / "plan.json"
    code = main(["solve", str(DEMO_SCENARIO), "-o", str(out), "--no-marginals", "--json"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads(out.read_text())
    assert printed["schema_version"] == saved["schema_version"] == "1.2"
    assert saved["recheck"]["ok"] is True
    code = main(["solve", str(DEMO_SCENARIO), "-o", str(out), "--no-marginals"])
    assert code == 2 and "already exists; pass --force" in capsys.readouterr().err


def test_cli_infeasible_exit_code(tmp_path, capsys):
    text = (DEMO_SCENARIO.read_text()).replace('utility_power = "150 MW"', 'utility_power = "5 MW"')
    path = tmp_path / "tight.toml"
    path.write_text(text)
    code = main(["solve", str(path), "--no-marginals"])
    captured = capsys.readouterr()
    assert code == 4
    assert "utility power short by" in captured.out + captured.err


BAD_SCENARIOS = {
    "unknown system": ('system = "gb300-nvl72"', 'system = "gb400-nvl99"', "unknown system id 'gb400-nvl99'"),
    "row with no cooling": (
        'cooling = ["dlc-cdu"]\n',
        "cooling = []\n",
        "[[row]] 'a-dlc' field 'cooling': List should have at least 1 item",
    ),
    "negative budget": (
        'budget = "6e9 USD"',
        'budget = "-6e9 USD"',
        "[scenario] field 'budget': expected a non-negative amount of money",
    ),
    "demand in wrong units": (
        'delivered = "6000 PFLOPS"',
        'delivered = "6000 kW"',
        "[[workload]] 'cuda-teams' field 'delivered': expected a compute rate",
    ),
    "bare number": (
        'it_power_cap = "36 MW"',
        "it_power_cap = 36",
        "field 'it_power_cap': a bare number (36) needs a unit",
    ),
    "unknown field": (
        'precision = "fp8"',
        'precision = "fp8"\ncolour = 1',
        "[scenario] field 'colour': is not a known field",
    ),
    "malformed": ("[[hall]]", "[[hall", "malformed TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
def test_bad_scenario_one_clear_line(tmp_path, capsys, case):
    old, new, expected = BAD_SCENARIOS[case]
    text = DEMO_SCENARIO.read_text()
    assert old in text
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, 1))
    code = main(["solve", str(path), "--no-marginals"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert expected in err
    assert "Traceback" not in err


def test_handcat_is_valid_catalog():
    from dcplan.models.catalog import validate_folder

    assert "alpha" in validate_folder(HANDCAT).items["system"]
