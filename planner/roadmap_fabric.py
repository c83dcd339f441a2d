"""The fabric tier per roadmap period (issue 15, item 1, per period).

A single-period plan sizes each (site, system)'s fat tree once, at the largest cluster the
scenario's halls can hold (planner.fabric_data.largest_cluster_chips), and every unit
carries its share of it (``models.allin.fabric_per_unit``: ``n = (R_net + R_sto) c / N``
racks, ``P = (P_fabric + P_storage) c / N`` [kW], ``C = (C_fabric + C_storage) c / N``
[USD] per unit of ``c`` accelerators). Over a roadmap the cluster a site can hold grows as
its halls come ready, so period t sizes it at the largest cluster of the halls ready by t
(``N_t``, the same rule over the halls of periods 0..t: a fabric built stays, so ``N_t``
never falls): a cluster that crosses a tier threshold (``E > 2 (k/2)**t``, models.fabric)
adds the tier's switch racks, power and capex only from the period it can cross it. A
period whose ``N_t`` gives the union's share keeps the union data (the same objects, so
the roadmap model patches one block); another is rebuilt with its share
(``build_model_data(..., placed=...)``), the same options in the same order; where a
rebuild would list other options (a smaller cluster's larger share can leave a row no room
for one unit) the period keeps the union data, sized at the horizon's cluster, and
``notes`` says so.

Money. A unit bought in t pays the period's share ``C_t`` in its unit capex
(planner.roadmap_inputs). When the share rises (a tier added), the units kept from t-1
are upgraded in t, ``fabric_upgrade``, once for the direct builder (``fabric_hook``, in
planner.roadmap_model.ROADMAP_HOOKS) and once for the Pyomo formulation
(``define_roadmap_fabric``):

    capex_t += (C_t(o) - C_(t-1)(o)) / 1e6 x (units[o, t] - add[o, t])   [MUSD]

for every option o with ``C_t(o) > C_(t-1)(o)`` (``units - add`` are the units held
from t-1; a fall adds nothing: switches bought are not sold back). No residual value is
taken for the upgrade (conservative).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dcplan.planner.fabric_data import PlacedFabric, placed_fabric
from dcplan.planner.modeldata import ModelData, sizing_options
from dcplan.planner.scenario import Scenario

USD_PER_MUSD = 1e6


def period_placed(scenario: Scenario, catalog: Any, ready: Sequence[frozenset[str]]) -> list[PlacedFabric]:
    """Per period, the per-unit shares at the largest cluster of the halls ready by then
    (the union of ``ready[0..t]``); empty lists' entries without a placing ``[fabric]``."""
    out: list[PlacedFabric] = []
    seen: set[str] = set()
    for halls in ready:
        seen |= halls
        out.append(placed_fabric(scenario, catalog, sizing_options, frozenset(seen)))
    return out


def period_fabric_data(
    union: ModelData,
    placed: Sequence[PlacedFabric],
    rebuild: Callable[[PlacedFabric], ModelData],
) -> tuple[list[ModelData], list[str]]:
    """Per period, the data sized at its own cluster (module docstring), and notes where a
    period keeps the union's sizing. ``rebuild(placed)`` builds the union data with those shares."""
    built: dict[tuple[Any, ...], ModelData] = {}
    notes: list[str] = []
    out: list[ModelData] = []
    keys = [o.key for o in union.options]
    for t, shares in enumerate(placed):
        if shares == union.placed_fabric:
            out.append(union)
            continue
        signature = tuple(sorted(shares.items()))
        data = built.get(signature)
        if data is None:
            fresh = rebuild(shares)
            if [o.key for o in fresh.options] != keys:
                notes.append(f"period {t}: sized at the horizon's cluster (a smaller one lists other options)")
                fresh = union
            else:
                fresh = _with_options(union, fresh)
            data = built[signature] = fresh
        out.append(data)
    return out, notes


def _with_options(union: ModelData, fresh: ModelData) -> ModelData:
    """The union data with ``fresh``'s options and what follows from them (placed shares,
    swing and on-site data); workloads, pairs and halls stay the union's objects. The on-site
    figures are cut to the options the union lists, as the union's own are
    (planner.roadmap_onsite.onsite_within_options): the rebuild knows nothing of the options
    the roadmap's slot extension removed."""
    from dataclasses import replace

    from dcplan.planner.roadmap_onsite import onsite_within_options

    return onsite_within_options(
        replace(union, options=fresh.options, placed_fabric=fresh.placed_fabric, swing=fresh.swing, onsite=fresh.onsite)
    )


def fabric_capex_usd(data: ModelData) -> dict[str, float]:
    """Option key -> the capex of its per-unit fabric share ``C`` [USD] (0 without one)."""
    return {o.key: (o.fabric.capex_usd if o.fabric is not None else 0.0) for o in data.options}


def upgrades(periods: Sequence[Any]) -> list[tuple[int, str, float]]:
    """(t, option key, C_t - C_(t-1) [MUSD]) for every rise of the per-unit fabric capex."""
    out: list[tuple[int, str, float]] = []
    before: dict[str, float] | None = None
    for t, period in enumerate(periods):
        now = fabric_capex_usd(period.data)
        if before is not None:
            for key, usd in now.items():
                rise = usd - before.get(key, usd)
                if rise > 1e-9:
                    out.append((t, key, rise / USD_PER_MUSD))
        before = now
    return out


def fabric_hook(b: Any) -> None:
    """The fabric upgrade capex on a RoadmapBuild (module docstring)."""
    for t, key, musd in upgrades(b.periods):
        units = b.block_col(t, "units", key)
        if units is None:
            continue
        b.capex[t][units] = b.capex[t].get(units, 0.0) + musd
        add = b.linking_col("add", (t, key))
        if add is not None:
            b.capex[t][add] = b.capex[t].get(add, 0.0) - musd


def define_roadmap_fabric(m: Any, inputs: Any) -> None:
    """The Pyomo twin of ``fabric_hook``: the upgrade capex into ``m.hook_money``."""
    for t, key, musd in upgrades(inputs.periods):
        bought = m.add[key, t] if (key, t) in m.add.index_set() else 0.0  # a Pyomo Var has no .get
        held = m.period[t].units[key] - bought
        m.hook_money.add_capex(t, musd * held)


def _register() -> None:
    from dcplan.planner.roadmap_model import register_hook  # imported late: roadmap_model imports this module

    register_hook(fabric_hook)


_register()

__all__ = ["define_roadmap_fabric", "fabric_hook", "period_fabric_data", "period_placed", "upgrades"]
