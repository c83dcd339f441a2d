"""`dcplan solve` on a scenario with ``[roadmap]``: solve, report per period and timeline, save.

The same outcome words and exit codes as a single-period solve (planner/cli/common.py):
0 optimal, 3 a plan with a gap (time limit or cancel), 4 proven infeasible (with the
diagnosis), 5 no plan within the time limit, 70 a plan failing its re-check (the roadmap's
or a period's), 130 Ctrl-C (nothing written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def solve_roadmap_cli(
    scenario: Any,
    catalog: Any,
    settings: Any,
    output: Path | None,
    flags: tuple[bool, bool, bool, bool],
    scenario_file: Path,
) -> None:
    """Solve, print (text or ``--json``), write ``-o`` and exit with the outcome's code
    (planner.cli.solve_cmd.finish). ``flags``: (marginals, force, as_json, pretty)."""
    from dcplan.planner.cli.solve_cmd import finish, solved
    from dcplan.planner.pipeline import PlanOptions
    from dcplan.planner.roadmap_export import check_roadmap_output_path, write_roadmap_plan
    from dcplan.planner.roadmap_pipeline import plan_roadmap

    marginals, force, as_json, pretty = flags
    if output is not None:
        check_roadmap_output_path(output, force)
    plan = solved(
        lambda: plan_roadmap(scenario, catalog, PlanOptions(settings=settings, marginals=marginals)), scenario_file
    )
    written = write_roadmap_plan(plan, output, force=force, pretty=pretty) if output is not None else []
    finish(plan, written, as_json, pretty, render_roadmap)


def _units_text(units: dict[str, int]) -> str:
    return ", ".join(f"{name} {count:,}" for name, count in units.items() if count) or "-"


def timeline_text_table(plan: Any) -> Any:
    """One line per period: units by generation, MW energised / used / stranded, money, compute."""
    from dcplan.planner.cli.textout import TextTable

    columns = (
        "period",
        "units by generation",
        "energised MW",
        "used MW",
        "stranded MW",
        "capex MUSD",
        "opex MUSD",
        "cumulative MUSD",
        "delivered PFLOPS",
    )
    table = TextTable("Timeline", columns, right=columns[2:])
    for p in plan.timeline:
        table.add_row(
            p.period,
            _units_text(p.units_by_generation),
            f"{p.energised_mw:,.1f}",
            f"{p.used_mw:,.1f}",
            f"{p.stranded_mw:,.1f}",
            f"{p.capex_musd:,.1f}",
            f"{p.opex_musd:,.1f}",
            f"{p.cumulative_cash_musd:,.1f}",
            f"{p.delivered_pflops:,.0f}",
        )
    return table


def changes_text_table(plan: Any) -> Any:
    """Units added and retired per period; None when nothing changes."""
    from dcplan.planner.cli.textout import TextTable

    table = TextTable("Changes", ("period", "change", "system", "row", "hall", "units", "why"), right=("units",))
    for p in plan.periods:
        for change, items in (("added", p.added), ("retired", p.retired)):
            for c in items:
                table.add_row(p.period, change, c.system, c.row, c.hall, f"{c.units:,}", c.why)
    return table if table.rows else None


def orders_text_table(plan: Any) -> Any:
    """Long-lead equipment orders; None without any."""
    from dcplan.planner.cli.textout import TextTable

    if not plan.orders:
        return None
    columns = ("equipment", "owner", "count", "ordered", "delivered", "lead periods")
    table = TextTable("Orders", columns, right=("count", "lead periods"))
    for o in plan.orders:
        table.add_row(o.equipment, o.owner, f"{o.count:,}", o.ordered, o.delivered, str(o.lead_time_periods))
    return table


def render_roadmap(plan: Any) -> None:
    """Human summary: status, timeline, changes, orders, money, notes, the re-check."""
    from dcplan.planner.cli.textout import echo, print_table, style

    s = plan.solver
    times = ", ".join(
        f"{what} {seconds:.2f} s"
        for what, seconds in (
            ("build", s.build_s),
            ("hand-over", s.handover_s),
            ("solve", s.solve_s),
            ("layout+re-check", s.layout_s + s.recheck_s),
        )
    )
    periods = f"{len(plan.periods)} {plan.period_length} periods; " if plan.periods else ""
    echo(style(plan.scenario_name, "bold"))
    echo(f"{s.status}{'' if s.gap is None else f', gap {s.gap:.3%}'}; {periods}{times}")
    echo(f"objective: {plan.objective_note}")
    if not plan.diagnosis.feasible:
        word = style("Infeasible", "bold", "red") if s.status == "infeasible" else style("No plan", "bold", "yellow")
        echo(f"{word}: {plan.diagnosis.summary}")
        for relax in plan.diagnosis.relaxations:
            echo(f"  - ({relax.group}) {relax.text}")
        return
    echo()
    for table_of in (timeline_text_table, changes_text_table, orders_text_table):
        table = table_of(plan)
        if table is not None:
            print_table(table)
    echo(
        f"cumulative delivered {plan.cumulative_delivered_pflop_days:,.0f} PFLOP-days; NPV TCO "
        f"{plan.npv_tco_musd:,.1f} MUSD; residual value {plan.residual_value_musd:,.1f} MUSD"
    )
    for note in plan.notes:
        echo(f"note: {note}")
    status = style("re-check passed", "green") if plan.recheck.ok else style("RE-CHECK FAILED", "bold", "red")
    echo(f"{status}: {plan.recheck.checked} checks over {len(plan.periods)} periods")


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if unit in ("units", "PFLOPS", "PFLOP-days") else f"{value:,.1f}"


def render_roadmap_diff(result: dict[str, Any], name_a: str, name_b: str) -> None:
    """Two roadmaps period by period (planner.roadmap_diff.diff_roadmaps) as plain text."""
    from dcplan.planner.cli.textout import TextTable, echo, print_table

    for side, name in (("A", name_a), ("B", name_b)):
        facts = result[side.lower()]
        echo(f"{side}: {name}: {facts['scenario_name']} ({facts['status']}, {facts['periods']} periods)")
    echo("no differences" if result["same"] else "")
    if result["same"]:
        return
    names = [line["figure"] for line in result["periods"][0]["figures"]] if result["periods"] else []
    columns = ("period", *(f"{n} A/B" for n in names))
    table = TextTable("Periods", columns, right=columns[1:])
    for period in result["periods"]:
        cells = [
            f"{_figure(line['a'], line['unit'])} / {_figure(line['b'], line['unit'])}" for line in period["figures"]
        ]
        table.add_row(period["period"], *cells)
    print_table(table)
    totals = TextTable("Totals", ("figure", "unit", "A", "B", "change"), right=("A", "B", "change"))
    for line in result["totals"]:
        delta = "-" if line["delta"] is None else f"{line['delta']:+,.1f}"
        totals.add_row(
            line["figure"], line["unit"], _figure(line["a"], line["unit"]), _figure(line["b"], line["unit"]), delta
        )
    print_table(totals)
