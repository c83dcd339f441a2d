"""Availability dates on systems and the [[lead_time]] kind (issue 14 item 2): parsing,
loader validation in one line per problem, the shipped data, and a fuzz of the new file."""

from __future__ import annotations

import json
import tempfile
import typing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from dcplan.models.catalog import BUILTIN_DIR, extend_catalog
from dcplan.models.catalog.schedule import EquipmentClass, parse_catalog_date, quarter_label
from dcplan.models.catalog.sourced import check_source_text
from dcplan.models.errors import DcplanError
from tests.conftest import user_system_toml
from tests.models.catalog_helpers import load_mine, only_problem

GOOD_FROM = 'available_from = { value = "2026-07-01", source = "mine", confidence = "vendor" }\n'


def with_dates(*lines: str, status: str = "shipping") -> str:
    """The conftest test rack (status replaced) with extra lines at the end of its table."""
    return user_system_toml().replace('status = "shipping"', f'status = "{status}"') + "".join(lines)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (date(2026, 7, 1), date(2026, 7, 1)),
        (datetime(2026, 7, 1), date(2026, 7, 1)),  # a TOML date-time at midnight
        ("2026-07-01", date(2026, 7, 1)),
        (" 2025-12-02 ", date(2025, 12, 2)),
        ("2026Q1", date(2026, 1, 1)),
        ("2026-q4", date(2026, 10, 1)),
        ("2027Q3", date(2027, 7, 1)),
    ],
)
def test_dates_and_quarters_parse(raw, expected):
    assert parse_catalog_date(raw) == expected
    assert quarter_label(expected) == f"{expected.year}Q{(expected.month + 2) // 3}"


@pytest.mark.parametrize(
    "raw",
    [
        "2026-13-01",
        "2026-02-30",
        "July 2026",
        "2026Q5",
        "26Q3",
        "",
        "2206-01-01",  # a typing slip for 2026
        "1999-12-31",
        20260701,  # a number is not read as a timestamp
        5,
        1.5,
        True,
        None,
        ["2026-07-01"],
        datetime(2026, 7, 1, 12, 30),
        datetime(2026, 7, 1, tzinfo=UTC),
    ],
)
def test_what_is_not_a_catalog_date_is_refused(raw):
    with pytest.raises(PydanticCustomError):
        parse_catalog_date(raw)


def test_a_system_may_carry_availability(user_dir):
    until = 'available_until = { value = "2029Q4", source = "mine", confidence = "vendor" }\n'
    system = load_mine(user_dir, with_dates(GOOD_FROM, until)).system("test-rack")
    assert system.available_from is not None and system.available_from.value == date(2026, 7, 1)
    assert system.available_from.source == "https://example.com/our-rack-spec"  # [sources] key resolved
    assert system.available_until is not None and system.available_until.value == date(2029, 10, 1)
    assert load_mine(user_dir, user_system_toml()).system("test-rack").available_from is None  # optional


def test_a_toml_date_loads_like_a_string(user_dir):
    line = "available_from = { value = 2026-07-01, high = 2026-10-01, source = 'mine', confidence = 'vendor' }\n"
    system = load_mine(user_dir, with_dates(line)).system("test-rack")
    assert system.available_from is not None and system.available_from.latest == date(2026, 10, 1)


@pytest.mark.parametrize(
    ("lines", "status", "field", "words"),
    [
        (
            ['available_from = { value = "soon", source = "mine", confidence = "vendor" }\n'],
            "shipping",
            "available_from.value",
            "expected a date such as 2026-07-01",
        ),
        (
            ['available_from = { value = 2026, source = "mine", confidence = "vendor" }\n'],
            "shipping",
            "available_from.value",
            "got 2026",
        ),
        (
            ['available_from = { value = "2026-07-01", low = "2026-10-01", source = "mine", confidence = "vendor" }\n'],
            "shipping",
            "available_from",
            "low (2026-10-01) is after value (2026-07-01)",
        ),
        (
            ['available_from = { value = "2026Q3", high = "2026Q1", source = "mine", confidence = "vendor" }\n'],
            "shipping",
            "available_from",
            "high (2026-01-01) is before value (2026-07-01)",
        ),
        (
            [GOOD_FROM, 'available_until = { value = "2025-01-01", source = "mine", confidence = "vendor" }\n'],
            "shipping",
            "",
            "available_until (2025-01-01) is before available_from (2026-07-01)",
        ),
        (
            ['available_until = { value = "2029-01-01", source = "mine", confidence = "vendor" }\n'],
            "shipping",
            "",
            "available_until needs available_from",
        ),
        (
            ['available_from = { value = "2027Q1", projected = true, source = "mine", confidence = "vendor" }\n'],
            "projected",
            "available_from",
            "a projected date needs low and/or high",
        ),
        ([GOOD_FROM], "projected", "", "a projected system needs available_from.projected = true"),
        (
            [
                'available_from = { value = "2027Q1", high = "2027Q4", projected = true,'
                ' source = "mine", confidence = "vendor" }\n'
            ],
            "shipping",
            "",
            "a shipping system needs available_from.projected = false",
        ),
        (
            ['available_from = { value = "2027Q1", source = "derived: guess", confidence = "vendor" }\n'],
            "shipping",
            "available_from",
            "a 'derived:' source needs confidence = 'derived'",
        ),
        (
            ['available_from = { value = "2027Q1", source = "soon", confidence = "vendor" }\n'],
            "shipping",
            "available_from",
            "source must be a URL",
        ),
        (
            ['available_from = { value = "2027Q1", when = "Q1", source = "mine", confidence = "vendor" }\n'],
            "shipping",
            "available_from.when",
            "is not a known field",
        ),
    ],
)
def test_bad_availability_is_one_clear_line(user_dir, lines, status, field, words):
    line = only_problem(user_dir, with_dates(*lines, status=status))
    where = f" field '{field}'" if field else ":"
    assert f"mine.toml: system 'test-rack'{where}" in line, line
    assert words in line, line


LEAD = """
[[lead_time]]
id = "our-transformer"
name = "Our transformer vendor"
equipment = "{equipment}"
lead_time = {lead_time}
"""
GOOD_LEAD = (
    '{ value = "40 week", low = "9 month", high = "2 year", source = "https://example.com/q", confidence = "vendor" }'
)


def test_a_user_lead_time_loads(user_dir):
    cat = load_mine(user_dir, LEAD.format(equipment="large-power-transformer", lead_time=GOOD_LEAD))
    entry = cat.lead_time("our-transformer")
    assert entry.weeks == pytest.approx(40.0)
    assert entry.lead_time.high is not None and float(entry.lead_time.high.to("week").magnitude) == pytest.approx(
        2 * 365.25 / 7
    )


@pytest.mark.parametrize(
    ("equipment", "lead_time", "field", "words"),
    [
        ("toaster", GOOD_LEAD, "equipment", "Input should be 'utility-interconnection'"),
        ("ups", '{ value = "40 kg", source = "https://example.com/q", confidence = "vendor" }', "lead_time.value", ""),
        (
            "ups",
            '{ value = "-4 week", source = "https://example.com/q", confidence = "vendor" }',
            "lead_time.value",
            "",
        ),
        (
            "ups",
            '{ value = "40 week", low = "2 year", source = "https://example.com/q", confidence = "vendor" }',
            "lead_time",
            "low (2 year) is above value",
        ),
        ("ups", '{ value = "40 week", confidence = "vendor" }', "lead_time.source", "is required but missing"),
        ("ups", '"40 week"', "lead_time", ""),
    ],
)
def test_bad_lead_time_is_one_clear_line(user_dir, equipment, lead_time, field, words):
    line = only_problem(user_dir, LEAD.format(equipment=equipment, lead_time=lead_time))
    assert f"mine.toml: lead_time 'our-transformer' field '{field}': " in line, line
    assert words in line, line


def test_a_lead_time_without_its_figure_is_reported(user_dir):
    text = LEAD.format(equipment="ups", lead_time=GOOD_LEAD).replace(f"lead_time = {GOOD_LEAD}\n", "")
    line = only_problem(user_dir, text)
    assert line.endswith("mine.toml: lead_time 'our-transformer' field 'lead_time': is required but missing")


# --- the shipped data ------------------------------------------------------------------


def test_every_shipped_system_has_a_sourced_availability_date(catalog):
    systems = catalog.entries("system")
    assert len(systems) >= 14
    for system in systems:
        start = system.available_from
        assert start is not None, f"{system.id} has no available_from"
        assert check_source_text(start.source) and start.confidence, system.id
        assert start.projected == (system.status != "shipping"), system.id
        if start.projected:
            assert start.low is not None or start.high is not None, f"{system.id}: a projection needs a range"
        if start.confidence == "assumption":
            assert start.source.startswith("assumption:"), system.id


def test_projected_generations_come_after_what_ships(catalog):
    """The order the issue plans by: GB300 now, Vera Rubin 2026H2, Trainium4 no earlier than 2027."""

    def start(system_id: str) -> date:
        found = catalog.system(system_id).available_from
        assert found is not None
        return found.value

    assert start("gb200-nvl72") < start("gb300-nvl72") < start("vera-rubin-nvl144") < start("trn4-ultraserver")
    assert start("trn2-instance") < start("trn3-ultraserver-gen2") < start("trn4-ultraserver")
    assert date(2026, 7, 1) <= start("vera-rubin-nvl144") < date(2027, 1, 1)
    trn4 = catalog.system("trn4-ultraserver").available_from
    assert trn4 is not None and trn4.earliest >= date(2027, 1, 1)


def test_every_equipment_class_has_a_sourced_lead_time(catalog):
    entries = catalog.entries("lead_time")
    assert {e.equipment for e in entries} == set(typing.get_args(EquipmentClass))
    for entry in entries:
        sourced = entry.lead_time
        assert check_source_text(sourced.source), entry.id
        assert sourced.low is not None or sourced.high is not None, f"{entry.id}: lead times need a range"
        if sourced.confidence == "assumption":
            assert sourced.source.startswith("assumption:"), entry.id
    transformer = catalog.lead_time("lead-large-power-transformer")
    assert 100 < transformer.weeks < 200  # 128 weeks average (Wood Mackenzie)
    assert catalog.lead_time("lead-utility-interconnection").lead_time.high.to("year").magnitude >= 7


# --- fuzz: only CatalogErrors escape from a mutated lead-times.toml -----------------------

LEAD_FILE = BUILTIN_DIR / "lead-times.toml"
LEAD_LINES = LEAD_FILE.read_text().splitlines()
REPLACEMENTS = st.one_of(
    st.sampled_from(
        [
            '"2026Q3"',
            "2026-07-01",
            '"2026-02-30"',
            '"-3 week"',
            '"40 kg"',
            '"nan year"',
            '"inf week"',
            '{ value = "1e308 year", source = "https://e.org", confidence = "vendor" }',
            '{ value = "4 week", low = "5 week", source = "x", confidence = "vendor" }',
            '"toaster"',
            "[]",
            "{}",
            "true",
            "0",
        ]
    ),
    st.integers().map(str),
    st.text(max_size=12).map(lambda t: '"' + t.replace("\\", "").replace('"', "") + '"'),
)


@st.composite
def mutated_lead_times(draw: st.DrawFn) -> str:
    lines = list(LEAD_LINES)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        if "=" in lines[at] and draw(st.booleans()):
            lines[at] = lines[at].split("=", 1)[0] + "= " + draw(REPLACEMENTS)
        elif draw(st.booleans()):
            del lines[at]
        else:
            lines.insert(at, lines[at])
        lines = lines or [""]
    return "\n".join(lines) + "\n"


@settings(derandomize=True, max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutated_lead_times())
def test_a_mutated_lead_times_file_gives_a_catalog_error_or_a_catalog(catalog, text):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "lead-times.toml").write_text(text)
        try:
            merged = extend_catalog(catalog, [folder])
        except DcplanError as exc:
            assert exc.lines and all("\n" not in line for line in exc.lines)
            return
        for entry in merged.entries("lead_time"):
            assert entry.weeks > 0


# --- IT life per system class -------------------------------------------------------------


def test_aws_operated_systems_carry_amazons_server_life(catalog):
    for system in catalog.entries("system"):
        life = system.it_life
        if system.family == "trainium":
            assert life is not None and check_source_text(life.source), system.id
            assert float(life.value.to("year").magnitude) == 5.0  # Amazon's 2025 cut from six years
            assert life.low is not None and life.high is not None and life.low < life.value < life.high
        else:
            assert life is None, f"{system.id}: GPU systems use the planning defaults' it_life"
    assert float(catalog.defaults.it_life.value.to("year").magnitude) == 5.0


@pytest.mark.parametrize(
    ("life", "words"),
    [
        ('{ value = "5 kg", source = "mine", confidence = "vendor" }', "expected a duration"),
        ('{ value = "0 year", source = "mine", confidence = "vendor" }', ""),
        (
            '{ value = "5 year", high = "4 year", source = "mine", confidence = "vendor" }',
            "high (4 year) is below value",
        ),
    ],
)
def test_a_bad_it_life_is_one_clear_line(user_dir, life, words):
    line = only_problem(user_dir, with_dates(f"it_life = {life}\n"))
    assert "mine.toml: system 'test-rack' field 'it_life" in line and words in line, line


def test_a_single_period_plan_lists_no_roadmap_figures():
    """The golden plans (checked against a fresh solve elsewhere) name no system date or life."""
    from dcplan.models.catalog.schema import ROADMAP_FIELDS

    golden = Path(__file__).resolve().parents[1] / "data" / "golden"
    for path in sorted(golden.glob("*.plan.json")):
        rows = json.loads(path.read_text())["assumptions"]
        assert not [r for r in rows if r["kind"] == "system" and r["field"] in ROADMAP_FIELDS], path.name
        assert any(r["kind"] == "defaults" and r["field"] == "it_life" for r in rows), path.name


def test_the_power_chain_kinds_map_to_shipped_lead_times(catalog):
    from dcplan.models.catalog.schedule import EQUIPMENT_OF_KIND

    shipped = {entry.equipment for entry in catalog.entries("lead_time")}
    assert set(EQUIPMENT_OF_KIND) <= set(catalog.items) and set(EQUIPMENT_OF_KIND.values()) <= shipped
    distribution = next(e for e in catalog.entries("lead_time") if e.equipment == "distribution-transformer")
    assert distribution.weeks < catalog.lead_time("lead-large-power-transformer").lead_time.high.to("week").magnitude
