"""`dcplan size`: racks, power, heat, flows, equipment, space, energy and cost for N units.

The flags for typer (``dcplan size --help``, and every command line the lean dispatch of
``planner/cli/lean.py`` hands back); the work is ``size_run.run_size``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from dcplan.planner.cli.common import CatalogOption, JsonOption, PrettyOption
from dcplan.planner.cli.size_run import run_size


def size(
    system: Annotated[str, typer.Option("--system", "-s", help="system id, e.g. trn3-ultraserver-gen2")],
    count: Annotated[str | None, typer.Option("--count", "-n", help="number of deployment units")] = None,
    power: Annotated[str | None, typer.Option("--power", help="fill this IT power, e.g. 5MW")] = None,
    racks: Annotated[str | None, typer.Option("--racks", help="fill this many racks")] = None,
    cooling: Annotated[str | None, typer.Option("--cooling", help="cooling id (default: the system's first)")] = None,
    site: Annotated[str, typer.Option("--site", help="site id")] = "ashburn-va",
    utilisation: Annotated[str, typer.Option("--utilisation", "-u", help="busy share for energy: 0.8 or 80%")] = "1.0",
    redundancy: Annotated[str | None, typer.Option("--redundancy", help="N | N+1 | 2N | 2(N+1) | DR")] = None,
    power_chain: Annotated[str | None, typer.Option("--power-chain", help="power-chain id")] = None,
    plant: Annotated[str | None, typer.Option("--plant", help="heat-rejection plant id")] = None,
    supply_temp: Annotated[str | None, typer.Option("--supply-temp", help="facility-water supply, e.g. 35degC")] = None,
    chilled_water_temp: Annotated[
        str | None, typer.Option("--chilled-water-temp", help="CRAH chilled water, e.g. 18degC")
    ] = None,
    air_dt: Annotated[str | None, typer.Option("--air-dt", help="air temperature rise, e.g. 12K")] = None,
    liquid_dt: Annotated[str | None, typer.Option("--liquid-dt", help="coolant temperature rise, e.g. 10K")] = None,
    fluid: Annotated[str | None, typer.Option("--fluid", help="coolant id: water | pg25")] = None,
    slab: Annotated[str | None, typer.Option("--slab", help="slab rating, e.g. 1500kg/m**2 or 15kN/m**2")] = None,
    racks_per_row: Annotated[str | None, typer.Option("--racks-per-row", help="rack positions per row")] = None,
    basis: Annotated[str, typer.Option("--basis", help="provisioning basis: nameplate | design | typical")] = "design",
    ups_basis: Annotated[
        str, typer.Option("--ups-basis", help="UPS sized on: it | it-over-distribution (IT / distribution efficiency)")
    ] = "it-over-distribution",
    chiller_efficiency: Annotated[
        str | None, typer.Option("--chiller-efficiency", help="rated chiller COP (6) or kW per ton (0.6kW/ton)")
    ] = None,
    pue: Annotated[
        str | None, typer.Option("--pue", help="quick estimate: PUE target instead of the plant model")
    ] = None,
    wue: Annotated[str | None, typer.Option("--wue", help="quick estimate: WUE target, e.g. 0.3L/kWh")] = None,
    swing_band: Annotated[
        str | None, typer.Option("--swing-band", help="allowed training swing, e.g. 10MW: the mitigation it needs")
    ] = None,
    ramp_limit: Annotated[str | None, typer.Option("--ramp-limit", help="job start/stop ramp limit in MW/s")] = None,
    as_json: JsonOption = False,
    pretty: PrettyOption = False,
    catalog: CatalogOption = None,
) -> None:
    """Size N units of a system (or fill a power or rack budget) on a cooling architecture at a site."""
    run_size(**locals())  # the parameters, by name: run_size takes exactly these


def register(root: typer.Typer) -> None:
    """Add `dcplan size`."""
    root.command("size")(size)
