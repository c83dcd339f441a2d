"""The delivered model by hand: objectives that choose different mixes, the fit rule's
pruning with its reason, time-to-train of a two-system plan, and properties.

Catalog: tests/data/handcat (an ideal facility: facility power = IT power) with
tests/data/handcat-fp4: racks tx (trainium, neuron) and gx (nvidia, cuda), each 100 chips,
100 kW and 1 M USD; TFLOPS per chip bf16 / fp8 / fp4: tx 500 / 1000 / 1000, gx 500 / 1000 /
3000; HBM tx 100 GB, gx 200 GB; scale-up domain 100 chips. The hall's 1 MW IT cap holds ten
racks of either, in any mix. Efficiency and goodput come from ``HandLookup`` below.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from dcplan.models.catalog import load_catalog
from dcplan.planner.modeldata import build_model_data
from dcplan.planner.pipeline import PlanOptions, plan_scenario
from dcplan.planner.scenario import parse_scenario
from dcplan.planner.solve import SolveSettings
from tests.planner.conftest import BASE, HANDCAT

FP4_LAYER = Path(__file__).resolve().parents[1] / "data" / "handcat-fp4"


@pytest.fixture(scope="module")
def fp4_catalog():
    return load_catalog([HANDCAT, FP4_LAYER], use_env=False)


@dataclass(frozen=True)
class _Figure:
    value: float
    entry: str


@dataclass(frozen=True)
class HandLookup:
    """Efficiency per (system, precision) for every class, one goodput for every job size."""

    table: dict[tuple[str, str], float]
    good: float = 1.0

    def efficiency(self, system: Any, workload_class: str, precision: str, latency: str | None) -> _Figure | None:
        value = self.table.get((system.id, precision))
        return None if value is None else _Figure(value, f"hand-{system.id}-{precision}")

    def goodput(self, system: Any, job_chips: float) -> _Figure:
        return _Figure(self.good, "hand-goodput")


#: MoE efficiency: tx 0.3 at fp8 (0.2 at bf16), gx 0.2 at fp8 (0.25 at bf16), 0.1 at fp4 on both
MOE = HandLookup(
    {
        ("tx", "bf16"): 0.2,
        ("tx", "fp8"): 0.3,
        ("tx", "fp4"): 0.1,
        ("gx", "bf16"): 0.25,
        ("gx", "fp8"): 0.2,
        ("gx", "fp4"): 0.1,
    }
)

MOE_JOB = {"id": "moe", "class": "moe-pretraining", "precisions": ["bf16", "fp8"], "software": ["neuron", "cuda"]}
MOE_JOB |= {"total_params": 1e11, "active_params": 1e10, "flops": "1e24 FLOP"}  # 1e10 active of 1e11


def _scenario(objective: str, workloads: list[dict], candidates: list[dict] | None = None, **header: Any) -> Any:
    data = copy.deepcopy(BASE)
    data["scenario"].update({"objective": objective, "precision": "fp4", **header})
    data["hall"][0]["it_power_cap"] = "1 MW"
    data["candidate"] = candidates or [{"system": "tx"}, {"system": "gx"}]
    data["workload"] = workloads
    return parse_scenario(data)


def _plan(scen: Any, catalog: Any, lookup: HandLookup = MOE) -> Any:
    options = PlanOptions(settings=SolveSettings(time_limit_s=20, rel_gap=1e-9), marginals=False, efficiency=lookup)
    plan = plan_scenario(scen, catalog, options)
    assert plan.solver.status == "optimal" and plan.recheck.ok, (plan.diagnosis.summary, plan.recheck.violations)
    return plan


def _units(plan: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in plan.mix:
        out[line.system] = out.get(line.system, 0) + line.units
    return out


def test_peak_sends_the_fp8_moe_job_to_fp4_racks_and_delivered_does_not(fp4_catalog):
    """Peak at fp4: gx 100 x 3000 / 1000 = 300 PFLOPS per rack against tx's 100, so max-compute
    fills the 1 MW hall with 10 gx (3,000 PFLOPS peak). The MoE job cannot use FP4; at its
    best precision (fp8: tx 100 x 1000 / 1000 x 0.3 = 30 delivered PFLOPS per rack, gx
    100 x 1000 / 1000 x 0.2 = 20; bf16 is less on both: tx 10, gx 12.5), so max-delivered
    takes 10 tx: 300 delivered PFLOPS, where the peak plan's 10 gx would deliver 200."""
    job = {**MOE_JOB, "flops": None, "delivered": "1 PFLOPS"}
    job = {k: v for k, v in job.items() if v is not None}
    peak = _plan(_scenario("max-compute", [job]), fp4_catalog)
    assert _units(peak) == {"gx": 10}
    assert peak.compute_total.m_as("PFLOPS") == pytest.approx(3000.0)
    delivered = _plan(_scenario("max-delivered", [job]), fp4_catalog)
    assert _units(delivered) == {"tx": 10}
    (result,) = delivered.workloads
    assert result.delivered_pflops == pytest.approx(300.0)
    assert result.peak_pflops == pytest.approx(1000.0)  # 10 x 100 x 1000 TFLOPS at fp8
    assert {p.precision for p in result.placements} == {"fp8"}
    assert result.delivered_pflops <= result.peak_pflops
    # 300 delivered PFLOPS / (6 x 1e10 FLOP per token) = 5e6 tokens/s, over 1 MW of facility
    assert result.tokens_per_s == pytest.approx(300e15 / 6e10)
    assert result.per_mw == pytest.approx(5e6) and result.per_mw_unit == "tokens/s per MW"
    # at fp8 (the job's own precision) the peak plan's racks deliver 10 x 20 = 200
    data = build_model_data(_scenario("max-delivered", [job]), fp4_catalog, MOE)
    gx_pair = next(p for (w, e), p in data.pairs.items() if p.system == "gx")
    assert gx_pair.precision == "fp8" and gx_pair.delivered_pflops_per_unit == pytest.approx(20.0)


def test_time_to_train_by_hand_on_two_systems(fp4_catalog):
    """At most 4 tx and 6 gx: min-time-to-train takes all ten, 4 x 30 + 6 x 20 = 240
    delivered PFLOPS; 1e24 FLOP / 240e15 FLOP/s = 4,166,667 s = 48.225 days."""
    candidates = [{"system": "tx", "max_units": 4}, {"system": "gx", "max_units": 6}]
    scen = _scenario("min-time-to-train", [MOE_JOB], candidates, target="moe")
    plan = _plan(scen, fp4_catalog)
    assert _units(plan) == {"tx": 4, "gx": 6}
    (result,) = plan.workloads
    assert result.delivered_pflops == pytest.approx(240.0)
    assert result.time_to_train_days == pytest.approx(1e24 / 240e15 / 86400)
    assert result.time_to_train_days == pytest.approx(48.225, rel=1e-4)
    assert result.demand_form == "budget" and result.demand_pflops is None  # no deadline: no floor


def test_a_deadline_is_a_delivered_floor_that_min_tco_meets_at_least_cost(fp4_catalog):
    """1e24 FLOP in 50 days needs 1e24 / (50 x 86400 s) / 1e15 = 231.48 delivered PFLOPS:
    ceil(231.48 / 30) = 8 tx (8 M USD) is the cheapest mix (gx: 12 racks, more than fit)."""
    job = {**MOE_JOB, "deadline": "50 day"}
    plan = _plan(_scenario("min-tco", [job]), fp4_catalog)
    assert _units(plan) == {"tx": 8}
    (result,) = plan.workloads
    assert result.demand_pflops == pytest.approx(1e24 / (50 * 86400) / 1e15)
    assert result.delivered_pflops == pytest.approx(result.demand_pflops)  # allocation meets the floor
    assert result.time_to_train_days == pytest.approx(50.0)
    assert any(reason.startswith("its demand of") for reason in result.limited_by)


def test_a_model_too_large_for_a_domain_is_pruned_with_its_figures(fp4_catalog):
    """A 1e12-parameter training job holds 16 x 1e12 = 16 TB of state; one stage of tx holds
    1 x 100 x 100 GB x 0.9 = 9 TB, one of gx 1 x 100 x 200 GB x 0.9 = 18 TB: tx is pruned
    for this workload (its reason names the figures) and the job runs on gx alone."""
    job = {**MOE_JOB, "total_params": 1e12, "active_params": 1e11, "max_pipeline_stages": 1}
    scen = _scenario("min-time-to-train", [job], target="moe")
    data = build_model_data(scen, fp4_catalog, MOE)
    assert {p.system for p in data.pairs.values()} == {"gx"}
    reason = "moe cannot run on tx: moe: 16 TB of state > 1 x 100 x 100 GB x 0.9 = 9 TB on tx"
    assert [r for r in data.workload_pruned if r.startswith(reason)], data.workload_pruned
    plan = _plan(scen, fp4_catalog)
    assert _units(plan) == {"gx": 10}
    assert any(line.startswith(reason) for line in plan.pruned)
    assert any(r.startswith(reason) for r in plan.workloads[0].limited_by)


def test_a_workload_nothing_fits_is_diagnosed_with_the_reason(fp4_catalog):
    job = {**MOE_JOB, "total_params": 1e13, "active_params": 1e11, "max_pipeline_stages": 1, "deadline": "90 day"}
    scen = _scenario("min-tco", [job])
    options = PlanOptions(settings=SolveSettings(time_limit_s=20), marginals=False, efficiency=MOE)
    plan = plan_scenario(scen, fp4_catalog, options)
    assert not plan.feasible
    assert "workload moe has no eligible capacity" in plan.diagnosis.summary
    assert "160 TB of state > 1 x 100 x 200 GB x 0.9 = 18 TB on gx" in plan.diagnosis.summary


def test_delivered_share_floor(fp4_catalog):
    """A floor of 50 % of delivered PFLOPS on nvidia: x gx and 10 - x tx with 20 x >= 0.5 x
    (20 x + 30 (10 - x)) gives x >= 6: 6 gx + 4 tx = 240 delivered (the most the floor allows)."""
    job = {k: v for k, v in {**MOE_JOB, "flops": None, "delivered": "1 PFLOPS"}.items() if v is not None}
    scen = _scenario("max-delivered", [job])
    scen = scen.model_copy(update={"share": [_share("nvidia", "delivered", 0.5)]})
    plan = _plan(scen, fp4_catalog)
    assert _units(plan) == {"tx": 4, "gx": 6}
    assert plan.workloads[0].delivered_pflops == pytest.approx(240.0)


def _share(family: str, basis: str, low: float) -> Any:
    from dcplan.planner.scenario import ShareBound

    return ShareBound(family=family, basis=basis, min=low)


def test_chips_share_basis_counts_chips(fp4_catalog):
    """tx and gx have 100 chips each: a 30 % chips floor on nvidia takes 3 gx under max-delivered."""
    job = {k: v for k, v in {**MOE_JOB, "flops": None, "delivered": "1 PFLOPS"}.items() if v is not None}
    scen = _scenario("max-delivered", [job])
    scen = scen.model_copy(update={"share": [_share("nvidia", "chips", 0.3)]})
    assert _units(_plan(scen, fp4_catalog)) == {"tx": 7, "gx": 3}


def _table(tx: float, gx: float) -> HandLookup:
    return HandLookup({("tx", "fp8"): tx, ("gx", "fp8"): gx})


EFFICIENCY = st.floats(min_value=0.05, max_value=0.95, allow_nan=False)


@seed(20261201)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tx=EFFICIENCY, gx=EFFICIENCY, good=st.floats(min_value=0.5, max_value=1.0), k=st.floats(0.2, 1.0))
def test_delivered_never_exceeds_peak_and_scales_with_efficiency(fp4_catalog, tx, gx, good, k):
    """delivered <= peak for every placement; scaling every efficiency by k scales delivered by k
    (the same mix: the objective scales by k, its tie-break weight with it)."""
    job = {k_: v for k_, v in {**MOE_JOB, "flops": None, "delivered": "1 PFLOPS"}.items() if v is not None}
    scen = _scenario("max-delivered", [job])
    base = _plan(scen, fp4_catalog, HandLookup({("tx", "fp8"): tx, ("gx", "fp8"): gx}, good))
    scaled = _plan(scen, fp4_catalog, HandLookup({("tx", "fp8"): tx * k, ("gx", "fp8"): gx * k}, good))
    for plan in (base, scaled):
        for result in plan.workloads:
            assert result.delivered_pflops <= result.peak_pflops * (1 + 1e-12)
            for place in result.placements:
                assert place.delivered_pflops <= place.peak_pflops * (1 + 1e-12)
    if abs(tx - gx) > 1e-6:  # a tie may be broken either way
        assert _units(scaled) == _units(base)
        assert scaled.workloads[0].delivered_pflops == pytest.approx(k * base.workloads[0].delivered_pflops, rel=1e-9)


def _with_haircut(scen: Any, fraction: float, low: float | None = None, high: float | None = None) -> Any:
    from dcplan.planner.scenario import Haircut

    return scen.model_copy(
        update={"haircut": [Haircut(claim="tx-vs-gx-compute", fraction=fraction, low=low, high=high)]}
    )


def test_a_haircut_of_zero_reproduces_the_plan(fp4_catalog):
    job = {k: v for k, v in {**MOE_JOB, "flops": None, "delivered": "1 PFLOPS"}.items() if v is not None}
    scen = _scenario("max-delivered", [job])
    base, cut = _plan(scen, fp4_catalog), _plan(_with_haircut(scen, 0.0, 0.0, 0.5), fp4_catalog)
    assert _units(cut) == _units(base)
    assert cut.workloads[0].delivered_pflops == base.workloads[0].delivered_pflops
    assert cut.solver.objective == base.solver.objective


def test_a_haircut_on_a_claim_cuts_its_subject_and_can_flip_the_mix(fp4_catalog):
    """tx delivers 30 per rack against gx's 20 (MoE, fp8); a 25 % haircut on the claim about tx
    leaves 22.5, still ahead; 40 % leaves 18, and max-delivered takes 10 gx (200)."""
    job = {k: v for k, v in {**MOE_JOB, "flops": None, "delivered": "1 PFLOPS"}.items() if v is not None}
    scen = _scenario("max-delivered", [job])
    quarter = _plan(_with_haircut(scen, 0.25), fp4_catalog)
    assert _units(quarter) == {"tx": 10}
    assert quarter.workloads[0].delivered_pflops == pytest.approx(225.0)
    assert {p.haircut for p in quarter.workloads[0].placements} == {0.25}
    flipped = _plan(_with_haircut(scen, 0.4), fp4_catalog)
    assert _units(flipped) == {"gx": 10}
    assert flipped.workloads[0].delivered_pflops == pytest.approx(200.0)


def test_bad_haircuts_are_one_line(fp4_catalog):
    from dcplan.planner.scenario import ScenarioError
    from dcplan.planner.scenario_refs import check_catalog_references

    data = copy.deepcopy(BASE)
    data["haircut"] = [{"claim": "tx-vs-gx-compute", "fraction": 0.6, "low": 0.0, "high": 0.5}]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data, "x.toml")
    assert info.value.lines == ["x.toml: [[haircut]] #1: fraction 0.6 is outside [low, high] = [0, 0.5]"]
    data["haircut"] = [{"claim": "tx-vs-gx-compute", "fraction": 1.0}]
    with pytest.raises(ScenarioError, match=r"field 'fraction': Input should be less than 1"):
        parse_scenario(data, "x.toml")
    data["haircut"] = [{"claim": "tx-vs-gx-compte", "fraction": 0.1}]
    with pytest.raises(ScenarioError, match=r"unknown claim id 'tx-vs-gx-compte' \(did you mean 'tx-vs-gx-compute'"):
        check_catalog_references(parse_scenario(data, "x.toml"), fp4_catalog)


def test_sweeps_sample_the_efficiency_entries_the_workloads_read(catalog):
    """The demo's classed workloads read Trainium3's FP8 pretraining entry (its range is the
    wide Trainium3 assumption) and GB300's; the sweep inputs sample them, and HBM capacity,
    which the fit rule reads; a peak-only scenario samples neither."""
    from dcplan.planner.scenario import DEMO_SCENARIO, load_scenario
    from dcplan.planner.sweep.inputs import catalog_inputs, used_entries

    demo = load_scenario(DEMO_SCENARIO)
    used = used_entries(demo, catalog)
    assert ("efficiency", "trainium3-dense-pretraining-fp8") in used and ("goodput", "default-goodput") in used
    sampled = {(i.target.kind, i.target.id, i.target.field) for i in catalog_inputs(demo, catalog)}
    assert ("efficiency", "trainium3-dense-pretraining-fp8", "efficiency") in sampled
    assert any(kind == "chip" and field == "hbm_capacity" for kind, _, field in sampled)
    peak_only = parse_scenario(copy.deepcopy(BASE))
    assert not [e for e in used_entries(peak_only, catalog) if e[0] in ("efficiency", "goodput")]


def test_sweeps_sample_a_haircut_range(fp4_catalog):
    """A [[haircut]] with low < high is a sampled input on its fraction (with catalog ranges
    on), and a sample's value lands on that haircut."""
    from dcplan.planner.sweep.runner import SweepConfig, prepare_sweep
    from dcplan.planner.sweep.sample import apply_scenario_values

    job = {k: v for k, v in {**MOE_JOB, "flops": None, "delivered": "1 PFLOPS"}.items() if v is not None}
    scen = _with_haircut(_scenario("max-delivered", [job]), 0.25, 0.0, 0.5)
    design = prepare_sweep(scen, fp4_catalog, SweepConfig(samples=4, workers=0))
    (cut,) = [i for i in design.inputs if i.target.kind == "haircut"]
    assert (cut.target.id, cut.target.field, cut.domain.low, cut.domain.high) == (
        "tx-vs-gx-compute",
        "fraction",
        0.0,
        0.5,
    )
    data = apply_scenario_values(scen.model_dump(mode="json"), [("haircut", "tx-vs-gx-compute", "fraction", 0.4)])
    assert parse_scenario(data).haircut[0].fraction == 0.4
    off = prepare_sweep(
        scen,
        fp4_catalog,
        SweepConfig(samples=4, workers=0, catalog_ranges=False, vary=["scenario.budget=1e6USD:2e6USD"]),
    )
    assert not [i for i in off.inputs if i.target.kind == "haircut"]
