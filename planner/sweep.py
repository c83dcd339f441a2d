"""Uncertainty and what-if sweeps: many full solves of one scenario, locally or on Dask.

A sweep turns one scenario into many *samples*. Each sample fixes every uncertain input
to one value and is solved in full (``plan_scenario`` with marginals and infeasibility
diagnosis off, HiGHS with one thread), by the pure function ``run_sample(spec)``. The
same function runs in local worker processes (``concurrent.futures.ProcessPoolExecutor``,
the default), in this process (``workers=0``, for debugging and tests), or on a Dask
distributed cluster (``scheduler="tls://host:port"`` with ``DaskTls`` files, plain
``tcp://``, or ``"local"``: a LocalCluster on 127.0.0.1), so the results are identical.
A Dask client unpickles what the workers send back, so an untrusted cluster can run code
here: use TLS (or ``local``) and trusted workers. A cluster with no worker for
``worker_timeout_s`` stops the sweep (``SweepRunError``) rather than waiting for ever.

Uncertain inputs
----------------
- **Catalog ranges.** Every catalog figure with a ``low``/``high`` range on the entries the
  scenario uses: candidate (and cloud-offer) systems and their chips, the coolings of the
  rows that a candidate supports and the plants that reject their heat, the scenario's
  sites, the power chain and its PDU/UPS/transformer/generator, the rows' busways, the
  coolant fluids and the planning defaults. A range with one end only runs from that end
  to the value. Figures the planner never reads are skipped (``NOT_IN_PLAN``), and so are
  the chip compute figures of other precisions than the scenario's.
- **``--vary FIELD=LOW:HIGH``** ranges on scenario fields (``scenario.budget``,
  ``site.<id>.utility_power``, ``hall.<id>.it_power_cap``, ``workload.<id>.demand``,
  ``candidate.<system>.max_units``, ``share.<family|software>.min`` ...) or on any scalar
  catalog figure (``system.<id>.capex``); a ``--vary`` on a catalog figure replaces its
  catalog range. Both ends are read with the field's own unit rules.

Consistency kept where the schema demands it:

- A system's ``idle <= typical <= design <= nameplate``. The catalog derives typical
  (0.78 x design) and idle (25 % of design) from the design figure, and their ranges from
  the design range, so sampling them on their own would both double-count one
  uncertainty and break the order (a typical near its high end with a design near its
  low end). So the highest of design/typical/idle that has a range is the *driver*, and
  the ones below it are scaled by the driver's sampled/base ratio (they are not inputs of
  their own). ``nameplate_power`` is drawn on its own and raised to the sampled design
  power where it would fall below it; any explicit ``--vary`` on these fields is clipped
  into the same order.
- A system's whole-number figures (``chips_per_unit``, ``racks_per_unit``,
  ``max_units_per_rack``) are discrete design alternatives (e.g. one 72-chip rack or two
  racks of 72), so they take one of their distinct ``low``/``value``/``high`` values,
  drawn together (one draw) so the low design of one goes with the low design of the other.
- A multi-rack unit's mass is sampled *per rack* and multiplied by the sampled rack count:
  ``weight = weight_per_rack x racks_per_unit``, with the per-rack range the catalog range
  divided by the catalog's rack count (Trn3 Gen2: 2,400-3,000 kg over 2 racks, so
  1,200-1,500 kg per rack). Drawn on their own, a one-rack alternative of a two-rack unit
  would carry both racks' mass on one footprint (2.7 t on 0.72 m^2, over any slab), which
  made half the demo's samples infeasible for a reason no real design has. The unit's
  power is *not* scaled: it is set by its chips (chips x chip power x overhead) whatever
  the rack count, so the power per rack (unit power / racks) follows from the joint draw.
  A system with a ranged rack count but a fixed weight gets the same per-rack scaling; a
  ``--vary`` on ``weight`` is the unit's mass as given.
- Monthly climate arrays are sampled *as a whole*: one draw moves all twelve months
  between their ``low`` and ``high`` curves (reported as the annual mean). Wet bulbs are
  clipped to at most the dry bulbs (monthly and design-day).

Sampling
--------
Latin hypercube (``scipy.stats.qmc.LatinHypercube(d, seed)``) on the unit cube, mapped
uniformly to ``[low, high]`` (whole numbers: uniformly over the whole numbers; discrete
alternatives: uniformly over the alternatives), or a full factorial grid of ``N`` levels
per ``--vary`` input (catalog figures then stay at their values).

Results
-------
P10/P50/P90 over the samples that have a plan; how often each system is chosen; a
tornado ranking (Spearman rank correlation of each input with the objective, plus the
"swing": mean objective of the samples in the top third of the input minus the bottom
third, in the objective's units); and a robust choice (see ``robust_check``).
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import queue
import re
import time
import traceback
import types
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import numpy as np
from pydantic import BaseModel

from dcplan.models.catalog import Catalog, System
from dcplan.models.catalog.loader import CatalogItem, UnknownIdError, catalog_dirs_from_env, load_catalog
from dcplan.models.catalog.sourced import Sourced
from dcplan.models.errors import DcplanError
from dcplan.planner.scenario import (
    Candidate,
    CloudOffer,
    Hall,
    Row,
    Scenario,
    ScenarioError,
    ScenarioHeader,
    ShareBound,
    SiteLimits,
    Workload,
    parse_scenario,
)

SWEEP_SCHEMA_VERSION = "1.1"  # 1.1: summary.infeasible_share, inputs[].per_rack
MAX_ATTEMPTS = 2  # a sample that raises is retried once
MAX_GRID_POINTS = 100_000
SOLUTION_STATUSES = ("optimal", "feasible-with-gap", "cancelled")

#: Catalog figures with ranges that no part of the planner reads (checked by a test that
#: greps models/ and planner/), so sampling them would only add noise to the tornado.
NOT_IN_PLAN: dict[str, frozenset[str]] = {
    "chip": frozenset({"hbm_capacity", "hbm_bandwidth", "scale_up_bandwidth"}),
    "system": frozenset({"chip_power", "scale_up_domain", "coolant_inlet_min"}),
    "cooling": frozenset({"air_supply_temp"}),
    "site": frozenset({"elevation"}),
    "defaults": frozenset({"it_life", "facility_life", "water_per_energy_dry"}),
}
#: Read by the planner only as a fallback that a scenario always overrides.
OVERRIDDEN_BY_SCENARIO: dict[str, frozenset[str]] = {
    "defaults": frozenset({"slab_rating"}),  # every [[hall]] must give slab_rating
}
PRECISION_FIELDS = {"bf16": "bf16_dense", "fp8": "fp8_dense", "fp4": "fp4_dense"}
POWER_ORDER = ("design_power", "typical_power", "idle_power")  # driver first
COUNT_FIELDS = ("chips_per_unit", "racks_per_unit", "max_units_per_rack")

#: Scenario tables --vary may address, with the model of one item and its id field.
SCENARIO_TABLES: dict[str, tuple[type[BaseModel], str]] = {
    "site": (SiteLimits, "id"),
    "hall": (Hall, "id"),
    "row": (Row, "id"),
    "candidate": (Candidate, "system"),
    "cloud": (CloudOffer, "id"),
    "workload": (Workload, "id"),
    "share": (ShareBound, "family|software"),
}


class SweepInputError(DcplanError, ValueError):
    """A sweep option that cannot be used; the message is one line naming the flag."""


class SweepRunError(RuntimeError):
    """The workers cannot run samples at all (start-up failed); one line."""


class InjectedFailure(RuntimeError):
    """Raised by ``run_sample`` when a spec asks for a failure (testing the retry path)."""


# ---------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One field a sample sets: in the catalog (``kind`` = entry kind) or the scenario."""

    where: Literal["catalog", "scenario"]
    kind: str  # catalog kind, scenario table, or "scenario" for the [scenario] header
    id: str  # entry / item id ("" for the header)
    field: str

    @property
    def name(self) -> str:
        return f"{self.kind}.{self.id}.{self.field}" if self.id else f"{self.kind}.{self.field}"


@dataclass(frozen=True)
class Domain:
    """Where an input's value lives and how a unit-cube coordinate ``u`` maps onto it."""

    kind: Literal["float", "int", "choice", "array"]
    low: float
    high: float
    choices: tuple[float, ...] = ()
    low_array: tuple[float, ...] = ()
    high_array: tuple[float, ...] = ()

    def at(self, u: float) -> Any:
        """The value at ``u`` in [0, 1] (uniform over the range / whole numbers / choices)."""
        u = min(max(float(u), 0.0), 1.0)
        if self.kind == "float":
            return self.low + u * (self.high - self.low)
        if self.kind == "int":
            return int(min(self.high, math.floor(self.low + u * (self.high - self.low + 1))))
        if self.kind == "choice":
            return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]
        return tuple(lo + u * (hi - lo) for lo, hi in zip(self.low_array, self.high_array, strict=True))

    def scalar(self, value: Any) -> float:
        """A number for tables and rank statistics (arrays: their mean)."""
        if self.kind == "array":
            return float(np.mean(value))
        return float(value)

    def grid_levels(self, n: int) -> list[float]:
        """``n`` evenly spaced coordinates, or one per distinct value if there are fewer."""
        if self.kind == "choice":
            k = len(self.choices)
            return [(i + 0.5) / k for i in range(k)] if k <= n else list(np.linspace(0.0, 1.0, n))
        if self.kind == "int":
            k = int(self.high - self.low) + 1
            if k <= n:
                return [(i + 0.5) / k for i in range(k)]
        return [float(x) for x in np.linspace(0.0, 1.0, n)]


@dataclass(frozen=True)
class Follower:
    """A field set from its driver's draw: scaled by the driver's ratio, or the same draw."""

    target: Target
    rule: Literal["scale", "same-draw"]
    base: float = 0.0
    domain: Domain | None = None

    def describe(self, driver_base: Any, unit: str) -> str:
        if self.rule == "scale":
            return f"{self.target.field} = {self.base:g} {unit} x (sampled / {driver_base:g} {unit})"
        return f"{self.target.field} takes the same draw"


@dataclass(frozen=True)
class UncertainInput:
    """One sampled dimension: a driver field, its range, and the fields that follow it."""

    target: Target
    domain: Domain
    unit: str
    base: Any
    origin: Literal["catalog", "vary"]
    followers: tuple[Follower, ...] = ()
    source: str | None = None
    confidence: str | None = None
    text: str | None = None  # the --vary text as given
    per_rack: bool = False  # a unit figure sampled per rack; sample_assignments multiplies by racks_per_unit

    @property
    def name(self) -> str:
        return self.target.name

    def assignments(self, u: float) -> list[tuple[Target, Any]]:
        """Every field this input sets at ``u``: the driver, then its followers."""
        value = self.domain.at(u)
        out: list[tuple[Target, Any]] = [(self.target, value)]
        for follower in self.followers:
            if follower.rule == "scale":
                ratio = float(value) / float(self.base) if self.base else 1.0
                out.append((follower.target, follower.base * ratio))
            else:
                assert follower.domain is not None
                out.append((follower.target, follower.domain.at(u)))
        return out

    def describe(self) -> dict[str, Any]:
        """JSON-friendly description (echoed in exports)."""
        base = self.base
        return {
            "name": self.name,
            "where": self.target.where,
            "kind": self.target.kind,
            "id": self.target.id,
            "field": self.target.field,
            "origin": self.origin,
            "unit": self.unit,
            "sampling": self.domain.kind,
            "low": self.domain.low,
            "high": self.domain.high,
            "choices": list(self.domain.choices) or None,
            "low_array": list(self.domain.low_array) or None,
            "high_array": list(self.domain.high_array) or None,
            "base": (list(base) if isinstance(base, tuple) else base),
            "base_scalar": self.domain.scalar(base) if base is not None else None,
            "follows": [f.describe(self.base, self.unit) for f in self.followers],
            "source": self.source,
            "confidence": self.confidence,
            "vary": self.text,
            "per_rack": self.per_rack,
        }


def _magnitude(value: Any) -> Any:
    magnitude = getattr(value, "magnitude", value)
    if isinstance(magnitude, np.ndarray):
        return tuple(float(x) for x in magnitude)
    return magnitude


_UNIT_WORDS = {"usd": "USD", "°C": "degC", "°F": "degF", "Δ°C": "K", "Tflops": "TFLOPS", "Pflops": "PFLOPS"}


def _unit_text(units: Any) -> str:
    """Short unit text for tables and exports ('kW', 'USD/kWh', 'degC')."""
    text = format(units, "~").replace(" ** ", "**").replace(" / ", "/").replace(" * ", "*")
    return re.sub(r"[^\s/*()]+", lambda m: _UNIT_WORDS.get(m.group(0), m.group(0)), text)


def _unit_of(sourced: Sourced[Any]) -> str:
    units = getattr(sourced.value, "units", None)
    if units is None:
        return "count" if isinstance(sourced.value, int) else ""
    return _unit_text(units)


def used_entries(scenario: Scenario, catalog: Catalog) -> list[tuple[str, str]]:
    """The (kind, id) of every catalog entry the scenario's plan reads, in a stable order."""
    out: list[tuple[str, str]] = []

    def add(kind: str, entry_id: str) -> None:
        if (kind, entry_id) not in out and entry_id in catalog.items.get(kind, {}):
            out.append((kind, entry_id))

    systems = [c.system for c in scenario.candidate] + [o.system for o in scenario.cloud]
    for system_id in systems:
        add("system", system_id)
        if system_id in catalog.items["system"]:
            add("chip", catalog.system(system_id).chip)
    supported = {
        cooling
        for c in scenario.candidate
        if c.system in catalog.items["system"]
        for cooling in catalog.system(c.system).cooling
    }
    halls = {h.id: h for h in scenario.hall}
    for row in scenario.row:
        for cooling_id in row.cooling:
            if cooling_id in supported and cooling_id in catalog.items["cooling"]:
                add("cooling", cooling_id)
                hall = halls.get(row.hall)
                add(
                    "plant",
                    (hall.plant if hall is not None and hall.plant else None) or catalog.cooling(cooling_id).plant,
                )
    for site in scenario.site:
        add("site", site.id)
    defaults = catalog.defaults
    chain_id = scenario.scenario.power_chain or defaults.power_chain
    add("power_chain", chain_id)
    if chain_id in catalog.items["power_chain"]:
        chain = catalog.power_chain(chain_id)
        for kind in ("rack_pdu", "ups", "transformer", "generator"):
            add(kind, getattr(chain, kind))
    for row in scenario.row:
        add("busway", row.busway)
    add("fluid", defaults.liquid_fluid)
    add("fluid", "air")
    add("defaults", defaults.id)
    return out


def _skipped(kind: str, field_name: str, precision: str) -> bool:
    if field_name in NOT_IN_PLAN.get(kind, ()) or field_name in OVERRIDDEN_BY_SCENARIO.get(kind, ()):
        return True
    return kind == "chip" and field_name in PRECISION_FIELDS.values() and field_name != PRECISION_FIELDS[precision]


def _domain_of(sourced: Sourced[Any], low: Any = None, high: Any = None) -> Domain | None:
    """The sampling domain of a catalog figure (its own range unless ``low``/``high`` given)."""
    value = _magnitude(sourced.value)
    lo = _magnitude(sourced.low) if low is None and sourced.low is not None else low
    hi = _magnitude(sourced.high) if high is None and sourced.high is not None else high
    lo = value if lo is None else lo
    hi = value if hi is None else hi
    if isinstance(value, tuple):
        lo_a = lo if isinstance(lo, tuple) else tuple(float(lo) for _ in value)
        hi_a = hi if isinstance(hi, tuple) else tuple(float(hi) for _ in value)
        if lo_a == hi_a:
            return None
        return Domain("array", float(np.mean(lo_a)), float(np.mean(hi_a)), low_array=lo_a, high_array=hi_a)
    if isinstance(value, int) and not isinstance(value, bool):
        choices = tuple(sorted({int(lo), int(value), int(hi)}))
        return Domain("choice", choices[0], choices[-1], choices=choices) if len(choices) > 1 else None
    if float(lo) == float(hi):
        return None
    return Domain("float", float(lo), float(hi))


def catalog_inputs(scenario: Scenario, catalog: Catalog) -> list[UncertainInput]:
    """Every ranged catalog figure on the entries the scenario uses (see the module doc)."""
    precision = scenario.scenario.precision
    inputs: list[UncertainInput] = []
    for kind, entry_id in used_entries(scenario, catalog):
        entry = catalog.get(kind, entry_id)
        taken: set[str] = set()
        if kind == "system":
            inputs += _system_power_inputs(entry, taken)
            inputs += _system_count_inputs(entry, taken)
        for field_name in type(entry).model_fields:
            sourced = getattr(entry, field_name)
            if field_name in taken or not isinstance(sourced, Sourced) or not sourced.has_range:
                continue
            if _skipped(kind, field_name, precision):
                continue
            domain = _domain_of(sourced)
            if domain is None:
                continue
            item = UncertainInput(
                target=Target("catalog", kind, entry_id, field_name),
                domain=domain,
                unit=_unit_of(sourced),
                base=_magnitude(sourced.value),
                origin="catalog",
                source=sourced.source,
                confidence=sourced.confidence,
            )
            racks = entry.racks_per_unit if isinstance(entry, System) else None
            if racks is not None and field_name == "weight" and _multi_rack(entry):
                item = _per_rack(item, int(racks.value))
            inputs.append(item)
    return inputs


def _multi_rack(system: Any) -> bool:
    """A rack-scale/ultraserver system whose rack count is a design alternative (ranged)."""
    racks = getattr(system, "racks_per_unit", None)
    return system.form != "server" and racks is not None and racks.has_range


def _per_rack(item: UncertainInput, base_racks: int) -> UncertainInput:
    """The same input sampled per rack: range and base divided by the catalog rack count."""
    domain = replace(item.domain, low=item.domain.low / base_racks, high=item.domain.high / base_racks)
    return replace(item, domain=domain, base=float(item.base) / base_racks, unit=f"{item.unit}/rack", per_rack=True)


def _system_power_inputs(system: Any, taken: set[str]) -> list[UncertainInput]:
    """The highest ranged of design/typical/idle drives; the ones below scale with it."""
    taken.update(POWER_ORDER)
    for position, name in enumerate(POWER_ORDER):
        sourced = getattr(system, name)
        if not sourced.has_range:
            continue
        domain = _domain_of(sourced)
        if domain is None:
            continue
        if position > 0:  # keep a typical/idle driver under the (fixed) figure above it
            ceiling = float(getattr(system, POWER_ORDER[position - 1]).magnitude)
            domain = replace(domain, high=min(domain.high, ceiling))
            if domain.high <= domain.low:
                continue
        followers = tuple(
            Follower(
                Target("catalog", "system", system.id, below), "scale", base=float(getattr(system, below).magnitude)
            )
            for below in POWER_ORDER[position + 1 :]
        )
        return [
            UncertainInput(
                target=Target("catalog", "system", system.id, name),
                domain=domain,
                unit=_unit_of(sourced),
                base=float(sourced.magnitude),
                origin="catalog",
                followers=followers,
                source=sourced.source,
                confidence=sourced.confidence,
            )
        ]
    return []


def _system_count_inputs(system: Any, taken: set[str]) -> list[UncertainInput]:
    """Discrete design alternatives of one system, drawn together."""
    ranged = []
    for name in COUNT_FIELDS:
        sourced = getattr(system, name, None)
        if sourced is not None and sourced.has_range:
            domain = _domain_of(sourced)
            if domain is not None:
                ranged.append((name, sourced, domain))
    taken.update(name for name, _, _ in ranged)
    if not ranged:
        return []
    (name, sourced, domain), rest = ranged[0], ranged[1:]
    followers = tuple(Follower(Target("catalog", "system", system.id, n), "same-draw", domain=d) for n, _, d in rest)
    return [
        UncertainInput(
            target=Target("catalog", "system", system.id, name),
            domain=domain,
            unit="count",
            base=int(sourced.value),
            origin="catalog",
            followers=followers,
            source=sourced.source,
            confidence=sourced.confidence,
        )
    ]


# --- --vary ----------------------------------------------------------------------------

_VARY = re.compile(r"^\s*([^=\s]+)\s*=\s*(.+?)\s*:\s*(.+?)\s*$")
VARY_EXAMPLE = "site.ashburn-va.utility_power=120MW:180MW"


def _annotated_type(annotation: Any, metadata: Sequence[Any]) -> Any:
    """The field's type with its constraints, ``None`` stripped from optionals."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            annotation = args[0]
    if metadata:
        return Annotated[(annotation, *metadata)]
    return annotation


def _base_type(annotation: Any) -> Any:
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


def _numeric_kind(annotation: Any) -> str | None:
    base = _base_type(annotation)
    if base is int:
        return "int"
    if base is float:
        return "float"
    if getattr(base, "__name__", "") == "Quantity":
        return "quantity"
    return None


def _read_end(flag: str, side: str, text: str, annotation: Any) -> tuple[float, str]:
    """Validate one end of a --vary range with the field's own rules; (canonical value, unit)."""
    from pydantic import TypeAdapter, ValidationError

    kind = _numeric_kind(annotation)
    value: Any = text
    if kind == "int":
        if not re.fullmatch(r"\s*[-+]?\d+\s*", text):
            raise SweepInputError(f"{flag}: {side} {text!r}: expected a whole number")
        value = int(text)
    elif kind == "float":
        value = _plain_number(flag, side, text)
    try:
        result = TypeAdapter(annotation).validate_python(value)
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise SweepInputError(f"{flag}: {side} {text!r}: {message}") from None
    if kind == "quantity":
        return float(np.asarray(result.magnitude, dtype=float)), _unit_text(result.units)
    return (int(result) if kind == "int" else float(result)), ("count" if kind == "int" else "")


def _plain_number(flag: str, side: str, text: str) -> float:
    """A bare number ('0.08') or a dimensionless quantity ('8 %')."""
    from dcplan.models.units import UnitInputError, parse_ratio

    try:
        return parse_ratio(text)
    except UnitInputError as exc:
        raise SweepInputError(f"{flag}: {side} {text!r}: {exc}") from None


def _find_item(scenario: Scenario, table: str, item_id: str, flag: str) -> Any:
    items = getattr(scenario, table)
    for item in items:
        if table == "candidate" and item.system == item_id:
            return item
        if table == "share" and item_id in (item.family, item.software):
            return item
        if table not in ("candidate", "share") and item.id == item_id:
            return item
    if table == "candidate":
        known = [i.system for i in items]
    elif table == "share":
        known = [i.family or i.software for i in items]
    else:
        known = [i.id for i in items]
    raise SweepInputError(f"{flag}: no [[{table}]] {item_id!r} in the scenario (known: {', '.join(known) or 'none'})")


def parse_vary(text: str, scenario: Scenario, catalog: Catalog) -> UncertainInput:
    """Read ``FIELD=LOW:HIGH`` into an input; raise SweepInputError (one line) otherwise."""
    match = _VARY.match(text)
    if not match:
        raise SweepInputError(f"--vary {text!r}: expected FIELD=LOW:HIGH, e.g. {VARY_EXAMPLE}")
    path, low_text, high_text = match.groups()
    flag = f"--vary {path}"
    parts = path.split(".")
    if len(parts) < 2 or any(not p for p in parts):
        raise SweepInputError(f"{flag}: expected scenario.FIELD or TABLE.ID.FIELD, e.g. {VARY_EXAMPLE}")
    head, field_name = parts[0], parts[-1]
    item_id = ".".join(parts[1:-1])

    target: Target | None = None
    annotation: Any = None
    base: Any = None
    sourced: Sourced[Any] | None = None
    if head == "scenario" and len(parts) == 2:
        info = ScenarioHeader.model_fields.get(field_name)
        if info is None or _numeric_kind(_annotated_type(info.annotation, info.metadata)) is None:
            numeric = [
                n
                for n, i in ScenarioHeader.model_fields.items()
                if _numeric_kind(_annotated_type(i.annotation, i.metadata))
            ]
            raise SweepInputError(f"{flag}: not a numeric [scenario] field (one of: {', '.join(numeric)})")
        annotation = _annotated_type(info.annotation, info.metadata)
        target = Target("scenario", "scenario", "", field_name)
        base = _magnitude(getattr(scenario.scenario, field_name))
    elif len(parts) < 3:
        raise SweepInputError(f"{flag}: expected scenario.FIELD or TABLE.ID.FIELD, e.g. {VARY_EXAMPLE}")
    elif head in SCENARIO_TABLES and field_name in SCENARIO_TABLES[head][0].model_fields:
        model, _ = SCENARIO_TABLES[head]
        info = model.model_fields[field_name]
        annotation = _annotated_type(info.annotation, info.metadata)
        if _numeric_kind(annotation) is None:
            raise SweepInputError(f"{flag}: {field_name} of [[{head}]] is not a number that can be varied")
        item = _find_item(scenario, head, item_id, flag)
        target = Target("scenario", head, item_id, field_name)
        base = _magnitude(getattr(item, field_name))
    else:
        from dcplan.models.catalog.schema import KINDS

        if head not in KINDS:
            tables = ", ".join(["scenario", *SCENARIO_TABLES, *(k for k in KINDS if k not in SCENARIO_TABLES)])
            raise SweepInputError(f"{flag}: unknown table {head!r} (one of: {tables})")
        try:
            entry = catalog.get(head, item_id)
        except UnknownIdError as exc:
            raise SweepInputError(f"{flag}: {exc}") from None
        sourced = getattr(entry, field_name, None) if field_name in type(entry).model_fields else None
        if not isinstance(sourced, Sourced):
            if head == "site":
                fields = [*SiteLimits.model_fields]
                hint = f"; scenario [[site]] fields: {', '.join(f for f in fields if f != 'id')}"
            else:
                hint = ""
            raise SweepInputError(f"{flag}: {head} {item_id!r} has no sourced figure {field_name!r}{hint}")
        if isinstance(_magnitude(sourced.value), tuple):
            raise SweepInputError(f"{flag}: {field_name} is an array; its catalog range is sampled as a whole")
        info = type(sourced).model_fields["value"]
        annotation = _annotated_type(info.annotation, info.metadata)
        target = Target("catalog", head, item_id, field_name)
        base = _magnitude(sourced.value)

    low, unit = _read_end(flag, "LOW", low_text, annotation)
    high, _ = _read_end(flag, "HIGH", high_text, annotation)
    if low > high:
        raise SweepInputError(f"{flag}: LOW {low_text!r} is above HIGH {high_text!r}")
    if low == high:
        raise SweepInputError(f"{flag}: LOW and HIGH are equal ({low_text!r}); nothing to vary")
    if sourced is not None and isinstance(sourced.value, int) and not isinstance(sourced.value, bool):
        domain = Domain("int", low, high)
        unit = "count"
    else:
        domain = Domain("int" if unit == "count" else "float", low, high)
    followers: tuple[Follower, ...] = ()
    if target.where == "catalog" and target.kind == "system" and field_name in POWER_ORDER:
        system = catalog.system(item_id)
        below = POWER_ORDER[POWER_ORDER.index(field_name) + 1 :]
        followers = tuple(
            Follower(Target("catalog", "system", item_id, b), "scale", base=float(getattr(system, b).magnitude))
            for b in below
        )
    return UncertainInput(
        target=target,
        domain=domain,
        unit=unit,
        base=base,
        origin="vary",
        followers=followers,
        source=sourced.source if sourced is not None else None,
        confidence=sourced.confidence if sourced is not None else None,
        text=text.strip(),
    )


def merge_inputs(catalog_ranges: list[UncertainInput], varied: list[UncertainInput]) -> list[UncertainInput]:
    """``--vary`` inputs replace catalog ranges on the same field; they are never followers."""
    names = [v.name for v in varied]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SweepInputError(f"--vary {duplicates[0]}: given twice")
    explicit = {v.target for v in varied}
    out: list[UncertainInput] = []
    for item in catalog_ranges:
        if item.target in explicit:
            continue
        followers = tuple(f for f in item.followers if f.target not in explicit)
        out.append(replace(item, followers=followers) if followers != item.followers else item)
    for item in varied:
        followers = tuple(f for f in item.followers if f.target not in explicit)
        out.append(replace(item, followers=followers))
    return out


# ---------------------------------------------------------------------------------------
# Designs: unit-cube coordinates -> consistent field values
# ---------------------------------------------------------------------------------------


def lhs_matrix(d: int, n: int, seed: int) -> np.ndarray:
    """``n`` Latin-hypercube points in [0, 1)^d (scipy's qmc; reproducible for a seed)."""
    from scipy.stats import qmc

    try:
        sampler = qmc.LatinHypercube(d=d, rng=np.random.default_rng(seed))
    except TypeError:  # scipy < 1.15 spells it seed=
        sampler = qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed))
    return np.asarray(sampler.random(n), dtype=float)


def grid_matrix(inputs: Sequence[UncertainInput], levels: int) -> np.ndarray:
    """Full factorial design: every combination of each input's grid levels."""
    axes = [item.domain.grid_levels(levels) for item in inputs]
    points = math.prod(len(a) for a in axes)
    if points > MAX_GRID_POINTS:
        raise SweepInputError(
            f"--grid {levels}: {points:,} points over {len(inputs)} inputs is more than {MAX_GRID_POINTS:,}; "
            "use fewer levels or fewer --vary inputs (or Latin hypercube --samples)"
        )
    return np.array(list(itertools.product(*axes)), dtype=float).reshape(points, len(inputs))


def _ordered_power(values: dict[str, float]) -> dict[str, float]:
    """Clip idle <= typical <= design <= nameplate (nameplate is raised, the others lowered)."""
    out = dict(values)
    if "nameplate_power" in out and out["nameplate_power"] is not None:
        out["nameplate_power"] = max(out["nameplate_power"], out["design_power"])
    out["typical_power"] = min(out["typical_power"], out["design_power"])
    out["idle_power"] = min(out["idle_power"], out["typical_power"])
    return out


def sample_assignments(
    inputs: Sequence[UncertainInput], row: np.ndarray, catalog: Catalog
) -> tuple[list[tuple[Target, Any]], list[float]]:
    """All field values of one design row, made consistent; and the driver values (scalars)."""
    values: dict[Target, Any] = {}
    drivers: list[float] = []
    per_rack: set[Target] = set()
    for item, u in zip(inputs, row, strict=True):
        pairs = item.assignments(float(u))
        drivers.append(item.domain.scalar(pairs[0][1]))
        for target, value in pairs:
            values[target] = value
        if item.per_rack:
            per_rack.add(item.target)
    # multi-rack units: mass = mass per rack x sampled racks (see the module doc)
    for target in [t for t in values if t.where == "catalog" and t.kind == "system" and t.field == "racks_per_unit"]:
        system = catalog.system(target.id)
        weight = Target("catalog", "system", target.id, "weight")
        if system.form == "server" or system.racks_per_unit is None:
            continue
        if weight in per_rack:
            values[weight] = float(values[weight]) * int(values[target])
        elif weight not in values:  # fixed catalog mass: keep it per rack
            base_racks = int(system.racks_per_unit.value)
            values[weight] = float(system.weight.magnitude) / base_racks * int(values[target])
    for weight in per_rack:  # rack count not sampled: the catalog's count
        racks = Target("catalog", "system", weight.id, "racks_per_unit")
        if racks not in values:
            values[weight] = float(values[weight]) * int(catalog.system(weight.id).racks_per_unit.value)  # type: ignore[union-attr]
    # systems: idle <= typical <= design <= nameplate
    systems = {
        t.id
        for t in values
        if t.where == "catalog" and t.kind == "system" and t.field in (*POWER_ORDER, "nameplate_power")
    }
    for system_id in sorted(systems):
        system = catalog.system(system_id)
        current: dict[str, Any] = {}
        for name in (*POWER_ORDER, "nameplate_power"):
            target = Target("catalog", "system", system_id, name)
            sourced = getattr(system, name)
            current[name] = values.get(target, float(sourced.magnitude) if sourced is not None else None)
        for name, value in _ordered_power(current).items():
            target = Target("catalog", "system", system_id, name)
            if value is not None and (target in values or value != current[name]):
                values[target] = value
    # sites: wet bulb <= dry bulb
    sites = {t.id for t in values if t.where == "catalog" and t.kind == "site"}
    for site_id in sorted(sites):
        site = catalog.site(site_id)
        for wet, dry in (("monthly_wet_bulb", "monthly_dry_bulb"), ("design_wet_bulb", "design_dry_bulb")):
            t_wet, t_dry = Target("catalog", "site", site_id, wet), Target("catalog", "site", site_id, dry)
            if t_wet not in values and t_dry not in values:
                continue
            w = np.asarray(values.get(t_wet, _magnitude(getattr(site, wet).value)), dtype=float)
            d = np.asarray(values.get(t_dry, _magnitude(getattr(site, dry).value)), dtype=float)
            clipped = np.minimum(w, d)
            if t_wet in values or np.any(clipped != w):
                values[t_wet] = tuple(float(x) for x in clipped) if clipped.ndim else float(clipped)
    return list(values.items()), drivers


# ---------------------------------------------------------------------------------------
# One sample: a pure function of its spec
# ---------------------------------------------------------------------------------------

Assignment = tuple[str, str, str, Any]  # (kind, id, field, value) in the field's canonical unit


@dataclass(frozen=True)
class SampleSpec:
    """Everything one solve needs; small and picklable (sent to a worker process or Dask)."""

    index: int
    scenario: dict[str, Any]
    catalog_dirs: tuple[str, ...]
    builtin: bool
    catalog_values: tuple[Assignment, ...]
    scenario_values: tuple[Assignment, ...]
    time_limit_s: float = 60.0
    rel_gap: float = 1e-3
    fixed_mix: tuple[tuple[str, int], ...] | None = None  # candidate min_units = max_units
    phase: Literal["sample", "robust"] = "sample"
    mix: int = -1  # robust phase: which candidate mix
    attempt: int = 1
    fail_attempts: int = 0  # testing aid: raise InjectedFailure on attempts <= this


@dataclass(frozen=True)
class SampleResult:
    """What one solve gave (small): status, figures in display units, units per system."""

    index: int
    phase: str
    mix: int
    status: str  # optimal | feasible-with-gap | cancelled | infeasible | no-plan-within-limit | error
    compute_pflops: float | None = None
    tco_musd: float | None = None
    capex_musd: float | None = None
    facility_mw: float | None = None
    units: tuple[tuple[str, int], ...] = ()  # every system, owned + rented
    candidate_units: tuple[tuple[str, int], ...] = ()  # [[candidate]] systems: what min/max_units bound
    gap: float | None = None
    error: str | None = None
    attempts: int = 1
    elapsed_s: float = 0.0
    cpu_s: float = 0.0  # CPU time of the worker process for this sample (vs elapsed: contention)

    @property
    def has_plan(self) -> bool:
        return self.status in SOLUTION_STATUSES

    @property
    def mix_key(self) -> tuple[tuple[str, int], ...]:
        """The purchase decision: units of each [[candidate]] system (rented cloud-only
        systems adapt per sample, so they are not part of a mix)."""
        return self.candidate_units

    def outcome(self) -> tuple[Any, ...]:
        """Everything but timing: equal for the same spec on any backend."""
        return (
            self.index,
            self.phase,
            self.mix,
            self.status,
            self.compute_pflops,
            self.tco_musd,
            self.capex_musd,
            self.facility_mw,
            self.units,
            self.candidate_units,
            self.error,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": self.status,
            "compute_pflops": self.compute_pflops,
            "tco_musd": self.tco_musd,
            "capex_musd": self.capex_musd,
            "facility_mw": self.facility_mw,
            "units": dict(self.units),
            "gap": self.gap,
            "error": self.error,
            "attempts": self.attempts,
            "elapsed_s": round(self.elapsed_s, 4),
            "cpu_s": round(self.cpu_s, 4),
        }


_CATALOGS: dict[tuple[tuple[str, ...], bool], Catalog] = {}


def base_catalog(dirs: tuple[str, ...], builtin: bool = True) -> Catalog:
    """The merged catalog, loaded once per process (worker processes and Dask workers)."""
    key = (tuple(dirs), builtin)
    if key not in _CATALOGS:
        _CATALOGS[key] = load_catalog(list(dirs), builtin=builtin, use_env=False)
    return _CATALOGS[key]


def prime_catalog(dirs: tuple[str, ...], builtin: bool, catalog: Catalog) -> None:
    """Seed this process's cache with an already loaded catalog (in-process runs)."""
    _CATALOGS[(tuple(dirs), builtin)] = catalog


_WARM_ERROR: str | None = None  # why this worker process could not start, if it could not


def warm_worker(dirs: tuple[str, ...], builtin: bool = True) -> str | None:
    """Process-pool initializer / Dask ``client.run`` target: import the solver, load the
    catalog. Returns (and remembers) the error text if that fails, so the pool is not
    broken and the parent can say why in one line."""
    global _WARM_ERROR
    try:
        from pyomo.contrib.solver.solvers.highs import Highs  # noqa: F401  (highspy)

        import dcplan.planner.pipeline  # noqa: F401  (pyomo)

        base_catalog(tuple(dirs), builtin)
    except Exception as exc:
        _WARM_ERROR = _error_text(exc)
    else:
        _WARM_ERROR = None
    return _WARM_ERROR


def _start_error() -> str | None:
    """Run in a worker after its initializer: None if it is ready."""
    return _WARM_ERROR


def apply_catalog_values(base: Catalog, values: Iterable[Assignment]) -> Catalog:
    """A copy of ``base`` with the given figures replaced (entries copied, not re-validated).

    The ranges (``low``/``high``) are kept, so a plan's assumptions still show them.
    """
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, entry_id, field_name, value in values:
        grouped.setdefault((kind, entry_id), {})[field_name] = value
    if not grouped:
        return base
    items = {kind: dict(by_id) for kind, by_id in base.items.items()}
    for (kind, entry_id), fields in grouped.items():
        item: CatalogItem = items[kind][entry_id]
        entry = item.entry
        update = {}
        for field_name, value in fields.items():
            sourced = getattr(entry, field_name)
            update[field_name] = sourced.model_copy(update={"value": _as_field_value(sourced, value)})
        racks = entry.racks_per_unit if isinstance(entry, System) else None
        if racks is not None and "weight" in update and "racks_per_unit" in fields and _multi_rack(entry):
            # the mass range is the catalog's for its rack count: rescale it with the sampled count
            ratio = round(fields["racks_per_unit"]) / int(racks.value)
            mass = update["weight"]
            update["weight"] = mass.model_copy(
                update={end: getattr(mass, end) * ratio for end in ("low", "high") if getattr(mass, end) is not None}
            )
        items[kind][entry_id] = replace(item, entry=entry.model_copy(update=update))
    return Catalog(items=items, folders=list(base.folders))


def _as_field_value(sourced: Sourced[Any], value: Any) -> Any:
    current = sourced.value
    units = getattr(current, "units", None)
    if units is not None:
        from dcplan.models.units import Q_

        return Q_(np.asarray(value, dtype=float) if isinstance(value, tuple | list) else float(value), units)
    if isinstance(current, int) and not isinstance(current, bool):
        return round(value)
    return float(value)


def _quantity_field(model: type[BaseModel], field_name: str) -> str | None:
    """Canonical unit of a scenario quantity field, None for plain numbers."""
    info = model.model_fields[field_name]
    annotation = _annotated_type(info.annotation, info.metadata)
    if _numeric_kind(annotation) != "quantity":
        return None
    for meta in (*get_args(annotation)[1:], *info.metadata):
        canonical = getattr(meta, "canonical", None)
        if canonical:
            return str(canonical)
    return None


def apply_scenario_values(
    data: dict[str, Any], values: Iterable[Assignment], fixed_mix: Sequence[tuple[str, int]] | None = None
) -> dict[str, Any]:
    """A copy of the scenario mapping with the given fields set (validated by the caller)."""
    import copy

    out = copy.deepcopy(data)
    for table, item_id, field_name, value in values:
        model = ScenarioHeader if table == "scenario" else SCENARIO_TABLES[table][0]
        unit = _quantity_field(model, field_name)
        wrapped = {"value": float(value), "unit": unit} if unit else value
        if table == "scenario":
            out["scenario"][field_name] = wrapped
            continue
        for item in out.get(table, []):
            if table == "share":
                idents: tuple[Any, ...] = (item.get("family"), item.get("software"))
            else:
                idents = (item.get("system") if table == "candidate" else item.get("id"),)
            if item_id in idents:
                item[field_name] = wrapped
    if fixed_mix is not None:
        mix = dict(fixed_mix)
        for item in out["candidate"]:
            units = int(mix.get(item["system"], 0))
            item["min_units"] = units
            item["max_units"] = units
    return out


def run_sample(spec: SampleSpec) -> SampleResult:
    """Solve one sample in full; a pure function of ``spec`` (exceptions propagate)."""
    from dcplan.planner.pipeline import PlanOptions, plan_scenario
    from dcplan.planner.solve import SolveSettings

    started, cpu_started = time.perf_counter(), time.process_time()
    if _WARM_ERROR is not None:
        raise SweepRunError(f"worker could not start: {_WARM_ERROR}")
    if spec.attempt <= spec.fail_attempts:
        raise InjectedFailure(f"injected failure on attempt {spec.attempt} of sample {spec.index}")
    catalog = apply_catalog_values(base_catalog(spec.catalog_dirs, spec.builtin), spec.catalog_values)
    data = apply_scenario_values(spec.scenario, spec.scenario_values, spec.fixed_mix)
    scenario = parse_scenario(data, where=f"sample {spec.index}")
    options = PlanOptions(
        settings=SolveSettings(time_limit_s=spec.time_limit_s, rel_gap=spec.rel_gap, threads=1, seed=0),
        marginals=False,
        diagnose=False,
    )
    with _quiet_pyomo():
        plan = plan_scenario(scenario, catalog, options)
    systems = [c.system for c in scenario.candidate] + [o.system for o in scenario.cloud]
    units = dict.fromkeys(systems, 0)
    for line in plan.mix:
        units[line.system] = units.get(line.system, 0) + int(line.units)
    has_plan = plan.solver.status in SOLUTION_STATUSES and plan.costs is not None and plan.energy is not None
    return SampleResult(
        index=spec.index,
        phase=spec.phase,
        mix=spec.mix,
        status=plan.solver.status,
        compute_pflops=float(plan.compute_total.m_as("PFLOPS")) if has_plan else None,
        tco_musd=float(plan.costs.tco.m_as("USD")) / 1e6 if has_plan and plan.costs else None,
        capex_musd=float(plan.costs.capex_total.m_as("USD")) / 1e6 if has_plan and plan.costs else None,
        facility_mw=float(plan.energy.facility_power_design.m_as("MW")) if has_plan and plan.energy else None,
        units=tuple(sorted(units.items())) if has_plan else (),
        candidate_units=tuple(sorted((c.system, units[c.system]) for c in scenario.candidate)) if has_plan else (),
        gap=plan.solver.gap,
        attempts=spec.attempt,
        elapsed_s=time.perf_counter() - started,
        cpu_s=time.process_time() - cpu_started,
    )


@contextmanager
def _quiet_pyomo() -> Iterator[None]:
    """Pyomo logs a failed constraint rule before raising; the sweep reports the exception."""
    logger = logging.getLogger("pyomo")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip().splitlines()
    return text[0] if text else type(exc).__name__


# ---------------------------------------------------------------------------------------
# Running many samples: in this process, local worker processes, or a Dask cluster
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FailedAttempt:
    """A sample attempt that raised (kept in the report even when its retry succeeded)."""

    phase: str
    index: int
    mix: int
    attempt: int
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {"phase": self.phase, "index": self.index, "mix": self.mix, "attempt": self.attempt, "error": self.error}


class _Backend:
    """Submits specs and hands back finished futures in completion order (a queue fed by
    done-callbacks, so collecting n results costs O(n), not O(n**2) waits)."""

    name = "backend"
    workers = 1

    def __init__(self) -> None:
        self._done: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def _track(self, future: Any) -> Any:
        future.add_done_callback(self._done.put)
        return future

    def next_done(self) -> Any:
        while True:  # short timeouts keep Ctrl-C responsive
            try:
                return self._done.get(timeout=0.5)
            except queue.Empty:
                continue

    def close(self) -> None:
        pass


class _InProcess(_Backend):
    """Runs each spec at submit time in this process (``workers=0``)."""

    name = "in-process"

    def submit(self, spec: SampleSpec) -> Any:
        from concurrent.futures import Future

        future: Future[SampleResult] = Future()
        try:
            future.set_result(run_sample(spec))
        except Exception as exc:
            future.set_exception(exc)
        return self._track(future)


class _Pool(_Backend):
    """Local worker processes (spawned; each imports the solver and loads the catalog once)."""

    name = "processes"

    def __init__(self, workers: int, dirs: tuple[str, ...], builtin: bool):
        super().__init__()
        self.workers = workers
        self._args = (dirs, builtin)
        self._executor = self._start()
        error = self._executor.submit(_start_error).result()  # starts the pool; fails fast
        if error is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            raise SweepRunError(f"worker processes cannot start: {error}")

    def _start(self) -> Any:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=warm_worker,
            initargs=self._args,
        )

    def submit(self, spec: SampleSpec) -> Any:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self._track(self._executor.submit(run_sample, spec))
        except BrokenProcessPool:  # a worker died: start a fresh pool for the retries
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._start()
            return self._track(self._executor.submit(run_sample, spec))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class DaskTls:
    """TLS files for a ``tls://`` scheduler (the names of Dask's own ``--tls-*`` options):
    the CA that signed the scheduler's and workers' certificates, and this client's
    certificate and private key (PEM; the key may be inside the certificate file)."""

    ca_file: str
    cert: str
    key: str | None = None

    def check(self) -> None:
        """One line per unreadable file (dcplan's error, before Dask's ssl traceback)."""
        for flag, path in (("--tls-ca-file", self.ca_file), ("--tls-cert", self.cert), ("--tls-key", self.key)):
            if path is not None and not Path(path).is_file():
                raise SweepInputError(f"{flag} {path}: no such file")


def dask_security(address: str, tls: DaskTls | None) -> Any:
    """The ``distributed.security.Security`` for ``address``, or None for plain ``tcp://``.

    With ``tls`` the files are used and encryption is required. A ``tls://`` address
    without them takes Dask's own configuration (``distributed.comm.tls.ca-file``,
    ``.client.cert``, ``.client.key`` in ~/.config/dask/*.yaml or ``DASK_DISTRIBUTED__COMM__TLS__...``).
    """
    tls_address = address.startswith("tls://")
    if tls is not None and not tls_address:
        raise SweepInputError(f"--tls-ca-file/--tls-cert need a tls:// scheduler address, got {address!r}")
    if not tls_address:
        return None
    from distributed.security import Security

    if tls is not None:
        tls.check()
        return Security(
            tls_ca_file=tls.ca_file, tls_client_cert=tls.cert, tls_client_key=tls.key, require_encryption=True
        )
    security = Security(require_encryption=True)
    # set only when the Dask configuration names them (distributed.comm.tls.*)
    if not (getattr(security, "tls_ca_file", None) and getattr(security, "tls_client_cert", None)):
        raise SweepInputError(
            f"--scheduler {address}: a tls:// scheduler needs --tls-ca-file and --tls-cert (and --tls-key), "
            "or distributed.comm.tls settings in the Dask configuration"
        )
    return security


class _Dask(_Backend):
    """A Dask distributed cluster reached through its scheduler address.

    While samples are pending, the scheduler is asked every second how many workers it
    has; none for ``worker_timeout_s`` (the last worker died or left, or the scheduler is
    gone) stops the sweep with a SweepRunError instead of waiting for ever.
    """

    name = "dask"

    def __init__(
        self,
        address: str,
        dirs: tuple[str, ...],
        builtin: bool,
        client: Any = None,
        tls: DaskTls | None = None,
        worker_timeout_s: float = 60.0,
    ):
        from distributed import Client

        super().__init__()
        self._own = client is None
        self.worker_timeout_s = worker_timeout_s
        security = dask_security(address, tls) if client is None else None
        try:
            self.client = client or Client(address, timeout="10s", security=security)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SweepInputError(f"--scheduler {address}: cannot connect: {_error_text(exc)}") from None
        self.address = address or str(self.client.scheduler.address)
        self.dashboard_link: str | None = None
        try:
            self.client.wait_for_workers(1, timeout=worker_timeout_s)
        except (TimeoutError, OSError) as exc:
            self.close()
            raise SweepRunError(
                f"--scheduler {self.address}: no worker joined within {worker_timeout_s:g} s "
                f"(--worker-timeout): {_error_text(exc)}"
            ) from None
        workers = self.client.scheduler_info().get("workers", {}).values()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in workers))
        started = self.client.run(warm_worker, dirs, builtin)
        errors = [e for e in started.values() if e is not None]
        if errors:
            raise SweepRunError(f"{len(errors)} of {len(started)} Dask workers cannot start dcplan: {errors[0]}")
        self._no_workers_since: float | None = None
        self._last_check = 0.0

    def _worker_count(self) -> int:
        try:  # bounded: a scheduler that has gone must not block this check
            return len(self.client.sync(self.client.scheduler.ncores, callback_timeout=5))
        except Exception:
            return 0

    def next_done(self) -> Any:
        while True:
            try:
                future = self._done.get(timeout=0.5)
            except queue.Empty:
                self._watch_workers()
                continue
            self._no_workers_since = None
            return future

    def _watch_workers(self) -> None:
        now = time.monotonic()
        if now - self._last_check < 1.0:
            return
        self._last_check = now
        if self._worker_count() > 0:
            self._no_workers_since = None
            return
        if self._no_workers_since is None:
            self._no_workers_since = now
        elif now - self._no_workers_since >= self.worker_timeout_s:
            raise SweepRunError(
                f"--scheduler {self.address}: no workers for {self.worker_timeout_s:g} s "
                "(the last one died or left, or the scheduler is unreachable); stopped (--worker-timeout)"
            )

    def submit(self, spec: SampleSpec) -> Any:
        return self._track(self.client.submit(run_sample, spec, pure=False))

    def close(self) -> None:
        if self._own:
            self.client.close()


LOCAL_SCHEDULER = "local"
LOOPBACK = "127.0.0.1"


def local_cluster_kwargs(
    workers: int, host: str = LOOPBACK, dashboard: str | None = f"{LOOPBACK}:8787"
) -> dict[str, Any]:
    """``distributed.LocalCluster`` arguments for ``--scheduler local``: one single-threaded
    worker process per sample slot; scheduler, workers and dashboard listen on ``host``
    (loopback unless asked), the dashboard on ``dashboard`` (None: no dashboard).

    Dask's own defaults listen on every interface (dashboard ``:8787``), which on a shared
    or networked machine lets anyone who can reach the port see the cluster and submit work.
    """
    return {
        "n_workers": workers,
        "threads_per_worker": 1,
        "processes": True,
        "protocol": "tcp://",
        "host": host,
        "dashboard_address": dashboard,
        "worker_dashboard_address": None,
    }


class _LocalDask(_Dask):
    """A Dask LocalCluster started for this sweep and closed after it."""

    def __init__(self, workers: int, dirs: tuple[str, ...], builtin: bool, host: str, dashboard: str | None):
        from distributed import Client, LocalCluster

        self.cluster = LocalCluster(**local_cluster_kwargs(workers, host, dashboard))
        try:
            super().__init__("", dirs, builtin, client=Client(self.cluster), worker_timeout_s=60.0)
        except BaseException:
            self.cluster.close()
            raise
        self._own = True
        self.address = str(self.cluster.scheduler_address)
        self.dashboard_link = self.cluster.dashboard_link if dashboard is not None else None

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.cluster.close()


def make_backend(
    workers: int | None,
    scheduler: str | None,
    dirs: tuple[str, ...],
    builtin: bool,
    client: Any = None,
    tls: DaskTls | None = None,
    worker_timeout_s: float = 60.0,
    dask_host: str = LOOPBACK,
    dashboard: str | None = f"{LOOPBACK}:8787",
) -> Any:
    """``scheduler`` (or a Dask ``client``) -> Dask (``"local"``: a LocalCluster of ``workers``
    processes on ``dask_host``); ``workers=0`` -> this process; else a process pool."""
    if scheduler == LOCAL_SCHEDULER and client is None:
        return _LocalDask(workers or default_workers(), dirs, builtin, dask_host, dashboard)
    if scheduler is not None or client is not None:
        return _Dask(scheduler or "", dirs, builtin, client=client, tls=tls, worker_timeout_s=worker_timeout_s)
    if workers == 0:
        return _InProcess()
    return _Pool(workers or default_workers(), dirs, builtin)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


ProgressFn = Callable[[int, int, SampleResult], None]


def execute(
    specs: Sequence[SampleSpec], backend: Any, on_result: ProgressFn | None = None
) -> tuple[list[SampleResult], list[FailedAttempt]]:
    """Run every spec; a spec that raises is retried once, then reported as ``error``.

    Returns the results in spec order and every failed attempt. Infeasible samples are
    results like any other (status ``infeasible``).
    """
    pending: dict[Any, SampleSpec] = {}
    for spec in specs:
        pending[backend.submit(spec)] = spec
    results: dict[tuple[str, int, int], SampleResult] = {}
    failures: list[FailedAttempt] = []
    total = len(specs)
    try:
        while pending:
            future = backend.next_done()
            spec = pending.pop(future)
            try:
                result = future.result()
            except Exception as exc:  # a worker exception, a dead worker, a lost connection
                error = _error_text(exc)
                if not isinstance(exc, InjectedFailure) and os.environ.get("DCPLAN_SWEEP_TRACEBACK"):
                    traceback.print_exception(exc)
                failures.append(FailedAttempt(spec.phase, spec.index, spec.mix, spec.attempt, error))
                if spec.attempt < MAX_ATTEMPTS:
                    retry = replace(spec, attempt=spec.attempt + 1)
                    pending[backend.submit(retry)] = retry
                    continue
                result = SampleResult(
                    index=spec.index,
                    phase=spec.phase,
                    mix=spec.mix,
                    status="error",
                    error=error,
                    attempts=spec.attempt,
                )
            results[(spec.phase, spec.mix, spec.index)] = result
            if on_result is not None:
                on_result(len(results), total, result)
    except BaseException:
        for future in pending:
            future.cancel()
        raise
    ordered = [results[(s.phase, s.mix, s.index)] for s in specs]
    return ordered, failures


# ---------------------------------------------------------------------------------------
# A whole sweep
# ---------------------------------------------------------------------------------------


@dataclass
class SweepConfig:
    """How to sweep (CLI flags map one to one)."""

    samples: int = 500
    seed: int = 1
    grid: int | None = None  # levels per --vary input (full factorial) instead of LHS
    vary: list[str] = field(default_factory=list)
    catalog_ranges: bool | None = None  # default: on for LHS, off for a grid
    time_limit_s: float = 60.0
    rel_gap: float = 1e-3  # 0.1 %: 3-6x faster per sample than `dcplan solve`'s 0.01 %, well inside the spread
    workers: int | None = None  # None: one per CPU; 0: in this process
    scheduler: str | None = None
    tls: DaskTls | None = None  # --tls-ca-file/--tls-cert/--tls-key for a tls:// scheduler
    worker_timeout_s: float = 60.0  # a Dask cluster with no workers this long stops the sweep
    dask_host: str = LOOPBACK  # --scheduler local: where its scheduler, workers and dashboard listen
    dashboard: str | None = f"{LOOPBACK}:8787"  # --scheduler local: dashboard address (None: off)
    robust_mixes: int = 5
    robust_samples: int | None = 100  # None: all samples


@dataclass
class SweepDesign:
    """The inputs, the design matrix and one spec per sample, before anything runs."""

    scenario: Scenario
    scenario_file: str | None
    config: SweepConfig
    method: Literal["lhs", "grid"]
    inputs: list[UncertainInput]
    unit_cube: np.ndarray  # n x d coordinates in [0, 1]
    drivers: np.ndarray  # n x d driver values (scalars) for tables and statistics
    specs: list[SampleSpec]
    catalog_dirs: tuple[str, ...]
    builtin: bool
    skipped: list[str] = field(default_factory=list)


def resolve_catalog_dirs(extra: Sequence[Path | str] = (), use_env: bool = True) -> tuple[str, ...]:
    """Folders a worker must load: $DCPLAN_CATALOG then ``extra``, as absolute paths."""
    dirs = [*(catalog_dirs_from_env() if use_env else []), *(Path(d).expanduser() for d in extra)]
    return tuple(str(Path(d).resolve()) for d in dirs)


def prepare_sweep(
    scenario: Scenario,
    catalog: Catalog,
    config: SweepConfig,
    catalog_dirs: tuple[str, ...] = (),
    builtin: bool = True,
    scenario_file: str | None = None,
) -> SweepDesign:
    """Read the inputs, draw the design and build one spec per sample (nothing solved yet)."""
    method: Literal["lhs", "grid"] = "grid" if config.grid is not None else "lhs"
    use_catalog = config.catalog_ranges if config.catalog_ranges is not None else method == "lhs"
    if method == "grid" and config.catalog_ranges:
        raise SweepInputError("--grid varies only the --vary inputs; drop --catalog-ranges or use --samples")
    if method == "grid" and not config.vary:
        raise SweepInputError("--grid needs at least one --vary FIELD=LOW:HIGH")
    if method == "grid" and config.grid is not None and config.grid < 2:
        raise SweepInputError(f"--grid {config.grid}: needs at least 2 levels")
    if method == "lhs" and config.samples < 1:
        raise SweepInputError(f"--samples {config.samples}: needs at least 1 sample")
    varied = [parse_vary(text, scenario, catalog) for text in config.vary]
    inputs = merge_inputs(catalog_inputs(scenario, catalog) if use_catalog else [], varied)
    if not inputs:
        raise SweepInputError(
            "nothing to vary: the scenario's catalog entries have no ranges; add --vary FIELD=LOW:HIGH"
        )
    _check_scenario_ends(scenario, inputs)
    if method == "grid":
        assert config.grid is not None
        cube = grid_matrix(inputs, config.grid)
    else:
        cube = lhs_matrix(len(inputs), config.samples, config.seed)
    base_data = scenario.model_dump(mode="json")
    specs: list[SampleSpec] = []
    drivers = np.zeros(cube.shape, dtype=float)
    for index, row in enumerate(cube):
        pairs, driver_values = sample_assignments(inputs, row, catalog)
        drivers[index] = driver_values
        specs.append(
            SampleSpec(
                index=index,
                scenario=base_data,
                catalog_dirs=catalog_dirs,
                builtin=builtin,
                catalog_values=tuple((t.kind, t.id, t.field, v) for t, v in pairs if t.where == "catalog"),
                scenario_values=tuple((t.kind, t.id, t.field, v) for t, v in pairs if t.where == "scenario"),
                time_limit_s=config.time_limit_s,
                rel_gap=config.rel_gap,
            )
        )
    return SweepDesign(
        scenario=scenario,
        scenario_file=scenario_file,
        config=config,
        method=method,
        inputs=inputs,
        unit_cube=cube,
        drivers=drivers,
        specs=specs,
        catalog_dirs=catalog_dirs,
        builtin=builtin,
    )


def _check_scenario_ends(scenario: Scenario, inputs: Sequence[UncertainInput]) -> None:
    """The scenario must stay valid with every --vary input at its low (and high) end."""
    scenario_inputs = [i for i in inputs if i.target.where == "scenario"]
    if not scenario_inputs:
        return
    base = scenario.model_dump(mode="json")
    for side, u in (("low", 0.0), ("high", 1.0)):
        values = [(i.target.kind, i.target.id, i.target.field, i.domain.at(u)) for i in scenario_inputs]
        try:
            parse_scenario(apply_scenario_values(base, values), where=f"--vary at the {side} ends")
        except ScenarioError as exc:
            raise SweepInputError(exc.lines[0]) from None


@dataclass
class SweepResult:
    """Everything a sweep produced: design, per-sample results, statistics, robust choice."""

    design: SweepDesign
    results: list[SampleResult]
    failures: list[FailedAttempt]
    backend: str
    workers: int
    wall_s: float
    summary: dict[str, Any]
    tornado: list[dict[str, Any]]
    robust: dict[str, Any]
    dashboard: str | None = None  # --scheduler local: the Dask dashboard it served

    @property
    def objective(self) -> str:
        return self.design.scenario.scenario.objective

    def to_dict(self) -> dict[str, Any]:
        """The versioned JSON document (inputs, ranges and seed echoed)."""
        design = self.design
        config = design.config
        samples = []
        for result, drivers in zip(self.results, design.drivers, strict=True):
            row = result.to_dict()
            row["inputs"] = {item.name: float(v) for item, v in zip(design.inputs, drivers, strict=True)}
            samples.append(row)
        return {
            "schema_version": SWEEP_SCHEMA_VERSION,
            "kind": "dcplan-sweep",
            "scenario_id": design.scenario.scenario.id,
            "scenario_name": design.scenario.scenario.name,
            "scenario_file": design.scenario_file,
            "objective": self.objective,
            "precision": design.scenario.scenario.precision,
            "method": design.method,
            "seed": config.seed if design.method == "lhs" else None,
            "samples": len(self.results),
            "grid_levels": config.grid,
            "catalog_ranges": any(i.origin == "catalog" for i in design.inputs),
            "vary": list(config.vary),
            "settings": {
                "time_limit_s": config.time_limit_s,
                "rel_gap": config.rel_gap,
                "threads_per_solve": 1,
                "marginals": False,
                "diagnosis": False,
                "catalog_dirs": list(design.catalog_dirs),
            },
            "run": {
                "backend": self.backend,
                "workers": self.workers,
                "dashboard": self.dashboard,
                "wall_s": round(self.wall_s, 3),
                "samples_per_s": round(len(self.results) / self.wall_s, 4) if self.wall_s > 0 else None,
                "solve_s_total": round(sum(r.elapsed_s for r in self.results), 3),
            },
            "inputs": [i.describe() for i in design.inputs],
            "summary": self.summary,
            "tornado": self.tornado,
            "robust": self.robust,
            "failures": [f.to_dict() for f in self.failures],
            "results": samples,
            "scenario": design.scenario.model_dump(mode="json"),
        }


def run_sweep(
    design: SweepDesign,
    on_result: ProgressFn | None = None,
    on_phase: Callable[[str, int], None] | None = None,
    client: Any = None,
) -> SweepResult:
    """Run every sample (and the robust check) on the configured backend; analyse."""
    config = design.config
    started = time.perf_counter()
    backend = make_backend(
        config.workers,
        config.scheduler,
        design.catalog_dirs,
        design.builtin,
        client=client,
        tls=config.tls,
        worker_timeout_s=config.worker_timeout_s,
        dask_host=config.dask_host,
        dashboard=config.dashboard,
    )
    try:
        if on_phase is not None:
            on_phase("samples", len(design.specs))
        results, failures = execute(design.specs, backend, on_result)
        robust = robust_check(design, results, backend, on_result, on_phase)
        failures += robust.pop("_failures", [])
    finally:
        backend.close()
    wall = time.perf_counter() - started
    objective_name = "compute_pflops" if design.scenario.scenario.objective == "max-compute" else "tco_musd"
    return SweepResult(
        design=design,
        results=results,
        failures=failures,
        backend=backend.name,
        workers=backend.workers,
        dashboard=getattr(backend, "dashboard_link", None),
        wall_s=wall,
        summary=summarise(results),
        tornado=tornado(design, results, objective_name),
        robust=robust,
    )


# ---------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------

OUTPUTS = ("compute_pflops", "tco_musd", "capex_musd", "facility_mw")


def _percentiles(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"p10": None, "p50": None, "p90": None, "mean": None, "min": None, "max": None}
    array = np.asarray(values, dtype=float)
    p10, p50, p90 = np.percentile(array, [10, 50, 90])
    return {
        "p10": float(p10),
        "p50": float(p50),
        "p90": float(p90),
        "mean": float(array.mean()),
        "min": float(array.min()),
        "max": float(array.max()),
    }


def infeasible_text(summary: dict[str, Any]) -> str:
    """'8 of 40 samples infeasible (20 %)': the one phrase every summary line uses."""
    share = summary.get("infeasible_share")
    shown = "-" if share is None else f"{share:.0%}".replace("%", " %")
    return f"{summary['infeasible']} of {summary['samples']} samples infeasible ({shown})"


def summarise(results: Sequence[SampleResult]) -> dict[str, Any]:
    """Counts by status (and the infeasible share of all samples), P10/P50/P90 of the outputs
    and units, how often each system is chosen."""
    planned = [r for r in results if r.has_plan]
    statuses = Counter(r.status for r in results)
    systems = sorted({s for r in planned for s, _ in r.units})
    units = {s: [dict(r.units).get(s, 0) for r in planned] for s in systems}
    mixes = Counter(r.mix_key for r in planned)
    infeasible = statuses.get("infeasible", 0)
    return {
        "samples": len(results),
        "with_plan": len(planned),
        "infeasible": infeasible,
        "infeasible_share": infeasible / len(results) if results else None,
        "no_solution": statuses.get("no-plan-within-limit", 0),
        "errors": statuses.get("error", 0),
        "time_limited": statuses.get("feasible-with-gap", 0),
        "by_status": dict(sorted(statuses.items())),
        "outputs": {name: _percentiles([getattr(r, name) for r in planned]) for name in OUTPUTS},
        "units": {s: _percentiles(v) for s, v in units.items()},
        "chosen_share": {s: (sum(1 for u in v if u > 0) / len(planned)) for s, v in units.items()},
        "distinct_mixes": len(mixes),
    }


def _rank(values: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return np.asarray(rankdata(values), dtype=float)


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation (0 when either side is constant)."""
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    rx, ry = _rank(x), _rank(y)
    return float(np.corrcoef(rx, ry)[0, 1])


def _thirds(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.quantile(x, [1 / 3, 2 / 3])
    return x <= lo, x >= hi


def tornado(design: SweepDesign, results: Sequence[SampleResult], objective: str) -> list[dict[str, Any]]:
    """Rank inputs by how much they move the objective (see the module doc for the method).

    For each input over the samples with a plan: Spearman's rho with the objective (and
    with TCO and compute), and the swing = mean objective of the samples whose input is in
    its top third minus those in its bottom third. Over all samples that ran: the share
    with a plan in the top third minus the bottom third (what moves feasibility).
    Sorted by |rho| with the objective, then |feasibility swing|.
    """
    ran = [i for i, r in enumerate(results) if r.status != "error"]
    planned = [i for i in ran if results[i].has_plan]
    rows = []
    for column, item in enumerate(design.inputs):
        row: dict[str, Any] = {"input": item.name, "unit": item.unit, "low": item.domain.low, "high": item.domain.high}
        x = design.drivers[planned, column] if planned else np.array([])
        for name in ("compute_pflops", "tco_musd"):
            y = np.array([getattr(results[i], name) for i in planned], dtype=float)
            row[f"rho_{name}"] = spearman(x, y) if len(planned) >= 3 else None
        y = np.array([getattr(results[i], objective) for i in planned], dtype=float)
        row["rho"] = row[f"rho_{objective}"]
        row["swing"] = None
        if len(planned) >= 3 and np.ptp(x) > 0:
            bottom, top = _thirds(x)
            if bottom.any() and top.any():
                row["swing"] = float(y[top].mean() - y[bottom].mean())
        row["feasible_swing"] = None
        if len(ran) >= 3:
            xa = design.drivers[ran, column]
            feasible = np.array([results[i].has_plan for i in ran], dtype=float)
            if np.ptp(xa) > 0 and np.ptp(feasible) > 0:
                bottom, top = _thirds(xa)
                row["feasible_swing"] = float(feasible[top].mean() - feasible[bottom].mean())
        rows.append(row)
    rows.sort(key=lambda r: (-_strength(r), -abs(r["rho"] or 0.0), r["input"]))
    return rows


# ---------------------------------------------------------------------------------------
# Robust choice
# ---------------------------------------------------------------------------------------


def _strength(row: dict[str, Any]) -> float:
    return max(abs(row["rho"] or 0.0), abs(row["feasible_swing"] or 0.0))


def candidate_mixes(
    results: Sequence[SampleResult], objective: str, k: int
) -> list[tuple[tuple[tuple[str, int], ...], int]]:
    """Up to ``k`` distinct mixes, each with how many samples chose it.

    The mixes found twice or more come first, most frequent first. When fewer than ``k``
    mixes repeat (continuous inputs make most mixes unique), the rest are spread evenly
    over the remaining distinct mixes ordered by their objective, so the check spans the
    cautious to the ambitious choices rather than taking arbitrary ties.
    """
    planned = [r for r in results if r.has_plan]
    counts = Counter(r.mix_key for r in planned)
    chosen = [(mix, n) for mix, n in counts.most_common() if n >= 2][:k]
    need = k - len(chosen)
    if need > 0:
        taken = {mix for mix, _ in chosen}
        best: dict[tuple[tuple[str, int], ...], float] = {}
        for r in planned:
            if r.mix_key not in taken:
                best.setdefault(r.mix_key, float(getattr(r, objective)))
        rest = sorted(best, key=lambda mix: (best[mix], mix))
        if rest:
            if len(rest) <= need:
                spots = list(range(len(rest)))
            else:
                spots = sorted({round(x) for x in np.linspace(0, len(rest) - 1, need)})
            chosen += [(rest[i], counts[rest[i]]) for i in spots]
    return chosen[:k]


def robust_check(
    design: SweepDesign,
    results: Sequence[SampleResult],
    backend: Any,
    on_result: ProgressFn | None = None,
    on_phase: Callable[[str, int], None] | None = None,
) -> dict[str, Any]:
    """Which candidate mix stays feasible in the largest share of samples.

    Each candidate mix (``candidate_mixes``) is checked against the first
    ``robust_samples`` samples (all with ``None``) by re-solving the sample with every
    candidate's ``min_units = max_units`` fixed to the mix. No solve is needed where the
    sample's own plan is that mix (feasible, same figures) or where the sample had no plan
    at all (fixing units only restricts it, so it stays infeasible). The robust choice is
    the mix feasible in the most checked samples; ties go to the higher expected compute
    (max-compute) or lower expected TCO (min-tco).
    """
    config = design.config
    objective = "compute_pflops" if design.scenario.scenario.objective == "max-compute" else "tco_musd"
    k = max(0, config.robust_mixes)
    limit = len(results) if config.robust_samples is None else min(config.robust_samples, len(results))
    if k == 0 or not any(r.has_plan for r in results):
        return {
            "checked": False,
            "reason": "disabled" if k == 0 else "no sample has a plan",
            "mixes": [],
            "_failures": [],
        }
    mixes = candidate_mixes(results, objective, k)
    checked = [r for r in results[:limit] if r.status != "error"]
    known: dict[tuple[int, int], SampleResult] = {}
    specs: list[SampleSpec] = []
    for m, (mix, _) in enumerate(mixes):
        for r in checked:
            if (r.has_plan and r.mix_key == mix) or not r.has_plan:
                known[(m, r.index)] = replace(r, phase="robust", mix=m)
            else:
                specs.append(replace(design.specs[r.index], phase="robust", mix=m, fixed_mix=mix, attempt=1))
    if on_phase is not None:
        on_phase("robust", len(specs))
    solved, failures = execute(specs, backend, on_result) if specs else ([], [])
    for r in solved:
        known[(r.mix, r.index)] = r
    rows = []
    frequency = Counter(r.mix_key for r in results if r.has_plan)
    for m, (mix, _) in enumerate(mixes):
        outcomes = [known[(m, r.index)] for r in checked]
        feasible = [o for o in outcomes if o.has_plan]
        ran = [o for o in outcomes if o.status != "error"]
        compute = [o.compute_pflops for o in feasible if o.compute_pflops is not None]
        tco = [o.tco_musd for o in feasible if o.tco_musd is not None]
        share = len(feasible) / len(ran) if ran else 0.0
        plannable = sum(1 for r in checked if r.has_plan)
        rows.append(
            {
                "mix": dict(mix),
                "found_in": frequency[mix],
                "checked": len(ran),
                "feasible": len(feasible),
                "feasible_share": share,
                "with_plan": plannable,  # checked samples that have any plan (the most a mix can reach)
                "feasible_share_of_plannable": len(feasible) / plannable if plannable else 0.0,
                "errors": len(outcomes) - len(ran),
                "mean_compute_pflops_when_feasible": float(np.mean(compute)) if compute else None,
                "expected_compute_pflops": float(np.sum(compute)) / len(ran) if ran else None,
                "mean_tco_musd_when_feasible": float(np.mean(tco)) if tco else None,
            }
        )

    def order(row: dict[str, Any]) -> tuple[float, float]:
        if objective == "compute_pflops":
            return (-row["feasible_share"], -(row["expected_compute_pflops"] or 0.0))
        return (-row["feasible_share"], row["mean_tco_musd_when_feasible"] or math.inf)

    best = min(rows, key=order) if rows else None
    return {
        "checked": True,
        "method": (
            "re-solve each checked sample with every candidate's min_units = max_units fixed to the mix; "
            "feasible share over the checked samples; "
            "ties: higher expected compute (max-compute) or lower TCO (min-tco)"
        ),
        "mixes_checked": len(mixes),
        "samples_checked": len(checked),
        "sample_limit": limit,
        "solves": len(specs),
        "known_without_solving": len(known) - len(solved),
        "choice": best,
        "mixes": rows,
        "_failures": failures,
    }


__all__ = [
    "SWEEP_SCHEMA_VERSION",
    "DaskTls",
    "Domain",
    "FailedAttempt",
    "Follower",
    "InjectedFailure",
    "SampleResult",
    "SampleSpec",
    "SweepConfig",
    "SweepDesign",
    "SweepInputError",
    "SweepResult",
    "SweepRunError",
    "Target",
    "UncertainInput",
    "catalog_inputs",
    "dask_security",
    "execute",
    "infeasible_text",
    "make_backend",
    "parse_vary",
    "prepare_sweep",
    "run_sample",
    "run_sweep",
    "summarise",
    "tornado",
    "used_entries",
]
