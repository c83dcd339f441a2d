"""Swing limits over a roadmap (planner.roadmap_swing), hand-derived on the ideal catalog
(tests/data/handcat): alpha = 100 kW, 1 MUSD a unit, swings 100 - 20 = 80 kW with no
storage of its own; a battery costs 100 USD/kW + 0.5 h x 1000 USD/kWh = 600 USD per kW
mitigated; a power floor 0.5 x 8760 h x 0.1 USD/kWh = 438 USD per kW-year. The site's
[[utility_limit]] band is 500 kW; quarters (0.25 y); the site's utility power sets how many
alpha fit (0.5 MW: 5, 1 MW: 10). The objective is max-cumulative-delivered: every period
holds as many alpha as fit, and the NPV tie-break buys the least mitigation the rows allow.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.planner.test_roadmap_model import roadmap, site_data, solved, units

ALPHA = "r1/alpha/ideal-dlc"
MW_BY_PERIOD = (0.5, 1.0, 0.5)  # the fleet grows in period 1, shrinks back in period 2


def _limit(mitigation: list[str]) -> list[dict[str, Any]]:
    return [{"site": "cold-aws", "swing_band": "500 kW", "mitigation": mitigation}]


def swing_roadmap(catalog: Any, mitigation: list[str] | None, mw: tuple[float, ...] = MW_BY_PERIOD) -> Any:
    """alpha only, ``len(mw)`` quarters, period t's utility power mw[t]; a 500 kW band with
    ``mitigation`` (None: no [[utility_limit]])."""
    extra = {} if mitigation is None else {"utility_limit": _limit(mitigation)}
    by_mw = {m: site_data(catalog, m, candidate=[{"system": "alpha"}], **extra) for m in set(mw)}
    return roadmap(lambda t: by_mw[mw[t]], len(mw))


def _value(outcome: Any, name: str, t: int) -> float:
    return float(outcome.periods[t].values.get(name, {}).get("cold-aws", 0.0))


def test_a_battery_is_bought_when_the_fleet_grows_and_kept(ideal_catalog: Any) -> None:
    """Units 5, 10, 5. Swing 400 kW <= 500 in period 0: no battery. Period 1: 800 kW, a
    300 kW battery of 0.5 x 300 = 150 kWh, 300 x 100 + 150 x 1000 = 180,000 USD, bought
    then. Period 2 swings 400 kW again, but the battery stays at 300 kW / 150 kWh and costs
    nothing more. Capex: 5 MUSD, 5 + 0.18, 0."""
    outcome = solved(swing_roadmap(ideal_catalog, ["battery"]))
    assert units(outcome, ALPHA) == [5, 10, 5]
    assert [_value(outcome, "battery_kw", t) for t in range(3)] == pytest.approx([0.0, 300.0, 300.0])
    assert [_value(outcome, "battery_kwh", t) for t in range(3)] == pytest.approx([0.0, 150.0, 150.0])
    assert outcome.capex_musd == pytest.approx([5.0, 5.18, 0.0])


def test_the_battery_is_written_off_over_the_facility_life(ideal_catalog: Any) -> None:
    """Residual at E = 0.75 y: the battery built at s = 0.25 y keeps 1 - 0.5 / 15 of its
    0.18 MUSD = 0.174 MUSD, on top of the residual without a limit (same units)."""
    free = solved(swing_roadmap(ideal_catalog, None))
    limited = solved(swing_roadmap(ideal_catalog, ["battery"]))
    assert units(free, ALPHA) == units(limited, ALPHA) == [5, 10, 5]
    assert limited.residual_musd - free.residual_musd == pytest.approx(0.18 * (1 - 0.5 / 15))


def test_a_power_floor_is_paid_only_while_it_is_held(ideal_catalog: Any) -> None:
    """A floor only: 300 kW in period 1 (800 - 500), none in 0 and 2 (a floor is not kept).
    It burns 0.25 y x 438 USD/kW-yr x 300 kW = 32,850 USD of energy in period 1 only, over
    the opex of the same plan without a limit; no capex."""
    free = solved(swing_roadmap(ideal_catalog, None))
    floor = solved(swing_roadmap(ideal_catalog, ["floor"]))
    assert units(floor, ALPHA) == [5, 10, 5]
    assert [_value(floor, "floor_kw", t) for t in range(3)] == pytest.approx([0.0, 300.0, 0.0])
    extra = [a - b for a, b in zip(floor.opex_musd, free.opex_musd, strict=True)]
    assert extra == pytest.approx([0.0, 0.03285, 0.0], abs=1e-9)
    assert floor.capex_musd == pytest.approx(free.capex_musd)


@pytest.mark.parametrize(
    ("facility_life", "floor_kw", "battery_kw"),
    [
        (15.0, [0.0, 0.0], [300.0, 300.0]),  # battery: 180,000 x 0.5 / 15 = 6,000 USD net
        (0.5, [300.0, 300.0], [0.0, 0.0]),  # floor: 2 x 32,850 = 65,700 < 180,000 USD
    ],
)
def test_the_cheapest_mitigation_over_the_horizon(
    ideal_catalog: Any, facility_life: float, floor_kw: list[float], battery_kw: list[float]
) -> None:
    """Both allowed, 10 units in both of two quarters (800 - 500 = 300 kW to mitigate), r = 0.
    A floor costs 0.25 x 438 x 300 = 32,850 USD a quarter, 65,700 over the two. A battery
    180,000 USD bought in period 0 keeps 1 - (0.5 - 0) / life of it at E = 0.5 y: with a
    15-year facility life that is 174,000 USD back, 6,000 net: the battery, bought once and
    kept. With a 0.5-year life nothing comes back: the floor, held in both periods."""
    inputs = swing_roadmap(ideal_catalog, ["battery", "floor"], mw=(1.0, 1.0))
    from dataclasses import replace

    outcome = solved(replace(inputs, facility_life_years=facility_life))
    assert units(outcome, ALPHA) == [10, 10]
    assert [_value(outcome, "floor_kw", t) for t in range(2)] == pytest.approx(floor_kw)
    assert [_value(outcome, "battery_kw", t) for t in range(2)] == pytest.approx(battery_kw)
