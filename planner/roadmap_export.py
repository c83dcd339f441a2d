"""Writing roadmap plans: CSV here; JSON, HTML, XLSX and Markdown by planner.export_roadmap.

CSV holds one table per file (like planner.report.csvfiles: unit-suffixed snake_case
headers, full precision, empty cells for missing values, UTF-8, RFC 4180 quoting):

==============================  ==================================================================
``<stem>.csv``                  the timeline, one line per period: power [MW], money [MUSD],
                                compute [PFLOPS], the on-site gensets, MW, generated and
                                fuel MWh and t CO2 when some period has gensets, then
                                ``units_<family>`` per generation,
                                ``cloud_units_<offer>`` per cloud offer (0 where none), the
                                placed network racks and their kW, the swing battery [MW, MWh]
                                and power floor [MW]
``<stem>-orders.csv``           one line per order of long-lead equipment
``<stem>-changes.csv``          units added and retired, per period and option
``<stem>-mix.csv``              each period's mix: system, place, units, chips, racks, PFLOPS
==============================  ==================================================================

Every file is always written (header only when empty), as one atomic set
(planner.export.commit_files).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from dcplan.planner.export import OutputFileError, check_output_file, commit_files
from dcplan.planner.roadmap_plan import RoadmapPlan

CSV_SUFFIXES = ("-orders.csv", "-changes.csv", "-mix.csv")
#: extensions a roadmap plan is written to (planner.export_roadmap adds .xlsx, .md, .html)
ROADMAP_SUFFIXES = (".json", ".csv", ".xlsx", ".md", ".html", ".htm")


def _text(header: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


TIMELINE_COLUMNS = (
    "energised_mw",
    "used_mw",
    "stranded_mw",
    "capex_musd",
    "opex_musd",
    "cash_flow_musd",
    "cumulative_cash_musd",
    "discount_factor",
    "delivered_pflops",
    "peak_pflops",
)


#: the on-site columns, written only when some period has gensets (planner.roadmap_onsite)
ONSITE_TIMELINE_COLUMNS = ("onsite_gensets", "onsite_mw", "onsite_generated_mwh", "onsite_fuel_mwh", "onsite_co2_t")
#: the placed fabric and the swing mitigation per period (issue 15)
FABRIC_SWING_COLUMNS = ("network_racks", "network_kw", "battery_mw", "battery_mwh", "floor_mw")


def timeline_csv_text(plan: RoadmapPlan) -> str:
    families = sorted({f for p in plan.timeline for f in p.units_by_generation})
    clouds = sorted({c for p in plan.timeline for c in p.cloud_units})
    onsite = ONSITE_TIMELINE_COLUMNS if any(p.onsite_gensets for p in plan.timeline) else ()
    header = ["period", *TIMELINE_COLUMNS, *onsite]
    header += [*(f"units_{f}" for f in families), *(f"cloud_units_{c}" for c in clouds)]
    header += [*FABRIC_SWING_COLUMNS, "energised_note"]
    rows = [
        [
            p.period,
            *(getattr(p, c) for c in TIMELINE_COLUMNS),
            *(getattr(p, c) for c in onsite),
            *(p.units_by_generation.get(f, 0) for f in families),
            *(p.cloud_units.get(c, 0) for c in clouds),
            *(getattr(p, c) for c in FABRIC_SWING_COLUMNS),
            p.energised_note,
        ]
        for p in plan.timeline
    ]
    return _text(header, rows)


def orders_csv_text(plan: RoadmapPlan) -> str:
    header = ["equipment", "owner", "count", "ordered", "delivered", "lead_time_periods"]
    return _text(header, [[getattr(o, c) for c in header] for o in plan.orders])


def changes_csv_text(plan: RoadmapPlan) -> str:
    header = ["period", "change", "option", "system", "family", "row", "hall", "units", "why"]
    rows = [
        [p.period, change, c.option, c.system, c.family, c.row, c.hall, c.units, c.why]
        for p in plan.periods
        for change, changes in (("added", p.added), ("retired", p.retired))
        for c in changes
    ]
    return _text(header, rows)


def mix_csv_text(plan: RoadmapPlan) -> str:
    header = ["period", "system", "family", "place", "units", "chips", "racks", "compute_pflops", "share"]
    rows = [
        [p.period, m.system, m.family, m.place, m.units, m.chips, m.racks, float(m.compute.m_as("PFLOPS")), m.share]
        for p in plan.periods
        for m in p.plan.mix
    ]
    return _text(header, rows)


def csv_paths(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.stem + suffix) for suffix in CSV_SUFFIXES)]


def roadmap_csv_texts(plan: RoadmapPlan, path: Path) -> dict[Path, str]:
    """Every CSV file of an export to ``path`` (``path`` first) with its text."""
    texts = (timeline_csv_text(plan), orders_csv_text(plan), changes_csv_text(plan), mix_csv_text(plan))
    return dict(zip(csv_paths(path), texts, strict=True))


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in ROADMAP_SUFFIXES:
        shown = suffix or "(none)"
        raise OutputFileError(
            f"{path}: a roadmap plan is written as {', '.join(ROADMAP_SUFFIXES[:-1])}, not {shown}",
            file=str(path),
            expected=", ".join(ROADMAP_SUFFIXES[:-1]),
            got=shown,
        )
    return suffix


def check_roadmap_output_path(path: Path, force: bool) -> None:
    """Fail early (before solving) if a file of the export cannot or must not be written."""
    if _suffix(path) == ".csv":
        for one in csv_paths(path):
            check_output_file(one, force)
        return
    try:
        from dcplan.planner.export_roadmap import check_roadmap_output
    except ImportError:
        check_output_file(path, force)
        return
    check_roadmap_output(path, force)


def write_roadmap_plan(plan: RoadmapPlan, path: Path, force: bool = False, pretty: bool = False) -> list[Path]:
    """Write ``plan`` in the format its extension names, as one atomic set; the files written."""
    suffix = _suffix(path)
    if suffix == ".csv":
        check_roadmap_output_path(path, force)
        texts = roadmap_csv_texts(plan, path)
        return commit_files({p: t.encode("utf-8") for p, t in texts.items()}, force)
    try:
        from dcplan.planner.export_roadmap import write_roadmap
    except ImportError:
        if suffix != ".json":
            raise OutputFileError(f"{path}: this dcplan writes roadmap plans as .json or .csv only") from None
        check_output_file(path, force)
        return commit_files({path: plan.to_json_text(pretty).encode("utf-8")}, force)
    return write_roadmap(plan, path, force=force, pretty=pretty)
