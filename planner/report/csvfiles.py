"""CSV exports: one table per file, machine-friendly (unit-suffixed snake_case headers, full
precision numbers, empty cells for missing values, UTF-8, RFC 4180 quoting).

``PATH`` holds the bill of materials and ``PATH`` with ``-rows.csv`` the per-row table
(``plan.csv`` -> ``plan-rows.csv``).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from dcplan.planner.plan import CapacityPlan
from dcplan.planner.report.tables import Table, bom_table, rows_table

ROWS_SUFFIX = "-rows.csv"


def rows_csv_path(path: Path) -> Path:
    """The per-row companion of a BOM CSV path: ``plan.csv`` -> ``plan-rows.csv``."""
    return path.with_name(path.stem + ROWS_SUFFIX)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def table_csv_text(table: Table) -> str:
    """The table as CSV text (header of unit-suffixed keys, one line per row)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.key for c in table.columns])
    for row in table.rows:
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue()


def bom_csv_text(plan: CapacityPlan) -> str:
    return table_csv_text(bom_table(plan))


def rows_csv_text(plan: CapacityPlan) -> str:
    return table_csv_text(rows_table(plan))


def write_bom_csv(plan: CapacityPlan, path: Path) -> None:
    path.write_text(bom_csv_text(plan), encoding="utf-8", newline="")


def write_rows_csv(plan: CapacityPlan, path: Path) -> None:
    path.write_text(rows_csv_text(plan), encoding="utf-8", newline="")
