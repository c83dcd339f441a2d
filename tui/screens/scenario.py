"""Scenario editor: every table and field of a scenario, validated as you type; load and save TOML."""

from __future__ import annotations

import copy
import tomllib
import typing
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static, Tree

from tui.widgets.inputs import Field


def _models() -> dict[str, Any]:
    from planner import scenario as s

    return {
        "scenario": s.ScenarioHeader,
        "site": s.SiteLimits,
        "hall": s.Hall,
        "row": s.Row,
        "candidate": s.Candidate,
        "cloud": s.CloudOffer,
        "workload": s.Workload,
        "share": s.ShareBound,
    }


TABLE_LABELS = {
    "site": "sites",
    "hall": "halls",
    "row": "rows / row templates",
    "candidate": "candidate systems",
    "cloud": "cloud offers",
    "workload": "workloads",
    "share": "hybrid share bounds",
}


def _item_label(table: str, item: dict[str, Any], index: int) -> str:
    for key in ("id", "system", "software", "family"):
        if key in item:
            return f"{table}: {item[key]}"
    return f"{table} #{index + 1}"


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list or "list[" in str(annotation)


def text_to_value(annotation: Any, text: str) -> Any:
    """Form text -> TOML value for a field; numbers and lists parsed, the rest kept as text."""
    text = text.strip()
    if _is_list(annotation):
        return [part.strip() for part in text.split(",") if part.strip()]
    shown = str(annotation)
    if annotation is int or shown in ("int", "int | None"):
        try:
            return int(text)
        except ValueError:
            return text
    if annotation is float or shown in ("float", "float | None"):
        try:
            return float(text)
        except ValueError:
            return text
    return text


def value_to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict) and {"value", "unit"} <= set(value):
        return f"{value['value']} {value['unit']}"
    return str(value)


class ScenarioScreen(Screen[None]):
    """Tree of the scenario's tables on the left, the selected item's fields on the right."""

    TITLE = "Scenario"
    BINDINGS = [("ctrl+s", "save", "Save")]

    def __init__(self) -> None:
        super().__init__()
        self.selected: tuple[str, int | None] = ("scenario", None)
        self._building = False

    def compose(self) -> ComposeResult:
        state = self.app.state  # type: ignore[attr-defined]
        yield Header()
        with Horizontal(id="scenario-files"):
            yield Input(str(state.scenario_path or ""), placeholder="scenario.toml", id="scenario-path")
            yield Button("Load", id="scenario-load")
            yield Button("Save", id="scenario-save", variant="primary")
            yield Button("Add item", id="scenario-add")
            yield Button("Delete item", id="scenario-delete", variant="error")
        yield Static("", id="scenario-status")
        with Horizontal():
            yield Tree("scenario", id="scenario-tree")
            with Vertical(id="scenario-right"):
                yield Label("", id="scenario-item", classes="title")
                yield VerticalScroll(id="scenario-form")
        yield Footer()

    def on_mount(self) -> None:
        self.rebuild_tree()
        self.build_form()
        self.validate()
        self.query_one("#scenario-tree", Tree).focus()

    # data ---------------------------------------------------------------------------
    @property
    def data(self) -> dict[str, Any]:
        state = self.app.state  # type: ignore[attr-defined]
        if state.scenario_data is None:
            state.scenario_data = {"scenario": {"id": "new", "name": "New scenario"}, "site": [], "candidate": []}
        return state.scenario_data  # type: ignore[no-any-return]

    def _item(self) -> dict[str, Any]:
        table, index = self.selected
        if index is None:
            return self.data.setdefault(table, {})  # type: ignore[no-any-return]
        return self.data[table][index]  # type: ignore[no-any-return]

    # tree ---------------------------------------------------------------------------
    def rebuild_tree(self) -> None:
        tree = self.query_one("#scenario-tree", Tree)
        tree.clear()
        tree.root.expand()
        tree.root.add_leaf("settings", data=("scenario", None))
        for table in ("site", "hall", "row", "candidate", "cloud", "workload", "share"):
            node = tree.root.add(TABLE_LABELS[table], data=(table, None), expand=True)
            for index, item in enumerate(self.data.get(table, [])):
                node.add_leaf(_item_label(table, item, index), data=(table, index))

    @on(Tree.NodeSelected, "#scenario-tree")
    def _node_selected(self, event: Tree.NodeSelected) -> None:
        if event.node.data is None:
            return
        table, index = event.node.data
        if table != "scenario" and index is None:
            items = self.data.get(table, [])
            if not items:
                self._status(f"no {table} yet: press Add item")
                self.selected = (table, None)
                return
            index = 0
        self.selected = (table, index)
        self.build_form()
        self.validate()

    # form ---------------------------------------------------------------------------
    def build_form(self) -> None:
        table, index = self.selected
        form = self.query_one("#scenario-form", VerticalScroll)
        form.remove_children()
        if table != "scenario" and index is None:
            self.query_one("#scenario-item", Label).update(f"{TABLE_LABELS[table]}: none yet (Add item)")
            return
        model = _models()[table]
        item = self._item()
        self.query_one("#scenario-item", Label).update(f"[b]{_item_label(table, item, index or 0)}[/b]")
        self._building = True
        widgets = []
        for name, info in model.model_fields.items():
            description = f" - {info.description}" if info.description else ""
            widget = Input(
                value_to_text(item.get(name)),
                id=f"f-{name}",
                placeholder="(default)" if not info.is_required() else "required",
            )
            widgets.append(Field(f"{name}{description}", widget, id=f"field-{name}"))
        form.mount_all(widgets)
        self.call_after_refresh(self._done_building)

    def _done_building(self) -> None:
        self._building = False

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if self._building or event.input.id is None or not event.input.id.startswith("f-"):
            return
        name = event.input.id[2:]
        table, _ = self.selected
        model = _models()[table]
        item = self._item()
        if event.value.strip():
            item[name] = text_to_value(model.model_fields[name].annotation, event.value)
        else:
            item.pop(name, None)
        self.validate()

    def validate(self) -> list[tuple[tuple[Any, ...], str]]:
        """Mark the invalid fields of the shown item; summarise the rest."""
        from planner.scenario import scenario_errors

        errors = scenario_errors(self.data)
        table, index = self.selected
        here: dict[str, str] = {}
        elsewhere = []
        for loc, message in errors:
            if table == "scenario" and loc[:1] == ("scenario",) and len(loc) > 1:
                here[str(loc[1])] = message
            elif index is not None and loc[:2] == (table, index) and len(loc) > 2:
                here[str(loc[2])] = message
            else:
                elsewhere.append(f"{'.'.join(str(p) for p in loc) or 'scenario'}: {message}")
        for field in self.query("#scenario-form Field").results(Field):
            name = (field.id or "")[len("field-") :]
            field.show_error(here.get(name))
        if errors:
            more = (
                f"; elsewhere: {elsewhere[0]}" + (f" (+{len(elsewhere) - 1} more)" if len(elsewhere) > 1 else "")
                if elsewhere
                else ""
            )
            self._status(f"[b red]{len(errors)} problem(s)[/]{more}")
        else:
            self._status("[green]scenario is valid[/green]")
        return errors

    def _status(self, text: str) -> None:
        self.query_one("#scenario-status", Static).update(text)

    # buttons ------------------------------------------------------------------------
    @on(Button.Pressed, "#scenario-load")
    def load(self) -> None:
        path = Path(self.query_one("#scenario-path", Input).value.strip())
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self._status(f"[b red]{path}: file does not exist[/]")
            return
        except (OSError, UnicodeDecodeError) as exc:
            self._status(f"[b red]{path}: cannot read: {exc}[/]")
            return
        except tomllib.TOMLDecodeError as exc:
            self._status(f"[b red]{path}: malformed TOML: {exc}[/]")
            return
        state = self.app.state  # type: ignore[attr-defined]
        state.scenario_data = data
        state.scenario_path = path
        self.selected = ("scenario", None)
        self.rebuild_tree()
        self.build_form()
        self.validate()

    @on(Button.Pressed, "#scenario-save")
    def action_save(self) -> None:
        from planner.cli.common import UserError
        from planner.export import write_atomic
        from planner.scenario import scenario_to_toml

        path_text = self.query_one("#scenario-path", Input).value.strip()
        if not path_text:
            self._status("[b red]give a file name to save to[/]")
            return
        if self.validate():
            self._status("[b red]not saved: fix the problems first (the file on disk is unchanged)[/]")
            return
        path = Path(path_text)
        text = scenario_to_toml(self.data)
        try:
            write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), force=True)
        except UserError as exc:
            self._status(f"[b red]{exc}[/]")
            return
        self.app.state.scenario_path = path  # type: ignore[attr-defined]
        self._status(f"[green]saved {path}[/green]")

    @on(Button.Pressed, "#scenario-add")
    def add_item(self) -> None:
        table, index = self.selected
        if table == "scenario":
            self._status("select a table such as [[row]] to add to it")
            return
        items = self.data.setdefault(table, [])
        template = copy.deepcopy(items[index if index is not None else -1]) if items else {}
        if "id" in template:
            ids = {item.get("id") for item in items}
            base, n = f"{template['id']}-copy", 1
            while f"{base}{n if n > 1 else ''}" in ids:
                n += 1
            template["id"] = f"{base}{n if n > 1 else ''}"
        items.append(template)
        self.selected = (table, len(items) - 1)
        self.rebuild_tree()
        self.build_form()
        self.validate()

    @on(Button.Pressed, "#scenario-delete")
    def delete_item(self) -> None:
        table, index = self.selected
        if table == "scenario" or index is None:
            self._status("select an item to delete")
            return
        del self.data[table][index]
        self.selected = ("scenario", None)
        self.rebuild_tree()
        self.build_form()
        self.validate()
