"""Catalog browser: filterable list of every entry; details with unit, source and confidence."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

KIND_CHOICES = [
    ("all kinds", "all"),
    ("systems", "systems"),
    ("cooling", "cooling"),
    ("power", "power"),
    ("sites", "sites"),
]


class CatalogScreen(Screen[None]):
    """Systems, cooling, power-chain and sites; projected hardware flagged."""

    TITLE = "Catalog"

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="catalog-list"):
                with Horizontal(id="catalog-filters"):
                    yield Select(KIND_CHOICES, value="systems", allow_blank=False, id="catalog-kind")
                    yield Input(placeholder="filter: id or name", id="catalog-filter")
                yield DataTable(id="catalog-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="catalog-detail"):
                yield Static("", id="catalog-title", classes="title")
                yield Static("", id="catalog-fields")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#catalog-table", DataTable)
        table.add_columns("id", "kind", "name", "status")
        self.refill()

    def _rows(self) -> list[tuple[str, str, str, str]]:
        from dcplan.models.catalog import KIND_GROUPS

        catalog = self.app.state.catalog  # type: ignore[attr-defined]
        kind = str(self.query_one("#catalog-kind", Select).value)
        text = self.query_one("#catalog-filter", Input).value.strip().lower()
        kinds = [k for group in KIND_GROUPS.values() for k in group] if kind == "all" else list(KIND_GROUPS[kind])
        rows = []
        for k in kinds:
            for entry_id in sorted(catalog.items[k]):
                entry = catalog.items[k][entry_id].entry
                if text and text not in entry_id.lower() and text not in entry.name.lower():
                    continue
                status = getattr(entry, "status", "")
                rows.append((entry_id, k, entry.name, status))
        return rows

    def refill(self) -> None:
        table = self.query_one("#catalog-table", DataTable)
        table.clear()
        for entry_id, kind, name, status in self._rows():
            shown = Text(status, style="yellow" if status and status != "shipping" else "")
            table.add_row(Text(entry_id), kind, Text(name), shown, key=entry_id)  # Text: ids are never markup
        if table.row_count:
            self.show_entry(str(table.get_row_at(0)[0]))

    @on(Select.Changed, "#catalog-kind")
    @on(Input.Changed, "#catalog-filter")
    def _filter(self, event: Any) -> None:
        self.refill()

    @on(DataTable.RowHighlighted, "#catalog-table")
    def _highlight(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self.show_entry(event.row_key.value)

    def show_entry(self, entry_id: str) -> None:
        from dcplan.planner.cli.catalog_cmd import _origin_label

        catalog = self.app.state.catalog  # type: ignore[attr-defined]
        found = catalog.find(entry_id)
        if not found:
            return
        kind, item = found[0]
        status = getattr(item.entry, "status", "shipping")
        origin = _origin_label(item.origin)
        overrides = f" (overrides {', '.join(_origin_label(p) for p in item.overrides)})" if item.overrides else ""
        title = Text.assemble((f"{kind} {entry_id}", "bold"), f": {item.entry.name}")
        if status != "shipping":
            title.append(f"  {status.upper()}: figures are projections", style="bold yellow")
        title.append(f"\nfrom {origin}{overrides}")
        self.query_one("#catalog-title", Static).update(title)
        self.query_one("#catalog-fields", Static).update(fields_table(item.entry.model_dump(mode="json")))


CONFIDENCE_STYLE = {"assumption": "yellow", "derived": "cyan", "third-party": "magenta", "vendor": "green"}


def number_text(value: Any) -> str:
    """A catalog number as a reader wants it: 0.7000000000000001 -> 0.7, 12000 -> 12,000."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, list):
        return ", ".join(number_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k} {number_text(v)}" for k, v in value.items() if v is not None)
    return str(value)


def field_detail(name: str, value: Any) -> RenderableType | None:
    """``name  value unit   range low–high unit   confidence`` then source and note indented; None if unset."""
    if value is None:
        return None
    head = Text()
    head.append(name, style="bold")
    head.append("  ")
    if not (isinstance(value, dict) and "source" in value and ("value" in value or "load" in value)):
        head.append(number_text(value))
        return head
    unit = f" {value['unit']}" if value.get("unit") else ""
    if "load" in value:  # an efficiency curve
        shown = ", ".join(
            f"{number_text(load * 100)} %: {number_text(eff)}"
            for load, eff in zip(value["load"], value.get("efficiency", []), strict=False)
        )
        head.append(f"efficiency at load {shown}")
    else:
        head.append(f"{number_text(value['value'])}{unit}", style="bold")
    low, high = value.get("low"), value.get("high")
    if low is not None and high is not None:
        head.append(f"   range {number_text(low)}–{number_text(high)}{unit}")
    elif low is not None:  # a one-sided range: say which side is known
        head.append(f"   at least {number_text(low)}{unit}")
    elif high is not None:
        head.append(f"   at most {number_text(high)}{unit}")
    confidence = value.get("confidence")
    if confidence:
        head.append(f"   {confidence}", style=CONFIDENCE_STYLE.get(confidence, ""))
    more = Text(f"source: {value['source']}", style="dim", overflow="fold")
    if value.get("note"):
        more.append(f"\nnote: {value['note']}", style="italic")
    return Group(head, Padding(more, (0, 0, 0, 4)))


def fields_table(data: dict[str, Any]) -> Group:
    """Every set field of a dumped catalog entry, wrapped to the pane's width (no sideways scrolling)."""
    return Group(*(shown for name, value in data.items() if (shown := field_detail(name, value)) is not None))
