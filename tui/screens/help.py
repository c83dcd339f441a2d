"""Help: what each screen does and the keys, generated from the app's own bindings."""

from __future__ import annotations

import re
from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

SCREEN_HELP = {
    "catalog": "**Catalog**: every system, cooling, power-chain part and site, with unit, range, confidence and source",
    "sizer": "**Sizer**: size N units (or `40 racks`, or `5 MW`) of a system on a cooling architecture at a site",
    "scenario": "**Scenario**: edit halls, rows, limits, budget, candidates, workloads and shares, and the "
    "`[roadmap]` (start, period, periods or end, objective, ...: *roadmap* in the tree, Add item / Delete item "
    "add or remove it); load and save TOML",
    "optimise": "**Optimise**: solve the scenario (off the UI thread) with live incumbent, bound and gap; cancel. "
    "A `[roadmap]` scenario solves every period at once: then F9",
    "plan": "**Plan**: floor plan, utilisation of every limit, mix and costs, binding limits, diagnosis "
    "(of a roadmap: the period selected on the Timeline)",
    "export": "**Export**: write the plan as JSON, CSV, XLSX, Markdown, HTML or SVG; a roadmap plan whole "
    "(every period and the timeline; SVG: the selected period's floor plan); asks before overwriting",
    "sweep": "**Sweep**: sample catalog ranges and `FIELD=LOW:HIGH` inputs, solve each on worker processes; "
    "P10/P50/P90, tornado, robust mix",
    "timeline": "**Timeline**: a roadmap plan by period: Gantt-like timeline (units by generation, MW energised vs "
    "used, money, orders), the floor plan of each period; `[` `]` previous / next period, `{` `}` first / last, "
    "`p` the period on the Plan screen",
}

_SWITCH = re.compile(r"^switch_mode\('(\w+)'\)$")


def key_label(key: str) -> str:
    """How Help writes a binding's key: f2 -> F2, question_mark -> ?."""
    if re.fullmatch(r"f\d+", key):
        return key.upper()
    return {"question_mark": "?"}.get(key, key)


def keys_by_action(bindings: Iterable[Binding | tuple[str, ...]]) -> dict[str, list[str]]:
    """Action -> the keys bound to it, in binding order ("switch_mode('plan')" -> ["f6", "6"])."""
    keys: dict[str, list[str]] = {}
    for binding in bindings:
        key, action = (binding.key, binding.action) if isinstance(binding, Binding) else binding[:2]
        for one in key.split(","):
            keys.setdefault(action, []).append(one.strip())
    return keys


def help_markdown(bindings: Iterable[Binding | tuple[str, ...]], screen_modes: Iterable[str]) -> str:
    """The help page; every key in its table comes from ``bindings``, so Help cannot drift from them."""
    keys = keys_by_action(bindings)

    def shown(action: str) -> str:
        return " or ".join(f"`{key_label(k)}`" for k in keys.get(action, [])) or "palette only"

    rows = [f"| {shown(f'switch_mode({mode!r})')} | {SCREEN_HELP.get(mode, f'**{mode}**')} |" for mode in screen_modes]
    return "\n".join(
        [
            "# dcplan",
            "",
            "| key | screen |",
            "|---|---|",
            *rows,
            "| `ctrl+p` | command palette: every screen, Solve, Export, Open scenario, Open plan, help and quit |",
            f"| {shown('help')} | this help |",
            f"| {shown('quit')} | quit |",
            "",
            "Digits switch screens only when no text field has focus (otherwise they are typed).",
            "",
            "The demo (`dcplan tui`) is the 2026-2030 roadmap of the AWS campus: F5 then Solve, F9 for the",
            "timeline and the floor plan of each period, F6 for one period in full, F7 to export it all.",
            "",
            "Every input takes units: `5 MW`, `35 degC`, `25 kN/m**2`, `6e9 USD`. A value in the wrong",
            "dimension is marked in place with what was expected.",
            "",
            "Press `escape` to close.",
            "",
        ]
    )


class HelpScreen(ModalScreen[None]):
    """A modal help page."""

    BINDINGS = [("escape", "dismiss", "Close"), ("question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        modes = list(self.app.MODES)
        self.markdown = help_markdown(type(self.app).BINDINGS, modes)
        with VerticalScroll(id="help"):
            yield Markdown(self.markdown)
