"""Inputs that accept quantities with units and show their error in place."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label


def unreadable(text: str, exc: BaseException, example: str | None = None) -> str:
    """The inline message for text a parser rejected with an unexpected exception type (shown, never raised)."""
    detail = str(exc).strip() or type(exc).__name__
    such_as = f" such as '{example}'" if example else ""
    return f"expected a number and a unit{such_as}, got {text.strip()!r} ({detail})"


class QuantityValidator(Validator):
    """Valid when the text reads as a quantity of the spec's dimension (models.units)."""

    def __init__(self, spec: Any, optional: bool = False) -> None:
        super().__init__()
        self.spec = spec
        self.optional = optional

    def validate(self, value: str) -> ValidationResult:
        from dcplan.models.units import UnitInputError

        if not value.strip():
            return self.success() if self.optional else self.failure("a value with a unit is needed")
        try:
            self.spec.convert(value)
        except UnitInputError as exc:
            return self.failure(str(exc))
        except Exception as exc:  # whatever the parser raises, the field shows it; the app never dies
            return self.failure(unreadable(value, exc, getattr(self.spec, "example", None)))
        return self.success()


class RatioValidator(Validator):
    """A plain number within [low, high]."""

    def __init__(self, low: float = 0.0, high: float = 1.0) -> None:
        super().__init__()
        self.low, self.high = low, high

    def validate(self, value: str) -> ValidationResult:
        try:
            number = float(value)
        except (ValueError, OverflowError):
            return self.failure(f"expected a number within [{self.low:g}, {self.high:g}]")
        if not self.low <= number <= self.high:
            return self.failure(f"expected a number within [{self.low:g}, {self.high:g}], got {number:g}")
        return self.success()


class Field(Vertical):
    """A labelled Input with its validation message shown underneath."""

    DEFAULT_CSS = """
    Field { height: auto; }
    Field > Label.field-label { color: $text-muted; }
    Field > Label.field-error { color: $error; height: auto; display: none; }
    Field.-invalid > Label.field-error { display: block; }
    """

    def __init__(self, label: str, input_widget: Input, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label_text = label
        self.input = input_widget
        self._pending: str | None = None

    def compose(self) -> ComposeResult:
        yield Label(self.label_text, classes="field-label")
        yield self.input
        yield Label("", classes="field-error")

    def on_mount(self) -> None:
        self.show_error(self._pending)

    def show_error(self, message: str | None) -> None:
        """Show (or clear) the message under the input; kept until mounted if need be."""
        self._pending = message
        self.set_class(bool(message), "-invalid")
        errors = self.query(".field-error").results(Label)
        for error in errors:
            error.update(Content(message or ""))  # plain text: typed brackets are not markup
