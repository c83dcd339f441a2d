"""Sweep exports: versioned JSON, one CSV row per sample, and a self-contained HTML report.

Files are written atomically through ``planner.export.write_atomic``. The HTML report
embeds its charts as inline SVG drawn by matplotlib (imported lazily, Agg backend):
the distributions of delivered compute and of TCO, and the tornado chart.
"""

from __future__ import annotations

import csv
import html
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dcplan.planner.sweep import SweepResult, infeasible_text
from dcplan.planner.sweep.stats import unproven_share, unproven_text

SWEEP_FORMATS = {".json": "json", ".csv": "csv", ".html": "html"}
OUTPUT_LABELS = {
    "compute_pflops": ("delivered compute", "PFLOPS"),
    "tco_musd": ("TCO", "M USD"),
    "capex_musd": ("capex", "M USD"),
    "facility_mw": ("facility power (design day)", "MW"),
}


def sweep_format(path: Path) -> str:
    """The export format an extension names; one-line error (exit 2) for others."""
    from dcplan.planner.export import format_from_suffix

    return format_from_suffix(path, SWEEP_FORMATS, "sweep")


def check_sweep_output(path: Path, force: bool) -> None:
    """Fail early (before sweeping) if ``path`` cannot or must not be written (one file)."""
    from dcplan.planner.export import check_output_file

    sweep_format(path)
    check_output_file(path, force)


def _write(path: Path, write: Callable[[Path], None], force: bool) -> None:
    from dcplan.planner.export import write_atomic

    write_atomic(path, write, force)


def write_sweep(result: SweepResult, path: Path, force: bool = False) -> None:
    """Write ``result`` in the format the extension names (.json, .csv, .html)."""
    kind = sweep_format(path)
    if kind == "json":
        text = sweep_json_text(result)
    elif kind == "csv":
        text = sweep_csv_text(result)
    else:
        text = sweep_html_text(result)

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8", newline="")

    _write(path, write, force)


# --- JSON / CSV ----------------------------------------------------------------------


def sweep_json_text(result: SweepResult) -> str:
    return json.dumps(result.to_dict(), indent=1, ensure_ascii=False) + "\n"


def csv_header(result: SweepResult) -> list[str]:
    systems = sorted(
        {s for r in result.results for s, _ in r.units} | {c.system for c in result.design.scenario.candidate}
    )
    columns = ["index", "status", "attempts", "error", "compute_pflops", "tco_musd", "capex_musd", "facility_mw", "gap"]
    columns += [f"units:{s}" for s in systems]
    columns += [f"{item.name} [{item.unit}]" if item.unit else item.name for item in result.design.inputs]
    return columns


def sweep_csv_text(result: SweepResult) -> str:
    """One row per sample: outputs, units per system, then every input's driver value.

    The first line is a ``#`` comment with the summary counts and the infeasible share
    (read with ``pandas.read_csv(path, comment="#")`` or skip lines starting with ``#``).
    """
    buffer = io.StringIO()
    summary = result.to_dict()["summary"]
    share = summary["infeasible_share"]
    buffer.write(
        f"# dcplan sweep: samples={summary['samples']} with_plan={summary['with_plan']} "
        f"infeasible={summary['infeasible']} infeasible_share={'' if share is None else f'{share:.4f}'}\n"
    )
    writer = csv.writer(buffer, lineterminator="\n")
    header = csv_header(result)
    writer.writerow(header)
    systems = [c.removeprefix("units:") for c in header if c.startswith("units:")]
    for sample, drivers in zip(result.results, result.design.drivers, strict=True):
        units = dict(sample.units)
        writer.writerow(
            [
                sample.index,
                sample.status,
                sample.attempts,
                sample.error or "",
                *(_num(getattr(sample, name)) for name in OUTPUT_LABELS),
                _num(sample.gap),
                *((units.get(s, 0) if sample.has_plan else "") for s in systems),
                *(repr(float(v)) for v in drivers),
            ]
        )
    return buffer.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else repr(float(value))


# --- HTML ------------------------------------------------------------------------------


def _figure(width: float, height: float) -> Any:
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _svg(fig: Any) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "dcplan-sweep"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.find("<svg") :]


def histogram_svg(values: list[float], label: str, unit: str, stats: dict[str, Any]) -> str:
    fig = _figure(5.2, 3.0)
    ax = fig.subplots()
    if values:
        low, high = min(values), max(values)
        # values equal to ~1e-12 (one plan in every sample) leave numpy no finite-sized bins
        span = None if high - low > 1e-9 * max(abs(high), 1.0) else (low - 0.5, high + 0.5)
        ax.hist(values, bins=min(30, max(5, len(values) // 8)), range=span, color="#4c78a8", edgecolor="white")
        for key, style in (("p10", ":"), ("p50", "-"), ("p90", ":")):
            if stats.get(key) is not None:
                ax.axvline(stats[key], color="#e45756", linestyle=style, linewidth=1.2)
                ax.annotate(
                    key.upper(),
                    (stats[key], 1),
                    xycoords=("data", "axes fraction"),
                    fontsize=8,
                    ha="center",
                    va="bottom",
                    color="#e45756",
                )
    else:
        ax.text(0.5, 0.5, "no sample has a plan", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel(f"{label} [{unit}]")
    ax.set_ylabel("samples")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def tornado_svg(rows: list[dict[str, Any]], objective_label: str, n_planned: int = 0, top: int = 15) -> str:
    """Horizontal bars: Spearman rho with the objective and, where some samples have no
    plan, the feasible swing (share with a plan, top third minus bottom third)."""
    shown = [r for r in rows if r.get("rho") is not None or r.get("feasible_swing") is not None][:top]
    fig = _figure(7.5, 0.34 * max(len(shown), 3) + 1.2)
    ax = fig.subplots()
    if shown:
        names = [r["input"] for r in shown][::-1]
        rhos = [r["rho"] or 0.0 for r in shown][::-1]
        swings = [r["feasible_swing"] or 0.0 for r in shown][::-1]
        with_swing = any(swings)
        y = list(range(len(names)))
        height = 0.4 if with_swing else 0.8
        offset = height / 2 if with_swing else 0.0
        colors = ["#4c78a8" if v >= 0 else "#e45756" for v in rhos]
        ax.barh([v + offset for v in y], rhos, height=height, color=colors)
        from matplotlib.patches import Patch

        handles = [Patch(color="#4c78a8", label="rho > 0"), Patch(color="#e45756", label="rho < 0")]
        if with_swing:
            ax.barh([v - offset for v in y], swings, height=height, color="#bab0ac", hatch="//")
            handles.append(Patch(facecolor="#bab0ac", hatch="//", label="feasible swing"))
        if n_planned >= 4:  # |rho| below ~2/sqrt(n) is indistinguishable from noise
            noise = 2 / n_planned**0.5
            for x in (-noise, noise):
                ax.axvline(x, color="#888", linestyle=":", linewidth=0.9)
            handles.append(Patch(facecolor="none", edgecolor="#888", linestyle=":", label=f"noise ±{noise:.2f}"))
        ax.legend(handles=handles, fontsize=7, loc="lower right")
        ax.set_yticks(y, names)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlim(-1, 1)
        ax.tick_params(axis="y", labelsize=8)
    else:
        ax.text(0.5, 0.5, "too few samples", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel(f"Spearman rho with {objective_label}; feasible swing")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return html.escape(str(value))


def _mix(mix: dict[str, int]) -> str:
    return ", ".join(f"{units:,} {system}" for system, units in mix.items() if units) or "nothing"


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{_fmt(c) if not isinstance(c, str) else html.escape(c)}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:1em}
.note{color:#555;font-size:.9em}svg{max-width:100%;height:auto}
"""


def sweep_html_text(result: SweepResult) -> str:
    """A self-contained HTML report (no external files, scripts or fonts)."""
    data = result.to_dict()
    planned = [r for r in result.results if r.has_plan]
    parts = [
        *_html_intro(data),
        *_html_outputs(data, planned),
        *_html_tornado(data, planned),
        *_html_sensitivity(data),
        *_html_robust(data),
        *_html_failures(data),
        *_html_inputs(data),
    ]
    body = "\n".join(parts)
    esc = html.escape
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>dcplan sweep: {esc(data['scenario_id'])}</title><style>{_CSS}</style></head>"
        f"<body>\n{body}\n<p class='note'>dcplan sweep schema {esc(data['schema_version'])}</p></body></html>\n"
    )


def _objective_key(data: dict[str, Any]) -> str:
    return "tco_musd" if data["objective"] == "min-tco" else "compute_pflops"


def _html_intro(data: dict[str, Any]) -> list[str]:
    """Title, how the samples were drawn and run, and the counts by status."""
    esc = html.escape
    summary = data["summary"]
    method = _design_text(data)
    run = data["run"]
    counts = [[status, n] for status, n in summary["by_status"].items()]
    return [
        f"<h1>Sweep: {esc(data['scenario_name'])}</h1>",
        f"<p>{esc(method)}; {len(data['inputs'])} uncertain inputs; objective {esc(data['objective'])}; "
        f"backend {esc(run['backend'])} with {run['workers']} worker(s); {run['wall_s']:.1f} s "
        f"({run['samples_per_s'] or 0:.2f} samples/s).</p>",
        "<h2>Samples</h2>"
        + f"<p><strong>{esc(infeasible_text(summary))}</strong></p>"
        + _table(["status", "samples"], counts),
    ]


def _html_outputs(data: dict[str, Any], planned: list[Any]) -> list[str]:
    """P10/P50/P90 of the outputs and of the units per system, and two histograms."""
    summary = data["summary"]
    rows = []
    for key, (label, unit) in OUTPUT_LABELS.items():
        s = summary["outputs"][key]
        rows.append([f"{label} [{unit}]", s["p10"], s["p50"], s["p90"], s["mean"]])
    unit_rows = [
        [system, s["p10"], s["p50"], s["p90"], f"{summary['chosen_share'].get(system, 0.0):.0%}"]
        for system, s in summary["units"].items()
    ]
    charts = [
        histogram_svg(
            [r.compute_pflops for r in planned if r.compute_pflops is not None],
            "delivered compute",
            "PFLOPS",
            summary["outputs"]["compute_pflops"],
        ),
        histogram_svg(
            [r.tco_musd for r in planned if r.tco_musd is not None], "TCO", "M USD", summary["outputs"]["tco_musd"]
        ),
    ]
    return [
        "<h2>Outputs over the samples with a plan</h2>" + _table(["output", "P10", "P50", "P90", "mean"], rows),
        "<h2>Units per system</h2>" + _table(["system", "P10", "P50", "P90", "chosen in"], unit_rows),
        "<h2>Distributions</h2><div class='charts'>" + "".join(f"<div>{c}</div>" for c in charts) + "</div>",
    ]


def _html_tornado(data: dict[str, Any], planned: list[Any]) -> list[str]:
    """The tornado chart and its table (top 20), with the noise level of rho."""
    label, unit = OUTPUT_LABELS[_objective_key(data)]
    rows = [
        [
            r["input"],
            f"{_fmt(r['low'])} – {_fmt(r['high'])} {r['unit']}",
            r.get("confidence") or "",
            r["rho"],
            r["swing"],
            r["feasible_swing"],
        ]
        for r in data["tornado"][:20]
    ]
    unproven = data.get("unproven") or unproven_share(data["tornado"])
    return [
        f"<h2>What moves {html.escape(label)} most</h2>",
        "<p class='note'>Spearman rank correlation of each input with the objective over the samples with a plan; "
        "swing = mean objective of the samples with the input in its top third minus its bottom third; "
        "feasible swing = share of samples with a plan, top third minus bottom third. "
        f"With {len(planned)} samples with a plan, |rho| below about {2 / max(len(planned), 1) ** 0.5:.2f} "
        "is indistinguishable from noise.</p>",
        tornado_svg(data["tornado"], label, len(planned)),
        f"<p>{html.escape(unproven_text(unproven))}</p>",
        _table(["input", "range", "confidence", "rho", f"swing [{unit}]", "feasible swing"], rows),
    ]


def _design_text(data: dict[str, Any]) -> str:
    if data["method"] == "grid":
        return f"full grid, {data['grid_levels']} levels per input, {data['samples']} points"
    if data["method"] in ("sobol", "morris"):
        unit = "base samples" if data["method"] == "sobol" else "trajectories"
        base = data["sensitivity"]["base_samples"]
        return (
            f"{data['method'].capitalize()} design (SALib), {base} {unit}, {data['samples']} runs, seed {data['seed']}"
        )
    centred = " (centred)" if data.get("lhs") == "centred" else ""
    return f"Latin hypercube{centred}, {data['samples']} samples, seed {data['seed']}"


def sensitivity_rows(section: dict[str, Any], rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of one output's indices: Sobol input, S1 ± conf, ST ± conf (ranked by
    ST); Morris input, mu* ± conf, sigma (ranked by mu*)."""
    if section["method"] == "sobol":
        headers = ["input", "S1", "± S1", "ST", "± ST"]
        return headers, [[r["input"], r["S1"], r["S1_conf"], r["ST"], r["ST_conf"]] for r in rows]
    headers = ["input", "mu*", "± mu*", "sigma"]
    return headers, [[r["input"], r["mu_star"], r["mu_star_conf"], r["sigma"]] for r in rows]


def _html_sensitivity(data: dict[str, Any]) -> list[str]:
    """The Sobol or Morris indices of each output (or of feasibility, and why, when samples lack a plan)."""
    section = data.get("sensitivity")
    if section is None:
        return []
    esc = html.escape
    name = "Sobol indices" if section["method"] == "sobol" else "Morris elementary effects"
    parts = [
        f"<h2>Variance-based sensitivity: {name}</h2>",
        f"<p class='note'>{section['runs']} runs ({section['base_samples']} "
        f"{'base samples' if section['method'] == 'sobol' else 'trajectories'}), SALib; "
        f"± = {section['conf_level'] * 100:.0f} % confidence half-width (bootstrap). Rule: {esc(section['rule'])}.</p>",
    ]
    if not section["computed"]:
        parts.append(f"<p><strong>Not computed:</strong> {esc(section['reason'])}.</p>")
        if section["feasibility"]:
            parts.append(
                "<h3>Feasibility (has a plan: 1/0)</h3>" + _table(*sensitivity_rows(section, section["feasibility"]))
            )
        return parts
    for key, rows in section["outputs"].items():
        label, unit = OUTPUT_LABELS[key]
        shown = f"{label} [{unit}]" if section["method"] == "morris" else label
        parts.append(f"<h3>{esc(shown)}</h3>" + _table(*sensitivity_rows(section, rows)))
    for key in section["constant"]:
        parts.append(f"<p>{esc(OUTPUT_LABELS[key][0])}: the same in every sample; no indices.</p>")
    return parts


def _html_robust(data: dict[str, Any]) -> list[str]:
    """The checked mixes and the robust choice (or why none was checked)."""
    esc = html.escape
    robust = data["robust"]
    parts = ["<h2>Robust choice</h2>"]
    if not robust.get("checked"):
        return [*parts, f"<p>Not checked ({esc(str(robust.get('reason')))}).</p>"]
    parts.append(
        f"<p class='note'>{robust['mixes_checked']} candidate mixes checked against "
        f"{robust['samples_checked']} samples (first {robust['sample_limit']}); {robust['solves']} re-solves, "
        f"{robust['known_without_solving']} known without solving. {esc(robust['method'])}.</p>"
    )
    by_compute = data["objective"] == "max-compute"
    mix_rows = []
    for m in robust["mixes"]:
        figures = (
            [m["mean_compute_pflops_when_feasible"], m["expected_compute_pflops"]]
            if by_compute
            else [m["mean_tco_musd_when_feasible"]]
        )
        mix_rows.append(
            [
                _mix(m["mix"]),
                m["found_in"],
                f"{m['feasible']}/{m['checked']}",
                f"{m['feasible_share']:.0%}",
                f"{m['feasible_share_of_plannable']:.0%} of {m['with_plan']}",
                *figures,
            ]
        )
    headers = ["mix (units)", "found in", "feasible", "share", "of samples with a plan"]
    headers += ["PFLOPS when feasible", "expected PFLOPS"] if by_compute else ["TCO when feasible [M USD]"]
    parts.append(_table(headers, mix_rows))
    choice = robust["choice"]
    if choice:
        figure = (
            f"expected compute {_fmt(choice['expected_compute_pflops'])} PFLOPS"
            if by_compute
            else f"TCO when feasible {_fmt(choice['mean_tco_musd_when_feasible'])} M USD"
        )
        parts.append(
            f"<p><b>Robust choice:</b> {esc(_mix(choice['mix']))}: feasible in "
            f"{choice['feasible_share']:.0%} of the checked samples, {figure}.</p>"
        )
    return parts


def _html_failures(data: dict[str, Any]) -> list[str]:
    if not data["failures"]:
        return []
    rows = [[f["phase"], f["index"], f["mix"], f["attempt"], f["error"]] for f in data["failures"]]
    return ["<h2>Failed attempts</h2>", _table(["phase", "sample", "mix", "attempt", "error"], rows)]


def _html_inputs(data: dict[str, Any]) -> list[str]:
    """Every uncertain input: origin, sampling, range, base and what follows it."""
    rows = [
        [
            i["name"],
            i["origin"],
            i["sampling"],
            i["low"],
            i["high"],
            i["unit"],
            i["base_scalar"],
            "; ".join(i["follows"]),
            i["confidence"] or "",
        ]
        for i in data["inputs"]
    ]
    headers = ["input", "origin", "sampling", "low", "high", "unit", "base", "follows", "confidence"]
    return ["<h2>Uncertain inputs</h2>", _table(headers, rows)]
