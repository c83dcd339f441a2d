"""The plan's water figures per ``[[water_loop]]`` hall (planner.water_data): the class
the solve chose, its chiller hours, plant power, WUE, PUE and ERF, from the evaluation's
models-based sizing (not the solver's coefficients), and the loop re-check.

Per hall: ``PUE = E_facility / E_IT``; ``WUE = water [L] / E_IT [kWh]``;
``ERF = E_reused / E_facility`` (models.water_class; 0 without a heat offtake), with
``E_reused = min(P_offtake, Q_liquid,avg) * h`` when the chosen class's return
``T_supply + dT`` reaches the taker's temperature (0 otherwise) and the revenue
``E_reused [MWh] * c [USD/MWh]``. The site ERF divides all the site's reused energy by all its
facility energy; the plan ERF does so over every site. The plan's costs stay what is paid
(energy at the meter): the revenue is the opex credit the optimiser counted (planner.formulation_water).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dcplan.models.water_class import (
    accepts_class,
    captured_average_kw,
    class_supply_c,
    energy_reuse_factor,
    return_c,
    reuse_usable,
    reused_mwh,
)


class WaterLine(BaseModel):
    """One hall's facility water loop as planned."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hall: str
    allowed: list[str] = Field(description="classes the [[water_loop]] allowed, coolest first")
    water_class: str | None = Field(description="class the solve chose (None: no liquid-cooled unit placed)")
    supply_c: float | None = Field(description="facility supply temperature of that class [degC]")
    chiller_hours: float = Field(description="hours a year any chiller of the hall's liquid and air loops runs")
    plant_kw: float = Field(description="cooling plant power on the design day [kW]")
    water_l: float = Field(description="site water a year [L]")
    wue_l_per_kwh: float = Field(description="site water per IT energy [L/kWh]")
    pue: float = Field(description="annual facility energy / IT energy")
    erf: float = Field(description="energy reuse factor, EN 50600-4-6: reused / facility energy")
    site: str = Field(default="", description="the hall's site")
    return_c: float | None = Field(default=None, description="loop return temperature: supply + coolant rise [degC]")
    reuse_taker_c: float | None = Field(default=None, description="temperature the heat taker needs (None: no offtake)")
    reuse_capacity_kw: float = Field(default=0.0, description="heat offtake capacity (thermal) [kW]")
    captured_kw: float = Field(default=0.0, description="heat on the facility-water loop at average load [kW]")
    reused_mwh: float = Field(default=0.0, description="heat the taker takes a year [MWh thermal]")
    reuse_revenue_usd: float = Field(default=0.0, description="what the taker pays a year [USD]")
    site_erf: float = Field(default=0.0, description="ERF of the hall's site: its reused / its facility energy")


def chosen_classes(ev: Any) -> dict[str, str]:
    """hall -> water class of its placed liquid options (one per hall, by water_class_one)."""
    return {f.option.hall: f.option.water_class for f in ev.fills if f.option.water_class and f.units > 0}


def _loop_fills(ev: Any, hall: str) -> list[Any]:
    """The layout's placed liquid units of ``hall`` on its loop (options with a water class)."""
    return [f for f in ev.fills if f.option.hall == hall and f.option.water_class and f.units > 0]


def loop_reuse(data: Any, ev: Any, hall: str, chosen: str | None) -> tuple[float | None, float, float]:
    """(return temperature [degC], heat on the loop at average load [kW], reused [MWh/yr]) of a
    hall from its layout: the placed liquid units' loop heat (models.water_class)."""
    fills = _loop_fills(ev, hall)
    if chosen is None or not fills:
        return None, 0.0, 0.0
    group = ev.groups[(hall, fills[0].option.system, fills[0].option.cooling)]
    ret = return_c(class_supply_c(chosen), float(group.liquid_delta_t.m_as("K")))
    captured = sum(
        f.units
        * captured_average_kw(
            f.option.coeff.liquid_loop_kw, f.option.coeff.it_average_kw, f.option.coeff.it_provisioned_kw
        )
        for f in fills
    )
    reuse = data.reuse.get(hall)
    if reuse is None or not reuse_usable(ret, reuse.taker_c):
        return ret, captured, 0.0
    return ret, captured, reused_mwh(reuse.capacity_kw, captured, reuse.hours)


def _line(data: Any, ev: Any, hall: str, chosen: str | None, groups: list[Any]) -> WaterLine:
    it_kwh = sum(g.it_energy.m_as("kWh") for g in groups)
    facility_kwh = sum(g.facility_energy.m_as("kWh") for g in groups)
    water_l = sum(g.water.m_as("L") for g in groups)
    allowed = data.water[hall]
    ret, captured, reused = loop_reuse(data, ev, hall, chosen)
    reuse = data.reuse.get(hall)
    return WaterLine(
        hall=hall,
        allowed=list(allowed),
        water_class=chosen,
        supply_c=class_supply_c(chosen) if chosen else None,
        chiller_hours=max((g.chiller_hours or 0.0 for g in groups), default=0.0),
        plant_kw=sum(g.cooling_power_design.m_as("kW") for g in groups),
        water_l=water_l,
        wue_l_per_kwh=water_l / it_kwh if it_kwh > 0 else 0.0,
        pue=facility_kwh / it_kwh if it_kwh > 0 else 0.0,
        erf=energy_reuse_factor(reused * 1000.0, facility_kwh),
        site=data.halls[hall].site,
        return_c=ret,
        reuse_taker_c=reuse.taker_c if reuse else None,
        reuse_capacity_kw=reuse.capacity_kw if reuse else 0.0,
        captured_kw=captured,
        reused_mwh=reused,
        reuse_revenue_usd=reused * reuse.price_usd_per_mwh if reuse else 0.0,
    )


def _site_facility_kwh(data: Any, ev: Any) -> dict[str, float]:
    totals: dict[str, float] = {}
    for (hall, _, _), result in sorted(ev.groups.items()):
        site = data.halls[hall].site
        totals[site] = totals.get(site, 0.0) + result.facility_energy.m_as("kWh")
    return totals


def water_lines(data: Any, ev: Any) -> list[WaterLine]:
    """One WaterLine per [[water_loop]] hall, in hall order, with its site's ERF."""
    chosen = chosen_classes(ev)
    lines = []
    for hall in sorted(data.water):
        groups = [result for (h, _, _), result in sorted(ev.groups.items()) if h == hall]
        lines.append(_line(data, ev, hall, chosen.get(hall), groups))
    site_kwh = _site_facility_kwh(data, ev)
    reused_kwh: dict[str, float] = {}
    for line in lines:
        reused_kwh[line.site] = reused_kwh.get(line.site, 0.0) + line.reused_mwh * 1000.0
    return [
        line.model_copy(update={"site_erf": energy_reuse_factor(reused_kwh[line.site], site_kwh.get(line.site, 0.0))})
        for line in lines
    ]


def plan_erf(plan: Any) -> float:
    """ERF over the whole plan: every loop's reused energy / the plan's facility energy."""
    if plan.energy is None:
        return 0.0
    return energy_reuse_factor(sum(w.reused_mwh for w in plan.water) * 1000.0, plan.energy.facility_energy.m_as("kWh"))


def with_water(plan: Any, data: Any, ev: Any) -> Any:
    """``plan`` with its WaterLines (none without a solution: ``ev`` None) and the loops' warnings
    as re-check notes (unchanged without a [[water_loop]])."""
    if not data.water:
        return plan
    update: dict[str, Any] = {"water": water_lines(data, ev)} if ev is not None else {}
    if data.water_warnings:  # found before optimising (planner.water_data.loop_warnings)
        notes = [*plan.recheck.notes, *data.water_warnings]
        update["recheck"] = plan.recheck.model_copy(update={"notes": notes})
    return plan.model_copy(update=update)


def water_summary(line: WaterLine) -> str:
    """One line, e.g. ``h1: water W45 (45 degC supply; allowed W27, W45): 0 chiller h, plant 0 kW, PUE 1.000, ...``."""
    allowed = f"allowed {', '.join(line.allowed)}"
    if line.water_class:
        chosen = f"water {line.water_class} ({line.supply_c:g} degC supply; {allowed})"
    else:
        chosen = f"no liquid unit placed ({allowed})"
    text = (
        f"{line.hall}: {chosen}: {line.chiller_hours:,.0f} chiller h,"
        f" plant {line.plant_kw:,.0f} kW, PUE {line.pue:.3f}, WUE {line.wue_l_per_kwh:.2f} L/kWh, ERF {line.erf:.3f}"
    )
    if line.reuse_taker_c is None:
        return text
    ret = "no liquid return" if line.return_c is None else f"return {line.return_c:g} degC"
    return (
        f"{text}; heat reuse ({ret}, taker needs {line.reuse_taker_c:g} degC): {line.reused_mwh:,.0f} MWh/yr,"
        f" {line.reuse_revenue_usd:,.0f} USD/yr; site {line.site} ERF {line.site_erf:.3f}"
    )


def water_text_lines(plan: Any) -> list[str]:
    """The water lines of a plan for the CLI, report and TUI, and the plan ERF when a loop offers heat."""
    lines = [water_summary(line) for line in plan.water]
    if any(line.reuse_taker_c is not None for line in plan.water):
        reused = sum(line.reused_mwh for line in plan.water)
        revenue = sum(line.reuse_revenue_usd for line in plan.water)
        lines.append(f"plan ERF {plan_erf(plan):.3f}: {reused:,.0f} MWh/yr of heat reused, {revenue:,.0f} USD/yr")
    return lines


def water_violations(catalog: Any, data: Any, ev: Any) -> tuple[int, list[str]]:
    """Re-check, from the layout alone: every placed liquid unit's hall runs one class, and
    that class's supply is within each placed system's coolant inlet limit."""
    checked, bad = 0, []
    for hall in sorted(data.water):
        fills = [f for f in ev.fills if f.option.hall == hall and f.option.water_class and f.units > 0]
        classes = sorted({f.option.water_class for f in fills})
        checked += 1
        if len(classes) > 1:
            bad.append(f"water loop ({hall}): {len(classes)} supply classes placed on one loop ({', '.join(classes)})")
        for system in sorted({f.option.system for f in fills}):
            limit = catalog.system(system).coolant_inlet_max
            inlet = None if limit is None else float(limit.magnitude)
            for water_class in classes:
                checked += 1
                if not accepts_class(inlet, water_class):
                    bad.append(
                        f"coolant supply ({hall}, {system}): {water_class} {class_supply_c(water_class):g} degC"
                        f" exceeds the {inlet:g} degC inlet limit"
                    )
    return checked, bad


def reuse_violations(catalog: Any, data: Any, ev: Any, values: dict[str, dict[Any, float]]) -> tuple[int, list[str]]:
    """Re-check of the credited heat, from the layout: per offtake hall, the solver's
    heat_reuse[h] [kW] <= P_offtake and <= the placed liquid units' loop heat at average load
    when the placed class's return ``T_supply + dT`` (models.water_class) reaches the taker's
    temperature, else 0."""
    from dcplan.models.coefficients import liquid_delta_t_k

    checked, bad = 0, []
    credited = values.get("heat_reuse", {})
    for hall in sorted(data.reuse):
        reuse, got = data.reuse[hall], float(credited.get(hall, 0.0))
        fills = _loop_fills(ev, hall)
        available = 0.0
        rise = {
            k: liquid_delta_t_k(data.hall_sizing(hall, k), catalog.defaults)
            for k in {f.option.water_class for f in fills}
        }
        for f in fills:
            ret = return_c(class_supply_c(f.option.water_class), rise[f.option.water_class])
            if reuse_usable(ret, reuse.taker_c) and catalog.cooling(f.option.cooling).takes_liquid:
                c = f.option.coeff
                available += f.units * captured_average_kw(c.liquid_loop_kw, c.it_average_kw, c.it_provisioned_kw)
        limit = min(reuse.capacity_kw, available)
        checked += 1
        if got > limit * (1 + 1e-6) + 1e-6:
            bad.append(
                f"heat reuse ({hall}): {got:,.6g} kW credited exceeds the {limit:,.6g} kW the layout gives the"
                f" {reuse.taker_c:g} degC taker"
            )
    return checked, bad
