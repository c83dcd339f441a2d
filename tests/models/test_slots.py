"""The [[rack_slot]] kind and its physics (issue 14 item 4): which systems fit an MGX /
NVL72 slot, per-rack kW, trays per unit, the shipped class, and hostile entries in one line."""

from __future__ import annotations

import random

import pytest

from dcplan.models.catalog import CatalogError
from dcplan.models.slots import rack_kw, slot_fit, trays_per_unit
from tests.models.catalog_helpers import load_mine, only_problem

SRC = 'source = "https://example.com/slot", confidence = "vendor"'


def slot_toml(**changes: str) -> str:
    """A user slot: 0.6 x 1.2 m, shelves 200 kW, manifold 170 kW, band 120-200 kW."""
    fields = {
        "rack_width": '"0.6 m"',
        "rack_depth": '"1.2 m"',
        "power_shelf": '"200 kW"',
        "manifold": '"170 kW"',
        "min_rack_power": '"120 kW"',
        "max_rack_power": '"200 kW"',
    }
    fields.update({k: v for k, v in changes.items() if k in fields})
    lines = [f"{name} = {{ value = {value}, {SRC} }}" for name, value in fields.items()]
    extra = [v for k, v in changes.items() if k not in fields]
    return "\n".join(["[[rack_slot]]", 'id = "my-slot"', 'name = "My slot"', *lines, *extra]) + "\n"


def test_the_shipped_mgx_slot_takes_the_nvl72_generations_and_trainium4(catalog):
    """GB300 142 kW, Vera Rubin 200 kW and Trn4 360 kW / 2 racks = 180 kW per rack are all in
    the 100-240 kW band under the 264 kW shelves; Trn3 Gen2 is not MGX (not admitted)."""
    slot = catalog.rack_slot("mgx-nvl72")
    for system_id, per_rack in (("gb300-nvl72", 142.0), ("vera-rubin-nvl144", 200.0), ("trn4-ultraserver", 180.0)):
        fit = slot_fit(slot, catalog.system(system_id))
        assert fit.reason is None, fit.reason
        assert fit.rack_kw == pytest.approx(per_rack)
    assert trays_per_unit(slot, catalog.system("trn4-ultraserver")) == 18
    assert trays_per_unit(slot, catalog.system("gb300-nvl72")) == 0  # ships with its own trays
    reason = slot_fit(slot, catalog.system("trn3-ultraserver-gen2")).reason
    assert reason is not None and "not among the systems it admits" in reason
    for figure in (slot.power_shelf, slot.manifold, slot.min_rack_power, slot.max_rack_power):
        assert figure.source.startswith("assumption:") == (figure.confidence == "assumption")
        assert figure.confidence != "assumption" or figure.has_range


@pytest.mark.parametrize(
    ("changes", "system", "words"),
    [
        # GB300: 142 kW per rack, 0.9 x 142 = 127.8 kW liquid, 0.6 x 1.068 m
        ({}, "gb300-nvl72", None),
        ({"power_shelf": '"140 kW"', "max_rack_power": '"140 kW"'}, "gb300-nvl72", "exceeds the power shelves' 140 kW"),
        ({"manifold": '"120 kW"'}, "gb300-nvl72", "128 kW of liquid heat per rack exceeds the manifold's 120 kW"),
        ({"min_rack_power": '"150 kW"'}, "gb300-nvl72", "outside its 150-200 kW band"),
        ({"max_rack_power": '"140 kW"'}, "gb300-nvl72", "outside its 120-140 kW band"),
        ({"rack_width": '"0.5 m"'}, "gb300-nvl72", "exceeds the slot's 0.5 x 1.2 m"),
        ({"rack_depth": '"1.0 m"'}, "gb300-nvl72", "exceeds the slot's 0.6 x 1 m"),
        ({}, "dgx-b200", "a server-form system is not a rack-scale unit"),
        ({"admits": 'admits = ["vera-rubin-nvl144"]'}, "gb300-nvl72", "not among the systems it admits"),
        # Trn4: 360 kW over 2 racks = 180 kW per rack; its 162 kW of liquid is under 170 kW
        ({}, "trn4-ultraserver", None),
    ],
)
def test_fit_rules_by_hand(user_dir, changes, system, words):
    cat = load_mine(user_dir, slot_toml(**changes))
    fit = slot_fit(cat.rack_slot("my-slot"), cat.system(system))
    if words is None:
        assert fit.reason is None, fit.reason
    else:
        assert fit.reason is not None and words in fit.reason, fit.reason


def test_rack_kw_divides_a_multi_rack_unit(catalog):
    assert rack_kw(catalog.system("trn4-ultraserver")) == pytest.approx(360.0 / 2)
    assert rack_kw(catalog.system("gb300-nvl72")) == pytest.approx(142.0)


def test_trays_per_unit_reads_the_listed_system(user_dir):
    trays = 'switch_trays = [ { system = "trn4-ultraserver", per_unit = { value = 9, ' + SRC + " } } ]"
    cat = load_mine(user_dir, slot_toml(trays=trays))
    slot = cat.rack_slot("my-slot")
    assert trays_per_unit(slot, cat.system("trn4-ultraserver")) == 9
    assert trays_per_unit(slot, cat.system("vera-rubin-nvl144")) == 0


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"min_rack_power": '"300 kW"'}, "", "min_rack_power 300 kW is above max_rack_power 200 kW"),
        ({"admits": 'admits = ["no-such-system"]'}, "admits", "unknown system 'no-such-system'"),
        ({"admits": 'admits = ["gb300-nvl72", "gb300-nvl72"]'}, "", "admits lists the same system twice"),
        (
            {"trays": 'switch_trays = [ { system = "nope", per_unit = { value = 9, ' + SRC + " } } ]"},
            "switch_trays",
            "unknown system 'nope'",
        ),
        (
            {"trays": 'switch_trays = [ { system = "trn4-ultraserver", per_unit = { value = -2, ' + SRC + " } } ]"},
            "switch_trays[0].per_unit.value",
            "greater than 0",
        ),
        ({"manifold": '"-5 kW"'}, "manifold.value", ""),
        ({"power_shelf": '"200 kg"'}, "power_shelf.value", ""),
        ({"bogus": "colour = 'red'"}, "colour", "is not a known field"),
    ],
)
def test_a_bad_slot_is_one_clear_line(user_dir, changes, field, words):
    line = only_problem(user_dir, slot_toml(**changes))
    assert "mine.toml: rack_slot 'my-slot'" in line, line
    if field:
        assert f"field '{field}'" in line, line
    assert words in line, line


def test_fuzzed_slot_text_never_crashes(user_dir):
    """Seeded random mutations of a good slot either load or fail with CatalogError lines."""
    rng = random.Random(14)
    base = slot_toml()
    junk = ['"abc"', "-1", '"1e400 kW"', "[]", "{}", '"nan kW"', '"0 kW"', '"\\u0000"', "true"]
    for _ in range(40):
        lines = base.splitlines()
        i = rng.randrange(3, len(lines))
        name = lines[i].split(" = ", 1)[0]
        lines[i] = (
            f"{name} = {{ value = {rng.choice(junk)}, {SRC} }}"
            if rng.random() < 0.8
            else lines[i][: rng.randrange(len(lines[i]))]
        )
        try:
            load_mine(user_dir, "\n".join(lines) + "\n")
        except CatalogError as error:
            assert error.lines and all("\n" not in line for line in error.lines)
