"""Help: what each screen does and the keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """
# dcplan

| key | screen |
|---|---|
| `F2` or `1` | **Catalog**: every system, cooling, power-chain part and site, with unit, range, confidence and source |
| `F3` or `2` | **Sizer**: size N units (or `40 racks`, or `5 MW`) of a system on a cooling architecture at a site |
| `F4` or `3` | **Scenario**: edit halls, rows, limits, budget, candidates, workloads and shares; load and save TOML |
| `F5` or `4` | **Optimise**: solve the scenario (off the UI thread) with live incumbent, bound and gap; cancel |
| `F6` or `5` | **Plan**: floor plan, utilisation of every limit, mix and costs, binding limits, diagnosis |
| `F7` or `6` | **Export**: write the plan as JSON, CSV, XLSX, Markdown, HTML or SVG |
| `F8` or `7` | **Sweep**: sample catalog ranges and `FIELD=LOW:HIGH` inputs, solve each on worker processes; P10/P50/P90, tornado, robust mix |
| `ctrl+p` | command palette (all of the above, and quit) |
| `F1` or `?` | this help |
| `ctrl+q` | quit |

Digits switch screens only when no text field has focus (otherwise they are typed).

Every input takes units: `5 MW`, `35 degC`, `25 kN/m**2`, `6e9 USD`. A value in the wrong
dimension is marked in place with what was expected.

Press `escape` to close.
"""


class HelpScreen(ModalScreen[None]):
    """A modal help page."""

    BINDINGS = [("escape", "dismiss", "Close"), ("question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(HELP)
