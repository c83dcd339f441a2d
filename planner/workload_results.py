"""Per-workload results of a solved plan (``CapacityPlan.workloads``): where each workload
runs, what it delivers, how long it takes, what it costs, and what limits it.

From the solution's allocations ``alloc[w, g]`` [units] of supply groups (planner.delivered.
supply_groups), split over the group's supplies (``split_allocations``), and the pair figures
of planner.delivered:

- placement e: units = alloc, chips = units x chips per unit, peak = units x peak PFLOPS per
  unit at the pair's precision, delivered = units x d[w, e];
- tokens/s = delivered x 1e15 / FLOPs per token (needs a model size);
- time to train = budget / delivered (budget forms; models.workload.time_to_train_days);
- ported: the stacks a [[porting]] let it run on that its placements use, with the cost
  and delay (planner.porting); a porting with a cost is paid when the solver bought its
  ``port`` column, a delay-only one when any unit of the stack is given to it;
- cost per delivered unit: a workload's own porting costs, plus the rest of the plan's TCO
  shared among workloads in proportion to the *direct* TCO of the units each is allocated
  (unit capex + PV of its energy for placed units, PV of rent for rented ones), so shared
  infrastructure (halls, UPS, transformers, generators, busways, PDUs) and units no
  workload is given follow the same split. The share is divided by the work delivered over the TCO horizon (undiscounted): USD per
  million tokens when the workload has a model size, else USD per PFLOP-day;
- per MW: delivered work per facility design MW of its units (rented units: their IT
  design power);
- limited_by: why pairs were pruned for it, its demand floor when it binds (min-tco), and
  the plan's binding limits otherwise (max objectives: what stops more being delivered).
"""

from __future__ import annotations

from typing import Any

from dcplan.models import workload as physics
from dcplan.planner.delivered import DELIVERED, budget_flop
from dcplan.planner.matrix_workloads import DAYS_PER_YEAR
from dcplan.planner.modeldata import ModelData
from dcplan.planner.plan import LimitUse, WorkloadPlacement, WorkloadPorting, WorkloadResult
from dcplan.planner.porting import USD_PER_MUSD, PortingUse, porting_uses

SECONDS_PER_YEAR = 365.25 * 86400.0
ALLOC_EPS = 1e-9  # units: allocations below are solver noise


def _supply_costs(data: ModelData) -> dict[str, tuple[float, float, str]]:
    """Per supply key: (direct TCO per unit [USD], design kW per unit, place)."""
    out: dict[str, tuple[float, float, str]] = {}
    for o in data.options:
        direct = o.capex_per_unit_usd + data.pv_factor * o.energy_cost_per_unit_usd
        out[o.key] = (direct, o.facility_design_kw_per_unit, o.site)
    for c in data.clouds:
        out[c.key] = (data.pv_factor * c.annual_cost_usd, c.it_design_kw_per_unit, c.key)
    return out


def split_allocations(data: ModelData, values: dict[str, dict[Any, float]]) -> dict[tuple[str, str], float]:
    """Units per (workload, supply) from the models' units per (workload, supply group).

    Every supply of a group serves a workload alike, so any split within each supply's units
    (``units[e]``, ``rent[e]``) is the same plan: workloads in model order take the group's
    supplies in order, each as far as its units go. What exceeds the group's units within the
    solver's tolerance stays on its last supply."""
    units = values.get("units", {}) | values.get("rent", {})
    room: dict[str, float] = {}
    out: dict[tuple[str, str], float] = {}
    for (workload_id, first), given in values.get("alloc", {}).items():
        members = data.supply_groups.get(first, [first])
        left = float(given)
        for key in members:
            take = min(left, room.setdefault(key, float(units.get(key, 0.0))))
            if take > ALLOC_EPS:
                out[workload_id, key] = out.get((workload_id, key), 0.0) + take
                room[key] -= take
                left -= take
            if left <= ALLOC_EPS:
                break
        if left > ALLOC_EPS:
            out[workload_id, members[-1]] = out.get((workload_id, members[-1]), 0.0) + left
    return out


def _placements(data: ModelData, workload_id: str, alloc: dict[Any, float]) -> list[WorkloadPlacement]:
    places = _supply_costs(data)
    chips_of = {o.key: o.chips_per_unit for o in data.options} | {c.key: c.chips_per_unit for c in data.clouds}
    out = []
    for key in data.eligible.get(workload_id, []):
        units = float(alloc.get((workload_id, key), 0.0))
        if units <= ALLOC_EPS:
            continue
        pair = data.pairs[workload_id, key]
        out.append(
            WorkloadPlacement(
                supply=key,
                system=pair.system,
                place=places[key][2],
                units=units,
                chips=units * chips_of[key],
                precision=pair.precision,
                peak_pflops=units * pair.peak_pflops_per_unit,
                efficiency=pair.efficiency,
                goodput=pair.goodput,
                haircut=pair.haircut,
                ported=pair.ported,
                porting_factor=pair.porting_factor,
                delivered_pflops=units * pair.delivered_pflops_per_unit,
            )
        )
    return out


def paid_portings(data: ModelData, values: dict[str, dict[Any, float]]) -> list[PortingUse]:
    """The portings the solution pays, once per (workload, stack), in the order of
    ``planner.porting.porting_uses``: a porting with a cost when the solver bought its
    ``port`` column (value > 0.5: the MIP's own decision, so the plan charges what the model
    charged even where an allocation within the integrality tolerance of the big-M row
    remains), a delay-only porting (no column) when any unit of its stack is given to it."""
    if not data.scenario.porting:
        return []
    port = values.get("port", {})
    used = {
        (w, data.pairs[w, e].ported)
        for (w, e), units in values.get("alloc", {}).items()
        if units > ALLOC_EPS and data.pairs[w, e].ported
    }
    paid = []
    for key, use in porting_uses(data.scenario).items():
        bought = port.get(key)
        if (bought is not None and bought > 0.5) or (bought is None and key in used):
            paid.append(use)
    return paid


def paid_porting_usd(data: ModelData, values: dict[str, dict[Any, float]]) -> float:
    """The plan's porting capex [USD]: the cost of every porting the solution pays."""
    return sum(use.cost_musd for use in paid_portings(data, values)) * USD_PER_MUSD


def _limited_by(data: ModelData, workload: Any, served: float, limits: list[LimitUse]) -> list[str]:
    reasons = [r for r in data.workload_pruned if r.startswith(f"{workload.id} cannot run")]
    need = data.needs[workload.id]
    if data.scenario.scenario.objective == "min-tco":
        if need.value > 0 and served <= need.value * (1 + 1e-6):
            reasons.append(f"its demand of {need.value:,.6g} {need.unit} (the plan buys no more than it needs)")
        return reasons
    reasons += [f"{u.limit} ({u.scope})" for u in limits if u.binding and not u.limit.startswith("demand ")]
    return reasons


def workload_results(
    data: ModelData, values: dict[str, dict[Any, float]], limits: list[LimitUse], plan_tco_usd: float
) -> list[WorkloadResult]:
    """One WorkloadResult per scenario workload, from the solution ``values`` and the plan's
    TCO [USD] (see the module doc)."""
    alloc = split_allocations(data, values)
    costs = _supply_costs(data)
    placements = {w.id: _placements(data, w.id, alloc) for w in data.workloads}
    direct = {w: sum(p.units * costs[p.supply][0] for p in ps) for w, ps in placements.items()}
    total_direct = sum(direct.values())
    ported: dict[str, list[WorkloadPorting]] = {w.id: [] for w in data.workloads}
    for use in paid_portings(data, values):
        ported[use.workload].append(
            WorkloadPorting(
                stack=use.stack,
                entry=use.entry,
                cost_usd=use.cost_musd * USD_PER_MUSD,
                delay_days=use.delay_days,
                factor=use.factor,
                window=use.window,
            )
        )
    plan_tco = plan_tco_usd - paid_porting_usd(data, values)  # the rest after each workload's own porting
    years = float(data.scenario.scenario.tco_horizon.m_as("year"))
    results = []
    for workload in data.workloads:
        places = placements[workload.id]
        delivered = sum(p.delivered_pflops for p in places)
        served = sum(data.pairs[workload.id, p.supply].rate * p.units for p in places)
        need = data.needs[workload.id]
        per_token = (
            physics.flops_per_token(workload.workload_class, workload.active)
            if workload.workload_class is not None and workload.active is not None
            else None
        )
        tokens_per_s = delivered * physics.FLOP_PER_PFLOP / per_token if per_token else None
        budget = budget_flop(workload)
        share_usd = plan_tco * direct[workload.id] / total_direct if total_direct > 0 else 0.0
        share_usd += sum(p.cost_usd for p in ported[workload.id])
        facility_mw = sum(p.units * costs[p.supply][1] for p in places) / 1000.0
        if tokens_per_s is not None:
            work = tokens_per_s * years * SECONDS_PER_YEAR / 1e6  # million tokens over the horizon
            cost_unit, per_mw_unit, rate = "USD per million tokens", "tokens/s per MW", tokens_per_s
        else:
            work = delivered * years * DAYS_PER_YEAR  # PFLOP-days over the horizon
            cost_unit, per_mw_unit, rate = "USD per PFLOP-day", "PFLOPS per MW", delivered
        results.append(
            WorkloadResult(
                workload=workload.id,
                workload_class=workload.workload_class or "peak",
                demand_form=workload.form,
                demand_pflops=need.value if need.unit in (DELIVERED, "PFLOPS") and need.value > 0 else None,
                delivered_pflops=delivered,
                peak_pflops=sum(p.peak_pflops for p in places),
                chips=sum(p.chips for p in places),
                tokens_per_s=tokens_per_s,
                time_to_train_days=physics.time_to_train_days(budget, delivered) if budget is not None else None,
                cost_per_unit=share_usd / work if work > 0 else None,
                cost_unit=cost_unit if work > 0 else None,
                per_mw=rate / facility_mw if facility_mw > 0 else None,
                per_mw_unit=per_mw_unit if facility_mw > 0 else None,
                placements=places,
                ported=ported[workload.id],
                limited_by=_limited_by(data, workload, served, limits),
            )
        )
    return results
