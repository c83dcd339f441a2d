"""`dcplan size` without typer: the command's work, from its flags' text to the tables or
the JSON on stdout.

``planner/cli/size_cmd.py`` declares the flags for typer and calls ``run_size``; the lean
dispatch (``planner/cli/lean.py``) calls it straight from the command line. The defaults
here are the command's defaults (a test holds them equal to size_cmd's).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dcplan.models.errors import DcplanError
from dcplan.planner.cli.core import UserError, load_catalog_for_cli, parse_share, parse_whole, print_json
from dcplan.planner.cli.size_swing import parse_ramp, size_swing, swing_text

if TYPE_CHECKING:
    from dcplan.models.catalog import Catalog


def parse_flag_quantity(flag: str, text: str | None, spec: Any) -> Any:
    """Read a flag's value with units (e.g. ``--power 5MW``) or raise a one-line UserError."""
    from dcplan.models.units import UnitInputError

    if text is None:
        return None
    try:
        return spec.convert(text)
    except UnitInputError as exc:
        raise UserError(f"{flag}: {exc}", field=flag, expected=exc.expected, got=exc.got) from None


def _spec(annotated: Any) -> Any:
    return annotated.__metadata__[0]


def run_size(
    system: str,
    count: str | None = None,
    power: str | None = None,
    racks: str | None = None,
    cooling: str | None = None,
    site: str = "ashburn-va",
    utilisation: str = "1.0",
    redundancy: str | None = None,
    power_chain: str | None = None,
    plant: str | None = None,
    supply_temp: str | None = None,
    chilled_water_temp: str | None = None,
    air_dt: str | None = None,
    liquid_dt: str | None = None,
    fluid: str | None = None,
    slab: str | None = None,
    racks_per_row: str | None = None,
    basis: str = "design",
    ups_basis: str = "it-over-distribution",
    chiller_efficiency: str | None = None,
    pue: str | None = None,
    wue: str | None = None,
    swing_band: str | None = None,
    ramp_limit: str | None = None,
    as_json: bool = False,
    pretty: bool = False,
    catalog: list[Path] | None = None,
) -> None:
    """Size N units of a system (or fill a power or rack budget) on a cooling architecture at a site."""
    from dcplan.models import units as u
    from dcplan.models.sizing import MAX_RACKS_PER_ROW, MAX_SIZING_RACKS, MAX_SIZING_UNITS

    busy = parse_share("--utilisation", utilisation)
    _check_choices(count, power, racks, redundancy, basis)
    units = parse_whole("--count", count, "units", MAX_SIZING_UNITS)
    rack_count = parse_whole("--racks", racks, "racks", MAX_SIZING_RACKS)
    per_row = parse_whole("--racks-per-row", racks_per_row, "rack positions", MAX_RACKS_PER_ROW)
    it_power = parse_flag_quantity("--power", power, _spec(u.PositivePower))
    band = parse_flag_quantity("--swing-band", swing_band, _spec(u.PositivePower))
    ramp = parse_ramp(ramp_limit)
    options_data = {
        "utilisation": busy,
        "provisioning": basis,
        "redundancy": redundancy,
        "power_chain": power_chain,
        "plant": plant,
        "liquid_supply_temp": parse_flag_quantity("--supply-temp", supply_temp, _spec(u.Temperature)),
        "chilled_water_temp": parse_flag_quantity("--chilled-water-temp", chilled_water_temp, _spec(u.Temperature)),
        "air_delta_t": parse_flag_quantity("--air-dt", air_dt, _spec(u.TemperatureDifference)),
        "liquid_delta_t": parse_flag_quantity("--liquid-dt", liquid_dt, _spec(u.TemperatureDifference)),
        "fluid": fluid,
        "slab_rating": parse_flag_quantity("--slab", slab, _spec(u.FloorLoad)),
        "racks_per_row": per_row,
        **_quick_estimate_options(ups_basis, chiller_efficiency, pue, wue),
    }
    cat = load_catalog_for_cli(catalog, lazy=True)  # sizing reads ~12 of the catalog's entries
    cooling_id = cooling or cat.system(system).cooling[0]
    _check_ids(cat, cooling_id, site, {"power_chain": power_chain, "plant": plant, "fluid": fluid})
    request = {"system": system, "cooling": cooling_id, "site": site, "count": units, "it_power": it_power}
    result = _run_sizing(cat, request | {"racks": rack_count}, options_data)
    band_kw = float(band.to("kW").magnitude) if band is not None else None
    result = result.model_copy(update={"swing": size_swing(cat, result, band_kw, ramp)})
    if as_json:
        print_json(result.to_json(), pretty)
        return
    render_sizing(result)
    from dcplan.planner.cli.textout import echo

    for line in swing_text(result.swing):
        echo(line)


def _quick_estimate_options(ups_basis: str, chiller: str | None, pue: str | None, wue: str | None) -> dict[str, Any]:
    """SizingOptions from --ups-basis, --chiller-efficiency, --pue and --wue (one-line errors)."""
    from dcplan.models import units as u

    if ups_basis not in ("it", "it-over-distribution"):
        raise UserError(f"--ups-basis: expected it or it-over-distribution, got {ups_basis!r}", field="--ups-basis")
    options: dict[str, Any] = {"ups_basis": ups_basis}
    if chiller is not None:
        options["chiller_cop"], options["chiller_cop_basis"] = parse_chiller_efficiency(chiller)
    if pue is not None:
        options["pue_target"] = _parse_pue(pue)
    options["wue_target"] = parse_flag_quantity("--wue", wue, _spec(u.WaterIntensity))
    return options


def parse_chiller_efficiency(text: str) -> tuple[float, str]:
    """A chiller rating: a COP ("6", "COP 6") or kW per ton of refrigeration ("0.6 kW/ton";
    kW/TR, kW/ton_of_refrigeration and kW/refrigeration_ton too), as (COP, how it was given).

    Here "ton" is the ton of refrigeration (12,000 Btu/h = 3.517 kW of heat removed), the
    unit chiller ratings use: ``COP = 3.517 / (kW/ton)``.
    """
    from dcplan.models.thermal import cop_from_kw_per_ton

    expected = "a COP such as '6' or kW per ton of refrigeration such as '0.6kW/ton'"
    match = re.fullmatch(r"\s*(?:cop\s*[=:]?\s*)?([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*(.*?)\s*", text, re.IGNORECASE)
    unit = re.sub(r"\s+", "", match.group(2)).lower() if match else "?"
    if match is None or unit not in ("", "kw/ton", "kw/tr", "kw/ton_of_refrigeration", "kw/refrigeration_ton"):
        raise UserError(
            f"--chiller-efficiency: expected {expected}, got {text!r}",
            field="--chiller-efficiency",
            expected=expected,
            got=text,
        )
    value = float(match.group(1))
    if unit == "":
        if not 1.0 <= value <= 20.0:
            raise UserError(
                f"--chiller-efficiency: a COP is between 1 and 20, got {value:g}", field="--chiller-efficiency"
            )
        return value, f"input COP {value:g}"
    if not 0.1 <= value <= 3.0:
        raise UserError(
            f"--chiller-efficiency: kW/ton is between 0.1 and 3, got {value:g}", field="--chiller-efficiency"
        )
    cop = float(cop_from_kw_per_ton(value))
    return cop, f"input {value:g} kW/ton = COP {cop:.3g}"


def _parse_pue(text: str) -> float:
    """--pue: a plain number from 1 to 5."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 1.0 <= value <= 5.0:
        raise UserError(
            f"--pue: expected a PUE from 1 to 5 such as '1.25', got {text!r}",
            field="--pue",
            expected="a PUE from 1 to 5",
            got=text,
        )
    return value


def _check_choices(count: str | None, power: str | None, racks: str | None, redundancy: str | None, basis: str) -> None:
    """One of --count/--power/--racks, and a known redundancy and provisioning basis."""
    if sum(x is not None for x in (count, power, racks)) != 1:
        raise UserError("give exactly one of --count, --power or --racks")
    if redundancy is not None and redundancy not in ("N", "N+1", "2N", "2(N+1)", "DR"):
        raise UserError(f"--redundancy: expected N, N+1, 2N, 2(N+1) or DR, got {redundancy!r}")
    if basis not in ("nameplate", "design", "typical"):
        raise UserError(f"--basis: expected nameplate, design or typical, got {basis!r}")


def _check_ids(cat: Catalog, cooling_id: str, site: str, optional: dict[str, str | None]) -> None:
    """The cooling, site and any given power chain, plant or fluid exist in the catalog
    (the catalog raises its own "unknown ... id" user error)."""
    cat.cooling(cooling_id)
    cat.site(site)
    for kind, value in optional.items():
        if value is not None:
            cat.get(kind, value)


def _run_sizing(cat: Catalog, request_data: dict[str, Any], options_data: dict[str, Any]) -> Any:
    """``models.sizing.size`` on the request; a validation error becomes one line naming its field."""
    from pydantic import ValidationError

    from dcplan.models.sizing import SizingOptions, SizingRequest
    from dcplan.models.sizing import size as run_size

    try:
        options = SizingOptions(**options_data)
        request = SizingRequest(**request_data)
        return run_size(cat, request, options)
    except ValidationError as exc:
        raise DcplanError.from_validation(exc) from None


def render_sizing(result: Any) -> None:
    """Readable tables of a SizingResult: the figures, the equipment, then each warning and
    broken limit on one line (plain text, planner/cli/textout.py)."""
    from dcplan.planner.cli.textout import TextTable, echo, print_table, style
    from dcplan.planner.report.allin import all_in_rows
    from dcplan.planner.report.quantity import prose_units
    from dcplan.planner.report.text import equipment_rows, sizing_rows

    summary = TextTable(
        f"{result.units} x {result.system} on {result.cooling} at {result.site}",
        ("what", "value"),
        right=("value",),
        show_header=False,
    )
    for name, value in sizing_rows(result) + all_in_rows(result.all_in):
        summary.add_row(name, value)
    print_table(summary)
    columns = ("item", "count", "each", "installed", "used", "utilisation")
    equipment = TextTable(
        f"Equipment ({result.redundancy} electrical, power chain {result.power_chain})", columns, right=columns[1:]
    )
    for row in equipment_rows(result):
        equipment.add_row(*row)
    print_table(equipment)
    for warning in result.warnings:
        echo(f"{style('NOT DEPLOYABLE', 'bold', 'yellow')} {warning}")
    violations = result.violations
    if violations:
        for check in violations:
            echo(f"{style('LIMIT BROKEN', 'bold', 'red')} {check.limit}: {prose_units(check.message)}")
    else:
        echo(style("All limits met.", "green"))
