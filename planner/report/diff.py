"""What changed between two plans: mix, power, cost and rack positions.

Only differences are listed, so a plan compared with itself gives an empty diff. Racks are
matched by deployment-unit id (``gb300-nvl72#00012``; an UltraServer's racks share one):
a unit in both plans at other slots has moved, a unit in only one plan was added or removed.
Solver timings and other run facts are not compared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from planner.plan import CapacityPlan

_REL_TOL = 1e-9

_FIGURES: dict[str, list[tuple[str, str, Callable[[CapacityPlan], float | None]]]] = {
    "compute": [
        ("peak dense compute", "PFLOPS", lambda p: float(p.compute_total.m_as("PFLOPS"))),
        ("systems (units)", "units", lambda p: float(sum(m.units for m in p.mix))),
        ("racks", "racks", lambda p: float(len(p.layout))),
        ("chips", "chips", lambda p: float(sum(m.chips for m in p.mix))),
    ],
    "power": [
        ("IT power provisioned", "MW", lambda p: p.energy and float(p.energy.it_power_provisioned.m_as("MW"))),
        ("IT power (annual average)", "MW", lambda p: p.energy and float(p.energy.it_power_average.m_as("MW"))),
        ("facility power (design day)", "MW", lambda p: p.energy and float(p.energy.facility_power_design.m_as("MW"))),
        (
            "facility power (annual average)",
            "MW",
            lambda p: p.energy and float(p.energy.facility_power_average.m_as("MW")),
        ),
        ("PUE (design day)", "", lambda p: p.energy and p.energy.pue_design),
        ("PUE (annual)", "", lambda p: p.energy and p.energy.pue_annual),
    ],
    "cost": [
        ("capex", "USD", lambda p: p.costs and float(p.costs.capex_total.m_as("USD"))),
        ("capex IT", "USD", lambda p: p.costs and float(p.costs.capex_it.m_as("USD"))),
        ("capex cooling", "USD", lambda p: p.costs and float(p.costs.capex_cooling.m_as("USD"))),
        ("capex electrical", "USD", lambda p: p.costs and float(p.costs.capex_electrical.m_as("USD"))),
        ("capex building", "USD", lambda p: p.costs and float(p.costs.capex_building.m_as("USD"))),
        ("capex optional halls", "USD", lambda p: p.costs and float(p.costs.capex_halls.m_as("USD"))),
        ("annual opex", "USD/yr", lambda p: p.costs and float(p.costs.annual_opex.m_as("USD"))),
        ("TCO", "USD", lambda p: p.costs and float(p.costs.tco.m_as("USD"))),
    ],
}


def _differs(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return abs(a - b) > _REL_TOL * max(1.0, abs(a), abs(b))


def _figure_changes(group: str, a: CapacityPlan, b: CapacityPlan) -> list[dict[str, Any]]:
    out = []
    for name, unit, get in _FIGURES[group]:
        va, vb = get(a), get(b)
        va = None if va is None else float(va)
        vb = None if vb is None else float(vb)
        if _differs(va, vb):
            delta = None if va is None or vb is None else vb - va
            pct = None if delta is None or va == 0 else delta / abs(va)
            out.append({"figure": name, "unit": unit, "a": va, "b": vb, "delta": delta, "delta_ratio": pct})
    return out


def _mix_changes(a: CapacityPlan, b: CapacityPlan) -> list[dict[str, Any]]:
    def table(plan: CapacityPlan) -> dict[tuple[str, str], tuple[int, int, float]]:
        out: dict[tuple[str, str], tuple[int, int, float]] = {}
        for m in plan.mix:
            units, racks, pflops = out.get((m.system, m.place), (0, 0, 0.0))
            out[(m.system, m.place)] = (units + m.units, racks + m.racks, pflops + float(m.compute.m_as("PFLOPS")))
        return out

    ta, tb = table(a), table(b)
    out = []
    for key in sorted(set(ta) | set(tb)):
        ua, ra, ca = ta.get(key, (0, 0, 0.0))
        ub, rb, cb = tb.get(key, (0, 0, 0.0))
        if ua != ub or ra != rb or _differs(ca, cb):
            out.append(
                {
                    "system": key[0],
                    "place": key[1],
                    "units_a": ua,
                    "units_b": ub,
                    "units_delta": ub - ua,
                    "racks_a": ra,
                    "racks_b": rb,
                    "racks_delta": rb - ra,
                    "compute_pflops_a": ca,
                    "compute_pflops_b": cb,
                }
            )
    return out


def _positions(plan: CapacityPlan) -> dict[str, tuple[str, list[tuple[str, str, int]]]]:
    """unit id -> (system, sorted (hall, row, slot) of its racks)."""
    out: dict[str, tuple[str, list[tuple[str, str, int]]]] = {}
    for rec in plan.layout.records():
        _, slots = out.setdefault(rec["unit"], (rec["system"], []))
        slots.append((rec["hall"], rec["row"], rec["slot"]))
    return {unit: (system, sorted(slots)) for unit, (system, slots) in out.items()}


def describe_positions(slots: list[tuple[str, str, int]]) -> str:
    """[('hall-a', 'a-dlc-01', 3), ('hall-a', 'a-dlc-01', 4)] -> 'hall-a/a-dlc-01/3-4'."""
    by_row: dict[tuple[str, str], list[int]] = defaultdict(list)
    for hall, row, slot in slots:
        by_row[(hall, row)].append(slot)
    parts = []
    for (hall, row), numbers in sorted(by_row.items()):
        numbers.sort()
        runs: list[list[int]] = []
        for n in numbers:
            if runs and n == runs[-1][1] + 1:
                runs[-1][1] = n
            else:
                runs.append([n, n])
        text = ",".join(str(s) if s == e else f"{s}-{e}" for s, e in runs)
        parts.append(f"{hall}/{row}/{text}")
    return "; ".join(parts)


def _rack_changes(a: CapacityPlan, b: CapacityPlan) -> dict[str, list[dict[str, Any]]]:
    pa, pb = _positions(a), _positions(b)
    moved, added, removed = [], [], []
    for unit in sorted(set(pa) | set(pb)):
        if unit in pa and unit in pb:
            if pa[unit][1] != pb[unit][1]:
                moved.append(
                    {
                        "unit": unit,
                        "system": pb[unit][0],
                        "from": describe_positions(pa[unit][1]),
                        "to": describe_positions(pb[unit][1]),
                        "racks": len(pb[unit][1]),
                    }
                )
        elif unit in pb:
            added.append(
                {"unit": unit, "system": pb[unit][0], "at": describe_positions(pb[unit][1]), "racks": len(pb[unit][1])}
            )
        else:
            removed.append(
                {"unit": unit, "system": pa[unit][0], "at": describe_positions(pa[unit][1]), "racks": len(pa[unit][1])}
            )
    return {"moved": moved, "added": added, "removed": removed}


def _about(plan: CapacityPlan) -> dict[str, Any]:
    return {
        "scenario_id": plan.scenario_id,
        "scenario_name": plan.scenario_name,
        "status": plan.solver.status,
        "feasible": plan.feasible,
        "schema_version": plan.schema_version,
    }


def diff_plans(a: CapacityPlan, b: CapacityPlan) -> dict[str, Any]:
    """Differences from plan ``a`` to plan ``b`` (``delta`` = b - a); ``same`` when there are none."""
    racks = _rack_changes(a, b)
    out: dict[str, Any] = {
        "a": _about(a),
        "b": _about(b),
        "mix": _mix_changes(a, b),
        "compute": _figure_changes("compute", a, b),
        "power": _figure_changes("power", a, b),
        "cost": _figure_changes("cost", a, b),
        "racks": racks,
    }
    if a.feasible != b.feasible:
        out["feasibility"] = {"a": a.feasible, "b": b.feasible}
    same = not (
        out["mix"] or out["compute"] or out["power"] or out["cost"] or any(racks.values()) or "feasibility" in out
    )
    return {"same": same, **out}
