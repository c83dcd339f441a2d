"""Workload physics: FLOPs per token, state bytes per replica, the fit rule, delivered demand.

Plain floats in stated units (parameters, bytes, FLOP, seconds, PFLOPS); no planner
decisions here. The planner (planner/delivered.py) asks these for every (workload, system)
pair.

Rules and their sources (assumptions where stated):

- FLOPs per token (Kaplan et al. 2020, "Scaling Laws for Neural Language Models", C ~ 6 N
  per training token, 2 N per inference token):

  * ``dense-pretraining``, ``moe-pretraining``: ``6 x N_active`` (forward 2 N + backward 4 N);
  * ``post-training`` (SFT, RLHF/RL policy updates): ``6 x N_active`` per *trained* token,
    the same rule as pretraining. Rollout generation of RL is not counted as separate work:
    its cost shows in the lower sustained efficiency of the post-training entries (an
    assumption, stated so a planner can read tokens/s for post-training accordingly);
  * ``inference``: ``2 x N_active`` (forward only; attention over the KV cache is not counted).

- State bytes of one replica (default, when the scenario does not give ``state_bytes``):

  * training classes: ``16 B x N_total`` (mixed-precision Adam: BF16 weights 2 B and
    gradients 2 B, FP32 master weights 4 B and two moments 8 B; Rajbhandari et al. 2020,
    ZeRO). Activations are not counted: activation checkpointing and micro-batch choice
    make them a tuning matter, not a fit rule;
  * ``inference``: ``b(precision) x N_total x (1 + KV allowance)`` with b = 2 / 1 / 0.5 B per
    parameter at bf16 / fp8 / fp4 and a KV-cache and runtime allowance of 30 % of the
    weights (``INFERENCE_KV_ALLOWANCE``, an assumption).

- Fit rule: ``state_bytes <= stages x scale_up_domain x hbm_capacity x usable`` with
  ``usable = USABLE_HBM_FRACTION = 0.9`` (an assumption: runtime, fragmentation and
  communication buffers take ~10 % of HBM). A replica is sharded (tensor/expert parallel)
  inside one scale-up domain and pipelined over at most ``stages`` domains.

- Demand as delivered PFLOPS: a budget with a deadline ``B / T``; a token rate ``r x F_token``;
  a budget without a deadline has no floor (it is what ``min-time-to-train`` minimises).
"""

from __future__ import annotations

from typing import Annotated

import pint

from dcplan.models.units import QuantitySpec

WORKLOAD_CLASSES: tuple[str, ...] = ("dense-pretraining", "moe-pretraining", "post-training", "inference")
TRAINING_CLASSES: tuple[str, ...] = ("dense-pretraining", "moe-pretraining", "post-training")
LATENCY_CLASSES: tuple[str, ...] = ("interactive", "batch")
PRECISIONS: tuple[str, ...] = ("bf16", "fp8", "fp4")

#: bytes per parameter of optimizer state in mixed-precision Adam training (ZeRO paper)
TRAINING_BYTES_PER_PARAM = 16.0
#: bytes per weight at an inference precision
INFERENCE_BYTES_PER_PARAM = {"bf16": 2.0, "fp8": 1.0, "fp4": 0.5}
#: KV cache and runtime buffers as a share of the weights (assumption)
INFERENCE_KV_ALLOWANCE = 0.3
#: share of HBM a replica's state may fill (assumption: runtime, fragmentation, buffers)
USABLE_HBM_FRACTION = 0.9
#: scale-up domains one replica may span when the scenario does not say
DEFAULT_STAGES = {"training": 16, "inference": 1}
#: one job's size in chips for goodput when the scenario does not say: training at the
#: scale of the Llama 3 405B run (16,384 H100), inference at one serving group
DEFAULT_JOB_CHIPS = {"training": 16384, "inference": 64}

FLOP_PER_PFLOP = 1e15
SECONDS_PER_DAY = 86400.0

#: a total amount of computation, e.g. a pretraining run's FLOP budget (3.8e25 FLOP for
#: Llama 3 405B); bounded at 1e35 FLOP (10 billion times that run)
FlopAmount = Annotated[
    pint.Quantity,
    QuantitySpec(kind="an amount of computation", canonical="FLOP", example="3.8e25 FLOP", positive=True, high=1e35),
]


def is_training(workload_class: str) -> bool:
    """Whether a class trains (forward + backward) rather than serves."""
    return workload_class in TRAINING_CLASSES


def flops_per_token(workload_class: str, active_params: float) -> float:
    """Model FLOPs per token [FLOP]: ``6 x N_active`` for training classes, ``2 x N_active``
    for inference (see the module docstring)."""
    return (6.0 if is_training(workload_class) else 2.0) * active_params


def state_bytes(workload_class: str, total_params: float, precision: str) -> float:
    """Default state of one replica [B]: training ``16 x N_total``; inference
    ``b(precision) x N_total x (1 + 0.3)``."""
    if is_training(workload_class):
        return TRAINING_BYTES_PER_PARAM * total_params
    return INFERENCE_BYTES_PER_PARAM[precision] * total_params * (1.0 + INFERENCE_KV_ALLOWANCE)


def replica_capacity_bytes(stages: int, domain_chips: int, hbm_bytes_per_chip: float) -> float:
    """The most state one replica can hold [B]: ``stages x domain x HBM x 0.9``."""
    return stages * domain_chips * hbm_bytes_per_chip * USABLE_HBM_FRACTION


def bytes_text(value: float) -> str:
    """'6.5 TB', '80 GB' (decimal units, as vendors state HBM)."""
    for unit, size in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if value >= size:
            return f"{value / size:,.3g} {unit}"
    return f"{value:,.0f} B"


def fit_problem(
    workload_id: str, state: float, stages: int, domain_chips: int, hbm_bytes_per_chip: float, system_id: str
) -> str | None:
    """None when one replica's ``state`` [B] fits, else the reason naming the figures, e.g.
    ``llama-405b: 6.48 TB of state > 16 x 8 x 80 GB x 0.9 = 9.22 TB on dgx-h100``."""
    capacity = replica_capacity_bytes(stages, domain_chips, hbm_bytes_per_chip)
    if state <= capacity * (1 + 1e-12):
        return None
    return (
        f"{workload_id}: {bytes_text(state)} of state > {stages} x {domain_chips} x "
        f"{bytes_text(hbm_bytes_per_chip)} x {USABLE_HBM_FRACTION:g} = {bytes_text(capacity)} on {system_id}"
    )


def budget_rate_pflops(budget_flop: float, deadline_s: float) -> float:
    """Delivered PFLOPS a FLOP budget needs to finish within the deadline: ``B / T / 1e15``."""
    return budget_flop / deadline_s / FLOP_PER_PFLOP


def token_rate_pflops(tokens_per_s: float, flop_per_token: float) -> float:
    """Delivered PFLOPS a sustained token rate needs: ``r x F_token / 1e15``."""
    return tokens_per_s * flop_per_token / FLOP_PER_PFLOP


def delivered_pflops_per_unit(
    chips_per_unit: int, peak_tflops_per_chip: float, efficiency: float, goodput: float, haircut: float = 0.0
) -> float:
    """Delivered PFLOPS of one deployment unit:
    ``chips x TFLOPS_peak / 1000 x efficiency x goodput x (1 - haircut)``."""
    return chips_per_unit * peak_tflops_per_chip / 1000.0 * efficiency * goodput * (1.0 - haircut)


def time_to_train_days(budget_flop: float, delivered_pflops: float) -> float | None:
    """Days to spend a FLOP budget at a delivered rate: ``B / (D x 1e15) / 86400``; None at 0."""
    if delivered_pflops <= 0:
        return None
    return budget_flop / (delivered_pflops * FLOP_PER_PFLOP) / SECONDS_PER_DAY
