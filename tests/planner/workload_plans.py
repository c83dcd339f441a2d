"""Plans with per-workload results written by hand (``CapacityPlan.workloads``), for the renderers' tests.

The golden enterprise plan gets three workloads: a pretraining token budget with a time to
train, an inference rate in tokens/s, and a peak-PFLOPS shorthand whose delivered figures
are null. Every figure follows the rules of DESIGN13 from the inputs written here
(delivered = peak x efficiency x goodput x (1 - haircut); tokens/s = delivered FLOP/s /
FLOPs per token), so a test can recompute what a renderer must show.
"""

from __future__ import annotations

from pathlib import Path

from dcplan.planner.plan import CapacityPlan, WorkloadPlacement, WorkloadResult, load_plan

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
TFLOPS = {("gb300-nvl72", "fp8"): 5000.0, ("gb300-nvl72", "fp4"): 15000.0, ("trn3-ultraserver-gen2", "fp8"): 2517.0}
CHIPS_PER_UNIT = {"gb300-nvl72": 72, "trn3-ultraserver-gen2": 144}


def placement(
    supply: str,
    system: str,
    place: str,
    units: float,
    precision: str,
    efficiency: float,
    goodput: float,
    haircut: float = 0.0,
) -> WorkloadPlacement:
    chips = units * CHIPS_PER_UNIT[system]
    peak = chips * TFLOPS[(system, precision)] / 1000
    return WorkloadPlacement(
        supply=supply,
        system=system,
        place=place,
        units=units,
        chips=chips,
        precision=precision,
        peak_pflops=peak,
        efficiency=efficiency,
        goodput=goodput,
        haircut=haircut,
        delivered_pflops=peak * efficiency * goodput * (1 - haircut),
    )


def result(workload: str, workload_class: str, demand_form: str, placements: list[WorkloadPlacement], **figures):
    return WorkloadResult(
        workload=workload,
        workload_class=workload_class,
        demand_form=demand_form,
        delivered_pflops=sum(p.delivered_pflops for p in placements),
        peak_pflops=sum(p.peak_pflops for p in placements),
        chips=sum(p.chips for p in placements),
        placements=placements,
        **figures,
    )


PRETRAIN_TOKENS = 15e12
PRETRAIN_FLOP_PER_TOKEN = 6 * 70e9  # dense training: 6 x active parameters
SERVE_FLOP_PER_TOKEN = 2 * 37e9  # inference: 2 x active parameters


def hand_workloads() -> list[WorkloadResult]:
    pretrain_on = [
        placement("phx-dlc/gb300-nvl72/dlc-cdu", "gb300-nvl72", "phoenix-az", 100, "fp8", 0.30, 0.92),
        placement("cloud:euw1-trn3", "trn3-ultraserver-gen2", "cloud:euw1-trn3", 9, "fp8", 0.25, 0.95, 0.25),
    ]
    pretrain_pflops = sum(p.delivered_pflops for p in pretrain_on)
    pretrain_rate = pretrain_pflops * 1e15 / PRETRAIN_FLOP_PER_TOKEN
    serve_on = [placement("pdx-dlc/gb300-nvl72/dlc-cdu", "gb300-nvl72", "portland-or", 20, "fp4", 0.12, 1.0)]
    serve_rate = sum(p.delivered_pflops for p in serve_on) * 1e15 / SERVE_FLOP_PER_TOKEN
    peak_on = [placement("pdx-dlc/gb300-nvl72/dlc-cdu", "gb300-nvl72", "portland-or", 10, "fp8", 1.0, 1.0)]
    return [
        result(
            "llama-70b",
            "dense-pretraining",
            "budget",
            pretrain_on,
            demand_pflops=9000.0,
            tokens_per_s=pretrain_rate,
            time_to_train_days=PRETRAIN_TOKENS / pretrain_rate / 86400,
            cost_per_unit=0.8512,
            cost_unit="USD per million tokens",
            per_mw=pretrain_rate / 152.5,
            per_mw_unit="tokens/s per MW",
            limited_by=["hall phx-a IT power cap", "cloud quota euw1-trn3 (20 units)"],
        ),
        result(
            "chat-serving",
            "inference",
            "rate",
            serve_on,
            demand_pflops=2500.0,
            tokens_per_s=serve_rate,
            cost_per_unit=0.1234,
            cost_unit="USD per million tokens",
            per_mw=serve_rate / 3.05,
            per_mw_unit="tokens/s per MW",
        ),
        result("legacy-peak", "peak", "peak", peak_on),
    ]


def golden_plan(name: str = "enterprise-hybrid") -> CapacityPlan:
    return load_plan(GOLDEN / f"{name}.plan.json")


def hand_plan(name: str = "enterprise-hybrid", workloads: list[WorkloadResult] | None = None) -> CapacityPlan:
    """A golden plan with the hand-written workloads (or ``workloads``, e.g. [] for an old plan)."""
    return golden_plan(name).model_copy(update={"workloads": hand_workloads() if workloads is None else workloads})
