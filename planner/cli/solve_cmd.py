"""`dcplan solve SCENARIO.toml`: choose the mix and layout, re-check it, report and save."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from dcplan.models.errors import DcplanError
from dcplan.planner.cli.common import (
    EXIT_FEASIBLE_GAP,
    EXIT_INFEASIBLE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NO_PLAN,
    EXIT_OK,
    CatalogOption,
    JsonOption,
    PrettyOption,
    UserError,
    load_catalog_for_cli,
    resume_gc,
)
from dcplan.planner.textinput import parse_duration_s, parse_ratio

#: Values of ``--objective`` (planner.scenario.Objective, without importing pydantic at start-up).
OBJECTIVES = ("max-compute", "max-delivered", "min-time-to-train", "min-cost-per-delivered", "min-tco")


def load_scenario_for_cli(path: Path, objective: str | None = None) -> Any:
    from dcplan.planner.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path, objective)
    except ScenarioError as exc:
        raise UserError(
            *exc.lines, file=exc.file, entry=exc.entry, field=exc.field, expected=exc.expected, got=exc.got
        ) from None


def solve_settings(time_limit: str, gap: str, presolve: str) -> Any:
    """SolveSettings from the --time-limit, --gap and --presolve texts (one line per mistake)."""
    from dcplan.planner.solve import PRESOLVE_CHOICES, SolveSettings

    if presolve not in PRESOLVE_CHOICES:
        raise UserError(f"--presolve: expected one of {', '.join(PRESOLVE_CHOICES)}, got {presolve!r}")
    return SolveSettings(
        time_limit_s=parse_duration_s("--time-limit", time_limit),
        rel_gap=parse_ratio("--gap", gap),
        presolve=presolve,  # type: ignore[arg-type]
    )


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
        str | None,
        typer.Option(
            "--objective",
            help="max-compute | max-delivered | min-time-to-train | min-cost-per-delivered | min-tco (overrides the file)",
        ),
    ] = None,
    marginals: Annotated[
        bool, typer.Option("--marginals/--no-marginals", help="re-solve binding limits for marginal values")
    ] = True,
    presolve: Annotated[
        str, typer.Option("--presolve", help="HiGHS presolve: auto (by model size) | choose | on | off")
    ] = "auto",
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing output file")] = False,
    as_json: JsonOption = False,
    pretty: PrettyOption = False,
    catalog: CatalogOption = None,
) -> None:
    """Solve a scenario: which systems, where, on which cooling.

    Exit 0 optimal, 3 a plan with a gap (time limit), 4 proven infeasible (with diagnosis),
    5 no plan within the time limit (unknown), 70 a plan failing its re-check, 130 Ctrl-C.
    """
    from dcplan.planner.pipeline import PlanOptions, plan_scenario
    from dcplan.planner.session import prestart

    settings = solve_settings(time_limit, gap, presolve)
    prestart()  # the HiGHS child's start-up (~0.2 s) overlaps reading the scenario and catalog
    if objective is not None and objective not in OBJECTIVES:
        raise UserError(f"--objective: expected one of {', '.join(OBJECTIVES)}, got {objective!r}")
    if output is not None:
        from dcplan.planner.export import check_output_path

        check_output_path(output, force)
    scenario = load_scenario_for_cli(scenario_file, objective)  # the file's rules checked for --objective
    cat = load_catalog_for_cli(catalog)
    if getattr(scenario, "roadmap", None) is not None:  # periods: a RoadmapPlan (planner/cli/roadmap_out.py)
        from dcplan.planner.cli.roadmap_out import solve_roadmap_cli

        resume_gc()
        solve_roadmap_cli(scenario, cat, settings, output, (marginals, force, as_json, pretty), scenario_file)
    resume_gc()  # start-up is over: the solve, layout and marginals may run for minutes
    plan = solved(
        lambda: plan_scenario(scenario, cat, PlanOptions(settings=settings, marginals=marginals)), scenario_file
    )
    written: list[Path] = []
    if output is not None:
        from dcplan.planner.export import write_plan

        written = write_plan(plan, output, force=force, pretty=pretty)
    finish(plan, written, as_json, pretty, render_plan)


def solved(run: Callable[[], Any], scenario_file: Path) -> Any:
    """``run()`` (a plan_scenario or plan_roadmap call): Ctrl-C during the solve (planner.solve
    stops HiGHS, then raises) exits 130 with nothing written; a ValueError is bad input."""
    try:
        return run()
    except KeyboardInterrupt:
        sys.stderr.write("dcplan: interrupted\n")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except DcplanError as exc:
        if exc.file:
            raise
        # located in the scenario's figures (e.g. a pue_target the losses alone exceed): keep
        # its field and expectation for --json, add the file
        raise UserError(
            f"{scenario_file}: {exc.lines[0]}",
            *exc.lines[1:],
            file=str(scenario_file),
            entry=exc.entry,
            field=exc.field,
            expected=exc.expected,
            got=exc.got,
        ) from None
    except ValueError as exc:
        raise UserError(f"{scenario_file}: {exc}") from None


def finish(plan: Any, written: list[Path], as_json: bool, pretty: bool, render: Callable[[Any], None]) -> None:
    """Print a solved plan (``--json``, else ``render``), then exit with its outcome's code:
    70 when it failed its independent re-check, else ``solve_outcome``'s. Always raises typer.Exit."""
    if as_json:
        sys.stdout.write(plan.to_json_text(pretty))
    else:
        from dcplan.planner.cli.textout import echo

        render(plan)
        for path in written:
            echo(f"plan written to {path}")
    if not plan.recheck.ok:
        sys.stderr.write("dcplan: error: the plan failed its independent re-check (a bug):\n")
        for line in plan.recheck.violations:
            sys.stderr.write(f"  {line}\n")
        raise typer.Exit(EXIT_INTERNAL)
    code, message = solve_outcome(plan)
    if message and not as_json:
        sys.stderr.write(f"dcplan: {message}\n")
    raise typer.Exit(code)


def solve_outcome(plan: Any) -> tuple[int, str | None]:
    """(exit code, one line for stderr or None) of a solved plan; see planner/cli/common.py.

    Only a proof of infeasibility is "infeasible" (4); a time limit or a cancel before any
    plan is unknown (5), and no diagnosis was run for it.
    """
    from dcplan.planner.plan import outcome_message

    status = plan.solver.status
    has_plan = plan.feasible
    if status == "infeasible":
        return EXIT_INFEASIBLE, f"infeasible: {plan.diagnosis.summary}"
    if not has_plan:
        return EXIT_NO_PLAN, outcome_message(plan.solver, has_plan=False)
    if status == "optimal":
        return EXIT_OK, None
    return EXIT_FEASIBLE_GAP, None


def _money(q: Any) -> str:
    return f"{q.m_as('USD') / 1e6:,.1f} M USD"


def render_plan(plan: Any) -> None:
    """Human summary: status, mix, halls, binding limits with marginal values, money, energy.

    Plain text (planner/cli/textout.py), one function per table: a new table is a function
    returning a ``TextTable`` (or None when it has no rows) added to ``PLAN_TABLES``."""
    from dcplan.planner.cli.textout import echo, print_table, style

    s = plan.solver
    gap = f", gap {s.gap:.3%}" if s.gap is not None else ""
    echo(style(plan.scenario_name, "bold"))
    echo(
        f"{s.status}{gap}; build {s.build_s:.2f} s, hand-over {s.handover_s:.2f} s, solve {s.solve_s:.2f} s, "
        f"layout+re-check {s.layout_s + s.recheck_s:.2f} s, marginals {s.marginals_s:.2f} s"
    )
    if not plan.diagnosis.feasible:
        _render_no_plan(plan)
        return
    if s.ratio is not None:
        echo(ratio_line(s.ratio))
    from dcplan.planner.report.workloads import workloads_text

    echo()
    for table_of in PLAN_TABLES:
        table = table_of(plan)
        if table is not None:
            print_table(table)
        if table_of is mix_table and plan.workloads:  # what each workload gets follows the mix
            echo(workloads_text(plan))
    from dcplan.planner.report.allin import plan_all_in_lines
    from dcplan.planner.report.text import plan_money_energy_lines
    from dcplan.planner.water_plan import water_text_lines

    for line in plan_money_energy_lines(plan) + plan_all_in_lines(plan):
        echo(line)
    for water in water_text_lines(plan):  # [[water_loop]] halls and heat reuse (planner.water_plan)
        echo(water)
    status = style("re-check passed", "green") if plan.recheck.ok else style("RE-CHECK FAILED", "bold", "red")
    echo(f"{status}: {plan.recheck.checked} checks, {len(plan.layout):,} rack slots laid out")
    for note in plan.recheck.notes:
        echo(f"re-check note: {note}")


def ratio_line(ratio: Any) -> str:
    """The min-cost-per-delivered objective line: the plan's ratio, what is proven, the loop."""
    from dcplan.planner.ratio import ratio_text

    solves = len(ratio.iterations)
    return f"cost per delivered work: {ratio_text(ratio)}; Dinkelbach: {solves} solve{'s' if solves != 1 else ''}, {ratio.stop}"


def _render_no_plan(plan: Any) -> None:
    """No plan within the limit, or proven infeasible with its relaxations and pruned options."""
    from dcplan.planner.cli.textout import echo, style

    if plan.solver.status != "infeasible":
        echo(f"{style('No plan', 'bold', 'yellow')}: {plan.diagnosis.summary}")
        return
    echo(f"{style('Infeasible', 'bold', 'red')}: {plan.diagnosis.summary}")
    for relax in plan.diagnosis.relaxations:
        echo(f"  - ({relax.group}) {relax.text}")
    if plan.pruned:
        echo("Options ruled out before solving:")
        for line in plan.pruned:
            echo(f"  - {line}")


def mix_table(plan: Any) -> Any:
    """Systems per place: units, chips, racks, compute and share."""
    from dcplan.planner.cli.textout import TextTable
    from dcplan.planner.report.text import mix_rows, mix_title

    columns = ("system", "place", "units", "chips", "racks", "PFLOPS", "share")
    table = TextTable(mix_title(plan), columns, right=columns[2:])
    for row in mix_rows(plan):
        table.add_row(*row)
    return table


def halls_table(plan: Any) -> Any:
    """Per hall: racks, rows, IT power against its cap, plant loads against capacity, facility power."""
    from dcplan.planner.cli.textout import TextTable
    from dcplan.planner.report.text import hall_rows

    columns = ("hall", "racks", "rows", "IT MW / cap", "liquid MW / plant", "air MW / plant", "facility MW")
    table = TextTable("Halls", columns, right=columns[1:])
    for row in hall_rows(plan):
        table.add_row(*row)
    return table


def binding_table(plan: Any) -> Any:
    """The binding limits with their marginal values; None when no limit binds."""
    from dcplan.planner.cli.textout import TextTable
    from dcplan.planner.report.text import binding_rows

    rows = binding_rows(plan)
    if not rows:
        return None
    table = TextTable(
        "Binding limits", ("limit", "scope", "used", "limit value", "marginal value"), right=("used", "limit value")
    )
    for row in rows:
        table.add_row(*row)
    return table


#: the tables of a feasible plan, in print order (each: plan -> TextTable or None)
PLAN_TABLES: tuple[Callable[[Any], Any], ...] = (mix_table, halls_table, binding_table)


def register(root: typer.Typer) -> None:
    """Add `dcplan solve`."""
    root.command("solve")(solve)
