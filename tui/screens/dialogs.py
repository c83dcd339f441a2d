"""Small modal dialogs: a yes/no question and a file prompt that loads off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


def dismiss_once(screen: Any, result: Any) -> None:
    """Dismiss ``screen`` with ``result`` unless it already answered or is no longer on top.

    A click on Yes queued behind an Escape (or a second click) reached ``dismiss`` after the
    modal had closed: Textual then ran the callback again with the other answer and popped
    the screen below, the last one of its mode (ScreenStackError, the UI monkey found it)."""
    if getattr(screen, "_answered", False) or screen.app.screen is not screen:
        return
    screen._answered = True
    screen.dismiss(result)


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with True for Yes, False for No or escape."""

    BINDINGS = [("y", "answer(True)", "Yes"), ("n", "answer(False)", "No"), ("escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.question), id="confirm-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes", variant="warning", id="confirm-yes")
                yield Button("No", variant="primary", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()  # the safe answer is the default

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        dismiss_once(self, True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        dismiss_once(self, False)

    def action_answer(self, answer: bool) -> None:
        dismiss_once(self, answer)


class OpenFileScreen(ModalScreen[Any]):
    """Ask for a path and load it with ``load`` in a thread; errors show in place, success dismisses with the value.

    Loading off the UI thread keeps the app answering whatever the path names (a FIFO, a slow disk).
    """

    BINDINGS = [("escape", "cancel", "Cancel")]

    def __init__(self, title: str, load: Callable[[Path], Any], default: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.load = load
        self.default = default
        self._loading = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.title_text), classes="title")
            yield Input(self.default, placeholder="path to a file", id="open-path")
            yield Static("", id="open-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Open", variant="primary", id="open-go")
                yield Button("Cancel", id="open-cancel")

    def on_mount(self) -> None:
        self.query_one("#open-path", Input).focus()

    @on(Input.Submitted, "#open-path")
    @on(Button.Pressed, "#open-go")
    def _open(self) -> None:
        text = self.query_one("#open-path", Input).value.strip()
        if not text:
            self._error("give a file path")
            return
        if self._loading:
            return
        self._loading = True
        self._error("loading ...")
        self._load(Path(text).expanduser())

    @work(thread=True, exclusive=True, group="open-file")
    def _load(self, path: Path) -> None:
        try:
            value = self.load(path)
        except Exception as exc:  # a bad file is the user's mistake: shown here, the app keeps running
            lines = getattr(exc, "lines", None)
            message = lines[0] if lines else (str(exc).strip() or type(exc).__name__)
            self.app.call_from_thread(self._failed, message)
            return
        self.app.call_from_thread(self._loaded, value)

    def _failed(self, message: str) -> None:
        self._loading = False
        self._error(message)

    def _loaded(self, value: Any) -> None:
        self._loading = False
        dismiss_once(self, value)  # closed meanwhile (escape, another screen): the result is dropped

    def _error(self, message: str) -> None:
        self.query_one("#open-error", Static).update(Content(message))

    @on(Button.Pressed, "#open-cancel")
    def action_cancel(self) -> None:
        dismiss_once(self, None)
