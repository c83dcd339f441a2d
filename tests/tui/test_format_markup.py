"""tui.format.markup_escape: any text shows on screen exactly as written (issue-15 UI audit:
rich's escape showed a message naming [[onsite_power]] as '[\\[onsite_power]]')."""

from __future__ import annotations

import pytest
from textual.content import Content

from dcplan.tui.format import markup_escape


@pytest.mark.parametrize(
    "text",
    [
        "[[onsite_power]] is not applied per period by the roadmap yet",
        "expected a [[hall]] id (pdx-1, phx-1), got '[b]'",
        "[b]markup[/b] [red [/]",
        "C:\\[x] and a trailing \\",
        "[[[[",
        "plain",
    ],
)
def test_escaped_text_shows_as_written(text):
    assert Content.from_markup(f"[b red]lead:[/] {markup_escape(text)}").plain == f"lead: {text}"
