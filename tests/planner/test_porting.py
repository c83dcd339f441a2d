"""[[porting]] by hand: a CUDA-only workload goes to Trainium when the porting cost is below
the saving and stays when it is above; a delay scales what a ported unit delivers exactly;
"*" entries and the exact entry that beats them; the pruning note of a porting that opens
nothing; validation, one line each.

Catalog (tests/planner/test_delivered.py): racks tx (trainium, neuron) and gx (nvidia,
cuda), each 100 chips, 100 kW and 1 M USD, an ideal facility (no equipment cost, facility
power = IT power). Energy per rack: 100 kW x 8,760 h x 0.1 USD/kWh = 87,600 USD/yr; PV
factor at 8 % over 5 years = 3.99271; direct TCO per rack 1 + 3.99271 x 0.0876 = 1.349761
M USD. MoE efficiency: fp8 tx 0.3, gx 0.2, so 30 and 20 delivered PFLOPS per rack.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dcplan.planner.formulation import build_model
from dcplan.planner.matrix import build_direct
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.pipeline import PlanOptions, plan_scenario
from dcplan.planner.porting import port_columns
from dcplan.planner.report.workloads import workloads_text
from dcplan.planner.scenario import ScenarioError, parse_scenario
from dcplan.planner.solve import SolveSettings
from tests.bench.highs_direct import same_lp
from tests.planner.conftest import BASE, HANDCAT
from tests.planner.test_delivered import FP4_LAYER, MOE, MOE_JOB, _plan, _units

PV = 3.9927100370780884  # (1 - 1.08**-5) / 0.08
RACK_TCO_MUSD = 1.0 + PV * 0.0876
# 150 delivered PFLOPS of the MoE job, written for CUDA only
CUDA_JOB = {k: v for k, v in MOE_JOB.items() if k != "flops"} | {"delivered": "150 PFLOPS", "software": ["cuda"]}


@pytest.fixture(scope="module")
def fp4_catalog():
    from dcplan.models.catalog import load_catalog

    return load_catalog([HANDCAT, FP4_LAYER], use_env=False)


def _data(objective: str, workloads: list[dict], porting: list[dict], **header: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["scenario"].update({"objective": objective, "precision": "fp4", **header})
    data["hall"][0]["it_power_cap"] = "1 MW"
    data["candidate"] = [{"system": "tx"}, {"system": "gx"}]
    data["workload"] = workloads
    data["porting"] = porting
    return data


def _scen(objective: str, workloads: list[dict], porting: list[dict], **header: Any) -> Any:
    return parse_scenario(_data(objective, workloads, porting, **header))


def test_porting_pays_when_its_cost_is_below_the_saving(fp4_catalog):
    """Without porting: ceil(150 / 20) = 8 gx, TCO 8 x 1.349761 = 10.79809 M USD. Ported to
    neuron: ceil(150 / 30) = 5 tx, TCO 5 x 1.349761 + C = 6.74881 + C: cheaper while
    C < 4.04928 M USD. At C = 2 M USD min-tco ports: 5 tx, capex 5 + 2 = 7 M USD."""
    scen = _scen("min-tco", [CUDA_JOB], [{"workload": "moe", "to": "neuron", "cost": "2 MUSD"}])
    plan = _plan(scen, fp4_catalog)
    assert _units(plan) == {"tx": 5}
    assert plan.costs.capex_porting.m_as("USD") == pytest.approx(2e6)
    assert plan.costs.capex_total.m_as("USD") == pytest.approx(7e6)
    assert plan.costs.tco.m_as("USD") == pytest.approx((5 * RACK_TCO_MUSD + 2) * 1e6)
    assert plan.solver.objective == pytest.approx(5 * RACK_TCO_MUSD + 2, rel=1e-9)
    (result,) = plan.workloads
    assert [(p.stack, p.entry, p.cost_usd, p.delay_days) for p in result.ported] == [("neuron", "moe", 2e6, 0.0)]
    assert {(p.system, p.ported, p.porting_factor) for p in result.placements} == {("tx", "neuron", 1.0)}
    assert result.delivered_pflops == pytest.approx(150.0)  # the floor, met by 5 of the 5 racks
    # one workload: its cost share is the whole TCO, porting included
    # 150 PFLOPS / (6 x 1e10 FLOP per token) = 2.5e6 tokens/s, over the 5-year horizon
    assert result.cost_unit == "USD per million tokens"
    work = 150e15 / 6e10 * 5 * 365.25 * 86400 / 1e6
    assert result.cost_per_unit == pytest.approx(plan.costs.tco.m_as("USD") / work)
    assert "ported to neuron (2 MUSD)" in workloads_text(plan)


def test_porting_does_not_pay_when_its_cost_is_above_the_saving(fp4_catalog):
    """At C = 5 M USD: 6.74881 + 5 = 11.74881 > 10.79809 M USD, so min-tco keeps 8 gx and
    pays no porting."""
    scen = _scen("min-tco", [CUDA_JOB], [{"workload": "moe", "to": "neuron", "cost": "5 MUSD"}])
    plan = _plan(scen, fp4_catalog)
    assert _units(plan) == {"gx": 8}
    assert plan.costs.capex_porting.m_as("USD") == 0.0
    assert plan.costs.tco.m_as("USD") == pytest.approx(8 * RACK_TCO_MUSD * 1e6)
    assert plan.workloads[0].ported == []
    assert "ported to" not in workloads_text(plan)


def test_the_budget_counts_the_porting_cost(fp4_catalog):
    """A capex budget of 6.9 M USD: 5 tx + 2 M USD porting = 7 M USD is over it, and 8 gx
    (8 M USD) too, so there is no plan; at 7.5 M USD the ported plan fits."""
    porting = [{"workload": "moe", "to": "neuron", "cost": "2 MUSD"}]
    options = PlanOptions(settings=SolveSettings(time_limit_s=20), marginals=False, efficiency=MOE, diagnose=False)
    tight = plan_scenario(_scen("min-tco", [CUDA_JOB], porting, budget="6.9e6 USD"), fp4_catalog, options)
    assert tight.solver.status == "infeasible"
    fits = _plan(_scen("min-tco", [CUDA_JOB], porting, budget="7.5e6 USD"), fp4_catalog)
    assert _units(fits) == {"tx": 5}
    assert fits.recheck.ok


def test_a_delay_scales_what_a_ported_unit_delivers_exactly(fp4_catalog):
    """max-delivered fills the 1 MW hall with 10 tx (30 delivered PFLOPS each against gx's
    20). Delay 73.05 days of the 5-year (1,826.25-day) horizon: factor 1 - 73.05 / 1,826.25
    = 0.96, so 10 x 30 x 0.96 = 288 delivered PFLOPS."""
    scen = _scen("max-delivered", [CUDA_JOB], [{"workload": "moe", "to": "neuron", "delay": "73.05 day"}])
    data = build_model_data(scen, fp4_catalog, MOE)
    pair = next(p for p in data.pairs.values() if p.system == "tx")
    assert (pair.ported, pair.porting_factor) == ("neuron", pytest.approx(0.96, rel=1e-12))
    assert pair.delivered_pflops_per_unit == pytest.approx(30.0 * 0.96, rel=1e-12)
    assert pair.rate == pair.delivered_pflops_per_unit
    assert pair.peak_pflops_per_unit == pytest.approx(100.0)  # the hardware's figure, unscaled
    assert port_columns(data) == []  # a delay-only porting needs no binary
    plan = _plan(scen, fp4_catalog)
    assert _units(plan) == {"tx": 10}
    (result,) = plan.workloads
    assert result.delivered_pflops == pytest.approx(288.0)
    assert [(p.stack, p.cost_usd, p.factor) for p in result.ported] == [("neuron", 0.0, pytest.approx(0.96))]


def test_a_delay_is_taken_from_the_deadline_of_a_budget(fp4_catalog):
    """1e24 FLOP in 100 days needs 1e24 / (100 x 86,400 s) / 1e15 = 115.74 delivered PFLOPS.
    Ported without delay: ceil(115.74 / 30) = 4 tx. A 20-day delay of the 100-day deadline
    leaves 0.8: 24 PFLOPS per rack, ceil(115.74 / 24) = 5 tx, still below 6 gx (ceil(115.74
    / 20)) plus their higher TCO."""
    job = CUDA_JOB | {"delivered": None, "flops": "1e24 FLOP", "deadline": "100 day"}
    job = {k: v for k, v in job.items() if v is not None}
    quick = _plan(_scen("min-tco", [job], [{"workload": "moe", "to": "neuron", "cost": "1 USD"}]), fp4_catalog)
    assert _units(quick) == {"tx": 4}
    slow = _plan(_scen("min-tco", [job], [{"workload": "moe", "to": "neuron", "delay": "20 day"}]), fp4_catalog)
    assert _units(slow) == {"tx": 5}
    (result,) = slow.workloads
    assert result.ported[0].factor == pytest.approx(0.8)
    assert "deadline of 100 day" in result.ported[0].window


def test_an_exact_entry_beats_a_star_entry(fp4_catalog):
    """'*' to neuron at 5 M USD would not pay (see above); the job's own entry at 2 M USD does.
    A second CUDA job of 10 PFLOPS takes the '*' entry, which does not pay for it: its one
    gx rack (1.35 M USD) is cheaper than 5 M USD and a sixth tx, so the plan is 5 tx + 1 gx."""
    other = CUDA_JOB | {"id": "other", "delivered": "10 PFLOPS"}
    porting = [
        {"workload": "*", "to": "neuron", "cost": "5 MUSD"},
        {"workload": "moe", "to": "neuron", "cost": "2 MUSD"},
    ]
    data = build_model_data(_scen("min-tco", [CUDA_JOB, other], porting), fp4_catalog, MOE)
    assert [(c.workload, c.stack, c.cost_musd) for c in port_columns(data)] == [
        ("moe", "neuron", 2.0),
        ("other", "neuron", 5.0),
    ]
    plan = _plan(_scen("min-tco", [CUDA_JOB, other], porting), fp4_catalog)
    assert _units(plan) == {"tx": 5, "gx": 1}
    assert [(p.entry, p.cost_usd) for p in plan.workloads[0].ported] == [("moe", 2e6)]
    assert plan.workloads[1].ported == []


def test_a_porting_that_opens_no_supply_is_noted(fp4_catalog):
    scen = _scen("min-tco", [CUDA_JOB], [{"workload": "moe", "to": "rocm", "cost": "1 MUSD"}])
    plan = _plan(scen, fp4_catalog)
    assert _units(plan) == {"gx": 8}
    notes = [p for p in plan.pruned if p.startswith("porting moe to rocm: opens no supply")]
    assert len(notes) == 1, plan.pruned


def test_the_port_binary_and_its_link_are_the_same_both_ways(fp4_catalog):
    """A paid porting, a '*' delay porting and a cloud offer of the ported stack: both builders
    hand HiGHS the same LP; the big-M is the sum of the linked supplies' unit upper bounds."""
    other = CUDA_JOB | {"id": "other", "delivered": "10 PFLOPS"}
    data = _data(
        "max-delivered",
        [CUDA_JOB, other],
        [{"workload": "moe", "to": "neuron", "cost": "2 MUSD"}, {"workload": "*", "to": "neuron", "delay": "10 day"}],
        budget="9e6 USD",
    )
    data["cloud"] = [{"id": "c1", "region": "r", "system": "tx", "quota": 3, "price": "100 USD/h"}]
    model_data = build_model_data(parse_scenario(data), fp4_catalog, MOE)
    (column,) = port_columns(model_data)
    tx_option = next(o for o in model_data.options if o.system == "tx")
    # the owned tx racks and the tx cloud offer serve alike: one supply group, one alloc pair,
    # and the big-M sums the bounds of both members
    assert [e for _, e in column.pairs] == [tx_option.key]
    assert model_data.supply_groups[tx_option.key] == [tx_option.key, "cloud:c1"]
    assert column.bound_units == tx_option.rows_available * tx_option.units_per_row_max + 3
    assert same_lp(build_direct(model_data), build_model(model_data)) == []


def _problem(porting: list[dict], workloads: list[dict] | None = None, **header: Any) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        _scen("min-tco", workloads or [CUDA_JOB], porting, **header)
    return caught.value.lines


@pytest.mark.parametrize(
    ("porting", "expected"),
    [
        ([{"workload": "moe", "to": "neuron"}], "give a cost, a delay or both"),
        ([{"workload": "nope", "to": "neuron", "cost": "1 USD"}], "workload 'nope' names no [[workload]]"),
        ([{"workload": "moe", "to": "cuda", "cost": "1 USD"}], "already runs on cuda (its software): the porting is"),
        ([{"workload": "*", "to": "cuda", "delay": "1 day"}], "every [[workload]] already runs on cuda"),
        (
            [
                {"workload": "moe", "to": "neuron", "cost": "1 USD"},
                {"workload": "moe", "to": "neuron", "delay": "1 day"},
            ],
            "[[porting]] #2 (moe to neuron): given twice (also [[porting]] #1)",
        ),
        ([{"workload": "moe", "to": "neuron", "delay": "5 year"}], "the tco_horizon of 5 year"),
        ([{"workload": "moe", "to": "tpu", "cost": "1 USD"}], "field 'to'"),
        ([{"workload": "Moe!", "to": "neuron", "cost": "1 USD"}], "expected an id of lower-case letters"),
        ([{"workload": "moe", "to": "neuron", "cost": "-1 USD"}], "non-negative amount of money"),
        ([{"workload": "moe", "to": "neuron", "delay": "0 day"}], "field 'delay'"),
        ([{"workload": "moe", "to": "neuron", "cost": "1 kW"}], "field 'cost'"),
    ],
)
def test_bad_portings_are_one_line(porting, expected):
    lines = _problem(porting)
    assert len(lines) == 1 and expected in lines[0], lines


def test_a_delay_not_shorter_than_a_deadline_is_refused_also_through_a_star_entry():
    job = CUDA_JOB | {"delivered": None, "flops": "1e24 FLOP", "deadline": "30 day"}
    job = {k: v for k, v in job.items() if v is not None}
    (line,) = _problem([{"workload": "*", "to": "neuron", "delay": "30 day"}], [job])
    assert "delay 30 day is not shorter than the window of workload 'moe' (its deadline of 30 day)" in line


def test_a_star_entry_is_not_checked_against_a_workload_with_its_own_entry():
    job = CUDA_JOB | {"delivered": None, "flops": "1e24 FLOP", "deadline": "30 day"}
    job = {k: v for k, v in job.items() if v is not None}
    porting = [
        {"workload": "*", "to": "neuron", "delay": "40 day"},
        {"workload": "moe", "to": "neuron", "cost": "1 USD"},
    ]
    (line,) = _problem(porting, [job])  # '*' applies to no workload: moe has its own entry
    assert "every [[workload]] already runs on neuron or has its own porting to it" in line


def test_a_porting_without_workloads_is_refused():
    data = _data("max-compute", [], [{"workload": "*", "to": "neuron", "cost": "1 MUSD"}])
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    (line,) = caught.value.lines
    assert "[[porting]] #1 (* to neuron): the scenario has no [[workload]] to port" in line


def test_too_many_portings_are_refused_in_one_line():
    from dcplan.planner.scenario import MAX_PORTINGS

    porting = [{"workload": "moe", "to": "neuron", "cost": "1 USD"}] * (MAX_PORTINGS + 1)
    (line,) = _problem(porting)
    assert "[[porting]] tables is more than dcplan's bound" in line


def test_a_workload_only_a_porting_could_serve_is_diagnosed_with_the_porting(fp4_catalog):
    """Only tx (neuron) is offered; the CUDA-only job is ported to rocm, which nothing runs, so
    nothing may serve it: the diagnosis names the stacks it needs and the porting that opened
    nothing."""
    data = _data("min-tco", [CUDA_JOB], [{"workload": "moe", "to": "rocm", "cost": "1 MUSD"}])
    data["candidate"] = [{"system": "tx"}]
    options = PlanOptions(settings=SolveSettings(time_limit_s=20), marginals=False, efficiency=MOE)
    plan = plan_scenario(parse_scenario(data), fp4_catalog, options)
    assert not plan.feasible
    diagnosis = plan.diagnosis.model_dump_json()
    assert "workload moe has no eligible capacity: it needs cuda/rocm" in diagnosis
    assert "; porting moe to rocm: opens no supply" in diagnosis


def test_a_chips_shorthand_can_be_ported_and_its_chips_are_scaled_by_the_delay(fp4_catalog):
    """chips = 900 written for CUDA, only tx offered, ported to neuron with a 73.05-day delay
    of the 5-year horizon (factor 0.96): a tx rack counts 100 x 0.96 = 96 chips, so
    ceil(900 / 96) = 10 racks (9 would count 864)."""
    job = {"id": "legacy", "chips": 900, "software": ["cuda"]}
    data = _data("min-tco", [job], [{"workload": "legacy", "to": "neuron", "delay": "73.05 day"}], precision="fp8")
    data["candidate"] = [{"system": "tx"}]
    plan = _plan(parse_scenario(data), fp4_catalog)
    assert _units(plan) == {"tx": 10}
    (placement,) = plan.workloads[0].placements
    assert (placement.ported, placement.porting_factor) == ("neuron", pytest.approx(0.96))


def test_a_porting_dearer_than_any_plan_changes_nothing(fp4_catalog):
    """A porting whose cost is above the whole no-porting TCO is never bought: the min-tco
    plan and its objective are those of the scenario without it."""
    without = _plan(_scen("min-tco", [CUDA_JOB], []), fp4_catalog)
    dear = _plan(_scen("min-tco", [CUDA_JOB], [{"workload": "moe", "to": "neuron", "cost": "1e9 USD"}]), fp4_catalog)
    assert _units(dear) == _units(without) == {"gx": 8}
    assert dear.solver.objective == pytest.approx(without.solver.objective, rel=1e-12)
    assert dear.workloads[0].ported == []


def test_the_ratio_objective_pays_for_a_porting_that_lowers_cost_per_delivered_work(fp4_catalog):
    """min-cost-per-delivered: n tx racks ported (C = 2 M USD) give (1.349761 n + 2) / (30 n T)
    USD per PFLOP-day, falling with n; m gx racks give 1.349761 / (20 T), constant. The hall
    holds ten racks: ten tx, 15.49761 M USD / (300 PFLOPS x 1,826.25 days) = 28.29 USD per
    PFLOP-day, against 36.96 for ten gx; any mix lies between them."""
    scen = _scen("min-cost-per-delivered", [CUDA_JOB], [{"workload": "moe", "to": "neuron", "cost": "2 MUSD"}])
    plan = _plan(scen, fp4_catalog)
    assert _units(plan) == {"tx": 10}
    assert plan.costs.capex_porting.m_as("USD") == pytest.approx(2e6)
    days = 5 * 365.25
    expected = (10 * RACK_TCO_MUSD + 2) * 1e6 / (300 * days)
    assert plan.solver.ratio is not None
    assert plan.solver.ratio.value == pytest.approx(expected, rel=1e-6)
    assert plan.solver.ratio.value == pytest.approx(plan.costs.tco.m_as("USD") / (300 * days), rel=1e-9)


@pytest.mark.parametrize("entry", ["moe", "*"])
def test_a_delay_on_a_budget_without_a_deadline_is_refused(entry):
    """Its time to train on the ported stack would be delay + budget / rate: scaling the rate
    by 1 - delay / horizon would make a 300-day delay cost 300 / 1,826 of the rate instead."""
    job = MOE_JOB | {"software": ["cuda"]}
    assert "deadline" not in job and "flops" in job
    with pytest.raises(ScenarioError) as caught:
        _scen("max-delivered", [job], [{"workload": entry, "to": "neuron", "delay": "300 day"}])
    (line,) = caught.value.lines
    assert "a budget without a deadline, cannot be planned" in line and "give the budget a deadline" in line
    # with a deadline, or with a cost only, the same porting is accepted
    _scen("max-delivered", [job | {"deadline": "400 day"}], [{"workload": entry, "to": "neuron", "delay": "300 day"}])
    _scen("max-delivered", [job], [{"workload": entry, "to": "neuron", "cost": "1 MUSD"}])


def test_the_plan_charges_a_costed_porting_as_the_solver_bought_it(fp4_catalog):
    """A costed porting is paid when its port column is bought (> 0.5), not when an
    allocation within the big-M row's integrality tolerance remains; a delay-only porting
    (no column) is paid when any unit of its stack is given to it."""
    from dcplan.planner.workload_results import paid_porting_usd, paid_portings

    scen = _scen(
        "min-tco",
        [CUDA_JOB, CUDA_JOB | {"id": "other", "delivered": "10 PFLOPS"}],
        [
            {"workload": "moe", "to": "neuron", "cost": "2 MUSD"},
            {"workload": "other", "to": "neuron", "delay": "1 day"},
        ],
    )
    data = build_model_data(scen, fp4_catalog, MOE)
    tx = next(o.key for o in data.options if o.system == "tx")
    noise = {"alloc": {("moe", tx): 1e-3, ("other", tx): 0.0}, "port": {("moe", "neuron"): 1e-7}}
    assert paid_portings(data, noise) == [] and paid_porting_usd(data, noise) == 0.0
    bought = {"alloc": {("moe", tx): 0.0, ("other", tx): 2.0}, "port": {("moe", "neuron"): 1.0}}
    assert [(u.workload, u.stack) for u in paid_portings(data, bought)] == [("moe", "neuron"), ("other", "neuron")]
    assert paid_porting_usd(data, bought) == pytest.approx(2e6)
