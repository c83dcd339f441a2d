"""The roadmap extension families in the Pyomo formulation (planner/roadmap_formulation.py):
the readable twins of the production hooks of planner.roadmap_model.ROADMAP_HOOKS.

Each ``define_*`` states its rows and columns; the production hook it mirrors is named
(planner.roadmap_slots: NVLink Fusion slots, density pre-build, switch trays;
planner.roadmap_cloud: cloud terms / Capacity Blocks, AWS AI Factory). They read the same
``inputs.extras`` (``"slots"``: SlotInputs, ``"cloud"``: CloudInputs) and run after the core
linking families, before the money: their money goes into ``m.hook_money`` (HookMoney),
which planner.roadmap_formulation.define_money adds to the core terms.

Index t = 0..T-1, y_t [y], hours_t [h], s_t [y from the start], E [y] the horizon end,
share(t) = max(0, 1 - (E - s_t) / facility_life) (the book value left at E of plant built
in t), [MUSD] for money.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

from dcplan.planner.formulation import constraint
from dcplan.planner.roadmap_families import residual_share
from dcplan.planner.roadmap_types import RoadmapInputs

USD_PER_MUSD = 1e6


@dataclass
class HookMoney:
    """What the extension families add to or change in the roadmap's money [MUSD].

    capex[t], opex[t]: extra terms of period t; residual: extra terms at E;
    unit_price[(o, t)]: the price of one unit added (replaces the period's unit capex, and
    so its residual); rent_paid_by_terms: cloud keys whose block rent is paid through the
    locked price of their term starts instead of the period's price.
    """

    capex: dict[int, list[Any]] = field(default_factory=dict)
    opex: dict[int, list[Any]] = field(default_factory=dict)
    residual: list[Any] = field(default_factory=list)
    unit_price: dict[tuple[str, int], float] = field(default_factory=dict)
    rent_paid_by_terms: set[str] = field(default_factory=set)
    #: delivered[t]: extra terms of period t's delivered PFLOPS (the on-site curtailed work)
    delivered: dict[int, list[Any]] = field(default_factory=dict)

    def add_capex(self, t: int, term: Any) -> None:
        self.capex.setdefault(t, []).append(term)

    def add_opex(self, t: int, term: Any) -> None:
        self.opex.setdefault(t, []).append(term)

    def add_delivered(self, t: int, term: Any) -> None:
        self.delivered.setdefault(t, []).append(term)


def define_extensions(m: Any, inputs: RoadmapInputs) -> None:
    """Every extension family of ``inputs.extras`` (none without extras), in the production
    order: slots (blocked options, density, trays), then cloud terms and AI Factory."""
    from dcplan.planner.roadmap_cloud import CloudInputs
    from dcplan.planner.roadmap_slots import SlotInputs

    m.hook_money = HookMoney()
    from dcplan.planner.roadmap_swing import define_roadmap_swing

    define_roadmap_swing(m, inputs)  # batteries kept, bought when built (planner.roadmap_swing)
    from dcplan.planner.roadmap_water import define_roadmap_water

    define_roadmap_water(m, inputs)  # one water class per hall, heat revenue (planner.roadmap_water)
    from dcplan.planner.roadmap_onsite import define_roadmap_onsite

    define_roadmap_onsite(m, inputs)  # gensets kept, lead time, fuel per period (planner.roadmap_onsite)
    from dcplan.planner.roadmap_fabric import define_roadmap_fabric

    define_roadmap_fabric(m, inputs)  # kept units pay a fabric tier added later (planner.roadmap_fabric)
    slots = inputs.extras.get("slots")
    if isinstance(slots, SlotInputs):
        define_blocked_options(m, slots.blocked)
        for row_id, classes in slots.density.items():
            define_density(m, inputs, row_id, classes)
        define_switch_trays(m, slots)
    cloud = inputs.extras.get("cloud")
    if isinstance(cloud, CloudInputs):
        for term in cloud.terms:
            define_cloud_term(m, inputs, term)
        for factory in cloud.factories:
            define_ai_factory(m, inputs, factory)


def _close(m: Any, o: str, t: int) -> None:
    """units[o, t] <= 0 and add[o, t] <= 0 (bounds)."""
    m.period[t].units[o].setub(0)
    if (o, t) in m.add:
        m.add[o, t].setub(0)


def define_blocked_options(m: Any, blocked: dict[str, str]) -> None:
    """Options a row's rack slot does not admit, or no density class of the row can host
    (planner.roadmap_slots.slot_hook): units[o, t] <= 0, add[o, t] <= 0 for every t."""
    for t in m.T:
        for o in blocked:
            if o in m.period[t].units:
                _close(m, o, t)


def define_density(m: Any, inputs: RoadmapInputs, row_id: str, classes: list[Any]) -> None:
    """Density build classes of row template r (planner.roadmap_slots.density_rows), classes
    k = 0..C-1 by ascending rack_kw_k [kW], capex_k [MUSD per row], N the template's rows;
    integer columns in [0, N] indexed (t, r, k):

        density_rows[t, r, k]     rows standing in class k in t
        density_build[t, r, k]    rows built into class k in t (new or rebuilt)
        density_rebuilt[t, r, k]  rows of class k rebuilt into a higher class in t (0 at t = 0)

    - density_stock: rows[t,k] - rows[t-1,k] - build[t,k] + rebuilt[t,k] = 0   [rows]
    - density_keep (t >= 1): S_k[t] - S_k[t-1] >= 0, S_k = sum_(j >= k) rows[., j]:
      a row is never downgraded or demolished
    - density_cover: sum_(o of r: k_o >= k) rows[o, t] - S_k[t] <= 0, k_o the lowest class
      covering o's rack kW (a higher class hosts lower racks)
    - density_count: sum_k rows[t, k] <= N
    - capex_t += capex_k build[t, k]; residual += capex_k (share(t) build[t, k] - share(0) rebuilt[t, k])
    """
    from dcplan.planner.roadmap_slots import needed_class

    options = [o for o in inputs.periods[0].data.options if o.row == row_id]
    if not options:
        return
    count = options[0].rows_available
    need = {o.key: needed_class(classes, o.coeff.rack_kw) or 0 for o in options}
    index = [(t, row_id, k) for t in m.T for k in range(len(classes))]
    rows = _density_var(m, "density_rows", index, lambda t: count)
    built = _density_var(m, "density_build", index, lambda t: count)
    rebuilt = _density_var(m, "density_rebuilt", index, lambda t: count if t > 0 else 0)

    def standing_from(t: int, k: int) -> Any:
        return pyo.quicksum(rows[t, row_id, j] for j in range(k, len(classes)))

    def before(var: Any, t: int, k: int) -> Any:
        return var[t - 1, row_id, k] if t > 0 else 0

    _add_rows(
        m,
        f"density_stock_{row_id}",
        index,
        lambda t, r, k: rows[t, r, k] - before(rows, t, k) - built[t, r, k] + rebuilt[t, r, k] == 0,
    )
    later = [(t, r, k) for t, r, k in index if t > 0]
    _add_rows(m, f"density_keep_{row_id}", later, lambda t, r, k: standing_from(t, k) - standing_from(t - 1, k) >= 0)

    def cover(t: int, r: str, k: int) -> Any:
        block = m.period[t]
        hosted = pyo.quicksum(block.rows[o.key] for o in options if need[o.key] >= k)
        return hosted - standing_from(t, k) <= 0

    _add_rows(m, f"density_cover_{row_id}", index, cover)
    _add_rows(
        m,
        f"density_count_{row_id}",
        [(t, row_id) for t in m.T],
        lambda t, r: pyo.quicksum(rows[t, r, k] for k in range(len(classes))) <= count,
    )
    share0 = _facility_share(inputs, 0)
    for t, r, k in index:
        musd = classes[k].capex_usd / USD_PER_MUSD
        if musd > 0:
            m.hook_money.add_capex(t, musd * built[t, r, k])
            m.hook_money.residual.append(
                musd * (_facility_share(inputs, t) * built[t, r, k] - share0 * rebuilt[t, r, k])
            )


def _density_var(m: Any, name: str, index: list[tuple[int, str, int]], upper: Any) -> Any:
    """The density family's integer columns: one Var per family, shared by every template
    (added on first use, then extended)."""
    if not hasattr(m, name):
        m.add_component(name, pyo.Var(pyo.Any, dense=False, domain=pyo.NonNegativeIntegers))
    var = getattr(m, name)
    for t, r, k in index:
        var[t, r, k].setlb(0)
        var[t, r, k].setub(upper(t))
    return var


def _add_rows(m: Any, name: str, index: list[Any], rule: Any) -> None:
    m.add_component(name, constraint(index, rule=lambda model, *i: rule(*i)))


def _facility_share(inputs: RoadmapInputs, t: int) -> float:
    return residual_share(inputs.horizon_years, inputs.periods[t].years_from_start, inputs.facility_life_years)


def define_switch_trays(m: Any, slots: Any) -> None:
    """switch_trays[t] (planner.roadmap_slots._tray_rows): NVIDIA NVLink switch trays drawn by
    the units added in t within the period's supply,

        sum_o trays_o x add[o, t] <= supply_t                                     [trays]

    not written under the WHAT-IF mixed_fusion_domain (the trays come with the GPU racks of
    the domain) nor without a supply."""
    if slots.mixed_fusion_domain or slots.tray_supply is None:
        return
    supply = slots.tray_supply[: len(m.T)]
    index = [t for t in range(len(supply)) if any((o, t) in m.add for o in slots.trays)]
    m.switch_trays = constraint(
        index,
        rule=lambda model, t: (
            pyo.quicksum(n * m.add[o, t] for o, n in slots.trays.items() if (o, t) in m.add) <= supply[t]
        ),
    )


def define_cloud_term(m: Any, inputs: RoadmapInputs, term: Any) -> None:
    """A reserved or Capacity Block offer k of d periods a term (planner.roadmap_cloud):
    integer cloud_start[t, k] (units whose term starts in t), and

    - cloud_term[t, k]: rent[k, t] - sum_(t-d < tau <= t) cloud_start[tau, k] = 0      [units]
      (no cancellation: a unit rented is rented for the whole term)
    - opex: the block's rent at the period's price is replaced by the price locked when the
      term starts, y_t' x annual_tau / 1e6 x cloud_start[tau, k] for t' = tau..tau+d-1,
      the periods past the horizon charged in the last one (a commitment is paid in full)
    """
    key, d, last = term.key, term.periods, len(m.T) - 1
    if not hasattr(m, "cloud_start"):
        m.cloud_start = pyo.Var(pyo.Any, dense=False, domain=pyo.NonNegativeIntegers)
    starts = {t: m.cloud_start[t, key] for t in m.T}
    for t, var in starts.items():
        var.setlb(0)
        var.setub(None if key in m.period[t].rent else 0)
    m.hook_money.rent_paid_by_terms.add(key)
    rule = {
        t: m.period[t].rent[key] - pyo.quicksum(starts[tau] for tau in range(max(0, t - d + 1), t + 1)) == 0
        for t in m.T
        if key in m.period[t].rent
    }
    _add_rows(m, f"cloud_term_{key}", list(rule), lambda t: rule[t])
    for tau in m.T:
        cloud = m.period[tau].cloud.get(key)
        if cloud is None:
            continue
        for paid in range(tau, tau + d):
            at = min(paid, last)
            musd = inputs.periods[at].years * cloud.annual_cost_usd / USD_PER_MUSD
            m.hook_money.add_opex(at, musd * starts[tau])


def define_ai_factory(m: Any, inputs: RoadmapInputs, f: Any) -> None:
    """An AWS AI Factory f over its options O_f (planner.roadmap_cloud._factory_rows):

    - units[o, t] <= 0 and add[o, t] <= 0 before the factory's first period
    - opex_t += rate [USD/h] x hours_t / 1e6 x units[o, t] (the committed rate, on top of the
      option's energy: the customer supplies power)
    - the price of a unit added is the option's own (non-IT) capex, not a declined system
      price; its residual follows (IT life)
    - ai_factory_commitment[t, f]: sum_(o in O_f) units[o, t] >= min_units for t in the
      commitment window from .. from + ceil(commitment / y) - 1 (within the horizon)  [units]
    """
    window = range(max(0, f.from_period), min(len(m.T), f.from_period + f.commit_periods))
    for t in m.T:
        block = m.period[t]
        keys = [o for o in f.keys if o in block.units]
        for o in keys:
            if t < f.from_period:
                _close(m, o, t)
            m.hook_money.add_opex(t, f.rate_usd_per_hour * inputs.periods[t].hours / USD_PER_MUSD * block.units[o])
            if (o, t) in m.add:
                m.hook_money.unit_price[(o, t)] = block.option[o].capex_per_unit_usd / USD_PER_MUSD
    index = [t for t in window if f.min_units > 0]
    _add_rows(
        m,
        f"ai_factory_commitment_{f.id}",
        index,
        lambda t: pyo.quicksum(m.period[t].units[o] for o in f.keys if o in m.period[t].units) >= f.min_units,
    )


def hook_terms(m: Any, name: str, t: int | None = None) -> Any:
    """The extension families' terms of ``name`` (capex / opex / delivered of period t, residual)."""
    money = getattr(m, "hook_money", None)
    if money is None:
        return 0
    if name == "residual":
        return pyo.quicksum(money.residual)
    return pyo.quicksum(getattr(money, name).get(t, []))


__all__ = ["HookMoney", "define_extensions", "hook_terms"]
