"""dcplan's public Python API: load a catalog and a scenario, size, solve, export.

Re-exported by the ``dcplan`` package itself, so a notebook needs five lines::

    import dcplan
    catalog = dcplan.load_catalog()
    scenario = dcplan.load_scenario(dcplan.DEMO_SCENARIO)
    plan = dcplan.solve(scenario, catalog)
    dcplan.export(plan, "plan.xlsx")

Every function raises ``dcplan.DcplanError`` (file, entry, field, expected, got) for a
mistake in what it was given; it is the same error the command line prints as one line.
The heavy modules (pint, pydantic, Pyomo, HiGHS) are imported on first call, not when
``dcplan`` is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dcplan.models.catalog import Catalog
    from dcplan.models.sizing import SizingOptions, SizingResult
    from dcplan.planner.plan import CapacityPlan
    from dcplan.planner.roadmap_plan import RoadmapPlan
    from dcplan.planner.scenario import Scenario


def load_catalog(*folders: Path | str, builtin: bool = True, use_env: bool = True) -> Catalog:
    """The built-in catalog with each of ``folders`` layered over it, in order (later wins).

    ``use_env`` also layers the folders named in ``$DCPLAN_CATALOG``, as the CLI does.
    """
    from dcplan.models.catalog import load_catalog as load

    return load(list(folders), builtin=builtin, use_env=use_env)


def load_scenario(path: Path | str) -> Scenario:
    """A scenario TOML file, validated (raises ``ScenarioError`` naming table, entry and field)."""
    from dcplan.planner.scenario import load_scenario as load

    return load(path)


def size(
    catalog: Catalog,
    system: str,
    *,
    cooling: str | None = None,
    site: str = "ashburn-va",
    count: int | None = None,
    it_power: Any = None,
    racks: int | None = None,
    options: SizingOptions | None = None,
) -> SizingResult:
    """Size one system on one cooling architecture at one site, and check every limit.

    Give exactly one target: ``count`` deployment units, ``it_power`` to fill (a pint
    quantity or text such as ``"5 MW"``) or ``racks`` to fill. ``cooling`` defaults to the
    system's first supported cooling. Same result as ``dcplan size --json``.
    """
    from pydantic import ValidationError

    from dcplan.models.errors import DcplanError
    from dcplan.models.sizing import SizingOptions, SizingRequest
    from dcplan.models.sizing import size as run_size

    cooling_id = cooling or catalog.system(system).cooling[0]
    catalog.cooling(cooling_id)
    catalog.site(site)
    try:
        request = SizingRequest(
            system=system, cooling=cooling_id, site=site, count=count, it_power=it_power, racks=racks
        )
    except ValidationError as exc:
        raise DcplanError.from_validation(exc, entry="size") from None
    return run_size(catalog, request, options or SizingOptions())


def solve(
    scenario: Scenario,
    catalog: Catalog | None = None,
    *,
    time_limit_s: float = 60.0,
    rel_gap: float = 1e-3,
    marginals: bool = True,
    threads: int = 1,
    presolve: str = "auto",
) -> CapacityPlan | RoadmapPlan:
    """Solve ``scenario`` to a checked CapacityPlan (layout, re-check, marginal values or a
    diagnosis), as ``dcplan solve`` does; a scenario with ``[roadmap]`` gives a RoadmapPlan
    (a checked plan per period and the timeline).

    ``catalog`` defaults to ``load_catalog()``. The plan's ``solver.status`` says what was
    proven: optimal, feasible-with-gap, infeasible (``plan.diagnosis`` says why),
    no-plan-within-limit, cancelled or interrupted; only the first two carry a layout.

    ``presolve``: HiGHS's presolve, ``auto`` (by model size, see ``planner.solve.highs_options``),
    ``choose``, ``on`` or ``off``; ``plan.solver.settings`` says which ran. HiGHS runs in a
    child process, so the solve returns within ``time_limit_s`` + 1 s of HiGHS starting
    even where HiGHS ignores its own limit.
    """
    from dcplan.models.errors import DcplanError
    from dcplan.planner.pipeline import PlanOptions, plan_scenario
    from dcplan.planner.solve import PRESOLVE_CHOICES, SolveSettings

    if presolve not in PRESOLVE_CHOICES:
        raise DcplanError(f"presolve: expected one of {', '.join(PRESOLVE_CHOICES)}, got {presolve!r}")
    settings = SolveSettings(
        time_limit_s=time_limit_s,
        rel_gap=rel_gap,
        threads=threads,
        presolve=presolve,  # type: ignore[arg-type]
    )
    options = PlanOptions(settings=settings, marginals=marginals)
    if scenario.roadmap is not None:  # a plan per period and the timeline, as `dcplan solve` does
        from dcplan.planner.roadmap_pipeline import plan_roadmap

        return plan_roadmap(scenario, catalog or load_catalog(), options)
    return plan_scenario(scenario, catalog or load_catalog(), options)


def export(plan: CapacityPlan | RoadmapPlan, path: Path | str, *, force: bool = False) -> list[Path]:
    """Write ``plan`` in the format its suffix names (.json .csv .xlsx .md .html .svg; a
    roadmap: .json .csv .xlsx .md .html); returns every file written (a report's charts and
    floor plans beside it).

    Files appear complete or not at all; an existing file is kept unless ``force``.
    """
    from dcplan.planner.roadmap_plan import RoadmapPlan

    if isinstance(plan, RoadmapPlan):
        from dcplan.planner.roadmap_export import write_roadmap_plan

        return write_roadmap_plan(plan, Path(path), force=force)
    from dcplan.planner.export import write_plan

    return write_plan(plan, Path(path), force=force)


def read_plan(path: Path | str) -> CapacityPlan | RoadmapPlan:
    """A plan JSON file written by ``export`` or ``dcplan solve -o plan.json``: a CapacityPlan,
    or a RoadmapPlan for a scenario with ``[roadmap]`` (``"kind": "roadmap"``)."""
    from dcplan.planner.export import read_plan as read

    return read(path)
