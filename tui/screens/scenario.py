"""Scenario editor: every table and field of a scenario, validated as you type; load and save TOML.

The screen only presents: the file's document (comments and key order) is kept and edited
in place by planner.scenario_file, validation is planner.scenario's, and the plain mapping
the other screens solve is published to the app state after every edit.
"""

from __future__ import annotations

import copy
import functools
import math
import os
import typing
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static, Tree
from textual.worker import Worker, WorkerState

from dcplan.tui.format import markup_escape as escape
from dcplan.tui.screens.dialogs import dismiss_once
from dcplan.tui.widgets.inputs import Field

# Table order and labels of the known tables; a table the scenario schema gains later is
# edited too (``tables()`` reads the schema), under its own name.
TABLES = ("site", "hall", "row", "candidate", "cloud", "workload", "share", "porting", "haircut", "utility_limit")

#: tables edited as one table, not an array ([scenario] shows as "settings"; [roadmap] and
#: [fabric] may be absent: Add item adds them, Delete item removes them)
SINGLE_TABLES = ("scenario", "roadmap", "fabric")

TABLE_LABELS = {
    "roadmap": "roadmap (periods)",
    "fabric": "fabric: racks placed",  # [fabric]: network and storage racks placed in rows
    "site": "sites",
    "hall": "halls",
    "row": "rows / row templates",
    "candidate": "candidate systems",
    "cloud": "cloud offers",
    "workload": "workloads",
    "share": "hybrid share bounds",
    "porting": "porting (workload to software stack)",
    "haircut": "claim haircuts",
    "utility_limit": "utility swing limits",
    "water_loop": "facility water loops (supply class)",
    # roadmap-only tables (issue 14: planner.scenario_roadmap; refused without [roadmap])
    "site_power": "site power steps",
    "period_budget": "period budgets",
    "price": "prices over time",
    "demand": "demand steps",
    "allocation": "allocations",
    "ordered": "ordered equipment",
    "cloud_schedule": "cloud schedules",
    "ai_factory": "AWS AI Factory",
}
LABEL_KEYS = ("id", "system", "software", "family", "claim", "workload", "site", "period")  # names an item in the tree

NO_ROADMAP = (
    "[b]roadmap[/b]: none, the scenario is single-period. Add item adds a [b]\\[roadmap][/b] "
    "(start, period, periods or end, objective, ...) to plan it over periods."
)
NO_FABRIC = (
    "[b]fabric[/b]: none, the plan counts the network and storage racks its fabric needs without "
    "placing them. Add item adds a [b]\\[fabric][/b] (place = true) to place them in rows."
)
LABEL_CHARS = 40  # an id longer than this is cut in the tree and title (a 10,000-character id stays usable)


@functools.cache
def _models() -> dict[str, Any]:
    """The pydantic model of ``[scenario]``, of each optional table (``[roadmap]``) and of
    every array of tables the scenario schema has."""
    from pydantic import BaseModel

    from dcplan.planner import scenario as s

    def is_model(kind: Any) -> bool:
        return isinstance(kind, type) and issubclass(kind, BaseModel)

    models: dict[str, Any] = {"scenario": s.ScenarioHeader}
    for name, info in s.Scenario.model_fields.items():
        args = typing.get_args(info.annotation)
        if typing.get_origin(info.annotation) is list and args and is_model(args[0]):
            models[name] = args[0]
        elif name in SINGLE_TABLES and name not in models:
            models[name] = next(a for a in args if is_model(a))  # e.g. RoadmapHeader | None
    return models


def tables() -> tuple[str, ...]:
    """The arrays of tables the editor shows: the known ones in their order, then any others."""
    present = [t for t in _models() if t not in SINGLE_TABLES]
    return tuple(t for t in TABLES if t in present) + tuple(t for t in present if t not in TABLES)


def table_label(table: str) -> str:
    return TABLE_LABELS.get(table, table)


def form_fields(table: str) -> dict[str, Any]:
    """The fields of a table's form by the key the file uses (a field's alias, e.g. a
    workload's ``class``, else its name), each with its pydantic FieldInfo."""
    return {info.alias or name: info for name, info in _models()[table].model_fields.items()}


def _short(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _item_label(table: str, item: Any, index: int) -> str:
    if isinstance(item, dict):
        for key in LABEL_KEYS:
            if key in item:
                return f"{table}: {_short(str(item[key]))}"
    return f"{table} #{index + 1}"


def _items(data: dict[str, Any], table: str) -> list[dict[str, Any]] | None:
    """The items of an array of tables; None when the file gives that key another shape."""
    items = data.get(table, [])
    if isinstance(items, list) and all(isinstance(item, dict) for item in items):
        return items
    return None


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list or "list[" in str(annotation)


def text_to_value(annotation: Any, text: str) -> Any:
    """Form text -> TOML value for a field; numbers and lists parsed, the rest kept as text.

    Text that does not read as the field's type is kept as text, so the validator names the
    problem under the field (nothing here raises).
    """
    text = text.strip()
    if annotation is bool:
        return BOOLEANS.get(text.lower(), text)
    if _is_list(annotation):
        return [part.strip() for part in text.split(",") if part.strip()]
    shown = str(annotation)
    if annotation is int or shown in ("int", "int | None"):
        try:
            return int(text)
        except ValueError:  # also: more digits than Python converts
            return text
    if annotation is float or shown in ("float", "float | None"):
        try:
            number = float(text)
        except ValueError:
            return text
        return number if math.isfinite(number) else text
    return text


#: what a true/false field's text may say (anything else stays text, named by the validator)
BOOLEANS = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False, "1": True, "0": False}


def value_to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"  # as TOML writes it (and text_to_value reads it)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict) and {"value", "unit"} <= set(value):
        return f"{value['value']} {value['unit']}"
    return str(value)


class FieldInput(Input):
    """An Input that knows which scenario field it edits (its table, item index and name)."""

    def __init__(self, value: str, loc: tuple[Any, ...], **kwargs: Any) -> None:
        super().__init__(value, **kwargs)
        self.loc = loc


class ConfirmModal(ModalScreen[bool]):
    """A yes/no question; Escape or n answers no."""

    DEFAULT_CSS = """
    ConfirmModal { align: center middle; }
    ConfirmModal > Vertical { width: 80; height: auto; border: thick $warning; background: $surface; padding: 1 2; }
    ConfirmModal Horizontal { height: auto; margin-top: 1; }
    ConfirmModal Button { margin-right: 2; }
    """
    BINDINGS = [Binding("escape,n", "answer(False)", "No"), Binding("y", "answer(True)", "Yes")]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="confirm-question", markup=False)
            with Horizontal():
                yield Button(self.yes, id="confirm-yes", variant="warning")
                yield Button(self.no, id="confirm-no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()  # the safe answer is the default

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        dismiss_once(self, event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        dismiss_once(self, answer)


class SaveAsModal(ModalScreen["Path | None"]):
    """Where to save instead of a file shipped inside the package; Escape cancels."""

    DEFAULT_CSS = """
    SaveAsModal { align: center middle; }
    SaveAsModal > Vertical { width: 90; height: auto; border: thick $primary; background: $surface; padding: 1 2; }
    SaveAsModal Horizontal { height: auto; margin-top: 1; }
    SaveAsModal Button { margin-right: 2; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, shipped: Path, proposed: Path) -> None:
        super().__init__()
        self.shipped, self.proposed = shipped, proposed

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                f"{self.shipped} is a file shipped with dcplan (inside the installed package). "
                "Save your scenario as a new file instead:",
                markup=False,
            )
            yield Input(str(self.proposed), id="save-as-path")
            with Horizontal():
                yield Button("Save here", id="save-as-ok", variant="primary")
                yield Button("Cancel", id="save-as-cancel")

    def on_mount(self) -> None:
        self.query_one("#save-as-path", Input).focus()

    @on(Input.Submitted, "#save-as-path")
    @on(Button.Pressed, "#save-as-ok")
    def _ok(self) -> None:
        text = self.query_one("#save-as-path", Input).value.strip()
        dismiss_once(self, Path(text).expanduser() if text else None)

    @on(Button.Pressed, "#save-as-cancel")
    def action_cancel(self) -> None:
        dismiss_once(self, None)


class ScenarioScreen(Screen[None]):
    """Tree of the scenario's tables on the left, the selected item's fields on the right."""

    TITLE = "Scenario"
    BINDINGS = [("ctrl+s", "save", "Save")]

    def __init__(self) -> None:
        super().__init__()
        self.selected: tuple[str, int | None] = ("scenario", None)
        self.document: Any = None  # tomlkit document: what is saved (comments and order kept)
        self._published: dict[str, Any] | None = None  # the mapping last given to the app state
        self._load_generation = 0
        self._form_table: str | None = None  # whose fields the form shows (reused within a table)
        self._validation_queued = False
        self._shown: dict[Any, str | None] = {}  # message on screen per field (and "item", "status")

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
                yield Static("", id="scenario-item-error")
                yield VerticalScroll(id="scenario-form")
        yield Footer()

    async def on_mount(self) -> None:
        tree = self.query_one("#scenario-tree", Tree)
        tree.auto_expand = False  # Enter selects an item; it does not fold its table away
        self.query_one("#scenario-item-error", Static).display = False
        self._adopt_state()
        await self.refresh_all()
        tree.focus()

    async def on_screen_resume(self) -> None:
        # another screen (the palette's Open scenario, say) may have replaced the scenario
        if self._published is not None and self.app.state.scenario_data is not self._published:  # type: ignore[attr-defined]
            self._adopt_state()
            self.selected = ("scenario", None)
            await self.refresh_all()

    # data ---------------------------------------------------------------------------
    def _adopt_state(self) -> None:
        """Edit what the app state holds; pick up the file's layout in the background."""
        from dcplan.planner.scenario_file import new_document

        state = self.app.state  # type: ignore[attr-defined]
        data = state.scenario_data
        if data is None:
            data = {"scenario": {"id": "new", "name": "New scenario"}, "site": [], "candidate": []}
        self.document = new_document(data)
        self._publish()
        if state.scenario_path is not None:
            self._start_load(Path(state.scenario_path), adopt_layout=True)

    def _publish(self) -> None:
        self._published = self.document.unwrap()
        self.app.state.scenario_data = self._published  # type: ignore[attr-defined]

    @property
    def data(self) -> dict[str, Any]:
        if self._published is None:
            self._adopt_state()
        return self._published  # type: ignore[return-value]

    def _item(self) -> dict[str, Any] | None:
        """The selected table or item as a mapping; None if the file gives it another shape."""
        table, index = self.selected
        if index is None:
            value = self.data.get(table, {} if table == "scenario" else None)  # no [roadmap]: nothing to edit
            return value if isinstance(value, dict) else None
        items = _items(self.data, table)
        if items is None or not 0 <= index < len(items):
            return None
        return items[index]

    def _loc(self, name: str) -> tuple[Any, ...]:
        table, index = self.selected
        return (table, name) if index is None else (table, index, name)

    # tree ---------------------------------------------------------------------------
    def rebuild_tree(self) -> None:
        tree = self.query_one("#scenario-tree", Tree)
        tree.clear()
        tree.root.expand()
        tree.root.add_leaf("settings", data=("scenario", None))
        roadmap = "roadmap (periods)" if "roadmap" in self.data else "roadmap: none (single period; Add item adds it)"
        tree.root.add_leaf(roadmap, data=("roadmap", None))
        fabric = table_label("fabric") if "fabric" in self.data else "fabric: none (not placed)"
        tree.root.add_leaf(fabric, data=("fabric", None))
        for table in tables():
            items = _items(self.data, table)
            if items is None:
                label = Text(f"{table_label(table)} (not [[{table}]] tables: fix the file)")
                tree.root.add_leaf(label, data=("malformed", table))
                continue
            node = tree.root.add(table_label(table), data=(table, None), expand=True)
            for index, item in enumerate(items):
                node.add_leaf(Text(_item_label(table, item, index)), data=(table, index))

    def _relabel_selected(self) -> None:
        table, index = self.selected
        if index is None:
            return
        item = self._item()
        for node in self.query_one("#scenario-tree", Tree).root.children:
            for leaf in node.children:
                if leaf.data == (table, index):
                    leaf.set_label(Text(_item_label(table, item, index)))

    @on(Tree.NodeSelected, "#scenario-tree")
    async def _node_selected(self, event: Tree.NodeSelected) -> None:
        if event.node.data is None:
            return  # the root
        table, index = event.node.data
        if table == "malformed":
            self._status(f"[b red]\\[\\[{index}]] in the file is not an array of tables; fix it in the file[/]")
            return
        if table not in SINGLE_TABLES and index is None:
            items = _items(self.data, table) or []
            if not items:
                self.selected = (table, None)
                await self.build_form()
                self.validate()
                self._status(f"no {table} yet: press Add item")
                return
            index = 0
        self.selected = (table, index)
        await self.build_form()
        self.validate()

    # form ---------------------------------------------------------------------------
    async def build_form(self) -> None:
        """Show the selected item's fields.

        Moving between items of one table reuses the form's widgets (only the values change);
        another table's form replaces it, the old widgets removed before the new ones mount.
        """
        table, index = self.selected
        form = self.query_one("#scenario-form", VerticalScroll)
        title = self.query_one("#scenario-item", Label)
        item = self._item() if table in SINGLE_TABLES or index is not None else None
        if item is None:
            self._form_table = None
            await form.remove_children()
            if table == "roadmap" and "roadmap" not in self.data:
                title.update(NO_ROADMAP)
            elif table == "fabric" and "fabric" not in self.data:
                title.update(NO_FABRIC)
            elif table not in SINGLE_TABLES and index is None:
                title.update(f"{table_label(table)}: none yet (Add item)")
            else:
                title.update(f"[b]{escape(_item_label(table, None, index or 0))}[/b]: not a table in the file")
            return
        title.update(
            {
                "roadmap": "[b]roadmap[/b]: the periods (Delete item makes the scenario single-period)",
                "fabric": "[b]fabric[/b]: network and storage racks placed in rows (Delete item: counted only)",
            }.get(table, f"[b]{escape(_item_label(table, item, index or 0))}[/b]")
        )
        if self._form_table == table:
            for widget in form.query(FieldInput).results(FieldInput):
                name = widget.loc[-1]
                widget.loc = self._loc(name)
                widget.value = value_to_text(item.get(name))
            form.scroll_home(animate=False)
            return
        await form.remove_children()
        self._shown = {key: text for key, text in self._shown.items() if isinstance(key, str)}
        widgets = []
        for name, info in form_fields(table).items():
            description = f" - {info.description}" if info.description else ""
            widget = FieldInput(
                value_to_text(item.get(name)),
                loc=self._loc(name),
                id=f"f-{name}",
                placeholder="(default)" if not info.is_required() else "required",
            )
            widgets.append(Field(f"{name}{description}", widget, id=f"field-{name}"))
        await form.mount_all(widgets)
        self._form_table = table

    @on(Input.Changed, "#scenario-form Input")
    def _changed(self, event: Input.Changed) -> None:
        from dcplan.planner.scenario_file import ScenarioFileError, apply_edit

        widget = event.input
        if (
            not isinstance(widget, FieldInput)
            or not widget.is_attached
            or widget.loc != self._loc(widget.loc[-1])
            or event.value != widget.value
        ):
            return  # a field of a form already replaced, or a value already overwritten
        item = self._item()
        if item is None:
            return
        name = widget.loc[-1]
        if value_to_text(item.get(name)) == event.value:
            return  # the form being filled in, not an edit
        table = self.selected[0]
        annotation = form_fields(table)[name].annotation
        value = text_to_value(annotation, event.value) if event.value.strip() else None
        try:
            apply_edit(self.document, widget.loc, value)
        except ScenarioFileError as exc:
            self._field(name, str(exc))
            return
        self._publish()
        if name in LABEL_KEYS:
            self._relabel_selected()
        self._validate_soon()

    def _validate_soon(self) -> None:
        """Validate once after the edits already queued (a paste or many fields set at once)."""
        if not self._validation_queued:
            self._validation_queued = True
            self.call_later(self._queued_validation)

    def _queued_validation(self) -> None:
        self._validation_queued = False
        self.validate()

    def _field(self, name: str, message: str | None) -> None:
        for field in self.query(f"#field-{name}").results(Field):
            field.show_error(message or None)

    def validate(self) -> list[tuple[tuple[Any, ...], str]]:
        """Mark the invalid fields of the shown item; summarise the rest."""
        from dcplan.planner.scenario import scenario_errors

        try:
            errors = scenario_errors(self.data, getattr(self.app.state, "catalog", None))  # type: ignore[attr-defined]
        except Exception as exc:  # a validator bug must not take the editor (and the user's edits) down
            errors = [((), f"internal error while validating (please report): {type(exc).__name__}: {exc}")]
        table, index = self.selected
        here: dict[str, str] = {}
        item_level: list[str] = []
        elsewhere = []
        single = index is None and table in SINGLE_TABLES
        for loc, message in errors:
            if single and loc[:1] == (table,) and len(loc) > 1:
                here.setdefault(str(loc[1]), message)
            elif single and loc == (table,):
                item_level.append(message)  # e.g. [roadmap]: give exactly one of periods or end
            elif index is not None and loc[:2] == (table, index) and len(loc) > 2:
                here.setdefault(str(loc[2]), message)
            elif index is not None and loc == (table, index):
                item_level.append(message)
            else:
                elsewhere.append(f"{'.'.join(str(p) for p in loc) or 'scenario'}: {message}")
        shown = {(field.id or "")[len("field-") :] for field in self.query("#scenario-form Field").results(Field)}
        # a key the form has no field for (a misspelt one in the file) is named above the form
        item_level += [f"{name}: {message}" for name, message in here.items() if name not in shown]
        for field in self.query("#scenario-form Field").results(Field):
            name = (field.id or "")[len("field-") :]
            message = here.get(name)
            if self._shown.get(field) != message:  # only what changed: a restyle costs a layout
                self._shown[field] = message
                field.show_error(message or None)
        item_message = "; ".join(item_level)
        if self._shown.get("item") != item_message:
            self._shown["item"] = item_message
            item_error = self.query_one("#scenario-item-error", Static)
            item_error.update(f"[b red]{escape(item_message)}[/]")
            item_error.display = bool(item_level)
        if errors:
            more = (
                f"; elsewhere: {elsewhere[0]}" + (f" (+{len(elsewhere) - 1} more)" if len(elsewhere) > 1 else "")
                if elsewhere
                else ""
            )
            self._status(f"[b red]{len(errors)} problem(s)[/]{escape(_short_line(more))}")
        else:
            self._status("[green]scenario is valid[/green]")
        return errors

    def _status(self, text: str) -> None:
        if self._shown.get("status") != text:
            self._shown["status"] = text
            self.query_one("#scenario-status", Static).update(text)

    async def refresh_all(self) -> None:
        self.rebuild_tree()
        await self.build_form()
        self.validate()

    # loading ------------------------------------------------------------------------
    @on(Button.Pressed, "#scenario-load")
    @on(Input.Submitted, "#scenario-path")
    def load(self) -> None:
        text = self.query_one("#scenario-path", Input).value.strip()
        if not text:
            self._status("[b red]give the scenario file to load[/]")
            return
        path = Path(text).expanduser()
        self._status(f"loading {escape(str(path))} ...")
        self._start_load(path, adopt_layout=False)

    def _start_load(self, path: Path, adopt_layout: bool) -> None:
        """Read and parse in a thread (a slow or odd path never freezes the UI)."""
        from dcplan.planner.scenario_file import load_document

        self._load_generation += 1
        generation = self._load_generation
        self.run_worker(
            lambda: load_document(path),
            name=f"load:{generation}:{int(adopt_layout)}:{path}",
            group="scenario-load",
            exclusive=True,
            thread=True,
            exit_on_error=False,
        )

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "scenario-load" or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        _, generation, adopt, path_text = worker.name.split(":", 3)
        if int(generation) != self._load_generation:
            return  # a newer load was asked for
        path = Path(path_text)
        if event.state == WorkerState.ERROR:
            if adopt == "1":
                return  # the scenario stays editable; only its file layout could not be read
            self._status(f"[b red]not loaded: {escape(_short_line(str(worker.error)))}[/]")
            return
        document, _ = worker.result
        if adopt == "1":
            self._adopt_layout(document)
            return
        state = self.app.state  # type: ignore[attr-defined]
        self.document = document
        self._publish()
        state.scenario_path = path
        self.selected = ("scenario", None)
        await self.refresh_all()
        if not self.validate():
            self._status(f"[green]loaded {escape(str(path))}[/green]")

    def _adopt_layout(self, document: Any) -> None:
        """Keep the file's comments and order: bring its document to what is being edited."""
        from dcplan.planner.scenario_file import same_data, sync

        sync(document, self.document.unwrap())
        if same_data(document.unwrap(), self.document.unwrap()):
            self.document = document
            self._publish()

    # saving -------------------------------------------------------------------------
    @on(Button.Pressed, "#scenario-save")
    def action_save(self) -> None:
        from dcplan.planner.scenario_file import ScenarioFileError, dumps, is_package_data, proposed_save_path

        path_text = self.query_one("#scenario-path", Input).value.strip()
        if not path_text:
            self._status("[b red]give a file name to save to[/]")
            return
        if self.validate():
            self._status("[b red]not saved: fix the problems first (the file on disk is unchanged)[/]")
            return
        try:
            text = dumps(self.document)
        except ScenarioFileError as exc:
            self._status(f"[b red]not saved: {escape(_short_line(str(exc)))}[/]")
            return
        path = Path(path_text).expanduser()
        if is_package_data(path):
            self.app.push_screen(
                SaveAsModal(path, proposed_save_path(path)), callback=lambda chosen: self._save_as(chosen, text)
            )
            return
        self._save_to(path, text)

    def _save_as(self, chosen: Path | None, text: str) -> None:
        from dcplan.planner.scenario_file import is_package_data

        if chosen is None:
            self._status("not saved (cancelled); the shipped file is unchanged")
            return
        if is_package_data(chosen):
            question = (
                f"{chosen} is inside the installed dcplan package: changing it changes the shipped "
                "catalogs or demo for everyone using this install, and an upgrade replaces it. Save there anyway?"
            )
            self.app.push_screen(
                ConfirmModal(question, yes="Save into the package", no="Cancel"),
                callback=lambda yes: self._write(chosen, text, overwrite=True) if yes else self._not_saved(chosen),
            )
            return
        self._save_to(chosen, text)

    def _save_to(self, path: Path, text: str) -> None:
        if os.path.lexists(path):
            self._ask_overwrite(path, text)
            return
        self._write(path, text, overwrite=False)

    def _ask_overwrite(self, path: Path, text: str) -> None:
        self.app.push_screen(
            ConfirmModal(f"{path} exists. Overwrite it?", yes="Overwrite", no="Cancel"),
            callback=lambda yes: self._write(path, text, overwrite=True) if yes else self._not_saved(path),
        )

    def _not_saved(self, path: Path) -> None:
        self._status(f"not saved; {escape(str(path))} is unchanged")

    def _write(self, path: Path, text: str, overwrite: bool) -> None:
        from dcplan.models.errors import DcplanError
        from dcplan.planner.scenario_file import TargetExistsError, save_atomic

        try:
            save_atomic(path, text, overwrite=overwrite)
        except TargetExistsError:
            self._ask_overwrite(path, text)  # it appeared since we looked
            return
        except DcplanError as exc:
            self._status(f"[b red]not saved: {escape(_short_line(str(exc)))}[/]")
            return
        self.app.state.scenario_path = path  # type: ignore[attr-defined]
        self.query_one("#scenario-path", Input).value = str(path)
        self._status(f"[green]saved {escape(str(path))}[/green]")

    # items --------------------------------------------------------------------------
    @on(Button.Pressed, "#scenario-add")
    async def add_item(self) -> None:
        from dcplan.planner.scenario_file import ScenarioFileError, add_item

        table, index = self.selected
        if table == "scenario":
            self._status("select a table such as [[row]] to add to it")
            return
        if table == "roadmap":
            self._ask_add_roadmap()
            return
        if table == "fabric":
            await self._change_fabric(add=True)
            return
        items = _items(self.data, table)
        if items is None:
            self._status(f"[b red]\\[\\[{table}]] is not an array of tables in the file; fix it there[/]")
            return
        template = copy.deepcopy(items[index if index is not None else -1]) if items else {}
        if "id" in template:
            ids = {str(item.get("id")) for item in items}
            base, n = f"{template['id']}-copy", 1
            while f"{base}{n if n > 1 else ''}" in ids:
                n += 1
            template["id"] = f"{base}{n if n > 1 else ''}"
        try:
            new_index = add_item(self.document, table, template)
        except ScenarioFileError as exc:
            self._status(f"[b red]{escape(str(exc))}[/]")
            return
        self._publish()
        self.selected = (table, new_index)
        await self.refresh_all()

    @on(Button.Pressed, "#scenario-delete")
    async def delete_item(self) -> None:
        from dcplan.planner.scenario_file import ScenarioFileError, remove_item

        table, index = self.selected
        if table == "roadmap":
            self._ask_remove_roadmap()
            return
        if table == "fabric":
            await self._change_fabric(add=False)
            return
        if table == "scenario" or index is None:
            self._status("select an item to delete")
            return
        try:
            remove_item(self.document, table, index)
        except ScenarioFileError as exc:
            self._status(f"[b red]{escape(str(exc))}[/]")
            return
        self._publish()
        left = len(_items(self.data, table) or [])
        self.selected = (table, min(index, left - 1)) if left else (table, None)
        await self.refresh_all()

    async def _change_fabric(self, add: bool) -> None:
        """Add ``[fabric]`` (place = true) or remove it from the document; other keys untouched."""
        from dcplan.planner.scenario_file import ScenarioFileError, apply_edit

        present = "fabric" in self.data
        if add == present:
            self._status(
                "the scenario has a \\[fabric]: edit its fields, or Delete item to remove it"
                if present
                else "no \\[fabric] to delete: network and storage racks are counted, not placed"
            )
            return
        try:
            if add:
                apply_edit(self.document, ("fabric", "place"), True)
            else:
                del self.document["fabric"]
        except (ScenarioFileError, KeyError, TypeError) as exc:
            self._status(f"[b red]{escape(str(exc))}[/]")
            return
        self._publish()
        self.selected = ("fabric", None)
        await self.refresh_all()
        self.app.notify(
            "added a [fabric]: network and storage racks are placed in rows"
            if add
            else "removed the [fabric]: network and storage racks are counted, not placed",
            markup=False,
        )

    # [roadmap] ----------------------------------------------------------------------
    def _ask_add_roadmap(self) -> None:
        """Add a [roadmap] (tui/screens/scenario_roadmap.py); first ask when that removes
        [scenario] fields the roadmap replaces."""
        from dcplan.tui.screens.scenario_roadmap import replaced_fields

        if "roadmap" in self.data:
            self._status("the scenario has a \\[roadmap]: edit its fields, or Delete item to remove it")
            return
        replaced = replaced_fields(self.data)
        if not replaced:
            self._change_roadmap(True)
            return
        question = (
            f"Add a [roadmap]? These are removed: {', '.join(replaced)} (the [scenario] fields the roadmap's "
            "objective and periods replace; [fabric] and [[utility_limit]] stay, applied per period)."
        )
        self.app.push_screen(
            ConfirmModal(question, yes="Add roadmap", no="Cancel"),
            callback=lambda yes: self._change_roadmap(True) if yes else self._status("no \\[roadmap] added"),
        )

    def _ask_remove_roadmap(self) -> None:
        from dcplan.tui.screens.scenario_roadmap import roadmap_parts

        if "roadmap" not in self.data:
            self._status("no \\[roadmap] to delete: the scenario is single-period")
            return
        question = (
            "Remove the [roadmap] and make this a single-period scenario? Every roadmap-only table and field "
            f"goes with it: {', '.join(roadmap_parts(self.data))}."
        )
        self.app.push_screen(
            ConfirmModal(question, yes="Remove", no="Cancel"),
            callback=lambda yes: self._change_roadmap(False) if yes else self._status("\\[roadmap] kept"),
        )

    def _change_roadmap(self, add: bool) -> None:
        """Add or remove [roadmap] in the document (only the keys that change: comments kept)."""
        from datetime import date

        from dcplan.planner.scenario_file import sync
        from dcplan.tui.screens.scenario_roadmap import with_roadmap, without_roadmap

        sync(self.document, with_roadmap(self.data, date.today()) if add else without_roadmap(self.data))
        self._publish()
        self.selected = ("roadmap", None)
        self.call_later(self.refresh_all)
        self.app.notify(
            "added a [roadmap]: check its start and periods" if add else "removed the [roadmap]", markup=False
        )


def _short_line(text: str, limit: int = 300) -> str:
    """One line of at most ``limit`` characters, cut in the middle (a 10,000-character path keeps its reason)."""
    text = " ".join(text.split())
    half = (limit - 1) // 2
    return text if len(text) <= limit else text[:half] + "…" + text[-half:]
