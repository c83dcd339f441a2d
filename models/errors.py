"""dcplan's own error types: the base every layer's user-facing error derives from.

A layer raises the error it detects (the catalog loader a ``CatalogError``, the scenario
parser a ``ScenarioError``, a model a ``SizingError``...); all of them are
``DcplanError``s, so the CLI and the UI present them in one way: one line of text, or
under ``--json`` one object ``{"error", "file", "entry", "field", "expected", "got"}``.
An exception that is not a ``DcplanError`` reaching the top is a bug (exit 70).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class DcplanError(Exception):
    """A problem with what the user gave dcplan, located as precisely as known.

    ``lines`` are the human-readable messages (one per problem; the first is the headline);
    ``file``, ``entry`` (table/entry, e.g. ``hall 'hall-a'``), ``field`` and ``expected``
    locate the first problem for machine-readable output. ``exit_code`` is the process exit
    code the CLI uses (2, bad input, unless a subclass says otherwise).
    """

    exit_code: int = 2

    def __init__(
        self,
        *lines: str,
        file: str | None = None,
        entry: str | None = None,
        field: str | None = None,
        expected: str | None = None,
        got: str | None = None,
        exit_code: int | None = None,
    ) -> None:
        self.lines = [str(line) for line in lines] or ["error"]
        self.file = file
        self.entry = entry
        self.field = field
        self.expected = expected
        self.got = got
        if exit_code is not None:
            self.exit_code = exit_code
        super().__init__("\n".join(self.lines))

    @classmethod
    def from_validation(cls, exc: Any, entry: str | None = None) -> DcplanError:
        """The first problem of a pydantic ``ValidationError`` as one line ``field: message``
        (just the message when it concerns the whole object), its field located."""
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        text = f"{field}: {first['msg']}" if field else str(first["msg"])
        return cls(text, entry=entry, field=field)

    def as_json(self) -> dict[str, Any]:
        """The machine-readable form: ``error`` is the first message line."""
        return {
            "error": self.lines[0],
            "file": self.file,
            "entry": self.entry,
            "field": self.field,
            "expected": self.expected,
            "got": self.got,
            "messages": self.lines,
        }


class ProblemsError(DcplanError):
    """A DcplanError built from a list of problem lines (loaders that collect every problem
    of a file before raising); the keyword fields locate the first one."""

    def __init__(
        self,
        lines: Sequence[str] | str,
        *,
        file: str | None = None,
        entry: str | None = None,
        field: str | None = None,
        expected: str | None = None,
        got: str | None = None,
    ) -> None:
        lines = [lines] if isinstance(lines, str) else list(lines)
        super().__init__(*lines, file=file, entry=entry, field=field, expected=expected, got=got)


class InputFileError(DcplanError):
    """A file that cannot be read as the text file it should be (not regular, too big, not UTF-8...)."""
