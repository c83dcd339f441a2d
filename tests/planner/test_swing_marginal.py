"""The swing band as a valued limit (planner.marginals_swing), on the hand-checkable catalog:
alpha swings 100 - 20 = 80 kW per unit with no storage of its own (tests/planner/test_swing)."""

from __future__ import annotations

import pytest

from dcplan.planner.marginals import relaxed_scenario
from dcplan.planner.marginals_swing import SWING_LIMIT
from tests.planner.conftest import scenario, solve_plan, units_of
from tests.planner.test_swing import ALPHA, ROW, _limit


def _swing_use(plan):
    (use,) = [u for u in plan.limits if u.limit == SWING_LIMIT]
    return use


def test_a_binding_swing_band_without_mitigation_has_a_value(ideal_catalog):
    """No mitigation, 500 kW band: 80 N <= 500 gives 6 units (480 kW, slack 20 < one unit's 80 kW:
    binding). +1 MW of band: 80 N <= 1,500 allows 18, but the row holds 10 (the plan without a
    limit: its busway), so the step is worth 10 - 6 = 4 units' compute."""
    plan = solve_plan(scenario(row=[ROW], candidate=ALPHA, utility_limit=_limit(mitigation=[])), ideal_catalog, True)
    assert units_of(plan, "alpha") == 6 and plan.recheck.ok
    use = _swing_use(plan)
    assert (use.scope, use.unit, use.binding) == ("cold-aws", "MW", True)
    assert (use.used, use.allowed) == (pytest.approx(0.48), pytest.approx(0.5))
    per_unit_pflops = plan.compute_total.m_as("PFLOPS") / 6
    assert use.marginal_step == "+1 MW"
    assert use.marginal_method == "re-solve"
    free = solve_plan(scenario(row=[ROW], candidate=ALPHA), ideal_catalog)
    assert units_of(free, "alpha") == 10
    assert use.marginal == pytest.approx(4 * per_unit_pflops, rel=1e-3)


def test_a_battery_meets_the_band_so_used_is_the_swing_after_mitigation(ideal_catalog):
    """Budget 10 MUSD, battery only (test_swing): 9 units swing 720 kW, a 220 kW battery brings
    it to the 500 kW band: used 0.5 of 0.5 MW, binding; the value is a number or a reason."""
    header = {"budget": "10000000 USD"}
    scn = scenario(row=[ROW], candidate=ALPHA, header=header, utility_limit=_limit(mitigation=["battery"]))
    plan = solve_plan(scn, ideal_catalog, True)
    use = _swing_use(plan)
    assert use.used == pytest.approx(0.5) and use.binding
    assert use.marginal is not None or (use.marginal_text or "").startswith("not valued: ")
    # +1 MW: 10 units swing 800 kW inside 1.5 MW, no battery: the budget buys the 10th unit
    if use.marginal is not None:
        assert use.marginal == pytest.approx(plan.compute_total.m_as("PFLOPS") / 9, rel=1e-3)


def test_inside_the_band_the_limit_is_listed_and_not_binding(ideal_catalog):
    """10 units swing 800 kW inside a 1 MW band: slack 200 kW > one unit's 80 kW."""
    header = {"budget": "10000000 USD"}
    plan = solve_plan(scenario(row=[ROW], candidate=ALPHA, header=header, utility_limit=_limit("1 MW")), ideal_catalog)
    use = _swing_use(plan)
    assert (use.used, use.allowed, use.binding) == (pytest.approx(0.8), pytest.approx(1.0), False)
    assert use.marginal_text is None


def test_the_relaxed_scenario_widens_only_that_sites_band(ideal_catalog):
    scn = scenario(row=[ROW], candidate=ALPHA, utility_limit=_limit(mitigation=[]))
    plan = solve_plan(scn, ideal_catalog)
    relaxed = relaxed_scenario(scn, _swing_use(plan))
    assert relaxed is not None and relaxed.utility_limit[0].swing_band.m_as("kW") == pytest.approx(1500.0)
    assert scn.utility_limit[0].swing_band.m_as("kW") == pytest.approx(500.0)


def test_no_utility_limit_lists_no_swing_band(ideal_catalog):
    plan = solve_plan(scenario(row=[ROW], candidate=ALPHA), ideal_catalog)
    assert [u for u in plan.limits if u.limit == SWING_LIMIT] == []


def test_the_enterprise_demos_swing_band_is_worth_the_battery_it_saves():
    """min-tco, portland-or: the band binds with a battery bought, so +1 MW of band saves 1 MW
    of battery: 1,000 kW x (capex / kW of the battery bought) [USD], its capex per kW
    c_kW + d x c_kWh whatever d is (the plan's own battery line)."""
    import json
    from pathlib import Path

    golden = Path(__file__).resolve().parents[1] / "data" / "golden" / "enterprise-hybrid.plan.json"
    plan = json.loads(golden.read_text())
    (line,) = [s for s in plan["swing"] if s["site"] == "portland-or"]
    per_mw_musd = line["capex"]["value"] / line["battery_power"]["value"] * 1000 / 1e6
    (use,) = [u for u in plan["limits"] if u["limit"] == SWING_LIMIT and u["scope"] == "portland-or"]
    assert use["binding"] and use["marginal"] == pytest.approx(per_mw_musd, rel=1e-3)
