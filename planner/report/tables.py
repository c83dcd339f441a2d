"""The tables every export shares (CSV, XLSX, Markdown, HTML), so the numbers come from one place.

A :class:`Table` has typed columns whose ``key`` carries the unit (``it_power_kw``,
``capex_usd``: the CSV header) and whose ``header`` is the human form ("IT power [kW]":
XLSX, Markdown, HTML). Key-value blocks (summary, costs, energy) are lists of
:class:`Figure`. Values are plain Python numbers taken from the plan; the only arithmetic
is summing, unit conversion and, for the bill of materials, the remainder of a capex
category not itemised by an equipment line (so the lines add up to the plan's total).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from dcplan.planner.plan import CapacityPlan
from dcplan.planner.report.quantity import (
    count,
    display,
    number,
    percent,
    prose_units,
    termination_text,
    unit_text,
    usd,
)

# Report sections, in order: (anchor, heading). Markdown and HTML both use these headings.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("solver", "Solver and diagnosis"),
    ("mix", "Mix"),
    ("halls", "Halls"),
    ("limits", "Utilisation of limits"),
    ("binding", "Binding limits and marginal values"),
    ("costs", "Costs"),
    ("energy", "Energy, carbon and water"),
    ("bom", "Bill of materials"),
    ("rows", "Rows"),
    ("floorplan", "Floor plan"),
    ("assumptions", "Assumptions and sources"),
)

ELECTRICAL_ITEMS = ("generators", "transformers", "UPS modules", "busway runs", "busway tap-offs", "rack PDUs")
COOLING_ITEMS = ("CDUs", "liquid-to-air row units", "CRAH units", "rear-door heat exchangers")
CAPEX_CATEGORIES = (
    ("IT", "capex_it"),
    ("electrical", "capex_electrical"),
    ("cooling", "capex_cooling"),
    ("building", "capex_building"),
    ("halls", "capex_halls"),
)
_UNITEMISED = {
    "IT": "IT systems not itemised above",
    "electrical": "electrical distribution not itemised above (per-kW switchgear and cabling, from sizing)",
    "cooling": "cooling plant and distribution (per-kW, from sizing)",
    "building": "building and whitespace fit-out (per-area, from sizing)",
    "halls": "optional halls built",
}
_TOLERANCE_USD = 0.01


@dataclass(frozen=True)
class Column:
    """One typed column. ``kind``: text, int, float, usd, ratio, bool, unit (a unit string), auto.

    ``decimals`` is the XLSX display format only; text renderings use
    :mod:`planner.report.quantity` (about 4 significant figures)."""

    key: str
    label: str
    unit: str | None = None
    kind: str = "text"
    decimals: int = 1

    @property
    def header(self) -> str:
        return f"{self.label} [{unit_text(self.unit)}]" if self.unit else self.label

    def format(self, value: Any) -> str:
        return format_value(value, self.kind, self.decimals)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def column(self, key: str) -> list[Any]:
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]

    def select(self, *keys: str) -> Table:
        """The same rows with only the named columns, in that order."""
        index = [[c.key for c in self.columns].index(k) for k in keys]
        return Table(
            self.name, tuple(self.columns[i] for i in index), [tuple(row[i] for i in index) for row in self.rows]
        )

    def records(self) -> list[dict[str, Any]]:
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]

    def formatted(self) -> list[list[str]]:
        return [[c.format(v) for c, v in zip(self.columns, row, strict=True)] for row in self.rows]


@dataclass(frozen=True)
class Figure:
    """One key figure: a labelled value with its unit and display format."""

    section: str
    label: str
    value: Any
    unit: str | None = None
    kind: str = "float"
    decimals: int = 1

    def format(self) -> str:
        return format_value(self.value, self.kind, self.decimals)


def format_value(value: Any, kind: str = "text", decimals: int = 1) -> str:
    """Display text of a cell, in the one style of :mod:`planner.report.quantity`: numbers with
    thousands separators and ~4 significant figures, counts as integers, ratios as percentages,
    unit strings with superscript powers. ``decimals`` is kept for the XLSX number format."""
    if value is None:
        return ""
    if isinstance(value, bool) or kind == "bool":
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        return display(value)
    if kind == "unit":
        return unit_text(str(value))
    if isinstance(value, (int, float)):
        if kind == "int":
            return count(value)
        if kind == "usd":
            return usd(value)
        if kind == "ratio":
            return percent(value)
        return number(value)
    return str(value)


URL = re.compile(r"https?://[^\s)\]>,;\"']+")


def urls_in(text: str) -> list[str]:
    """The citation URLs in a source text (trailing full stops dropped)."""
    return [u.rstrip(".") for u in URL.findall(text or "")]


# ---------------------------------------------------------------------------------------
# key figures


def _usd(q: Any) -> float:
    return float(q.m_as("USD"))


def summary_figures(plan: CapacityPlan) -> list[Figure]:
    s = plan.solver
    out = [
        Figure("plan", "scenario", plan.scenario_name, kind="text"),
        Figure("plan", "scenario id", plan.scenario_id, kind="text"),
        Figure("plan", "objective", plan.objective, kind="text"),
        Figure("plan", "precision", plan.precision, kind="text"),
        Figure("plan", "provisioning basis", plan.provisioning_basis, kind="text"),
        Figure("plan", "feasible", plan.feasible, kind="bool"),
        Figure("plan", "solver status", s.status, kind="text"),
        Figure("plan", "MIP gap", s.gap, kind="ratio", decimals=3),
        Figure("plan", "re-check passed", plan.recheck.ok, kind="bool"),
        Figure("plan", "re-checks", plan.recheck.checked, kind="int"),
        Figure("plan", "plan schema version", plan.schema_version, kind="text"),
        Figure(
            "mix",
            "peak dense compute",
            float(plan.compute_total.m_as("PFLOPS")),
            f"PFLOPS {plan.precision}",
            decimals=0,
        ),
        Figure("mix", "systems (units)", sum(m.units for m in plan.mix), kind="int"),
        Figure("mix", "chips", sum(m.chips for m in plan.mix), kind="int"),
        Figure("mix", "racks", sum(m.racks for m in plan.mix), kind="int"),
        Figure("mix", "rows used", len(plan.rows), kind="int"),
        Figure("mix", "halls built", sum(1 for h in plan.halls if h.built), kind="int"),
    ]
    if plan.energy is not None:
        e = plan.energy
        out += [
            Figure("power", "IT power provisioned", float(e.it_power_provisioned.m_as("MW")), "MW", decimals=2),
            Figure("power", "facility power (design day)", float(e.facility_power_design.m_as("MW")), "MW", decimals=2),
            Figure("power", "PUE (design day)", e.pue_design, decimals=3),
            Figure("power", "PUE (annual)", e.pue_annual, decimals=3),
        ]
    if plan.costs is not None:
        c = plan.costs
        out += [
            Figure("money", "capex", _usd(c.capex_total), "USD", kind="usd"),
            Figure("money", "annual opex", _usd(c.annual_opex), "USD/yr", kind="usd"),
            Figure("money", f"TCO ({c.tco_horizon_years:g} years)", _usd(c.tco), "USD", kind="usd"),
        ]
    return out


def cost_figures(plan: CapacityPlan) -> list[Figure]:
    c = plan.costs
    if c is None:
        return []
    return [
        Figure("capex", "IT", _usd(c.capex_it), "USD", kind="usd"),
        Figure("capex", "cooling", _usd(c.capex_cooling), "USD", kind="usd"),
        Figure("capex", "electrical", _usd(c.capex_electrical), "USD", kind="usd"),
        Figure("capex", "building", _usd(c.capex_building), "USD", kind="usd"),
        Figure("capex", "optional halls", _usd(c.capex_halls), "USD", kind="usd"),
        Figure("capex", "capex total", _usd(c.capex_total), "USD", kind="usd"),
        Figure("opex", "energy", _usd(c.annual_energy_cost), "USD/yr", kind="usd"),
        Figure("opex", "cloud rental", _usd(c.annual_cloud_cost), "USD/yr", kind="usd"),
        Figure("opex", "annual opex", _usd(c.annual_opex), "USD/yr", kind="usd"),
        Figure("TCO", "TCO", _usd(c.tco), "USD", kind="usd"),
        Figure("TCO", "horizon", c.tco_horizon_years, "years", decimals=0),
        Figure("TCO", "discount rate", c.discount_rate, kind="ratio"),
    ]


def power_breakdown_mw(plan: CapacityPlan) -> dict[str, float]:
    """Design-day facility power split: IT, cooling, electrical losses and the rest (misc)."""
    e = plan.energy
    if e is None:
        return {}
    it = float(e.it_power_provisioned.m_as("MW"))
    cooling = float(e.cooling_power_design.m_as("MW"))
    losses = float(e.electrical_losses_design.m_as("MW"))
    facility = float(e.facility_power_design.m_as("MW"))
    return {
        "IT": it,
        "cooling": cooling,
        "electrical losses": losses,
        "misc": max(0.0, facility - it - cooling - losses),
    }


def energy_figures(plan: CapacityPlan) -> list[Figure]:
    e = plan.energy
    if e is None:
        return []
    split = power_breakdown_mw(plan)
    return [
        Figure("power", "IT power provisioned", split["IT"], "MW", decimals=2),
        Figure("power", "IT power (annual average)", float(e.it_power_average.m_as("MW")), "MW", decimals=2),
        Figure("power", "cooling power (design day)", split["cooling"], "MW", decimals=2),
        Figure("power", "electrical losses (design day)", split["electrical losses"], "MW", decimals=2),
        Figure("power", "misc (remainder of facility power)", split["misc"], "MW", decimals=2),
        Figure("power", "facility power (design day)", float(e.facility_power_design.m_as("MW")), "MW", decimals=2),
        Figure(
            "power", "facility power (annual average)", float(e.facility_power_average.m_as("MW")), "MW", decimals=2
        ),
        Figure("power", "PUE (design day)", e.pue_design, decimals=3),
        Figure("power", "PUE (annual)", e.pue_annual, decimals=3),
        Figure("heat", "heat to liquid", float(e.heat_to_liquid.m_as("MW")), "MW", decimals=2),
        Figure("heat", "heat to air", float(e.heat_to_air.m_as("MW")), "MW", decimals=2),
        Figure("energy", "IT energy", float(e.it_energy.m_as("MWh")), "MWh/yr", decimals=0),
        Figure("energy", "facility energy", float(e.facility_energy.m_as("MWh")), "MWh/yr", decimals=0),
        Figure("carbon", "carbon", float(e.carbon.m_as("t")), "t CO2e/yr", decimals=0),
        Figure("water", "water", float(e.water.m_as("m**3")), "m3/yr", decimals=0),
        Figure("water", "WUE", e.wue, "L/kWh", decimals=3),
    ]


def heat_split_mw(plan: CapacityPlan) -> dict[str, float]:
    e = plan.energy
    if e is None:
        return {}
    return {"to liquid": float(e.heat_to_liquid.m_as("MW")), "to air": float(e.heat_to_air.m_as("MW"))}


def capex_breakdown_usd(plan: CapacityPlan) -> dict[str, float]:
    c = plan.costs
    if c is None:
        return {}
    return {name: _usd(getattr(c, attr)) for name, attr in CAPEX_CATEGORIES}


def compute_by_family_pflops(plan: CapacityPlan) -> dict[str, dict[str, float]]:
    """PFLOPS per family, split by place (site or cloud offer)."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for line in plan.mix:
        out[line.family][line.place] += float(line.compute.m_as("PFLOPS"))
    return {family: dict(places) for family, places in sorted(out.items())}


# ---------------------------------------------------------------------------------------
# tables


def mix_table(plan: CapacityPlan) -> Table:
    columns = (
        Column("system", "system"),
        Column("family", "family"),
        Column("software", "software"),
        Column("status", "status"),
        Column("place", "place"),
        Column("units", "units", kind="int"),
        Column("racks", "racks", kind="int"),
        Column("chips", "chips", kind="int"),
        Column("compute_pflops", "compute", f"PFLOPS {plan.precision}", kind="float", decimals=0),
        Column("share_of_compute", "share of compute", kind="ratio"),
        Column("capex_usd", "IT capex", "USD", kind="usd"),
    )
    rows = [
        (
            m.system,
            m.family,
            m.software,
            m.status,
            m.place,
            m.units,
            m.racks,
            m.chips,
            float(m.compute.m_as("PFLOPS")),
            m.share,
            None if m.capex is None else _usd(m.capex),
        )
        for m in plan.mix
    ]
    return Table("mix", columns, rows)


def halls_table(plan: CapacityPlan) -> Table:
    columns = (
        Column("hall", "hall"),
        Column("site", "site"),
        Column("built", "built", kind="bool"),
        Column("racks", "racks", kind="int"),
        Column("rows_used", "rows used", kind="int"),
        Column("it_power_mw", "IT power", "MW", kind="float", decimals=2),
        Column("it_power_cap_mw", "IT power cap", "MW", kind="float", decimals=2),
        Column("liquid_plant_load_mw", "liquid plant load", "MW", kind="float", decimals=2),
        Column("liquid_plant_capacity_mw", "liquid plant capacity", "MW", kind="float", decimals=2),
        Column("air_plant_load_mw", "air plant load", "MW", kind="float", decimals=2),
        Column("air_plant_capacity_mw", "air plant capacity", "MW", kind="float", decimals=2),
        Column("facility_power_design_mw", "facility power (design)", "MW", kind="float", decimals=2),
        Column("gross_whitespace_m2", "gross whitespace used", "m2", kind="float", decimals=0),
        Column("area_m2", "hall area", "m2", kind="float", decimals=0),
    )
    rows = [
        (
            h.hall,
            h.site,
            h.built,
            h.racks,
            h.rows_used,
            float(h.it_power.m_as("MW")),
            float(h.it_power_cap.m_as("MW")),
            float(h.liquid_plant_load.m_as("MW")),
            float(h.liquid_plant_capacity.m_as("MW")),
            float(h.air_plant_load.m_as("MW")),
            float(h.air_plant_capacity.m_as("MW")),
            float(h.facility_power_design.m_as("MW")),
            float(h.gross_area.m_as("m**2")),
            None if h.area is None else float(h.area.m_as("m**2")),
        )
        for h in plan.halls
    ]
    return Table("halls", columns, rows)


BOM_COLUMNS = (
    Column("category", "category"),
    Column("item", "item"),
    Column("catalog_id", "catalog id"),
    Column("scope", "scope"),
    Column("count", "count", kind="int"),
    Column("racks", "racks", kind="int"),
    Column("chips", "chips", kind="int"),
    Column("unit_capacity", "unit capacity", kind="float", decimals=1),
    Column("capacity_unit", "capacity unit", kind="unit"),
    Column("installed_capacity", "installed capacity", kind="float", decimals=1),
    Column("used_capacity", "used capacity", kind="float", decimals=1),
    Column("capex_usd", "capex", "USD", kind="usd"),
)


def bom_table(plan: CapacityPlan) -> Table:
    """Bill of materials: systems per place, every equipment line, and the rest of each capex
    category as one line, so ``capex_usd`` sums to the plan's capex total."""
    rows: list[tuple[Any, ...]] = []
    itemised: dict[str, float] = defaultdict(float)
    for m in plan.mix:
        category = "cloud (rented)" if m.place.startswith("cloud:") else "IT"
        capex = None if m.capex is None else _usd(m.capex)
        if capex is not None and category == "IT":
            itemised["IT"] += capex
        rows.append((category, "systems", m.system, m.place, m.units, m.racks, m.chips, None, None, None, None, capex))
    order = {name: i for i, name in enumerate((*ELECTRICAL_ITEMS, *COOLING_ITEMS))}
    equipment = sorted(
        plan.equipment, key=lambda e: (order.get(e.item, len(order)), e.item, e.scope, e.catalog_id or "")
    )
    for e in equipment:
        category = "cooling" if e.item in COOLING_ITEMS else "electrical"
        capex = _usd(e.capex)
        itemised[category] += capex
        rows.append(
            (
                category,
                e.item,
                e.catalog_id,
                e.scope,
                e.count,
                None,
                None,
                e.unit_capacity,
                e.capacity_unit,
                e.installed,
                e.used,
                capex,
            )
        )
    if plan.costs is not None:
        for category, attr in CAPEX_CATEGORIES:
            rest = _usd(getattr(plan.costs, attr)) - itemised.get(category, 0.0)
            if abs(rest) > _TOLERANCE_USD:
                rows.append(
                    (category, _UNITEMISED[category], None, "plan", None, None, None, None, None, None, None, rest)
                )
    category_order = {"IT": 0, "cloud (rented)": 1, "electrical": 2, "cooling": 3, "building": 4, "halls": 5}
    rows.sort(key=lambda r: category_order.get(r[0], 9))  # stable: keeps the order within a category
    return Table("bill of materials", BOM_COLUMNS, rows)


def bom_total_usd(table: Table) -> float:
    return sum(v for v in table.column("capex_usd") if v is not None)


def rows_table(plan: CapacityPlan) -> Table:
    columns = (
        Column("row", "row"),
        Column("hall", "hall"),
        Column("template", "row template"),
        Column("system", "system"),
        Column("cooling", "cooling"),
        Column("feeds", "feeds"),
        Column("units", "units", kind="int"),
        Column("racks", "racks", kind="int"),
        Column("positions", "positions", kind="int"),
        Column("rack_power_kw", "rack power", "kW", kind="float"),
        Column("it_power_kw", "IT power", "kW", kind="float"),
        Column("feed_capacity_kw", "feed capacity", "kW", kind="float"),
        Column("heat_to_liquid_kw", "heat to liquid", "kW", kind="float"),
        Column("heat_to_air_kw", "heat to air", "kW", kind="float"),
    )
    rows = [
        (
            r.row,
            r.hall,
            r.template,
            r.system,
            r.cooling,
            r.feeds,
            r.units,
            r.racks,
            r.positions,
            float(r.rack_power.m_as("kW")),
            float(r.it_power.m_as("kW")),
            float(r.feed_capacity.m_as("kW")),
            float(r.heat_to_liquid.m_as("kW")),
            float(r.heat_to_air.m_as("kW")),
        )
        for r in plan.rows
    ]
    return Table("rows", columns, rows)


def layout_table(plan: CapacityPlan) -> Table:
    columns = (
        Column("hall", "hall"),
        Column("row", "row"),
        Column("slot", "slot", kind="int"),
        Column("system", "system"),
        Column("cooling", "cooling"),
        Column("unit", "unit id"),
        Column("feeds", "feeds"),
        Column("cdu_loop", "coolant loop"),
        Column("rack_power_kw", "rack power", "kW", kind="float"),
    )
    rows = [
        (r["hall"], r["row"], r["slot"], r["system"], r["cooling"], r["unit"], r["feeds"], r["cdu_loop"], r["rack_kw"])
        for r in plan.layout.records()
    ]
    return Table("layout", columns, rows)


LIMIT_COLUMNS = (
    Column("limit", "limit"),
    Column("scope", "scope"),
    Column("sense", "sense"),
    Column("used", "used / achieved", kind="float", decimals=3),
    Column("allowed", "limit / required", kind="float", decimals=3),
    Column("unit", "unit", kind="unit"),
    Column("utilisation", "utilisation", kind="ratio"),
    Column("binding", "binding", kind="bool"),
    Column("marginal", "marginal value (objective per step)", kind="float", decimals=4),
    Column("marginal_step", "step"),
    Column("marginal_text", "what relaxing it is worth"),
)


def limits_table(plan: CapacityPlan, binding_only: bool = False) -> Table:
    rows = [
        (
            u.limit,
            u.scope,
            u.sense,
            u.used,
            u.allowed,
            u.unit,
            u.utilisation,
            u.binding,
            u.marginal,
            u.marginal_step,
            None if u.marginal_text is None else prose_units(u.marginal_text),
        )
        for u in plan.limits
        if u.binding or not binding_only
    ]
    return Table("binding limits" if binding_only else "limits", LIMIT_COLUMNS, rows)


def relaxations_table(plan: CapacityPlan) -> Table:
    columns = (
        Column("group", "group"),
        Column("limit", "limit"),
        Column("scope", "scope"),
        Column("amount", "amount", kind="float", decimals=2),
        Column("unit", "unit", kind="unit"),
        Column("text", "way out"),
    )
    rows = [(r.group, r.limit, r.scope, r.amount, r.unit, prose_units(r.text)) for r in plan.diagnosis.relaxations]
    return Table("relaxations", columns, rows)


def solver_figures(plan: CapacityPlan) -> list[Figure]:
    s = plan.solver
    return [
        Figure("solver", "status", s.status, kind="text"),
        Figure("solver", "termination", termination_text(s.termination), kind="text"),
        Figure("solver", "objective", s.objective_name, kind="text"),
        Figure("solver", "objective value", s.objective, decimals=3),
        Figure("solver", "best bound", s.bound, decimals=3),
        Figure("solver", "MIP gap", s.gap, kind="ratio", decimals=3),
        Figure("solver", "time limit", s.time_limit_s, "s", decimals=0),
        Figure("solver", "total time", s.total_s, "s", decimals=2),
        Figure("solver", "solve time", s.solve_s, "s", decimals=2),
        Figure("diagnosis", "feasible", plan.diagnosis.feasible, kind="bool"),
        Figure("diagnosis", "diagnosis", prose_units(plan.diagnosis.summary), kind="text"),
        Figure("re-check", "re-check passed", plan.recheck.ok, kind="bool"),
        Figure("re-check", "checks", plan.recheck.checked, kind="int"),
    ]


ASSUMPTION_COLUMNS = (
    Column("kind", "kind"),
    Column("id", "id"),
    Column("field", "field"),
    Column("value", "value", kind="auto"),
    Column("unit", "unit", kind="unit"),
    Column("low", "low", kind="auto"),
    Column("high", "high", kind="auto"),
    Column("confidence", "confidence"),
    Column("source", "source"),
    Column("origin", "catalog file"),
)


def assumptions_table(plan: CapacityPlan) -> Table:
    rows = [
        (a.kind, a.id, a.field, a.value, a.unit, a.low, a.high, a.confidence, a.source, a.origin)
        for a in plan.assumptions
    ]
    return Table("assumptions", ASSUMPTION_COLUMNS, rows)


def assumption_value(plan: CapacityPlan, kind: str, entry_id: str, field_name: str) -> tuple[Any, str | None] | None:
    """(value, unit) of one catalog figure recorded in the plan, or None."""
    for a in plan.assumptions:
        if a.kind == kind and a.id == entry_id and a.field == field_name:
            return a.value, a.unit
    return None


_KIND_ORDER = {"system": 0, "chip": 1, "cloud": 2, "cooling": 3, "plant": 4}


def assumed_figures(plan: CapacityPlan) -> list[tuple[str, str, list[str]]]:
    """The catalog figures used by the plan whose confidence is "assumption", per entry:
    (kind, id, ["field value unit", ...]); systems and chips first (prices, power, packing
    drive the mix), then cooling, plant, the power chain and the defaults."""
    by_entry: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a in plan.assumptions:
        if a.confidence != "assumption":
            continue
        value = format_value(a.value, "auto")
        unit = unit_text(a.unit)
        by_entry[(a.kind, a.id)].append(f"{a.field} {value}{' ' + unit if unit else ''}")
    ordered = sorted(by_entry.items(), key=lambda item: (_KIND_ORDER.get(item[0][0], 9), item[0]))
    return [(kind, entry, fields) for (kind, entry), fields in ordered]
