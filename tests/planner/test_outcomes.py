"""Solver outcomes that are wrong answers, not just wrong words (issue 10, defects 21-26).

Scenarios use the ideal hand-checkable catalog (tests/data/handcat, no facility overhead:
facility power = IT power, capex = IT capex) unless they need a shipped system. alpha: 100
PFLOPS fp8, 100 kW, 1 M USD, 2 racks, neuron, AWS sites only. beta: 200 PFLOPS, 100 kW,
3 M USD, 1 rack, cuda. gamma: a server of 16 PFLOPS, 19 kW, 0.5 M USD, 3 per rack, cuda.
"""

from __future__ import annotations

import json
import os
import shutil
import signal

import pytest

from dcplan.models.errors import DcplanError
from dcplan.planner import pipeline
from dcplan.planner.cli import main
from dcplan.planner.diagnosis import _relaxation_text, amount_text, diagnosis_summary
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.modeldata_checks import ModelDataError
from dcplan.planner.pipeline import PlanOptions, plan_scenario
from dcplan.planner.plan import CapacityPlan, SolverInfo
from dcplan.planner.scenario import DEMO_SCENARIO, load_scenario, parse_scenario
from dcplan.planner.solve import SolveSettings, solve_model_data
from tests.planner.conftest import BASE, HANDCAT, scenario, solve_plan, units_of

ONE_ROW = {
    "id": "r1",
    "hall": "h1",
    "count": 1,
    "positions": 20,
    "busway": "ideal-busway",
    "busway_runs_per_feed": 1,
    "cooling": ["ideal-dlc"],
}


def _no_diagnosis(*args, **kwargs):
    raise AssertionError("the infeasibility diagnosis must not run on this outcome")


# --- 21: unknown is not infeasible; interrupted is exit 130 and writes nothing -------------


def test_no_incumbent_within_the_limit_is_not_infeasible(catalog, monkeypatch):
    """A 0 s limit stops HiGHS before any incumbent: status no-plan-within-limit, no diagnosis."""
    monkeypatch.setattr(pipeline, "diagnose_infeasible", _no_diagnosis)
    plan = plan_scenario(load_scenario(DEMO_SCENARIO), catalog, PlanOptions(settings=SolveSettings(time_limit_s=0.0)))
    assert plan.solver.status == "no-plan-within-limit"
    assert plan.solver.termination == "maxTimeLimit"
    assert not plan.feasible and plan.diagnosis.relaxations == []
    assert plan.diagnosis.summary == (
        "no plan found within the time limit (0 s); the problem is not known to be infeasible — raise --time-limit"
    )
    assert "infeasible" not in plan.diagnosis.summary.replace("not known to be infeasible", "")


def test_reports_of_a_no_plan_outcome_do_not_say_infeasible(catalog):
    from dcplan.planner.report.html import render_html
    from dcplan.planner.report.markdown import render_markdown

    plan = plan_scenario(
        load_scenario(DEMO_SCENARIO), catalog, PlanOptions(settings=SolveSettings(time_limit_s=0.0), marginals=False)
    )
    assert "solver no-plan-within-limit" in render_markdown(plan, {})
    assert "solver infeasible" not in render_markdown(plan, {})
    assert "solver no-plan-within-limit" in render_html(plan)


def test_cli_no_plan_within_limit_exits_5(tmp_path, capsys, monkeypatch):
    """The CLI path of the same outcome: exit 5 (not 4), one line saying what happened and what to do."""
    import dcplan.planner.cli.solve_cmd as solve_cmd

    # A controlled setup: whatever --time-limit says, HiGHS gets 0 s, so no incumbent exists.
    monkeypatch.setattr(solve_cmd, "parse_duration_s", lambda flag, text: 0.0)
    monkeypatch.setattr(pipeline, "diagnose_infeasible", _no_diagnosis)
    code = main(["solve", str(DEMO_SCENARIO), "--time-limit", "1s", "--no-marginals"])
    err = capsys.readouterr().err
    assert code == 5
    assert "dcplan: no plan found within the time limit (0 s); the problem is not known to be infeasible" in err
    assert "dcplan: infeasible" not in err


def test_large_campus_with_a_short_limit_is_unknown_not_infeasible(catalog, monkeypatch):
    """The reported case at bench scale: the 40-hall XL campus (tests/bench/campus.py) needs
    ~0.3 s on a quiet machine for its first incumbent, so a 0.05 s limit ends with none
    (more load only makes that surer): no-plan-within-limit, undiagnosed. (A 160-hall
    campus with --time-limit 1s behaves the same; it takes ~14 s to build and stop.)"""
    from tests.bench.campus import campus

    monkeypatch.setattr(pipeline, "diagnose_infeasible", _no_diagnosis)
    options = PlanOptions(settings=SolveSettings(time_limit_s=0.05), marginals=False)
    plan = plan_scenario(campus("XL"), catalog, options)
    assert plan.solver.status == "no-plan-within-limit"
    assert plan.diagnosis.summary.startswith("no plan found within the time limit (0.05 s)")


def _interrupt_on_first_callback(monkeypatch):
    """Send SIGINT to this process from inside the first HiGHS callback, as Ctrl-C would."""
    import dcplan.planner.solve as solve

    original = solve._attach_callbacks

    def attach(highs, settings, started):
        sent = []
        inner = settings.on_progress

        def on_progress(progress):
            if not sent:
                sent.append(True)
                os.kill(os.getpid(), signal.SIGINT)
            if inner is not None:
                inner(progress)

        original(highs, settings.__class__(**{**settings.__dict__, "on_progress": on_progress}), started)

    monkeypatch.setattr(solve, "_attach_callbacks", attach)


def test_sigint_during_highs_raises_keyboard_interrupt(catalog, monkeypatch):
    """Ctrl-C inside the HiGHS run is not a 'cancelled' plan: KeyboardInterrupt after HiGHS stops."""
    _interrupt_on_first_callback(monkeypatch)
    data = build_model_data(load_scenario(DEMO_SCENARIO), catalog)
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        solve_model_data(data, SolveSettings(time_limit_s=30.0, rel_gap=0.0))
    assert signal.getsignal(signal.SIGINT) is before  # the handler is put back


def test_cli_ctrl_c_during_solve_exits_130_and_writes_nothing(tmp_path, capsys, monkeypatch):
    _interrupt_on_first_callback(monkeypatch)
    out = tmp_path / "plan.json"
    code = main(["solve", str(DEMO_SCENARIO), "-o", str(out), "--no-marginals"])
    err = capsys.readouterr().err
    assert code == 130
    assert "interrupted" in err and "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_old_status_words_in_plan_files_still_load():
    """Plans written before the rename said time-limit / no-solution: read as today's words."""
    base = dict(termination="x", objective_name="o", objective=None, bound=None, gap=None)
    base |= dict(time_limit_s=1.0, rel_gap_target=0.0, build_s=0.0, handover_s=0.0, solve_s=0.0)
    assert SolverInfo.model_validate({**base, "status": "time-limit"}).status == "feasible-with-gap"
    assert SolverInfo.model_validate({**base, "status": "no-solution"}).status == "no-plan-within-limit"


# --- 22: chips demand at a precision a system has no figure for --------------------------


def _cloud_fp4_scenario(offers):
    return parse_scenario(
        {
            "scenario": {"id": "fp4", "name": "fp4 chips", "objective": "min-tco", "precision": "fp4"},
            "site": [{"id": "ashburn-va", "utility_power": "10 MW"}],
            "candidate": [{"system": "dgx-b200"}],
            "cloud": offers,
            "workload": [{"id": "serve", "chips": 80, "software": ["cuda"], "placement": ["cloud"]}],
        }
    )


def test_chips_demand_at_fp4_skips_a_system_without_fp4(catalog):
    """80 chips of FP4 work, offers of DGX H200 (H200 has no FP4 figure) and DGX B200.

    The H200 offer adds no FP4 compute, so it is pruned, not divided by; the demand is met by
    80 / 8 = 10 DGX B200 rented at 113.9328 USD/h: 10 x 113.9328 x 8760 = 9,980,513.28 USD/yr.
    """
    offers = [
        {"id": "h200", "region": "us-east-1", "system": "dgx-h200", "quota": 100},
        {"id": "b200", "region": "us-east-1", "system": "dgx-b200", "quota": 100},
    ]
    plan = solve_plan(_cloud_fp4_scenario(offers), catalog)
    assert plan.solver.status == "optimal" and plan.recheck.ok, plan.recheck.violations
    assert [(m.system, m.place, m.units, m.chips) for m in plan.mix] == [("dgx-b200", "cloud:b200", 10, 80)]
    assert plan.costs.annual_cloud_cost.m_as("USD") == pytest.approx(10 * 113.9328 * 8760)
    assert any("cloud:h200: dgx-h200" in p and "no fp4 figure" in p for p in plan.pruned)


def test_chips_demand_at_fp4_with_only_a_system_without_fp4_is_infeasible(catalog):
    offers = [{"id": "h200", "region": "us-east-1", "system": "dgx-h200", "quota": 100}]
    plan = solve_plan(_cloud_fp4_scenario(offers), catalog)
    assert plan.solver.status == "infeasible"
    assert "workload serve has no eligible capacity" in plan.diagnosis.summary
    assert "pruned" in plan.diagnosis.summary


# --- 23 and 25(b): a share floor is not met by deploying nothing ----------------------------


def test_share_floor_nothing_can_meet_is_infeasible(ideal_catalog):
    """Only alpha (Trainium) is a candidate; an NVIDIA share floor of 25 % cannot be met.

    Before: solved "optimal" with nothing deployed, then failed the re-check (a bug).
    """
    plan = solve_plan(
        scenario(candidate=[{"system": "alpha"}], share=[{"family": "nvidia", "min": 0.25}]), ideal_catalog
    )
    assert plan.solver.status == "infeasible"
    assert "the minimum share of family nvidia (25%) cannot be met" in plan.diagnosis.summary


def test_cli_share_floor_nothing_can_meet_exits_4(tmp_path, capsys):
    text = DEMO_SCENARIO.read_text()
    # the demo's CUDA share floor, with the NVIDIA candidate removed: only Trainium remains
    start = text.index('[[candidate]]\nsystem = "gb300-nvl72"')
    end = text.index("[[", start + 5)
    path = tmp_path / "only-trainium.toml"
    path.write_text(text[:start] + text[end:])
    code = main(["solve", str(path), "--no-marginals"])
    err = capsys.readouterr().err
    assert code == 4, err
    assert "dcplan: infeasible:" in err and "minimum share of software cuda" in err
    assert "re-check" not in err


def test_zero_budget_with_a_share_floor_is_infeasible_and_names_the_budget(ideal_catalog):
    """Budget 0 with a CUDA floor of 50 %: the floor is not vacuous (decision for 25 b).

    Capacity relaxation: the floor needs one beta at least (3 M USD); alpha alone breaks the
    floor, so the cheapest plan is one beta: capex budget short by 3.0 MUSD. Demand relaxation:
    nothing can be bought, so the floor itself must go.
    """
    plan = solve_plan(scenario(header={"budget": "0 USD"}, share=[{"software": "cuda", "min": 0.5}]), ideal_catalog)
    assert plan.solver.status == "infeasible"
    texts = {r.group: r.text for r in plan.diagnosis.relaxations}
    assert texts["capacity"] == "capex budget short by 3.0 MUSD"
    assert texts["demand"] == "drop the minimum share of software cuda (50%)"


def test_zero_budget_without_share_floors_is_an_empty_plan_that_passes_the_recheck(ideal_catalog):
    """Budget 0 and no floor: the optimum is to buy nothing (0 PFLOPS), a valid plan."""
    plan = solve_plan(scenario(header={"budget": "0 USD"}), ideal_catalog)
    assert plan.solver.status == "optimal"
    assert plan.recheck.ok, plan.recheck.violations
    assert plan.compute_total.m_as("PFLOPS") == 0 and plan.mix == [] and len(plan.layout) == 0


# --- 25(a): a part-full last rack is legal -------------------------------------------------


def test_part_full_last_rack_is_placed_and_checked(ideal_catalog):
    """One busway run carries sqrt(3) x 415 V x 1250 A = 898.5 kW = 47 gamma of 19 kW.

    Optimum: 47 gamma = 47 x 16 = 752 PFLOPS in 15 full racks and a 16th with 2 (not 45 in 15).
    """
    plan = solve_plan(scenario(row=[ONE_ROW], candidate=[{"system": "gamma"}]), ideal_catalog)
    assert plan.solver.status == "optimal" and plan.recheck.ok, plan.recheck.violations
    assert units_of(plan, "gamma") == 47
    assert plan.compute_total.m_as("PFLOPS") == pytest.approx(752)
    assert len(plan.layout) == 16 and plan.halls[0].racks == 16
    assert plan.layout.unit[-1] == "gamma#00046-00047"
    assert plan.rows[0].racks == 16 and plan.rows[0].units == 47


def test_part_full_racks_over_several_rows_count_every_rack(ideal_catalog):
    """Three rows of 47: each ends with a 2-server rack, so 3 x 16 = 48 racks (ceil(141/3) = 47 would
    under-count by one); whitespace for 48 racks fits 48 x 2.88 m2 = 138.24 m2 (0.72 m2 footprint
    x (1 + aisles) x whitespace factor, from the handcat defaults) and the re-check passes."""
    rows = [{**ONE_ROW, "count": 3}]
    plan = solve_plan(scenario(row=rows, candidate=[{"system": "gamma"}]), ideal_catalog)
    assert plan.recheck.ok, plan.recheck.violations
    assert units_of(plan, "gamma") == 141
    assert len(plan.layout) == 48 and plan.halls[0].racks == 48
    per_rack_m2 = plan.halls[0].gross_area.m_as("m**2") / 48
    assert per_rack_m2 == pytest.approx(2.88)


def test_part_full_racks_are_avoided_when_racks_are_scarce(ideal_catalog):
    """Two rows, whitespace for exactly 17 racks (17 x 2.88 m2 = 48.96 m2).

    Filling rows to 47 would give 47 + 3 = 50 gamma in 16 + 1 = 17 racks; full racks first
    give 45 + 6 = 51 gamma in 15 + 2 = 17 racks: 51 x 16 = 816 PFLOPS is the optimum.
    """
    hall = {**BASE["hall"][0], "area": "48.96 m**2"}
    plan = solve_plan(
        scenario(hall=[hall], row=[{**ONE_ROW, "count": 2}], candidate=[{"system": "gamma"}]), ideal_catalog
    )
    assert plan.solver.status == "optimal" and plan.recheck.ok, plan.recheck.violations
    assert units_of(plan, "gamma") == 51 and plan.compute_total.m_as("PFLOPS") == pytest.approx(816)
    assert sorted((r.units, r.racks) for r in plan.rows) == [(6, 2), (45, 15)]


def test_rack_fill_and_rack_count_are_the_fewest_racks_of_any_fill():
    """Brute force over small cases: U units of x per rack in R rows of at most n units each.

    The fewest racks of any split u_1..u_R (each <= n, sum U) of sum ceil(u_r / x) must equal
    both the racks of planner.layout.row_loads and the formulation's bound
    max(ceil(U / x), ceil(f R + (U - f x R) / q)) (f = n // x, q = n % x, second term when q > 0).
    """
    import itertools
    import math
    from types import SimpleNamespace

    from dcplan.planner.layout import row_loads

    for n, x, rows in itertools.product(range(1, 9), range(1, 5), range(1, 4)):
        option = SimpleNamespace(units_per_row_max=n, units_per_rack=x)
        f, q = n // x, n % x
        for units in range(n * rows + 1):
            fewest = min(
                sum(math.ceil(u / x) for u in split)
                for split in itertools.product(range(n + 1), repeat=rows)
                if sum(split) == units
            )
            loads = row_loads(option, units, rows)
            assert sum(loads) == units and len(loads) <= rows and all(0 < u <= n for u in loads)
            assert sum(math.ceil(u / x) for u in loads) == fewest, (n, x, rows, units, loads)
            bound = units / x if q == 0 else max(units / x, f * rows + (units - f * x * rows) / q)
            assert math.ceil(bound - 1e-9) == fewest, (n, x, rows, units)


# --- 25(c) and 13: diagnosis wording -------------------------------------------------------


def test_small_relaxations_never_read_as_zero(ideal_catalog):
    data = build_model_data(scenario(), ideal_catalog)
    # 4.3 kW of air plant: shown as 0.0043 MW, not "0.00 MW"
    assert _relaxation_text(data, None, "hall_air_plant", "h1", 4.3)[1] == "hall h1: air plant short by 0.0043 MW"
    # 0.4 kW is below the 1 kW threshold: solver noise, not advice
    assert _relaxation_text(data, None, "hall_air_plant", "h1", 0.4) is None
    assert amount_text(0.5, "MW") == "0.50" and amount_text(1234.5, "MW") == "1,234.50"
    assert amount_text(0.04, "MUSD") == "0.04" and amount_text(0.4, "units") == "0.4"


def test_infeasibility_sentence_reads_as_one_sentence(ideal_catalog):
    """Demand 1,000 PFLOPS of neuron work needs 10 alpha = 1 MW; utility is 0.5 MW."""
    plan = solve_plan(
        scenario(
            site=[{"id": "cold-aws", "utility_power": "0.5 MW"}],
            workload=[{"id": "pretrain", "demand": "1000 PFLOPS", "software": ["neuron"]}],
        ),
        ideal_catalog,
    )
    assert plan.diagnosis.summary == (
        "either relax capacity limits: site cold-aws: utility power short by 0.50 MW, "
        "or relax demands and shares: drop workload pretrain demand by 500 PFLOPS (50%)"
    )


def test_infeasibility_sentence_when_one_group_cannot_help(ideal_catalog):
    """EU-resident neuron work of 1,000 PFLOPS can only run on an EU cloud offer of 5 alpha (500 PFLOPS).

    A quota is not a capacity limit the diagnosis relaxes, so only the demand can move: by 500 PFLOPS.
    """
    plan = solve_plan(
        scenario(
            cloud=[{"id": "eu", "region": "eu-west-1", "residency": "eu", "system": "alpha", "quota": 5}],
            workload=[{"id": "eu-work", "demand": "1000 PFLOPS", "software": ["neuron"], "residency": ["eu"]}],
        ),
        ideal_catalog,
    )
    assert plan.diagnosis.summary == (
        "relax demands and shares: drop workload eu-work demand by 500 PFLOPS (50%) "
        "(relaxing capacity limits alone cannot make it feasible)"
    )
    assert " or: " not in plan.diagnosis.summary


def test_share_floor_as_real_cause_is_relaxed_not_the_demand(ideal_catalog):
    """CUDA floor 50 %, beta capped at 0 units, 1,000 PFLOPS of neuron work (10 alpha).

    No amount of dropped demand meets the floor (it needs at least one beta): the demand
    relaxation is the floor itself, never "drop 100 % of demand". Capacity: beta >= alpha
    = 1,000 PFLOPS = 5 beta, so allow 5 more units of beta.
    """
    plan = solve_plan(
        scenario(
            candidate=[{"system": "alpha"}, {"system": "beta", "max_units": 0}],
            workload=[{"id": "pretrain", "demand": "1000 PFLOPS", "software": ["neuron"]}],
            share=[{"software": "cuda", "min": 0.5}],
        ),
        ideal_catalog,
    )
    demand = [r.text for r in plan.diagnosis.relaxations if r.group == "demand"]
    capacity = [r.text for r in plan.diagnosis.relaxations if r.group == "capacity"]
    assert demand == ["drop the minimum share of software cuda (50%)"]
    assert capacity == ["beta: allow 5 more units"]


def test_diagnosis_summary_shapes():
    assert diagnosis_summary({}, {"capacity": "cannot make it feasible", "demand": "cannot make it feasible"}) == (
        "infeasible: relaxing capacity limits alone cannot make it feasible; "
        "relaxing demands and shares alone cannot make it feasible"
    )


# --- 26: missing prices never count as zero ------------------------------------------------


def _catalog_systems(catalog):
    return sorted(catalog.items["system"])


def _shipped_system_ids() -> list[str]:
    from dcplan.models.catalog import load_catalog

    return _catalog_systems(load_catalog(use_env=False))


def test_every_catalog_system_has_a_sourced_or_assumed_price(catalog):
    for system_id in _catalog_systems(catalog):
        capex = catalog.system(system_id).capex
        assert capex is not None and capex.magnitude > 0, system_id
        entry = catalog.items["system"][system_id].entry.model_dump(mode="json")["capex"]
        assert entry["source"], system_id
        if entry["source"].startswith("assumption"):
            assert entry.get("low") is not None and entry.get("high") is not None, system_id


@pytest.mark.parametrize("system_id", _shipped_system_ids())
def test_no_plan_prices_a_bought_unit_at_zero(catalog, system_id):
    """Buy each catalog system in a small hall: IT capex = units x the catalog price, > 0."""
    system = catalog.system(system_id)
    site = "ashburn-va" if "aws" in system.deployable_by else "phoenix-az"  # an aws / an owned site
    scn = parse_scenario(
        {
            "scenario": {"id": "buy", "name": f"buy {system_id}", "objective": "max-compute", "precision": "bf16"},
            "site": [{"id": site, "utility_power": "3 MW"}],
            "hall": [
                {
                    "id": "h",
                    "site": site,
                    "it_power_cap": "1 MW",
                    "liquid_plant_capacity": "2 MW",
                    "air_plant_capacity": "2 MW",
                    "slab_rating": "40 kN/m**2",
                }
            ],
            "row": [
                {
                    "id": "r",
                    "hall": "h",
                    "count": 4,
                    "positions": 20,
                    "busway": "busway-1250a-415v",
                    "busway_runs_per_feed": 2,
                    "cooling": list(system.cooling),
                }
            ],
            "candidate": [{"system": system_id}],
        }
    )
    plan = solve_plan(scn, catalog, time_limit=10)
    assert plan.recheck.ok, plan.recheck.violations
    bought = [m for m in plan.mix if not m.place.startswith("cloud:")]
    assert bought and sum(m.units for m in bought) > 0, (system_id, plan.pruned, plan.diagnosis.summary)
    price_usd = float(system.capex.magnitude)
    for line in bought:
        assert line.capex.m_as("USD") == pytest.approx(line.units * price_usd) and price_usd > 0
    assert plan.costs.capex_it.m_as("USD") == pytest.approx(sum(m.units for m in bought) * price_usd)


def _unpriced_catalog(tmp_path):
    folder = tmp_path / "cat"
    shutil.copytree(HANDCAT, folder)
    path = folder / "ideal.toml"
    text = path.read_text()
    text = text.replace(
        'capex = { value = "3000000 USD", source = "assumption: test", confidence = "assumption" }\n', ""
    )
    path.write_text(text)
    return folder, path


def test_unpriced_candidate_is_a_clear_error_naming_system_and_field(tmp_path):
    from dcplan.models.catalog import load_catalog

    folder, _ = _unpriced_catalog(tmp_path)
    cat = load_catalog([folder], use_env=False)
    with pytest.raises(ModelDataError) as info:
        build_model_data(scenario(header={"budget": "10e6 USD"}), cat)
    err = info.value
    assert isinstance(err, DcplanError) and err.exit_code == 2
    assert err.entry == "system 'beta'" and err.field == "capex"
    assert "ideal.toml" in err.lines[0] and "system 'beta': capex: expected a purchase price" in err.lines[0]


def test_cli_unpriced_candidate_one_line_exit_2(tmp_path, capsys):
    folder, _ = _unpriced_catalog(tmp_path)
    scn = tmp_path / "s.toml"
    scn.write_text(
        '[scenario]\nid = "s"\nname = "s"\nobjective = "min-tco"\n\n'
        '[[site]]\nid = "cold-owned"\nutility_power = "10 MW"\n\n'
        '[[hall]]\nid = "h1"\nsite = "cold-owned"\nit_power_cap = "5 MW"\nliquid_plant_capacity = "5 MW"\n'
        'air_plant_capacity = "5 MW"\nslab_rating = "3000 kg/m**2"\n\n'
        '[[row]]\nid = "r1"\nhall = "h1"\ncount = 2\npositions = 20\nbusway = "ideal-busway"\n'
        'busway_runs_per_feed = 4\ncooling = ["ideal-dlc"]\n\n'
        '[[candidate]]\nsystem = "beta"\n\n'
        '[[workload]]\nid = "w"\ndemand = "400 PFLOPS"\nsoftware = ["cuda"]\n'
    )
    code = main(["--catalog", str(folder), "solve", str(scn), "--no-marginals"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "system 'beta': capex: expected a purchase price" in err


def test_shipped_enterprise_plan_pays_for_what_it_buys(catalog):
    """The least-TCO enterprise plan bought 600 DGX B200 at 0 USD; every bought line now costs units x price."""
    path = DEMO_SCENARIO.parent / "enterprise-hybrid.toml"
    plan = solve_plan(load_scenario(path), catalog, time_limit=30)
    assert plan.feasible and plan.recheck.ok, plan.recheck.violations
    # the demo places its fabric: each unit's IT capex adds its share of switches, optics, storage
    placed = build_model_data(load_scenario(path), catalog).placed_fabric
    fabric_usd = {(site, f.system_id): f.capex_usd for site, shares in placed.items() for f in shares}
    for line in plan.mix:
        if line.place.startswith("cloud:"):
            continue
        price = float(catalog.system(line.system).capex.magnitude)
        share = fabric_usd.get((line.place, line.system), 0.0)
        assert share > 0 and line.capex.m_as("USD") == pytest.approx(line.units * (price + share)) and price > 0


def test_plan_json_round_trip_with_new_status(ideal_catalog, tmp_path):
    plan = solve_plan(scenario(header={"budget": "10e6 USD"}), ideal_catalog)
    again = CapacityPlan.model_validate(json.loads(plan.to_json_text()))
    assert again.solver.status == plan.solver.status == "optimal"
