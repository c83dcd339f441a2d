"""References across tables that the scenario schema does not check but the planner does:
the site of a ``[[utility_limit]]`` or ``[[onsite_power]]`` and the hall of a
``[[water_loop]]`` must name an item of the scenario, each at most once.

The planner's data builders (planner.swing_data, planner.onsite_data, planner.water_data)
refuse such a scenario when it is solved; ``reference_problems`` says the same in the
editor's (location, message) form while the user types, before any optimisation. Given
the catalog, an ``[[onsite_power]]`` prime_mover must also name a ``[[prime_mover]]`` entry.
"""

from __future__ import annotations

from typing import Any

#: (table, field naming the other table, that table) for each reference checked here
REFERENCES = (
    ("utility_limit", "site", "site"),
    ("onsite_power", "site", "site"),
    ("water_loop", "hall", "hall"),
)


def reference_problems(scenario: Any, catalog: Any = None) -> list[tuple[tuple[Any, ...], str]]:
    """(('water_loop', 0, 'hall'), "expected a [[hall]] id (h1, h2), got 'nan'") for every
    item of a REFERENCES table naming an id its target table lacks, or one named twice; with
    a catalog (models.catalog.Catalog), every on-site prime_mover the catalog lacks too."""
    out: list[tuple[tuple[Any, ...], str]] = []
    if catalog is not None:
        movers = sorted(catalog.items.get("prime_mover", {}))
        for index, row in enumerate(scenario.onsite_power):
            if row.prime_mover is not None and row.prime_mover not in movers:
                expected = f"expected a [[prime_mover]] id ({', '.join(movers)}), got {row.prime_mover!r}"
                out.append((("onsite_power", index, "prime_mover"), expected))
    for table, name, target in REFERENCES:
        known = sorted(item.id for item in getattr(scenario, target))
        seen: set[str] = set()
        for index, item in enumerate(getattr(scenario, table)):
            value = getattr(item, name)
            if value not in known:
                out.append(((table, index, name), f"expected a [[{target}]] id ({', '.join(known)}), got {value!r}"))
            elif value in seen:
                out.append(((table, index, name), f"expected each {target} once in [[{table}]], got {value!r} twice"))
            seen.add(value)
    return out


__all__ = ["REFERENCES", "reference_problems"]
