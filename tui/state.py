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
