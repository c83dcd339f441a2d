"""Catalog browser: filterable list of every entry; details with unit, source and confidence."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
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
            with Vertical(id="catalog-detail"):
                yield Static("", id="catalog-title", classes="title")
                yield DataTable(id="catalog-fields", show_cursor=False, zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#catalog-table", DataTable)
        table.add_columns("id", "kind", "name", "status")
        fields = self.query_one("#catalog-fields", DataTable)
        fields.add_columns("field", "value", "unit", "range", "confidence", "source")
        self.refill()

    def _rows(self) -> list[tuple[str, str, str, str]]:
        from models.catalog import KIND_GROUPS

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
            shown = f"[yellow]{status}[/]" if status and status != "shipping" else status
            table.add_row(entry_id, kind, name, shown, key=entry_id)
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
        from planner.cli.catalog_cmd import _field_rows, _origin_label

        catalog = self.app.state.catalog  # type: ignore[attr-defined]
        found = catalog.find(entry_id)
        if not found:
            return
        kind, item = found[0]
        status = getattr(item.entry, "status", "shipping")
        flag = f"  [b yellow]{status.upper()}: figures are projections[/]" if status != "shipping" else ""
        origin = _origin_label(item.origin)
        overrides = f" (overrides {', '.join(_origin_label(p) for p in item.overrides)})" if item.overrides else ""
        self.query_one("#catalog-title", Static).update(
            f"[b]{kind} {entry_id}[/b]: {item.entry.name}{flag}\nfrom {origin}{overrides}"
        )
        fields = self.query_one("#catalog-fields", DataTable)
        fields.clear()
        for row in _field_rows(item.entry.model_dump(mode="json")):
            fields.add_row(*row)
