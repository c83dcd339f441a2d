"""Why a roadmap has no plan (planner/roadmap_diagnosis.py), on hand-derived roadmaps of the
hand catalog (beta: 3 MUSD, 100 kW, 100 kVA a unit; a hall transformer 3,000 kVA; two rows
of 8): a floor of n beta in a period is a [[candidate]] minimum there."""

from __future__ import annotations

from typing import Any

import pytest

from dcplan.planner.roadmap_diagnosis import available_data, block_status, diagnose_roadmap
from dcplan.planner.roadmap_formulation import solve_roadmap_formulation
from dcplan.planner.roadmap_solve import solve_roadmap
from dcplan.planner.roadmap_types import Ordered, PeriodInput
from tests.planner.test_roadmap_formulation import BETA, SETTINGS, period_data, roadmap


def floor(catalog: Any, n: int) -> Any:
    return period_data(catalog, candidate=[{"system": "beta", "min_units": n}])


def diagnosed(catalog: Any, inputs: Any) -> Any:
    # the premise: the roadmap has no plan, in the Pyomo model and in the production solve
    assert solve_roadmap_formulation(inputs, SETTINGS).status == "infeasible"
    assert solve_roadmap(inputs, SETTINGS).status == "infeasible"
    return diagnose_roadmap(catalog, inputs, SETTINGS)


def limits(diagnosis: Any) -> set[str]:
    return {r.limit for r in diagnosis.relaxations}


def test_the_first_period_with_no_plan_of_its_own_gets_the_single_period_diagnosis(ideal_catalog):
    """4 beta asked in period 1 (2026Q2) while beta is not installable before period 2 (alpha
    is): the block of 2026Q2 alone has no plan; its diagnosis names the period, what is
    unavailable and the single-period relaxation (lower the minimum by 4 units)."""
    cands = [{"system": "beta"}, {"system": "alpha"}]
    free = period_data(ideal_catalog, candidate=cands)
    four = period_data(ideal_catalog, candidate=[{"system": "beta", "min_units": 4}, {"system": "alpha"}])
    early = frozenset({"r1/alpha/ideal-dlc"})
    inputs = roadmap([free, four, four], installable=[early, early, early | {BETA}])
    d = diagnosed(ideal_catalog, inputs)
    assert not d.feasible
    assert d.summary.startswith("in 2026Q2 (the first period with no plan of its own; not yet available: beta)")
    assert "beta: lower the minimum by 4 units" in d.summary
    (minimum,) = [r for r in d.relaxations if r.limit == "minimum units"]
    assert minimum.scope == "2026Q2: beta" and minimum.amount == pytest.approx(4)


def test_a_hall_not_ready_is_named(ideal_catalog):
    """Nothing can be installed in 2026Q1 (its only hall is not ready): said so, not "see the
    pruned options" (nothing was pruned)."""
    inputs = roadmap([floor(ideal_catalog, 2)] * 2, halls_ready=[frozenset(), frozenset({"h1"})])
    d = diagnosed(ideal_catalog, inputs)
    assert d.summary.startswith("in 2026Q1 (the first period with no plan of its own; hall not ready: h1): nothing can")
    assert "pruned" not in d.summary


def test_a_period_budget_short_by_what_the_floor_costs(ideal_catalog):
    """12 beta in period 0 cost 36 MUSD against a 30 MUSD budget: short by 6.0 MUSD, and no
    other linking family helps (every period alone has a plan)."""
    inputs = roadmap([floor(ideal_catalog, 12)] * 2, capex_budget_musd=[30.0, None])
    d = diagnosed(ideal_catalog, inputs)
    assert d.summary.startswith("every period has a plan on its own, but the roadmap has none: relax capex budgets")
    assert "capex budget of 2026Q1 short by 6.0 MUSD" in d.summary
    assert limits(d) == {"capex budgets"}
    (budget,) = d.relaxations
    assert budget.amount == pytest.approx(6.0) and budget.scope == "2026Q1" and budget.unit == "MUSD"


def test_a_total_budget(ideal_catalog):
    """4 beta (12 MUSD) against 10 MUSD over the horizon: total short by 2.0 MUSD."""
    d = diagnosed(ideal_catalog, roadmap([floor(ideal_catalog, 4)] * 2, total_capex_budget_musd=10.0))
    assert "total capex budget short by 2.0 MUSD" in d.summary and limits(d) == {"capex budgets"}


def test_a_transformer_lead_time(ideal_catalog):
    """4 beta (400 kVA) in every period with a two-period transformer lead time and nothing
    on order: one transformer is needed from 2026Q1 (periods 0 and 1 come before anything
    ordered at the start can arrive): one relaxation for the hall's transformers."""
    inputs = roadmap([floor(ideal_catalog, 4)] * 3, lead_periods={"distribution-transformer": 2})
    d = diagnosed(ideal_catalog, inputs)
    text = (
        "h1: 1 distribution-transformer needed from 2026Q1, before its lead time of 2 periods allows "
        "(record an [[ordered]] delivery of 1 by 2026Q1, or build later)"
    )
    assert [r.text for r in d.relaxations] == [text] and text in d.summary
    assert limits(d) == {"equipment lead times"}
    assert [r.scope for r in d.relaxations] == ["2026Q1: h1"]


def test_an_allocation_cap(ideal_catalog):
    """8 beta asked in period 0 with 5 allocated: short by 3 units."""
    inputs = roadmap([floor(ideal_catalog, 8)] * 2, allocation_caps=[{"beta": 5}, {"beta": 5}])
    d = diagnosed(ideal_catalog, inputs)
    assert "beta: allocation of 5 in 2026Q1 short by 3 units" in d.summary
    assert limits(d) == {"vendor allocation caps"}


def test_end_of_life_without_a_way_to_refresh_names_both_ways_out(ideal_catalog):
    """4 beta in every period, an IT life of one quarter, beta purchasable in period 0 only:
    either let the 4 serve past their life in 2026Q2 and 2026Q3, or buy 4 in each of those
    periods outside the purchase window."""
    four = floor(ideal_catalog, 4)
    purchasable = [frozenset({BETA}), frozenset(), frozenset()]
    inputs = roadmap([four] * 3, it_life_years={BETA: 0.25}, purchasable=purchasable)
    d = diagnosed(ideal_catalog, inputs)
    assert limits(d) == {
        "IT life (end-of-life retirement)",
        "purchase windows (available_from / available_until, zero allocations)",
    }
    assert f"{BETA}: 4 units would serve past their IT life (0.25 y) in 2026Q2-2026Q3" in d.summary
    assert f"{BETA}: buy 4 units in 2026Q3, outside its purchase window" in d.summary
    (life,) = [r for r in d.relaxations if r.limit.startswith("IT life")]
    assert life.amount == pytest.approx(4) and life.scope == f"2026Q2-2026Q3: {BETA}"


def test_only_together(ideal_catalog):
    """8 beta in period 0, 5 allocated, 18 MUSD (6 beta): neither the cap (5 < 8) nor the
    budget alone restores a plan; together: 3 more units and 6.0 MUSD more."""
    inputs = roadmap(
        [floor(ideal_catalog, 8)] * 2, allocation_caps=[{"beta": 5}, {"beta": 5}], capex_budget_musd=[18.0, None]
    )
    d = diagnosed(ideal_catalog, inputs)
    assert "no single linking family restores it, relaxing these together does" in d.summary
    assert "beta: allocation of 5 in 2026Q1 short by 3 units" in d.summary
    assert "capex budget of 2026Q1 short by 6.0 MUSD" in d.summary


def test_a_feasible_roadmap_is_said_to_be_feasible(ideal_catalog):
    """Called on a roadmap that has a plan (a caller's mistake), it says so instead of
    inventing a relaxation."""
    inputs = roadmap([floor(ideal_catalog, 4)] * 2, capex_budget_musd=[30.0, 30.0])
    d = diagnose_roadmap(ideal_catalog, inputs, SETTINGS)
    assert d.feasible and d.relaxations == []


def test_available_data_closes_what_is_unavailable(ideal_catalog):
    data = period_data(ideal_catalog, candidates=("alpha", "beta"))
    period = roadmap([data], installable=[frozenset({BETA})]).periods[0]
    closed, notes = available_data(period)
    assert [o.key for o in closed.options] == [BETA]
    assert notes == ["not yet available: alpha"]
    assert block_status(closed, SETTINGS) == "feasible"
    asks = floor(ideal_catalog, 1)
    shut = PeriodInput(**{**period.__dict__, "data": asks, "installable": frozenset()})
    assert block_status(available_data(shut)[0], SETTINGS) == "infeasible"


def test_a_hall_that_stops_being_ready_breaks_build_once(ideal_catalog):
    """4 beta in period 0 in a hall ready then, not ready in period 1 (hostile input: a
    ready date never moves back): the fitted-out hall would have to fall by 1 in 2026Q2."""
    inputs = roadmap(
        [floor(ideal_catalog, 4), period_data(ideal_catalog)], halls_ready=[frozenset({"h1"}), frozenset()]
    )
    d = diagnosed(ideal_catalog, inputs)
    assert "h1: the fitted-out hall would have to fall by 1 in 2026Q2 (built once and kept)" in d.summary
    assert limits(d) == {"build-once infrastructure"}


def test_a_period_short_of_power_gets_its_capacity_relaxation(ideal_catalog):
    """8 beta (800 kW) asked in period 1 where the site has 0.5 MW: 2026Q2's diagnosis says
    the utility power is short by 0.30 MW, scoped to the period."""
    asks = period_data(ideal_catalog, power="0.5 MW", candidate=[{"system": "beta", "min_units": 8}])
    inputs = roadmap([period_data(ideal_catalog), asks])
    d = diagnosed(ideal_catalog, inputs)
    assert d.summary.startswith("in 2026Q2 (the first period with no plan of its own): ")
    assert "site cold-aws: utility power short by 0.30 MW" in d.summary
    power = [r for r in d.relaxations if r.limit == "utility power (design day)"]
    assert power and power[0].scope == "2026Q2: cold-aws" and power[0].amount == pytest.approx(0.3)


def _impossible(b: Any) -> None:
    """A test extension: 20 beta in period 0, more than its two rows of 8 hold."""
    col = b.block_col(0, "units", BETA)
    b.add_row("impossible", None, {col: 1.0}, 20.0, float("inf"))


def test_an_extension_row_that_cannot_hold_is_named(ideal_catalog, monkeypatch):
    """The core roadmap (this Pyomo model) has a plan, the production one with the extension
    hook has none: the diagnosis names the hook whose absence restores a plan."""
    from dcplan.planner import roadmap_model

    monkeypatch.setattr(roadmap_model, "ROADMAP_HOOKS", [_impossible])
    inputs = roadmap([period_data(ideal_catalog)] * 2)
    assert solve_roadmap_formulation(inputs, SETTINGS).status == "optimal"
    assert solve_roadmap(inputs, SETTINGS).status == "infeasible"
    d = diagnose_roadmap(ideal_catalog, inputs, SETTINGS)
    assert not d.feasible
    assert d.summary.endswith("without the rows of test_roadmap_diagnosis._impossible it has one")


def test_a_roadmap_without_periods(ideal_catalog):
    from dcplan.planner.roadmap_formulation import build_roadmap_model

    empty = roadmap([period_data(ideal_catalog)])
    empty = type(empty)(**{**empty.__dict__, "periods": []})
    assert diagnose_roadmap(ideal_catalog, empty, SETTINGS).summary == "the roadmap has no periods"
    with pytest.raises(ValueError, match="at least one period"):
        build_roadmap_model(empty)


def test_the_diagnosis_prints_nothing_on_stdout():
    """In a fresh process (HiGHS prints a banner from C on its first instance) the diagnosis
    leaves stdout clean: it may be a --json answer."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "from dcplan.models.catalog import load_catalog\n"
        "from tests.planner.conftest import HANDCAT\n"
        "from tests.planner.test_roadmap_diagnosis import floor, SETTINGS, roadmap, diagnose_roadmap\n"
        "cat = load_catalog([HANDCAT], use_env=False)\n"
        "d = diagnose_roadmap(cat, roadmap([floor(cat, 12)] * 2, capex_budget_musd=[30.0, None]), SETTINGS)\n"
        "import sys; sys.stderr.write(d.summary)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "capex budget of 2026Q1 short by 6.0 MUSD" in done.stderr


def test_a_diagnosis_out_of_time_says_what_it_did_not_check(ideal_catalog):
    """A time limit of zero: nothing is checked, and the summary says so (no crash, no
    claim that a relaxation was found)."""
    from dcplan.planner.solve import SolveSettings

    inputs = roadmap([floor(ideal_catalog, 12)] * 2, capex_budget_musd=[30.0, None])
    d = diagnose_roadmap(ideal_catalog, inputs, SolveSettings(time_limit_s=0.0, process="in-process"))
    assert not d.feasible and d.relaxations == []
    assert d.summary == "the diagnosis reached its time limit before checking 2026Q1, 2026Q2"


def test_the_small_roadmap_file_without_its_orders_waits_for_its_equipment(catalog):
    """tests/data/roadmap/small.toml without its [[ordered]] equipment: the catalog's lead
    times (transformers 8 quarters, UPS and generators 3) leave no plan over its eight
    quarters while its demand starts at once. Every period alone has one; relaxing the lead
    times alone restores the roadmap, one relaxation per hall and piece of equipment, all
    needed from the first quarter (phx-2 is not ready before 2027Q2, by which its own UPS
    lead time has passed, so only its transformers wait)."""
    import tomllib

    from dcplan.planner.roadmap_inputs import roadmap_inputs
    from dcplan.planner.scenario import parse_scenario
    from tests.planner.conftest import HANDCAT

    raw = tomllib.loads((HANDCAT.parent / "roadmap" / "small.toml").read_text(encoding="utf-8"))
    raw.pop("ordered")
    inputs = roadmap_inputs(parse_scenario(raw), catalog)
    assert inputs.lead_periods == {"distribution-transformer": 8, "ups": 3, "generator": 3}
    d = diagnosed(catalog, inputs)
    assert d.summary.startswith("every period has a plan on its own, but the roadmap has none: relax equipment lead")
    assert limits(d) == {"equipment lead times"}
    needed = {(r.scope, r.text.split(" needed")[0].split(" ", 2)[2]) for r in d.relaxations}
    assert ("2026Q3: phx-1", "distribution-transformer") in needed
    assert ("2026Q3: phoenix-az", "generator") in needed


def test_hostile_inputs_give_a_diagnosis_not_a_crash(ideal_catalog):
    """A negative period budget, a cap on a system no option has, equipment on order for a
    hall that does not exist, an IT life of zero (one period), a UPS lead time longer than
    the horizon: the models build, the roadmap is infeasible in both, and only relaxing two
    families together restores it: the budget by 8.0 MUSD (one beta at 3 MUSD, from -5) and
    one UPS module from the first quarter (the order for an unknown hall counts for none)."""
    from dcplan.planner.roadmap_formulation import build_roadmap_model

    inputs = roadmap(
        [floor(ideal_catalog, 1)] * 2,
        capex_budget_musd=[-5.0, None],
        allocation_caps=[{"no-such-system": 3}, {}],
        ordered=[Ordered(equipment="ups", owner="no-such-hall", count=2, delivered=0)],
        it_life_years={BETA: 0.0},
        lead_periods={"ups": 50},
    )
    assert build_roadmap_model(inputs).allocation.is_indexed()
    d = diagnosed(ideal_catalog, inputs)
    assert not d.feasible and d.summary
    assert "no single linking family restores it, relaxing these together does" in d.summary
    assert "capex budget of 2026Q1 short by 8.0 MUSD" in d.summary
    assert "h1: 1 ups needed from 2026Q1, before its lead time of 50 periods allows" in d.summary
