"""Rack sizer: pick system, cooling, site and a target; results recompute as you type."""

from __future__ import annotations

import re
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static

from dcplan.tui.widgets.inputs import Field, QuantityValidator, RatioValidator, unreadable

REDUNDANCIES = ("N", "N+1", "2N", "2(N+1)", "DR")
_RACKS = re.compile(r"^\s*(\d+)\s*racks?\s*$")
_COUNT = re.compile(r"^\s*(\d+)\s*(units?)?\s*$")


# The sizer recomputes on every keystroke, so it lays out at most this many racks (~0.15 s);
# a bigger campus is the optimiser's job (dcplan solve), not a keystroke's.
MAX_SIZER_RACKS = 100_000


def parse_target(text: str) -> dict[str, Any]:
    """'50' -> 50 units; '40 racks' -> 40 racks; '5 MW' -> fill 5 MW. Raises ValueError."""
    from dcplan.models.units import UnitInputError, _spec_for_power

    hint = "expected units (50), racks (40 racks) or a power (5 MW)"
    match = _COUNT.match(text)
    if match:
        count = _whole(match.group(1), hint)
        if count <= 0:
            raise ValueError("expected a positive number of units")
        return {"count": count}
    match = _RACKS.match(text)
    if match:
        racks = _whole(match.group(1), hint)
        if racks <= 0:
            raise ValueError("expected a positive number of racks")
        return {"racks": racks}
    try:
        return {"it_power": _spec_for_power().convert(text)}
    except UnitInputError as exc:
        raise ValueError(f"{hint}: {exc}") from None
    except Exception as exc:  # any parser failure is the user's text, shown in place
        raise ValueError(unreadable(text, exc, "5 MW")) from None


def _whole(digits: str, hint: str) -> int:
    if len(digits) > 12:  # int() of thousands of digits is slow, and no campus has 10**12 units
        raise ValueError(f"{hint}; {len(digits)} digits is too many")
    return int(digits)


def _message(exc: BaseException) -> str:
    """One line for an exception met while sizing: dcplan's own text, else its type and text."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        context = first.get("ctx") or {}
        bounds = {"le": "at most", "lt": "less than", "ge": "at least", "gt": "more than"}
        said = next((f"expected {words} {context[key]:,}" for key, words in bounds.items() if key in context), None)
        if said is not None and isinstance(first.get("input"), int | float):
            said += f", got {first['input']:,}"
        text = said or str(first["msg"])
        return f"{where}: {text}" if where else text
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, ValueError) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class SizerScreen(Screen[None]):
    """Size N units of a system; broken limits shown in place with their margin."""

    TITLE = "Rack sizer"

    def __init__(self) -> None:
        super().__init__()
        self._ready = False
        self._last_state: str | None = None

    def compose(self) -> ComposeResult:
        from dcplan.models import units as u

        state = self.app.state  # type: ignore[attr-defined]
        catalog = state.catalog
        systems = sorted(catalog.items["system"])
        sites = sorted(catalog.items["site"])
        first = "trn3-ultraserver-gen2" if "trn3-ultraserver-gen2" in systems else systems[0]
        yield Header()
        with Horizontal():
            with VerticalScroll(id="sizer-form", classes="form"):
                yield Label("System", classes="field-label")
                yield Select([(s, s) for s in systems], value=first, allow_blank=False, id="system")
                yield Label("Cooling", classes="field-label")
                yield Select(
                    self._cooling_options(first),
                    value=catalog.system(first).cooling[0],
                    allow_blank=False,
                    id="cooling",
                )
                yield Label("Site", classes="field-label")
                yield Select(
                    [(s, s) for s in sites],
                    value="ashburn-va" if "ashburn-va" in sites else sites[0],
                    allow_blank=False,
                    id="site",
                )
                yield Field("Target: 50 | 40 racks | 5 MW", Input("50", id="target"), id="target-field")
                yield Field(
                    "Utilisation 0..1 (energy)",
                    Input("1.0", id="utilisation", validators=[RatioValidator()]),
                    id="utilisation-field",
                )
                yield Label("Redundancy", classes="field-label")
                yield Select([(r, r) for r in REDUNDANCIES], value="2N", allow_blank=False, id="redundancy")
                yield Field(
                    "Water supply (optional: 35 degC)",
                    Input(
                        "", id="supply", validators=[QuantityValidator(u.Temperature.__metadata__[0], optional=True)]
                    ),
                    id="supply-field",
                )
                yield Field(
                    "Slab rating (optional: 25 kN/m**2)",
                    Input("", id="slab", validators=[QuantityValidator(u.FloorLoad.__metadata__[0], optional=True)]),
                    id="slab-field",
                )
            with VerticalScroll(id="sizer-results"):
                yield Static("", id="sizer-title", classes="title")
                # above the figures: a broken limit stays on screen however many figures follow
                yield Static("", id="sizer-limits")
                yield DataTable(id="sizer-figures", show_cursor=False, zebra_stripes=True)
                yield DataTable(id="sizer-equipment", show_cursor=False, zebra_stripes=True)
        yield Footer()

    def _cooling_options(self, system_id: str) -> list[tuple[str, str]]:
        system = self.app.state.catalog.system(system_id)  # type: ignore[attr-defined]
        return [(c, c) for c in system.cooling]

    def on_mount(self) -> None:
        figures = self.query_one("#sizer-figures", DataTable)
        figures.add_columns("figure", "value")
        equipment = self.query_one("#sizer-equipment", DataTable)
        equipment.add_columns("equipment", "count", "each", "installed", "used", "use")
        self._ready = True
        self.recompute()

    @on(Select.Changed, "#system")
    def _system_changed(self, event: Select.Changed) -> None:
        cooling = self.query_one("#cooling", Select)
        options = self._cooling_options(str(event.value))
        cooling.set_options(options)
        cooling.value = options[0][1]
        self.recompute()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "system":
            self.recompute()

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        self.recompute()

    def _field_error(self, field_id: str, message: str | None) -> None:
        self.query_one(f"#{field_id}", Field).show_error(message)

    def recompute(self) -> None:
        """Read the form, size, and show results or the first error in place; never raises."""
        if not self._ready:
            return
        try:
            self._recompute()
        except Exception as exc:  # bad input of any kind is shown, the app keeps running
            self._show_failure(_message(exc))

    def _show_failure(self, message: str) -> None:
        self.query_one("#sizer-title", Static).update(Content.from_markup("[b red]$message[/]", message=message))
        self.query_one("#sizer-figures", DataTable).clear()
        self.query_one("#sizer-equipment", DataTable).clear()
        limits = self.query_one("#sizer-limits", Static)
        limits.update("")
        limits.set_class(False, "-broken")
        self._last_state = None

    def _recompute(self) -> None:
        from pydantic import ValidationError

        from dcplan.models.sizing import SizingOptions, SizingRequest, size, unit_coefficients, units_for_target

        catalog = self.app.state.catalog  # type: ignore[attr-defined]
        errors = False
        try:
            target = parse_target(self.query_one("#target", Input).value)
            self._field_error("target-field", None)
        except ValueError as exc:
            self._field_error("target-field", str(exc))
            target, errors = {}, True
        options: dict[str, Any] = {"redundancy": str(self.query_one("#redundancy", Select).value)}
        for field_id, input_id, key, parser in (
            ("utilisation-field", "utilisation", "utilisation", float),
            ("supply-field", "supply", "liquid_supply_temp", None),
            ("slab-field", "slab", "slab_rating", None),
        ):
            widget = self.query_one(f"#{input_id}", Input)
            result = widget.validate(widget.value)
            if result is not None and not result.is_valid:
                self._field_error(field_id, "; ".join(result.failure_descriptions))
                errors = True
                continue
            self._field_error(field_id, None)
            if widget.value.strip():
                options[key] = parser(widget.value) if parser else widget.value
        if errors:
            self._show_failure("Fix the marked fields")
            return
        request = {
            "system": str(self.query_one("#system", Select).value),
            "cooling": str(self.query_one("#cooling", Select).value),
            "site": str(self.query_one("#site", Select).value),
            **target,
        }
        # Selects and Inputs announce their first values while mounting; skip recomputing
        # when nothing on the form changed since the last result.
        state_key = repr((sorted(request.items()), sorted(options.items())))
        if state_key == self._last_state:
            return
        try:
            sizing_request = SizingRequest(**request)
        except ValidationError as exc:
            # the request's own bounds (units, racks, power) belong to the target field
            if any(error["loc"][:1] in (("count",), ("racks",), ("it_power",)) for error in exc.errors()):
                self._field_error("target-field", _message(exc))
                self._show_failure("Fix the marked fields")
                return
            raise
        sizing_options = SizingOptions(**options)
        coeff = unit_coefficients(
            catalog, sizing_request.system, sizing_request.cooling, sizing_request.site, sizing_options
        )
        racks = units_for_target(coeff, sizing_request) * coeff.racks
        if racks > MAX_SIZER_RACKS:
            self._field_error(
                "target-field",
                f"the sizer lays out at most {MAX_SIZER_RACKS:,} racks; this is {racks:,.0f} (use dcplan solve)",
            )
            self._show_failure("Fix the marked fields")
            return
        result = size(catalog, sizing_request, sizing_options)
        self._last_state = state_key
        self.show(result)

    def show(self, result: Any) -> None:
        from dcplan.planner.report.quantity import prose_units
        from dcplan.tui.format import sizing_rows

        title = f"[b]{result.units:,} x {result.system}[/b] on {result.cooling} at {result.site}"
        self.query_one("#sizer-title", Static).update(title)
        figures = self.query_one("#sizer-figures", DataTable)
        figures.clear()
        for name, value in sizing_rows(result):
            figures.add_row(name, value, key=name)
        from dcplan.planner.report.text import equipment_rows

        equipment = self.query_one("#sizer-equipment", DataTable)
        equipment.clear()
        for row in equipment_rows(result):
            equipment.add_row(*row)
        limits = self.query_one("#sizer-limits", Static)
        lines = [Content.from_markup("[b yellow]NOT DEPLOYABLE:[/] $w", w=warning) for warning in result.warnings]
        lines += [
            Content.from_markup("[b red]LIMIT BROKEN:[/] $m", m=prose_units(check.message))
            for check in result.violations
        ]
        if lines:
            limits.update(Content("\n").join(lines))
            limits.set_class(True, "-broken")
        else:
            limits.update("[green]All limits met.[/green]")
            limits.set_class(False, "-broken")
