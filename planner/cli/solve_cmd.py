"""`dcplan solve SCENARIO.toml`: choose the mix and layout, re-check it, report and save."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from planner.cli.common import (
    EXIT_INFEASIBLE,
    EXIT_OK,
    EXIT_TIME_LIMIT,
    CatalogOption,
    JsonOption,
    UserError,
    console,
    load_catalog_for_cli,
    print_json,
)


def parse_duration_s(flag: str, text: str) -> float:
    """'30s', '2 min', '1.5 h' -> seconds; a clear one-line error otherwise."""
    from models.units import QuantitySpec, UnitInputError

    try:
        return float(QuantitySpec("a duration", "s", "30 s", positive=True).convert(text).magnitude)
    except UnitInputError as exc:
        raise UserError(f"{flag}: {exc}") from None


def parse_ratio(flag: str, text: str, upper: float = 1.0) -> float:
    """'0.5%' or '0.005' -> 0.005."""
    from models.units import UnitInputError
    from models.units import parse_ratio as read_ratio

    try:
        value = read_ratio(text)
    except UnitInputError:
        raise UserError(f"{flag}: expected a ratio such as 0.005 or '0.5%', got {text!r}") from None
    if not 0.0 <= value <= upper:
        raise UserError(f"{flag}: expected a ratio within [0, {upper:g}], got {text!r}")
    return value


def load_scenario_for_cli(path: Path) -> Any:
    from planner.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as exc:
        raise UserError(
            *exc.lines, file=exc.file, entry=exc.entry, field=exc.field, expected=exc.expected, got=exc.got
        ) from None


def solve(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO.toml", help="scenario file")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="write the plan: .json .csv .xlsx .md .html .svg (see `dcplan export --help`)"
        ),
    ] = None,
    time_limit: Annotated[str, typer.Option("--time-limit", help="solver time limit, e.g. 30s or 2min")] = "60s",
    gap: Annotated[str, typer.Option("--gap", help="relative MIP gap to stop at, e.g. 0.5%")] = "0.1%",
    objective: Annotated[
        str | None, typer.Option("--objective", help="max-compute | min-tco (overrides the file)")
    ] = None,
    marginals: Annotated[
        bool, typer.Option("--marginals/--no-marginals", help="re-solve binding limits for marginal values")
    ] = True,
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing output file")] = False,
    as_json: JsonOption = False,
    catalog: CatalogOption = None,
) -> None:
    """Solve a scenario: which systems, where, on which cooling; exit 0 optimal, 3 time-limited, 4 infeasible."""
    from planner.pipeline import PlanOptions, plan_scenario
    from planner.solve import SolveSettings

    settings = SolveSettings(
        time_limit_s=parse_duration_s("--time-limit", time_limit), rel_gap=parse_ratio("--gap", gap)
    )
    if objective is not None and objective not in ("max-compute", "min-tco"):
        raise UserError(f"--objective: expected max-compute or min-tco, got {objective!r}")
    if output is not None:
        from planner.export import check_output_path

        check_output_path(output, force)
    scenario = load_scenario_for_cli(scenario_file)
    if objective is not None:
        scenario = scenario.model_copy(
            update={"scenario": scenario.scenario.model_copy(update={"objective": objective})}
        )
        if objective == "min-tco" and not scenario.workload:
            raise UserError(f"{scenario_file}: objective 'min-tco' needs at least one [[workload]]")
    cat = load_catalog_for_cli(catalog)
    try:
        plan = plan_scenario(scenario, cat, PlanOptions(settings=settings, marginals=marginals))
    except ValueError as exc:
        raise UserError(f"{scenario_file}: {exc}") from None
    written: list[Path] = []
    if output is not None:
        from planner.export import write_plan

        written = write_plan(plan, output, force=force)
    if as_json:
        print_json(plan.model_dump(mode="json"))
    else:
        render_plan(plan)
        for path in written:
            console().print(f"plan written to {path}", soft_wrap=True)
    if not plan.recheck.ok:
        sys.stderr.write("dcplan: error: the plan failed its independent re-check (a bug):\n")
        for line in plan.recheck.violations:
            sys.stderr.write(f"  {line}\n")
        raise typer.Exit(1)
    if not plan.diagnosis.feasible:
        if not as_json:
            sys.stderr.write(f"dcplan: infeasible: {plan.diagnosis.summary}\n")
        raise typer.Exit(EXIT_INFEASIBLE)
    raise typer.Exit(EXIT_OK if plan.solver.status == "optimal" else EXIT_TIME_LIMIT)


def _money(q: Any) -> str:
    return f"{q.m_as('USD') / 1e6:,.1f} M USD"


def render_plan(plan: Any) -> None:
    """Human summary: status, mix, halls, binding limits with marginal values, money, energy."""
    from rich.table import Table

    out = console()
    s = plan.solver
    gap = f", gap {s.gap:.3%}" if s.gap is not None else ""
    out.print(
        f"[bold]{plan.scenario_name}[/bold]\n{s.status}{gap}; build {s.build_s:.2f} s, hand-over {s.handover_s:.2f} s, "
        f"solve {s.solve_s:.2f} s, layout+re-check {s.layout_s + s.recheck_s:.2f} s, marginals {s.marginals_s:.2f} s"
    )
    if not plan.diagnosis.feasible:
        out.print(f"[bold red]Infeasible[/bold red]: {plan.diagnosis.summary}")
        for relax in plan.diagnosis.relaxations:
            out.print(f"  - ({relax.group}) {relax.text}")
        if plan.pruned:
            out.print("Options ruled out before solving:")
            for line in plan.pruned:
                out.print(f"  - {line}")
        return
    mix = Table(title=f"Mix: {plan.compute_total.m_as('PFLOPS'):,.0f} PFLOPS peak dense {plan.precision}")
    for column in ("system", "place", "units", "chips", "racks", "PFLOPS", "share"):
        mix.add_column(column, justify="left" if column in ("system", "place") else "right")
    from planner.report.text import mix_rows

    for row in mix_rows(plan):
        mix.add_row(*row)
    out.print(mix)
    halls = Table(title="Halls")
    for column in ("hall", "racks", "rows", "IT MW / cap", "liquid MW / plant", "air MW / plant", "facility MW"):
        halls.add_column(column, justify="left" if column == "hall" else "right")
    for hall in plan.halls:
        halls.add_row(
            hall.hall + ("" if hall.built else " (not built)"),
            f"{hall.racks:,}",
            f"{hall.rows_used}",
            f"{hall.it_power.m_as('MW'):,.1f} / {hall.it_power_cap.m_as('MW'):,.1f}",
            f"{hall.liquid_plant_load.m_as('MW'):,.1f} / {hall.liquid_plant_capacity.m_as('MW'):,.1f}",
            f"{hall.air_plant_load.m_as('MW'):,.1f} / {hall.air_plant_capacity.m_as('MW'):,.1f}",
            f"{hall.facility_power_design.m_as('MW'):,.1f}",
        )
    out.print(halls)
    binding = [u for u in plan.limits if u.binding]
    if binding:
        limits = Table(title="Binding limits")
        for column in ("limit", "scope", "used", "limit value", "marginal value"):
            limits.add_column(column)
        for use in binding:
            limits.add_row(
                use.limit,
                use.scope,
                f"{use.used:,.4g} {use.unit}",
                f"{use.allowed:,.4g} {use.unit}",
                use.marginal_text or "",
            )
        out.print(limits)
    from planner.report.text import plan_money_energy_lines

    for line in plan_money_energy_lines(plan):
        out.print(line)
    status = "[green]re-check passed[/green]" if plan.recheck.ok else "[bold red]RE-CHECK FAILED[/bold red]"
    out.print(f"{status}: {plan.recheck.checked} checks, {len(plan.layout):,} rack slots laid out")


def register(root: typer.Typer) -> None:
    """Add `dcplan solve`."""
    root.command("solve")(solve)
