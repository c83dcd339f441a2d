"""Writing roadmap plans: JSON, an HTML report with the timeline charts, XLSX, Markdown.

=========  ==================================================================================
.json      the RoadmapPlan (``"kind": "roadmap"``; re-loadable)
.html      self-contained report: summary, timeline charts (inline SVG drawn by
           planner.report.timeline: no scripts, no external resources), timeline, orders and
           changes tables, each period's status, mix, halls and floor plan
.xlsx      workbook: Summary, Timeline (one line per period, one units column per generation),
           Periods, Orders, Changes, then one sheet per period (its figures, mix, halls and
           changes), named by the period label
.md        Markdown report; its timeline charts go to ``<stem>-<chart>.svg`` next to it
=========  ==================================================================================

Files are written the way planner.export writes single-period plans (``commit_files``: the
whole set staged, then moved into place; no silent overwrite without ``force``; one line
for every failure). A floor plan is drawn once per distinct layout (a period whose racks are
where an earlier period's were says which one), at most ``MAX_FLOOR_PLANS`` of them, so the
report of a 40-period roadmap stays a readable size.
"""

from __future__ import annotations

import io
from html import escape
from pathlib import Path
from typing import Any

from dcplan.planner.export import asset_path, check_output_file, commit_files, format_from_suffix
from dcplan.planner.report.cells import Figure, Table
from dcplan.planner.report.timeline import (
    TIMELINE_CHARTS,
    changes_table,
    orders_table,
    periods_table,
    timeline_chart_title,
    timeline_charts,
    timeline_table,
)
from dcplan.planner.roadmap_plan import PeriodPlan, RoadmapPlan

ROADMAP_FORMATS = {".json": "json", ".xlsx": "xlsx", ".md": "md", ".html": "html", ".htm": "html"}
MAX_FLOOR_PLANS = 12
NO_PERIODS = "No period has a plan: see the solver status and diagnosis."
_BAD_SHEET_CHARS = str.maketrans({c: "-" for c in "[]:*?/\\"})


def roadmap_format(path: Path) -> str:
    """The format ``path``'s extension names; one line for any other (``.csv``, ``.svg``, none)."""
    return format_from_suffix(path, ROADMAP_FORMATS, "roadmap plan")


def roadmap_output_paths(path: Path) -> list[Path]:
    """Every file an export to ``path`` may write (the path first; Markdown: its chart SVGs)."""
    if roadmap_format(path) == "md":
        return [path, *(asset_path(path, name) for name, _ in TIMELINE_CHARTS)]
    return [path]


def check_roadmap_output(path: Path, force: bool) -> None:
    """Fail early (before solving) if any file of the export cannot or must not be written."""
    for one in roadmap_output_paths(path):
        check_output_file(one, force)


def render_roadmap_files(roadmap: RoadmapPlan, path: Path, pretty: bool = False) -> dict[Path, bytes]:
    """Every file an export of ``roadmap`` to ``path`` writes, rendered in memory (``path`` first)."""
    kind = roadmap_format(path)
    if kind == "json":
        return {path: roadmap.to_json_text(pretty).encode()}
    if kind == "xlsx":
        return {path: roadmap_xlsx_bytes(roadmap)}
    if kind == "html":
        return {path: render_roadmap_html(roadmap).encode()}
    svgs = timeline_charts(roadmap)
    assets = {name: asset_path(path, name) for name in svgs}
    report = render_roadmap_markdown(roadmap, {name: p.name for name, p in assets.items()})
    return {path: report.encode(), **{assets[name]: svg.encode() for name, svg in svgs.items()}}


def write_roadmap(roadmap: RoadmapPlan, path: Path, force: bool = False, pretty: bool = False) -> list[Path]:
    """Write ``roadmap`` in the format its extension names, as one atomic set; returns the files written."""
    check_roadmap_output(path, force)
    return commit_files(render_roadmap_files(roadmap, path, pretty), force)


# ---------------------------------------------------------------------------------------
# content shared by the renderers


def roadmap_figures(roadmap: RoadmapPlan) -> list[Figure]:
    """The headline figures: horizon, objective, compute over time, money, power, solver."""
    points = roadmap.timeline
    span = f"{points[0].period} to {points[-1].period}" if points else "none"
    s = roadmap.solver
    return [
        Figure("Roadmap", "periods", len(roadmap.periods), kind="int"),
        Figure("Roadmap", "horizon", span, kind="text"),
        Figure("Roadmap", "period length", roadmap.period_length, kind="text"),
        Figure("Roadmap", "objective", roadmap.objective, kind="text"),
        Figure("Roadmap", "cumulative delivered compute", roadmap.cumulative_delivered_pflop_days, "PFLOP-days"),
        Figure("Money", "NPV of TCO", roadmap.npv_tco_musd, "MUSD"),
        Figure("Money", "residual value at the horizon", roadmap.residual_value_musd, "MUSD"),
        Figure("Money", "capex over the horizon", sum(p.capex_musd for p in points), "MUSD"),
        Figure("Money", "opex over the horizon", sum(p.opex_musd for p in points), "MUSD"),
        Figure("Power", "most MW energised", max((p.energised_mw for p in points), default=0.0), "MW"),
        Figure("Power", "most MW used", max((p.used_mw for p in points), default=0.0), "MW"),
        Figure("Power", "most MW stranded", max((p.stranded_mw for p in points), default=0.0), "MW"),
        Figure("Solver", "status", s.status, kind="text"),
        Figure("Solver", "relative gap", s.gap, kind="ratio", decimals=2),
        Figure("Solver", "total time", s.total_s, "s"),
        Figure("Solver", "diagnosis", roadmap.diagnosis.summary, kind="text"),
    ]


def period_figures(period: PeriodPlan, roadmap: RoadmapPlan) -> list[Figure]:
    """One period's figures: its plan's status and compute, and its timeline point."""
    plan = period.plan
    point = next((p for p in roadmap.timeline if p.period == period.period), None)
    figures = [
        Figure("Period", "period", period.period, kind="text"),
        Figure("Period", "starts", period.start, kind="text"),
        Figure("Period", "status", plan.solver.status, kind="text"),
        Figure("Period", "re-check passed", plan.recheck.ok, kind="bool"),
        Figure("Period", "diagnosis", plan.diagnosis.summary, kind="text"),
        Figure("Period", "peak compute", plan.compute_total.m_as("PFLOPS"), f"PFLOPS {plan.precision}", decimals=0),
        Figure("Period", "units installed", sum(m.units for m in plan.mix), kind="int"),
        Figure("Period", "racks placed", len(plan.layout), kind="int"),
        Figure("Period", "units added", sum(c.units for c in period.added), kind="int"),
        Figure("Period", "units retired", sum(c.units for c in period.retired), kind="int"),
    ]
    if point is not None:
        figures += [
            Figure("Period", "energised", point.energised_mw, "MW"),
            Figure("Period", "used", point.used_mw, "MW"),
            Figure("Period", "stranded", point.stranded_mw, "MW"),
            Figure("Period", "capex", point.capex_musd, "MUSD"),
            Figure("Period", "opex", point.opex_musd, "MUSD"),
            Figure("Period", "delivered", point.delivered_pflops, "PFLOPS", decimals=0),
        ]
        figures += onsite_figures(point)
    return figures


def onsite_figures(point: Any) -> list[Figure]:
    """A period's on-site gensets, MW, generated and fuel MWh and t CO2 (none without gensets)."""
    if not point.onsite_gensets:
        return []
    return [
        Figure("On-site", "gensets", point.onsite_gensets, kind="int"),
        Figure("On-site", "usable", point.onsite_mw, "MW"),
        Figure("On-site", "generated", point.onsite_generated_mwh, "MWh", decimals=0),
        Figure("On-site", "fuel", point.onsite_fuel_mwh, "MWh", decimals=0),
        Figure("On-site", "CO2", point.onsite_co2_t, "t", decimals=0),
    ]


def floor_plan_owners(roadmap: RoadmapPlan) -> dict[str, str]:
    """Period label -> the label of the first period with the same racks in the same places."""
    seen: dict[tuple[Any, ...], str] = {}
    owners = {}
    for period in roadmap.periods:
        layout = period.plan.layout
        key = (tuple(layout.hall), tuple(layout.row), tuple(layout.slot), tuple(layout.system))
        owners[period.period] = seen.setdefault(key, period.period)
    return owners


# ---------------------------------------------------------------------------------------
# HTML


def render_roadmap_html(roadmap: RoadmapPlan) -> str:
    from dcplan.planner.report.html import CSS

    name = escape(roadmap.scenario_name)
    sections = [("summary", "Summary"), ("timeline", "Timeline"), ("orders", "Orders and deliveries")]
    sections += [("changes", "Units added and retired"), ("periods", "Periods")]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Roadmap plan: {name}</title><style>{CSS}</style></head>",
        "<body>",
        f"<h1>Roadmap plan: {name}</h1>",
        f'<p class="meta">scenario <code>{escape(roadmap.scenario_id)}</code> &middot; objective '
        f"{escape(roadmap.objective)} &middot; {len(roadmap.periods)} {escape(roadmap.period_length)} periods "
        f"&middot; solver {escape(roadmap.solver.status)} &middot; plan schema {escape(roadmap.schema_version)}</p>",
        "<nav><ol>",
        *(f'<li><a href="#{anchor}">{escape(title)}</a></li>' for anchor, title in sections),
        "</ol></nav>",
        *_html_summary(roadmap),
        *_html_timeline(roadmap),
        '<section id="orders"><h2>Orders and deliveries</h2>',
        _html_table_or(orders_table(roadmap), "No long-lead equipment ordered."),
        "</section>",
        '<section id="changes"><h2>Units added and retired</h2>',
        _html_table_or(changes_table(roadmap.periods), "No units added or retired."),
        "</section>",
        *_html_periods(roadmap),
        "<footer>Generated by dcplan from the roadmap plan file; every figure is the plan's own.</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"


def _html_table_or(table: Table, empty: str) -> str:
    from dcplan.planner.report.html import _table

    return _table(table, None) if table.rows else f"<p>{escape(empty)}</p>"


def _html_figures(figures: list[Figure]) -> str:
    from dcplan.planner.report.document import figure_rows

    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th><td class="num">{escape(value)}</td><td>{escape(unit)}</td></tr>'
        for label, value, unit in figure_rows(figures)
    )
    return f"<table><thead><tr><th>figure</th><th>value</th><th>unit</th></tr></thead><tbody>{rows}</tbody></table>"


def _html_summary(roadmap: RoadmapPlan) -> list[str]:
    out = ['<section id="summary"><h2>Summary</h2>']
    if not roadmap.feasible:
        out.append(f'<p class="warning">{escape(roadmap.diagnosis.summary)}</p>')
        out.append("<ul>" + "".join(f"<li>{escape(r.text)}</li>" for r in roadmap.diagnosis.relaxations) + "</ul>")
    out.append(f"<p>{escape(roadmap.objective_note)}</p>")
    out.append(_html_figures(roadmap_figures(roadmap)))
    if roadmap.notes:
        out.append("<h3>Notes and what-if switches</h3><ul>")
        out += [f"<li>{escape(note)}</li>" for note in roadmap.notes]
        out.append("</ul>")
    out.append("</section>")
    return out


def _html_timeline(roadmap: RoadmapPlan) -> list[str]:
    out = ['<section id="timeline"><h2>Timeline</h2>']
    charts = timeline_charts(roadmap)
    if not charts:
        return [*out, f"<p>{escape(NO_PERIODS)}</p>", "</section>"]
    out.append('<div class="charts">')
    for name, svg in charts.items():
        out.append(
            f'<figure class="chart timeline">{svg}<figcaption>{escape(timeline_chart_title(name))}</figcaption></figure>'
        )
    out.append("</div>")
    out.append(_html_table_or(timeline_table(roadmap), NO_PERIODS))
    out.append("</section>")
    return out


def _html_periods(roadmap: RoadmapPlan) -> list[str]:
    from dcplan.planner.report.floorplan import floorplan_svg
    from dcplan.planner.report.tables import halls_table, mix_table

    out = ['<section id="periods"><h2>Periods</h2>', _html_table_or(periods_table(roadmap), NO_PERIODS)]
    owners = floor_plan_owners(roadmap)
    drawn = 0
    for period in roadmap.periods:
        label = escape(period.period)
        plan = period.plan
        out.append(f'<section id="period-{escape(period.period, quote=True)}"><h3>{label}</h3>')
        out.append(_html_figures(period_figures(period, roadmap)))
        out.append(_html_table_or(mix_table(plan), "Nothing installed."))
        out.append(_html_table_or(halls_table(plan), "No halls."))
        out.append(_html_table_or(changes_table([period]), "No units added or retired."))
        owner = owners[period.period]
        if not len(plan.layout):
            out.append("<p>No racks placed.</p>")
        elif owner != period.period:
            out.append(f"<p>Floor plan: the racks are where they were in {escape(owner)}.</p>")
        elif drawn < MAX_FLOOR_PLANS:
            drawn += 1
            out.append(f'<div class="scroll floorplan">{floorplan_svg(plan)}</div>')
        else:
            out.append(f"<p>Floor plan not drawn (more than {MAX_FLOOR_PLANS} layouts): see the plan JSON.</p>")
        out.append("</section>")
    out.append("</section>")
    return out


# ---------------------------------------------------------------------------------------
# Markdown


def render_roadmap_markdown(roadmap: RoadmapPlan, assets: dict[str, str]) -> str:
    """The report; ``assets`` maps chart names to the relative SVG file names to link."""
    from dcplan.planner.report.document import figure_rows
    from dcplan.planner.report.markdown import _grid, _link_target, md_text

    def table_or(table: Table, empty: str) -> list[str]:
        from dcplan.planner.report.markdown import _table

        return [*_table(table, None), ""] if table.rows else [md_text(empty), ""]

    def figures(items: list[Figure]) -> list[str]:
        rows = [[md_text(c) for c in r] for r in figure_rows(items)]
        return [*_grid(["figure", "value", "unit"], rows, [False, True, False]), ""]

    out = [f"# Roadmap plan: {md_text(roadmap.scenario_name)}", ""]
    out += [
        f"scenario {md_text(roadmap.scenario_id)} · objective {md_text(roadmap.objective)} · "
        f"{len(roadmap.periods)} {md_text(roadmap.period_length)} periods · solver {md_text(roadmap.solver.status)}",
        "",
        "## Summary",
        "",
    ]
    if not roadmap.feasible:
        out += [f"> **{md_text(roadmap.diagnosis.summary)}**", ""]
        out += [f"- {md_text(r.text)}" for r in roadmap.diagnosis.relaxations] + [""]
    out += [md_text(roadmap.objective_note), "", *figures(roadmap_figures(roadmap))]
    out += [f"- {md_text(note)}" for note in roadmap.notes] + ([""] if roadmap.notes else [])
    out += ["## Timeline", ""]
    for name, file in assets.items():
        out += [f"![{md_text(timeline_chart_title(name))}]({_link_target(file)})", ""]
    out += table_or(timeline_table(roadmap), NO_PERIODS)
    out += ["## Orders and deliveries", "", *table_or(orders_table(roadmap), "No long-lead equipment ordered.")]
    out += ["## Units added and retired", "", *table_or(changes_table(roadmap.periods), "No units added or retired.")]
    out += ["## Periods", "", *table_or(periods_table(roadmap), NO_PERIODS)]
    from dcplan.planner.report.tables import mix_table

    for period in roadmap.periods:
        out += [f"### {md_text(period.period)}", "", *figures(period_figures(period, roadmap))]
        out += table_or(mix_table(period.plan), "Nothing installed.")
    out.append("_Generated by dcplan from the roadmap plan file; every figure is the plan's own._")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------
# XLSX


def sheet_names(roadmap: RoadmapPlan) -> list[str]:
    """The per-period sheet names: the period label, made legal (31 characters, no []:*?/\\) and unique."""
    taken = {"summary", "timeline", "periods", "orders", "changes"}
    names = []
    for period in roadmap.periods:
        base = period.period.translate(_BAD_SHEET_CHARS).strip("'")[:28] or f"period {period.index}"
        name, n = base, 2
        while name.lower() in taken:
            name, n = f"{base[:26]} {n}", n + 1
        taken.add(name.lower())
        names.append(name)
    return names


def roadmap_xlsx_bytes(roadmap: RoadmapPlan) -> bytes:
    """The workbook as bytes (built in memory, as planner.report.xlsx does)."""
    from openpyxl import Workbook

    from dcplan.planner.report.tables import halls_table, mix_table
    from dcplan.planner.report.xlsx import _figures_sheet, _table_sheet

    workbook = Workbook()
    summary = workbook.active
    summary.title = "Summary"
    _figures_sheet(summary, roadmap_figures(roadmap))
    _table_sheet(workbook.create_sheet("Timeline"), timeline_table(roadmap))
    _table_sheet(workbook.create_sheet("Periods"), periods_table(roadmap))
    _table_sheet(workbook.create_sheet("Orders"), orders_table(roadmap))
    _table_sheet(workbook.create_sheet("Changes"), changes_table(roadmap.periods))
    for period, name in zip(roadmap.periods, sheet_names(roadmap), strict=True):
        sheet = workbook.create_sheet(name)
        _blocks_sheet(
            sheet,
            period_figures(period, roadmap),
            [mix_table(period.plan), halls_table(period.plan), changes_table([period])],
        )
    workbook.properties.creator = "dcplan"
    workbook.properties.title = roadmap.scenario_name
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _blocks_sheet(sheet: Any, figures: list[Figure], tables: list[Table]) -> None:
    """A period's sheet: its figures (figure, value, unit), then each table under a bold title."""
    from openpyxl.styles import Font

    from dcplan.planner.report.quantity import unit_text
    from dcplan.planner.report.xlsx import _cell_value, _set_widths, cell_format

    bold = Font(bold=True)
    sheet.append(["Figure", "Value", "Unit"])
    widths = [40, 14, 12]
    for fig in figures:
        sheet.append([fig.label, _cell_value(fig.value), unit_text(fig.unit) or None])
        _number_format(
            sheet.cell(row=sheet.max_row, column=2), cell_format(fig.kind, fig.decimals, fig.value), fig.value
        )
    for table in tables:
        sheet.append([])
        sheet.append([table.name])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.append([c.header for c in table.columns])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in table.rows:
            sheet.append(
                [
                    unit_text(v) if c.kind == "unit" and v else _cell_value(v)
                    for c, v in zip(table.columns, row, strict=True)
                ]
            )
            for index, (column, value) in enumerate(zip(table.columns, row, strict=True)):
                _number_format(
                    sheet.cell(row=sheet.max_row, column=index + 1),
                    cell_format(column.kind, column.decimals, value),
                    value,
                )
        for i, column in enumerate(table.columns):
            if i == len(widths):
                widths.append(0)
            widths[i] = max(widths[i], len(column.header))
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"
    _set_widths(sheet, widths)


def _number_format(cell: Any, fmt: str | None, value: Any) -> None:
    if fmt is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.number_format = fmt
