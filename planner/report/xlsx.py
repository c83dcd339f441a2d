"""XLSX workbook of a plan (openpyxl, imported lazily).

Sheets: Summary (key figures: plan, mix, power, money, costs, energy, solver), Mix,
Workloads (one line per workload: delivered compute, tokens/s, time to train, cost per
delivered unit, per MW, what limits it), Workload placements (supply, precision,
efficiency, goodput, haircut, delivered; both header only in a plan without them), Halls,
Bill of materials (with a total row), Rows, Layout (one row per rack slot), Limits
(utilisation and marginal values), Assumptions (every catalog figure used, with source and
confidence) and, for a plan that has one, Diagnosis (ways out of infeasibility). Units are
in the headers, numbers are stored as numbers with a display format, the header row is
frozen and filterable, and columns are sized to their contents.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from dcplan.planner.plan import CapacityPlan
from dcplan.planner.report.quantity import number, unit_text
from dcplan.planner.report.tables import (
    Figure,
    Table,
    assumptions_table,
    bom_table,
    bom_total_usd,
    cost_figures,
    energy_figures,
    halls_table,
    layout_table,
    limits_table,
    mix_table,
    relaxations_table,
    rows_table,
    solver_figures,
    summary_figures,
)
from dcplan.planner.report.workloads import placements_table, workloads_table

SHEETS = (
    "Summary",
    "Mix",
    "Workloads",
    "Workload placements",
    "Halls",
    "Bill of materials",
    "Rows",
    "Layout",
    "Limits",
    "Assumptions",
)
_MIN_WIDTH, _MAX_WIDTH, _SAMPLE = 8, 60, 400


def cell_format(kind: str, decimals: int, value: Any) -> str | None:
    """The display format of one cell: a float shows the digits the text reports show
    (``planner.report.quantity.number``: ~4 significant figures, no padding zeros)."""
    if kind in ("float", "auto") and isinstance(value, float):
        text = number(value)
        shown = len(text.split(".")[1]) if "." in text else 0
        return "#,##0" + ("." + "0" * shown if shown else "")
    return number_format(kind, decimals)


def number_format(kind: str, decimals: int) -> str | None:
    if kind in ("int", "usd"):
        return "#,##0"
    if kind == "ratio":
        return "0.0%" if decimals <= 1 else "0." + "0" * decimals + "%"
    if kind == "float":
        return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return None


def _cell_value(value: Any) -> Any:
    """Numbers and booleans as themselves; lists/dicts as compact JSON text; an infinite or NaN
    float (a time to train with nothing delivered) as its display text, since spreadsheet
    applications refuse a workbook whose cell holds ``inf``."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and not math.isfinite(value):
        return number(value)
    return value


def write_xlsx(plan: CapacityPlan, path: Path) -> None:
    path.write_bytes(xlsx_bytes(plan))


def xlsx_bytes(plan: CapacityPlan) -> bytes:
    """The workbook as bytes. Built in memory, so a full disk fails on a plain file write
    (one line) and never inside ZipFile (whose clean-up would print a traceback)."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    summary = workbook.active
    summary.title = "Summary"
    figures: dict[str, Figure] = {}
    for fig in summary_figures(plan) + cost_figures(plan) + energy_figures(plan) + solver_figures(plan):
        figures.setdefault(fig.label, fig)  # headline figures repeated in later blocks appear once
    _figures_sheet(summary, list(figures.values()))
    _table_sheet(workbook.create_sheet("Mix"), mix_table(plan))
    _table_sheet(workbook.create_sheet("Workloads"), workloads_table(plan))
    _table_sheet(workbook.create_sheet("Workload placements"), placements_table(plan))
    _table_sheet(workbook.create_sheet("Halls"), halls_table(plan))
    bom = bom_table(plan)
    _table_sheet(workbook.create_sheet("Bill of materials"), bom, total=("capex_usd", bom_total_usd(bom)))
    _table_sheet(workbook.create_sheet("Rows"), rows_table(plan))
    _table_sheet(workbook.create_sheet("Layout"), layout_table(plan))
    _table_sheet(workbook.create_sheet("Limits"), limits_table(plan))
    _table_sheet(workbook.create_sheet("Assumptions"), assumptions_table(plan))
    if plan.diagnosis.relaxations:
        _table_sheet(workbook.create_sheet("Diagnosis"), relaxations_table(plan))
    workbook.properties.creator = "dcplan"
    workbook.properties.title = plan.scenario_name
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _style_header(sheet: Any, count: int) -> None:
    from openpyxl.styles import Font, PatternFill

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EE")
    for cell in sheet[1][:count]:
        cell.font = bold
        cell.fill = fill
    sheet.freeze_panes = "A2"


def _set_widths(sheet: Any, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(_MIN_WIDTH, min(_MAX_WIDTH, width + 2))


def _table_sheet(sheet: Any, table: Table, total: tuple[str, float] | None = None) -> None:
    from openpyxl.utils import get_column_letter

    columns = table.columns
    sheet.append([c.header for c in columns])
    formats = [number_format(c.kind, c.decimals) for c in columns]
    widths = [len(c.header) for c in columns]
    units = [c.kind == "unit" for c in columns]
    for n, row in enumerate(table.rows):
        sheet.append([unit_text(v) if units[i] and v else _cell_value(v) for i, v in enumerate(row)])
        for index, column in enumerate(columns):
            value = row[index]
            fmt = cell_format(column.kind, column.decimals, value)
            if fmt is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.cell(row=n + 2, column=index + 1).number_format = fmt
        if n < _SAMPLE:
            widths = [max(w, len(c.format(v))) for w, c, v in zip(widths, columns, row, strict=True)]
    last = len(table.rows) + 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    if total is not None:
        from openpyxl.styles import Font

        key, value = total
        index = [c.key for c in columns].index(key)
        total_row: list[Any] = [None] * len(columns)
        total_row[0], total_row[index] = "Total", value
        sheet.append(total_row)
        for cell in sheet[last + 1]:
            cell.font = Font(bold=True)
        sheet.cell(row=last + 1, column=index + 1).number_format = formats[index] or "General"
    _style_header(sheet, len(columns))
    _set_widths(sheet, widths)


def _figures_sheet(sheet: Any, figures: list[Figure]) -> None:
    headers = ("Section", "Figure", "Value", "Unit")
    sheet.append(list(headers))
    widths = [len(h) for h in headers]
    for n, fig in enumerate(figures):
        sheet.append([fig.section, fig.label, _cell_value(fig.value), unit_text(fig.unit) or None])
        fmt = cell_format(fig.kind, fig.decimals, fig.value)
        if fmt is not None and isinstance(fig.value, (int, float)) and not isinstance(fig.value, bool):
            sheet.cell(row=n + 2, column=3).number_format = fmt
        widths = [
            max(w, len(t))
            for w, t in zip(widths, (fig.section, fig.label, fig.format(), unit_text(fig.unit)), strict=True)
        ]
    _style_header(sheet, len(headers))
    _set_widths(sheet, widths)
