"""CSV exports: one table per file, machine-friendly (unit-suffixed snake_case headers, full
precision numbers, empty cells for missing values, UTF-8, RFC 4180 quoting).

``PATH`` holds the bill of materials and ``PATH`` with ``-rows.csv`` the per-row table
(``plan.csv`` -> ``plan-rows.csv``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from planner.plan import CapacityPlan
from planner.report.tables import Table, bom_table, rows_table

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


def write_table_csv(table: Table, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([c.key for c in table.columns])
        for row in table.rows:
            writer.writerow([_cell(v) for v in row])


def write_bom_csv(plan: CapacityPlan, path: Path) -> None:
    write_table_csv(bom_table(plan), path)


def write_rows_csv(plan: CapacityPlan, path: Path) -> None:
    write_table_csv(rows_table(plan), path)
