"""Hypothesis fuzzing of scenario and catalog loading through ``plan_scenario``.

Two properties, for any mutation of the shipped inputs:

1. only dcplan's own errors (``DcplanError`` subclasses) escape from loading, validating,
   building the model and solving: never a KeyError, ZeroDivisionError, RecursionError...;
2. every plan that comes back passes dcplan's own re-check (``planner/recheck.py``).

Scenario fuzz: the demo scenario's mapping with keys dropped, values replaced by other
types, random strings, numbers (huge, negative, NaN, inf), quantity strings with real,
wrong and malformed units, deep nesting, entries duplicated and tables emptied.
Catalog fuzz: the text of a shipped catalog file (``nvidia-blackwell.toml``, whose entries
the demo uses) with lines rewritten, characters and invalid bytes inserted, lines deleted,
duplicated or truncated, loaded as a user folder over the built-ins.

The default suite runs a few hundred derandomized examples (profile ``dcplan-fuzz``: the
same examples on every run and in CI); ``-m slow`` runs thousands.
"""

from __future__ import annotations

import copy
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dcplan.models.catalog import BUILTIN_DIR, extend_catalog
from dcplan.models.errors import DcplanError
from dcplan.planner.pipeline import PlanOptions, plan_scenario
from dcplan.planner.scenario import DEMO_SCENARIO, parse_scenario
from dcplan.planner.solve import SolveSettings

settings.register_profile(
    "dcplan-fuzz",
    derandomize=True,  # a fixed seed: the same examples every run, reproducible in CI
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
FUZZ = settings.get_profile("dcplan-fuzz")
DEFAULT_SCENARIO_EXAMPLES = 200
DEFAULT_CATALOG_EXAMPLES = 120
SLOW_EXAMPLES = 2000

DEMO: dict[str, Any] = tomllib.loads(DEMO_SCENARIO.read_text())
CATALOG_FILE = BUILTIN_DIR / "nvidia-blackwell.toml"
CATALOG_LINES = CATALOG_FILE.read_text().splitlines()
# small solves: a short limit, no marginal re-solves; the infeasibility diagnosis stays on
OPTIONS = PlanOptions(SolveSettings(time_limit_s=5.0, rel_gap=0.01), marginals=False, diagnose=True)

UNITS = [
    "kW",
    "MW",
    "W",
    "GW",
    "kVA",
    "kg",
    "t",
    "M",
    "k",
    "kN/",
    "MW/",
    "(kW",
    "1/0",
    "kW**1e9",
    "degC",
    "degF",
    "K",
    "USD",
    "USD/kWh",
    "%",
    "",
    "m**2",
    "kN/m**2",
    "kg/m**2",
    "psf",
    "PFLOPS",
    "TFLOPS",
    "kWh",
    "year",
    "h",
    "s",
    "parsec",
    "__class__",
    "x" * 100,
]
NUMBERS = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 0.5, 1e308, -1e308, 1e-308, 1e12, 10**12, 2**63, 10**30]),
)
QUANTITY_TEXT = st.builds(lambda n, u: f"{n} {u}".strip(), NUMBERS, st.sampled_from(UNITS))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    NUMBERS,
    st.text(max_size=30),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=0, max_size=80),
    st.sampled_from(["", "x" * 10_000, "hall-a", "ashburn-va", "gb300-nvl72", "dlc-cdu", "fp4", "min-tco"]),
    QUANTITY_TEXT,
)


def _nested(depth: int) -> Any:
    value: Any = 1
    for level in range(depth):
        value = [value] if level % 2 else {"value": value}
    return value


VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=4),
    st.dictionaries(st.sampled_from(["value", "unit", "id", "x"]), SCALARS, max_size=3),
    st.integers(min_value=1, max_value=3000).map(_nested),
)


def _slots(node: Any, out: list[tuple[Any, Any]], depth: int = 0) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) in the mapping, depth first, down to 8 levels (a
    value nested thousands deep by an earlier mutation is a leaf, not walked into)."""
    if depth > 8:
        return out
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((node, key))
            _slots(value, out, depth + 1)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.append((node, index))
            _slots(value, out, depth + 1)
    return out


def _copy(value: Any) -> Any:
    try:
        return copy.deepcopy(value)
    except RecursionError:  # a deeply nested value from an earlier mutation: share it
        return value


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(DEMO)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        slots = _slots(data, [])
        if not slots:
            break
        container, key = draw(st.sampled_from(slots))
        operation = draw(st.sampled_from(["drop", "replace", "replace", "quantity", "duplicate", "extra", "empty"]))
        if operation == "drop":
            del container[key]
        elif operation == "replace":
            container[key] = draw(VALUES)
        elif operation == "quantity":
            container[key] = draw(QUANTITY_TEXT)
        elif operation == "duplicate" and isinstance(container, list):
            container.append(_copy(container[key]))
        elif operation == "extra" and isinstance(container[key], dict):
            container[key][draw(st.sampled_from(["colour", "id", "count", "site", "hall"]))] = draw(VALUES)
        elif operation == "empty" and isinstance(container[key], list | dict):
            container[key] = type(container[key])()
    return data


def _plan_or_own_error(scenario_data: Any, catalog: Any) -> None:
    """Load, validate and plan; a DcplanError is a fine answer, anything else fails."""
    try:
        scenario = parse_scenario(scenario_data, where="fuzz.toml")
        plan = plan_scenario(scenario, catalog, OPTIONS)
    except DcplanError as exc:
        assert exc.lines and all(isinstance(line, str) and line for line in exc.lines)
        return
    assert plan.recheck.ok, plan.recheck.violations
    if plan.layout.slot:
        assert plan.recheck.checked > 0


def _check_scenario(catalog, data):
    _plan_or_own_error(data, catalog)


@settings(FUZZ, max_examples=DEFAULT_SCENARIO_EXAMPLES)
@given(data=mutated_scenarios())
def test_mutated_demo_scenarios_only_raise_dcplan_errors(catalog, data):
    _check_scenario(catalog, data)


@pytest.mark.slow
@settings(FUZZ, max_examples=SLOW_EXAMPLES)
@given(data=mutated_scenarios())
def test_mutated_demo_scenarios_only_raise_dcplan_errors_slow(catalog, data):
    _check_scenario(catalog, data)


TOML_VALUES = st.one_of(
    QUANTITY_TEXT.map(lambda t: f'"{t}"'),
    NUMBERS.filter(lambda n: n == n and abs(n) != float("inf")).map(repr),
    st.sampled_from(["true", "[]", "{}", '""', "nan", "inf", "-inf", '"x"', "[1, 2]", "{ value = 1 }"]),
    st.builds(
        lambda n, u: f'{{ value = "{n} {u}", source = "https://example.com", confidence = "vendor" }}',
        NUMBERS,
        st.sampled_from(UNITS),
    ),
    st.builds(
        lambda n: f'{{ value = {n}, source = "https://example.com", confidence = "vendor" }}',
        NUMBERS.filter(lambda n: n == n and abs(n) != float("inf")),
    ),
    st.integers(min_value=1, max_value=3000).map(lambda d: "[" * d + "]" * d),
    st.text(max_size=20).map(lambda t: '"' + t.replace("\\", "").replace('"', "") + '"'),
)


@st.composite
def mutated_catalog_bytes(draw: st.DrawFn) -> bytes:
    lines = list(CATALOG_LINES)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        operation = draw(st.sampled_from(["value", "value", "value", "delete", "duplicate", "chars", "truncate"]))
        line = lines[index]
        if operation == "value" and "=" in line:
            key = line.split("=", 1)[0]
            lines[index] = f"{key}= {draw(TOML_VALUES)}"
        elif operation == "delete":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, line)
        elif operation == "chars":
            at = draw(st.integers(min_value=0, max_value=len(line)))
            lines[index] = line[:at] + draw(st.text(max_size=5)) + line[at:]
        elif operation == "truncate":
            lines = lines[: index + 1]
            lines[-1] = line[: draw(st.integers(min_value=0, max_value=len(line)))]
        if not lines:
            lines = [""]
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    if draw(st.integers(min_value=0, max_value=19)) == 0:  # now and then, bytes that are not UTF-8
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\x00", b"\xed\xa0\x80"])) + data[at:]
    return data


def _check_catalog(catalog, text: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "nvidia-blackwell.toml").write_bytes(text)
        try:
            merged = extend_catalog(catalog, [folder])
        except DcplanError as exc:
            assert exc.lines
            return
        _plan_or_own_error(copy.deepcopy(DEMO), merged)


@settings(FUZZ, max_examples=DEFAULT_CATALOG_EXAMPLES)
@given(text=mutated_catalog_bytes())
def test_mutated_catalog_files_only_raise_dcplan_errors(catalog, text):
    _check_catalog(catalog, text)


@pytest.mark.slow
@settings(FUZZ, max_examples=SLOW_EXAMPLES)
@given(text=mutated_catalog_bytes())
def test_mutated_catalog_files_only_raise_dcplan_errors_slow(catalog, text):
    _check_catalog(catalog, text)


def test_the_unmutated_inputs_plan_and_pass_the_recheck(catalog):
    """The fuzz starts from inputs that work: a plan that passes the re-check."""
    plan = plan_scenario(parse_scenario(copy.deepcopy(DEMO)), catalog, OPTIONS)
    assert plan.recheck.ok and plan.recheck.checked > 0 and plan.layout.slot
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "nvidia-blackwell.toml").write_text(CATALOG_FILE.read_text())
        merged = extend_catalog(catalog, [folder])
    assert plan_scenario(parse_scenario(copy.deepcopy(DEMO)), merged, OPTIONS).recheck.ok
