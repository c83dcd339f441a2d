"""AWS AI Factory options (issue 14, item 3): AWS-operated systems in a customer's hall.

An ``[[ai_factory]]`` entry puts units of one system in the customer's rows of one hall
as if AWS operated the site (``models.availability.deployable_at(system, site,
operator="aws")``): that is the only way Trainium (AWS-operated only) appears on a non-AWS
site. The customer supplies power, space and cooling, so each option is built exactly as
``planner.modeldata`` builds a purchased one (rows, busway, cooling, slab and density
rules; energy at the site price), with key ``<row>/<system>/<cooling>@ai-factory`` and

    capex per unit [USD] = cooling + building + per-kW electrical (no IT capex: AWS owns it).

The committed rate per unit-hour and the minimum commitment are opex and rows of the
roadmap (``planner.roadmap_cloud``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dcplan.models.availability import deployable_at
from dcplan.models.catalog import Catalog
from dcplan.models.errors import DcplanError
from dcplan.planner.delivered import EfficiencyLookup, workload_pairs
from dcplan.planner.modeldata import (
    ModelData,
    Option,
    Pruned,
    _CoefficientCache,
    _option_or_reason,
    _power_chain,
    _row_context,
    sizing_options,
)

SUFFIX = "@ai-factory"
OPERATOR = "aws"


class AiFactoryError(DcplanError):
    """An [[ai_factory]] entry that cannot be planned (one line)."""


def factory_key(option_key: str) -> str:
    return f"{option_key}{SUFFIX}"


def ai_factory_options(
    scenario: Any, catalog: Catalog, data: ModelData
) -> tuple[dict[str, list[Option]], list[Pruned]]:
    """(factory id -> its options over the rows of its hall, the options that cannot exist).

    Refuses in one line: an unknown hall, a hall without rows, two factories of one system in
    one hall (their options would be the same), a system AWS cannot operate.
    """
    halls = {h.id: h for h in scenario.hall}
    out: dict[str, list[Option]] = {}
    pruned: list[Pruned] = []
    seen: set[tuple[str, str]] = set()
    cache: _CoefficientCache = {}
    for f in getattr(scenario, "ai_factory", None) or []:
        hall = halls.get(f.hall)
        if hall is None:
            raise AiFactoryError(
                f"ai_factory {f.id!r} hall: unknown hall {f.hall!r} (known: {', '.join(halls) or 'none'})"
            )
        if (f.system, f.hall) in seen:
            raise AiFactoryError(f"ai_factory {f.id!r}: a second AI Factory of {f.system} in hall {f.hall}")
        seen.add((f.system, f.hall))
        system = catalog.system(f.system)
        why = deployable_at(system, catalog.site(hall.site), OPERATOR)
        if why is not None:
            raise AiFactoryError(f"ai_factory {f.id!r}: AWS cannot operate it: {why}")
        rows = [r for r in scenario.row if r.hall == hall.id]
        if not rows:
            raise AiFactoryError(f"ai_factory {f.id!r}: hall {hall.id} has no [[row]] to place units in")
        chain, sizing = _power_chain(scenario, catalog), sizing_options(scenario, hall)
        options: list[Option] = []
        for row in rows:
            ctx = _row_context(catalog, hall, sizing, row, OPERATOR, chain)
            for cooling_id in dict.fromkeys(row.cooling):
                result = _option_or_reason(ctx, catalog, scenario.scenario, system, cooling_id, cache)
                if isinstance(result, str):
                    pruned.append(Pruned(row.id, f"{system.id}{SUFFIX}", cooling_id, result))
                else:
                    options.append(_without_it_capex(result))
        out[f.id] = options
    return out, pruned


def _without_it_capex(option: Option) -> Option:
    """The option with AWS owning the IT: key suffixed, capex = cooling + building + electrical."""
    c = option.coeff
    capex = c.capex_cooling_usd + c.capex_building_usd + c.capex_electrical_per_unit_usd
    return replace(option, key=factory_key(option.key), capex_per_unit_usd=capex)


def with_ai_factory(
    data: ModelData, scenario: Any, catalog: Catalog, lookup: EfficiencyLookup | None = None
) -> tuple[ModelData, dict[str, list[str]]]:
    """``data`` with every AI Factory option appended (workload pairs recomputed over the new
    supply), and factory id -> its option keys. ``data`` itself when there is no factory."""
    by_factory, pruned = ai_factory_options(scenario, catalog, data)
    if not by_factory:
        return data, {}
    options = [*data.options, *(o for opts in by_factory.values() for o in opts)]
    per_pair = workload_pairs(data.scenario, catalog, (options, data.clouds), data.sites, lookup)
    merged = replace(
        data,
        options=options,
        pruned=[*data.pruned, *pruned],
        eligible=per_pair.eligible,
        pairs=per_pair.pairs,
        needs=per_pair.needs,
        workload_pruned=per_pair.pruned,
        supply_groups=per_pair.groups,
    )
    return merged, {fid: [o.key for o in opts] for fid, opts in by_factory.items()}


__all__ = ["SUFFIX", "AiFactoryError", "ai_factory_options", "factory_key", "with_ai_factory"]
