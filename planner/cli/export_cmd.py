"""`dcplan export PLAN.json` (JSON, CSV, XLSX, Markdown, HTML, SVG) and `dcplan diff A.json B.json`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from dcplan.planner.cli.common import JsonOption, PrettyOption, UserError, print_json

FORMAT_NAMES = ("json", "csv", "xlsx", "md", "html", "svg")


def load_plan_for_cli(path: Path) -> Any:
    """A plan file of either kind (a CapacityPlan, or a RoadmapPlan: ``"kind": "roadmap"``),
    or one clear line (missing, not JSON, other schema version, corrupt)."""
    from dcplan.planner.plan import PlanFileError
    from dcplan.planner.roadmap_plan import load_any_plan

    try:
        return load_any_plan(path)
    except PlanFileError as exc:
        raise UserError(str(exc)) from None


def resolve_output(plan_file: Path, fmt: str | None, output: Path | None) -> Path:
    """The file to write: ``-o`` (its extension must name the format) or the plan path with the format's extension."""
    from dcplan.planner.export import EXTENSIONS, format_for

    if fmt is not None:
        fmt = fmt.lower().lstrip(".")
        if fmt == "htm":
            fmt = "html"
        if fmt not in EXTENSIONS:
            raise UserError(f"--format: expected one of {', '.join(FORMAT_NAMES)}, got {fmt!r}")
    if output is None:
        if fmt is None:
            raise UserError(f"give --format ({', '.join(FORMAT_NAMES)}) or an output file with -o")
        return plan_file.with_suffix(EXTENSIONS[fmt])
    named = format_for(output)
    if fmt is not None and named != fmt:
        raise UserError(f"{output}: extension {output.suffix} does not match --format {fmt} (use {EXTENSIONS[fmt]})")
    return output


def plan_schema_text() -> str:
    """The plan's JSON Schema as committed in catalogs/plan.schema.json."""
    import json

    from dcplan.planner.plan import plan_json_schema

    return json.dumps(plan_json_schema(), indent=2, sort_keys=True) + "\n"


def export(
    plan_file: Annotated[
        Path | None,
        typer.Argument(metavar="PLAN.json", help="a plan saved by `dcplan solve -o PLAN.json`", show_default=False),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="json | csv | xlsx | md | html | svg (default: from -o's extension)"),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write (default: PLAN with the format's extension)")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="overwrite existing files")] = False,
    schema: Annotated[
        bool, typer.Option("--schema", help="print the plan JSON Schema (catalogs/plan.schema.json) and exit")
    ] = False,
    pretty: PrettyOption = False,
) -> None:
    """Export a saved plan: JSON, CSV bill of materials, XLSX workbook, Markdown or HTML report, SVG floor plan.

    \b
    json  the plan itself (schema catalogs/plan.schema.json), compact (--pretty: indented);
          re-exporting is byte-identical (with the same --pretty)
    csv   four files (CSV holds one table): plan.csv = bill of materials (systems, rack PDUs,
          busway tap-offs and runs, UPS, transformers, generators, CDUs, CRAH/row units,
          rear doors: counts, unit capacity, capex_usd; the capex lines add up to the
          plan's capex), plan-rows.csv = one line per row, plan-workloads.csv = one line
          per workload (delivered compute, tokens/s, time to train, cost per delivered
          unit, per MW, limits) and plan-workload-placements.csv = one line per placement;
          units in the headers
    xlsx  sheets Summary, Mix, Workloads, Workload placements, Halls, Bill of materials,
          Rows, Layout (one line per rack slot), Limits (utilisation, marginal values),
          Assumptions (catalog figures with source and confidence)
    md    Markdown report; its charts and floor plan are separate SVG files next to it,
          linked by relative path: plan.md -> plan-power.svg, plan-heat.svg,
          plan-capex.svg, plan-compute.svg, plan-floorplan.svg
    html  one self-contained file: same report, charts and floor plan inline (no scripts,
          no external resources; links only to the cited sources); prints on A4 (print
          stylesheet: floor plan scaled to the page, assumptions as an appendix)
    svg   floor plan: halls to their floor area, rows (used and empty) and rack slots to
          scale (rack width x depth from the catalog figures in the plan, else 0.6 x 1.2 m;
          cold/hot aisles from the planning defaults, else 1.2 m), coloured by system,
          UltraServer racks outlined, kW per row

    Files are written atomically, a multi-file export (csv, md) as one set: a failed or
    interrupted export leaves the previous files. Existing files are kept unless --force
    (even when another dcplan creates the same file at the same moment). --force keeps
    an existing file's permissions and, for a symlink, replaces the file it points to.
    `dcplan export --schema > catalogs/plan.schema.json` refreshes the committed schema.
    """
    from dcplan.planner.export import check_output_path, write_plan

    if schema:
        typer.echo(plan_schema_text(), nl=False)
        return
    if plan_file is None:
        raise UserError("missing PLAN.json: the plan file to export (from `dcplan solve -o PLAN.json`)")
    target = resolve_output(plan_file, fmt, output)
    check_output_path(target, force)
    plan = load_plan_for_cli(plan_file)
    if getattr(plan, "kind", None) == "roadmap":
        from dcplan.planner.roadmap_export import write_roadmap_plan

        written = write_roadmap_plan(plan, target, force=force, pretty=pretty)
    else:
        written = write_plan(plan, target, force=force, pretty=pretty)
    for path in written:
        typer.echo(f"wrote {path}")


def diff(
    plan_a: Annotated[Path, typer.Argument(metavar="A.json", help="the earlier plan")],
    plan_b: Annotated[
        Path | None, typer.Argument(metavar="[B.json]", help="the later plan (none: two periods of A)")
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="a roadmap plan's period to compare, e.g. 2027Q1")
    ] = None,
    against: Annotated[
        str | None, typer.Option("--against", help="the period it is compared with (of B, else of A)")
    ] = None,
    as_json: JsonOption = False,
    pretty: PrettyOption = False,
) -> None:
    """What changed from plan A to plan B: mix, power, cost, workloads, racks moved/added/removed (exit 0 either way).

    Racks are matched by position (site, hall, row, slot) and system, not by unit id (ids
    are renumbered by every solve): a unit of the same system in the same slots is
    unchanged; one of the same system at other slots, with one gone elsewhere, has moved;
    the rest were added or removed.

    \b
    Roadmap plans (`dcplan solve` of a scenario with [roadmap]):
      dcplan diff plan.json --period 2027Q1 --against 2028Q1   two periods of one plan
      dcplan diff a.json b.json                                 two roadmaps, period by period
      dcplan diff a.json b.json --period 2027Q1 [--against P]   one period of each in full
    """
    from dcplan.models.errors import DcplanError
    from dcplan.planner.report.diff import diff_plans
    from dcplan.planner.roadmap_diff import diff_roadmaps, pick_plans

    a = load_plan_for_cli(plan_a)
    b = load_plan_for_cli(plan_b) if plan_b is not None else None
    try:
        picked = pick_plans(a, b, period, against, (str(plan_a), None if plan_b is None else str(plan_b)))
    except DcplanError as exc:
        raise UserError(*exc.lines, field=exc.field, expected=exc.expected, got=exc.got) from None
    if picked is None:
        roadmaps = diff_roadmaps(a, b)  # type: ignore[arg-type]
        if as_json:
            print_json(roadmaps, pretty)
            return
        from dcplan.planner.cli.roadmap_out import render_roadmap_diff

        render_roadmap_diff(roadmaps, str(plan_a), str(plan_b))
        return
    one, other, (name_a, name_b) = picked
    result = diff_plans(one, other)
    if as_json:
        print_json(result, pretty)
        return
    render_diff(result, name_a, name_b)


_SHOWN = 25


def _num(value: float | None, unit: str) -> str:
    from dcplan.planner.report.quantity import count, number

    if value is None:
        return "-"
    if unit in ("USD", "USD/yr"):
        return number(value / 1e6)
    if unit in ("units", "racks", "chips"):
        return count(value)
    return number(value)


def render_diff(result: dict[str, Any], name_a: str, name_b: str) -> None:
    """What changed from plan A to plan B as plain-text tables (planner/cli/textout.py)."""
    from dcplan.planner.cli.textout import echo, print_table

    a, b = result["a"], result["b"]
    echo(f"A: {name_a}: {a['scenario_name']} ({a['status']})")
    echo(f"B: {name_b}: {b['scenario_name']} ({b['status']})")
    if result["same"]:
        echo("no differences")
        return
    if "feasibility" in result:
        echo(f"feasible: {result['feasibility']['a']} -> {result['feasibility']['b']}")
    echo()
    if result["mix"]:
        print_table(_diff_mix_table(result["mix"]))
    for group, title in (("compute", "Compute"), ("power", "Power"), ("cost", "Cost")):
        if result[group]:
            print_table(_diff_figures_table(title, result[group]))
    from dcplan.planner.report.diff import workload_diff_text

    sys.stdout.write(workload_diff_text(result))  # plain text, like the tables above
    racks = result["racks"]
    counts = {k: (len(v), sum(item["racks"] for item in v)) for k, v in racks.items()}
    echo("Racks: " + ", ".join(f"{kind} {units:,} units ({slots:,} racks)" for kind, (units, slots) in counts.items()))
    for kind in ("moved", "added", "removed"):
        if racks[kind]:
            echo()
            print_table(_diff_racks_table(kind, racks[kind]))


def _diff_mix_table(mix: list[dict[str, Any]]) -> Any:
    from dcplan.planner.cli.textout import TextTable

    columns = ("system", "place", "units A", "units B", "change", "racks A", "racks B")
    table = TextTable("Mix", columns, right=columns[2:])
    for line in mix:
        table.add_row(
            line["system"],
            line["place"],
            f"{line['units_a']:,}",
            f"{line['units_b']:,}",
            f"{line['units_delta']:+,}",
            f"{line['racks_a']:,}",
            f"{line['racks_b']:,}",
        )
    return table


def _diff_figures_table(title: str, lines: list[dict[str, Any]]) -> Any:
    """Compute, power or cost figures: A, B, the change and the change in per cent."""
    from dcplan.planner.cli.textout import TextTable
    from dcplan.planner.report.quantity import percent, unit_text

    table = TextTable(title, ("figure", "unit", "A", "B", "change", "change %"), right=("A", "B", "change", "change %"))
    for line in lines:
        delta, ratio = line["delta"], line["delta_ratio"]
        sign = "" if delta is None else ("+" if delta >= 0 else "-")
        table.add_row(
            line["figure"],
            "M " + line["unit"] if line["unit"].startswith("USD") else unit_text(line["unit"]),
            _num(line["a"], line["unit"]),
            _num(line["b"], line["unit"]),
            "-" if delta is None else sign + _num(abs(delta), line["unit"]),
            "-" if ratio is None else ("+" if ratio >= 0 else "") + percent(ratio),
        )
    return table


def _diff_racks_table(kind: str, items: list[dict[str, Any]]) -> Any:
    """The racks moved, added or removed (the first ``_SHOWN``)."""
    from dcplan.planner.cli.textout import TextTable

    shown = f" (first {_SHOWN} of {len(items):,}; --json for all)" if len(items) > _SHOWN else ""
    columns = ("system", "from", "to") if kind == "moved" else ("system", "unit", "at")
    table = TextTable(f"Racks {kind}{shown}", columns)
    for item in items[:_SHOWN]:
        table.add_row(*(str(item[c]) for c in columns))
    return table


def register(root: typer.Typer) -> None:
    """Add `dcplan export` and `dcplan diff`."""
    root.command("export")(export)
    root.command("diff")(diff)
