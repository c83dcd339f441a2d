"""Plain-text tables and status lines for the non-interactive commands (``size``, ``solve``).

Written with str methods only: rich's import and table layout cost ~0.15 s a run (issue 12,
`dcplan size` <= 0.5 s), and a plain table never truncates a cell ("trn3-ultraserve…") nor
wraps a line at 80 columns, so ``grep`` and ``cut`` see whole values. A table is a title
line, a header row over a rule, then one line per row; each column is padded to its widest
cell (display width: East-Asian wide characters count two, combining marks none), columns
two spaces apart:

    Mix: 150,000 PFLOPS peak dense fp8
    system       place       units   chips
    -----------  ----------  -----  ------
    gb300-nvl72  ashburn-va    500  36,000

Cells are flattened to one line and control characters (an ANSI escape in a scenario name)
become spaces, so text read from a user's file cannot move the cursor or break the columns.
``style`` adds colour only when stdout is a terminal and NO_COLOR is unset.
"""

from __future__ import annotations

import os
import sys

from dcplan.planner.report.plaintext import GAP, RULE, TextTable, clean, display_width

__all__ = ["GAP", "RULE", "TextTable", "clean", "colour_wanted", "display_width", "echo", "print_table", "style"]

_ANSI = {"bold": "1", "red": "31", "green": "32", "yellow": "33"}


def colour_wanted() -> bool:
    """ANSI colour only on a terminal, and never with NO_COLOR set (https://no-color.org) or TERM=dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def style(text: str, *styles: str) -> str:
    """``text`` in bold/red/green/yellow on a colour terminal; unchanged otherwise."""
    if not styles or not colour_wanted():
        return text
    codes = ";".join(_ANSI[s] for s in styles)
    return f"\x1b[{codes}m{text}\x1b[0m"


def echo(text: str = "") -> None:
    """One line (or several) on stdout."""
    sys.stdout.write(text + "\n")


def print_table(table: TextTable) -> None:
    """The table's lines, then a blank line that sets it apart from what follows."""
    sys.stdout.write("\n".join([*table.lines(), ""]) + "\n")
