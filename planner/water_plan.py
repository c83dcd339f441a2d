"""The plan's water figures per ``[[water_loop]]`` hall (planner.water_data): the class
the solve chose, its chiller hours, plant power, WUE, PUE and ERF, from the evaluation's
models-based sizing (not the solver's coefficients), and the loop re-check.

Per hall: ``PUE = E_facility / E_IT``; ``WUE = water [L] / E_IT [kWh]``;
``ERF = E_reused / E_facility`` (models.water_class; 0 without a heat offtake).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dcplan.models.water_class import accepts_class, class_supply_c, energy_reuse_factor


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


def chosen_classes(ev: Any) -> dict[str, str]:
    """hall -> water class of its placed liquid options (one per hall, by water_class_one)."""
    return {f.option.hall: f.option.water_class for f in ev.fills if f.option.water_class and f.units > 0}


def _line(hall: str, allowed: tuple[str, ...], chosen: str | None, groups: list[Any]) -> WaterLine:
    it_kwh = sum(g.it_energy.m_as("kWh") for g in groups)
    facility_kwh = sum(g.facility_energy.m_as("kWh") for g in groups)
    water_l = sum(g.water.m_as("L") for g in groups)
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
        erf=energy_reuse_factor(0.0, facility_kwh),
    )


def water_lines(data: Any, ev: Any) -> list[WaterLine]:
    """One WaterLine per [[water_loop]] hall, in hall order."""
    chosen = chosen_classes(ev)
    lines = []
    for hall in sorted(data.water):
        groups = [result for (h, _, _), result in sorted(ev.groups.items()) if h == hall]
        lines.append(_line(hall, data.water[hall], chosen.get(hall), groups))
    return lines


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
    return (
        f"{line.hall}: {chosen}: {line.chiller_hours:,.0f} chiller h,"
        f" plant {line.plant_kw:,.0f} kW, PUE {line.pue:.3f}, WUE {line.wue_l_per_kwh:.2f} L/kWh, ERF {line.erf:.3f}"
    )


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
