"""One self-contained HTML report: inline CSS, charts and floor plan as inline SVG, no scripts,
no external resources. The only links are the citations of the assumptions' sources.

Printing (``@media print``, A4 portrait, 12 mm margins): no navigation, small table type,
charts two to a line, the floor plan scaled to the page width, tables never wider than
the page (long cells wrap, ids never break at their hyphen), rows not split across pages,
and the assumptions as a compact appendix on new pages. The demo plan prints to at most
12 A4 pages (tests/planner/test_report_print.py renders it with headless Chromium).
"""

from __future__ import annotations

from html import escape

from dcplan.planner.plan import CapacityPlan
from dcplan.planner.report.charts import chart_title, charts
from dcplan.planner.report.document import (
    ASSUMED_NOTE,
    Block,
    assumed_lines,
    figure_rows,
    report_sections,
    table_total_row,
)
from dcplan.planner.report.floorplan import floorplan_svg
from dcplan.planner.report.tables import URL, Table

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; margin: 2rem auto;
       max-width: 1200px; padding: 0 1rem; color: #1d2330; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #dde4ee; padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { font-size: 1rem; }
.meta { color: #5a6475; margin-top: 0; }
nav ol { columns: 3; font-size: .9rem; }
table { border-collapse: collapse; font-size: .82rem; margin: .6rem 0; }
th, td { border: 1px solid #d5dbe5; padding: .2rem .45rem; vertical-align: top; }
th { background: #eef2f7; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.id { white-space: nowrap; }
tr.total td { font-weight: bold; background: #f6f8fb; }
.warning { background: #fdecea; border-left: 4px solid #d93025; padding: .5rem .8rem; }
.assumed { background: #fff8e1; border-left: 4px solid #f2a900; padding: .4rem .8rem; }
.assumed h3 { margin: .2rem 0; }
.assumed ul { margin: .2rem 0; padding-left: 1.2rem; font-size: .85rem; }
.scroll { overflow-x: auto; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure.chart { margin: 1rem 0; flex: 1 1 30rem; max-width: 40rem; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { font-size: .85rem; color: #5a6475; }
.bar { display: inline-block; height: .6rem; background: #4e79a7; vertical-align: middle; }
.bar.binding { background: #e15759; }
.floorplan svg { width: 100%; height: auto; }
td.source { max-width: 38rem; overflow-wrap: anywhere; }
footer { margin-top: 3rem; font-size: .8rem; color: #5a6475; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 8.5pt; line-height: 1.25; }
  nav { display: none; }
  h1 { font-size: 14pt; }
  h2 { font-size: 11pt; margin-top: 10pt; break-after: avoid; }
  h3 { font-size: 9pt; break-after: avoid; }
  .scroll { overflow: visible; }
  table { font-size: 6.5pt; width: 100%; margin: 3pt 0; }
  th, td { padding: 1pt 2.5pt; overflow-wrap: break-word; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
  .charts { gap: 4pt; }
  figure.chart { margin: 2pt 0; flex: 1 1 45%; max-width: 49%; break-inside: avoid; }
  section#floorplan { break-before: page; }
  .floorplan svg { width: 100%; max-height: 240mm; }
  section#assumptions { break-before: page; }
  section#assumptions h2::before { content: "Appendix: "; }
  section#assumptions table { font-size: 5.5pt; line-height: 1.15; }
  section#assumptions td.source { max-width: none; width: 58%; }
  section#assumptions .origin { display: none; }
  a { color: inherit; text-decoration: none; }
  footer { margin-top: 6pt; }
}
"""


def render_html(plan: CapacityPlan) -> str:
    made = charts(plan)
    sections = report_sections(plan, set(made))
    status = plan.solver.status  # "no-plan-within-limit" is not infeasible
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Capacity plan: {escape(plan.scenario_name)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>Capacity plan: {escape(plan.scenario_name)}</h1>",
        f'<p class="meta">scenario <code>{escape(plan.scenario_id)}</code> &middot; objective {escape(plan.objective)} '
        f"&middot; precision {escape(plan.precision)} &middot; solver {escape(status)} &middot; "
        f"plan schema {escape(plan.schema_version)}</p>",
        "<nav><ol>",
        *(f'<li><a href="#{s.anchor}">{escape(s.title)}</a></li>' for s in sections),
        "</ol></nav>",
    ]
    for section in sections:
        out.append(f'<section id="{section.anchor}">')
        out.append(f"<h2>{escape(section.title)}</h2>")
        in_charts = False
        for block in section.blocks:
            if (block.kind == "chart") != in_charts:  # consecutive charts share one line
                in_charts = not in_charts
                out.append('<div class="charts">' if in_charts else "</div>")
            out.append(_block(block, plan, made))
        if in_charts:
            out.append("</div>")
        out.append("</section>")
    out += [
        "<footer>Generated by dcplan from the capacity plan file; every figure is the plan's own, "
        "re-checked by the models. Sources are cited in Assumptions and sources.</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"


def _block(block: Block, plan: CapacityPlan, made: dict[str, str]) -> str:
    if block.kind == "text":
        return f"<p>{escape(block.data)}</p>"
    if block.kind == "warning":
        return f'<p class="warning">{escape(block.data)}</p>'
    if block.kind == "list":
        title = f"<h3>{escape(block.title)}</h3>" if block.title else ""
        return title + "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in block.data) + "</ul>"
    if block.kind == "assumed":
        items = "".join(f"<li>{escape(line)}</li>" for line in assumed_lines(block))
        return (
            f'<div class="assumed"><h3>{escape(block.title or "")}</h3><p>{escape(ASSUMED_NOTE)}</p>'
            f"<ul>{items}</ul></div>"
        )
    if block.kind == "figures":
        rows = "".join(
            f'<tr><th scope="row">{escape(label)}</th><td class="num">{escape(value)}</td><td>{escape(unit)}</td></tr>'
            for label, value, unit in figure_rows(block.data)
        )
        return f"<table><thead><tr><th>figure</th><th>value</th><th>unit</th></tr></thead><tbody>{rows}</tbody></table>"
    if block.kind == "table":
        title = f"<h3>{escape(block.title)}</h3>" if block.title else ""
        return title + _table(block.data, block.total)
    if block.kind == "sources":
        return _table(block.data, None, link_column="source")
    if block.kind == "chart":
        caption = escape(chart_title(block.data))
        return f'<figure class="chart">{made[block.data]}<figcaption>{caption}</figcaption></figure>'
    if block.kind == "floorplan":
        svg = floorplan_svg(plan)
        note = (
            f"{len(plan.layout):,} rack slots; racks to scale, coloured by system; racks of one UltraServer outlined; "
            "halls drawn to their floor area, racks and aisles to scale; hover a rack for its unit, power and loop."
        )
        return f'<div class="scroll floorplan">{svg}</div><p class="meta">{note}</p>'
    raise ValueError(f"unknown report block {block.kind!r}")


ID_COLUMNS = {"hall", "site", "row", "system", "scope", "place", "catalog_id", "id", "template", "unit", "kind"}


def _table(table: Table, total: tuple[str, float] | None, link_column: str | None = None) -> str:
    numeric = [c.kind in ("int", "float", "usd", "ratio") for c in table.columns]
    keys = [c.key for c in table.columns]
    head = "".join(f'<th class="{escape(c.key)}">{escape(c.header)}</th>' for c in table.columns)
    body = []
    utilisation = keys.index("utilisation") if "utilisation" in keys else -1
    binding_at = keys.index("binding") if "binding" in keys else -1
    for raw, cells in zip(table.rows, table.formatted(), strict=True):
        tds = []
        for i, (column, text) in enumerate(zip(table.columns, cells, strict=True)):
            if column.key == link_column:
                tds.append(f'<td class="source">{linkify(text)}</td>')
            elif i == utilisation and isinstance(raw[i], (int, float)):
                width = max(0.0, min(1.0, raw[i])) * 60
                # red means binding, as the binding column says (a demand met exactly at 100 % need not bind)
                binding = " binding" if binding_at >= 0 and raw[binding_at] is True else ""
                bar = f'<span class="bar{binding}" style="width:{width:.0f}px"></span>'
                tds.append(f'<td class="num">{escape(text)} {bar}</td>')
            elif numeric[i]:
                tds.append(f'<td class="num">{escape(text)}</td>')
            elif column.key == "origin":
                tds.append(f'<td class="origin">{escape(text)}</td>')
            elif column.key in ID_COLUMNS:
                tds.append(f'<td class="id">{escape(text)}</td>')
            else:
                tds.append(f"<td>{escape(text)}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    if total is not None:
        cells = table_total_row(table, total)
        tds = [
            f'<td class="num">{escape(t)}</td>' if numeric[i] else f"<td>{escape(t)}</td>" for i, t in enumerate(cells)
        ]
        body.append('<tr class="total">' + "".join(tds) + "</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def linkify(text: str) -> str:
    """Escape ``text`` and turn the URLs in it into citation links."""
    out, last = [], 0
    for match in URL.finditer(text):
        url = match.group(0).rstrip(".")
        end = match.start() + len(url)
        out.append(escape(text[last : match.start()]))
        out.append(f'<a href="{escape(url, quote=True)}" rel="noreferrer">{escape(url)}</a>')
        last = end
    out.append(escape(text[last:]))
    return "".join(out)
