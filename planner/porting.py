"""Porting effort (issue 13): a workload may run on a software stack it was not written for
when a ``[[porting]]`` table covers it, at a one-off cost and/or a delay.

- Match: workload w may use a supply of stack k outside ``w.software`` when an entry
  ``(w, k)`` exists, else an entry ``("*", k)`` (the exact entry wins).
- Delay: a ported pair's rate in the demand row and its delivered PFLOPS per unit are
  scaled by

      f[w, k] = 1 - delay / window(w)                                          [-]

  where window(w) is the workload's deadline for a budget with a deadline, else the
  scenario's ``tco_horizon`` (planner.scenario_workload.porting_window): a sustained rate
  is lost for ``delay`` of the horizon; a budget with a deadline has ``delay`` less of its
  deadline to run there. A delay on a budget without a deadline is refused (its time to
  train would be ``delay + budget / rate``, which no rate scaling represents). Validation keeps
  ``delay < window`` (so 0 < f <= 1). Peak PFLOPS per unit are the hardware's, unscaled.
- Cost: a porting with cost C[w, k] > 0 [MUSD] that opens at least one pair gets a binary
  column ``port[w, k]``; ``C x port`` is in capex (so in the budget, TCO, min-tco and the
  maximising objectives' TCO tie-break), and one linking row

      port_link[w, k]:  sum_(e of stack k) alloc[w, e] - U[w, k] x port[w, k] <= 0   [units]

  with U[w, k] the sum of the unit upper bounds of those supplies (an option's
  ``rows_available x units_per_row_max``, a cloud offer's quota). ``alloc[w, e] <=
  units[e] <= ub(e)`` holds in every feasible point, so the sum never exceeds U: the row
  never cuts off an allocation once the port is paid, and forces ``port = 1`` as soon as any
  unit of the stack is given to w. A delay-only porting (C = 0) needs no column.
  A ``"*"`` entry with a cost is paid once per workload it ports.

A porting entry that opens no pair (no supply of its stack where the workload may run, or
every such supply pruned for it) is reported among the plan's pruning notes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from dcplan.models.workload import SECONDS_PER_DAY
from dcplan.planner.scenario import Scenario
from dcplan.planner.scenario_workload import ANY_WORKLOAD, porting_window

USD_PER_MUSD = 1e6


@dataclass(frozen=True)
class PortingUse:
    """The porting of one workload to one stack, from the [[porting]] entry that matched."""

    workload: str
    stack: str
    entry: str  # the matching entry's ``workload`` field: the workload id, or "*"
    cost_musd: float
    delay_days: float
    factor: float  # 1 - delay / window: the share of its delivered rate a ported unit keeps
    window: str  # what the delay is taken from, for the plan's notes


@dataclass(frozen=True)
class PortColumn:
    """A binary ``port[w, k]`` column: its cost [MUSD], the pairs it links and their big-M."""

    workload: str
    stack: str
    cost_musd: float
    pairs: tuple[tuple[str, str], ...]  # (workload, supply) in the models' pair order
    bound_units: float  # U[w, k]: the sum of the unit upper bounds of those supplies


def porting_uses(scenario: Scenario) -> dict[tuple[str, str], PortingUse]:
    """(workload id, stack) -> its porting, for every stack a workload is not written for
    and a [[porting]] entry covers (an entry for the workload's id beats a "*" entry)."""
    entries = {(p.workload, p.to): p for p in scenario.porting}
    horizon = scenario.scenario.tco_horizon
    out: dict[tuple[str, str], PortingUse] = {}
    for workload in scenario.workload:
        for stack in sorted({p.to for p in scenario.porting} - set(workload.software)):
            entry = entries.get((workload.id, stack)) or entries.get((ANY_WORKLOAD, stack))
            if entry is None:
                continue
            window_s, what = porting_window(workload, horizon)
            delay_s = float(entry.delay.m_as("s")) if entry.delay is not None else 0.0
            cost = float(entry.cost.m_as("USD")) / USD_PER_MUSD if entry.cost is not None else 0.0
            out[workload.id, stack] = PortingUse(
                workload.id, stack, entry.workload, cost, delay_s / SECONDS_PER_DAY, 1.0 - delay_s / window_s, what
            )
    return out


def run_stacks(scenario: Scenario) -> dict[str, set[str]]:
    """Workload id -> the stacks it may run on: its software and the stacks ported to."""
    stacks: dict[str, set[str]] = {w.id: set(w.software) for w in scenario.workload}
    for workload, stack in porting_uses(scenario):
        stacks[workload].add(stack)
    return stacks


def apply_porting(scenario: Scenario, pairs: dict[tuple[str, str], Any], software: dict[str, str]) -> list[str]:
    """Scale every ported pair of ``pairs`` in place by its factor (module doc) and mark it
    ``ported``; return a note for each [[porting]] entry that opened no pair.

    ``software``: supply key -> its stack."""
    if not scenario.porting:
        return []
    uses = porting_uses(scenario)
    opened: set[tuple[str, str]] = set()
    for key, pair in pairs.items():
        use = uses.get((pair.workload, software[key[1]]))
        if use is None:
            continue
        opened.add((use.entry, use.stack))
        pairs[key] = dataclasses.replace(
            pair,
            rate=pair.rate * use.factor,
            delivered_pflops_per_unit=pair.delivered_pflops_per_unit * use.factor,
            ported=use.stack,
            porting_factor=use.factor,
        )
    notes = []
    for entry in scenario.porting:
        if (entry.workload, entry.to) not in opened:
            who = f"a workload not written for {entry.to}" if entry.workload == ANY_WORKLOAD else repr(entry.workload)
            notes.append(
                f"porting {entry.workload} to {entry.to}: opens no supply (no {entry.to} system may be placed or "
                f"rented where {who} may run, or each was pruned for it)"
            )
    return notes


def port_columns(data: Any) -> list[PortColumn]:
    """The binary columns of the model data's ported pairs with a cost, sorted by
    (workload, stack); their pairs are the models' alloc pairs (``pairs_in_order``: one per
    supply group), and U sums the unit upper bounds of every supply of those groups."""
    from dcplan.planner.matrix_workloads import pairs_in_order

    if not data.scenario.porting:
        return []  # the common case: no pair is ported (nothing to walk)
    uses = porting_uses(data.scenario)
    linked: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for w, e in pairs_in_order(data):
        pair = data.pairs[w, e]
        if pair.ported and uses[w, pair.ported].cost_musd > 0:
            linked.setdefault((w, pair.ported), []).append((w, e))
    # unit upper bounds of the linked groups' supplies only (an option's row limit is
    # recomputed on each read, so the whole option list is not walked)
    members_of = {m for group in linked.values() for _, e in group for m in data.supply_groups[e]}
    upper = {o.key: float(o.rows_available * o.units_per_row_max) for o in data.options if o.key in members_of}
    upper |= {c.key: float(c.quota) for c in data.clouds if c.key in members_of}
    return [
        PortColumn(
            w,
            k,
            uses[w, k].cost_musd,
            tuple(members),
            sum(upper[member] for _, e in members for member in data.supply_groups[e]),
        )
        for (w, k), members in sorted(linked.items())
    ]


def porting_cost_musd(columns: list[PortColumn]) -> float:
    """The sum of the porting costs [MUSD]: what buying every port column would add to capex."""
    return sum(c.cost_musd for c in columns)
