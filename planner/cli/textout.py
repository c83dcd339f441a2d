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
import unicodedata
from collections.abc import Iterable, Sequence

GAP = "  "  # between columns
RULE = "-"

_ANSI = {"bold": "1", "red": "31", "green": "32", "yellow": "33"}


def clean(text: object) -> str:
    """``text`` on one line with every control character (newline, tab, ESC) as a space."""
    value = str(text)
    if value.isprintable():
        return value
    return "".join(c if c.isprintable() else " " for c in value)


def display_width(text: str) -> int:
    """Terminal columns of ``text``: 2 per wide/full-width character, 0 per combining mark."""
    if text.isascii():
        return len(text)
    width = 0
    for c in text:
        if unicodedata.combining(c):
            continue
        width += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return width


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - display_width(text))
    return fill + text if right else text + fill


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


class TextTable:
    """A table of text cells: ``add_row`` its rows, then ``lines()`` or ``print_table``.

    ``right`` names the columns aligned right (numbers); ``show_header=False`` gives a
    key-value block (no header, no rule).
    """

    def __init__(self, title: str | None, columns: Sequence[str], right: Iterable[str] = (), show_header: bool = True):
        self.title = None if title is None else clean(title)
        self.columns = [clean(c) for c in columns]
        aligned = set(right)
        self.right = [c in aligned for c in columns]
        self.show_header = show_header
        self.rows: list[list[str]] = []

    def add_row(self, *cells: object) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns of table {self.title!r}")
        self.rows.append([clean(c) for c in cells])

    def lines(self) -> list[str]:
        """The title, header and rule (when shown), and one line per row; no trailing spaces."""
        body = [self.columns, *self.rows] if self.show_header else self.rows
        widths = [max((display_width(row[i]) for row in body), default=0) for i in range(len(self.columns))]
        out = [] if self.title is None else [self.title]

        def line(cells: Sequence[str]) -> str:
            return GAP.join(_pad(c, w, r) for c, w, r in zip(cells, widths, self.right, strict=True)).rstrip()

        if self.show_header:
            out += [line(self.columns), GAP.join(RULE * w for w in widths)]
        out += [line(row) for row in self.rows]
        return out


def echo(text: str = "") -> None:
    """One line (or several) on stdout."""
    sys.stdout.write(text + "\n")


def print_table(table: TextTable) -> None:
    """The table's lines, then a blank line that sets it apart from what follows."""
    sys.stdout.write("\n".join([*table.lines(), ""]) + "\n")
