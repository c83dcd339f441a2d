"""Turn a solution into a CapacityPlan, with every figure recomputed by models/.

The solver's own expressions are not trusted for the plan: power, heat, energy, costs and
equipment counts are recomputed from the layout with ``models.sizing.size`` and the
``models.power`` kernels, then ``planner.recheck`` compares them with every limit.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from dcplan.models import equipment
from dcplan.models.catalog import Catalog, Entry
from dcplan.models.catalog.loader import display_path
from dcplan.models.catalog.schema import ROADMAP_FIELDS, PowerChain, Transformer, Ups
from dcplan.models.sizing import SizingRequest, SizingResult, size
from dcplan.models.units import qty, ureg
from dcplan.planner.layout import RowFill, build_layout, fill_rows
from dcplan.planner.modeldata import HOURS_PER_YEAR, HallData, ModelData
from dcplan.planner.plan import (
    Assumption,
    CapacityPlan,
    Costs,
    Diagnosis,
    EnergySummary,
    EquipmentCount,
    HallPlan,
    Layout,
    LimitUse,
    MixLine,
    Recheck,
    RowPlan,
    SolverInfo,
)
from dcplan.planner.plan_allin import fabric_entries_used, plan_all_in
from dcplan.planner.row_electrical import row_electrical
from dcplan.planner.solve import SolveOutcome
from dcplan.planner.swing_plan import add_paid_extras
from dcplan.planner.workload_results import workload_results

# Units parsed once: ``q.m_as("kW")`` re-parses the string (~100 us) on every call.
_KW, _KWH, _MW, _M2 = ureg.Unit("kW"), ureg.Unit("kWh"), ureg.Unit("MW"), ureg.Unit("m**2")
_USD, _L, _KG, _PFLOPS = ureg.Unit("USD"), ureg.Unit("L"), ureg.Unit("kg"), ureg.Unit("PFLOPS")


@dataclass
class Evaluation:
    """Models-based figures of a solution (the raw material of the plan and of the re-check)."""

    fills: list[RowFill]
    layout: Layout
    groups: dict[tuple[str, str, str], SizingResult]  # (hall, system, cooling) -> sizing
    hall_totals: dict[str, dict[str, float]]
    site_totals: dict[str, dict[str, float]]
    equipment: list[tuple[str, equipment.Tally]]  # (scope: hall, site or row; tally)
    rented: dict[str, int]
    compute_by_supply: dict[str, float]  # PFLOPS per option key / cloud key
    capex: dict[str, float] = field(default_factory=dict)
    opex: dict[str, float] = field(default_factory=dict)
    built_halls: set[str] = field(default_factory=set)


def evaluate(catalog: Catalog, data: ModelData, outcome: SolveOutcome, rows: list[RowFill] | None = None) -> Evaluation:
    """Layout, per-group sizing and hall/site equipment for a solved model (``rows``: filled rows the caller placed)."""
    fills = rows if rows is not None else fill_rows(data, outcome.values.get("units", {}), outcome.values.get("rows"))
    layout = build_layout(catalog, fills)
    header = data.scenario.scenario
    chain = catalog.power_chain(header.power_chain or catalog.defaults.power_chain)
    groups = _size_groups(catalog, data, fills)
    built = {fill.option.hall for fill in fills} | {
        h for h, d in data.halls.items() if not d.optional and _hall_has_rows(data, h)
    }
    hall_totals: dict[str, dict[str, float]] = {}
    lines: list[tuple[str, equipment.Tally]] = []  # (scope, tally)
    ups, transformer = catalog.ups(chain.ups), catalog.transformer(chain.transformer)
    generator = catalog.generator(chain.generator)
    # each hall's fills and groups, in their order (filtering all of them per hall was
    # halls x fills: 365 x 7,205 on the 10M-chip campus)
    hall_fills: dict[str, list[RowFill]] = defaultdict(list)
    for fill in fills:
        hall_fills[fill.option.hall].append(fill)
    groups_of: dict[str, dict[Group, SizingResult]] = defaultdict(dict)
    for key, result in groups.items():
        groups_of[key[0]][key] = result
    for hall_id, hall_data in sorted(data.halls.items()):
        hall_groups = groups_of.get(hall_id, {})
        totals = hall_totals[hall_id] = _hall_loads(catalog, hall_id, hall_fills.get(hall_id, []), hall_groups)
        if totals["it_kw"] > 0:
            tallies = _hall_equipment(
                catalog, (chain, ups, transformer, header.ups_basis), hall_data, totals, hall_groups
            )
            lines.extend((hall_id, tally) for tally in tallies)
    site_totals = _site_facility(data, hall_totals)
    for site_id, site_data in sorted(data.sites.items()):
        facility = site_totals[site_id]["facility_design_kw"]
        if facility > 0:
            lines.append((site_id, equipment.generators(generator, site_data.generator_redundancy, facility)))
    lines.extend(row_electrical(catalog, chain, fills))
    rented = {k: round(v) for k, v in outcome.values.get("rent", {}).items() if round(v) > 0}
    evaluation = Evaluation(
        fills=fills,
        layout=layout,
        groups=groups,
        hall_totals=hall_totals,
        site_totals=site_totals,
        equipment=lines,
        rented=rented,
        compute_by_supply=_compute_by_supply(data, fills, rented),
        built_halls={h for h in built if hall_totals.get(h, {}).get("racks", 0) > 0 or not data.halls[h].optional},
    )
    _money(catalog, data, evaluation)
    add_paid_extras(data, outcome.values, evaluation)  # porting, swing battery and floor
    return evaluation


Group = tuple[str, str, str]  # (hall, system, cooling)


def _size_groups(catalog: Catalog, data: ModelData, fills: list[RowFill]) -> dict[Group, SizingResult]:
    """One ``models.sizing.size`` per (hall, system, cooling) on its rows' units; key order: sums add in one order."""
    group_units: dict[Group, int] = defaultdict(int)
    for fill in fills:
        group_units[(fill.option.hall, fill.option.system, fill.option.cooling)] += fill.units
    classes = {f.option.hall: f.option.water_class for f in fills if f.option.water_class}  # one per hall
    groups: dict[Group, SizingResult] = {}
    for (hall_id, system_id, cooling_id), count in sorted(group_units.items()):
        request = SizingRequest(system=system_id, cooling=cooling_id, site=data.halls[hall_id].site, count=count)
        sizing = data.hall_sizing(hall_id, classes.get(hall_id))  # at its [[water_loop]] class, if any
        groups[(hall_id, system_id, cooling_id)] = size(catalog, request, sizing)
    return groups


def _hall_loads(
    catalog: Catalog, hall_id: str, fills: list[RowFill], hall_groups: dict[Group, SizingResult]
) -> dict[str, float]:
    """A hall's design loads [kW], whitespace [m²] and racks, summed over its groups and rows.

    Plant loads by cooling type: a DLC-to-air (L2A) group puts all its IT heat on the air
    plant, a rear-door (RDHx) group all of it on the liquid loop, any other its liquid and
    air shares where they land; electrical losses go to the air plant.
    """
    results = list(hall_groups.values())
    totals = {
        "it_kw": sum(r.it_power_provisioned.m_as(_KW) for r in results),
        "liquid_loop_kw": 0.0,
        "air_loop_kw": 0.0,
        "cooling_kw": sum(r.cooling_power_design.m_as(_KW) for r in results),
        "misc_kw": sum(r.misc_power.m_as(_KW) for r in results),
        "loss_kw": sum(r.electrical_losses_design.m_as(_KW) for r in results),
        "facility_design_kw": sum(r.facility_power_design.m_as(_KW) for r in results),
        # Racks and whitespace from the layout itself: each row's last rack of servers
        # may be part-full, so a group's racks are the sum over its rows, which can
        # exceed ceil(units / per rack) of the group as a whole. Network and storage
        # racks at the row ends take positions and whitespace like compute racks.
        "gross_area_m2": sum(
            (f.racks + f.network_racks) * f.option.coeff.gross_area_m2 for f in fills if f.option.hall == hall_id
        ),
        "racks": sum(f.racks + f.network_racks for f in fills if f.option.hall == hall_id),
        "network_racks": sum(f.network_racks for f in fills if f.option.hall == hall_id),
    }
    for (_hall, _system_id, cooling_id), result in hall_groups.items():
        cooling_type = catalog.cooling(cooling_id).type
        if cooling_type == "dlc-l2a":
            totals["air_loop_kw"] += result.it_power_provisioned.m_as(_KW)
        elif cooling_type == "rdhx":
            totals["liquid_loop_kw"] += result.it_power_provisioned.m_as(_KW)
        else:
            totals["liquid_loop_kw"] += result.heat_to_liquid.m_as(_KW)
            totals["air_loop_kw"] += result.heat_to_air.m_as(_KW)
    totals["air_loop_kw"] += totals["loss_kw"]
    return totals


def _hall_equipment(
    catalog: Catalog,
    electrical: tuple[PowerChain, Ups, Transformer, str],
    hall_data: HallData,
    totals: dict[str, float],
    hall_groups: dict[Group, SizingResult],
) -> list[equipment.Tally]:
    """A built hall's UPS (on the scenario's UPS basis) and transformers (IT load, then cooling +
    misc), then its cooling terminal units (CDUs, CRAH/row units, rear doors) per cooling id."""
    chain, ups, transformer, ups_basis = electrical
    it_kw, other_kw = totals["it_kw"], totals["cooling_kw"] + totals["misc_kw"]
    tallies = list(
        equipment.ups_and_transformers(ups, transformer, chain, hall_data.redundancy, it_kw, other_kw, ups_basis)
    )
    by_cooling: dict[str, list[SizingResult]] = defaultdict(list)
    for (_hall, _system_id, cooling_id), result in hall_groups.items():
        by_cooling[cooling_id].append(result)
    for cooling_id, results in sorted(by_cooling.items()):
        liquid = sum(r.heat_to_liquid.m_as(_KW) for r in results)
        air = sum(r.heat_to_air.m_as(_KW) for r in results)
        racks = sum(r.racks for r in results)
        tallies.extend(equipment.terminal_units(catalog.cooling(cooling_id), liquid, air, racks))
    return tallies


def _site_facility(data: ModelData, hall_totals: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Per site, the design facility power [kW] of its halls (what its generators carry)."""
    return {
        site_id: {
            "facility_design_kw": sum(
                t["facility_design_kw"] for h, t in hall_totals.items() if data.halls[h].site == site_id
            )
        }
        for site_id in sorted(data.sites)
    }


def _compute_by_supply(data: ModelData, fills: list[RowFill], rented: dict[str, int]) -> dict[str, float]:
    """Peak dense compute [PFLOPS] per option and rented cloud key: ``compute_per_unit [TFLOPS] x units / 1000``."""
    compute: dict[str, float] = defaultdict(float)
    for fill in fills:
        compute[fill.option.key] += fill.option.compute_per_unit * fill.units / 1000.0
    for cloud in data.clouds:
        if cloud.key in rented:
            compute[cloud.key] += cloud.compute_per_unit * rented[cloud.key] / 1000.0
    return dict(compute)


def _hall_has_rows(data: ModelData, hall_id: str) -> bool:
    return any(o.hall == hall_id for o in data.options)


def _money(catalog: Catalog, data: ModelData, ev: Evaluation) -> None:
    """Capex by category and annual opex [USD], from the sizing results and equipment."""
    header = data.scenario.scenario
    price_override = float(header.electricity_price.magnitude) if header.electricity_price else None
    capex = {"it": 0.0, "cooling": 0.0, "electrical": 0.0, "building": 0.0, "halls": 0.0}
    energy_cost = 0.0
    first_option: dict[tuple[str, str, str], Any] = {}
    for o in data.options:
        first_option.setdefault((o.hall, o.system, o.cooling), o)
    for (hall_id, system_id, cooling_id), result in ev.groups.items():
        capex["it"] += result.capex_it.m_as(_USD)
        capex["cooling"] += result.capex_cooling.m_as(_USD)
        capex["building"] += result.capex_building.m_as(_USD)
        option = first_option[(hall_id, system_id, cooling_id)]
        capex["electrical"] += option.coeff.capex_electrical_per_unit_usd * result.units
        facility_kwh = result.facility_energy.m_as(_KWH)
        price = (
            price_override
            if price_override is not None
            else catalog.site(data.halls[hall_id].site).electricity_price.magnitude
        )
        energy_cost += facility_kwh * float(price)
    capex["electrical"] += sum(tally.capex_usd for _, tally in ev.equipment)
    capex["halls"] = sum(data.halls[h].build_cost_usd for h in ev.built_halls if data.halls[h].optional)
    cloud_cost = sum(c.annual_cost_usd * ev.rented.get(c.key, 0) for c in data.clouds)
    ev.capex = capex
    ev.opex = {"energy": energy_cost, "cloud": cloud_cost}


def compute_total_pflops(ev: Evaluation) -> float:
    return sum(ev.compute_by_supply.values())


def build_plan(
    catalog: Catalog,
    data: ModelData,
    outcome: SolveOutcome,
    ev: Evaluation | None,
    recheck: Recheck,
    limits: list[LimitUse],
    diagnosis: Diagnosis,
    solver: SolverInfo,
) -> CapacityPlan:
    """Assemble the CapacityPlan from the evaluation (or an empty plan when infeasible)."""
    header = data.scenario.scenario
    common = {
        "scenario_id": header.id,
        "scenario_name": header.name,
        "scenario": data.scenario.model_dump(mode="json"),
        "objective": header.objective,
        "precision": header.precision,
        "provisioning_basis": header.provisioning,
        "limits": limits,
        "solver": solver,
        "pruned": [f"{p.row}: {p.system} on {p.cooling}: {p.reason}" for p in data.pruned] + data.workload_pruned,
        "recheck": recheck,
        "diagnosis": diagnosis,
        "assumptions": collect_assumptions(catalog, data),
    }
    if ev is None:
        return CapacityPlan(
            compute_total=qty(0.0, "TFLOPS"),
            mix=[],
            halls=[],
            rows=[],
            equipment=[],
            layout=Layout(),
            costs=None,
            energy=None,
            **common,
        )
    total_pflops = compute_total_pflops(ev)
    costs = _costs(data, ev)
    results = workload_results(data, outcome.values, limits, float(costs.tco.m_as("USD")))
    return CapacityPlan(
        compute_total=qty(total_pflops * 1000.0, "TFLOPS"),
        mix=_mix(catalog, data, ev, total_pflops),
        halls=_hall_plans(data, ev),
        rows=_row_plans(ev),
        equipment=_merge_row_equipment(ev.equipment),
        layout=ev.layout,
        costs=costs,
        energy=_energy_summary(list(ev.groups.values())),
        workloads=results,
        all_in=plan_all_in(catalog, {h: hd.site for h, hd in data.halls.items()}, ev.groups, ev.fills),
        **common,
    )


def _row_plans(ev: Evaluation) -> list[RowPlan]:
    """One RowPlan per physical row (thousands on a campus).

    Built without re-validation, as every field already holds what validation would store
    (quantities as floats in kW); the quantities of full rows of one option recur, so each
    is made once.
    """
    row_quantities: dict[tuple[str, int], dict[str, Any]] = {}
    rows = []
    for fill in ev.fills:
        option = fill.option
        quantities = row_quantities.get((option.key, fill.units))
        if quantities is None:
            quantities = row_quantities[(option.key, fill.units)] = {
                "rack_power": qty(float(option.coeff.rack_kw), "kW"),
                "it_power": qty(float(option.coeff.it_provisioned_kw * fill.units), "kW"),
                "feed_capacity": qty(float(option.busway_feed_kw), "kW"),
                "heat_to_liquid": qty(float(option.coeff.liquid_kw * fill.units), "kW"),
                "heat_to_air": qty(float(option.coeff.air_kw * fill.units), "kW"),
            }
        rows.append(
            RowPlan.model_construct(
                row=fill.row,
                template=fill.template,
                hall=option.hall,
                system=option.system,
                cooling=option.cooling,
                units=fill.units,
                racks=fill.racks,
                positions=option.positions,
                feeds="A+B" if option.feeds == 2 else "A",
                **quantities,
            )
        )
    return rows


def _hall_plans(data: ModelData, ev: Evaluation) -> list[HallPlan]:
    """Each hall's loads beside its caps (IT, liquid and air plant [kW], area [m²])."""
    halls = []
    rows_used = Counter(f.option.hall for f in ev.fills)
    for hall_id, hall_data in sorted(data.halls.items()):
        totals = ev.hall_totals[hall_id]
        hall = hall_data.hall
        halls.append(
            HallPlan(
                hall=hall_id,
                site=hall.site,
                built=hall_id in ev.built_halls,
                racks=int(totals["racks"]),
                network_racks=int(totals["network_racks"]),
                rows_used=rows_used[hall_id],
                it_power=qty(totals["it_kw"], "kW"),
                it_power_cap=hall.it_power_cap,
                liquid_plant_load=qty(totals["liquid_loop_kw"], "kW"),
                liquid_plant_capacity=hall.liquid_plant_capacity,
                air_plant_load=qty(totals["air_loop_kw"], "kW"),
                air_plant_capacity=hall.air_plant_capacity,
                gross_area=qty(totals["gross_area_m2"], "m**2"),
                area=hall.area,
                facility_power_design=qty(totals["facility_design_kw"], "kW"),
            )
        )
    return halls


def _energy_summary(results: list[SizingResult]) -> EnergySummary:
    """Plan-wide power, energy, carbon and water, summed over the sizing groups.

    ``PUE design = facility design kW / IT provisioned kW``, ``PUE annual = facility
    average kW / IT average kW``, ``WUE = water L / IT energy kWh`` (0 when a denominator is 0).
    """
    it_avg = sum(r.it_power_average.m_as(_KW) for r in results)
    it_prov = sum(r.it_power_provisioned.m_as(_KW) for r in results)
    fac_avg = sum(r.facility_power_average.m_as(_KW) for r in results)
    fac_design = sum(r.facility_power_design.m_as(_KW) for r in results)
    it_energy = sum(r.it_energy.m_as(_KWH) for r in results)
    water = sum(r.water.m_as(_L) for r in results)
    return EnergySummary(
        it_power_provisioned=qty(it_prov, "kW"),
        it_power_average=qty(it_avg, "kW"),
        facility_power_design=qty(fac_design, "kW"),
        facility_power_average=qty(fac_avg, "kW"),
        cooling_power_design=qty(sum(r.cooling_power_design.m_as(_KW) for r in results), "kW"),
        electrical_losses_design=qty(sum(r.electrical_losses_design.m_as(_KW) for r in results), "kW"),
        heat_to_liquid=qty(sum(r.heat_to_liquid.m_as(_KW) for r in results), "kW"),
        heat_to_air=qty(sum(r.heat_to_air.m_as(_KW) for r in results), "kW"),
        it_energy=qty(it_energy, "kWh"),
        facility_energy=qty(sum(r.facility_energy.m_as(_KWH) for r in results), "kWh"),
        carbon=qty(sum(r.carbon.m_as(_KG) for r in results), "kg"),
        water=qty(water, "L"),
        pue_design=fac_design / it_prov if it_prov else 0.0,
        pue_annual=fac_avg / it_avg if it_avg else 0.0,
        wue=water / it_energy if it_energy else 0.0,
    )


def _costs(data: ModelData, ev: Evaluation) -> Costs:
    """Capex by category, annual opex and ``TCO = capex + PV factor x annual opex`` [USD]."""
    header = data.scenario.scenario
    capex_total = sum(ev.capex.values())
    opex_total = ev.opex["energy"] + ev.opex["cloud"]
    return Costs(
        capex_it=qty(ev.capex["it"], "USD"),
        capex_cooling=qty(ev.capex["cooling"], "USD"),
        capex_electrical=qty(ev.capex["electrical"], "USD"),
        capex_building=qty(ev.capex["building"], "USD"),
        capex_halls=qty(ev.capex["halls"], "USD"),
        capex_porting=qty(ev.capex.get("porting", 0.0), "USD"),
        capex_total=qty(capex_total, "USD"),
        annual_energy_cost=qty(ev.opex["energy"], "USD"),
        annual_cloud_cost=qty(ev.opex["cloud"], "USD"),
        annual_opex=qty(opex_total, "USD"),
        tco=qty(capex_total + data.pv_factor * opex_total, "USD"),
        tco_horizon_years=float(header.tco_horizon.to("year").magnitude),
        discount_rate=header.discount_rate,
    )


ROW_ITEMS = ("rack PDUs", "busway tap-offs", "busway runs")


def _count(item: str, catalog_id: str, scope: str, group: list[equipment.Tally]) -> EquipmentCount:
    # built from plain floats and a USD quantity, so validation (a unit check per line) is skipped
    return EquipmentCount.model_construct(
        item=item,
        catalog_id=catalog_id,
        scope=scope,
        count=sum(t.count for t in group),
        unit_capacity=group[0].unit_capacity,
        capacity_unit=group[0].capacity_unit,
        installed=sum(t.installed for t in group),
        used=sum(t.used for t in group),
        capex=qty(sum(t.capex_usd for t in group), "USD"),
    )


def _merge_row_equipment(lines: list[tuple[str, equipment.Tally]]) -> list[EquipmentCount]:
    """Hall and site lines as they are; row lines (PDUs, taps, busway runs) summed per item."""
    merged: dict[tuple[str, str], list[equipment.Tally]] = defaultdict(list)
    out: list[EquipmentCount] = []
    for scope, tally in lines:
        if tally.item in ROW_ITEMS:
            merged[(tally.item, tally.catalog_id)].append(tally)
        else:
            out.append(_count(tally.item, tally.catalog_id, scope, [tally]))
    for (item, catalog_id), group in sorted(merged.items()):
        out.append(_count(item, catalog_id, "all rows", group))
    return out


def _mix(catalog: Catalog, data: ModelData, ev: Evaluation, total_pflops: float) -> list[MixLine]:
    lines: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for fill in ev.fills:
        key = (fill.option.system, fill.option.site)
        lines[key]["units"] += fill.units
        lines[key]["racks"] += fill.racks
        lines[key]["chips"] += fill.units * fill.option.chips_per_unit
        lines[key]["pflops"] += fill.option.compute_per_unit * fill.units / 1000.0
    for cloud in data.clouds:
        rented = ev.rented.get(cloud.key, 0)
        if rented:
            key = (cloud.system, f"cloud:{cloud.offer.id}")
            lines[key]["units"] += rented
            lines[key]["chips"] += rented * cloud.chips_per_unit
            lines[key]["pflops"] += cloud.compute_per_unit * rented / 1000.0
    capex_it: dict[tuple[str, str], float] = defaultdict(float)
    for (hall_id, system_id, _), result in ev.groups.items():
        capex_it[(system_id, data.halls[hall_id].site)] += result.capex_it.m_as(_USD)
    out = []
    for (system_id, place), values in sorted(lines.items()):
        system = catalog.system(system_id)
        out.append(
            MixLine(
                system=system_id,
                family=system.family,
                software=system.software,
                status=system.status,
                place=place,
                units=int(values["units"]),
                chips=int(values["chips"]),
                racks=int(values["racks"]),
                compute=qty(values["pflops"] * 1000.0, "TFLOPS"),
                share=values["pflops"] / total_pflops if total_pflops else 0.0,
                capex=qty(capex_it.get((system_id, place), 0.0), "USD"),
            )
        )
    return out


def collect_assumptions(catalog: Catalog, data: ModelData) -> list[Assumption]:
    """Every sourced catalog figure of every entry the scenario touches."""
    header = data.scenario.scenario
    used: list[tuple[str, str]] = []
    systems = {c.system for c in data.scenario.candidate} | {c.offer.system for c in data.clouds}
    for system_id in sorted(systems):
        used.append(("system", system_id))
        used.append(("chip", catalog.system(system_id).chip))
    coolings = sorted({o.cooling for o in data.options})
    for cooling_id in coolings:
        used.append(("cooling", cooling_id))
        used.append(("plant", catalog.cooling(cooling_id).plant))
    for hall in data.halls.values():
        if hall.hall.plant:
            used.append(("plant", hall.hall.plant))
    for site_id in sorted(data.sites):
        used.append(("site", site_id))
    chain = catalog.power_chain(header.power_chain or catalog.defaults.power_chain)
    used += [
        ("power_chain", chain.id),
        ("rack_pdu", chain.rack_pdu),
        ("ups", chain.ups),
        ("transformer", chain.transformer),
        ("generator", chain.generator),
    ]
    used += [("busway", b) for b in sorted({r.busway for r in data.scenario.row})]
    used += [("fluid", catalog.defaults.liquid_fluid), ("fluid", "air"), ("defaults", "planning")]
    used += fabric_entries_used(catalog, sorted(systems))
    out: list[Assumption] = []
    seen: set[tuple[str, str]] = set()
    for kind, entry_id in used:
        if (kind, entry_id) in seen:
            continue
        seen.add((kind, entry_id))
        item = catalog.items[kind][entry_id]
        out.extend(_entry_assumptions(kind, item.entry, display_path(item.origin)))
    return out


def _entry_assumptions(kind: str, entry: Entry, origin: str) -> list[Assumption]:
    rows = []
    for name, value in entry.model_dump(mode="json").items():
        if isinstance(value, dict) and "source" in value and not (kind == "system" and name in ROADMAP_FIELDS):
            if "load" in value:
                rendered: Any = {"load": value["load"], "efficiency": value["efficiency"]}
                unit: str | None = "efficiency at load"
            else:
                rendered = value["value"]
                unit = value.get("unit")
            rows.append(
                Assumption(
                    kind=kind,
                    id=entry.id,
                    field=name,
                    value=rendered,
                    unit=unit,
                    low=value.get("low"),
                    high=value.get("high"),
                    source=value["source"],
                    confidence=value["confidence"],
                    origin=origin,
                )
            )
    return rows


def annual_hours() -> float:
    return HOURS_PER_YEAR


def finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
