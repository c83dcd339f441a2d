"""Plain aligned text tables (str methods only), shared by the command line and the reports.

A table is a title line, a header row (optionally a second header line, e.g. units under
labels) over a rule, then one line per row; each column is padded to its widest cell in
display width (East-Asian wide characters count two, combining marks none), columns two
spaces apart. Cells are flattened to one line and control characters become spaces, so text
read from a user's file cannot move the cursor or break the columns.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

GAP = "  "  # between columns
RULE = "-"


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


class TextTable:
    """A table of text cells: ``add_row`` its rows, then ``lines()`` or ``print_table``.

    ``right`` names the columns aligned right (numbers), or ``right_at`` gives one flag per
    column (for labels that repeat); ``units`` is a second header line under the labels
    (e.g. ``[PFLOPS]``), shown when any is non-empty; ``show_header=False`` gives a key-value
    block (no header, no rule).
    """

    def __init__(
        self,
        title: str | None,
        columns: Sequence[str],
        right: Iterable[str] = (),
        show_header: bool = True,
        units: Sequence[str] | None = None,
        right_at: Sequence[bool] | None = None,
    ):
        self.title = None if title is None else clean(title)
        self.columns = [clean(c) for c in columns]
        aligned = set(right)
        self.right = list(right_at) if right_at is not None else [c in aligned for c in columns]
        self.units = [clean(u) for u in units] if units is not None and any(units) else None
        self.show_header = show_header
        self.rows: list[list[str]] = []

    def add_row(self, *cells: object) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns of table {self.title!r}")
        self.rows.append([clean(c) for c in cells])

    def lines(self) -> list[str]:
        """The title, header and rule (when shown), and one line per row; no trailing spaces."""
        heads = [self.columns, *([self.units] if self.units else [])]
        body = [*heads, *self.rows] if self.show_header else self.rows
        widths = [max((display_width(row[i]) for row in body), default=0) for i in range(len(self.columns))]
        out = [] if self.title is None else [self.title]

        def line(cells: Sequence[str]) -> str:
            return GAP.join(_pad(c, w, r) for c, w, r in zip(cells, widths, self.right, strict=True)).rstrip()

        if self.show_header:
            out += [*(line(h) for h in heads), GAP.join(RULE * w for w in widths)]
        out += [line(row) for row in self.rows]
        return out
