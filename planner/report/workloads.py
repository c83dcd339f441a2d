"""What each workload gets (``CapacityPlan.workloads``), as tables: one source for every renderer.

``dcplan solve`` text, the TUI plan screen, the Markdown/HTML reports, the XLSX sheets and
the CSV files all show these two tables:

* :func:`workloads_table`, one row per workload: where it runs, delivered and peak PFLOPS,
  chips, tokens/s, time to train, cost per delivered unit (with its unit), delivered work
  per MW (with its unit), the stacks it was ported to (``[[porting]]``: cost and delay) and
  what limits it;
* :func:`placements_table`, one row per placement (a workload's share of one supply):
  supply, precision, efficiency, goodput, haircut, porting and delivered PFLOPS.

Every figure is the plan's own; the only arithmetic is each placement's share of its
workload's delivered PFLOPS (``placement delivered / workload delivered``, shown beside
where it runs). A figure the plan leaves null (no model size, no budget, a peak shorthand)
stays empty in the typed tables and shows as ``-`` in text. A plan written before schema
1.2 has no workloads: the tables have no rows and :func:`workloads_text` is empty.
"""

from __future__ import annotations

from collections import defaultdict
from operator import attrgetter
from typing import Any

from dcplan.planner.plan import CapacityPlan, WorkloadPlacement, WorkloadResult
from dcplan.planner.report.cells import Column, Getter, Table, table_of
from dcplan.planner.report.quantity import number, percent, unit_text

NO_WORKLOADS = (
    "No per-workload results: the scenario states no workloads, or the plan was written by a "
    "dcplan before per-workload results (plan schema 1.2)."
)


def runs_on(result: WorkloadResult) -> str:
    """Where a workload runs: 'gb300-nvl72 at ashburn (fp8, 62.5%); trn3 at cloud:x (fp8, 37.5%)'.

    Placements of one system, place and precision (several row templates or coolings of one
    system) are summed; the percentage is the share of the workload's delivered PFLOPS
    (of its peak PFLOPS when nothing is delivered), largest first.
    """
    delivered: dict[tuple[str, str, str], float] = defaultdict(float)
    peak: dict[tuple[str, str, str], float] = defaultdict(float)
    for p in result.placements:
        key = (p.system, p.place, p.precision)
        delivered[key] += p.delivered_pflops
        peak[key] += p.peak_pflops
    total_delivered, total_peak = sum(delivered.values()), sum(peak.values())
    share = delivered if total_delivered > 0 else peak
    total = total_delivered if total_delivered > 0 else total_peak
    parts = []
    for key in sorted(share, key=lambda k: (-share[k], k)):
        system, place, precision = key
        fraction = f", {percent(share[key] / total)}" if total > 0 and len(share) > 1 else ""
        parts.append(f"{system} at {place} ({precision}{fraction})")
    return "; ".join(parts)


def _limits(result: WorkloadResult) -> str:
    return "; ".join(result.limited_by)


def ported_to(result: WorkloadResult) -> str:
    """The stacks a workload was ported to: 'neuron (2 MUSD; 60 day delay, x0.9671 over the
    tco_horizon of 5 year)'; '' when it runs only on the stacks it was written for."""
    parts = []
    for p in result.ported:
        what = [f"{number(p.cost_usd / 1e6)} MUSD"] if p.cost_usd > 0 else []
        if p.delay_days > 0:
            what.append(f"{number(p.delay_days)} day delay, x{p.factor:.4g} over {p.window}")
        parts.append(f"{p.stack} ({'; '.join(what) or 'no cost or delay'})")
    return "; ".join(parts)


def _get(name: str) -> Getter:
    return attrgetter(name)


WORKLOAD_SPEC: tuple[tuple[Column, Getter], ...] = (
    (Column("workload", "workload"), _get("workload")),
    (Column("workload_class", "class"), _get("workload_class")),
    (Column("demand_form", "demand form"), _get("demand_form")),
    (Column("runs_on", "runs on"), runs_on),
    (Column("demand_pflops", "required", "PFLOPS", kind="float"), _get("demand_pflops")),
    (Column("delivered_pflops", "delivered", "PFLOPS", kind="float"), _get("delivered_pflops")),
    (Column("peak_pflops", "peak", "PFLOPS", kind="float"), _get("peak_pflops")),
    (Column("chips", "chips", kind="int"), _get("chips")),
    (Column("tokens_per_s", "rate", "tokens/s", kind="float"), _get("tokens_per_s")),
    (Column("time_to_train_days", "time to train", "days", kind="float"), _get("time_to_train_days")),
    (Column("cost_per_unit", "cost per delivered unit", kind="float", decimals=2), _get("cost_per_unit")),
    (Column("cost_unit", "cost unit"), _get("cost_unit")),
    (Column("per_mw", "per MW", kind="float"), _get("per_mw")),
    (Column("per_mw_unit", "per MW unit", kind="unit"), _get("per_mw_unit")),
    (Column("ported", "ported to"), ported_to),
    (Column("limited_by", "limited by"), _limits),
)


def _placed(name: str) -> Getter:
    """Getter of a placement's field from a (workload id, placement) pair."""

    def get(pair: tuple[str, WorkloadPlacement]) -> Any:
        return getattr(pair[1], name)

    return get


PLACEMENT_SPEC: tuple[tuple[Column, Getter], ...] = (
    (Column("workload", "workload"), lambda pair: pair[0]),
    (Column("supply", "supply"), _placed("supply")),
    (Column("system", "system"), _placed("system")),
    (Column("place", "place"), _placed("place")),
    (Column("units", "units", kind="float", decimals=2), _placed("units")),
    (Column("chips", "chips", kind="int"), _placed("chips")),
    (Column("precision", "precision"), _placed("precision")),
    (Column("peak_pflops", "peak", "PFLOPS", kind="float"), _placed("peak_pflops")),
    (Column("efficiency", "sustained efficiency", kind="ratio"), _placed("efficiency")),
    (Column("goodput", "goodput", kind="ratio"), _placed("goodput")),
    (Column("haircut", "claim haircut", kind="ratio"), _placed("haircut")),
    (Column("ported", "ported to"), _placed("ported")),
    (Column("porting_factor", "porting factor", kind="ratio"), _placed("porting_factor")),
    (Column("delivered_pflops", "delivered", "PFLOPS", kind="float"), _placed("delivered_pflops")),
)


def workloads_table(plan: CapacityPlan) -> Table:
    """One row per workload, in the plan's order (the scenario's)."""
    return table_of("workloads", WORKLOAD_SPEC, plan.workloads)


def placements_table(plan: CapacityPlan) -> Table:
    """One row per placement of every workload, largest delivered first within a workload."""
    placed = [
        (w.workload, p)
        for w in plan.workloads
        for p in sorted(w.placements, key=lambda p: (-p.delivered_pflops, p.supply))
    ]
    return table_of("workload placements", PLACEMENT_SPEC, placed)


NUMERIC_KINDS = ("int", "float", "usd", "ratio")

# ---------------------------------------------------------------------------------------
# display rows: the same tables as text cells (CLI, TUI)


def _cell(column: Column, value: Any) -> str:
    return "-" if value is None else column.format(value)


def _with_unit(value: float | None, unit: str | None) -> str:
    """'4.12 USD per million tokens'; '-' for a null figure."""
    if value is None:
        return "-"
    return f"{number(value)} {unit_text(unit)}".rstrip()


WORKLOAD_TEXT_KEYS = (
    "workload",
    "workload_class",
    "demand_pflops",
    "delivered_pflops",
    "peak_pflops",
    "chips",
    "tokens_per_s",
    "time_to_train_days",
)
# the figures written with their unit in one cell, then the long texts (last: they are the widest)
WITH_UNIT_HEADERS = ("cost per delivered unit", "per MW")
TEXT_HEADERS = ("runs on", "ported to", "limited by")


def _unit_column(label: str, values: list[float | None], units: list[str | None]) -> tuple[str, list[str]]:
    """A figure with a unit per workload as (header, cells): the unit goes into the header when
    every workload that has the figure gives the same one ('per MW [tokens/s per MW]', cells
    '164,201'), else beside each value ('164,201 tokens/s per MW'); nulls as '-'."""
    shared = {unit for value, unit in zip(values, units, strict=True) if value is not None}
    if len(shared) == 1 and (unit := shared.pop()):
        return f"{label} [{unit_text(unit)}]", ["-" if v is None else number(v) for v in values]
    return label, [_with_unit(v, u) for v, u in zip(values, units, strict=True)]


def workload_rows(plan: CapacityPlan) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of the per-workload table as display text, for the CLI and the UI:
    the columns of :func:`workloads_table`, the cost and per-MW figures with their unit (in the
    header when all workloads share it), where it runs, what it was ported to and what limits
    it last; nulls as '-'."""
    table = workloads_table(plan).select(*WORKLOAD_TEXT_KEYS)
    w = plan.workloads
    cost, cost_cells = _unit_column(WITH_UNIT_HEADERS[0], [r.cost_per_unit for r in w], [r.cost_unit for r in w])
    per_mw, per_mw_cells = _unit_column(WITH_UNIT_HEADERS[1], [r.per_mw for r in w], [r.per_mw_unit for r in w])
    headers = [c.header for c in table.columns] + [cost, per_mw, *TEXT_HEADERS]
    rows = []
    for i, (result, row) in enumerate(zip(w, table.rows, strict=True)):
        cells = [_cell(c, v) for c, v in zip(table.columns, row, strict=True)]
        where = runs_on(result) or "nowhere (no placement)"
        cells += [cost_cells[i], per_mw_cells[i], where, ported_to(result) or "-", _limits(result) or "-"]
        rows.append(cells)
    return headers, rows


def is_figure(header: str) -> bool:
    """Whether a column of :func:`workload_rows` or :func:`placement_rows` holds figures
    (right-aligned in text and in the UI)."""
    spec = (*WORKLOAD_SPEC, *PLACEMENT_SPEC)
    return header in {c.header for c, _ in spec if c.kind in NUMERIC_KINDS} or header.startswith(WITH_UNIT_HEADERS)


def placement_rows(plan: CapacityPlan) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of :func:`placements_table` as display text, nulls as '-'."""
    table = placements_table(plan)
    rows = [[_cell(c, v) for c, v in zip(table.columns, row, strict=True)] for row in table.rows]
    return [c.header for c in table.columns], rows


def text_table(title: str, headers: list[str], rows: list[list[str]], numeric: list[bool]) -> list[str]:
    """Lines of a plain aligned table (planner/report/plaintext.py): the title, the headers on
    two lines (label over '[unit]'), a rule, the rows; numeric columns right-aligned."""
    from dcplan.planner.report.plaintext import TextTable

    labels, units = [], []
    for header in headers:
        label, bracket, unit = header.partition(" [")
        labels.append(label)
        units.append(bracket.strip() + unit if bracket else "")
    table = TextTable(title, labels, units=units, right_at=numeric)
    for row in rows:
        table.add_row(*row)
    return table.lines()


def workloads_text(plan: CapacityPlan) -> str:
    """The per-workload table of ``dcplan solve`` as text ending in a newline: the figures as
    aligned columns, then where each workload runs, what it was ported to and what limits
    it, one line each. Empty
    when the plan has no workloads (written before schema 1.2, or a scenario without any)."""
    if not plan.workloads:
        return ""
    headers, rows = workload_rows(plan)
    figures = len(headers) - len(TEXT_HEADERS)
    lines = text_table(
        "Workloads (sustained delivered compute)",
        headers[:figures],
        [row[:figures] for row in rows],
        [is_figure(h) for h in headers[:figures]],
    )
    for row in rows:
        where, ported, limits = row[figures:]
        lines.append(f"{row[0]}: runs on {where}")
        if ported != "-":
            lines.append(f"  ported to {ported}")
        if limits != "-":
            lines.append(f"  limited by {limits}")
    return "\n".join(lines) + "\n"
