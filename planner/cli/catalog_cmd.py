"""`dcplan catalog ...`: list, show, validate, check vendor claims and print the schema of catalog entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from dcplan.planner.cli import common
from dcplan.planner.cli.common import CatalogOption, JsonOption, UserError, console, load_catalog_for_cli, print_json

app = typer.Typer(help="Browse and check hardware, cooling, power-chain and site catalogs.", no_args_is_help=True)


def _origin_label(path: Path) -> str:
    from dcplan.models.catalog import BUILTIN_DIR
    from dcplan.models.catalog.loader import display_path

    if path.resolve().parent == BUILTIN_DIR:
        return f"built-in:{path.name}"
    return display_path(path)


def _summary(kind: str, item: Any) -> dict[str, Any]:
    entry = item.entry
    row: dict[str, Any] = {"id": entry.id, "kind": kind, "name": entry.name, "origin": _origin_label(item.origin)}
    if kind == "system":
        row["status"] = entry.status
        row["form"] = entry.form
        row["family"] = entry.family
        row["chips_per_unit"] = entry.chips_per_unit.value
        row["design_power_kw"] = entry.design_power.magnitude
        for name in ("available_from", "available_until"):
            sourced = getattr(entry, name)
            row[name] = None if sourced is None else sourced.model_dump(mode="json")
    if kind == "lead_time":
        row["equipment"] = entry.equipment
        row["lead_time_weeks"] = entry.weeks
    if item.overrides:
        row["overrides"] = [_origin_label(p) for p in item.overrides]
    return row


@app.command("list")
def list_entries(
    kind: Annotated[
        str | None, typer.Option("--kind", "-k", help="systems | cooling | power | sites | defaults | performance")
    ] = None,
    as_json: JsonOption = False,
    pretty: common.PrettyOption = False,
    catalog: CatalogOption = None,
) -> None:
    """List catalog entries (id, kind, name, where it came from)."""
    from dcplan.models.catalog import KIND_GROUPS

    if kind is not None and kind not in KIND_GROUPS:
        raise UserError(f"--kind: expected one of {', '.join(KIND_GROUPS)}, got {kind!r}")
    cat = load_catalog_for_cli(catalog)
    kinds = KIND_GROUPS[kind] if kind else tuple(k for group in KIND_GROUPS.values() for k in group)
    rows = [_summary(k, item) for k in kinds for item in sorted(cat.items[k].values(), key=lambda i: i.entry.id)]
    if as_json:
        print_json(rows, pretty)
        return
    from rich.table import Table

    table = Table(title=f"dcplan catalog ({len(rows)} entries)", show_lines=False)
    for column in ("id", "kind", "name", "status", "available", "origin"):
        table.add_column(column, overflow="fold")
    for row in rows:
        status = row.get("status", "")
        if status and status != "shipping":
            status = f"[yellow]{status}[/yellow]"
        origin = row["origin"] + (" (overrides built-in)" if row.get("overrides") else "")
        table.add_row(row["id"], row["kind"], row["name"], status, availability_text(row), origin)
    console().print(table)


def _span(dumped: dict[str, Any]) -> str:
    """A sourced date as quarters: ``2025Q4``, or when projected ``~2026Q3 [2026Q3-2027Q2]``."""
    from datetime import date

    from dcplan.models.catalog.schedule import quarter_label

    def quarter(key: str) -> str:
        return quarter_label(date.fromisoformat(dumped.get(key) or dumped["value"]))

    if not dumped.get("projected"):
        return quarter("value")
    return f"~{quarter('value')} [{quarter('low')}-{quarter('high')}]"


def availability_text(row: dict[str, Any]) -> str:
    """A system's availability for a listing: from [to end of sale] in quarters, or ''."""
    start, end = row.get("available_from"), row.get("available_until")
    if start is None:
        return ""
    return _span(start) + ("" if end is None else f" to {_span(end)}")


def _format_value(value: Any) -> str:
    if isinstance(value, list):
        shown = ", ".join(_format_value(v) for v in value[:12])
        return f"[{shown}]"
    if isinstance(value, float):
        return f"{value:,.6g}"
    return str(value)


def _field_rows(data: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    """(field, value, unit, range, confidence, source) for every field of a dumped entry."""
    rows = []
    for name, value in data.items():
        if isinstance(value, dict) and "source" in value and "value" in value:
            span = ""
            if value.get("low") is not None or value.get("high") is not None:
                span = f"{_format_value(value.get('low', ''))} .. {_format_value(value.get('high', ''))}"
            source = value["source"] + (f" ({value['note']})" if value.get("note") else "")
            confidence = value["confidence"] + (", projected" if value.get("projected") else "")
            rows.append((name, _format_value(value["value"]), value.get("unit") or "", span, confidence, source))
        elif isinstance(value, dict) and "load" in value:
            curve = ", ".join(
                f"{load:.0%}: {e:.3f}" for load, e in zip(value["load"], value["efficiency"], strict=True)
            )
            rows.append((name, curve, "ratio at load", "", value["confidence"], value["source"]))
        elif isinstance(value, list) and value and all(isinstance(v, dict) and "goodput" in v for v in value):
            # a goodput curve: one row per job size
            rows += [(f"{name}[{p['chips']:,} chips]", *_field_rows({"goodput": p["goodput"]})[0][1:]) for p in value]
        elif isinstance(value, dict) and any(isinstance(v, dict) and "source" in v for v in value.values()):
            # a nested table of sourced figures (a fabric's link class): one row per figure
            rows += [(f"{name}.{row[0]}", *row[1:]) for row in _field_rows(value)]
        elif value is not None:
            rows.append((name, _format_value(value), "", "", "", ""))
    return rows


@app.command("show")
def show(
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="catalog id, e.g. trn3-ultraserver-gen2")],
    as_json: JsonOption = False,
    pretty: common.PrettyOption = False,
    catalog: CatalogOption = None,
) -> None:
    """Show every field of an entry with its unit, range, confidence and source."""
    from dcplan.models.catalog import UnknownIdError

    cat = load_catalog_for_cli(catalog)
    found = cat.find(entry_id)
    if not found:
        raise UnknownIdError("catalog", entry_id, cat.all_ids())
    kind, item = found[0]
    data = item.entry.model_dump(mode="json")
    origin = {"file": str(item.origin), "label": _origin_label(item.origin)}
    overrides = [str(p) for p in item.overrides]
    if as_json:
        print_json({"kind": kind, "id": entry_id, "origin": origin, "overrides": overrides, "entry": data}, pretty)
        return
    from rich.table import Table

    out = console()
    title = f"{kind} {entry_id}: {item.entry.name}"
    if getattr(item.entry, "status", "shipping") != "shipping":
        title += f"  [yellow]({item.entry.status}: figures are projections)[/yellow]"
    table = Table(
        title=title, caption=f"from {origin['label']}" + (f"; overrides {', '.join(overrides)}" if overrides else "")
    )
    for column in ("field", "value", "unit", "range", "confidence", "source"):
        table.add_column(column, overflow="fold")
    from rich.markup import escape

    for row in _field_rows(data):
        # a list value prints as "[a, b]", which rich would read as markup and drop
        table.add_row(*(escape(cell) for cell in row))
    out.print(table)


def _claimed(check: Any) -> str:
    bound = {"about": "", "at-least": ">= ", "up-to": "<= "}[check.claim.bound]
    return f"{bound}{check.claim.ratio:g}x"


def _implied(check: Any) -> str:
    if check.implied is None:
        return "-"
    if abs(check.implied_high - check.implied_low) <= 1e-9 * check.implied:
        return f"{check.implied:.2f}x"
    return f"{check.implied:.2f}x ({check.implied_low:.2f}..{check.implied_high:.2f})"


@app.command("claims")
def claims(
    as_json: JsonOption = False,
    pretty: common.PrettyOption = False,
    catalog: CatalogOption = None,
) -> None:
    """Vendor claims beside the ratio the catalog's own figures imply, with its range."""
    from dcplan.models.claims import VERDICTS, check_claims, claim_check_json

    checks = check_claims(load_catalog_for_cli(catalog))
    counts = {verdict: sum(1 for c in checks if c.verdict == verdict) for verdict in VERDICTS}
    if as_json:
        print_json({"claims": [claim_check_json(c) for c in checks], "counts": counts}, pretty)
        return
    from rich.markup import escape
    from rich.table import Table

    colour = {"agrees": "green", "disagrees": "red", "no data": "yellow"}
    summary = ", ".join(f"{n} {verdict}" for verdict, n in counts.items())
    table = Table(
        title=f"Vendor claims vs the catalog ({summary})",
        caption="implied = subject / baseline per deployment unit from catalog figures; sources: --json",
        show_lines=True,
    )
    for column in ("claim", "claimed", "implied", "verdict", "basis"):
        table.add_column(column, overflow="fold")
    for check in checks:
        claim = check.claim
        metric = claim.metric + (f" ({claim.precision})" if claim.precision else "")
        basis = escape(check.basis + (f" ({check.note})" if check.note else ""))
        hue = colour[check.verdict]
        table.add_row(
            f"{claim.id}\n{metric}", _claimed(check), _implied(check), f"[{hue}]{check.verdict}[/{hue}]", basis
        )
    console().print(table)


def _weeks(years: Any) -> float | None:
    from dcplan.models.catalog.schedule import WEEKS_PER_YEAR

    return None if years is None else float(years.to("year").magnitude) * WEEKS_PER_YEAR


def _lead_time_rows(cat: Any) -> list[dict[str, Any]]:
    """Every [[lead_time]] entry as a JSON row, by equipment class then value."""
    rows = []
    for item in cat.items["lead_time"].values():
        entry, sourced = item.entry, item.entry.lead_time
        rows.append(
            {
                "id": entry.id,
                "equipment": entry.equipment,
                "name": entry.name,
                "weeks": _weeks(sourced.value),
                "low_weeks": _weeks(sourced.low),
                "high_weeks": _weeks(sourced.high),
                "confidence": sourced.confidence,
                "source": sourced.source,
                "note": sourced.note,
                "origin": _origin_label(item.origin),
            }
        )
    return sorted(rows, key=lambda r: (r["equipment"], r["weeks"], r["id"]))


@app.command("lead-times")
def lead_times(
    as_json: JsonOption = False,
    pretty: common.PrettyOption = False,
    catalog: CatalogOption = None,
) -> None:
    """Lead times of long-lead equipment (order to delivery), with range, confidence and source."""
    from dcplan.planner.cli.textout import TextTable, print_table

    rows = _lead_time_rows(load_catalog_for_cli(catalog))
    if as_json:
        print_json(rows, pretty)
        return
    columns = ("equipment", "id", "weeks", "low", "high", "months", "confidence", "source")
    numbers = ("weeks", "low", "high", "months")
    table = TextTable(f"Lead times ({len(rows)} entries; months = weeks x 7 / 30.44)", columns, right=numbers)

    def shown(value: float | None) -> str:
        return "" if value is None else f"{value:,.0f}"

    for row in rows:
        months = row["weeks"] * 7 / (365.25 / 12)
        table.add_row(
            row["equipment"],
            row["id"],
            shown(row["weeks"]),
            shown(row["low_weeks"]),
            shown(row["high_weeks"]),
            f"{months:,.0f}",
            row["confidence"],
            row["source"].split(" ; ")[0] if not row["source"].startswith("assumption:") else "assumption",
        )
    print_table(table)


@app.command("validate")
def validate(
    folder: Annotated[Path | None, typer.Argument(help="folder of catalog TOML files (default: built-ins)")] = None,
    as_json: JsonOption = False,
    pretty: common.PrettyOption = False,
) -> None:
    """Check a catalog folder: schema, units, ranges, sources and references."""
    from dcplan.models.catalog import BUILTIN_DIR, validate_folder

    target = folder or BUILTIN_DIR
    cat = validate_folder(target)
    count = sum(1 for _ in cat)
    if as_json:
        print_json({"ok": True, "folder": str(target), "entries": count}, pretty)
        return
    typer.echo(f"ok: {target} is valid ({count} entries in the merged catalog)")


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of a catalog file (generated from the pydantic models)."""
    from dcplan.models.catalog import catalog_json_schema

    typer.echo(json.dumps(catalog_json_schema(), indent=2, sort_keys=True))


def register(root: typer.Typer) -> None:
    """Add `dcplan catalog ...`."""
    root.add_typer(app, name="catalog")
