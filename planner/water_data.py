"""The optimiser's water-class data: per ``[[water_loop]]`` hall, one option per
(row, system, liquid cooling, allowed class) sized at that class's supply temperature
(models.plant through models.coefficients: plant kW, chiller hours and water per class),
the pairs a system's coolant inlet limit excludes (``models.water_class.accepts_class``),
and the warnings to give before optimising.

Options on a cooling that takes no liquid are made once, as without a loop. A liquid
option's key is ``<key>@<class>``; planner.formulation_water / matrix_water let a hall's
options of one class only carry units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from dcplan.models.coefficients import liquid_delta_t_k
from dcplan.models.errors import DcplanError
from dcplan.models.units import qty
from dcplan.models.water_class import (
    accepts_class,
    captured_average_kw,
    class_supply_c,
    return_c,
    reuse_usable,
)
from dcplan.planner.entry_error import entry_error


class WaterInputError(DcplanError):
    """A ``[[water_loop]]`` the model cannot use (unknown hall, a hall given twice)."""


def _error(scenario: Any, index: int, name: str, expected: str, got: Any) -> WaterInputError:
    return entry_error(WaterInputError, scenario, "water_loop", index, name, expected, got)


def hall_loops(scenario: Any) -> dict[str, tuple[str, ...]]:
    """hall id -> allowed classes, coolest first; raises WaterInputError on a bad row."""
    halls = {h.id for h in scenario.hall}
    loops: dict[str, tuple[str, ...]] = {}
    for i, loop in enumerate(scenario.water_loop):
        if loop.hall not in halls:
            raise _error(scenario, i, "hall", f"a [[hall]] id ({', '.join(sorted(halls))})", repr(loop.hall))
        if loop.hall in loops:
            raise _error(scenario, i, "hall", "each hall once", repr(loop.hall))
        loops[loop.hall] = loop.allowed
    return loops


@dataclass(frozen=True)
class HeatReuse:
    """A hall's heat offtake (``[[water_loop]]`` reuse_* fields) in model units."""

    capacity_kw: float  # thermal
    taker_c: float  # supply temperature the taker needs [degC]
    price_usd_per_mwh: float  # per MWh thermal
    hours: float  # a year the taker accepts heat [h]

    @property
    def credit_musd_per_kw(self) -> float:
        """Revenue a year of 1 kW reused for ``h`` hours: ``c * h / 1000 / 1e6`` [MUSD/yr per kW]."""
        return self.price_usd_per_mwh * self.hours / 1000.0 / 1e6

    @staticmethod
    def by_hall(scenario: Any) -> dict[str, HeatReuse]:
        """hall id -> its loop's heat offtake (halls whose [[water_loop]] offers one)."""
        return hall_reuse(scenario)


def hall_reuse(scenario: Any) -> dict[str, HeatReuse]:
    """hall id -> its loop's heat offtake (halls whose [[water_loop]] offers one)."""
    reuse = {}
    for loop in scenario.water_loop:
        if loop.has_reuse:
            reuse[loop.hall] = HeatReuse(
                capacity_kw=float(loop.reuse_capacity.to("kW").magnitude),
                taker_c=float(loop.reuse_temperature.to("degC").magnitude),
                price_usd_per_mwh=float(loop.reuse_price.to("USD/MWh").magnitude),
                hours=loop.reuse_hours if loop.reuse_hours is not None else 8760.0,
            )
    return reuse


def reuse_kw_per_unit(coeff: Any, cooling: Any, supply_c: float, delta_t_k: float, reuse: HeatReuse | None) -> float:
    """Heat one unit gives the taker at average load [kW thermal]: its facility-loop heat
    (``models.water_class.captured_average_kw``) when ``T_supply + dT >= T_taker``, else 0."""
    if reuse is None or not cooling.takes_liquid or not reuse_usable(return_c(supply_c, delta_t_k), reuse.taker_c):
        return 0.0
    return captured_average_kw(coeff.liquid_loop_kw, coeff.it_average_kw, coeff.it_provisioned_kw)


def _inlet_max_c(system: Any) -> float | None:
    limit = system.coolant_inlet_max
    return None if limit is None else float(limit.magnitude)


def with_water_class(sizing: Any, water_class: str) -> Any:
    """``sizing`` with the facility supply at the class's temperature (models.water_class)."""
    return sizing.model_copy(update={"liquid_supply_temp": qty(class_supply_c(water_class), "degC")})


RowOptions = Callable[[Any, Any, Any, dict[str, Any], dict[Any, Any], tuple[list[Any], list[Any]]], None]


def loop_row_options(
    ctx: Any,
    catalog: Any,
    header: Any,
    candidates: dict[str, Any],
    classes: tuple[str, ...],
    out: tuple[list[Any], list[Any]],
    row_options: RowOptions,
) -> None:
    """One row's options on a water loop into ``out`` (options, pruned): air-side options
    once, liquid options once per accepting class; a class a system's inlet limit excludes
    is pruned with the reason. ``row_options`` is modeldata's per-row option builder; with a
    heat offtake (``ctx.heat_reuse``), each liquid option carries the heat a unit gives the
    taker at its class."""
    from dcplan.planner.modeldata import Pruned

    options, pruned = out
    base: tuple[list[Any], list[Any]] = ([], [])
    row_options(ctx, catalog, header, candidates, {}, base)
    options += [o for o in base[0] if not catalog.cooling(o.cooling).takes_liquid]
    pruned += base[1]
    for water_class in classes:
        supply = class_supply_c(water_class)
        sizing = with_water_class(ctx.sizing, water_class)
        made: tuple[list[Any], list[Any]] = ([], [])
        row_options(replace(ctx, sizing=sizing), catalog, header, candidates, {}, made)
        for option in made[0]:
            if not catalog.cooling(option.cooling).takes_liquid:
                continue
            inlet = _inlet_max_c(catalog.system(option.system))
            if accepts_class(inlet, water_class):
                delta_t = liquid_delta_t_k(sizing, catalog.defaults)
                cooling = catalog.cooling(option.cooling)
                reuse_kw = reuse_kw_per_unit(option.coeff, cooling, supply, delta_t, ctx.heat_reuse)
                key = f"{option.key}@{water_class}"
                options.append(replace(option, key=key, water_class=water_class, reuse_kw_per_unit=reuse_kw))
            else:
                reason = f"coolant inlet max {inlet:g} degC is below {water_class}'s {supply:g} degC supply"
                pruned.append(Pruned(option.row, option.system, f"{option.cooling}@{water_class}", reason))


def loop_warnings(
    loops: dict[str, tuple[str, ...]], options: list[Any], pruned: list[Any], rows_hall: dict[str, str]
) -> list[str]:
    """Before optimising: a pinned class that excludes every liquid system of its hall."""
    warnings = []
    for hall, classes in sorted(loops.items()):
        if len(classes) != 1:
            continue
        placed = [o for o in options if o.hall == hall and o.water_class is not None]
        excluded = sorted(
            {p.system for p in pruned if rows_hall.get(p.row) == hall and p.cooling.endswith(f"@{classes[0]}")}
        )
        if not placed and excluded:
            warnings.append(
                f"hall {hall}: water class {classes[0]} (pinned in [[water_loop]]) excludes every liquid-cooled"
                f" candidate ({', '.join(excluded)}: coolant inlet limit below its supply)"
            )
    return warnings
