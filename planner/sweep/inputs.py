"""Uncertain inputs: the catalog ranges a scenario's plan reads, as sampled dimensions.

An ``UncertainInput`` is one dimension of the unit cube: a driver field, its ``Domain``
(how a coordinate ``u`` in [0, 1] maps onto a value) and the fields that follow it. The
rules that keep linked figures consistent (power order, discrete design alternatives,
mass per rack, climate arrays) are in the package docstring (``dcplan.planner.sweep``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from dcplan.models.catalog import Catalog, System
from dcplan.models.catalog.performance import Goodput
from dcplan.models.catalog.sourced import CONFIDENCE_ORDER, Sourced
from dcplan.planner.scenario import Scenario

#: Catalog figures with ranges that no part of the planner reads (checked by a test that
#: greps models/ and planner/), so sampling them would only add noise to the tornado.
NOT_IN_PLAN: dict[str, frozenset[str]] = {
    "chip": frozenset({"hbm_bandwidth", "scale_up_bandwidth"}),
    "system": frozenset({"chip_power", "coolant_inlet_min", "it_life"}),
    "cooling": frozenset({"air_supply_temp"}),
    "site": frozenset({"elevation"}),
    "defaults": frozenset({"it_life", "facility_life"}),
}
#: Of those, the ones only the roadmap planner (planner/roadmap_*.py) reads: a sweep samples
#: single-period solves and refuses a [roadmap] scenario, so its samples never read them.
ROADMAP_ONLY: dict[str, frozenset[str]] = {"system": frozenset({"it_life"}), "defaults": frozenset({"it_life"})}
#: Read by the planner only as a fallback that a scenario always overrides.
OVERRIDDEN_BY_SCENARIO: dict[str, frozenset[str]] = {
    "defaults": frozenset({"slab_rating"}),  # every [[hall]] must give slab_rating
}
PRECISION_FIELDS = {"bf16": "bf16_dense", "fp8": "fp8_dense", "fp4": "fp4_dense"}
POWER_ORDER = ("design_power", "typical_power", "idle_power")  # driver first
COUNT_FIELDS = ("chips_per_unit", "racks_per_unit", "max_units_per_rack")


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


def magnitude(value: Any) -> Any:
    magnitude = getattr(value, "magnitude", value)
    if isinstance(magnitude, np.ndarray):
        return tuple(float(x) for x in magnitude)
    return magnitude


_UNIT_WORDS = {"usd": "USD", "°C": "degC", "°F": "degF", "Δ°C": "K", "Tflops": "TFLOPS", "Pflops": "PFLOPS"}


def unit_text(units: Any) -> str:
    """Short unit text for tables and exports ('kW', 'USD/kWh', 'degC')."""
    text = format(units, "~").replace(" ** ", "**").replace(" / ", "/").replace(" * ", "*")
    return re.sub(r"[^\s/*()]+", lambda m: _UNIT_WORDS.get(m.group(0), m.group(0)), text)


def _unit_of(sourced: Sourced[Any]) -> str:
    units = getattr(sourced.value, "units", None)
    if units is None:
        return "count" if isinstance(sourced.value, int) else ""
    return unit_text(units)


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
    for kind, entry_id in _performance_entries(scenario, catalog, systems):
        add(kind, entry_id)
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


def _performance_entries(scenario: Scenario, catalog: Catalog, systems: list[str]) -> list[tuple[str, str]]:
    """The [[efficiency]] entries the classed workloads read on the scenario's systems (each
    precision they list that the chip has a figure for) and the [[goodput]] curves (each
    sampled as one array input: ``_goodput_inputs``)."""
    from dcplan.planner.delivered import CatalogLookup

    lookup = CatalogLookup(catalog)
    out: list[tuple[str, str]] = []
    for system_id in dict.fromkeys(s for s in systems if s in catalog.items["system"]):
        system = catalog.system(system_id)
        for workload in scenario.workload:
            if workload.workload_class is None:
                continue
            for precision in workload.run_precisions:
                figure = lookup.efficiency(system, workload.workload_class, precision, workload.latency)
                if figure is not None:
                    out.append(("efficiency", figure.entry))
            out.append(("goodput", lookup.goodput(system, 1.0).entry))
    return out


#: Read only by the fit rule of a classed workload with a model size (planner.delivered).
FIT_FIELDS = {"chip": "hbm_capacity", "system": "scale_up_domain"}


def _read_precisions(scenario: Scenario) -> set[str]:
    """Chip precision fields the plan reads: the scenario's (when a peak figure is read) and
    every precision a classed workload may run at."""
    from dcplan.planner.scenario import uses_peak

    precisions: set[str] = {scenario.scenario.precision} if uses_peak(scenario) else set()
    for workload in scenario.workload:
        if workload.workload_class is not None:
            precisions.update(workload.run_precisions)
    return {PRECISION_FIELDS[p] for p in precisions}


def _fit_read(scenario: Scenario) -> bool:
    return any(w.workload_class is not None and (w.total_params or w.state_bytes) for w in scenario.workload)


def _skipped(kind: str, field_name: str, read: tuple[set[str], bool]) -> bool:
    """Whether a catalog field is left out of sampling: not read by the plan (``read``: the
    precision fields read, and whether the fit rule reads HBM and scale-up domain)."""
    if field_name in NOT_IN_PLAN.get(kind, ()) or field_name in OVERRIDDEN_BY_SCENARIO.get(kind, ()):
        return True
    if FIT_FIELDS.get(kind) == field_name:
        return not read[1]
    return kind == "chip" and field_name in PRECISION_FIELDS.values() and field_name not in read[0]


def _domain_of(sourced: Sourced[Any], low: Any = None, high: Any = None) -> Domain | None:
    """The sampling domain of a catalog figure (its own range unless ``low``/``high`` given)."""
    value = magnitude(sourced.value)
    lo = magnitude(sourced.low) if low is None and sourced.low is not None else low
    hi = magnitude(sourced.high) if high is None and sourced.high is not None else high
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


def haircut_inputs(scenario: Scenario) -> list[UncertainInput]:
    """Each [[haircut]] with a range (low < high) as a sampled scenario input on its fraction."""
    out = []
    for cut in scenario.haircut:
        low = cut.fraction if cut.low is None else cut.low
        high = cut.fraction if cut.high is None else cut.high
        if high > low:
            target = Target("scenario", "haircut", cut.claim, "fraction")
            text = f"haircut.{cut.claim}.fraction={low:g}:{high:g}"
            domain = Domain("float", low, high)
            out.append(UncertainInput(target, domain, "", cut.fraction, "vary", confidence="claim haircut", text=text))
    return out


def catalog_inputs(scenario: Scenario, catalog: Catalog) -> list[UncertainInput]:
    """Every ranged catalog figure on the entries the scenario uses (see the module doc)."""
    read = (_read_precisions(scenario), _fit_read(scenario))
    inputs: list[UncertainInput] = []
    for kind, entry_id in used_entries(scenario, catalog):
        entry = catalog.get(kind, entry_id)
        taken: set[str] = set()
        if kind == "system":
            inputs += _system_power_inputs(entry, taken)
            inputs += _system_count_inputs(entry, taken)
        if isinstance(entry, Goodput):
            inputs += _goodput_inputs(entry)
        for field_name in type(entry).model_fields:
            sourced = getattr(entry, field_name)
            if field_name in taken or not isinstance(sourced, Sourced) or not sourced.has_range:
                continue
            if _skipped(kind, field_name, read):
                continue
            domain = _domain_of(sourced)
            if domain is None:
                continue
            item = UncertainInput(
                target=Target("catalog", kind, entry_id, field_name),
                domain=domain,
                unit=_unit_of(sourced),
                base=magnitude(sourced.value),
                origin="catalog",
                source=sourced.source,
                confidence=sourced.confidence,
            )
            racks = entry.racks_per_unit if isinstance(entry, System) else None
            if racks is not None and field_name == "weight" and multi_rack(entry):
                item = _per_rack(item, int(racks.value))
            inputs.append(item)
    return inputs


def _goodput_inputs(curve: Goodput) -> list[UncertainInput]:
    """A goodput curve as one array input over its points' goodput ranges, drawn together.

    One coordinate ``u`` sets every point to ``low + u x (high - low)``: a fleet that fails
    more often loses goodput at every job size, so the points move together (sampling them
    independently would draw curves that no fleet has). Its confidence is the weakest of the
    points'."""
    points = curve.points
    base = tuple(float(p.goodput.value) for p in points)
    low = tuple(float(p.goodput.low if p.goodput.low is not None else p.goodput.value) for p in points)
    high = tuple(float(p.goodput.high if p.goodput.high is not None else p.goodput.value) for p in points)
    if low == high:
        return []
    domain = Domain("array", float(np.mean(low)), float(np.mean(high)), low_array=low, high_array=high)
    return [
        UncertainInput(
            target=Target("catalog", "goodput", curve.id, "points"),
            domain=domain,
            unit="fraction",
            base=base,
            origin="catalog",
            source="; ".join(dict.fromkeys(p.goodput.source for p in points)),
            confidence=max((p.goodput.confidence for p in points), key=CONFIDENCE_ORDER.index),  # the weakest
        )
    ]


def multi_rack(system: Any) -> bool:
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
