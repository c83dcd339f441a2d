"""Cloud terms and AWS AI Factory over a roadmap (issue 14, item 3): inputs and the hook.

Cloud terms (``[[cloud]] term`` / ``term_length``):

- on-demand: as today (the block's ``rent[k, t]`` at that period's quota and price).
- reserved and capacity-block: units are rented for ``d = ceil(term_length / y - 1e-9)``
  periods with no cancellation. Integer ``start[k, t]`` (units whose term starts in t) and
  ``rent[k, t] = sum_(t-d < tau <= t) start[k, tau]``. The price is locked when the term
  starts: opex_t' += y x annual_cost_tau x start[k, tau] for t' = tau..tau+d-1 [MUSD]
  (the block's rent opex is replaced), and the periods of a term past the horizon end are
  charged in the last period (undiscounted beyond it: a commitment is paid in full).

AI Factory (``[[ai_factory]]``, options from ``planner.ai_factory``):

- units only from the factory's ``from`` period on: ``units[o, t] <= 0`` before it;
- opex_t += rate [USD/h] x hours_t x units[o, t] / 1e6 [MUSD] (the committed rate; the
  customer's energy is the option's own energy cost);
- minimum commitment: ``sum_(o of f) units[o, t] >= min_units`` for t in
  ``from .. from + ceil(commitment / y - 1e-9) - 1`` (within the horizon);
- capex of a unit added = the option's capex (no IT: AWS owns the hardware; no system price
  decline applies), with its residual over the IT life.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dcplan.models.errors import DcplanError
from dcplan.planner.modeldata import ModelData
from dcplan.planner.roadmap_slots import plain_number

USD_PER_MUSD = 1e6
TERMED = ("reserved", "capacity-block")


class CloudInputError(DcplanError):
    """A cloud term or AI Factory input that cannot be planned (one line)."""


@dataclass(frozen=True)
class CloudTerm:
    """A reserved or capacity-block offer: ``periods`` periods per term, no cancellation."""

    key: str  # cloud option key ("cloud:<id>")
    term: str
    periods: int


@dataclass(frozen=True)
class AiFactoryInput:
    """One AI Factory: its option keys, committed rate and minimum commitment window."""

    id: str
    keys: tuple[str, ...]
    rate_usd_per_hour: float
    min_units: int
    from_period: int  # first period units may stand (may be < 0: before the start)
    commit_periods: int  # periods the minimum holds from from_period


@dataclass
class CloudInputs:
    """``RoadmapInputs.extras["cloud"]``."""

    terms: list[CloudTerm] = field(default_factory=list)
    factories: list[AiFactoryInput] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _years(value: Any, what: str) -> float:
    """Years from a pint duration, a "3 year" string or a number of years (> 0)."""
    expected = "a duration such as '1 year'"
    return plain_number(value, "year", what, expected=expected, noun="duration", positive=True, error=CloudInputError)


def _usd_per_hour(value: Any, what: str) -> float:
    expected = "a rate such as '95 USD/hour'"
    return plain_number(value, "USD/hour", what, expected=expected, noun="rate", error=CloudInputError)


def term_periods(years: float, period_years: float) -> int:
    """Whole periods a term of ``years`` covers: ceil(years / y - 1e-9), at least 1."""
    return max(1, math.ceil(years / period_years - 1e-9))


def cloud_inputs(
    scenario: Any,
    data: ModelData,
    *,
    period_years: float,
    period_of: Callable[[Any], int],
    factory_keys: dict[str, list[str]] | None = None,
) -> CloudInputs:
    """The cloud-term and AI Factory inputs of ``scenario`` (SCHEMA's fields, absent = none).

    ``period_of`` maps a date or its text ("2027Q1", "2027", ISO) to its period index
    (``Calendar.index_of_text``); an AI Factory without ``from`` starts in period 0;
    ``factory_keys`` is ``planner.ai_factory.with_ai_factory``'s factory id -> option keys.
    """
    out = CloudInputs()
    keys = {c.offer.id: c.key for c in data.clouds}
    for offer in scenario.cloud:
        term = getattr(offer, "term", None) or "on-demand"
        if term == "on-demand":
            continue
        if term not in TERMED:
            raise CloudInputError(
                f"cloud {offer.id!r} term: expected on-demand, reserved or capacity-block, got {term!r}"
            )
        length = getattr(offer, "term_length", None)
        if length is None:
            raise CloudInputError(f"cloud {offer.id!r}: a {term} term needs term_length (e.g. '1 year')")
        periods = term_periods(_years(length, f"cloud {offer.id!r} term_length"), period_years)
        if offer.id in keys:  # an offer pruned from the data (no compute figure) has no columns
            out.terms.append(CloudTerm(keys[offer.id], term, periods))
    for f in getattr(scenario, "ai_factory", None) or []:
        out.factories.append(_factory(f, period_years, period_of, (factory_keys or {}).get(f.id, [])))
    return out


def roadmap_extras(
    scenario: Any,
    catalog: Any,
    data: ModelData,
    *,
    period_years: float,
    periods: int,
    period_of: Callable[[Any], int],
    lookup: Any = None,
) -> tuple[ModelData, dict[str, Any]]:
    """What ``planner.roadmap_inputs`` calls once on the union ModelData: the data with the
    AI Factory options appended and the options a row's slot or density classes cannot
    host removed into ``pruned`` (build every period's data from it), and ``extras`` with
    ``"slots"`` and ``"cloud"``. ``[roadmap] switch_trays_per_year`` (when the scenario has it)
    overrides the catalog slot's tray supply."""
    from dcplan.planner.ai_factory import with_ai_factory
    from dcplan.planner.roadmap_slots import prune_blocked, slot_inputs

    data, keys = with_ai_factory(data, scenario, catalog, lookup)
    trays = getattr(getattr(scenario, "roadmap", None), "switch_trays_per_year", None)
    slots = slot_inputs(scenario, catalog, data, period_years=period_years, periods=periods, tray_supply_per_year=trays)
    data = prune_blocked(data, slots)  # the plan lists them among the pruned, with the slot's reason
    keys = {fid: [k for k in ks if k not in slots.blocked] for fid, ks in keys.items()}
    cloud = cloud_inputs(scenario, data, period_years=period_years, period_of=period_of, factory_keys=keys)
    return data, {"slots": slots, "cloud": cloud}


def _factory(f: Any, period_years: float, period_of: Callable[[Any], int], keys: list[str]) -> AiFactoryInput:
    where = f"ai_factory {f.id!r}"
    start = getattr(f, "from_", None)
    try:
        first = 0 if start is None else period_of(start)  # no start: from the roadmap's first period
    except Exception:
        raise CloudInputError(f"{where} from: expected a quarter such as '2027Q1' or a date, got {start!r}") from None
    if not keys:
        raise CloudInputError(
            f"{where}: no row of hall {getattr(f, 'hall', '?')} can hold a unit of {getattr(f, 'system', '?')}"
        )
    min_units = int(getattr(f, "min_units", 0) or 0)
    if min_units < 0:
        raise CloudInputError(f"{where} min_units: expected a whole number >= 0, got {min_units}")
    return AiFactoryInput(
        id=f.id,
        keys=tuple(keys),
        rate_usd_per_hour=_usd_per_hour(f.rate, f"{where} rate"),
        min_units=min_units,
        from_period=first,
        commit_periods=term_periods(_years(f.commitment, f"{where} commitment"), period_years),
    )


# -- the roadmap hook ----------------------------------------------------------------------


def cloud_hook(b: Any) -> None:
    """Termed rentals and AI Factory opex, windows and commitments (module docstring)."""
    inputs = b.inputs.extras.get("cloud")
    if not isinstance(inputs, CloudInputs):
        return
    for term in inputs.terms:
        _term_rows(b, term)
    for factory in inputs.factories:
        _factory_rows(b, factory)


def _term_rows(b: Any, term: CloudTerm) -> None:
    n, d = len(b.periods), term.periods
    starts = b.add_columns("cloud_start", [(t, term.key) for t in range(n)], integer=True)
    for t in range(n):
        rent = b.block_col(t, "rent", term.key)
        if rent is None:
            b.set_upper(starts[t], 0.0)
            continue
        b.opex[t].pop(rent, None)  # the rent is paid through the locked price of its starts
        terms = {rent: 1.0} | {starts[tau]: -1.0 for tau in range(max(0, t - d + 1), t + 1)}
        b.add_row("cloud_term", (t, term.key), terms, 0.0, 0.0)
    for tau in range(n):
        cloud = next((c for c in b.periods[tau].data.clouds if c.key == term.key), None)
        if cloud is None:
            continue
        for t in range(tau, tau + d):
            at = min(t, n - 1)  # a term past the horizon is charged in the last period
            musd = b.periods[at].years * cloud.annual_cost_usd / USD_PER_MUSD
            b.opex[at][starts[tau]] = b.opex[at].get(starts[tau], 0.0) + musd


def _factory_rows(b: Any, f: AiFactoryInput) -> None:
    from dcplan.planner.roadmap_families import residual_share

    window = range(max(0, f.from_period), min(len(b.periods), f.from_period + f.commit_periods))
    for t, period in enumerate(b.periods):
        cols = {key: c for key in f.keys if (c := b.block_col(t, "units", key)) is not None}
        for key, col in cols.items():
            if t < f.from_period:
                b.set_upper(col, 0.0)
                if (add := b.linking_col("add", (t, key))) is not None:
                    b.set_upper(add, 0.0)
            b.opex[t][col] = b.opex[t].get(col, 0.0) + f.rate_usd_per_hour * period.hours / USD_PER_MUSD
            add = b.linking_col("add", (t, key))
            if add is not None:  # no IT price: the option's own (non-IT) capex, not a declined system price
                option = next(o for o in period.data.options if o.key == key)
                musd = option.capex_per_unit_usd / USD_PER_MUSD
                b.capex[t][add] = musd
                life = b.inputs.it_life_years.get(key, math.inf)
                b.residual[add] = musd * residual_share(b.inputs.horizon_years, period.years_from_start, life)
        if t in window and f.min_units > 0:
            b.add_row(
                "ai_factory_commitment", (t, f.id), dict.fromkeys(cols.values(), 1.0), float(f.min_units), math.inf
            )


def _register() -> None:
    from dcplan.planner.roadmap_model import register_hook  # imported late: roadmap_model imports this module

    register_hook(cloud_hook)


_register()
