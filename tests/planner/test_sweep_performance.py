"""Sweeps and performance figures: goodput curves are sampled as one array input per curve
the plan reads (its points moved together), a sample's values land in the curve the planner
reads, and the tornado says how much of its swing rests on unbenchmarked performance figures."""

from __future__ import annotations

import pytest

from dcplan.models.efficiency import goodput
from dcplan.planner.scenario import DEMO_SCENARIO, load_scenario
from dcplan.planner.sweep.inputs import catalog_inputs
from dcplan.planner.sweep.sample import apply_catalog_values
from dcplan.planner.sweep.stats import unproven_share, unproven_text


@pytest.fixture(scope="module")
def goodput_input(catalog):
    (item,) = [i for i in catalog_inputs(load_scenario(DEMO_SCENARIO), catalog) if i.target.id == "default-goodput"]
    return item


def test_the_demo_samples_its_goodput_curve_as_one_array(catalog, goodput_input):
    """The demo's GB300 reads the default curve: one input, its bounds the points' own."""
    curve = catalog.get("goodput", "default-goodput")
    assert (goodput_input.target.kind, goodput_input.target.field) == ("goodput", "points")
    assert goodput_input.domain.kind == "array"
    assert goodput_input.domain.low_array == tuple(p.goodput.low for p in curve.points)
    assert goodput_input.domain.high_array == tuple(p.goodput.high for p in curve.points)
    assert goodput_input.base == tuple(p.goodput.value for p in curve.points)
    assert goodput_input.domain.at(0.0) == goodput_input.domain.low_array


@pytest.mark.parametrize("u", [0.0, 0.5, 1.0])
def test_a_sampled_curve_is_what_the_planner_reads(catalog, goodput_input, u):
    """Goodput at a point's job size equals the sampled value of that point; the ranges stay."""
    values = goodput_input.domain.at(u)
    sampled = apply_catalog_values(catalog, [("goodput", "default-goodput", "points", values)])
    system = catalog.system("gb300-nvl72")
    for point, value in zip(sampled.get("goodput", "default-goodput").points, values, strict=True):
        assert goodput(sampled, system, point.chips).value == pytest.approx(value)
        assert point.goodput.low is not None and point.goodput.high is not None
    at_16k = goodput(sampled, system, 16384).value
    assert at_16k == pytest.approx(0.85 + u * (0.95 - 0.85))
    assert goodput(catalog, system, 16384).value == pytest.approx(0.90)  # the base catalog untouched


def _row(name: str, swing: float | None, confidence: str | None) -> dict:
    return {"input": name, "swing": swing, "confidence": confidence}


def test_unproven_share_counts_performance_assumptions_and_haircuts_only():
    """share = (|-30| + 10) / (30 + 10 + 40 + 20) = 0.4: a cooling assumption and a vendor
    efficiency figure are not counted; an input without a swing is left out of both sums."""
    rows = [
        _row("efficiency.trn3.efficiency", -30.0, "assumption"),
        _row("haircut.trn3-claim.fraction", 10.0, "claim haircut"),
        _row("plant.tower.approach", 40.0, "assumption"),
        _row("efficiency.h100.efficiency", 20.0, "vendor"),
        _row("goodput.default-goodput.points", None, "assumption"),
    ]
    out = unproven_share(rows)
    assert out["share"] == pytest.approx(0.4)
    assert out["inputs"] == ["efficiency.trn3.efficiency", "haircut.trn3-claim.fraction"]
    assert "40%" in unproven_text(out)
    assert unproven_share([_row("x.y.z", None, "assumption")])["share"] is None
    assert "no input moved" in unproven_text(unproven_share([]))


def test_a_haircut_input_is_marked_as_a_claim_haircut(catalog):
    """A [[haircut]] range is sampled with the confidence 'claim haircut', and the sweep's
    document carries the unproven share beside the tornado."""
    import copy

    from dcplan.planner.scenario import parse_scenario
    from dcplan.planner.sweep.inputs import haircut_inputs

    data = copy.deepcopy(load_scenario(DEMO_SCENARIO).model_dump(mode="json", exclude_none=True))
    data["haircut"] = [{"claim": "trn3-gen2-vs-trn2-compute", "fraction": 0.2, "low": 0.0, "high": 0.4}]
    (cut,) = haircut_inputs(parse_scenario(data))
    assert cut.confidence == "claim haircut"
