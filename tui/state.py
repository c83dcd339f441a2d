"""Shared application state: the catalog, the scenario being edited and the last plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class AppState:
    """What the screens share. No engineering arithmetic lives here."""

    catalog: Any
    catalog_dirs: list[Path] = field(default_factory=list)
    scenario_path: Path | None = None
    scenario_data: dict[str, Any] | None = None  # the raw (editable) scenario mapping
    plan: Any = None  # planner.plan.CapacityPlan
    plan_path: Path | None = None
    roadmap: Any = None  # planner.roadmap_plan.RoadmapPlan; then ``plan`` is its selected period's plan


def adopt_plan(state: AppState, path: Path | None, plan: Any) -> str:
    """Make a loaded or solved plan the app's; returns the screen that shows it.

    A roadmap plan (``kind == "roadmap"``) becomes ``state.roadmap`` and its first period's
    plan ``state.plan`` (the Timeline screen keeps ``state.plan`` on the selected period); a
    single-period plan replaces ``state.plan`` and clears the roadmap it no longer belongs to.
    """
    state.plan_path = path
    if getattr(plan, "kind", None) == "roadmap":
        state.roadmap = plan
        state.plan = plan.periods[0].plan if plan.periods else None
        return "timeline"
    state.roadmap = None
    state.plan = plan
    return "plan"
