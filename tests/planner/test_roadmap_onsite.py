"""On-site power over a roadmap (planner.roadmap_onsite): the bridge genset before grid
energisation, hand-derived on the ideal catalog (tests/data/handcat, as tests/planner/
test_onsite.py): alpha draws 100 kW design and average facility power per unit and gives
100 PFLOPS; ideal-gas is 200 kW x 0.5 = 100 kW usable, 100,000 USD a unit, 2.5 x 0.06 =
0.15 USD of fuel + 0.01 USD variable O&M = 0.16 USD and 2.5 x 0.2 = 0.5 kg CO2 per electric
kWh against the grid's 0.1 USD and 0.2 kg, fixed O&M 10 USD/kW-yr x 200 kW = 2,000 USD a
unit-year (0.014 MUSD a year for 7 units, owned, running or not), lead time 1 year. One row holds 10 units. Periods are years (8760 h); the grid is 300 kW
until period 3 (index 3) and 1 MW from then; at most 7 gensets.

Hand case (max-cumulative-delivered: every period holds as many alpha as fit):
- t = 0: the lead time (1 y) keeps gensets out (s_0 = 0 < 1): 100 u <= 300 -> u = 3;
- t = 1, 2: 100 u <= 300 + 100 n, n <= 7 -> u = 10 with n = 7; prime_energy: 1000 -
  prime_kw <= 300 and prime_capacity prime_kw <= 700: the gensets run 700 kW on average,
  6,132 MWh a year (700 x 8760), burning 2.5 x 6,132 = 15,330 MWh of fuel, 0.5 x 6.132e6 kg
  = 3,066 t CO2;
- t = 3: the grid carries 1000 kW; the 7 gensets are kept (prime_kept) but generate 0 (each
  kWh would cost 0.16 - 0.1 = 0.06 USD more than the grid's).
Capex [MUSD]: 3 units; 7 units + 7 x 0.1 gensets = 7.7; 0; 0. Opex [MUSD]: 100 kW x 8760 h
x 0.1 USD = 87,600 USD a unit-year: 0.2628; 0.876 + 0.06 x 6.132e6 / 1e6 + 0.014 = 0.876 +
0.36792 + 0.014 = 1.25792 in t = 1 and 2; 0.876 + 0.014 (idle gensets' fixed O&M) = 0.890.
"""

from __future__ import annotations

import copy
import random
from dataclasses import replace
from typing import Any

import pytest

from dcplan.models.errors import DcplanError
from dcplan.planner.roadmap_model import build_roadmap
from dcplan.planner.roadmap_onsite import onsite_hook
from dcplan.planner.roadmap_swing import swing_hook
from tests.planner.conftest import BASE, scenario
from tests.planner.test_onsite import ROW
from tests.planner.test_roadmap_model import roadmap, site_data, solved, units

ALPHA = "r1/alpha/ideal-dlc"
GRID_MW = (0.3, 0.3, 0.3, 1.0)


def _onsite(**more: Any) -> list[dict[str, Any]]:
    return [{"site": "cold-aws", "prime_mover": "ideal-gas", "max_units": 7, **more}]


def bridge_roadmap(
    catalog: Any, onsite: list[dict[str, Any]] | None, mw: tuple[float, ...] = GRID_MW, **prime: float
) -> Any:
    """alpha in one row of 10 units, ``len(mw)`` yearly periods, period t's grid mw[t];
    ``prime`` replaces prime mover figures (models.onsite.PrimeMoverFigures fields)."""
    extra = {} if onsite is None else {"onsite_power": onsite}
    by_mw = {m: site_data(catalog, m, row=[ROW], candidate=[{"system": "alpha"}], **extra) for m in set(mw)}
    if prime:
        by_mw = {
            m: replace(d, onsite={s: replace(o, prime=replace(o.prime, **prime)) for s, o in d.onsite.items()})
            for m, d in by_mw.items()
        }
    return roadmap(lambda t: by_mw[mw[t]], len(mw), years=1.0)


def _value(outcome: Any, name: str, t: int) -> float:
    return float(outcome.periods[t].values.get(name, {}).get("cold-aws", 0.0))


def test_a_bridge_genset_carries_the_site_until_the_grid_arrives(ideal_catalog: Any) -> None:
    """The module docstring's hand case: units 3, 10, 10, 10; gensets 0, 7, 7, 7 (kept),
    running 0, 700, 700, 0 kW; capex and opex as derived there."""
    outcome = solved(bridge_roadmap(ideal_catalog, _onsite()))
    assert units(outcome, ALPHA) == [3, 10, 10, 10]
    assert [round(_value(outcome, "prime_n", t)) for t in range(4)] == [0, 7, 7, 7]
    assert [_value(outcome, "prime_kw", t) for t in range(4)] == pytest.approx([0, 700, 700, 0], abs=1e-6)
    assert outcome.capex_musd == pytest.approx([3.0, 7.7, 0.0, 0.0])
    assert outcome.opex_musd == pytest.approx([0.2628, 1.25792, 1.25792, 0.890])


@pytest.mark.parametrize(
    ("variable_om", "running_kw", "opex_t3"),
    [
        # fuel 2.5 x 0.036 = 0.09 USD/kWh < grid 0.1: the owned gensets keep running in t = 3,
        # 0.876 - 0.01 x 700 x 8760 / 1e6 + 0.014 = 0.876 - 0.06132 + 0.014 = 0.82868 MUSD
        (0.0, 700.0, 0.82868),
        # + 0.02 USD/kWh variable O&M: 0.11 > 0.1, so grid power is bought and they stand idle,
        # paying only their fixed O&M: 0.876 + 0.014 = 0.890 MUSD
        (0.02, 0.0, 0.890),
    ],
)
def test_variable_om_flips_running_the_owned_gensets_against_buying_grid_power(
    ideal_catalog: Any, variable_om: float, running_kw: float, opex_t3: float
) -> None:
    """In t = 3 the grid (1 MW) could carry the whole 1,000 kW; the 7 gensets bought for t = 1
    are kept. Whether they run (prime_kw up to 7 x 100 = 700 kW) is the sign of c_e + v - c_grid
    alone. Both builders give the same LP and optimum."""
    from tests.planner.test_roadmap_formulation_hooks import _agree, _with

    inputs = bridge_roadmap(ideal_catalog, _onsite(), fuel_usd_per_kwh=0.036, variable_om_usd_per_kwh=variable_om)
    outcome = solved(inputs)
    assert [round(_value(outcome, "prime_n", t)) for t in range(4)] == [0, 7, 7, 7]
    assert [_value(outcome, "prime_kw", t) for t in range(4)] == pytest.approx([0, 700, 700, running_kw], abs=1e-6)
    assert outcome.opex_musd[3] == pytest.approx(opex_t3)
    _agree(_with(inputs, "max-cumulative-delivered"))


def test_the_gensets_are_written_off_over_the_facility_life(ideal_catalog: Any) -> None:
    """Residual at E = 4 y: the 0.7 MUSD of gensets built at s = 1 y keep 1 - 3 / 15 = 0.8 of
    their value, 0.56 MUSD. The units' residual is 3 MUSD x (1 - 4/5) + 7 MUSD x (1 - 3/5)
    = 0.6 + 2.8 (IT life 5 y)."""
    outcome = solved(bridge_roadmap(ideal_catalog, _onsite()))
    assert outcome.residual_musd == pytest.approx(0.6 + 2.8 + 0.56)


def test_without_gensets_the_small_grid_holds_three_units(ideal_catalog: Any) -> None:
    """No [[onsite_power]]: 3, 3, 3, 10 units (300 kW, then 1 MW), no on-site column."""
    outcome = solved(bridge_roadmap(ideal_catalog, None))
    assert units(outcome, ALPHA) == [3, 3, 3, 10]
    assert not outcome.periods[0].values.get("prime_n")


def test_no_lead_time_lets_the_gensets_run_from_the_start(ideal_catalog: Any) -> None:
    """With [roadmap] lead_times = false the genset may stand in t = 0 too: 10 units in every
    period, 7 gensets from t = 0 (capex 10 + 0.7 = 10.7 MUSD then, nothing after)."""
    inputs = bridge_roadmap(ideal_catalog, _onsite())
    no_lead = scenario(roadmap={"start": "2026", "period": "year", "periods": 4, "lead_times": False})
    outcome = solved(replace(inputs, scenario=no_lead))
    assert units(outcome, ALPHA) == [10, 10, 10, 10]
    assert [round(_value(outcome, "prime_n", t)) for t in range(4)] == [7, 7, 7, 7]
    assert outcome.capex_musd == pytest.approx([10.7, 0.0, 0.0, 0.0])


def test_islanded_step_load_holds_per_period(ideal_catalog: Any) -> None:
    """Islanded, each genset takes 80 kW of a job start step and each alpha steps 80 kW:
    80 u <= 80 n in every period (the step rule holds whatever the grid carries). t = 0 has
    no gensets (lead time), so 80 u <= 0: no units; from t = 1, u <= n <= 7. Units 0, 7, 7, 7."""
    outcome = solved(bridge_roadmap(ideal_catalog, _onsite(islanded=True)))
    assert units(outcome, ALPHA) == [0, 7, 7, 7]
    assert [round(_value(outcome, "prime_n", t)) for t in range(4)] == [0, 7, 7, 7]


def test_curtailment_is_a_binary_per_period(ideal_catalog: Any) -> None:
    """No gensets; an offer of 876 h (10 %) for +700 kW. With 300 kW: 3 units (300 PFLOPS)
    or, curtailed, 10 units at 0.9 x 1000 = 900 PFLOPS: taken in t = 0..2. With the 1 MW grid
    10 units fit without it (1000 > 900): not taken in t = 3. Delivered [PFLOPS]: 900, 900,
    900, 1000 (the curtailed work counts against the objective)."""
    offer = [{"site": "cold-aws", "curtailment_hours": 876.0, "curtailment_grid": "700 kW"}]
    outcome = solved(bridge_roadmap(ideal_catalog, offer))
    assert units(outcome, ALPHA) == [10, 10, 10, 10]
    assert [round(_value(outcome, "curtail", t)) for t in range(4)] == [1, 1, 1, 0]
    assert outcome.delivered_pflops == pytest.approx([900.0, 900.0, 900.0, 1000.0])


# -- both builders -----------------------------------------------------------------------


_CURTAIL = [{"site": "cold-aws", "curtailment_hours": 876.0, "curtailment_grid": "700 kW"}]


@pytest.mark.parametrize(
    ("objective", "onsite"),
    [
        *(
            (objective, onsite)
            for objective in ("max-cumulative-delivered", "min-npv-tco")
            for onsite in (_onsite(), _onsite(islanded=True))
        ),
        # a roadmap refuses a curtailment offer under min-npv-tco (planner.scenario_roadmap)
        ("max-cumulative-delivered", _CURTAIL),
    ],
)
def test_both_builders_give_the_same_lp(ideal_catalog: Any, objective: str, onsite: Any) -> None:
    """planner.roadmap_onsite in the direct builder and its Pyomo twin: the same columns,
    rows and optimum (the harness of tests/planner/test_roadmap_formulation_hooks.py)."""
    from tests.planner.test_roadmap_formulation_hooks import _agree, _with

    inputs = bridge_roadmap(ideal_catalog, onsite)
    if objective == "min-npv-tco":
        inputs = replace(inputs, objective=objective)
    _, model = _agree(_with(inputs, objective))
    assert hasattr(model, "prime_kept")


def test_the_hook_adds_its_rows_only_with_onsite_power(ideal_catalog: Any) -> None:
    """prime_kept rows for t >= 1 (3 of 4 periods) with gensets; none without."""
    with_units = build_roadmap(bridge_roadmap(ideal_catalog, _onsite()), hooks=[swing_hook, onsite_hook])
    assert sum(1 for name, _ in with_units.rows if name == "prime_kept") == 3
    without = build_roadmap(bridge_roadmap(ideal_catalog, None), hooks=[swing_hook, onsite_hook])
    assert not any(name == "prime_kept" for name, _ in without.rows)


# -- the scenario, the plan, the re-check --------------------------------------------------

ROADMAP = {"start": "2026", "period": "year", "periods": 4, "objective": "max-cumulative-delivered"}
#: the ideal plant on order before the start, so the catalog's transformer, UPS and generator
#: lead times (catalogs/) do not hold the fleet back: only the genset's lead time is at play
ORDERED = [
    {"hall": "h1", "equipment": "distribution-transformer", "count": 100, "delivered": "2025"},
    {"hall": "h1", "equipment": "ups", "count": 100, "delivered": "2025"},
    {"site": "cold-aws", "equipment": "generator", "count": 100, "delivered": "2025"},
]


def _scenario_data(onsite: list[dict[str, Any]]) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(
        row=[ROW],
        candidate=[{"system": "alpha"}],
        site=[{"id": "cold-aws", "utility_power": "300 kW"}],
        site_power=[{"site": "cold-aws", "from": "2029", "power": "1 MW"}],
        onsite_power=onsite,
        roadmap=ROADMAP,
        ordered=ORDERED,
    )
    data["scenario"].pop("objective")
    return data


def _plan(data: dict[str, Any], catalog: Any) -> Any:
    from dcplan.planner.pipeline import PlanOptions
    from dcplan.planner.roadmap_pipeline import plan_roadmap
    from dcplan.planner.scenario import parse_scenario
    from dcplan.planner.solve import SolveSettings

    options = PlanOptions(settings=SolveSettings(time_limit_s=30.0, rel_gap=1e-9), marginals=False)
    return plan_roadmap(parse_scenario(data), catalog, options)


def test_the_roadmap_plan_reports_gensets_per_period_and_rechecks(ideal_catalog: Any) -> None:
    """A [roadmap] scenario (2026..2029, the grid stepping 300 kW -> 1 MW in 2029, so the
    model's patched blocks carry the step in prime_energy too): the hand case's figures in
    each period's OnsiteLine and genset equipment line, the timeline's capex charging the
    gensets once (2027: 7 MUSD of units + 0.7), and the re-check passes."""
    plan = _plan(_scenario_data(_onsite()), ideal_catalog)
    assert plan.recheck.ok, plan.recheck.violations
    lines = [p.plan.onsite[0] for p in plan.periods]
    assert [line.units for line in lines] == [0, 7, 7, 7]
    assert [line.generated_mwh_per_year for line in lines] == pytest.approx([0, 6132, 6132, 0], abs=1e-6)
    assert [line.fuel_mwh_per_year for line in lines] == pytest.approx([0, 15330, 15330, 0], abs=1e-6)
    assert [line.carbon_t_per_year for line in lines] == pytest.approx([0, 3066, 3066, 0], abs=1e-6)
    gensets = [[e for e in p.plan.equipment if e.item == "gensets"] for p in plan.periods]
    assert [sum(e.count for e in g) for g in gensets] == [0, 7, 7, 7]
    assert [round(point.capex_musd, 6) for point in plan.timeline] == pytest.approx([3.0, 7.7, 0.0, 0.0])
    assert [round(point.opex_musd, 6) for point in plan.timeline] == pytest.approx([0.2628, 1.25792, 1.25792, 0.890])
    # the gensets' order: 7 standing from 2027, ordered their 1-year lead time (1 period) before
    (order,) = [o for o in plan.orders if o.equipment == "ideal-gas"]
    assert (order.owner, order.count, order.ordered, order.delivered, order.lead_time_periods) == (
        "cold-aws",
        7,
        "2026",
        "2027",
        1,
    )
    # the timeline's on-site columns: a year's figures x 1 y per period
    assert [point.onsite_gensets for point in plan.timeline] == [0, 7, 7, 7]
    assert [point.onsite_mw for point in plan.timeline] == pytest.approx([0, 0.7, 0.7, 0.7])
    assert [point.onsite_fuel_mwh for point in plan.timeline] == pytest.approx([0, 15330, 15330, 0], abs=1e-6)
    assert [point.onsite_co2_t for point in plan.timeline] == pytest.approx([0, 3066, 3066, 0], abs=1e-6)
    from dcplan.planner.roadmap_export import timeline_csv_text

    header, _, second, *_ = timeline_csv_text(plan).splitlines()
    columns = header.split(",")
    assert "onsite_fuel_mwh" in columns
    assert float(second.split(",")[columns.index("onsite_generated_mwh")]) == pytest.approx(6132.0)
    from dcplan.tui.screens.timeline import onsite_detail_line

    assert onsite_detail_line(plan.timeline[0]) == ""
    expected = "on-site 7 gensets, 0.7 MW, 6,132 MWh generated (15,330 MWh fuel, 3,066 t CO2)\n"
    assert onsite_detail_line(plan.timeline[1]) == expected
    from dcplan.planner.export_roadmap import period_figures

    on_site = {f.label: f.value for f in period_figures(plan.periods[1], plan) if f.section == "On-site"}
    assert on_site["gensets"] == 7 and on_site["fuel"] == pytest.approx(15330.0)
    assert not [f for f in period_figures(plan.periods[0], plan) if f.section == "On-site"]


def test_the_roadmap_plan_counts_the_curtailed_work(ideal_catalog: Any) -> None:
    """The curtailment case of test_curtailment_is_a_binary_per_period through the plan: the
    offer taken in 2026-2028 (10 units, 1000 PFLOPS peak, 10 % lost), not in 2029. The
    timeline delivers 900, 900, 900, 1000 PFLOPS; cumulative 365 x 900 + 365 x 900 + 366 x
    900 (2028 is a leap year) + 365 x 1000 = 1,351,400 PFLOP-days."""
    offer = [{"site": "cold-aws", "curtailment_hours": 876.0, "curtailment_grid": "700 kW"}]
    plan = _plan(_scenario_data(offer), ideal_catalog)
    assert plan.recheck.ok, plan.recheck.violations
    assert [p.plan.onsite[0].curtailment_hours_per_year for p in plan.periods] == pytest.approx([876, 876, 876, 0])
    assert [point.delivered_pflops for point in plan.timeline] == pytest.approx([900, 900, 900, 1000])
    assert [point.peak_pflops for point in plan.timeline] == pytest.approx([1000] * 4)
    assert plan.cumulative_delivered_pflop_days == pytest.approx(1_351_400.0)


def test_the_recheck_catches_a_genset_sold_or_before_its_lead_time(ideal_catalog: Any) -> None:
    """The roadmap re-check recomputes from the plans: a period showing fewer gensets than
    before, or gensets in 2026 (before the 1-year lead time), is reported."""
    from dcplan.planner.roadmap_inputs import roadmap_inputs
    from dcplan.planner.roadmap_onsite import onsite_roadmap_checks
    from dcplan.planner.scenario import parse_scenario

    data = _scenario_data(_onsite())
    plan = _plan(data, ideal_catalog)
    inputs = roadmap_inputs(parse_scenario(data), ideal_catalog)
    periods = list(plan.periods)
    checked, bad = onsite_roadmap_checks(inputs, periods)
    assert checked == 8 and bad == []

    def with_units(period: Any, n: int) -> Any:
        line = period.plan.onsite[0].model_copy(update={"units": n})
        return period.model_copy(update={"plan": period.plan.model_copy(update={"onsite": [line]})})

    periods[0], periods[3] = with_units(periods[0], 2), with_units(periods[3], 5)
    _, bad = onsite_roadmap_checks(inputs, periods)
    assert any("2026 cold-aws: 2 gensets before the 1-year lead time" in line for line in bad), bad
    assert any("2029 cold-aws: 5 gensets, fewer than the 7 built before" in line for line in bad), bad


def test_a_roadmap_accepts_onsite_power_but_refuses_curtailment_it_cannot_price() -> None:
    """[[onsite_power]] parses with [roadmap]; a curtailment offer under min-npv-tco is one
    clear line naming the entry and field."""
    from dcplan.planner.scenario import parse_scenario

    assert parse_scenario(_scenario_data(_onsite())).onsite_power[0].max_units == 7
    data = _scenario_data([{"site": "cold-aws", "curtailment_hours": 10.0, "curtailment_grid": "1 MW"}])
    data["roadmap"] = {**ROADMAP, "objective": "min-npv-tco"}
    with pytest.raises(DcplanError, match=r"\[\[onsite_power\]\] 1: curtailment_hours in a roadmap needs objective"):
        parse_scenario(data)


def test_hostile_onsite_rows_in_a_roadmap_never_crash(ideal_catalog: Any) -> None:
    """Seeded fuzz: random on-site rows (unit caps, islanded, offers, odd sites, prime movers
    and powers) and grid steps in the roadmap scenario either plan or fail with a
    DcplanError, never another exception; a plan that exists passes its re-check (and most
    draws do plan, so the fuzz reaches the solve)."""
    rng = random.Random(15)
    planned = 0
    for _ in range(16):
        row: dict[str, Any] = {"site": "nowhere" if rng.random() < 0.1 else "cold-aws"}
        if rng.random() < 0.85:
            row["prime_mover"] = "no-such-genset" if rng.random() < 0.1 else "ideal-gas"
            row["max_units"] = rng.choice([0, 1, 3, 7, 10_000, -1 if rng.random() < 0.3 else 2])
        if rng.random() < 0.5:
            row["islanded"] = rng.random() < 0.5
        if rng.random() < 0.4:
            row["curtailment_hours"] = rng.choice([1.0, 87.6, 876.0, 9000.0 if rng.random() < 0.3 else 10.0])
            row["curtailment_grid"] = rng.choice(["700 kW", "200 kW", "lots" if rng.random() < 0.3 else "1 MW"])
        data = _scenario_data([row])
        data["site_power"][0]["power"] = rng.choice(["1 MW", "100 kW", "5 MW"])
        try:
            plan = _plan(data, ideal_catalog)
        except DcplanError:
            continue
        planned += 1
        assert plan.recheck.ok, (row, plan.recheck.violations)
    assert planned >= 8


def test_onsite_figures_follow_the_options_the_roadmap_keeps(ideal_catalog: Any) -> None:
    """The roadmap's slot extension may drop options after the on-site figures were built
    (the demo roadmap's blocked slot options did: a KeyError in the re-check); the figures
    are cut to the options left, and the data is the same object when none was dropped."""
    from dcplan.planner.roadmap_onsite import onsite_within_options

    data = site_data(ideal_catalog, 0.3, row=[ROW], onsite_power=_onsite())
    assert onsite_within_options(data) is data
    alpha_only = replace(data, options=[o for o in data.options if o.key == ALPHA])
    cut = onsite_within_options(alpha_only).onsite["cold-aws"]
    assert set(data.onsite["cold-aws"].average_kw) == {ALPHA, "r1/beta/ideal-dlc"}
    assert set(cut.average_kw) == set(cut.step_kw) == set(cut.pflops) == {ALPHA}


def test_the_tie_break_bound_counts_every_allowed_genset(ideal_catalog: Any) -> None:
    """Per period (df = 1, y = 1): 7 x 0.1 MUSD + 1 y x (0.16 - 0.1) USD/kWh x 8760 h x 7 x
    100 kW + 1 y x 7 x 0.002 MUSD fixed O&M = 0.7 + 0.36792 + 0.014 = 1.08192 MUSD; four
    periods: 4.32768 MUSD (none without [[onsite_power]])."""
    from dcplan.planner.roadmap_onsite import onsite_npv_bound_musd

    assert onsite_npv_bound_musd(bridge_roadmap(ideal_catalog, _onsite())) == pytest.approx(4.32768)
    assert onsite_npv_bound_musd(bridge_roadmap(ideal_catalog, None)) == 0.0
