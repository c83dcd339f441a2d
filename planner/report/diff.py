"""What changed between two plans: mix, power, cost, per-workload results and rack positions.

Only differences are listed, so a plan compared with itself gives an empty diff. Solver
timings and other run facts are not compared.

Workloads are matched by id: per workload, its delivered PFLOPS, tokens/s, time to train
and cost per delivered unit (a workload in one plan only has the other side null; a cost
whose unit differs between the plans has no delta, the figures are not comparable).

Racks are compared by position and system, not by unit id: unit ids
(``gb300-nvl72#00012``) are numbered afresh by every solve, so the same rack gets another id
when anything before it changes. A deployment unit (one system; an UltraServer's racks
share one id) is the set of positions ``(site, hall, row, slot)`` of its racks:

* **unchanged**: a unit of the same system at exactly the same positions in both plans;
* **moved**: of the units left, one of plan A and one of plan B of the same system (and the
  same number of racks) are paired, nearest positions first; its racks went elsewhere;
* **added** / **removed**: the units of a system left over in B / in A.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from dcplan.planner.plan import CapacityPlan

_REL_TOL = 1e-9

_FIGURES: dict[str, list[tuple[str, str, Callable[[CapacityPlan], float | None]]]] = {
    "compute": [
        ("peak dense compute", "PFLOPS", lambda p: float(p.compute_total.m_as("PFLOPS"))),
        ("systems (units)", "units", lambda p: float(sum(m.units for m in p.mix))),
        ("racks", "racks", lambda p: float(len(p.layout))),
        ("chips", "chips", lambda p: float(sum(m.chips for m in p.mix))),
    ],
    "power": [
        ("IT power provisioned", "MW", lambda p: float(p.energy.it_power_provisioned.m_as("MW")) if p.energy else None),
        (
            "IT power (annual average)",
            "MW",
            lambda p: float(p.energy.it_power_average.m_as("MW")) if p.energy else None,
        ),
        (
            "facility power (design day)",
            "MW",
            lambda p: float(p.energy.facility_power_design.m_as("MW")) if p.energy else None,
        ),
        (
            "facility power (annual average)",
            "MW",
            lambda p: float(p.energy.facility_power_average.m_as("MW")) if p.energy else None,
        ),
        ("PUE (design day)", "", lambda p: p.energy.pue_design if p.energy else None),
        ("PUE (annual)", "", lambda p: p.energy.pue_annual if p.energy else None),
    ],
    "cost": [
        ("capex", "USD", lambda p: float(p.costs.capex_total.m_as("USD")) if p.costs else None),
        ("capex IT", "USD", lambda p: float(p.costs.capex_it.m_as("USD")) if p.costs else None),
        ("capex cooling", "USD", lambda p: float(p.costs.capex_cooling.m_as("USD")) if p.costs else None),
        ("capex electrical", "USD", lambda p: float(p.costs.capex_electrical.m_as("USD")) if p.costs else None),
        ("capex building", "USD", lambda p: float(p.costs.capex_building.m_as("USD")) if p.costs else None),
        ("capex optional halls", "USD", lambda p: float(p.costs.capex_halls.m_as("USD")) if p.costs else None),
        ("annual opex", "USD/yr", lambda p: float(p.costs.annual_opex.m_as("USD")) if p.costs else None),
        ("TCO", "USD", lambda p: float(p.costs.tco.m_as("USD")) if p.costs else None),
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
        if _differs(va, vb):
            delta = None if va is None or vb is None else vb - va
            pct = None if va is None or delta is None or va == 0 else delta / abs(va)
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


# per-workload figures compared: (figure, attribute, unit attribute or the unit itself)
_WORKLOAD_FIGURES = (
    ("delivered compute", "delivered_pflops", "PFLOPS"),
    ("token rate", "tokens_per_s", "tokens/s"),
    ("time to train", "time_to_train_days", "days"),
    ("cost per delivered unit", "cost_per_unit", None),
)


def _workload_changes(a: CapacityPlan, b: CapacityPlan) -> list[dict[str, Any]]:
    """Per workload (the order of plan A, then those only in B) and figure, what changed."""
    in_a = {w.workload: w for w in a.workloads}
    in_b = {w.workload: w for w in b.workloads}
    names = list(in_a) + [name for name in in_b if name not in in_a]
    out = []
    for name in names:
        wa, wb = in_a.get(name), in_b.get(name)
        for figure, attr, fixed_unit in _WORKLOAD_FIGURES:
            va = None if wa is None else getattr(wa, attr)
            vb = None if wb is None else getattr(wb, attr)
            ua = fixed_unit or (None if wa is None else wa.cost_unit)
            ub = fixed_unit or (None if wb is None else wb.cost_unit)
            if not _differs(va, vb) and ua == ub:
                continue
            comparable = va is not None and vb is not None and ua == ub
            delta = vb - va if comparable else None  # type: ignore[operator]
            ratio = None if delta is None or va == 0 else delta / abs(va)  # type: ignore[arg-type]
            unit = ua if ua == ub else f"{ua or '-'} -> {ub or '-'}"
            out.append(
                {
                    "workload": name,
                    "figure": figure,
                    "unit": unit,
                    "a": va,
                    "b": vb,
                    "delta": delta,
                    "delta_ratio": ratio,
                }
            )
    return out


def workload_diff_text(result: dict[str, Any]) -> str:
    """The workload changes of a diff as a plain aligned table (text ending in a newline), or ''."""
    from dcplan.planner.report.quantity import number, percent, unit_text
    from dcplan.planner.report.workloads import text_table

    lines = result.get("workloads") or []
    if not lines:
        return ""

    def signed(value: float | None, text: str) -> str:
        return "-" if value is None else ("+" if value >= 0 else "") + text

    rows = [
        [
            line["workload"],
            line["figure"],
            unit_text(line["unit"]),
            number(line["a"]),
            number(line["b"]),
            signed(line["delta"], number(line["delta"])),
            signed(line["delta_ratio"], percent(line["delta_ratio"])),
        ]
        for line in lines
    ]
    headers = ["workload", "figure", "unit", "A", "B", "change", "change %"]
    numeric = [False, False, False, True, True, True, True]
    return "\n".join(text_table("Workloads", headers, rows, numeric)) + "\n"


Position = tuple[str, str, str, int]  # (site, hall, row, slot)


def _units(plan: CapacityPlan) -> list[tuple[str, tuple[Position, ...], str]]:
    """(system, sorted positions of its racks, unit id) per deployment unit of the plan."""
    site_of = {h.hall: h.site for h in plan.halls}
    racks: dict[str, tuple[str, list[Position]]] = {}
    for rec in plan.layout.records():
        _, slots = racks.setdefault(rec["unit"], (rec["system"], []))
        slots.append((site_of.get(rec["hall"], ""), rec["hall"], rec["row"], rec["slot"]))
    return sorted((system, tuple(sorted(slots)), unit) for unit, (system, slots) in racks.items())


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


def _where(slots: tuple[Position, ...]) -> str:
    return describe_positions([(hall, row, slot) for _, hall, row, slot in slots])


Unit = tuple[str, tuple[Position, ...], str]


def _pair_nearest(olds: list[Unit], news: list[Unit]) -> list[tuple[Unit, Unit]]:
    """Pair units of A and B (same system and size), nearest first: within one row, then one
    hall, then one site, then anywhere; in slot order within each. Paired units are removed
    from ``olds`` and ``news``; what is left was removed / added."""
    pairs: list[tuple[Unit, Unit]] = []
    for depth in (3, 2, 1, 0):  # (site, hall, row) prefix of the first rack's position
        by_place_a: dict[tuple, list[Unit]] = defaultdict(list)
        by_place_b: dict[tuple, list[Unit]] = defaultdict(list)
        for u in olds:
            by_place_a[u[1][0][:depth]].append(u)
        for u in news:
            by_place_b[u[1][0][:depth]].append(u)
        for place, in_a in by_place_a.items():
            for old, new in zip(sorted(in_a), sorted(by_place_b.get(place, [])), strict=False):
                pairs.append((old, new))
        taken_a = {id(o) for o, _ in pairs}
        taken_b = {id(n) for _, n in pairs}
        olds[:] = [u for u in olds if id(u) not in taken_a]
        news[:] = [u for u in news if id(u) not in taken_b]
    return pairs


def _rack_changes(a: CapacityPlan, b: CapacityPlan) -> dict[str, list[dict[str, Any]]]:
    """Moved, added and removed units, matched by system and position (see the module notes)."""
    left_a: dict[tuple[str, tuple[Position, ...]], list[str]] = defaultdict(list)
    for system, slots, unit in _units(a):
        left_a[(system, slots)].append(unit)
    new_b: list[tuple[str, tuple[Position, ...], str]] = []
    for system, slots, unit in _units(b):
        if left_a.get((system, slots)):
            left_a[(system, slots)].pop(0)  # the same system in the same slots: unchanged
        else:
            new_b.append((system, slots, unit))
    gone_a = sorted((system, slots, unit) for (system, slots), units in left_a.items() for unit in units)

    moved, added, removed = [], [], []
    groups = sorted({(s, len(p)) for s, p, _ in gone_a} | {(s, len(p)) for s, p, _ in new_b})
    for system, size in groups:
        olds = [u for u in gone_a if u[0] == system and len(u[1]) == size]
        news = [u for u in new_b if u[0] == system and len(u[1]) == size]
        for old, new in _pair_nearest(olds, news):
            moved.append(
                {
                    "system": system,
                    "unit": new[2],
                    "unit_a": old[2],
                    "from": _where(old[1]),
                    "to": _where(new[1]),
                    "racks": size,
                }
            )
        for _, slots, unit in news:
            added.append({"unit": unit, "system": system, "at": _where(slots), "racks": len(slots)})
        for _, slots, unit in olds:
            removed.append({"unit": unit, "system": system, "at": _where(slots), "racks": len(slots)})
    key = lambda item: (item["system"], item.get("to", item.get("at")))  # noqa: E731
    return {"moved": sorted(moved, key=key), "added": sorted(added, key=key), "removed": sorted(removed, key=key)}


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
        "workloads": _workload_changes(a, b),
        "racks": racks,
    }
    if a.feasible != b.feasible:
        out["feasibility"] = {"a": a.feasible, "b": b.feasible}
    changed = ("mix", "compute", "power", "cost", "workloads", "feasibility")
    same = not (any(out.get(key) for key in changed) or any(racks.values()))
    return {"same": same, **out}
