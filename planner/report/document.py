"""The content of a plan report, as sections of blocks; Markdown and HTML only render it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dcplan.planner.plan import CapacityPlan
from dcplan.planner.report.quantity import prose_units, unit_text
from dcplan.planner.report.tables import (
    SECTIONS,
    Figure,
    Table,
    assumed_figures,
    assumptions_table,
    bom_table,
    bom_total_usd,
    cost_figures,
    energy_figures,
    halls_table,
    limits_table,
    mix_table,
    relaxations_table,
    rows_table,
    solver_figures,
    summary_figures,
)


@dataclass(frozen=True)
class Block:
    """kind: 'text' (data: str), 'warning' (str), 'list' (list[str]), 'figures' (list[Figure]),
    'table' (Table; total: optional (column key, value)), 'chart' (data: chart name),
    'floorplan' (no data), 'sources' (Table of assumptions), 'assumed' (list of (kind, id,
    [field texts]): the catalog figures with confidence "assumption")."""

    kind: str
    data: Any = None
    title: str | None = None
    total: tuple[str, float] | None = None


@dataclass
class Section:
    anchor: str
    title: str
    blocks: list[Block] = field(default_factory=list)


NO_PLAN = "No feasible plan: see Solver and diagnosis."


def report_sections(plan: CapacityPlan, chart_names: set[str]) -> list[Section]:
    """Every report section (always all of ``SECTIONS``, in order), with its content."""
    sections = {anchor: Section(anchor, title) for anchor, title in SECTIONS}
    feasible = plan.feasible and plan.energy is not None

    add = lambda anchor, *blocks: sections[anchor].blocks.extend(blocks)  # noqa: E731
    if not plan.feasible:
        add("summary", Block("warning", prose_units(f"Infeasible: {plan.diagnosis.summary}")))
    if not plan.recheck.ok:
        add(
            "summary",
            Block(
                "warning",
                prose_units("The plan failed its independent re-check: " + "; ".join(plan.recheck.violations)),
            ),
        )
    assumed = assumed_figures(plan)
    if assumed:
        add(
            "summary",
            Block(
                "assumed",
                assumed,
                title="Figures driving this plan that are assumptions",
            ),
        )
    add("summary", Block("figures", summary_figures(plan)))

    add("solver", Block("figures", solver_figures(plan)))
    if plan.diagnosis.relaxations:
        add(
            "solver",
            Block(
                "text",
                "Ways out of infeasibility: relax every capacity line together, or every demand line "
                "together (each group alone makes the scenario feasible).",
            ),
            Block("table", relaxations_table(plan).select("group", "limit", "scope", "amount", "unit", "text")),
        )
    if plan.pruned:
        add("solver", Block("list", [prose_units(t) for t in plan.pruned], title="Options ruled out before solving"))
    if plan.recheck.violations:
        add("solver", Block("list", [prose_units(t) for t in plan.recheck.violations], title="Re-check violations"))

    if plan.mix:
        add("mix", Block("table", mix_table(plan)))
    else:
        add("mix", Block("text", NO_PLAN))
    if "compute" in chart_names:
        add("mix", Block("chart", "compute"))

    halls = halls_table(plan)
    add("halls", Block("table", halls) if halls.rows else Block("text", NO_PLAN))

    limits = limits_table(plan)
    if limits.rows:
        add(
            "limits",
            Block(
                "table", limits.select("limit", "scope", "sense", "used", "allowed", "unit", "utilisation", "binding")
            ),
        )
    else:
        add("limits", Block("text", "No limit figures: the plan has no solution."))
    binding = limits_table(plan, binding_only=True)
    if binding.rows:
        add(
            "binding",
            Block(
                "text",
                "A limit binds when the plan uses all of it. The marginal value is what relaxing it by one step "
                "is worth to the objective (blank when marginal values were not computed).",
            ),
            Block(
                "table",
                binding.select(
                    "limit", "scope", "used", "allowed", "unit", "marginal", "marginal_step", "marginal_text"
                ),
            ),
        )
    else:
        add("binding", Block("text", "No limit binds." if feasible else NO_PLAN))

    costs = cost_figures(plan)
    add("costs", Block("figures", costs) if costs else Block("text", NO_PLAN))
    if "capex" in chart_names:
        add("costs", Block("chart", "capex"))

    energy = energy_figures(plan)
    add("energy", Block("figures", energy) if energy else Block("text", NO_PLAN))
    for name in ("power", "heat"):
        if name in chart_names:
            add("energy", Block("chart", name))

    bom = bom_table(plan)
    if bom.rows:
        add("bom", Block("table", bom, total=("capex_usd", bom_total_usd(bom))))
    else:
        add("bom", Block("text", NO_PLAN))
    rows = rows_table(plan)
    add("rows", Block("table", rows) if rows.rows else Block("text", NO_PLAN))
    add("floorplan", Block("floorplan"))
    add(
        "assumptions",
        Block("text", f"{len(plan.assumptions)} catalog figures used by this plan, with their source and confidence."),
        Block("sources", assumptions_table(plan)),
    )
    return [sections[anchor] for anchor, _ in SECTIONS]


ASSUMED_NOTE = (
    "These catalog figures used by the plan are marked as assumptions (not vendor or third-party "
    "figures); their sources and ranges are in the appendix, Assumptions and sources."
)


def assumed_lines(block: Block) -> list[str]:
    """'system gb300-nvl72: capex 3,900,000 USD, rack_width 0.6 m' per entry of an 'assumed' block."""
    return [f"{kind} {entry}: " + "; ".join(fields) for kind, entry, fields in block.data]


def figure_rows(figures: list[Figure]) -> list[tuple[str, str, str]]:
    """(figure, value, unit) display rows; the section is shown when it changes."""
    return [(f.label, f.format(), unit_text(f.unit)) for f in figures]


def table_total_row(table: Table, total: tuple[str, float]) -> list[str]:
    key, value = total
    out = []
    for i, column in enumerate(table.columns):
        if i == 0:
            out.append("Total")
        elif column.key == key:
            out.append(column.format(value))
        else:
            out.append("")
    return out
