"""The table of unit expressions the registry is built from (models/units.expressions.json,
models/registry.py): pint's own parse of every expression in the definitions, shipped with
dcplan so that start-up does not run pint's tokenizer ~180 times.

The table must be what the installed pint parses now (regenerate with
``python -m dcplan.models.registry`` after editing models/units.txt or upgrading pint), and a
table that is missing, damaged, of another format or another pint version is not used: the
registry is then built by pint's parser, with the same definitions.
(tests/models/test_unit_registry.py holds every definition of ``ureg`` to pint's own parse.)
"""

from __future__ import annotations

import dataclasses
import json

import pint
import pytest

from dcplan.models import registry, units

REGENERATE = "models/units.expressions.json is stale: run `python -m dcplan.models.registry`"


def _definition_lines() -> list[str]:
    return [*units.DEFINITIONS_FILE.read_text(encoding="utf-8").splitlines(), *units._DEFINITIONS]


def test_the_shipped_table_is_pints_parse_of_every_expression_now():
    shipped = json.loads(registry.EXPRESSIONS_FILE.read_text(encoding="utf-8"))
    assert shipped == registry.expression_table(_definition_lines()), REGENERATE
    assert len(registry.read_expression_table()) == len(shipped["expressions"]) > 150


def _write(tmp_path, content) -> object:
    path = tmp_path / "expressions.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{not json",
        "[1, 2]",
        {"format": 2, "pint": pint.__version__, "expressions": {"2 * meter": [2, {"meter": 1}]}},
        {"format": 1, "pint": "0.0.0", "expressions": {"2 * meter": [2, {"meter": 1}]}},
        {"format": 1, "pint": pint.__version__, "expressions": ["2 * meter"]},
    ],
)
def test_a_table_of_another_kind_is_not_used(tmp_path, content):
    assert registry.read_expression_table(_write(tmp_path, content)) == {}


def test_a_missing_table_is_not_used(tmp_path):
    assert registry.read_expression_table(tmp_path / "nowhere.json") == {}


def test_malformed_entries_are_dropped_and_left_to_pint(tmp_path):
    entries = {
        "good": [2, {"meter": 1}],
        "bool scale": [True, {}],
        "text exponent": [1, {"meter": "2"}],
        "no units": [3],
        "not a list": {"scale": 1},
    }
    path = _write(tmp_path, {"format": 1, "pint": pint.__version__, "expressions": entries})
    assert registry.read_expression_table(path) == {"good": [2, {"meter": 1}]}


def _core(definition) -> dict:
    skip = {"is_position_set", "start_line", "start_col", "end_line", "end_col", "raw"}
    return {f.name: getattr(definition, f.name) for f in dataclasses.fields(definition) if f.name not in skip}


def test_without_the_table_pints_parser_builds_the_same_registry(monkeypatch):
    monkeypatch.setattr(registry, "read_expression_table", lambda: {})
    parsed = registry.DefinitionsRegistry(
        str(units.DEFINITIONS_FILE), on_redefinition="ignore", autoconvert_offset_to_baseunit=True
    )
    parsed.define_lines(units._DEFINITIONS)
    ours = units.ureg
    for table in ("_units", "_prefixes", "_dimensions"):
        mine, theirs = getattr(ours, table), getattr(parsed, table)
        common = mine.keys() & theirs.keys()  # prefixed names appear in a registry once used
        assert len(common) >= min(len(theirs), 20), table
        assert [name for name in common if _core(mine[name]) != _core(theirs[name])] == [], table
    assert parsed.Quantity(3, "RU").to("mm").magnitude == ours.Quantity(3, "RU").to("mm").magnitude == 133.35
