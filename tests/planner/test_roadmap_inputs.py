"""roadmap_inputs (issue 14): every RoadmapInputs field of the small roadmap, derived by hand
from tests/data/roadmap/small.toml and the catalog figures it names."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import dcplan
from dcplan.models.calendar import Calendar
from dcplan.planner.roadmap_inputs import RoadmapInputError, _availability, period_scenario, roadmap_inputs
from dcplan.planner.scenario import parse_scenario

SMALL = Path(__file__).resolve().parents[1] / "data" / "roadmap" / "small.toml"
GB = "phx1-dlc/gb300-nvl72/dlc-cdu"
VR = "phx1-dlc/vera-rubin-nvl144/dlc-cdu"


@pytest.fixture(scope="module")
def catalog() -> Any:
    return dcplan.load_catalog(use_env=False)


def small(**tables: Any) -> dict[str, Any]:
    data = tomllib.loads(SMALL.read_text(encoding="utf-8"))
    for name, value in tables.items():
        data[name] = value
    return data


def inputs_of(data: dict[str, Any], catalog: Any) -> Any:
    return roadmap_inputs(parse_scenario(data, "small.toml"), catalog)


@pytest.fixture(scope="module")
def base(catalog: Any) -> Any:
    return inputs_of(small(), catalog)


def test_calendar_fields(base):
    """2026Q3..2028Q2; 2026Q3 has 31 + 31 + 30 = 92 days = 2,208 h, 2027Q1 90 days = 2,160 h,
    2028Q1 (leap) 91 days = 2,184 h; nominal years 0.25 t."""
    periods = base.periods
    assert [p.label for p in periods] == [
        "2026Q3",
        "2026Q4",
        "2027Q1",
        "2027Q2",
        "2027Q3",
        "2027Q4",
        "2028Q1",
        "2028Q2",
    ]
    assert [p.index for p in periods] == list(range(8))
    assert periods[0].start == date(2026, 7, 1) and periods[7].start == date(2028, 4, 1)
    assert [periods[t].hours for t in (0, 2, 6)] == [2208.0, 2160.0, 2184.0]
    assert [p.years_from_start for p in periods] == [0.25 * t for t in range(8)]
    assert all(p.years == 0.25 for p in periods)
    assert base.horizon_years == 2.0


def test_every_period_shares_the_union_structure(base):
    """Same scenario, options, halls, pairs and groups objects (the model patches one block)."""
    first = base.periods[0].data
    for p in base.periods:
        assert p.data.scenario is first.scenario
        assert p.data.options is first.options
        assert p.data.halls is first.halls
        assert p.data.pairs is first.pairs
        assert p.data.supply_groups is first.supply_groups
        assert [o.key for o in p.data.options] == [o.key for o in first.options]


def test_the_period_scenario_has_no_money_caps_or_roadmap(base):
    header = base.periods[0].data.scenario.scenario
    assert header.budget is None and header.annual_opex_budget is None
    assert header.objective == "max-delivered"  # every workload has a class
    scenario = base.periods[0].data.scenario
    assert scenario.roadmap is None and not scenario.site_power and scenario.hall[1].ready is None
    assert base.scenario.roadmap is not None  # the roadmap scenario is echoed as given


def test_site_power_steps(base):
    """12 MW until the step in 2027Q3 (t = 4), then 30 MW; periods before share the union's sites."""
    kw = [p.data.sites["phoenix-az"].limits.utility_power.m_as("kW") for p in base.periods]
    assert kw == [12000.0] * 4 + [30000.0] * 4
    assert base.periods[0].data.sites is base.periods[3].data.sites
    assert base.periods[4].data.sites["phoenix-az"] is base.periods[7].data.sites["phoenix-az"]


def test_energised_note_on_the_step_period(base):
    notes = [p.energised_note for p in base.periods]
    assert notes[4] == "phoenix-az: utility step to 30 MW expected 2027Q2-2028Q1"
    assert notes[:4] == [None] * 4 and notes[5:] == [None] * 3


def test_demand_steps(base):
    """2,000 delivered PFLOPS until 2027Q1 (t = 2), then 5,000."""
    values = [p.data.needs["pretraining"].value for p in base.periods]
    assert values == [2000.0, 2000.0] + [5000.0] * 6
    assert {p.data.needs["pretraining"].unit for p in base.periods} == {"delivered PFLOPS"}


def test_installable_from_catalog_dates(base, catalog):
    """Vera Rubin's available_from is 2026-08-01, after 2026Q3 starts (2026-07-01): installable
    from 2026Q4; GB300 (2025-07-01) from the start."""
    assert catalog.system("vera-rubin-nvl144").available_from.value == date(2026, 8, 1)
    assert GB in base.periods[0].installable and VR not in base.periods[0].installable
    assert all(VR in p.installable for p in base.periods[1:])
    assert all(p.purchasable <= p.installable for p in base.periods)


def test_available_until_ends_purchases():
    """A stub system sold 2027-01-01 to 2027-07-01: installable from t = 2 (2027Q1), no longer
    purchasable from t = 4 (2027Q3 starts on its end of sale)."""
    cal = Calendar(date(2026, 7, 1), "quarter", 8)
    stub = SimpleNamespace(
        available_from=SimpleNamespace(value=date(2027, 1, 1)), available_until=SimpleNamespace(value=date(2027, 7, 1))
    )
    forever = SimpleNamespace(available_from=None, available_until=None)
    systems = {"late": stub, "always": forever}
    first, until = _availability(SimpleNamespace(system=systems.__getitem__), set(systems), cal)
    assert first == {"late": 2, "always": 0}
    assert until == {"late": 4, "always": 8}


def test_halls_ready_with_fit_out(base):
    """phx-2: shell ready 2027Q1 (t = 2) + one quarter of fit-out: usable from 2027Q2 (t = 3)."""
    assert [sorted(p.halls_ready) for p in base.periods] == [["phx-1"]] * 3 + [["phx-1", "phx-2"]] * 5


def test_a_shell_ready_mid_period_is_usable_from_the_next(catalog):
    data = small()
    data["hall"][1]["ready"] = "2027-02-10"  # inside 2027Q1 -> 2027Q2, + 1 quarter -> 2027Q3
    assert [("phx-2" in p.halls_ready) for p in inputs_of(data, catalog).periods] == [False] * 4 + [True] * 4


def test_unit_capex_with_the_price_decline(base, catalog):
    """GB300 declines 15 % a year: c(t) = capex - c_IT + c_IT x 0.85^(0.25 t), c_IT = its
    catalog capex (3.5 MUSD); Vera Rubin has no [[price]]: its option capex every period."""
    option = next(o for o in base.periods[0].data.options if o.key == GB)
    it = float(catalog.system("gb300-nvl72").capex.magnitude)
    assert option.coeff.capex_it_usd == it
    for p in base.periods:
        expected = option.capex_per_unit_usd - it + it * 0.85 ** (0.25 * p.index)
        assert p.unit_capex_usd[GB] == pytest.approx(expected, rel=1e-12)
    vr = next(o for o in base.periods[0].data.options if o.key == VR)
    assert {p.unit_capex_usd[VR] for p in base.periods} == {vr.capex_per_unit_usd}


def test_price_steps_and_the_star_decline(catalog):
    """A Vera Rubin step to 4 MUSD from 2027Q1 (t = 2) replaces its IT price from then on;
    '*' declines every other system (GB300 has its own 15 %, which wins)."""
    data = small()
    data["price"] += [
        {"system": "vera-rubin-nvl144", "from": "2027Q1", "capex": "4e6 USD"},
        {"system": "*", "decline_per_year": 0.5},
    ]
    got = inputs_of(data, catalog)
    vr = next(o for o in got.periods[0].data.options if o.key == VR)
    it = vr.coeff.capex_it_usd
    assert [p.unit_capex_usd[VR] for p in got.periods] == [vr.capex_per_unit_usd] * 2 + [
        vr.capex_per_unit_usd - it + 4e6
    ] * 6
    gb = next(o for o in got.periods[0].data.options if o.key == GB)
    assert got.periods[4].unit_capex_usd[GB] == pytest.approx(
        gb.capex_per_unit_usd - gb.coeff.capex_it_usd * (1 - 0.85**1.0)
    )


def test_budgets(base, catalog):
    """[scenario] budget 3e9 USD = 3,000 MUSD in total; '2026' covers 2026Q3 + 2026Q4 (t = 0, 1)
    together: a group, not a per-period cap; a quarter budget is that period's cap."""
    assert base.total_capex_budget_musd == 3000.0
    assert base.extras["capex_budget_groups"] == [((0, 1), 1200.0)]
    assert all(p.capex_budget_musd is None for p in base.periods)
    data = small()
    data["period_budget"] += [{"period": "2027Q2", "capex": "5e8 USD"}]
    got = inputs_of(data, catalog)
    assert [p.capex_budget_musd for p in got.periods] == [None, None, None, 500.0, None, None, None, None]


def test_a_year_budget_on_a_yearly_roadmap_is_per_period(catalog):
    data = small()
    data["roadmap"] = {"start": "2026", "period": "year", "periods": 3}
    data["hall"][1]["fit_out"] = "1 year"  # 2027 ready + 1 year -> 2028 (t = 2)
    data["period_budget"] = [{"period": "2027", "capex": "7e8 USD"}]
    got = inputs_of(data, catalog)
    assert [p.capex_budget_musd for p in got.periods] == [None, 700.0, None]
    assert "capex_budget_groups" not in got.extras
    assert [p.hours for p in got.periods] == [8760.0, 8760.0, 8784.0]
    assert [("phx-2" in p.halls_ready) for p in got.periods] == [False, False, True]


def test_allocation_caps(base, catalog):
    """GB300: 24 units added per period in every period; a cap of 0 makes it not purchasable."""
    assert all(p.allocation_caps == {"gb300-nvl72": 24} for p in base.periods)
    data = small()
    data["allocation"] = [
        {"system": "gb300-nvl72", "until": "2026Q4", "max_units": 0},
        {"system": "gb300-nvl72", "from": "2027Q1", "max_units": 10},
    ]
    got = inputs_of(data, catalog)
    assert [p.allocation_caps.get("gb300-nvl72") for p in got.periods] == [0, 0] + [10] * 6
    assert [GB in p.purchasable for p in got.periods] == [False, False] + [True] * 6
    assert all(GB in p.installable for p in got.periods)  # held units may stay; none bought


def test_it_lives(base, catalog):
    """GB300 and Vera Rubin give no it_life: the catalog default (5 y); a Trainium system its own."""
    default = float(catalog.defaults.it_life.value.m_as("year"))
    assert base.it_life_years == {o.key: default for o in base.periods[0].data.options}
    assert catalog.system("gb300-nvl72").it_life is None


def test_lead_periods_from_the_catalog(base, catalog):
    """ceil(lead years / 0.25 - 1e-9): the catalog's distribution transformer 2 y -> 8 quarters,
    UPS 32 weeks = 0.613 y -> 3, the generator class reads diesel-generator 34 weeks = 0.652 y -> 3."""
    lead = {
        catalog.lead_time(i).equipment: float(catalog.lead_time(i).lead_time.value.m_as("year"))
        for i in catalog.items["lead_time"]
    }
    import math

    expected = {
        "distribution-transformer": math.ceil(lead["distribution-transformer"] / 0.25 - 1e-9),
        "ups": math.ceil(lead["ups"] / 0.25 - 1e-9),
        "generator": math.ceil(lead["diesel-generator"] / 0.25 - 1e-9),
    }
    assert base.lead_periods == expected == {"distribution-transformer": 8, "ups": 3, "generator": 3}


def test_lead_times_off(catalog):
    data = small()
    data["roadmap"]["lead_times"] = False
    assert set(inputs_of(data, catalog).lead_periods.values()) == {0}


def test_ordered_equipment(catalog):
    """Delivered before the start: period 0; on 2027-02-15: the period containing it (2027Q1, t = 2)."""
    data = small()
    data["ordered"] = [
        {"hall": "phx-1", "equipment": "distribution-transformer", "count": 4, "delivered": "2025-11-01"},
        {"site": "phoenix-az", "equipment": "generator", "count": 2, "delivered": "2027-02-15"},
    ]
    got = inputs_of(data, catalog)
    assert [(o.equipment, o.owner, o.count, o.delivered) for o in got.ordered] == [
        ("distribution-transformer", "phx-1", 4, 0),
        ("generator", "phoenix-az", 2, 2),
    ]


def test_a_demand_step_to_zero_ends_the_workload(catalog):
    """From 2027Q4 (t = 5) the floor is 0 and its pairs give nothing; earlier periods keep the
    union's pairs; periods with the same ended set share one pairs object."""
    data = small()
    data["demand"] += [{"workload": "pretraining", "from": "2027Q4", "delivered": "0 PFLOPS"}]
    got = inputs_of(data, catalog)
    assert [p.data.needs["pretraining"].value for p in got.periods] == [2000.0] * 2 + [5000.0] * 3 + [0.0] * 3
    union = got.periods[0].data.pairs
    assert all(p.data.pairs is union for p in got.periods[:5])
    ended = got.periods[5].data.pairs
    assert ended is not union and got.periods[7].data.pairs is ended
    assert all(pair.delivered_pflops_per_unit == 0.0 and pair.rate == 0.0 for pair in ended.values())
    assert any(pair.delivered_pflops_per_unit > 0 for pair in union.values())


def test_cloud_schedule(catalog):
    """Quota 2 then 5 from 2027Q1 (t = 2); price 400 USD/h then 300 from 2027Q3 (t = 4)."""
    data = small()
    data["workload"][0]["software"] = ["cuda", "neuron"]
    data["cloud"] = [
        {"id": "c1", "region": "us-east-1", "system": "trn3-ultraserver-gen2", "quota": 2, "price": "400 USD/h"}
    ]
    data["cloud_schedule"] = [
        {"cloud": "c1", "from": "2027Q1", "quota": 5},
        {"cloud": "c1", "from": "2027Q3", "price": "300 USD/h"},
    ]
    got = inputs_of(data, catalog)
    clouds = [p.data.clouds[0] for p in got.periods]
    assert [c.quota for c in clouds] == [2, 2, 5, 5, 5, 5, 5, 5]
    assert [c.hourly_usd for c in clouds] == [400.0] * 4 + [300.0] * 4
    assert got.periods[0].data.clouds is got.periods[1].data.clouds  # unchanged periods share the union's list


def test_steps_before_the_start_hold_in_date_order(catalog):
    data = small()
    data["site_power"] += [
        {"site": "phoenix-az", "from": "2025Q3", "power": "8 MW"},
        {"site": "phoenix-az", "from": "2025Q1", "power": "5 MW"},
    ]
    kw = [p.data.sites["phoenix-az"].limits.utility_power.m_as("kW") for p in inputs_of(data, catalog).periods]
    assert kw == [8000.0] * 4 + [30000.0] * 4


def test_objective_and_money_fields(base):
    assert base.objective == "max-cumulative-delivered"
    assert base.discount_rate == 0.08
    assert base.discount_delivered is False
    assert base.facility_life_years == 15.0
    assert base.discount_factor(1.0) == pytest.approx(1 / 1.08)


def test_a_single_period_scenario_is_refused_in_one_line(catalog):
    scenario = dcplan.load_scenario(dcplan.SCENARIO_DIR / "enterprise-hybrid.toml")
    with pytest.raises(RoadmapInputError) as err:
        roadmap_inputs(scenario, catalog)
    assert "no [roadmap] table" in str(err.value) and "\n" not in str(err.value)


def test_period_scenario_of_shorthand_workloads_is_max_compute():
    data = small()
    data["workload"] = [{"id": "w", "demand": "100 PFLOPS", "software": ["cuda"]}]
    data["demand"] = [{"workload": "w", "from": "2027Q1", "demand": "300 PFLOPS"}]
    assert period_scenario(parse_scenario(data)).scenario.objective == "max-compute"


def test_consistent_drops_references_to_removed_options(base):
    """An extension that removes an option (EXTRAS' slot-blocked ones) may leave its pairs,
    eligible keys and groups behind; _consistent drops them so build_direct finds every key."""
    from dataclasses import replace

    from dcplan.planner.roadmap_inputs import _consistent

    data = base.periods[0].data
    assert _consistent(data) is data  # nothing missing: the same object
    kept = [o for o in data.options if o.key != GB]
    fixed = _consistent(replace(data, options=kept))
    assert all(GB not in keys for keys in fixed.eligible.values())
    assert all(key[1] != GB for key in fixed.pairs)
    assert all(GB not in members and first != GB for first, members in fixed.supply_groups.items())
    assert any(key[1] == GB for key in data.pairs)  # it was referred to before
