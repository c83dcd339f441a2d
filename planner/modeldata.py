"""From Scenario + Catalog to plain-float model data: sparse index sets and coefficients.

Nothing here is re-derived physics: every per-unit figure comes from
``models.sizing.unit_coefficients``. This module decides which (row template, system,
cooling) *options* exist — pruning those that break a hard rule (availability, cooling
support, rack density, slab rating) and recording why — and computes per-row capacities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from dcplan.models import equipment
from dcplan.models.availability import deployable_at
from dcplan.models.catalog import Busway, Catalog, Cooling, PowerChain, RackPdu, System
from dcplan.models.limits import fmt_figure, rack_power_cap_kw
from dcplan.models.sizing import SizingOptions, UnitCoefficients, unit_coefficients
from dcplan.models.units import Q_
from dcplan.planner.delivered import EfficiencyLookup, Need, PairData, workload_pairs
from dcplan.planner.fabric_data import FabricPerUnit, PlacedFabric, placed_fabric, placed_share, units_per_row_positions
from dcplan.planner.modeldata_checks import require_purchase_prices
from dcplan.planner.onsite_data import SiteOnsite, site_onsites
from dcplan.planner.scenario import (
    CloudOffer,
    Hall,
    Row,
    Scenario,
    ScenarioHeader,
    SiteLimits,
    Workload,
    uses_peak,
)
from dcplan.planner.scenario_refs import check_catalog_references
from dcplan.planner.swing_data import SiteSwing, site_swings
from dcplan.planner.water_data import HeatReuse, hall_loops, loop_row_options, loop_warnings, with_water_class

HOURS_PER_YEAR = 8760.0
KG_PER_M2 = Q_(1.0, "kg/m**2").units  # parsed once: pint parses a unit string on every .to()


@dataclass(frozen=True)
class Option:
    """One way to fill rows of a row template: a system on a cooling architecture."""

    key: str
    row: str
    hall: str
    site: str
    system: str
    family: str
    software: str
    cooling: str
    coeff: UnitCoefficients
    rows_available: int
    racks_per_unit: float  # racks one unit occupies (servers: 1 / per rack)
    racks_per_unit_slots: int  # adjacent slots a unit needs (1 for servers)
    units_per_row_positions: int  # floor(positions / r) * per-rack (UltraServers cannot straddle rows)
    busway_feed_kw: float  # continuous kW one feed of one row carries
    feeds: int  # 2 for A/B rows, 1 for single-feed rows
    positions: int
    busway_id: str
    busway_runs_per_feed: int
    row_liquid_kw: float | None
    row_air_kw: float | None
    capex_per_unit_usd: float  # IT + cooling + building + per-kW electrical
    pdu_capex_per_rack_usd: float  # rack PDUs and their busway tap-offs
    units_per_rack: int
    busway_capex_per_row_usd: float
    energy_cost_per_unit_usd: float  # per year at the site price
    compute_per_unit: float  # peak dense TFLOPS at the scenario precision
    chips_per_unit: int
    ups_kw_per_unit: float  # UPS output load per unit
    transformer_kva_per_unit: float
    facility_design_kw_per_unit: float
    fabric: FabricPerUnit | None = None  # the unit's network + storage racks at the row's end
    water_class: str | None = None  # its hall's [[water_loop]] class (planner.water_data)
    reuse_kw_per_unit: float = 0.0  # heat a unit gives its loop's heat taker at average load [kW thermal]

    @property
    def row_caps(self) -> dict[str, int]:
        """Most units one row can take under each row limit, as whole numbers of units.

        positions: floor(P / r_unit) units (servers: x per rack); busway: floor(P_feed / P_IT,unit);
        liquid / air: floor(Q_row / Q_unit). A row's last rack of servers may be part-full:
        a row whose busway carries 47 servers at 3 per rack holds 47 (15 full racks and one
        with 2), not 45.
        """
        caps = {
            "positions": self.units_per_row_positions,
            "busway": math.floor(self.busway_feed_kw / self.coeff.it_provisioned_kw + 1e-9),
        }
        if self.row_liquid_kw is not None and self.coeff.liquid_kw > 0:
            caps["liquid"] = math.floor(self.row_liquid_kw / self.coeff.liquid_kw + 1e-9)
        if self.row_air_kw is not None and self.coeff.room_air_kw > 0:
            caps["air"] = math.floor(self.row_air_kw / self.coeff.room_air_kw + 1e-9)
        return {name: max(0, cap) for name, cap in caps.items()}

    @property
    def network_area_m2_per_unit(self) -> float:
        """Whitespace of the unit's network and storage racks: ``n * A_gross,rack`` [m**2]."""
        return self.fabric.racks * self.coeff.gross_area_m2 if self.fabric is not None else 0.0

    @property
    def units_per_row_max(self) -> int:
        """The most units one row can take: the tightest of ``row_caps``."""
        return min(self.row_caps.values())


@dataclass(frozen=True)
class CloudOption:
    """Rentable units of a system in a cloud region."""

    key: str
    offer: CloudOffer
    system: str
    family: str
    software: str
    quota: int
    hourly_usd: float
    compute_per_unit: float
    chips_per_unit: int
    it_design_kw_per_unit: float = 0.0  # the system's design power (a share on the power basis)

    @property
    def annual_cost_usd(self) -> float:
        return self.hourly_usd * HOURS_PER_YEAR


@dataclass(frozen=True)
class HallData:
    hall: Hall
    site: str
    redundancy: str
    ups_module_kw: float
    ups_capex_usd: float
    transformer_kva: float
    transformer_capex_usd: float
    optional: bool
    build_cost_usd: float
    total_rows: int


@dataclass(frozen=True)
class SiteData:
    limits: SiteLimits
    operator: str
    residency: str
    generator_kw: float  # derated rating per generator
    generator_capex_usd: float
    generator_redundancy: str


@dataclass(frozen=True)
class Pruned:
    """An option that cannot exist, and why (shown in the plan)."""

    row: str
    system: str
    cooling: str
    reason: str


@dataclass
class ModelData:
    """Everything the formulation needs, as plain floats in canonical units."""

    scenario: Scenario
    options: list[Option]
    clouds: list[CloudOption]
    halls: dict[str, HallData]
    sites: dict[str, SiteData]
    workloads: list[Workload]
    eligible: dict[str, list[str]]  # workload id -> supply keys (option keys and cloud keys)
    pruned: list[Pruned] = field(default_factory=list)
    pv_factor: float = 1.0
    precision: str = "fp8"
    #: per eligible (workload, supply): precision, demand-row rate and delivered PFLOPS per unit
    pairs: dict[tuple[str, str], PairData] = field(default_factory=dict)
    needs: dict[str, Need] = field(default_factory=dict)  # workload id -> demand floor
    workload_pruned: list[str] = field(default_factory=list)  # pairs that cannot run, and why
    #: first supply key -> the supplies whose units the models' alloc[w, first] share (planner.delivered.supply_groups)
    supply_groups: dict[str, list[str]] = field(default_factory=dict)
    placed_fabric: PlacedFabric = field(default_factory=dict)  # site -> per-unit network/storage racks
    #: min-cost-per-delivered: the Dinkelbach parameter lambda of the parametric objective
    #: ``tco - lambda x delivered work`` (planner.ratio) [USD per PFLOP-day]
    ratio_lambda_usd_per_pflop_day: float = 0.0
    #: site id -> SiteSwing of its [[utility_limit]] (planner.swing_data; none: no swing rows)
    swing: dict[str, SiteSwing] = field(default_factory=dict)
    #: hall id -> allowed water classes of its [[water_loop]] (planner.water_data), and warnings
    water: dict[str, tuple[str, ...]] = field(default_factory=dict)
    water_warnings: tuple[str, ...] = ()
    reuse: dict[str, HeatReuse] = field(default_factory=dict)  # hall -> its loop's heat offtake (planner.water_data)
    #: site id -> SiteOnsite of its [[onsite_power]] (planner.onsite_data; none: no on-site rows)
    onsite: dict[str, SiteOnsite] = field(default_factory=dict)

    def options_in_hall(self, hall_id: str) -> list[Option]:
        return [o for o in self.options if o.hall == hall_id]

    def options_in_row(self, row_id: str) -> list[Option]:
        return [o for o in self.options if o.row == row_id]

    def options_at_site(self, site_id: str) -> list[Option]:
        return [o for o in self.options if o.site == site_id]

    def hall_sizing(self, hall_id: str, water_class: str | None = None) -> SizingOptions:
        """The hall's sizing with the placed fabric, at ``water_class``'s supply if one is given."""
        sizing = sizing_options(self.scenario, self.halls[hall_id].hall, self.placed_fabric)
        return sizing if water_class is None else with_water_class(sizing, water_class)


def present_value_factor(rate: float, years: float) -> float:
    """PV of 1 USD a year for ``years`` at ``rate``: ``(1 - (1 + r)^-n) / r`` (``n`` when r = 0)."""
    if rate == 0:
        return years
    return (1.0 - (1.0 + rate) ** -years) / rate


def sizing_options(scenario: Scenario, hall: Hall, placed: PlacedFabric | None = None) -> SizingOptions:
    """The sizing choices a scenario makes for one hall (shared by model data and evaluation),
    with the per-unit network and storage racks ``placed`` at its site (``fabric_data``)."""
    header = scenario.scenario
    return SizingOptions(
        placed_fabric=placed.get(hall.site, ()) if placed else (),
        utilisation=header.utilisation,
        provisioning=header.provisioning,
        typical_headroom=header.typical_headroom,
        redundancy=header.redundancy,
        power_chain=header.power_chain,
        plant=hall.plant,
        slab_rating=hall.slab_rating,
        ups_basis=header.ups_basis,
        pue_target=header.pue_target,
        wue_target=header.wue_target,
    )


# The steps of build_model_data: per site, per hall, per row, per (system, cooling) option,
# clouds, and which supply each workload may use.


def _power_chain(scenario: Scenario, catalog: Catalog) -> PowerChain:
    """The scenario's power chain, else the catalog default."""
    return catalog.power_chain(scenario.scenario.power_chain or catalog.defaults.power_chain)


def _site_data(scenario: Scenario, catalog: Catalog) -> dict[str, SiteData]:
    """Per site: its limits, who operates it, and the derated kW and price of one generator."""
    sites: dict[str, SiteData] = {}
    for limits in scenario.site:
        site = catalog.site(limits.id)
        chain = _power_chain(scenario, catalog)
        generator = catalog.generator(chain.generator)
        sites[limits.id] = SiteData(
            limits=limits,
            operator=limits.operator or site.operator,
            residency=limits.residency,
            generator_kw=equipment.generator_kw(generator),  # type: ignore[arg-type]
            generator_capex_usd=float(generator.capex.magnitude),  # type: ignore[attr-defined]
            generator_redundancy=chain.generator_redundancy,
        )
    return sites


def _rows_by_hall(scenario: Scenario, catalog: Catalog) -> dict[str, list[Row]]:
    """Row templates grouped by hall, in scenario order (each row's busway and coolings looked up)."""
    rows_by_hall: dict[str, list[Row]] = {}
    for row in scenario.row:
        rows_by_hall.setdefault(row.hall, []).append(row)
        catalog.busway(row.busway)
        for cooling_id in row.cooling:
            catalog.cooling(cooling_id)
    return rows_by_hall


def _hall_data(scenario: Scenario, catalog: Catalog, hall: Hall, rows: list[Row]) -> HallData:
    """Per hall: its redundancy, the UPS module and transformer sizes and prices, and build cost."""
    chain = _power_chain(scenario, catalog)
    ups = catalog.ups(chain.ups)
    transformer = catalog.transformer(chain.transformer)
    return HallData(
        hall=hall,
        site=hall.site,
        redundancy=scenario.scenario.redundancy or chain.redundancy,
        ups_module_kw=float(ups.rating.magnitude),  # type: ignore[attr-defined]
        ups_capex_usd=float(ups.capex.magnitude),  # type: ignore[attr-defined]
        transformer_kva=float(transformer.rating.magnitude),  # type: ignore[attr-defined]
        transformer_capex_usd=float(transformer.capex.magnitude),  # type: ignore[attr-defined]
        optional=hall.build == "optional",
        build_cost_usd=float(hall.build_cost.magnitude) if hall.build_cost is not None else 0.0,
        total_rows=sum(r.count for r in rows),
    )


@dataclass(frozen=True)
class _RowContext:
    """What every option of one row template shares: its hall, feeds, busway and rack PDU."""

    hall: Hall
    row: Row
    chain: PowerChain
    operator: str
    sizing: SizingOptions
    slab_kg_m2: float
    feeds: int  # 2 for A/B rows, 1 for single-feed rows
    busway: Busway
    run_kw: float  # continuous kW of one busway run
    pdu: RackPdu
    pdu_kw: float  # continuous kW of one rack PDU
    busway_row_capex_usd: float  # feeds * runs per feed * price per run
    peak_use: bool = True  # the scenario reads peak PFLOPS (objective, share or workload)
    heat_reuse: HeatReuse | None = None  # the hall's [[water_loop]] heat offtake (planner.water_data)


def _row_context(
    catalog: Catalog, hall: Hall, hall_sizing: SizingOptions, row: Row, operator: str, chain: PowerChain
) -> _RowContext:
    """One row's shared figures: ``P_run`` and ``P_pdu`` continuous [kW], busway capex per row [USD]."""
    busway = catalog.busway(row.busway)
    run_kw = equipment.circuit_kw(busway.voltage, busway.current, chain)
    pdu = catalog.rack_pdu(chain.rack_pdu)
    feeds = 2 if row.feeds == "A/B" else 1
    return _RowContext(
        hall=hall,
        row=row,
        chain=chain,
        operator=operator,
        sizing=hall_sizing,
        slab_kg_m2=float(hall.slab_rating.to(KG_PER_M2).magnitude),
        feeds=feeds,
        busway=busway,
        run_kw=run_kw,
        pdu=pdu,
        pdu_kw=equipment.pdu_kw(pdu, chain),
        busway_row_capex_usd=feeds * row.busway_runs_per_feed * float(busway.capex.magnitude),
    )


def _hard_rule_reason(ctx: _RowContext, system: System, cooling: Cooling, coeff: UnitCoefficients) -> str | None:
    """Why this option cannot exist, or None: rack power over the system's cap on the cooling, rack mass
    over its footprint ``m / A_fp`` above the hall's slab [kg/m2]."""
    cap_kw = rack_power_cap_kw(system, cooling)  # the same cap sizing packs and checks against
    if coeff.rack_kw > cap_kw * (1 + 1e-9):
        return f"{fmt_figure(coeff.rack_kw)} kW per rack exceeds {fmt_figure(cap_kw)} kW on {cooling.id}"
    footprint_load = coeff.rack_mass_kg / coeff.footprint_m2
    if footprint_load > ctx.slab_kg_m2 * (1 + 1e-9):
        return f"{footprint_load:,.0f} kg/m2 over the rack footprint exceeds hall {ctx.hall.id}'s {ctx.slab_kg_m2:,.0f} kg/m2 slab"
    return None


def _units_per_row_positions(ctx: _RowContext, system: System, coeff: UnitCoefficients) -> tuple[int, int]:
    """(rack slots one unit needs, units a row's positions hold with its fabric racks at the end)."""
    slots = 1 if system.form == "server" else int(system.racks_per_unit.value)  # type: ignore[union-attr]
    n_fabric = share.racks if (share := placed_share(ctx.sizing, system)) else 0.0
    return slots, units_per_row_positions(ctx.row.positions, slots, coeff.units_per_rack, n_fabric)


def _make_option(
    ctx: _RowContext,
    catalog: Catalog,
    header: ScenarioHeader,
    system: System,
    coeff: UnitCoefficients,
    slots_and_per_row: tuple[int, int],
) -> Option:
    """One option's coefficients.

    Capex per unit = IT + cooling + building + per-kW electrical + the PDUs of its share
    ``n`` of network and storage racks, ``n * n_pdu,net * (c_pdu + c_tap)`` with ``n_pdu,net``
    for a network rack of ``P_fabric,unit / n`` [kW] (linear in units; the plan counts the
    whole racks of each row); PDU capex per rack ``n_pdu * (c_pdu + c_tap)``; energy cost ``P_fac,avg * 8760 h * price`` [USD/yr]; UPS load
    ``P_IT / eta_dist`` and transformer ``(P_UPS / eta_UPS,min + P_cool + P_misc) / pf`` [kVA],
    with the lowest tabulated UPS efficiency so the MIP does not under-count transformers.
    """
    row, chain = ctx.row, ctx.chain
    slots, per_row_positions = slots_and_per_row
    pdus_per_rack = equipment.pdus_per_rack(coeff.rack_kw, ctx.pdu_kw, ctx.feeds)
    pdu_and_tap_usd = float(ctx.pdu.capex.magnitude) + float(ctx.busway.tap_off_capex.magnitude)
    pdu_capex = pdus_per_rack * pdu_and_tap_usd
    capex = (
        coeff.capex_it_usd + coeff.capex_cooling_usd + coeff.capex_building_usd + coeff.capex_electrical_per_unit_usd
    )
    if (share := placed_share(ctx.sizing, system)) is not None and share.racks > 0:
        net_pdus = equipment.pdus_per_rack(share.kw / share.racks, ctx.pdu_kw, ctx.feeds)
        capex += share.racks * net_pdus * pdu_and_tap_usd
    price = float(header.electricity_price.magnitude) if header.electricity_price else coeff.energy_price_usd_kwh
    eta_u_min = float(min(catalog.ups(chain.ups).efficiency.efficiency))  # type: ignore[attr-defined]
    ups_load = equipment.ups_load_kw(coeff.it_provisioned_kw, chain, header.ups_basis)
    through_ups = equipment.ups_load_kw(coeff.it_provisioned_kw, chain)  # losses pass the UPS on either basis
    xfmr_kva = equipment.transformer_load_kva(through_ups, eta_u_min, coeff.cooling_design_kw + coeff.misc_kw, chain)
    return Option(
        key=f"{row.id}/{system.id}/{coeff.cooling_id}",
        row=row.id,
        hall=ctx.hall.id,
        site=ctx.hall.site,
        system=system.id,
        family=system.family,
        software=system.software,
        cooling=coeff.cooling_id,
        coeff=coeff,
        rows_available=row.count,
        racks_per_unit=coeff.racks,
        racks_per_unit_slots=slots,
        units_per_row_positions=per_row_positions,
        busway_feed_kw=row.busway_runs_per_feed * ctx.run_kw,
        feeds=ctx.feeds,
        positions=row.positions,
        busway_id=row.busway,
        busway_runs_per_feed=row.busway_runs_per_feed,
        row_liquid_kw=float(row.liquid_capacity.magnitude) if row.liquid_capacity is not None else None,
        row_air_kw=float(row.air_capacity.magnitude) if row.air_capacity is not None else None,
        capex_per_unit_usd=capex,
        pdu_capex_per_rack_usd=pdu_capex,
        units_per_rack=coeff.units_per_rack,
        busway_capex_per_row_usd=ctx.busway_row_capex_usd,
        energy_cost_per_unit_usd=coeff.facility_average_kw * HOURS_PER_YEAR * price,
        compute_per_unit=coeff.compute_tflops(header.precision),
        chips_per_unit=coeff.chips,
        ups_kw_per_unit=ups_load,
        transformer_kva_per_unit=xfmr_kva,
        facility_design_kw_per_unit=coeff.facility_design_kw,
        fabric=placed_share(ctx.sizing, system),
    )


#: unit_coefficients by (system, cooling, site, plant, slab): halls differ only in plant and
#: slab rating among the sizing options, so the same (system, cooling, site) recurs across
#: rows and halls and is sized once.
_CoefficientCache = dict[tuple[str, str, str, str | None, float], UnitCoefficients]


def _coefficients(
    catalog: Catalog, cache: _CoefficientCache, ctx: _RowContext, system_id: str, cooling_id: str
) -> UnitCoefficients:
    key = (system_id, cooling_id, ctx.hall.site, ctx.hall.plant, ctx.slab_kg_m2)
    coeff = cache.get(key)
    if coeff is None:
        coeff = cache[key] = unit_coefficients(catalog, system_id, cooling_id, ctx.hall.site, ctx.sizing)
    return coeff


def _option_or_reason(
    ctx: _RowContext,
    catalog: Catalog,
    header: ScenarioHeader,
    system: System,
    cooling_id: str,
    cache: _CoefficientCache,
) -> Option | str:
    """The option of ``system`` on ``cooling_id`` in this row, or why it cannot exist."""
    if cooling_id not in system.cooling:
        return f"{system.id} does not support {cooling_id}"
    coeff = _coefficients(catalog, cache, ctx, system.id, cooling_id)
    reason = _hard_rule_reason(ctx, system, catalog.cooling(cooling_id), coeff)
    if reason:
        return reason
    slots, per_row_positions = _units_per_row_positions(ctx, system, coeff)
    if per_row_positions < 1:
        return f"a row of {ctx.row.positions} positions cannot hold one {slots}-rack unit"
    option = _make_option(ctx, catalog, header, system, coeff, (slots, per_row_positions))
    if option.units_per_row_max < 1:
        return "one unit exceeds the row's busway or row cooling capacity"
    if option.compute_per_unit <= 0 and ctx.peak_use:
        return f"{system.id} has no {header.precision} figure"
    return option


def _row_options(
    ctx: _RowContext,
    catalog: Catalog,
    header: ScenarioHeader,
    candidates: dict[str, System],
    cache: _CoefficientCache,
    out: tuple[list[Option], list[Pruned]],
) -> None:
    """Every (candidate system, row cooling) option of one row into ``out``: kept or pruned."""
    options, pruned = out
    for system_id, system in sorted(candidates.items()):
        unavailable = deployable_at(system, catalog.site(ctx.hall.site), ctx.operator)
        if unavailable:
            pruned.append(Pruned(ctx.row.id, system_id, "*", unavailable))
            continue
        for cooling_id in dict.fromkeys(ctx.row.cooling):  # a cooling listed twice is one option
            result = _option_or_reason(ctx, catalog, header, system, cooling_id, cache)
            if isinstance(result, str):
                pruned.append(Pruned(ctx.row.id, system_id, cooling_id, result))
            else:
                options.append(result)


def build_model_data(
    scenario: Scenario, catalog: Catalog, lookup: EfficiencyLookup | None = None, placed: PlacedFabric | None = None
) -> ModelData:
    """Validate references against the catalog, prune impossible options, compute coefficients.

    ``lookup`` gives the efficiency and goodput figures of classed workloads (default: the
    catalog's, through dcplan.models.efficiency; planner.delivered). ``placed``: the per-unit
    network and storage racks to size with instead of ``placed_fabric``'s (a roadmap
    period's, planner.roadmap_fabric); None: the scenario's own.
    """
    check_catalog_references(scenario, catalog)  # one line per unknown id: file, table, field
    header = scenario.scenario
    require_purchase_prices(scenario, catalog)
    sites = _site_data(scenario, catalog)
    candidates: dict[str, System] = {c.system: catalog.system(c.system) for c in scenario.candidate}
    for offer in scenario.cloud:
        catalog.system(offer.system)
    rows_by_hall = _rows_by_hall(scenario, catalog)
    peak_use = uses_peak(scenario)

    halls: dict[str, HallData] = {}
    options: list[Option] = []
    pruned: list[Pruned] = []
    cache: _CoefficientCache = {}
    if placed is None:
        placed = placed_fabric(scenario, catalog, sizing_options)
    loops, reuse = hall_loops(scenario), HeatReuse.by_hall(scenario)
    for hall in scenario.hall:
        rows = rows_by_hall.get(hall.id, [])
        halls[hall.id] = _hall_data(scenario, catalog, hall, rows)
        if hall.plant is not None:
            catalog.plant(hall.plant)
        chain, hall_sizing = _power_chain(scenario, catalog), sizing_options(scenario, hall, placed)
        for row in rows:
            ctx = _row_context(catalog, hall, hall_sizing, row, sites[hall.site].operator, chain)
            ctx = replace(ctx, peak_use=peak_use, heat_reuse=reuse.get(hall.id))
            if hall.id in loops:  # one option per allowed class (planner.water_data)
                loop_row_options(ctx, catalog, header, candidates, loops[hall.id], (options, pruned), _row_options)
            else:
                _row_options(ctx, catalog, header, candidates, cache, (options, pruned))
    from dcplan.planner.modeldata_cloud import cloud_options  # it builds modeldata's CloudOption

    clouds = cloud_options(scenario, catalog, pruned)
    per_pair = workload_pairs(scenario, catalog, (options, clouds), sites, lookup)
    years = float(header.tco_horizon.to("year").magnitude)
    return ModelData(
        scenario=scenario,
        options=options,
        clouds=clouds,
        halls=halls,
        sites=sites,
        workloads=list(scenario.workload),
        eligible=per_pair.eligible,
        pruned=pruned,
        pv_factor=present_value_factor(header.discount_rate, years),
        precision=header.precision,
        pairs=per_pair.pairs,
        needs=per_pair.needs,
        workload_pruned=per_pair.pruned,
        supply_groups=per_pair.groups,
        swing=site_swings(scenario, catalog, options),
        water=loops,
        reuse=reuse,
        water_warnings=tuple(loop_warnings(loops, options, pruned, {r.id: r.hall for r in scenario.row})),
        onsite=site_onsites(scenario, catalog, options),
        placed_fabric=placed,
    )


def quantity_text(value: float, unit: str) -> str:
    """Human text for a plain float in a unit, e.g. '3.4 MW'."""
    return f"{Q_(value, unit):~,.4g}"
