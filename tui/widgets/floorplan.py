"""Floor plan and utilisation bars as Rich text (presentation only)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich.text import Text

PALETTE = ("dodger_blue1", "dark_orange", "green3", "magenta", "cyan", "yellow3", "red3", "purple")


def system_colours(systems: list[str]) -> dict[str, str]:
    return {system: PALETTE[i % len(PALETTE)] for i, system in enumerate(sorted(set(systems)))}


def floor_plan_text(plan: Any, colours: dict[str, str] | None = None) -> Text:
    """Each hall, each row: one cell per rack slot coloured by system.

    Racks of one deployment unit share a glyph; neighbouring units alternate between
    two glyphs, so UltraServer groups stand out. Empty positions are dots. ``colours``
    (system -> colour) keeps a system's colour across several plans (a roadmap's periods).
    """
    layout = plan.layout
    placed = set(layout.system)
    if colours is None or not placed <= set(colours):
        colours = system_colours(list(layout.system))
    colours = {system: colour for system, colour in colours.items() if system in placed}
    rows_info = {row.row: row for row in plan.rows}
    cells: dict[str, dict[str, list[tuple[int, str, str]]]] = defaultdict(lambda: defaultdict(list))
    for hall, row, slot, system, unit in zip(
        layout.hall, layout.row, layout.slot, layout.system, layout.unit, strict=True
    ):
        cells[hall][row].append((slot, system, unit))
    text = Text()
    text.append("legend: ", style="bold")
    for system, colour in colours.items():
        text.append("██", style=colour)
        text.append(f" {system}  ")
    text.append("\n")
    for hall in sorted(cells):
        hall_kw = sum(rows_info[r].it_power.m_as("kW") for r in cells[hall] if r in rows_info)
        text.append(
            f"\n{hall}  ({sum(len(v) for v in cells[hall].values()):,} racks, {hall_kw / 1000:,.1f} MW IT)\n",
            style="bold",
        )
        for row in sorted(cells[hall]):
            info = rows_info.get(row)
            positions = info.positions if info else max(s for s, _, _ in cells[hall][row])
            text.append(f"{row:>12} ")
            by_slot = {slot: (system, unit) for slot, system, unit in cells[hall][row]}
            previous_unit, glyph = None, "▓"
            for slot in range(1, positions + 1):
                if slot not in by_slot:
                    text.append("·", style="grey42")
                    continue
                system, unit = by_slot[slot]
                if unit != previous_unit:
                    glyph = "█" if glyph == "▓" else "▓"
                    previous_unit = unit
                text.append(glyph, style=colours[system])
            if info:
                text.append(f"  {info.it_power.m_as('kW'):,.0f} kW  {info.cooling}  {info.units} units", style="grey70")
            text.append("\n")
    return text


def utilisation_text(limits: list[Any], width: int = 30) -> Text:
    """One bar per limit: green below 80 %, yellow below binding, red when binding."""
    text = Text()
    for use in limits:
        share = max(0.0, min(use.utilisation, 1.0)) if use.utilisation == use.utilisation else 0.0
        filled = round(share * width)
        colour = "red3" if use.binding else ("yellow3" if share >= 0.8 else "green3")
        text.append(f"{use.limit[:34]:<34} {use.scope[:12]:<12} ")
        text.append("█" * filled, style=colour)
        text.append("░" * (width - filled), style="grey35")
        sense = "≥" if use.sense == ">=" else "≤"
        text.append(f" {use.utilisation:6.1%}  {use.used:,.4g} {sense} {use.allowed:,.4g} {use.unit}")
        if use.marginal_text:
            text.append(f"\n{'':47}{use.marginal_text}", style="italic")
        text.append("\n")
    return text
