"""The roadmap tables of a scenario (issue 14, planner/scenario_roadmap.py): what they accept,
what they refuse (one line naming the table, entry and field), and that a single-period
scenario is untouched by them."""

from __future__ import annotations

import copy
import random
import tomllib
from pathlib import Path
from typing import Any

import pytest

import dcplan
from dcplan.planner.roadmap_types import ROADMAP_OBJECTIVES
from dcplan.planner.scenario import ScenarioError, load_scenario, parse_scenario
from dcplan.planner.scenario_roadmap import ROADMAP_FIELDS, ROADMAP_TABLES

SMALL = Path(__file__).resolve().parents[1] / "data" / "roadmap" / "small.toml"


def small() -> dict[str, Any]:
    return tomllib.loads(SMALL.read_text(encoding="utf-8"))


def refused(data: dict[str, Any]) -> str:
    """The one error line the scenario gives (and that it is one line)."""
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data, "x.toml")
    first = err.value.lines[0]
    assert "\n" not in first and first.startswith("x.toml: ")
    return first


def single_period() -> dict[str, Any]:
    data = small()
    for name in ("roadmap", *ROADMAP_TABLES):
        data.pop(name, None)
    for hall in data["hall"]:
        hall.pop("ready", None)
        hall.pop("fit_out", None)
    return data


def test_the_small_roadmap_loads():
    scenario = load_scenario(SMALL)
    assert scenario.roadmap is not None
    assert scenario.roadmap.calendar().labels[0] == "2026Q3"
    assert scenario.roadmap.calendar().periods == 8
    assert scenario.hall[1].ready == "2027Q1"
    assert float(scenario.hall[1].fit_out.m_as("year")) == 0.25
    assert scenario.site_power[0].from_ == "2027Q3"
    assert scenario.demand[0].field_name == "delivered"


def test_roadmap_objectives_match_the_types():
    from dcplan.planner.scenario_roadmap import RoadmapHeader

    assert RoadmapHeader.model_fields["objective"].annotation.__args__ == ROADMAP_OBJECTIVES


def test_roadmap_dump_round_trips():
    scenario = load_scenario(SMALL)
    dumped = scenario.model_dump(mode="json")
    assert dumped["site_power"][0]["from"] == "2027Q3"  # by alias, as the file writes it
    again = parse_scenario(copy.deepcopy(dumped))
    assert again.model_dump(mode="json") == dumped


@pytest.mark.parametrize("name", ["aws-hybrid-campus", "enterprise-hybrid"])
def test_a_single_period_scenario_dumps_without_roadmap_keys(name):
    """The plan echoes the scenario: no roadmap key may appear in a single-period dump."""
    dumped = dcplan.load_scenario(dcplan.SCENARIO_DIR / f"{name}.toml").model_dump(mode="json")
    assert not {"roadmap", *ROADMAP_TABLES} & set(dumped)
    for table, fields in ROADMAP_FIELDS.items():
        for item in dumped.get(table, []):
            assert not set(fields) & set(item), (table, item)


ENTRIES: dict[str, dict[str, Any]] = {
    "site_power": {"site": "phoenix-az", "from": "2027Q1", "power": "20 MW"},
    "period_budget": {"period": "2027", "capex": "1e8 USD"},
    "price": {"system": "gb300-nvl72", "decline_per_year": 0.1},
    "demand": {"workload": "pretraining", "from": "2027Q2", "delivered": "3000 PFLOPS"},
    "allocation": {"system": "gb300-nvl72", "max_units": 3},
    "ordered": {"hall": "phx-1", "equipment": "ups", "count": 2, "delivered": "2026Q4"},
    "cloud_schedule": {"cloud": "c1", "from": "2027Q1", "quota": 3},
    "ai_factory": {
        "id": "f1",
        "system": "trn3-ultraserver-gen2",
        "hall": "phx-1",
        "rate": "95 USD/hour",
        "min_units": 4,
        "commitment": "3 year",
    },
}


@pytest.mark.parametrize("table", ROADMAP_TABLES)
def test_a_roadmap_table_without_roadmap_is_refused(table):
    data = single_period()
    data[table] = [ENTRIES[table]]
    line = refused(data)
    assert f"[[{table}]] is roadmap-only" in line and "[roadmap]" in line


@pytest.mark.parametrize(
    ("table", "field", "value"),
    [
        ("hall", "ready", "2027Q1"),
        ("hall", "fit_out", "1 quarter"),
        ("row", "slot", "mgx-nvl72"),
        ("row", "density", [{"rack_kw": "140 kW", "capex": "1e6 USD"}]),
        ("cloud", "term", "reserved"),
    ],
)
def test_a_roadmap_field_without_roadmap_is_refused(table, field, value):
    data = single_period()
    if table == "cloud":
        data["cloud"] = [{"id": "c1", "region": "r", "system": "trn3-ultraserver-gen2", "quota": 2}]
    data[table][0][field] = value
    line = refused(data)
    assert f"[[{table}]] 1" in line and f"{field} is roadmap-only" in line


def test_every_roadmap_table_entry_is_accepted_with_roadmap():
    data = small()
    data["cloud"] = [{"id": "c1", "region": "r", "system": "trn3-ultraserver-gen2", "quota": 2}]
    for table, entry in ENTRIES.items():
        if table == "period_budget":
            entry = {"period": "2027Q2", "capex": "1e8 USD"}  # 2026 has one already
        if table in ("price", "allocation"):
            entry = dict(entry, system="vera-rubin-nvl144")
        data.setdefault(table, []).append(entry)
    scenario = parse_scenario(data)
    assert scenario.ordered[0].owner == "phx-1"
    assert scenario.ai_factory[0].from_ is None


@pytest.mark.parametrize("name", ["objective", "target", "tco_horizon", "annual_opex_budget"])
def test_replaced_scenario_fields_are_refused_with_roadmap(name):
    data = small()
    data["scenario"][name] = {
        "objective": "max-delivered",
        "target": "pretraining",
        "tco_horizon": "7 year",
        "annual_opex_budget": "1e8 USD",
    }[name]
    line = refused(data)
    # a target is refused first by the single-period rule (it needs min-time-to-train)
    assert f"[scenario]: {name} does not apply with [roadmap]" in line or (name == "target" and "target is for" in line)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"periods": None}, "exactly one of periods or end"),
        ({"end": "2028Q2"}, "exactly one of periods or end"),
        ({"periods": 0}, "periods"),
        ({"periods": 81}, "periods"),
        ({"start": "2026Q5"}, "expected a quarter"),
        ({"start": "soon"}, "expected a quarter"),
        ({"period": "month"}, "period"),
        ({"objective": "max-compute"}, "objective"),
        ({"facility_life": "-2 year"}, "facility_life"),
        ({"periods": None, "end": "2025Q1"}, "before start"),
        ({"colour": "red"}, "not a known field"),
    ],
)
def test_bad_roadmap_headers(change, words):
    data = small()
    for key, value in change.items():
        if value is None:
            data["roadmap"].pop(key)
        else:
            data["roadmap"][key] = value
    assert words in refused(data)


def test_end_instead_of_periods():
    data = small()
    data["roadmap"].pop("periods")
    data["roadmap"]["end"] = "2028Q2"
    assert parse_scenario(data).roadmap.calendar().periods == 8


def test_year_periods_and_iso_dates():
    data = small()
    data["roadmap"] = {"start": "2026-08-15", "period": "year", "periods": 3}
    data["period_budget"] = [{"period": "2027", "capex": "1e8 USD"}]
    scenario = parse_scenario(data)
    assert scenario.roadmap.calendar().labels == ["2026", "2027", "2028"]


@pytest.mark.parametrize(
    ("table", "entry", "words"),
    [
        ("site_power", {"site": "nowhere", "from": "2027Q1", "power": "1 MW"}, "site 'nowhere' is not a [[site]] id"),
        (
            "demand",
            {"workload": "w9", "from": "2027Q1", "delivered": "1 PFLOPS"},
            "workload 'w9' is not a [[workload]]",
        ),
        ("cloud_schedule", {"cloud": "c9", "from": "2027Q1", "quota": 1}, "cloud 'c9' is not a [[cloud]] id"),
        ("allocation", {"system": "dgx-h100", "max_units": 1}, "is not a [[candidate]] system"),
        ("price", {"system": "dgx-h100", "decline_per_year": 0.1}, "is not a [[candidate]] system"),
        ("ordered", {"hall": "h9", "equipment": "ups", "count": 1, "delivered": "2026Q3"}, "hall 'h9'"),
        ("ordered", {"site": "s9", "equipment": "generator", "count": 1, "delivered": "2026Q3"}, "site 's9'"),
        ("ordered", {"site": "phoenix-az", "equipment": "ups", "count": 1, "delivered": "2026Q3"}, "give hall only"),
        ("ordered", {"hall": "phx-1", "equipment": "generator", "count": 1, "delivered": "2026Q3"}, "give site only"),
        ("ordered", {"hall": "phx-1", "equipment": "chiller", "count": 1, "delivered": "2026Q3"}, "equipment"),
        ("site_power", {"site": "phoenix-az", "from": "2027Q3", "power": "40 MW"}, "one step per period"),
        ("site_power", {"site": "phoenix-az", "from": "2027-08-01", "power": "40 MW"}, "is in 2027Q3"),
        ("site_power", {"site": "phoenix-az", "from": "2027Q4", "power": "0 MW"}, "power"),
        ("site_power", {"site": "phoenix-az", "from": "2027Q4", "power": "9 MW", "low": "2028Q1"}, "low"),
        ("demand", {"workload": "pretraining", "from": "2027Q1", "delivered": "1 PFLOPS"}, "one step per period"),
        ("demand", {"workload": "pretraining", "from": "2027Q2", "chips": 10}, "states its demand as delivered"),
        ("demand", {"workload": "pretraining", "from": "2027Q2"}, "exactly one of"),
        ("demand", {"workload": "pretraining", "from": "2027Q2", "delivered": "-1 PFLOPS"}, "delivered"),
        ("price", {"system": "gb300-nvl72", "decline_per_year": 0.2}, "a second decline_per_year"),
        ("price", {"system": "gb300-nvl72", "from": "2027Q1", "capex": "3e6 USD"}, "both a decline and price steps"),
        ("price", {"system": "*", "from": "2027Q1", "capex": "3e6 USD"}, "system '*' takes decline_per_year only"),
        ("price", {"system": "vera-rubin-nvl144", "from": "2027Q1"}, "needs both from and capex"),
        ("price", {"system": "vera-rubin-nvl144", "decline_per_year": 1.0}, "decline_per_year"),
        ("allocation", {"system": "gb300-nvl72", "from": "2027Q1", "max_units": 1}, "overlaps"),
        ("allocation", {"system": "vera-rubin-nvl144", "from": "2027Q2", "until": "2027Q1", "max_units": 1}, "until"),
        ("period_budget", {"period": "2026", "capex": "1 USD"}, "a second budget"),
        ("period_budget", {"period": "2031", "capex": "1 USD"}, "outside the roadmap"),
        ("period_budget", {"period": "2027Q2", "capex": "-1 USD"}, "capex"),
        (
            "ai_factory",
            {"id": "f", "system": "x", "hall": "h9", "rate": "1 USD/h", "commitment": "1 year"},
            "hall 'h9'",
        ),
    ],
)
def test_bad_roadmap_entries_are_one_line(table, entry, words):
    data = small()
    data.setdefault(table, []).append(entry)
    line = refused(data)
    assert words in line, line
    assert f"[[{table}]]" in line, line


def test_a_quarter_budget_on_a_yearly_roadmap_is_refused():
    data = small()
    data["roadmap"] = {"start": "2026", "period": "year", "periods": 3}
    data["period_budget"] = [{"period": "2027Q2", "capex": "1 USD"}]
    data.pop("demand")
    data.pop("site_power")
    data["hall"][1]["fit_out"] = "1 year"
    assert "is a quarter, and the roadmap's periods are years" in refused(data)


def test_steps_before_the_start_are_not_overlaps():
    """Two steps before the start both fall before period 0: the later one holds at the start
    (roadmap_inputs), which is not ambiguous."""
    data = small()
    data["site_power"] += [
        {"site": "phoenix-az", "from": "2025Q1", "power": "5 MW"},
        {"site": "phoenix-az", "from": "2025Q3", "power": "8 MW"},
    ]
    assert len(parse_scenario(data).site_power) == 3


@pytest.mark.parametrize(
    ("cloud", "words"),
    [
        ({"term": "reserved"}, "a reserved term needs term_length"),
        ({"term": "capacity-block"}, "a capacity-block term needs term_length"),
        ({"term": "on-demand", "term_length": "1 year"}, "term_length applies to"),
        ({"term_length": "1 year"}, "term_length applies to"),
        ({"term": "spot"}, "term"),
    ],
)
def test_cloud_terms(cloud, words):
    data = small()
    data["cloud"] = [dict({"id": "c1", "region": "r", "system": "trn3-ultraserver-gen2", "quota": 2}, **cloud)]
    line = refused(data)
    assert words in line and ("[[cloud]] 1" in line or "[[cloud]] 'c1'" in line)


def test_cloud_terms_accepted():
    data = small()
    data["cloud"] = [
        {
            "id": "c1",
            "region": "r",
            "system": "trn3-ultraserver-gen2",
            "quota": 2,
            "term": "reserved",
            "term_length": "1 year",
        },
        {"id": "c2", "region": "r", "system": "trn3-ultraserver-gen2", "quota": 2, "term": "on-demand"},
    ]
    assert [c.term for c in parse_scenario(data).cloud] == ["reserved", "on-demand"]


def test_density_classes():
    data = small()
    data["row"][0]["density"] = [
        {"rack_kw": "140 kW", "capex": "1.1e6 USD"},
        {"rack_kw": "225 kW", "capex": "1.6e6 USD"},
    ]
    data["row"][0]["slot"] = "mgx-nvl72"
    assert len(parse_scenario(data).row[0].density) == 2
    data["row"][0]["density"].reverse()
    assert "strictly increasing" in refused(data)
    data["row"][0]["density"] = []
    assert "density" in refused(data)


def test_load_scenario_names_the_file(tmp_path):
    data = SMALL.read_text(encoding="utf-8").replace('from = "2027Q3"', 'from = "2027Q9"')
    path = tmp_path / "bad.toml"
    path.write_text(data, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert "bad.toml" in err.value.lines[0] and "[[site_power]]" in err.value.lines[0]
    assert "from" in err.value.lines[0]


HOSTILE: list[Any] = [
    None,
    "",
    "2027Q9",
    "x" * 5000,
    -1,
    0,
    1e308,
    float("nan"),
    True,
    [],
    {},
    ["2027Q1"],
    {"value": 1},
    "1 MW",
    "-5 year",
    "2027-02-30",
    "1e999 USD",
    "\x00\n",
]


def test_fuzz_roadmap_tables_never_crash():
    """Seeded random partial and hostile roadmap entries: a scenario or one ScenarioError,
    never another exception."""
    rng = random.Random(1414)
    outcomes = {"ok": 0, "refused": 0}
    base = small()
    tables = [*ROADMAP_TABLES, "roadmap", "hall", "row", "cloud"]
    for _ in range(400):
        data = copy.deepcopy(base)
        data["cloud"] = [{"id": "c1", "region": "r", "system": "trn3-ultraserver-gen2", "quota": 2}]
        for _ in range(rng.randint(1, 3)):
            table = rng.choice(tables)
            if table == "roadmap":
                target = data["roadmap"]
                fields = ["start", "period", "periods", "end", "objective", "facility_life", "lead_times"]
            elif table in ROADMAP_FIELDS:
                target = rng.choice(data[table])
                fields = list(ROADMAP_FIELDS[table])
            else:
                target = dict(ENTRIES[table])
                data.setdefault(table, []).append(target)
                fields = [*target, "from", "until", "low", "high"]
            field = rng.choice(fields)
            if rng.random() < 0.2:
                target.pop(field, None)
            else:
                target[field] = rng.choice(HOSTILE)
        try:
            parse_scenario(data, "fuzz.toml")
            outcomes["ok"] += 1
        except ScenarioError as err:
            assert err.lines and all("\n" not in line for line in err.lines), err.lines
            assert err.lines[0].startswith("fuzz.toml: ")
            outcomes["refused"] += 1
    assert outcomes["refused"] > 100 and outcomes["ok"] > 10, outcomes


def test_a_replaced_scenario_field_is_located_at_that_field():
    """The editor shows an error on its field: the error names [scenario] and the field."""
    from dcplan.planner.scenario import ScenarioError, parse_scenario

    data = small()
    data["scenario"]["tco_horizon"] = "7 year"
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, where="small.toml")
    assert caught.value.entry == "[scenario]" and caught.value.field == "tco_horizon"
