"""dcplan's trimmed unit definitions (models/units.txt) against pint's full registry.

The shipped file keeps only the units a datacenter plan is written in, so the registry
builds in milliseconds instead of 0.2-0.4 s. These tests keep it honest: every unit it
defines converts exactly as in pint's own definitions, and every unit written anywhere
in the catalogs, the shipped scenarios, the README, the docs and dcplan's own messages and
examples that pint's full registry reads is still read.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pint
import pytest

from dcplan.models import units as u

REPO = Path(__file__).resolve().parents[2]
#: quoted "<number> <unit>" text, ``unit = "..."`` keys, and "e.g. 5MW" in help texts
_QUOTED = re.compile(r"""["']\s*[-+]?(?:\d[\d,_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*([A-Za-z°%µ][^"'\n]{0,40}?)\s*["']""")
_UNIT_KEY = re.compile(r"""unit\s*=\s*["']([^"']+)["']""")
_EXAMPLE = re.compile(r"""e\.g\.\s*[-+]?\d[\d.,]*\s*([A-Za-z°%][\w*/()°%.]*)""")
_WHERE = ("catalogs", "README.md", "docs", "models", "planner", "tui")


@pytest.fixture(scope="module")
def full() -> pint.UnitRegistry:
    """pint's full default registry with dcplan's own domain units on top, as before the trim."""
    registry = pint.UnitRegistry(on_redefinition="ignore", autoconvert_offset_to_baseunit=True)
    for definition in u._DEFINITIONS:
        registry.define(definition)
    return registry


def _texts() -> list[Path]:
    files: list[Path] = []
    for where in _WHERE:
        path = REPO / where
        files += [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in (".toml", ".md", ".py"))
    return files


def _written_units() -> set[str]:
    found: set[str] = set()
    for path in _texts():
        text = path.read_text(encoding="utf-8")
        for pattern in (_QUOTED, _UNIT_KEY, _EXAMPLE):
            found |= {m.group(1).strip() for m in pattern.finditer(text)}
    for name in dir(u):  # every quantity type's example ("144 GiB") and canonical unit
        spec = getattr(getattr(u, name), "__metadata__", [None])[0]
        if isinstance(spec, u.QuantitySpec):
            found |= {spec.example.split(" ", 1)[1], spec.canonical}
    return found | set(u.PHYSICAL_BOUNDS)


def _parses(registry: pint.UnitRegistry, text: str) -> bool:
    try:
        return isinstance(registry.parse_units(text), pint.Unit)
    except Exception:
        return False


def test_the_scan_finds_the_units_dcplan_is_written_in():
    written = _written_units()
    for unit in ("kW", "MW", "degC", "kg/m**2", "USD/kWh", "L/min", "GiB", "kBTU/h", "kN/m**2", "kJ/(kg*K)"):
        assert unit in written, unit


def test_every_unit_written_in_the_project_still_parses(full):
    written = _written_units()
    missing = sorted(t for t in written if _parses(full, t) and not _parses(u.ureg, t))
    # 'k' alone is pint's Boltzmann constant, never a unit a plan is written in (see units.txt)
    assert [t for t in missing if t != "k"] == []


def test_every_defined_unit_converts_as_in_pint_itself(full):
    checked = 0
    for name in u.ureg._units:
        if name in ("U", "cfm", "CFM"):  # dcplan redefines pint's enzyme unit and centifermi
            continue
        ours, theirs = u.ureg.Quantity(1.0, name), full.Quantity(1.0, name)
        assert ours.dimensionality == theirs.dimensionality, name
        if ours.dimensionality == u.ureg.kelvin.dimensionality and name not in ("K", "kelvin"):
            for value in (-40.0, 0.0, 35.0):  # offset units: compare conversions, not factors
                a, b = u.ureg.Quantity(value, name).to("kelvin"), full.Quantity(value, name).to("kelvin")
                assert math.isclose(a.magnitude, b.magnitude, rel_tol=1e-12), name
        else:
            a, b = ours.to_base_units().magnitude, theirs.to_base_units().magnitude
            assert math.isclose(a, b, rel_tol=1e-12), (name, a, b)
        checked += 1
    assert checked > 150


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("1 refrigeration_ton", "kW", 3.516852842),
        ("10 psi", "kPa", 68.94757293),
        ("1 inH2O", "Pa", 249.08891),
        ("1 acre", "m**2", 4046.8726),
        ("1 GiB", "GB", 1.073741824),
        ("100 Gbps", "GB/s", 12.5),
        ("1 therm", "kWh", 29.30711),
        ("1 kcmil", "mm**2", 0.5067075),
        ("50 degF", "degC", 10.0),
        ("1 imperial_gallon", "L", 4.54609),
        ("3000 rpm", "revolution/s", 50.0),
    ],
)
def test_units_a_planner_writes_convert(text, unit, expected):
    assert math.isclose(u.parse_quantity(text).to(unit).magnitude, expected, rel_tol=1e-6)


@pytest.mark.parametrize("text", ["5 furlong", "1 parsec", "3 k", "2 eV", "1 tesla", "5 lux"])
def test_units_outside_a_datacenter_are_refused_in_one_line(text):
    with pytest.raises(u.UnitInputError, match="unknown unit") as info:
        u.parse_quantity(text)
    assert "\n" not in str(info.value)


def test_the_registry_is_built_from_the_shipped_file_without_a_cache():
    assert u.DEFINITIONS_FILE.is_file() and u.DEFINITIONS_FILE.parent == Path(u.__file__).parent
    assert len(u.ureg._units) < 400  # the trimmed set, not pint's ~1,000 definitions
    assert u.ureg._cache_folder is None if hasattr(u.ureg, "_cache_folder") else True
