"""The tables every export shares (CSV, XLSX, Markdown, HTML), so the numbers come from one place.

A :class:`Table` has typed columns whose ``key`` carries the unit (``it_power_kw``,
``capex_usd``: the CSV header) and whose ``header`` is the human form ("IT power [kW]":
XLSX, Markdown, HTML); each table here is declared as its columns beside the getter of
each value. Key-value blocks (summary, costs, energy) are lists of :class:`Figure`
(:mod:`planner.report.figures`). Values are plain Python numbers taken from the plan; the
only arithmetic is summing, unit conversion and, for the bill of materials, the remainder
of a capex category not itemised by an equipment line (so the lines add up to the plan's
total).

The cell types (:mod:`planner.report.cells`) and the key figures are re-exported here, so
``from dcplan.planner.report.tables import X`` keeps working for each of them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from operator import attrgetter
from typing import Any

from dcplan.planner.plan import CapacityPlan
from dcplan.planner.report.cells import Column, Figure, Getter, Table, as_usd, format_value, in_unit, table_of
from dcplan.planner.report.figures import (
    CAPEX_CATEGORIES,
    capex_breakdown_usd,
    compute_by_family_pflops,
    cost_figures,
    energy_figures,
    heat_split_mw,
    power_breakdown_mw,
    solver_figures,
    summary_figures,
)
from dcplan.planner.report.quantity import prose_units, unit_text

__all__ = [
    "ASSUMPTION_COLUMNS",
    "BOM_COLUMNS",
    "CAPEX_CATEGORIES",
    "COOLING_ITEMS",
    "ELECTRICAL_ITEMS",
    "LIMIT_COLUMNS",
    "SECTIONS",
    "URL",
    "Column",
    "Figure",
    "Table",
    "assumed_figures",
    "assumption_value",
    "assumptions_table",
    "bom_table",
    "bom_total_usd",
    "capex_breakdown_usd",
    "compute_by_family_pflops",
    "cost_figures",
    "energy_figures",
    "format_value",
    "halls_table",
    "heat_split_mw",
    "layout_table",
    "limits_table",
    "mix_table",
    "power_breakdown_mw",
    "relaxations_table",
    "rows_table",
    "solver_figures",
    "summary_figures",
    "urls_in",
]

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
_UNITEMISED = {
    "IT": "IT systems not itemised above",
    "electrical": "electrical distribution not itemised above (per-kW switchgear and cabling, from sizing)",
    "cooling": "cooling plant and distribution (per-kW, from sizing)",
    "building": "building and whitespace fit-out (per-area, from sizing)",
    "halls": "optional halls built",
}
_TOLERANCE_USD = 0.01


URL = re.compile(r"https?://[^\s)\]>,;\"']+")


def urls_in(text: str) -> list[str]:
    """The citation URLs in a source text (trailing full stops dropped)."""
    return [u.rstrip(".") for u in URL.findall(text or "")]


# ---------------------------------------------------------------------------------------
# tables


def _get(name: str) -> Getter:
    return attrgetter(name)


def mix_table(plan: CapacityPlan) -> Table:
    spec = (
        (Column("system", "system"), _get("system")),
        (Column("family", "family"), _get("family")),
        (Column("software", "software"), _get("software")),
        (Column("status", "status"), _get("status")),
        (Column("place", "place"), _get("place")),
        (Column("units", "units", kind="int"), _get("units")),
        (Column("racks", "racks", kind="int"), _get("racks")),
        (Column("chips", "chips", kind="int"), _get("chips")),
        (
            Column("compute_pflops", "compute", f"PFLOPS {plan.precision}", kind="float", decimals=0),
            in_unit("compute", "PFLOPS"),
        ),
        (Column("share_of_compute", "share of compute", kind="ratio"), _get("share")),
        (Column("capex_usd", "IT capex", "USD", kind="usd"), in_unit("capex", "USD")),
    )
    return table_of("mix", spec, plan.mix)


def _mw(label: str, attr: str) -> tuple[Column, Getter]:
    return Column(f"{attr}_mw", label, "MW", kind="float", decimals=2), in_unit(attr, "MW")


HALL_SPEC: tuple[tuple[Column, Getter], ...] = (
    (Column("hall", "hall"), _get("hall")),
    (Column("site", "site"), _get("site")),
    (Column("built", "built", kind="bool"), _get("built")),
    (Column("racks", "racks (compute, network and storage)", kind="int"), _get("racks")),
    (Column("network_racks", "of which network and storage", kind="int"), _get("network_racks")),
    (Column("rows_used", "rows used", kind="int"), _get("rows_used")),
    _mw("IT power", "it_power"),
    _mw("IT power cap", "it_power_cap"),
    _mw("liquid plant load", "liquid_plant_load"),
    _mw("liquid plant capacity", "liquid_plant_capacity"),
    _mw("air plant load", "air_plant_load"),
    _mw("air plant capacity", "air_plant_capacity"),
    _mw("facility power (design)", "facility_power_design"),
    (
        Column("gross_whitespace_m2", "gross whitespace used", "m2", kind="float", decimals=0),
        in_unit("gross_area", "m**2"),
    ),
    (Column("area_m2", "hall area", "m2", kind="float", decimals=0), in_unit("area", "m**2")),
)


def halls_table(plan: CapacityPlan) -> Table:
    return table_of("halls", HALL_SPEC, plan.halls)


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
        capex = None if m.capex is None else as_usd(m.capex)
        if capex is not None and category == "IT":
            itemised["IT"] += capex
        rows.append((category, "systems", m.system, m.place, m.units, m.racks, m.chips, None, None, None, None, capex))
    order = {name: i for i, name in enumerate((*ELECTRICAL_ITEMS, *COOLING_ITEMS))}
    equipment = sorted(
        plan.equipment, key=lambda e: (order.get(e.item, len(order)), e.item, e.scope, e.catalog_id or "")
    )
    for e in equipment:
        category = "cooling" if e.item in COOLING_ITEMS else "electrical"
        capex = as_usd(e.capex)
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
            rest = as_usd(getattr(plan.costs, attr)) - itemised.get(category, 0.0)
            if abs(rest) > _TOLERANCE_USD:
                rows.append(
                    (category, _UNITEMISED[category], None, "plan", None, None, None, None, None, None, None, rest)
                )
    category_order = {"IT": 0, "cloud (rented)": 1, "electrical": 2, "cooling": 3, "building": 4, "halls": 5}
    rows.sort(key=lambda r: category_order.get(r[0], 9))  # stable: keeps the order within a category
    return Table("bill of materials", BOM_COLUMNS, rows)


def bom_total_usd(table: Table) -> float:
    return sum(v for v in table.column("capex_usd") if v is not None)


def _kw(label: str, attr: str) -> tuple[Column, Getter]:
    return Column(f"{attr}_kw", label, "kW", kind="float"), in_unit(attr, "kW")


ROW_SPEC: tuple[tuple[Column, Getter], ...] = (
    (Column("row", "row"), _get("row")),
    (Column("hall", "hall"), _get("hall")),
    (Column("template", "row template"), _get("template")),
    (Column("system", "system"), _get("system")),
    (Column("cooling", "cooling"), _get("cooling")),
    (Column("feeds", "feeds"), _get("feeds")),
    (Column("units", "units", kind="int"), _get("units")),
    (Column("racks", "racks", kind="int"), _get("racks")),
    (Column("positions", "positions", kind="int"), _get("positions")),
    _kw("rack power", "rack_power"),
    _kw("IT power", "it_power"),
    _kw("feed capacity", "feed_capacity"),
    _kw("heat to liquid", "heat_to_liquid"),
    _kw("heat to air", "heat_to_air"),
)


def rows_table(plan: CapacityPlan) -> Table:
    return table_of("rows", ROW_SPEC, plan.rows)


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
    Column("marginal_method", "method"),
    Column("marginal_note", "how it was valued"),
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
            u.marginal_method,
            u.marginal_note,
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
