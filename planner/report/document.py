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
from dcplan.planner.report.workloads import (
    NO_WORKLOADS,
    PLACEMENT_SPEC,
    WORKLOAD_SPEC,
    placements_table,
    ported_to,
    workloads_table,
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

# The report's sections: the shared ones (tables.SECTIONS) with the per-workload results after the mix.
REPORT_SECTIONS: tuple[tuple[str, str], ...] = tuple(
    section
    for anchor, title in SECTIONS
    for section in ((anchor, title), *((("workloads", "Workloads"),) if anchor == "mix" else ()))
)


def report_sections(plan: CapacityPlan, chart_names: set[str]) -> list[Section]:
    """Every report section (always all of ``REPORT_SECTIONS``, in order), with its content."""
    blocks = {
        "summary": _summary_blocks(plan),
        "solver": _solver_blocks(plan),
        "mix": _mix_blocks(plan, chart_names),
        "workloads": _workload_blocks(plan),
        "halls": _table_or_no_plan(halls_table(plan)),
        "limits": _limits_blocks(plan),
        "binding": _binding_blocks(plan),
        "costs": _figures_or_no_plan(cost_figures(plan)) + _charts(chart_names, "capex"),
        "energy": _figures_or_no_plan(energy_figures(plan)) + _charts(chart_names, "power", "heat"),
        "bom": _bom_blocks(plan),
        "rows": _table_or_no_plan(rows_table(plan)),
        "floorplan": [Block("floorplan")],
        "assumptions": [
            Block(
                "text", f"{len(plan.assumptions)} catalog figures used by this plan, with their source and confidence."
            ),
            Block("sources", assumptions_table(plan)),
        ],
    }
    return [Section(anchor, title, blocks[anchor]) for anchor, title in REPORT_SECTIONS]


def _table_or_no_plan(table: Table) -> list[Block]:
    return [Block("table", table) if table.rows else Block("text", NO_PLAN)]


def _figures_or_no_plan(figures: list[Figure]) -> list[Block]:
    return [Block("figures", figures) if figures else Block("text", NO_PLAN)]


def _charts(chart_names: set[str], *names: str) -> list[Block]:
    """The chart blocks of ``names`` that were drawn (in the order given)."""
    return [Block("chart", name) for name in names if name in chart_names]


def _summary_blocks(plan: CapacityPlan) -> list[Block]:
    """Warnings (infeasible, failed re-check), the assumed figures, then the key figures."""
    blocks = []
    if not plan.feasible:
        blocks.append(Block("warning", prose_units(f"Infeasible: {plan.diagnosis.summary}")))
    if not plan.recheck.ok:
        blocks.append(
            Block(
                "warning",
                prose_units("The plan failed its independent re-check: " + "; ".join(plan.recheck.violations)),
            )
        )
    assumed = assumed_figures(plan)
    if assumed:
        blocks.append(Block("assumed", assumed, title="Figures driving this plan that are assumptions"))
    blocks.append(Block("figures", summary_figures(plan)))
    if plan.swing:
        lines = [prose_units(line.summary) for line in plan.swing]
        blocks.append(Block("list", lines, title="Training power swings and their mitigation"))
    if plan.water:
        from dcplan.planner.water_plan import water_text_lines

        lines = [prose_units(line) for line in water_text_lines(plan)]
        blocks.append(Block("list", lines, title="Facility water loops: supply class chosen"))
    if plan.onsite:
        lines = [prose_units(line.summary) for line in plan.onsite]
        blocks.append(Block("list", lines, title="On-site generation, curtailment and UPS energy"))
    return blocks


def _solver_blocks(plan: CapacityPlan) -> list[Block]:
    """Solver figures, the ways out of infeasibility, pruned options, re-check violations."""
    blocks = [Block("figures", solver_figures(plan))]
    if plan.diagnosis.relaxations:
        blocks += [
            Block(
                "text",
                "Ways out of infeasibility: relax every capacity line together, or every demand line "
                "together (each group alone makes the scenario feasible).",
            ),
            Block("table", relaxations_table(plan).select("group", "limit", "scope", "amount", "unit", "text")),
        ]
    if plan.pruned:
        blocks.append(Block("list", [prose_units(t) for t in plan.pruned], title="Options ruled out before solving"))
    if plan.recheck.violations:
        blocks.append(Block("list", [prose_units(t) for t in plan.recheck.violations], title="Re-check violations"))
    return blocks


def _mix_blocks(plan: CapacityPlan, chart_names: set[str]) -> list[Block]:
    mix = [Block("table", mix_table(plan)) if plan.mix else Block("text", NO_PLAN)]
    return mix + _charts(chart_names, "compute")


def _workload_blocks(plan: CapacityPlan) -> list[Block]:
    """What each workload gets, then the placements behind it (supply, precision, efficiency,
    goodput, haircut); a note instead for a plan without per-workload results."""
    if not plan.workloads:
        return [Block("text", NO_WORKLOADS)]
    return [
        Block(
            "text",
            "Delivered compute is sustained: peak dense PFLOPS at the precision each workload runs at x "
            "sustained efficiency x goodput x (1 - claim haircut). A blank figure does not apply to the "
            "workload (no model size, no budget, or a peak or chips shorthand).",
        ),
        Block("table", workloads_table(plan).select(*REPORT_WORKLOAD_KEYS)),
        *_limited_by_blocks(plan),
        *_ported_blocks(plan),
        Block("table", placements_table(plan).select(*REPORT_PLACEMENT_KEYS), title="Where each workload runs"),
    ]


# the report's workload columns: what limits each workload and what it was ported to are
# lists under the table (more columns would not fit the printed page); XLSX and CSV keep
# every column
REPORT_WORKLOAD_KEYS = tuple(c.key for c, _ in WORKLOAD_SPEC if c.key not in ("limited_by", "ported"))
REPORT_PLACEMENT_KEYS = tuple(c.key for c, _ in PLACEMENT_SPEC if c.key not in ("ported", "porting_factor"))


def _ported_blocks(plan: CapacityPlan) -> list[Block]:
    lines = [f"{w.workload}: {ported_to(w)}" for w in plan.workloads if w.ported]
    return [Block("list", lines, title="Stacks each workload was ported to")] if lines else []


def _limited_by_blocks(plan: CapacityPlan) -> list[Block]:
    lines = [f"{w.workload}: {'; '.join(w.limited_by)}" for w in plan.workloads if w.limited_by]
    return [Block("list", [prose_units(line) for line in lines], title="What limits each workload")] if lines else []


def _limits_blocks(plan: CapacityPlan) -> list[Block]:
    limits = limits_table(plan)
    if not limits.rows:
        return [Block("text", "No limit figures: the plan has no solution.")]
    columns = ("limit", "scope", "sense", "used", "allowed", "unit", "utilisation", "binding")
    return [Block("table", limits.select(*columns))]


def _binding_blocks(plan: CapacityPlan) -> list[Block]:
    """The binding limits with their marginal values, after a note on what those mean."""
    binding = limits_table(plan, binding_only=True)
    if not binding.rows:
        feasible = plan.feasible and plan.energy is not None
        return [Block("text", "No limit binds." if feasible else NO_PLAN)]
    columns = (
        "limit",
        "scope",
        "used",
        "allowed",
        "unit",
        "marginal",
        "marginal_step",
        "marginal_text",
        "marginal_method",
        "marginal_note",
    )
    return [
        Block(
            "text",
            "A limit binds when the plan uses all of it. The marginal value is what relaxing it by one step "
            "is worth to the objective: from a re-solve of the plan's MIP with that limit relaxed, or, where "
            "no re-solve could give one (not reached in the time budget, or a change within the solver's "
            "gap), an LP estimate: the limit's dual in the LP relaxation with the plan's halls and sites, "
            "times the step. A binding limit without a value says why (not valued: ...); all are blank when "
            "marginal values were not computed.",
        ),
        Block("table", binding.select(*columns)),
    ]


def _bom_blocks(plan: CapacityPlan) -> list[Block]:
    bom = bom_table(plan)
    if not bom.rows:
        return [Block("text", NO_PLAN)]
    return [Block("table", bom, total=("capex_usd", bom_total_usd(bom)))]


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
