"""models/workload.py by hand arithmetic."""

from __future__ import annotations

import pytest

from dcplan.models import workload as wl


def test_flops_per_token():
    # Llama 3 405B: 6 x 405e9 = 2.43e12 FLOP per training token; 2 x 405e9 per served token
    assert wl.flops_per_token("dense-pretraining", 405e9) == pytest.approx(2.43e12)
    assert wl.flops_per_token("post-training", 405e9) == pytest.approx(2.43e12)
    assert wl.flops_per_token("inference", 405e9) == pytest.approx(8.1e11)
    # MoE counts active parameters only (DeepSeek-V3: 37B active of 671B)
    assert wl.flops_per_token("moe-pretraining", 37e9) == pytest.approx(2.22e11)


def test_state_bytes():
    assert wl.state_bytes("dense-pretraining", 405e9, "bf16") == pytest.approx(6.48e12)  # 16 B x 405e9
    # inference at fp8: 1 B x 405e9 x 1.3 = 526.5 GB; at fp4 half that
    assert wl.state_bytes("inference", 405e9, "fp8") == pytest.approx(526.5e9)
    assert wl.state_bytes("inference", 405e9, "fp4") == pytest.approx(263.25e9)
    assert wl.state_bytes("inference", 405e9, "bf16") == pytest.approx(1053e9)


def test_fit_rule_names_the_figures():
    # 16 stages x 8 chips x 80 GB x 0.9 = 9.216 TB >= 6.48 TB: fits
    assert wl.fit_problem("llama", 6.48e12, 16, 8, 80e9, "dgx-h100") is None
    # one stage of 8 x 80 GB x 0.9 = 576 GB < 6.48 TB
    reason = wl.fit_problem("llama", 6.48e12, 1, 8, 80e9, "dgx-h100")
    assert reason == "llama: 6.48 TB of state > 1 x 8 x 80 GB x 0.9 = 576 GB on dgx-h100"
    # exactly full fits (the boundary is inclusive)
    assert wl.fit_problem("x", 576e9, 1, 8, 80e9, "s") is None
    assert wl.replica_capacity_bytes(2, 72, 288e9) == pytest.approx(2 * 72 * 288e9 * 0.9)


def test_demand_rates():
    # 3.8e25 FLOP in 90 days: 3.8e25 / (90 x 86400 s) / 1e15 = 4886.8 PFLOPS
    assert wl.budget_rate_pflops(3.8e25, 90 * 86400) == pytest.approx(4886.83, rel=1e-5)
    # 2e6 tokens/s of a 70B model served: 2e6 x 1.4e11 / 1e15 = 280 PFLOPS
    assert wl.token_rate_pflops(2e6, wl.flops_per_token("inference", 70e9)) == pytest.approx(280.0)


def test_delivered_per_unit_and_time_to_train():
    # 72 chips x 5000 TFLOPS / 1000 = 360 PFLOPS peak; x 0.4 x 0.9 x (1 - 0.25) = 97.2
    assert wl.delivered_pflops_per_unit(72, 5000.0, 0.4, 0.9, 0.25) == pytest.approx(97.2)
    assert wl.delivered_pflops_per_unit(72, 5000.0, 0.4, 0.9) == pytest.approx(129.6)
    # 1e24 FLOP at 1000 PFLOPS: 1e24 / 1e18 s = 1e6 s = 11.574 days
    assert wl.time_to_train_days(1e24, 1000.0) == pytest.approx(1e6 / 86400)
    assert wl.time_to_train_days(1e24, 0.0) is None


def test_bytes_text():
    assert wl.bytes_text(80e9) == "80 GB"
    assert wl.bytes_text(9.216e12) == "9.22 TB"
    assert wl.bytes_text(12.0) == "12 B"
