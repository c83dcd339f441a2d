"""Catalog figures a scenario needs and the catalog lacks (planner.modeldata): one located
error each, naming the catalog file, entry and field."""

from __future__ import annotations

from dcplan.models.catalog import Catalog
from dcplan.models.catalog.loader import display_path
from dcplan.models.errors import DcplanError
from dcplan.planner.scenario import Scenario


class ModelDataError(DcplanError):
    """A scenario that refers to catalog data it needs but the catalog lacks (e.g. a price)."""


def catalog_field_error(
    catalog: Catalog, kind: str, entry_id: str, name: str, expected: str, why: str
) -> ModelDataError:
    """``<file>: <kind> '<id>': <field>: expected ..., got nothing`` for a missing catalog figure."""
    item = catalog.items[kind][entry_id]
    where = display_path(item.origin)
    return ModelDataError(
        f"{where}: {kind} '{entry_id}': {name}: expected {expected} ({why}), got nothing",
        file=where,
        entry=f"{kind} '{entry_id}'",
        field=name,
        expected=expected,
        got="nothing",
    )


def require_purchase_prices(scenario: Scenario, catalog: Catalog) -> None:
    """Every system a scenario may buy needs a purchase price (``capex``).

    A missing price used to count as 0 USD, so a budgeted or least-TCO plan bought the
    unpriced system "for free" (600 DGX B200 in the shipped enterprise plan). The plan's
    costs and the max-compute tie-break read the same figure, so the rule holds for every
    objective: give the catalog entry a ``capex`` (sourced, or ``assumption: <why>`` with
    low/high), or drop the candidate.
    """
    for candidate in scenario.candidate:
        system = catalog.system(candidate.system)
        if system.capex is None:
            raise catalog_field_error(
                catalog,
                "system",
                system.id,
                "capex",
                'a purchase price per unit, e.g. capex = { value = "300000 USD", source = "..." }',
                f"scenario {scenario.scenario.id!r} may buy it as a [[candidate]]",
            )
