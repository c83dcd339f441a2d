"""dcplan's registry (models/registry.py reads models/units.txt line by line, its cache filled
on use) holds exactly what pint's own parse of the same file holds, and converts the same."""

from __future__ import annotations

import dataclasses

import pint
import pytest

from dcplan.models import units
from dcplan.models.registry import DefinitionsRegistry

# where pint's file parser records a line's position in the file: not part of a definition
POSITION = {"is_position_set", "start_line", "start_col", "end_line", "end_col", "raw"}


def _core(definition) -> dict:
    return {f.name: getattr(definition, f.name) for f in dataclasses.fields(definition) if f.name not in POSITION}


@pytest.fixture(scope="module")
def pint_parse() -> pint.UnitRegistry:
    registry = pint.UnitRegistry(
        str(units.DEFINITIONS_FILE), on_redefinition="ignore", autoconvert_offset_to_baseunit=True
    )
    for line in units._DEFINITIONS:
        registry.define(line)
    return registry


def test_every_definition_is_the_one_pint_parses(pint_parse):
    ours = units.ureg
    assert isinstance(ours, DefinitionsRegistry)
    # pint stores a prefixed unit (kilowatt) the first time it is named, and its cache walk
    # names those the definitions use (decimeter for liter): name each in both registries
    for name in set(pint_parse._units) ^ set(ours._units):
        assert ours.get_name(name) == pint_parse.get_name(name) == name
    for table in ("_units", "_prefixes", "_dimensions"):
        mine, theirs = getattr(ours, table), getattr(pint_parse, table)
        assert mine.keys() == theirs.keys(), table
        assert [name for name in mine if _core(mine[name]) != _core(theirs[name])] == [], table
    assert ours._defaults == pint_parse._defaults and ours.default_system == pint_parse.default_system
    assert sorted(ours._groups) == sorted(pint_parse._groups)
    for name in ("root", "international"):
        assert ours.get_group(name).members == pint_parse.get_group(name).members
    for name in pint_parse._systems:
        mine_system, their_system = ours._systems[name], pint_parse._systems[name]
        assert (mine_system.base_units, mine_system.derived_units) == (
            their_system.base_units,
            their_system.derived_units,
        )


@pytest.mark.parametrize("unit", ["kW", "m", "degC", "kg", "BTU/h", "L/min", "USD", "RU", "bit"])
def test_compatible_units_and_conversions_match_pint(pint_parse, unit):
    # a fresh registry: the compatible-units table is built the first time it is asked for
    fresh = DefinitionsRegistry(
        str(units.DEFINITIONS_FILE), on_redefinition="ignore", autoconvert_offset_to_baseunit=True
    )
    for line in units._DEFINITIONS:
        fresh.define(line)
    assert sorted(map(str, fresh.get_compatible_units(unit))) == sorted(map(str, pint_parse.get_compatible_units(unit)))
    mine, theirs = fresh.Quantity(7.5, unit), pint_parse.Quantity(7.5, unit)
    assert mine.to_base_units().magnitude == pytest.approx(theirs.to_base_units().magnitude, rel=1e-15)
    assert str(mine.to_base_units().units) == str(theirs.to_base_units().units)
    assert mine.dimensionality == theirs.dimensionality


def test_a_malformed_line_is_pints_syntax_error(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("meter = [length] = m\nwidget = 3 * meter ; offset: x\n", encoding="utf-8")
    with pytest.raises(pint.DefinitionSyntaxError, match="must contain only numbers in modifier"):
        DefinitionsRegistry(str(bad))
