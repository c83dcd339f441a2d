"""`dcplan sweep SCENARIO.toml`: uncertainty and what-if sweeps, locally or on a Dask cluster."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from dcplan.planner.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    CatalogOption,
    JsonOption,
    PrettyOption,
    State,
    UserError,
    console,
    load_catalog_for_cli,
    print_json,
    resume_gc,
)

# --- options (one alias per flag keeps the command's signature readable) ---------------

ScenarioArg = Annotated[Path, typer.Argument(metavar="SCENARIO.toml", help="scenario file")]
SamplesOption = Annotated[
    int | None,
    typer.Option(
        "--samples",
        "-n",
        help="Latin-hypercube samples [default: 500]; with --sensitivity: Sobol base samples [16] or Morris trajectories [10]",
    ),
]
LhsOption = Annotated[
    str,
    typer.Option(
        "--lhs",
        help="Latin hypercube: 'scrambled' (each point uniform inside its stratum) or 'centred' (at stratum centres)",
    ),
]
SensitivityOption = Annotated[
    str,
    typer.Option(
        "--sensitivity",
        help="variance-based sensitivity with SALib: 'sobol' (S1, ST; --samples base samples, a power of 2, "
        "x (inputs + 2) runs) or 'morris' (mu*, sigma; --samples trajectories x (inputs + 1) runs) "
        "[default: none: Latin hypercube and tornado]",
    ),
]
SeedOption = Annotated[int, typer.Option("--seed", help="sampling seed (same seed, same samples)")]
VaryOption = Annotated[
    list[str] | None,
    typer.Option(
        "--vary", help="FIELD=LOW:HIGH with units, e.g. site.ashburn-va.utility_power=120MW:180MW (repeatable)"
    ),
]
GridOption = Annotated[
    int | None, typer.Option("--grid", help="full grid of N levels per --vary input instead of sampling")
]
CatalogRangesOption = Annotated[
    bool | None,
    typer.Option(
        "--catalog-ranges/--no-catalog-ranges",
        help="sample the catalog's low/high ranges [default: on, off with --grid]",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", "-w", help="local worker processes (0: in this process) [default: one per CPU]"),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Dask scheduler address, e.g. tls://10.0.0.5:8786 (tcp:// has no encryption or "
        "authentication: use it only on a cluster you trust, it can run code on this machine); "
        "'local': start a Dask cluster of --workers processes on this machine",
    ),
]
TlsCaOption = Annotated[
    Path | None, typer.Option("--tls-ca-file", help="tls:// scheduler: CA certificate (PEM) of the cluster")
]
TlsCertOption = Annotated[
    Path | None, typer.Option("--tls-cert", help="tls:// scheduler: this client's certificate (PEM)")
]
TlsKeyOption = Annotated[
    Path | None, typer.Option("--tls-key", help="tls:// scheduler: this client's private key (PEM)")
]
DaskHostOption = Annotated[
    str, typer.Option("--dask-host", help="--scheduler local: address its scheduler and workers listen on")
]
DashboardOption = Annotated[
    str, typer.Option("--dashboard", help="--scheduler local: Dask dashboard HOST:PORT, or 'off'")
]
WorkerTimeoutOption = Annotated[
    str, typer.Option("--worker-timeout", help="Dask: stop when the cluster has had no worker this long")
]
TimeLimitOption = Annotated[str, typer.Option("--time-limit", help="solver time limit per sample")]
GapOption = Annotated[str, typer.Option("--gap", help="relative MIP gap per sample")]
RobustMixesOption = Annotated[
    int, typer.Option("--robust-mixes", help="candidate mixes to check for robustness (0: skip)")
]
RobustSamplesOption = Annotated[
    str, typer.Option("--robust-samples", help="samples to check each mix against, or 'all'")
]
OutputOption = Annotated[
    list[Path] | None, typer.Option("--output", "-o", help="write results: .json, .csv or .html (repeatable)")
]
ForceOption = Annotated[bool, typer.Option("--force", help="overwrite existing output files")]


def _robust_samples(text: str) -> int | None:
    if text.strip().lower() == "all":
        return None
    try:
        value = int(text)
    except ValueError:
        raise UserError(f"--robust-samples: expected a whole number or 'all', got {text!r}") from None
    if value < 1:
        raise UserError(f"--robust-samples: expected at least 1, got {value}")
    return value


def sweep(
    scenario_file: ScenarioArg,
    samples: SamplesOption = None,
    seed: SeedOption = 1,
    lhs: LhsOption = "scrambled",
    sensitivity: SensitivityOption = "none",
    vary: VaryOption = None,
    grid: GridOption = None,
    catalog_ranges: CatalogRangesOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    tls_ca_file: TlsCaOption = None,
    tls_cert: TlsCertOption = None,
    tls_key: TlsKeyOption = None,
    dask_host: DaskHostOption = "127.0.0.1",
    dashboard: DashboardOption = "127.0.0.1:8787",
    worker_timeout: WorkerTimeoutOption = "60s",
    time_limit: TimeLimitOption = "60s",
    gap: GapOption = "0.1%",
    robust_mixes: RobustMixesOption = 5,
    robust_samples: RobustSamplesOption = "100",
    output: OutputOption = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
    pretty: PrettyOption = False,
    catalog: CatalogOption = None,
) -> None:
    """Solve many samples of a scenario (catalog ranges and --vary ranges): P10/P50/P90, tornado, robust mix."""
    from dcplan.planner.sweep import DEFAULT_BASE_SAMPLES, SweepConfig
    from dcplan.planner.textinput import parse_duration_s, parse_ratio

    _check_counts(workers, scheduler, grid, samples, robust_mixes)
    tls = _tls_files(scheduler, tls_ca_file, tls_cert, tls_key)
    if scheduler != "local" and (dask_host != "127.0.0.1" or dashboard != "127.0.0.1:8787"):
        raise UserError("--dask-host/--dashboard: only with --scheduler local (dcplan starts no other cluster)")
    worker_timeout_s = parse_duration_s("--worker-timeout", worker_timeout)
    if scheduler is not None and scheduler.startswith("tcp://") and not as_json:  # --json: stderr is for the error
        sys.stderr.write(
            f"dcplan: warning: --scheduler {scheduler}: no encryption or authentication; anyone who can reach "
            "the scheduler can run code on this machine (use tls:// with --tls-ca-file/--tls-cert/--tls-key)\n"
        )
    method = sensitivity.strip().lower()
    if samples is None:
        samples = DEFAULT_BASE_SAMPLES.get(method, 500)
    config = SweepConfig(
        samples=samples,
        seed=seed,
        lhs="centred" if lhs.strip().lower() == "centered" else lhs.strip().lower(),
        grid=grid,
        sensitivity=None if method == "none" else method,
        vary=list(vary or []),
        catalog_ranges=catalog_ranges,
        time_limit_s=parse_duration_s("--time-limit", time_limit),
        rel_gap=parse_ratio("--gap", gap),
        workers=workers,
        scheduler=scheduler,
        tls=tls,
        worker_timeout_s=worker_timeout_s,
        dask_host=dask_host,
        dashboard=None if dashboard.strip().lower() == "off" else dashboard,
        robust_mixes=robust_mixes,
        robust_samples=_robust_samples(robust_samples),
    )
    outputs = _checked_outputs(list(output or []), force)
    result = _prepare_and_run(scenario_file, config, catalog)
    _report(result, outputs, force, as_json, pretty)


def _check_counts(
    workers: int | None, scheduler: str | None, grid: int | None, samples: int | None, robust_mixes: int
) -> None:
    """The flags that pick how many samples run where, checked before anything loads."""
    if workers is not None and scheduler is not None and scheduler != "local":
        raise UserError(
            "--workers and --scheduler: give one (workers are local processes; a scheduler runs samples on its cluster)"
        )
    if workers is not None and workers < 0:
        raise UserError(f"--workers: expected 0 or more, got {workers}")
    if grid is not None and samples is not None:
        raise UserError("--grid and --samples: give one (a grid has N**inputs points)")
    if samples is not None and samples < 1:
        raise UserError(f"--samples: expected at least 1, got {samples}")
    if robust_mixes < 0:
        raise UserError(f"--robust-mixes: expected 0 or more, got {robust_mixes}")
    if workers == 0 and scheduler == "local":
        raise UserError("--workers 0 and --scheduler local: a local Dask cluster needs at least 1 worker")
    if scheduler is not None and scheduler != "local" and "://" not in scheduler:
        raise UserError(f"--scheduler: expected an address such as tls://HOST:8786, got {scheduler!r}")


def _tls_files(scheduler: str | None, ca_file: Path | None, cert: Path | None, key: Path | None) -> Any:
    """The ``DaskTls`` of --tls-ca-file/--tls-cert/--tls-key, or None when none is given."""
    from dcplan.planner.sweep import DaskTls

    if ca_file is None and cert is None and key is None:
        return None
    if scheduler is None:
        raise UserError("--tls-ca-file/--tls-cert/--tls-key: only with --scheduler tls://HOST:PORT")
    if ca_file is None or cert is None:
        raise UserError("--tls-ca-file and --tls-cert: give both (and --tls-key unless the key is in the cert file)")
    if not scheduler.startswith("tls://"):
        raise UserError(f"--tls-ca-file/--tls-cert: need a tls:// scheduler address, got {scheduler!r}")
    return DaskTls(str(ca_file), str(cert), None if key is None else str(key))


def _checked_outputs(outputs: list[Path], force: bool) -> list[Path]:
    """Every --output path, each given once and writable (checked before sweeping)."""
    from dcplan.planner.sweep_report import check_sweep_output

    seen = [p.resolve() for p in outputs]
    if len(set(seen)) != len(seen):
        raise UserError("--output: the same file is given twice")
    for path in outputs:
        check_sweep_output(path, force)
    return outputs


def _prepare_and_run(scenario_file: Path, config: Any, catalog: list[Path] | None) -> Any:
    """Load the scenario and catalog, draw the design and run it (sweep errors: one line)."""
    from dcplan.planner.cli.solve_cmd import load_scenario_for_cli
    from dcplan.planner.sweep import (
        SweepInputError,
        SweepRunError,
        prepare_sweep,
        prime_catalog,
        resolve_catalog_dirs,
        run_sweep,
    )

    scenario = load_scenario_for_cli(scenario_file)
    extra = [*State.catalog_dirs, *(catalog or [])]
    cat = load_catalog_for_cli(catalog)
    resume_gc()  # start-up is over: a sweep solves many samples
    dirs = resolve_catalog_dirs(extra)
    prime_catalog(dirs, True, cat)
    try:
        design = prepare_sweep(scenario, cat, config, catalog_dirs=dirs, scenario_file=str(scenario_file))
    except SweepInputError as exc:
        raise UserError(str(exc)) from None
    try:
        return _run_with_progress(design, run_sweep)
    except SweepInputError as exc:
        raise UserError(str(exc)) from None
    except SweepRunError as exc:
        raise UserError(str(exc), exit_code=EXIT_FAILED) from None


def _report(result: Any, outputs: list[Path], force: bool, as_json: bool, pretty: bool = False) -> None:
    """Write the files, print the summary (or the JSON) and exit: 1 if samples failed twice."""
    from dcplan.planner.sweep_report import write_sweep

    for path in outputs:
        write_sweep(result, path, force=force)
    if as_json:
        print_json(result.to_dict(), pretty)
    else:
        render_summary(result)
        for path in outputs:
            console().print(f"sweep written to {path}")
    failed = [r for r in result.results if r.status == "error"]
    if failed:
        sys.stderr.write(
            f"dcplan: error: {len(failed)} of {len(result.results)} samples failed after a retry "
            f"(first: sample {failed[0].index}: {failed[0].error})\n"
        )
        raise typer.Exit(EXIT_FAILED)
    raise typer.Exit(EXIT_OK)


def _run_with_progress(design: Any, run: Any) -> Any:
    """Run the sweep with a progress bar on stderr (only when stderr is a terminal)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    err = Console(stderr=True, highlight=False)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal,
    )
    tasks: dict[str, Any] = {}
    tally: dict[str, dict[str, int]] = {}
    current = {"phase": "samples"}

    def on_phase(phase: str, total: int) -> None:
        current["phase"] = phase
        tally[phase] = {"plan": 0, "infeasible": 0, "error": 0}
        label = "samples" if phase == "samples" else "robust check"
        tasks[phase] = progress.add_task(label, total=total, note="")

    def on_result(done: int, total: int, result: Any) -> None:
        phase = current["phase"]
        counts = tally[phase]
        key = "plan" if result.has_plan else ("error" if result.status == "error" else "infeasible")
        counts[key] += 1
        note = f"{counts['plan']} with a plan, {counts['infeasible']} infeasible" + (
            f", {counts['error']} failed" if counts["error"] else ""
        )
        progress.update(tasks[phase], completed=done, note=note)

    with progress:
        return run(design, on_result=on_result, on_phase=on_phase)


def _f(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


_DISPLAY = (("kW", 1e3, "MW"), ("TFLOPS", 1e3, "PFLOPS"), ("USD", 1e9, "B USD"), ("USD", 1e6, "M USD"))


def range_text(low: float, high: float, unit: str) -> str:
    """'120 – 180 MW' for 120000-180000 kW: a readable unit for the range's size."""
    for base, factor, shown in _DISPLAY:
        if unit == base and min(abs(low), abs(high)) >= factor:
            low, high, unit = low / factor, high / factor, shown
            break
    return f"{_num(low)} – {_num(high)} {'' if unit == 'count' else unit}".strip()


def _num(value: float, sign: str = "") -> str:
    return f"{value:{sign},.0f}" if 1e4 <= abs(value) < 1e15 else f"{value:{sign},.4g}"


def mix_text(mix: dict[str, int], sep: str = "\n") -> str:
    """'450 gb300-nvl72' per line; systems with no units left out."""
    return sep.join(f"{units:,} {system}" for system, units in mix.items() if units) or "nothing"


def render_summary(result: Any) -> None:
    """Human summary: counts, P10/P50/P90, units per system, tornado top 10, robust choice."""
    from dcplan.planner.sweep import infeasible_text
    from dcplan.planner.sweep.stats import unproven_text

    out = console()
    if not out.is_terminal:  # a file or pipe: wide enough for full input names
        out.width = max(out.width, 120)
    data = result.to_dict()
    s = data["summary"]
    run = data["run"]
    method = _design_text(data)
    out.print(
        f"[bold]{data['scenario_name']}[/bold]\n{data['samples']} samples ({method}), "
        f"{len(data['inputs'])} uncertain inputs; "
        f"{run['backend']} x {run['workers']}; {run['wall_s']:.1f} s, {run['samples_per_s'] or 0:.2f} samples/s"
        + (f"; Dask dashboard was {run['dashboard']}" if run.get("dashboard") else "")
    )
    status = ", ".join(f"{n} {k}" for k, n in s["by_status"].items())
    out.print(f"samples: {status}; {infeasible_text(s)}")
    out.print(_outputs_table(s))
    out.print(_tornado_table(data))
    out.print(unproven_text(data["unproven"]))
    _print_sensitivity(out, data)
    _print_robust(out, data)
    _print_failures(out, data, result)


def _design_text(data: dict[str, Any]) -> str:
    """How the samples were drawn: 'Latin hypercube, seed 7', 'Sobol design (SALib), 16 base samples, seed 1'."""
    sensitivity = data.get("sensitivity")
    if data["method"] == "grid":
        return f"grid of {data['grid_levels']} levels"
    if sensitivity is not None:
        unit = "base samples" if data["method"] == "sobol" else "trajectories"
        return (
            f"{data['method'].capitalize()} design (SALib), {sensitivity['base_samples']} {unit}, seed {data['seed']}"
        )
    return f"Latin hypercube{', centred' if data.get('lhs') == 'centred' else ''}, seed {data['seed']}"


OUTPUT_NAMES = {"compute_pflops": ("compute", "PFLOPS"), "tco_musd": ("TCO", "M USD")}


def _print_sensitivity(out: Any, data: dict[str, Any]) -> None:
    """The Sobol (S1, ST) or Morris (mu*, sigma) table of each output, or why there is none."""
    section = data.get("sensitivity")
    if section is None:
        return
    if not section["computed"]:
        out.print(f"[yellow]{section['method']} indices not computed[/yellow]: {section['reason']}")
        if section["feasibility"]:
            out.print(sensitivity_table(section, section["feasibility"], "feasibility (has a plan: 1/0)", ""))
        return
    for key, rows in section["outputs"].items():
        name, unit = OUTPUT_NAMES.get(key, (key, ""))
        out.print(sensitivity_table(section, rows, name, unit))
    for key in section["constant"]:
        out.print(f"{OUTPUT_NAMES.get(key, (key, ''))[0]}: the same in every sample; no indices")


def sensitivity_table(section: dict[str, Any], rows: list[dict[str, Any]], name: str, unit: str, top: int = 15) -> Any:
    """Sobol: input, S1 ± conf, ST ± conf (ranked by ST); Morris: mu* ± conf, sigma (in the output's unit)."""
    from rich.table import Table

    conf = f"{section['conf_level'] * 100:.0f} %"
    if section["method"] == "sobol":
        title = f"Sobol indices of {name} ({section['runs']} runs, ± {conf} conf., by ST)"
        headers = ("input", "S1", "ST")
        cells = [(r["input"], _pm(r["S1"], r["S1_conf"], ".2f"), _pm(r["ST"], r["ST_conf"], ".2f")) for r in rows]
    else:
        suffix = f" [{unit}]" if unit else ""
        title = f"Morris effects on {name} ({section['runs']} runs, ± {conf} conf., by mu*)"
        headers = ("input", f"mu*{suffix}", f"sigma{suffix}")
        cells = [(r["input"], _pm(r["mu_star"], r["mu_star_conf"], ".4g"), _opt(r["sigma"], ".4g")) for r in rows]
    table = Table(title=title)
    for column in headers:
        table.add_column(column, justify="left" if column == "input" else "right", no_wrap=column == "input")
    for row in cells[:top]:
        table.add_row(*row)
    return table


def _opt(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def _pm(value: float | None, conf: float | None, spec: str) -> str:
    """'0.94 ± 0.03' (a missing confidence shows as ± –)."""
    return f"{_opt(value, spec)} ± {_opt(conf, spec)}"


def _outputs_table(s: dict[str, Any]) -> Any:
    """P10/P50/P90 of the outputs, then of the units of each system (and how often chosen)."""
    from rich.table import Table

    table = Table(title=f"Outputs over {s['with_plan']} samples with a plan")
    for column in ("output", "P10", "P50", "P90"):
        table.add_column(column, justify="left" if column == "output" else "right")
    for key, label, digits in (
        ("compute_pflops", "delivered compute [PFLOPS]", 0),
        ("tco_musd", "TCO [M USD]", 0),
        ("capex_musd", "capex [M USD]", 0),
        ("facility_mw", "facility power [MW]", 1),
    ):
        o = s["outputs"][key]
        table.add_row(label, _f(o["p10"], digits), _f(o["p50"], digits), _f(o["p90"], digits))
    for system, u in s["units"].items():
        table.add_row(
            f"units {system} (chosen in {s['chosen_share'][system]:.0%})", _f(u["p10"]), _f(u["p50"]), _f(u["p90"])
        )
    return table


def _tornado_table(data: dict[str, Any]) -> Any:
    """The ten inputs that move the objective most: rho, swing, feasible swing."""
    from rich.table import Table

    objective = "TCO" if data["objective"] == "min-tco" else "compute"
    unit = "PFLOPS" if objective == "compute" else "M USD"
    tornado = Table(title=f"What moves {objective} most (Spearman rho; swing = top third - bottom third)")
    for column in ("input", "range", "confidence", "rho", f"swing [{unit}]", "feasible swing"):
        tornado.add_column(
            column, justify="left" if column in ("input", "range") else "right", no_wrap=column == "input"
        )
    for row in data["tornado"][:10]:
        rng = range_text(row["low"], row["high"], row["unit"])
        tornado.add_row(
            row["input"],
            rng,
            row.get("confidence") or "–",
            "–" if row["rho"] is None else f"{row['rho']:+.2f}",
            "–" if row["swing"] is None else _num(row["swing"], "+"),
            "–" if row["feasible_swing"] is None else f"{row['feasible_swing']:+.0%}",
        )
    return tornado


def _print_robust(out: Any, data: dict[str, Any]) -> None:
    """The checked mixes (feasible share, compute or TCO) and the robust choice."""
    from rich.table import Table

    robust = data["robust"]
    if not robust.get("checked"):
        out.print(f"robust choice: not checked ({robust.get('reason')})")
        return
    mixes = Table(
        title=f"Robust choice: {robust['mixes_checked']} mixes x {robust['samples_checked']} samples "
        f"({robust['solves']} re-solves, {robust['known_without_solving']} known without solving)"
    )
    by_compute = data["objective"] != "min-tco"
    figures = ("PFLOPS when feasible", "expected PFLOPS") if by_compute else ("TCO when feasible [M USD]",)
    for column in ("mix (units)", "found in", "feasible", "of samples with a plan", *figures):
        mixes.add_column(
            column, justify="left" if column == "mix (units)" else "right", no_wrap=column == "mix (units)"
        )
    for m in robust["mixes"]:
        values = (
            (_f(m["mean_compute_pflops_when_feasible"]), _f(m["expected_compute_pflops"]))
            if by_compute
            else (_f(m["mean_tco_musd_when_feasible"]),)
        )
        mixes.add_row(
            mix_text(m["mix"]),
            str(m["found_in"]),
            f"{m['feasible']}/{m['checked']} ({m['feasible_share']:.0%})",
            f"{m['feasible']}/{m['with_plan']} ({m['feasible_share_of_plannable']:.0%})",
            *values,
        )
    out.print(mixes)
    choice = robust["choice"]
    figure = (
        f"expected compute {_f(choice['expected_compute_pflops'])} PFLOPS"
        if by_compute
        else f"TCO when feasible {_f(choice['mean_tco_musd_when_feasible'])} M USD"
    )
    out.print(
        f"robust choice: {mix_text(choice['mix'], ', ')}: feasible in "
        f"{choice['feasible_share']:.0%} of checked samples, {figure}"
    )


def _print_failures(out: Any, data: dict[str, Any], result: Any) -> None:
    """How many attempts failed (and how many samples then succeeded), the first five."""
    if not data["failures"]:
        return
    retried_ok = len({(f["phase"], f["index"], f["mix"]) for f in data["failures"]}) - sum(
        1 for r in result.results if r.status == "error"
    )
    out.print(f"[yellow]{len(data['failures'])} failed attempts[/yellow] ({retried_ok} samples succeeded on retry):")
    for f in data["failures"][:5]:
        error = f["error"] if len(f["error"]) <= 110 else f["error"][:107] + "..."
        out.print(f"  {f['phase']} {f['index']} attempt {f['attempt']}: {error}")


def register(root: typer.Typer) -> None:
    """Add `dcplan sweep`."""
    root.command("sweep")(sweep)
