"""Text formatting of results for the screens (presentation only, no arithmetic beyond units).

Numbers and units go through ``planner.report.quantity``, the one formatter the CLI and the
reports use too."""

from __future__ import annotations

from typing import Any


def sizing_rows(result: Any) -> list[tuple[str, str]]:
    """(figure, value) rows of a SizingResult (the same rows `dcplan size` prints)."""
    from dcplan.planner.report.text import sizing_rows as rows

    return rows(result)


def sweep_rows(summary: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(output, P10, P50, P90, chosen in) rows of a sweep summary."""
    names = {
        "compute_pflops": "compute [PFLOPS]",
        "tco_musd": "TCO [M USD]",
        "capex_musd": "capex [M USD]",
        "facility_mw": "facility power [MW]",
    }

    from dcplan.planner.report.quantity import number

    def cell(value: Any) -> str:
        return number(value)

    from dcplan.planner.report.quantity import percent

    rows = [
        (names.get(k, k), cell(v["p10"]), cell(v["p50"]), cell(v["p90"]), "") for k, v in summary["outputs"].items()
    ]
    for system, stats in summary["units"].items():
        share = summary["chosen_share"].get(system, 0.0)
        rows.append((f"units {system}", cell(stats["p10"]), cell(stats["p50"]), cell(stats["p90"]), percent(share)))
    return rows


def tornado_text(rows: list[dict[str, Any]], top: int = 10, width: int = 30) -> str:
    """The inputs that move the objective most, as signed bars of Spearman's rho."""
    if not rows:
        return ""
    lines = ["[b]Tornado[/b] (Spearman rho of each input with the objective)"]
    for row in rows[:top]:
        rho = row.get("rho") or 0.0
        bar = "█" * round(abs(rho) * width)
        colour = "green3" if rho >= 0 else "red3"
        lines.append(f"{row['input'][:44]:<44} [{colour}]{bar:<{width}}[/] {rho:+.2f}")
    return "\n".join(lines)


def markup_escape(text: str) -> str:
    """``text`` as Textual markup that shows exactly ``text``: every ``[`` escaped.

    rich.markup.escape escapes only what looks like a tag, so a dcplan message naming
    ``[[water_loop]]`` came out as ``[\\[water_loop]]`` on screen; a typed ``[b]`` or
    ``[red`` must show as typed, never style the line."""
    return text.replace("[", "\\[")
