"""Sweep: sample catalog ranges and --vary inputs, solve each sample on worker processes,
and show P10/P50/P90, how often each system is chosen, the tornado and the robust mix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
    TextArea,
)

from dcplan.tui.format import markup_escape as escape
from dcplan.tui.widgets.inputs import Field, RatioValidator

#: (label, value) of the sensitivity choice; None: Latin hypercube and tornado only.
SENSITIVITY_CHOICES: list[tuple[str, str]] = [
    ("none: Latin hypercube + tornado", "none"),
    ("Sobol (S1, ST): samples = base samples, power of 2", "sobol"),
    ("Morris (mu*, sigma): samples = trajectories", "morris"),
]


class SweepCancelled(Exception):
    """Raised from the progress callback to stop a running sweep."""


class SweepScreen(Screen[None]):
    """Runs ``planner.sweep`` off the UI thread; the samples solve in worker processes."""

    TITLE = "Sweep"

    def __init__(self) -> None:
        super().__init__()
        self.result: Any = None
        self._stop_requested = False
        self._sweeping = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with VerticalScroll(id="sweep-form", classes="form"):
                yield Field(
                    "Samples",
                    Input("20", id="sweep-samples", validators=[RatioValidator(1, 100000)]),
                    id="sweep-samples-field",
                )
                yield Field(
                    "Seed", Input("1", id="sweep-seed", validators=[RatioValidator(0, 2**31)]), id="sweep-seed-field"
                )
                # At least one: a solve inside the UI process would have Pyomo redirect the
                # terminal's own file descriptors under Textual (every sample then fails).
                yield Field(
                    "Workers (solver processes)",
                    Input("2", id="sweep-workers", validators=[RatioValidator(1, 64)]),
                    id="sweep-workers-field",
                )
                yield Checkbox("sample catalog low/high ranges", value=True, id="sweep-catalog")
                yield Label("Sensitivity (SALib)", classes="field-label")
                yield Select(SENSITIVITY_CHOICES, value="none", allow_blank=False, id="sweep-sensitivity-method")
                yield Label("--vary, one FIELD=LOW:HIGH per line", classes="field-label")
                yield TextArea("scenario.budget=4e9USD:8e9USD\n", id="sweep-vary")
                with Horizontal(id="sweep-buttons"):
                    yield Button("Run", variant="primary", id="sweep-run")
                    yield Button("Stop", variant="error", id="sweep-stop", disabled=True)
                yield Field(
                    "Save as (.json, .csv or .html)", Input("sweep.html", id="sweep-path"), id="sweep-path-field"
                )
                yield Button("Save", id="sweep-save", disabled=True)
            with Vertical(id="sweep-results"):
                yield Static("Set the sweep up and press Run.", id="sweep-status")
                yield ProgressBar(total=1, id="sweep-progress", show_eta=False)  # a set total: no pulsing animation
                with VerticalScroll():
                    yield DataTable(id="sweep-summary", show_cursor=False, zebra_stripes=True)
                    yield Static("", id="sweep-tornado")
                    yield Static("", id="sweep-sensitivity")
                    yield Static("", id="sweep-robust")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sweep-summary", DataTable).add_columns("output", "P10", "P50", "P90", "chosen in")
        self.query_one("#sweep-run", Button).focus()

    def _status(self, text: str) -> None:
        self.query_one("#sweep-status", Static).update(text)

    def _int(self, field_id: str, input_id: str) -> int | None:
        widget = self.query_one(f"#{input_id}", Input)
        result = widget.validate(widget.value)
        field = self.query_one(f"#{field_id}", Field)
        if result is not None and not result.is_valid:
            field.show_error("; ".join(result.failure_descriptions))
            return None
        field.show_error(None)
        return int(float(widget.value))

    @on(Button.Pressed, "#sweep-run")
    def run(self) -> None:
        from dcplan.planner.scenario import ScenarioError, parse_scenario
        from dcplan.planner.sweep import SweepConfig, SweepInputError, prepare_sweep, resolve_catalog_dirs

        if self._sweeping:
            return
        state = self.app.state  # type: ignore[attr-defined]
        samples = self._int("sweep-samples-field", "sweep-samples")
        seed = self._int("sweep-seed-field", "sweep-seed")
        workers = self._int("sweep-workers-field", "sweep-workers")
        if samples is None or seed is None or workers is None:
            return
        if not state.scenario_data:
            self._status("[b red]No scenario loaded (F4).[/]")
            return
        try:
            scenario = parse_scenario(state.scenario_data)
        except ScenarioError as exc:
            self._status(f"[b red]The scenario is invalid:[/] {escape(exc.lines[0])}")
            return
        vary = [line.strip() for line in self.query_one("#sweep-vary", TextArea).text.splitlines() if line.strip()]
        method = self.query_one("#sweep-sensitivity-method", Select).value
        config = SweepConfig(
            samples=samples,
            seed=seed,
            sensitivity=method if method in ("sobol", "morris") else None,
            vary=vary,
            catalog_ranges=self.query_one("#sweep-catalog", Checkbox).value,
            workers=workers,
            time_limit_s=30.0,
        )
        try:
            design = prepare_sweep(
                scenario,
                state.catalog,
                config,
                resolve_catalog_dirs(state.catalog_dirs),
                scenario_file=str(state.scenario_path or ""),
            )
        except SweepInputError as exc:
            self._status(f"[b red]{escape(str(exc))}[/]")
            return
        self._stop_requested = False
        self._sweeping = True
        self.query_one("#sweep-run", Button).disabled = True
        self.query_one("#sweep-stop", Button).disabled = False
        self.query_one("#sweep-save", Button).disabled = True
        self.query_one("#sweep-progress", ProgressBar).update(total=len(design.specs), progress=0)
        self._status(f"{len(design.specs)} samples, {len(design.inputs)} uncertain inputs: starting workers ...")
        self._run_in_thread(design)

    @work(thread=True, exclusive=True, group="sweep")
    def _run_in_thread(self, design: Any) -> None:
        """The thread mostly waits on worker processes, so the UI keeps its frame rate."""
        from dcplan.planner.sweep import SweepInputError, SweepRunError, run_sweep

        def progress(done: int, total: int, result: Any) -> None:
            if self._stop_requested:
                raise SweepCancelled
            self.app.call_from_thread(self._progress, done, total, result.status)

        def phase(name: str, total: int) -> None:
            self.app.call_from_thread(self._phase, name, total)

        try:
            result = run_sweep(design, on_result=progress, on_phase=phase)
        except SweepCancelled:
            self.app.call_from_thread(self._finish, None, "stopped")
            return
        except (SweepInputError, SweepRunError) as exc:
            self.app.call_from_thread(self._finish, None, f"[b red]{escape(str(exc))}[/]")
            return
        self.app.call_from_thread(self._finish, result, "done")

    def _progress(self, done: int, total: int, status: str) -> None:
        self.query_one("#sweep-progress", ProgressBar).update(total=total, progress=done)
        self._status(f"{done} / {total} solved (last: {status})")

    def _phase(self, name: str, total: int) -> None:
        self.query_one("#sweep-progress", ProgressBar).update(total=total, progress=0)
        self._status(f"{name}: {total} solves")

    @on(Button.Pressed, "#sweep-stop")
    def stop(self) -> None:
        self._stop_requested = True
        self._status("stopping after the samples already running ...")

    def _finish(self, result: Any, message: str) -> None:
        self._sweeping = False
        self.query_one("#sweep-run", Button).disabled = False
        self.query_one("#sweep-stop", Button).disabled = True
        if result is None:
            self._status(message)
            return
        self.result = result
        self.query_one("#sweep-save", Button).disabled = False
        self.show(result)

    def show(self, result: Any) -> None:
        from dcplan.planner.sweep import infeasible_text
        from dcplan.planner.sweep.stats import unproven_share, unproven_text
        from dcplan.tui.format import sweep_rows, tornado_text

        summary = result.summary
        self._status(
            f"{summary['samples']} samples in {result.wall_s:,.1f} s on {result.workers} {result.backend} worker(s): "
            f"{summary['with_plan']} with a plan, {infeasible_text(summary)}, {summary['errors']} errors"
        )
        table = self.query_one("#sweep-summary", DataTable)
        table.clear()
        for row in sweep_rows(summary):
            table.add_row(*row)
        tornado = tornado_text(result.tornado)
        self.query_one("#sweep-tornado", Static).update(f"{tornado}\n{unproven_text(unproven_share(result.tornado))}")
        self.query_one("#sweep-sensitivity", Static).update(sensitivity_text(result.sensitivity))
        choice = result.robust.get("choice") if result.robust else None
        if choice:
            mix = ", ".join(f"{n} {s}" for s, n in sorted(choice.get("mix", {}).items()))
            self.query_one("#sweep-robust", Static).update(
                f"[b]Robust choice[/b]: {mix}: feasible in {choice['feasible_share']:.0%} of checked samples, "
                f"expected compute {choice.get('expected_compute_pflops') or 0:,.0f} PFLOPS"
            )
        else:
            self.query_one("#sweep-robust", Static).update("no robust mix (no sample had a plan)")

    @on(Button.Pressed, "#sweep-save")
    def save(self) -> None:
        from dcplan.models.errors import DcplanError
        from dcplan.planner.sweep_report import write_sweep

        if self.result is None:
            return
        path = Path(self.query_one("#sweep-path", Input).value.strip())
        try:
            write_sweep(self.result, path, force=True)
        except DcplanError as exc:
            self.query_one("#sweep-path-field", Field).show_error(str(exc))
            return
        self.query_one("#sweep-path-field", Field).show_error(None)
        self._status(f"[green]written {path}[/green]")


def sensitivity_text(section: dict[str, Any] | None, top: int = 10) -> Text:
    """The Sobol (S1 ± conf, ST ± conf, ranked by ST) or Morris (mu* ± conf, sigma) table of
    the objective, as plain text (input names are never read as markup)."""
    if section is None:
        return Text("")
    method = section["method"]
    if not section["computed"]:
        text = Text(f"{method.capitalize()} indices not computed: {section['reason']}", style="yellow")
        rows = section["feasibility"] or []
        title = "feasibility (has a plan: 1/0)"
    else:
        key = section["objective"]
        rows = section["outputs"].get(key, [])
        title = "compute" if key == "compute_pflops" else "TCO"
        text = Text("")
        if not rows:
            return Text(f"{method.capitalize()}: the objective is the same in every sample; no indices")
    if not rows:
        return text
    if text.plain:
        text.append("\n")
    if method == "sobol":
        text.append(f"Sobol indices of {title} ({section['runs']} runs, ± 95 % confidence)\n", style="bold")
        text.append(f"{'input':<44} {'S1':>13} {'ST':>13}")
        for row in rows[:top]:
            text.append(
                f"\n{row['input'][:44]:<44} {_pm(row['S1'], row['S1_conf']):>13} {_pm(row['ST'], row['ST_conf']):>13}"
            )
    else:
        text.append(f"Morris effects on {title} ({section['runs']} runs, ± 95 % confidence)\n", style="bold")
        text.append(f"{'input':<44} {'mu*':>21} {'sigma':>10}")
        for row in rows[:top]:
            sigma = "–" if row["sigma"] is None else f"{row['sigma']:.4g}"
            text.append(f"\n{row['input'][:44]:<44} {_pm(row['mu_star'], row['mu_star_conf'], '.4g'):>21} {sigma:>10}")
    return text


def _pm(value: float | None, conf: float | None, spec: str = ".2f") -> str:
    shown = "–" if value is None else format(value, spec)
    return f"{shown} ± {'–' if conf is None else format(conf, spec)}"
