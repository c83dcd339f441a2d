"""Variance-based sensitivity (SALib) beside the tornado: the indices on analytic functions
through the sweep's own unit-cube -> values mapping, a small real sweep, the rule for
samples without a plan, and the CLI's one-line errors for bad combinations."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from dcplan.planner.cli import main
from dcplan.planner.scenario import DEMO_SCENARIO
from dcplan.planner.sweep import (
    Domain,
    SampleResult,
    SweepConfig,
    SweepInputError,
    Target,
    UncertainInput,
    prepare_sweep,
    run_sweep,
    sample_assignments,
    sensitivity,
    sensitivity_indices,
    sensitivity_matrix,
)

BUDGET = "scenario.budget=4e9USD:8e9USD"
PRICE = "scenario.electricity_price=0.05USD/kWh:0.12USD/kWh"
POWER = "site.ashburn-va.utility_power=120MW:200MW"


pytestmark = pytest.mark.usefixtures("primed_sweep_catalog")


def _inputs(*ranges: tuple[str, float, float]) -> list[UncertainInput]:
    return [
        UncertainInput(Target("scenario", "scenario", "", name), Domain("float", lo, hi), "", (lo + hi) / 2, "vary")
        for name, lo, hi in ranges
    ]


def _through_the_mapping(inputs, cube, catalog) -> np.ndarray:
    """Driver values of every design row, by the same code that makes a sweep's samples."""
    return np.array([sample_assignments(inputs, row, catalog)[1] for row in cube])


def test_sobol_indices_of_a_linear_function(catalog):
    """y = 4 x1 + x2 with x uniform on [0, 1]: Var = (16 + 1)/12, so S1 = ST = 16/17 and 1/17."""
    inputs = _inputs(("x1", 0.0, 1.0), ("x2", 0.0, 1.0))
    names = [i.name for i in inputs]
    cube = sensitivity_matrix("sobol", names, 1024, seed=3)
    assert cube.shape == (1024 * (2 + 2), 2)
    x = _through_the_mapping(inputs, cube, catalog)
    rows = {r["input"]: r for r in sensitivity_indices("sobol", names, cube, 4 * x[:, 0] + x[:, 1], seed=3)}
    for name, share in (("scenario.x1", 16 / 17), ("scenario.x2", 1 / 17)):
        assert rows[name]["S1"] == pytest.approx(share, abs=0.04)
        assert rows[name]["ST"] == pytest.approx(share, abs=0.04)
        assert 0 < rows[name]["S1_conf"] < 0.1 and 0 < rows[name]["ST_conf"] < 0.1
    ranked = sensitivity_indices("sobol", names, cube, 4 * x[:, 0] + x[:, 1], seed=3)
    assert [r["input"] for r in ranked] == ["scenario.x1", "scenario.x2"]  # by ST


def test_sobol_indices_of_the_ishigami_function_through_scaled_ranges(catalog):
    """Ishigami on [-pi, pi]^3 (a = 7, b = 0.1), reached by mapping the unit cube onto the
    ranges: S1 = 0.314, 0.442, 0 and ST = 0.558, 0.442, 0.244 (known analytically)."""
    inputs = _inputs(*((f"x{i}", -np.pi, np.pi) for i in (1, 2, 3)))
    names = [i.name for i in inputs]
    cube = sensitivity_matrix("sobol", names, 2048, seed=1)
    x = _through_the_mapping(inputs, cube, catalog)
    assert x.min() >= -np.pi and x.max() <= np.pi
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    rows = {r["input"]: r for r in sensitivity_indices("sobol", names, cube, y, seed=1)}
    for name, s1, st in (("x1", 0.314, 0.558), ("x2", 0.442, 0.442), ("x3", 0.0, 0.244)):
        assert rows[f"scenario.{name}"]["S1"] == pytest.approx(s1, abs=0.06)
        assert rows[f"scenario.{name}"]["ST"] == pytest.approx(st, abs=0.06)


def test_morris_effects_of_a_linear_function(catalog):
    """y = 4 x1 + x2 on x1 in [10, 20], x2 in [0, 1]: every elementary effect over the unit
    coordinate is the output's change across the whole range (40 and 1), with no spread."""
    inputs = _inputs(("x1", 10.0, 20.0), ("x2", 0.0, 1.0))
    names = [i.name for i in inputs]
    cube = sensitivity_matrix("morris", names, 20, seed=2)
    assert cube.shape == (20 * (2 + 1), 2)
    x = _through_the_mapping(inputs, cube, catalog)
    rows = sensitivity_indices("morris", names, cube, 4 * x[:, 0] + x[:, 1], seed=2)
    assert [r["input"] for r in rows] == ["scenario.x1", "scenario.x2"]  # by mu*
    assert rows[0]["mu_star"] == pytest.approx(40.0) and rows[1]["mu_star"] == pytest.approx(1.0)
    assert rows[0]["sigma"] == pytest.approx(0.0, abs=1e-9) and rows[0]["mu_star_conf"] == pytest.approx(0, abs=1e-9)


def test_a_sobol_design_keeps_linked_inputs_consistent(demo, catalog):
    """The SALib points go through sample_assignments: followers (typical/idle power scale
    with design power) hold in every sample, exactly as in a Latin-hypercube sweep."""
    vary = ["system.gb300-nvl72.design_power=120kW:150kW", BUDGET]
    config = SweepConfig(samples=4, sensitivity="sobol", catalog_ranges=False, vary=vary, workers=0)
    design = prepare_sweep(demo, catalog, config)
    assert design.method == "sobol" and len(design.specs) == 4 * (2 + 2)
    base = catalog.system("gb300-nvl72")
    for spec, row in zip(design.specs, design.unit_cube, strict=True):
        pairs, _ = sample_assignments(design.inputs, row, catalog)
        assert spec.catalog_values == tuple((t.kind, t.id, t.field, v) for t, v in pairs if t.where == "catalog")
        values = {name: v for _, _, name, v in spec.catalog_values}
        ratio = values["design_power"] / base.design_power.magnitude
        assert values["typical_power"] == pytest.approx(base.typical_power.magnitude * ratio)


def test_a_small_real_sobol_sweep_gives_indices_for_every_input(tmp_path, capsys):
    """Two scenario inputs, 4 base samples: 16 full solves, in this process."""
    out_json, out_html = tmp_path / "s.json", tmp_path / "s.html"
    args = ["sweep", str(DEMO_SCENARIO), "--sensitivity", "sobol", "--samples", "4", "--workers", "0"]
    args += ["--no-catalog-ranges", "--vary", POWER, "--vary", PRICE, "--robust-mixes", "0"]
    code = main([*args, "-o", str(out_json), "-o", str(out_html)])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out_json.read_text())
    assert data["schema_version"] == "1.3" and data["method"] == "sobol" and data["samples"] == 16
    section = data["sensitivity"]
    assert section["computed"] and section["without_plan"] == 0 and section["base_samples"] == 4
    tco = section["outputs"]["tco_musd"]
    assert {r["input"] for r in tco} == {"site.ashburn-va.utility_power", "scenario.electricity_price"}
    for row in tco:
        assert all(row[k] is not None for k in ("S1", "S1_conf", "ST", "ST_conf")) and row["ST_conf"] >= 0
    assert [r["ST"] for r in tco] == sorted((r["ST"] for r in tco), reverse=True)
    assert "Sobol indices of TCO" in out and " ± " in out
    page = out_html.read_text()
    assert "Variance-based sensitivity: Sobol indices" in page and "site.ashburn-va.utility_power" in page


def test_a_small_real_morris_sweep(demo, catalog):
    config = SweepConfig(
        samples=2, sensitivity="morris", catalog_ranges=False, vary=[POWER, PRICE], workers=0, robust_mixes=0
    )
    result = run_sweep(prepare_sweep(demo, catalog, config))
    section = result.sensitivity
    assert section is not None and section["method"] == "morris" and section["runs"] == 2 * (2 + 1)
    rows = section["outputs"]["tco_musd"]
    assert {r["input"] for r in rows} == {"site.ashburn-va.utility_power", "scenario.electricity_price"}
    assert all(r["mu_star"] is not None and r["mu_star_conf"] is not None for r in rows)
    assert result.to_dict()["sensitivity"] == section


def test_samples_without_a_plan_stop_the_output_indices_and_say_how_many(demo, catalog):
    """The rule: Sobol needs every sample of its matrix, so none is dropped; the output
    indices are not computed, the count is given, and feasibility (1/0) is analysed."""
    config = SweepConfig(samples=64, sensitivity="sobol", catalog_ranges=False, vary=[POWER, PRICE], workers=0)
    design = prepare_sweep(demo, catalog, config)
    power = design.drivers[:, 0]
    results = [
        SampleResult(i, "sample", -1, "optimal", compute_pflops=1.0, tco_musd=float(p))
        if p > 150e3
        else SampleResult(i, "sample", -1, "infeasible")
        for i, p in enumerate(power)
    ]
    missing = sum(1 for r in results if not r.has_plan)
    assert 0 < missing < len(results)
    section = sensitivity(design, results, "tco_musd")
    assert section is not None and not section["computed"] and section["outputs"] == {}
    assert section["without_plan"] == missing
    assert section["reason"].startswith(f"{missing} of {len(results)} samples have no plan")
    feasibility = {r["input"]: r for r in section["feasibility"]}
    assert feasibility["site.ashburn-va.utility_power"]["ST"] > 0.8  # power alone decides feasibility
    assert abs(feasibility["scenario.electricity_price"]["ST"]) < 0.1
    # all planned: the objective's indices; a constant output is named, not analysed
    planned = [
        SampleResult(i, "sample", -1, "optimal", compute_pflops=1.0, tco_musd=float(p)) for i, p in enumerate(power)
    ]
    section = sensitivity(design, planned, "tco_musd")
    assert (
        section["computed"] and list(section["outputs"]) == ["tco_musd"] and section["constant"] == ["compute_pflops"]
    )
    # an LHS sweep has no sensitivity section
    assert sensitivity(SimpleNamespace(method="lhs"), planned, "tco_musd") is None


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"sensitivity": "sobol", "grid": 2}, "--sensitivity sobol: draws its own design; drop --grid"),
        ({"sensitivity": "fast"}, "--sensitivity fast: expected one of none, sobol, morris"),
        ({"sensitivity": "sobol", "samples": 12}, "--samples 12: Sobol base samples must be a power of 2"),
        ({"sensitivity": "morris", "samples": 1}, "--samples 1: Morris needs at least 2 trajectories"),
        ({"sensitivity": "morris", "lhs": "centred"}, "--lhs centred: only for Latin-hypercube sampling"),
    ],
)
def test_bad_sensitivity_combinations(demo, catalog, config, message):
    with pytest.raises(SweepInputError) as caught:
        prepare_sweep(demo, catalog, SweepConfig(**{"samples": 4, "vary": [BUDGET], "workers": 0, **config}))
    assert message in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--sensitivity", "sobol", "--grid", "2", "--vary", BUDGET], "--sensitivity sobol: draws its own design"),
        (["--sensitivity", "bogus"], "--sensitivity bogus: expected one of none, sobol, morris"),
        (["--sensitivity", "sobol", "--samples", "6"], "--samples 6: Sobol base samples must be a power of 2"),
    ],
)
def test_cli_bad_sensitivity_is_one_line_exit_2(capsys, extra, message):
    code = main(["sweep", str(DEMO_SCENARIO), "--workers", "0", *extra])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and message in err, err
