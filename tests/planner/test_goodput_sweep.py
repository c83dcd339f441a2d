"""Sweeps sample goodput curves: one array input per curve the plan reads, its points moved
together between their low and high, and a sample's values land in the curve the planner
reads."""

from __future__ import annotations

import pytest

from dcplan.models.efficiency import goodput
from dcplan.planner.scenario import DEMO_SCENARIO, load_scenario
from dcplan.planner.sweep.inputs import catalog_inputs
from dcplan.planner.sweep.sample import apply_catalog_values


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
