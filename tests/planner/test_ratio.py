"""min-cost-per-delivered (planner/ratio.py): Dinkelbach's loop by hand, its bound, its
status words under a time limit, a cancel and Ctrl-C, and the CLI.

The hand case (tests/data/handcat, an ideal facility: no equipment cost, facility = IT):
alpha (1 MUSD, 100 chips x 1000 TFLOPS fp8) and beta (3 MUSD, 100 chips x 2000 TFLOPS
fp8), both 100 kW; sustained efficiency 0.3 on both (``LOOK``), goodput 1, so delivered
d_A = 30 and d_B = 60 PFLOPS per unit. Energy: 100 kW x 8760 h x 0.1 USD/kWh = 87,600 USD a
year, x 5 years at discount rate 0 = 438,000 USD, so a unit's TCO is c_A = 1.438 and
c_B = 3.438 MUSD. The optional hall costs F = 1 MUSD and holds 10 units (1 MW of IT);
the capex budget of 17 MUSD leaves 16 MUSD of units: nA + 3 nB <= 16. One workload needs
100 delivered PFLOPS (a floor). T = 5 x 365.25 = 1826.25 days.

- min-tco: F + 1.438 nA + 3.438 nB with 30 nA + 60 nB >= 100: 4 alpha (6.752 MUSD) beats
  2 alpha + 1 beta (7.314) and 2 beta (7.876) -> {alpha: 4}.
- max-delivered: max 30 (nA + 2 nB) with nA + nB <= 10 and nA + 3 nB <= 16: (7, 3) gives
  nA + 2 nB = 13 (390 PFLOPS); (5, 4) breaks the budget (17), (8, 2), (6, 3), (4, 4) give 12
  -> {alpha: 7, beta: 3}.
- min-cost-per-delivered: R = (F + 1.438 nA + 3.438 nB) / (30 nA + 60 nB). At fixed nB,
  dR/dnA has the sign of 1.438 (30 nA + 60 nB) - 30 (F + 1.438 nA + 3.438 nB)
  = -30 F - 16.86 nB < 0, so nA is as large as the hall and budget allow: nA = 10 - nB for
  nB <= 3, where R = (15.38 + 2 nB) / (300 + 30 nB) rises with nB (600 - 30 x 15.38 > 0);
  for nB >= 3, nA = 16 - 3 nB and R = (24.008 - 0.876 nB) / (480 - 30 nB) >= 21.38 / 390.
  So {alpha: 10}: 15.38 MUSD / (300 PFLOPS x 1826.25 days) = 28.0721 USD per PFLOP-day.

The loop by hand: the min-TCO start delivers exactly the floor (its allocation stops at
100 PFLOPS): lambda_1 = 6.752e6 / (100 x 1826.25) = 36.972. P(lambda_1) maximises
lambda_1 W - TCO: (10, 0) gives 36.972 x 300 x 1826.25 / 1e6 - 15.38 = 4.876 MUSD, (7, 3)
26.333 - 21.38 = 4.953 -> (7, 3), lambda_2 = 21.38e6 / (390 x 1826.25) = 30.018. P(lambda_2):
(7, 3) scores 0, (10, 0) 16.446 - 15.38 = 1.066 -> (10, 0), lambda_3 = 28.072; P(lambda_3)
finds nothing better (F = 0 >= -tol): converged after the start and three parametric solves.
"""

from __future__ import annotations

import copy
import json
import signal
import threading
from dataclasses import replace

import numpy as np
import pytest

from dcplan.models.catalog import load_catalog
from dcplan.planner import ratio as ratio_module
from dcplan.planner.cli import main
from dcplan.planner.matrix import build_direct
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.pipeline import PlanOptions, plan_scenario
from dcplan.planner.plan import SCHEMA_VERSION
from dcplan.planner.scenario import SCENARIO_DIR, ScenarioError, parse_scenario
from dcplan.planner.session import InProcessSession
from dcplan.planner.solve import SolveSettings
from tests.planner.conftest import BASE, HANDCAT
from tests.planner.test_delivered import HandLookup

LOOK = HandLookup({("alpha", "fp8"): 0.3, ("beta", "fp8"): 0.3})
DAYS = 5 * 365.25
C_A, C_B, F = 1.438e6, 3.438e6, 1e6  # USD: unit TCO of alpha and beta, the hall's build cost
JOB = {"id": "job", "class": "dense-pretraining", "precisions": ["fp8"], "total_params": 1e10}
JOB |= {"delivered": "100 PFLOPS", "software": ["neuron", "cuda"]}


@pytest.fixture(scope="module")
def hand_catalog():
    return load_catalog([HANDCAT], use_env=False)


def _scenario(objective: str, workloads: list[dict] | None = None) -> object:
    data = copy.deepcopy(BASE)
    data["scenario"].update({"objective": objective, "discount_rate": 0.0, "budget": "17000000 USD"})
    data["hall"][0].update({"it_power_cap": "1 MW", "build": "optional", "build_cost": "1000000 USD"})
    data["workload"] = [JOB] if workloads is None else workloads
    return parse_scenario(data)


def _options(**changes: object) -> PlanOptions:
    settings = SolveSettings(time_limit_s=20, rel_gap=1e-6, process="in-process")
    return PlanOptions(settings=settings, marginals=True, efficiency=LOOK, **changes)  # type: ignore[arg-type]


def _units(plan) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in plan.mix:
        out[line.system] = out.get(line.system, 0) + line.units
    return out


def test_three_objectives_choose_three_mixes(hand_catalog):
    plans = {o: plan_scenario(_scenario(o), hand_catalog, _options()) for o in ("min-tco", "max-delivered")}
    ratio_plan = plan_scenario(_scenario("min-cost-per-delivered"), hand_catalog, _options())
    assert _units(plans["min-tco"]) == {"alpha": 4}
    assert plans["min-tco"].costs.tco.m_as("USD") == pytest.approx(F + 4 * C_A)
    assert _units(plans["max-delivered"]) == {"alpha": 7, "beta": 3}
    assert _units(ratio_plan) == {"alpha": 10}
    assert ratio_plan.solver.status == "optimal" and ratio_plan.recheck.ok
    assert ratio_plan.objective == "min-cost-per-delivered"
    ratio = ratio_plan.solver.ratio
    assert ratio.unit == "USD per PFLOP-day" and ratio.horizon_days == DAYS
    assert ratio.value == pytest.approx((F + 10 * C_A) / (300 * DAYS), rel=1e-9)
    # no other plan of the three has a lower ratio
    for plan in plans.values():
        other = plan.costs.tco.m_as("USD") / (sum(w.delivered_pflops for w in plan.workloads) * DAYS)
        assert other > ratio.value


def test_the_loop_converges_as_derived_by_hand(hand_catalog):
    plan = plan_scenario(_scenario("min-cost-per-delivered"), hand_catalog, _options())
    ratio = plan.solver.ratio
    lambdas = [it.lambda_usd_per_pflop_day for it in ratio.iterations]
    expected = [0.0, (F + 4 * C_A) / (100 * DAYS), (F + 7 * C_A + 3 * C_B) / (390 * DAYS), ratio.value]
    assert lambdas == pytest.approx(expected, rel=1e-9)
    assert [it.delivered_pflops for it in ratio.iterations] == pytest.approx([100, 390, 300, 300])
    assert ratio.stop == "converged" and len(ratio.iterations) == 1 + 3
    # each lambda is the ratio of the plan the solve before it returned
    for before, after in zip(ratio.iterations, ratio.iterations[1:], strict=False):
        assert after.lambda_usd_per_pflop_day == pytest.approx(before.ratio_usd_per_pflop_day, rel=1e-12)
    # the parametric value TCO - lambda x work is <= 0 on every step (the last plan scores 0)
    assert all(it.parametric_usd <= 1e-6 for it in ratio.iterations[1:])
    assert ratio.iterations[-1].parametric_usd == pytest.approx(0.0, abs=1e-3)
    assert ratio.bound is not None and ratio.bound <= ratio.model_value * (1 + 1e-12)
    assert ratio.gap is not None and ratio.gap <= 1e-6
    assert plan.solver.objective == pytest.approx(ratio.model_value) and plan.solver.bound == ratio.bound


def test_the_ratio_is_the_plans_own_tco_over_its_delivered_work(hand_catalog):
    """Recomputed from the plan's figures alone: costs.tco, each workload's delivered PFLOPS
    and tokens/s (6 x 1e10 FLOP per token), the horizon in the plan's costs."""
    plan = plan_scenario(_scenario("min-cost-per-delivered"), hand_catalog, _options())
    tco = plan.costs.tco.m_as("USD")
    days = plan.costs.tco_horizon_years * 365.25
    delivered = sum(w.delivered_pflops for w in plan.workloads)
    assert plan.solver.ratio.value == pytest.approx(tco / (delivered * days), rel=1e-12)
    tokens = sum(w.tokens_per_s for w in plan.workloads) * days * 86400
    assert tokens == pytest.approx(300e15 / 6e10 * days * 86400)
    assert plan.solver.ratio.usd_per_million_tokens == pytest.approx(tco / (tokens / 1e6), rel=1e-12)
    assert "28.07 USD per PFLOP-day" in plan.diagnosis.summary
    binding = [u for u in plan.limits if u.binding]
    assert binding and all(u.marginal_text.startswith("not valued: ratio objective") for u in binding)


def test_no_tokens_per_million_without_a_model_size(hand_catalog):
    job = {k: v for k, v in JOB.items() if k != "total_params"}
    plan = plan_scenario(_scenario("min-cost-per-delivered", [job]), hand_catalog, _options())
    assert plan.solver.ratio.usd_per_million_tokens is None
    assert "million tokens" not in plan.diagnosis.summary


def test_a_step_costs_what_build_direct_gives_at_that_lambda(hand_catalog):
    """The loop changes the costs of the loaded LP; they are the floats a rebuild gives."""
    data = build_model_data(_scenario("min-cost-per-delivered"), hand_catalog, LOOK)
    model = build_direct(data)
    loop = ratio_module._Loop(data, model, SolveSettings(), None, 0.0, 0.0)
    for lam in (0.0, 28.07, 1234.5):
        rebuilt = build_direct(replace(data, ratio_lambda_usd_per_pflop_day=lam))
        assert rebuilt.columns == model.columns
        assert np.array_equal(loop.costs(lam), np.asarray(rebuilt.lp.col_cost_))


def test_least_work_is_the_demand_floor(hand_catalog):
    data = build_model_data(_scenario("min-cost-per-delivered"), hand_catalog, LOOK)
    assert ratio_module.least_delivered_pflops(data) == pytest.approx(100.0)
    chips = {**{k: v for k, v in JOB.items() if k != "delivered"}, "chips": 250}
    data = build_model_data(_scenario("min-cost-per-delivered", [chips]), hand_catalog, LOOK)
    # 250 chips at the least delivered PFLOPS per chip: 30 / 100 on alpha, 60 / 100 on beta
    assert ratio_module.least_delivered_pflops(data) == pytest.approx(250 * 0.3)


class _Scripted(InProcessSession):
    """An in-process session that does something to run number ``at`` (0: the start)."""

    def __init__(self, at: int, action) -> None:
        super().__init__()
        self.at, self.action, self.runs = at, action, 0

    def run(self, time_limit_s: float):
        n, self.runs = self.runs, self.runs + 1
        if n == self.at:
            time_limit_s = self.action(self, time_limit_s)
        return super().run(time_limit_s)


def _scripted(monkeypatch, at: int, action) -> list[_Scripted]:
    made: list[_Scripted] = []

    def open_session(settings):
        made.append(_Scripted(at, action))
        return made[-1]

    monkeypatch.setattr(ratio_module, "open_session", open_session)
    monkeypatch.setattr(ratio_module, "close_session", lambda session, settings: session.close())
    return made


def test_time_limit_mid_loop_keeps_the_best_plan_without_claiming_optimal(monkeypatch, hand_catalog):
    """The limit runs out in the first parametric solve (it gets 0 s): the plan is the
    start's, the ratio is not proven and the status says so."""
    _scripted(monkeypatch, 1, lambda session, limit: 0.0)
    plan = plan_scenario(_scenario("min-cost-per-delivered"), hand_catalog, _options())
    assert plan.solver.status == "feasible-with-gap" and plan.feasible and plan.recheck.ok
    assert _units(plan) == {"alpha": 4}  # the min-TCO start
    ratio = plan.solver.ratio
    assert ratio.value == pytest.approx((F + 4 * C_A) / (100 * DAYS))
    assert ratio.iterations[-1].status == "time-limit" and ratio.stop.startswith("time limit")
    # HiGHS had no time for a dual bound: nothing is proven about the least ratio
    assert ratio.bound is None and ratio.gap is None and plan.solver.gap is None
    assert "ratio gap not proven" in plan.diagnosis.summary


def test_no_plan_when_the_start_finds_none(monkeypatch, hand_catalog):
    _scripted(monkeypatch, 0, lambda session, limit: 0.0)
    plan = plan_scenario(_scenario("min-cost-per-delivered"), hand_catalog, _options())
    assert not plan.feasible and plan.solver.status == "no-plan-within-limit" and plan.solver.ratio is None
    assert "the min-TCO start found no plan" in plan.solver.termination


def test_cancel_mid_loop_returns_the_best_plan_so_far(monkeypatch, hand_catalog):
    cancel = threading.Event()

    def press_stop(session, limit):
        cancel.set()  # the TUI's stop while the second parametric solve runs
        return limit

    _scripted(monkeypatch, 2, press_stop)
    plan = plan_scenario(_scenario("min-cost-per-delivered"), hand_catalog, _options(cancel=cancel))
    assert plan.solver.status == "cancelled" and plan.feasible and plan.recheck.ok
    ratio = plan.solver.ratio
    assert ratio.stop == "cancelled" and len(ratio.iterations) == 3
    # the best plan so far: P(lambda_1)'s, or what the interrupted run found, never worse
    assert ratio.value <= (F + 7 * C_A + 3 * C_B) / (390 * DAYS) * (1 + 1e-9)
    # P(lambda_1) proved a bound, but the loop did not reach its stopping test
    assert ratio.bound is not None and ratio.bound <= ratio.model_value
    assert all(u.marginal_text.startswith("not valued") for u in plan.limits if u.binding)


def test_ctrl_c_mid_loop_raises_keyboard_interrupt(monkeypatch, hand_catalog):
    def ctrl_c(session, limit):
        signal.raise_signal(signal.SIGINT)  # handled by planner.solve.sigint_stops_highs
        return limit

    made = _scripted(monkeypatch, 1, ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        plan_scenario(_scenario("min-cost-per-delivered"), hand_catalog, _options())
    assert made[0].runs == 2  # no solve after the interrupted one
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_infeasible_is_diagnosed_as_for_every_objective(hand_catalog):
    job = {**JOB, "delivered": "1000 PFLOPS"}  # the 1 MW hall holds at most 600
    plan = plan_scenario(_scenario("min-cost-per-delivered", [job]), hand_catalog, _options())
    assert plan.solver.status == "infeasible" and not plan.feasible
    assert plan.solver.ratio is None and plan.diagnosis.relaxations


RATIO_BAD = {
    "a shorthand workload": ([{"id": "old", "demand": "5 PFLOPS", "software": ["cuda"]}], "is a peak/chips shorthand"),
    "an open budget": ([{**JOB, "delivered": None, "tokens": 1e12}], "needs a deadline on every budget"),
    "no workload": ([], "needs at least one [[workload]]"),
}


@pytest.mark.parametrize("name", sorted(RATIO_BAD))
def test_bad_ratio_scenarios_are_one_line(name):
    workloads, expected = RATIO_BAD[name]
    workloads = [{k: v for k, v in w.items() if v is not None} for w in workloads]
    with pytest.raises(ScenarioError) as caught:
        _scenario("min-cost-per-delivered", workloads)
    text = str(caught.value)
    assert "\n" not in text.strip() and expected in text, text


def test_cli_json_on_a_shipped_scenario_is_one_object_with_the_ratio(capsys):
    scenario = str(SCENARIO_DIR / "enterprise-hybrid.toml")
    code = main(["solve", scenario, "--objective", "min-cost-per-delivered", "--json", "--no-marginals"])
    out, err = capsys.readouterr()
    assert code == 0, err
    plan = json.loads(out)  # one object: json.loads refuses trailing text
    ratio = plan["solver"]["ratio"]
    assert plan["objective"] == "min-cost-per-delivered" and ratio["unit"] == "USD per PFLOP-day"
    delivered = sum(w["delivered_pflops"] for w in plan["workloads"])
    tco = plan["costs"]["tco"]["value"]
    assert ratio["value"] == pytest.approx(tco / (delivered * plan["costs"]["tco_horizon_years"] * 365.25))
    assert ratio["iterations"][0]["lambda_usd_per_pflop_day"] == 0.0 and len(ratio["iterations"]) >= 2
    code = main(["solve", scenario, "--objective", "min-cost-per-delivered", "--no-marginals"])
    out, _ = capsys.readouterr()
    assert "cost per delivered work: " in out and "USD per PFLOP-day" in out and "Dinkelbach:" in out


def test_a_sweep_refuses_the_ratio_objective_in_one_line(hand_catalog):
    """Sweep statistics rank peak compute or TCO; a ratio sweep would rank the wrong figure."""
    from dcplan.planner.sweep.errors import SweepInputError
    from dcplan.planner.sweep.runner import SweepConfig, prepare_sweep

    with pytest.raises(SweepInputError, match="cannot rank plans by USD per PFLOP-day"):
        prepare_sweep(_scenario("min-cost-per-delivered"), hand_catalog, SweepConfig(vary=["budget=1e7:2e7"]))


def test_reports_show_the_ratio_in_the_one_style(capsys, tmp_path):
    from tests.planner.test_export import _markdown_texts, _style_problems, _VisibleText

    scenario = str(SCENARIO_DIR / "enterprise-hybrid.toml")
    plan_json = tmp_path / "p.json"
    args = ["solve", scenario, "--objective", "min-cost-per-delivered", "--no-marginals", "-o", str(plan_json)]
    assert main(args) == 0
    for suffix in ("md", "html", "csv", "xlsx"):
        assert main(["export", str(plan_json), "-o", str(tmp_path / f"r.{suffix}")]) == 0, capsys.readouterr().err
    capsys.readouterr()
    html = _VisibleText()
    html.feed((tmp_path / "r.html").read_text(encoding="utf-8"))
    md = _markdown_texts((tmp_path / "r.md").read_text(encoding="utf-8"))
    for texts in (html.texts, md):
        joined = " ".join(texts)
        assert "cost per delivered work" in joined and "USD per PFLOP-day" in joined
        assert _style_problems(texts, SCHEMA_VERSION) == []


def test_the_iteration_cap_leaves_a_proven_but_wide_bound(monkeypatch, hand_catalog):
    """One parametric solve: the plan is P(lambda_1)'s (7 alpha + 3 beta, 30.018 USD per
    PFLOP-day); HiGHS proved min F = F(7, 3) = 21.38 - lambda_1 x 390 x T / 1e6 = -4.9528 MUSD,
    so R* >= lambda_1 + b / W_min with W_min = 100 x T (the floor): 9.85, below the true 28.07."""
    monkeypatch.setattr(ratio_module, "MAX_ITERATIONS", 1)
    plan = plan_scenario(_scenario("min-cost-per-delivered"), hand_catalog, _options())
    ratio = plan.solver.ratio
    assert plan.solver.status == "feasible-with-gap" and ratio.stop.startswith("iteration cap")
    assert _units(plan) == {"alpha": 7, "beta": 3}
    lam = (F + 4 * C_A) / (100 * DAYS)
    b = F + 7 * C_A + 3 * C_B - lam * 390 * DAYS
    assert ratio.iterations[-1].bound_usd == pytest.approx(b, rel=1e-9)
    assert ratio.bound == pytest.approx(lam + b / (100 * DAYS), rel=1e-9)
    assert ratio.bound <= (F + 10 * C_A) / (300 * DAYS)  # never above the hand-derived optimum
    assert ratio.gap == pytest.approx(1 - ratio.bound / ratio.model_value)
