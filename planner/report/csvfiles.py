"""CSV exports: one table per file, machine-friendly (unit-suffixed snake_case headers, full
precision numbers, empty cells for missing values, UTF-8, RFC 4180 quoting).

``PATH`` holds the bill of materials, ``PATH`` with ``-rows.csv`` the per-row table
(``plan.csv`` -> ``plan-rows.csv``), ``-workloads.csv`` one line per workload (delivered
compute, tokens/s, time to train, cost per delivered unit, per MW, what limits it) and
``-workload-placements.csv`` one line per placement (supply, precision, efficiency,
goodput, haircut, delivered). The workload files are always written (header only for a
plan without per-workload results), so an export writes the same set of files every time.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from dcplan.planner.plan import CapacityPlan
from dcplan.planner.report.tables import Table, bom_table, rows_table
from dcplan.planner.report.workloads import placements_table, workloads_table

ROWS_SUFFIX = "-rows.csv"
WORKLOADS_SUFFIX = "-workloads.csv"
PLACEMENTS_SUFFIX = "-workload-placements.csv"


def rows_csv_path(path: Path) -> Path:
    """The per-row companion of a BOM CSV path: ``plan.csv`` -> ``plan-rows.csv``."""
    return path.with_name(path.stem + ROWS_SUFFIX)


def companion_csv_paths(path: Path) -> list[Path]:
    """The files written next to a BOM CSV: rows, workloads, workload placements."""
    return [path.with_name(path.stem + suffix) for suffix in (ROWS_SUFFIX, WORKLOADS_SUFFIX, PLACEMENTS_SUFFIX)]


def csv_texts(plan: CapacityPlan, path: Path) -> dict[Path, str]:
    """Every CSV file of an export to ``path`` (``path`` first) with its text."""
    rows_path, workloads_path, placements_path = companion_csv_paths(path)
    return {
        path: bom_csv_text(plan),
        rows_path: rows_csv_text(plan),
        workloads_path: table_csv_text(workloads_table(plan)),
        placements_path: table_csv_text(placements_table(plan)),
    }


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
