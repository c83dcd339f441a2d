"""The issue-13 [[workload]] form, objectives and share bases: good input reads, bad input
is one clear line naming the table and the field."""

from __future__ import annotations

import copy

import pytest

from dcplan.planner.scenario import ScenarioError, parse_scenario
from tests.planner.conftest import BASE

LLAMA = {
    "id": "llama",
    "class": "dense-pretraining",
    "precisions": ["bf16", "fp8"],
    "total_params": 405e9,
    "tokens": 15.6e12,
    "deadline": "90 day",
    "software": ["neuron", "cuda"],
}


def _data(workloads: list[dict], header: dict | None = None, shares: list[dict] | None = None) -> dict:
    data = copy.deepcopy(BASE)
    data["scenario"].update(header or {})
    data["workload"] = workloads
    if shares is not None:
        data["share"] = shares
    return data


def _one_line(data: dict) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data, "x.toml")
    lines = info.value.lines
    assert len(lines) == 1, lines
    assert "\n" not in lines[0]
    return lines[0]


def test_the_new_form_reads_and_keeps_its_class_key():
    scen = parse_scenario(_data([LLAMA]))
    workload = scen.workload[0]
    assert workload.workload_class == "dense-pretraining"
    assert workload.form == "budget"
    assert workload.active == 405e9
    assert workload.deadline.m_as("day") == pytest.approx(90)
    echoed = scen.model_dump(mode="json")["workload"][0]
    assert echoed["class"] == "dense-pretraining" and "workload_class" not in echoed
    # the echo reads back as the same scenario (the plan's scenario echo is re-solvable)
    assert parse_scenario(scen.model_dump(mode="json")).workload[0] == workload


def test_shorthands_keep_working():
    scen = parse_scenario(
        _data(
            [{"id": "a", "demand": "100 PFLOPS", "software": ["cuda"]}, {"id": "b", "chips": 8, "software": ["cuda"]}]
        )
    )
    assert [w.form for w in scen.workload] == ["peak", "chips"]


def _with(**fields) -> dict:
    workload = {k: v for k, v in LLAMA.items() if k not in ("tokens", "deadline")} | fields
    return {k: v for k, v in workload.items() if v is not None}


BAD = {
    "two demands": (_with(tokens=1e12, tokens_per_s=5.0), "give exactly one of tokens, flops"),
    "no demand": (_with(), "give exactly one of tokens, flops, tokens_per_s, delivered, demand or chips"),
    "negative tokens": (_with(tokens=-1.0), "field 'tokens': Input should be greater than 0"),
    "zero rate": (_with(tokens_per_s=0), "field 'tokens_per_s': Input should be greater than 0"),
    "huge params": (_with(total_params=1e30, tokens=1e12), "field 'total_params': Input should be less than"),
    "flops in watts": (_with(flops="3e25 W"), "field 'flops': expected an amount of computation"),
    "huge flops": (_with(flops="1e40 FLOP"), "field 'flops'"),
    "delivered in kg": (_with(delivered="5 kg"), "field 'delivered': expected a compute rate"),
    "deadline in MW": (_with(tokens=1e12, deadline="5 MW"), "field 'deadline': expected a duration"),
    "unknown class": (_with(tokens=1e12, **{"class": "fine-tuning"}), "field 'class': Input should be"),
    "unknown precision": (_with(tokens=1e12, precisions=["fp6"]), "field 'precisions.0': Input should be"),
    "deadline without budget": (_with(delivered="5 PFLOPS", deadline="9 day"), "deadline needs a budget"),
    "active above total": (_with(tokens=1e12, active_params=5e11), "active_params 5e+11 is above total_params"),
    "tokens without params": (_with(tokens=1e12, total_params=None), "a token demand needs total_params"),
    "latency on training": (_with(tokens=1e12, latency="batch"), "latency is for the inference class only"),
    "peak demand with class": (_with(demand="5 PFLOPS"), "give delivered (PFLOPS) instead"),
    "model field without class": (
        {"id": "llama", "demand": "5 PFLOPS", "total_params": 1e9, "software": ["cuda"]},
        "total_params needs a class",
    ),
    "zero stages": (_with(tokens=1e12, max_pipeline_stages=0), "field 'max_pipeline_stages': Input should be"),
    "precision twice": (_with(tokens=1e12, precisions=["fp8", "fp8"]), "lists a precision twice"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_workload_is_one_line(name):
    workload, expected = BAD[name]
    line = _one_line(_data([workload]))
    assert line.startswith("x.toml: [[workload]] 'llama'"), line
    assert expected in line, line


OBJECTIVE_BAD = {
    "time-to-train without target": ({"objective": "min-time-to-train"}, [LLAMA], "needs target ="),
    "target naming no workload": (
        {"objective": "min-time-to-train", "target": "gpt"},
        [LLAMA],
        "target 'gpt' names no [[workload]]",
    ),
    "target without a budget": (
        {"objective": "min-time-to-train", "target": "llama"},
        [_with(delivered="100 PFLOPS")],
        "target 'llama' needs a budget",
    ),
    "target under another objective": ({"objective": "max-delivered", "target": "llama"}, [LLAMA], "target is for"),
    "max-delivered with a shorthand": (
        {"objective": "max-delivered"},
        [LLAMA, {"id": "old", "demand": "5 PFLOPS", "software": ["cuda"]}],
        "workload 'old' is a peak/chips shorthand",
    ),
    "max-delivered without workloads": ({"objective": "max-delivered"}, [], "needs at least one [[workload]]"),
    "min-tco with an open budget": (
        {"objective": "min-tco"},
        [_with(tokens=1e12)],
        "needs a deadline on every budget (workload 'llama'",
    ),
    "unknown objective": ({"objective": "max-tokens"}, [LLAMA], "field 'objective': Input should be"),
}


@pytest.mark.parametrize("name", sorted(OBJECTIVE_BAD))
def test_bad_objective_is_one_line(name):
    header, workloads, expected = OBJECTIVE_BAD[name]
    line = _one_line(_data(workloads, header))
    assert expected in line, line


def test_share_basis():
    scen = parse_scenario(_data([LLAMA], shares=[{"family": "nvidia", "basis": "chips", "min": 0.2}]))
    assert scen.share[0].basis == "chips" and scen.share[0].label == "family nvidia, chips"
    line = _one_line(_data([LLAMA], shares=[{"family": "nvidia", "basis": "racks", "min": 0.2}]))
    assert "[[share]] #1 field 'basis': Input should be" in line
    line = _one_line(
        _data([{"id": "old", "chips": 8, "software": ["cuda"]}], shares=[{"family": "nvidia", "basis": "delivered"}])
    )
    assert "a share with basis 'delivered' needs every [[workload]] to give a class" in line


def test_time_to_train_target_reads():
    scen = parse_scenario(_data([_with(tokens=1e12)], {"objective": "min-time-to-train", "target": "llama"}))
    assert scen.scenario.target == "llama"
