"""dcplan: power, thermal and capacity planning for AI datacenter halls.

This folder is installed as the ``dcplan`` package itself (see pyproject.toml); the
project's folders install beneath it as ``dcplan.models`` (physics), ``dcplan.planner``
(decisions, the CLI), ``dcplan.tui`` (terminal UI) and ``dcplan.catalogs`` (data).

The public API, in five lines::

    import dcplan
    catalog = dcplan.load_catalog()
    scenario = dcplan.load_scenario(dcplan.DEMO_SCENARIO)
    plan = dcplan.solve(scenario, catalog)
    dcplan.export(plan, "plan.xlsx")

plus ``dcplan.size(catalog, "trn3-ultraserver-gen2", count=4)`` and ``dcplan.read_plan``.
Names are resolved on first use, so ``import dcplan`` itself imports nothing heavy.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = [
    "DEMO_SCENARIO",
    "SCENARIO_DIR",
    "CapacityPlan",
    "Catalog",
    "DcplanError",
    "Scenario",
    "SizingOptions",
    "SizingResult",
    "__version__",
    "export",
    "load_catalog",
    "load_scenario",
    "read_plan",
    "size",
    "solve",
]

# public name -> the module that defines it
_WHERE = {
    "load_catalog": "dcplan.planner.api",
    "load_scenario": "dcplan.planner.api",
    "size": "dcplan.planner.api",
    "solve": "dcplan.planner.api",
    "export": "dcplan.planner.api",
    "read_plan": "dcplan.planner.api",
    "DEMO_SCENARIO": "dcplan.planner.scenario",
    "SCENARIO_DIR": "dcplan.planner.scenario",
    "Scenario": "dcplan.planner.scenario",
    "CapacityPlan": "dcplan.planner.plan",
    "Catalog": "dcplan.models.catalog",
    "SizingOptions": "dcplan.models.sizing",
    "SizingResult": "dcplan.models.sizing",
    "DcplanError": "dcplan.models.errors",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'dcplan' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # resolved once
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
