"""Every catalog id a scenario names exists in the catalog (planner.scenario validates the
scenario on its own; this check needs the catalog)."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any

from dcplan.planner.scenario import Scenario, ScenarioError, _quote


def check_catalog_references(scenario: Scenario, catalog: Any) -> None:
    """Every catalog id the scenario names exists; else one ScenarioError line per unknown id.

    Each line names the file, the table entry and the field, with close matches:
    ``x.toml: [[candidate]] 2: system: unknown system id 'gb300-nvl73' (did you mean 'gb300-nvl72'?)``.
    """
    where = scenario.source
    lines: list[str] = []
    first: dict[str, str | None] = {}

    def entry(table: str, index: int, ident: str | None = None) -> str:
        return f"[[{table}]] {index + 1}" + (f" {_quote(ident)}" if ident else "")

    def need(kind: str, entry_id: str | None, label: str, field: str) -> None:
        if entry_id is None or entry_id in catalog.items[kind]:
            return
        close = get_close_matches(entry_id, sorted(catalog.items[kind]), n=3)
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else " (see `dcplan catalog list`)"
        noun = kind.replace("_", " ")
        if not lines:
            first.update(entry=label, field=field, expected=f"a catalog {noun} id", got=entry_id)
        lines.append(f"{where}: {label}: {field}: unknown {noun} id {_quote(entry_id)}{hint}")

    need("power_chain", scenario.scenario.power_chain, "[scenario]", "power_chain")
    for i, site in enumerate(scenario.site):
        need("site", site.id, entry("site", i), "id")
    for i, hall in enumerate(scenario.hall):
        need("plant", hall.plant, entry("hall", i, hall.id), "plant")
    for i, row in enumerate(scenario.row):
        need("busway", row.busway, entry("row", i, row.id), "busway")
        for cooling_id in row.cooling:
            need("cooling", cooling_id, entry("row", i, row.id), "cooling")
    for i, candidate in enumerate(scenario.candidate):
        need("system", candidate.system, entry("candidate", i), "system")
    for i, offer in enumerate(scenario.cloud):
        need("system", offer.system, entry("cloud", i, offer.id), "system")
    for i, cut in enumerate(scenario.haircut):
        need("claim", cut.claim, entry("haircut", i), "claim")
    for i, factory in enumerate(scenario.ai_factory):
        need("system", factory.system, entry("ai_factory", i, factory.id), "system")
    for i, row in enumerate(scenario.row):
        if row.slot is not None:  # the rack_slot kind arrives with issue 14's catalog data
            need("rack_slot" if "rack_slot" in catalog.items else "system", row.slot, entry("row", i, row.id), "slot")
    if lines:
        raise ScenarioError(lines, file=where if where != "scenario" else None, **first)
