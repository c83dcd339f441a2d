"""Cloud terms and AWS AI Factory over a roadmap (planner.roadmap_cloud, planner.ai_factory):
hand-derived optima and hostile inputs.

The ideal hand catalog: alpha = 100 PFLOPS, 100 kW, 1 MUSD, AWS-only (a Trainium stand-in),
cloud price 100 USD/h; beta = 200 PFLOPS, 100 kW, 3 MUSD, anywhere. Quarters of 2190 h
(0.25 y); one unit-quarter of rented alpha costs 100 x 2190 = 219,000 USD.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from dcplan.planner.ai_factory import SUFFIX, AiFactoryError, ai_factory_options, with_ai_factory
from dcplan.planner.roadmap_cloud import CloudInputError, CloudInputs, cloud_inputs, term_periods
from tests.planner.conftest import BASE, scenario
from tests.planner.test_roadmap_model import ALPHA, BETA, QUARTER_H, roadmap, site_data, solved, units

UNIT_QUARTER_MUSD = 100 * QUARTER_H / 1e6  # 0.219
OFFER = {"id": "east", "region": "us-east-1", "system": "alpha", "quota": 10}
FACTORY_ALPHA = f"{ALPHA}{SUFFIX}"


def quarter_of(day: date) -> int:
    """2026Q1 = period 0."""
    return (day.year - 2026) * 4 + (day.month - 1) // 3


def with_terms(scn: Any, term: str | None, length: Any = None) -> Any:
    """The scenario's fields planner.roadmap_cloud reads, with SCHEMA's [[cloud]] term fields."""
    offers = [SimpleNamespace(id=c.id, term=term, term_length=length) for c in scn.cloud]
    return SimpleNamespace(cloud=offers, ai_factory=[])


def cloud_only(catalog: Any, quota: int = 10) -> Any:
    """Rented alpha only: the hall is never ready (see ``ready`` below)."""
    return site_data(catalog, 1, cloud=[dict(OFFER, quota=quota)])


def rented(outcome: Any) -> list[int]:
    return [round(p.values["rent"].get("cloud:east", 0.0)) for p in outcome.periods]


def termed(catalog: Any, data: Any, periods: int, length: str, term: str = "reserved", **fields: Any) -> Any:
    scn = with_terms(data.scenario, term, length)
    extras = {"cloud": cloud_inputs(scn, data, period_years=0.25, period_of=quarter_of)}
    return roadmap(data, periods, extras=extras, ready=lambda t, h: False, **fields)


def test_reserved_terms_rent_whole_terms_at_the_locked_price(ideal_catalog: Any) -> None:
    """A 6-month reservation (2 quarters), T = 4, quota 10: 10 start in periods 0 and 2 and
    cover every period; each start pays 2 x 0.219 MUSD per unit, 0.219 x 10 per period."""
    outcome = solved(termed(ideal_catalog, cloud_only(ideal_catalog), 4, "6 month"))
    assert rented(outcome) == [10, 10, 10, 10]
    starts = outcome.linking["cloud_start"]
    assert [round(starts.get((t, "cloud:east"), 0)) for t in range(4)] == [10, 0, 10, 0]
    assert outcome.opex_musd == pytest.approx([10 * UNIT_QUARTER_MUSD] * 4)


def test_a_term_past_the_horizon_is_charged_in_full(ideal_catalog: Any) -> None:
    """T = 3, 2-quarter terms: the term started in period 2 runs one quarter past the end,
    paid in period 2 too (no cancellation): opex 2.19, 2.19, 4.38 MUSD."""
    outcome = solved(termed(ideal_catalog, cloud_only(ideal_catalog), 3, "6 month"))
    assert rented(outcome) == [10, 10, 10]
    assert outcome.opex_musd == pytest.approx([2.19, 2.19, 4.38])


def test_capacity_block_cannot_be_cancelled_when_the_quota_falls(ideal_catalog: Any) -> None:
    """Quota 10 in period 0, 0 after: a 2-quarter capacity block started in 0 would still rent
    in period 1 where nothing may be rented, so none starts (on-demand rents 10 in period 0)."""
    full, none = cloud_only(ideal_catalog, 10), cloud_only(ideal_catalog, 0)
    by_period = lambda t: full if t == 0 else none  # noqa: E731
    scn = with_terms(full.scenario, "capacity-block", "6 month")
    extras = {"cloud": cloud_inputs(scn, full, period_years=0.25, period_of=quarter_of)}
    blocked = solved(roadmap(by_period, 2, extras=extras, ready=lambda t, h: False))
    assert rented(blocked) == [0, 0]
    on_demand = solved(roadmap(by_period, 2, ready=lambda t, h: False))
    assert rented(on_demand) == [10, 0]


def test_on_demand_is_unchanged(ideal_catalog: Any) -> None:
    data = cloud_only(ideal_catalog)
    inputs = cloud_inputs(with_terms(data.scenario, "on-demand"), data, period_years=0.25, period_of=quarter_of)
    assert inputs.terms == []
    outcome = solved(roadmap(data, 2, extras={"cloud": inputs}, ready=lambda t, h: False))
    assert rented(outcome) == [10, 10] and outcome.opex_musd == pytest.approx([2.19, 2.19])


# -- AI Factory ----------------------------------------------------------------------------


def owned_site(mw: float = 1.0) -> Any:
    hall = dict(BASE["hall"][0], site="cold-owned")
    return scenario(site=[{"id": "cold-owned", "utility_power": f"{mw} MW"}], hall=[hall])


def factory(**changes: Any) -> Any:
    fields = {"id": "trn-on-prem", "system": "alpha", "hall": "h1", "rate": "50 USD/hour", "min_units": 8}
    fields |= {"from_": "2026Q2", "commitment": "6 month"}
    return SimpleNamespace(**(fields | changes))


def stand_in(scn: Any, *factories: Any) -> Any:
    """The scenario with SCHEMA's [[ai_factory]] table."""
    return SimpleNamespace(
        scenario=scn.scenario, hall=scn.hall, row=scn.row, cloud=scn.cloud, ai_factory=list(factories)
    )


def factory_roadmap(catalog: Any, periods: int, *factories: Any) -> Any:
    from dcplan.planner.modeldata import build_model_data

    scn = owned_site()
    base = build_model_data(scn, catalog)
    data, keys = with_ai_factory(base, stand_in(scn, *factories), catalog)
    extras = {
        "cloud": cloud_inputs(
            stand_in(scn, *factories), data, period_years=0.25, period_of=quarter_of, factory_keys=keys
        )
    }
    return roadmap(data, periods, extras=extras), base, data


def test_trainium_reaches_an_owned_site_only_as_an_ai_factory(ideal_catalog: Any) -> None:
    """alpha is AWS-only: on the owned site its purchased options are pruned; the factory adds
    alpha@ai-factory options with no IT capex (the ideal catalog's other capex is 0)."""
    _, base, data = factory_roadmap(ideal_catalog, 1, factory())
    assert ALPHA not in {o.key for o in base.options}
    assert any(p.system == "alpha" and "deployable only at aws" in p.reason for p in base.pruned)
    option = next(o for o in data.options if o.key == FACTORY_ALPHA)
    assert option.capex_per_unit_usd == pytest.approx(0.0)
    assert option.compute_per_unit == pytest.approx(100_000.0)


def test_ai_factory_commitment_binding(ideal_catalog: Any) -> None:
    """1 MW holds 10 units. beta (200 PFLOPS) beats alpha (100), so without a commitment the
    hall is all beta. The factory commits 8 alpha in periods 1-2 (from 2026Q2, 6 months):
    delivered 2000, 8 x 100 + 2 x 200 = 1200, 1200, 2000; alpha only while committed. Its
    opex in period 1 is 8 x 50 USD/h x 2190 h = 0.876 MUSD plus the energy of 10 units."""
    inputs, _, data = factory_roadmap(ideal_catalog, 4, factory())
    outcome = solved(inputs)
    assert outcome.delivered_pflops == pytest.approx([2000, 1200, 1200, 2000])
    assert units(outcome, FACTORY_ALPHA) == [0, 8, 8, 0]
    assert units(outcome, BETA) == [10, 2, 2, 10]
    energy = {o.key: o.energy_cost_per_unit_usd for o in data.options}
    expected = (8 * 50 * QUARTER_H + 0.25 * (8 * energy[FACTORY_ALPHA] + 2 * energy[BETA])) / 1e6
    assert outcome.opex_musd[1] == pytest.approx(expected)


def test_ai_factory_units_wait_for_its_start(ideal_catalog: Any) -> None:
    """min_units 0 and beta not a candidate: alpha@ai-factory is the only supply and stands
    only from period 2 (2026Q3)."""
    inputs, _, _ = factory_roadmap(ideal_catalog, 4, factory(min_units=0, from_="2026Q3"))
    installable = lambda t, k: k == FACTORY_ALPHA  # noqa: E731
    only = roadmap(inputs.periods[0].data, 4, extras=inputs.extras, installable=installable)
    assert units(solved(only), FACTORY_ALPHA) == [0, 0, 10, 10]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"hall": "nowhere"}, "ai_factory 'trn-on-prem' hall: unknown hall 'nowhere' (known: h1)"),
        ({"system": "mi355x-8gpu"}, "AWS cannot operate it"),
    ],
)
def test_bad_factory_is_one_line(ideal_catalog: Any, changes: dict[str, Any], words: str) -> None:
    system = changes.get("system")
    if system and system not in ideal_catalog.items["system"]:
        system = next(s.id for s in ideal_catalog.entries("system") if "aws" not in s.deployable_by)  # type: ignore[attr-defined]
        changes = dict(changes, system=system)
    scn = owned_site()
    with pytest.raises(AiFactoryError) as info:
        ai_factory_options(stand_in(scn, factory(**changes)), ideal_catalog, None)  # type: ignore[arg-type]
    assert words in str(info.value) and "\n" not in str(info.value)


def test_two_factories_of_one_system_in_one_hall_are_refused(ideal_catalog: Any) -> None:
    with pytest.raises(AiFactoryError, match="a second AI Factory of alpha in hall h1"):
        ai_factory_options(stand_in(owned_site(), factory(), factory(id="again")), ideal_catalog, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"rate": "fifty"}, "rate: expected a rate such as '95 USD/hour'"),
        ({"rate": "-5 USD/hour"}, "expected a finite non-negative rate"),
        ({"rate": "50 kW"}, "rate: expected a rate"),
        ({"commitment": "0 year"}, "commitment: expected a finite positive duration"),
        ({"commitment": "3 kg"}, "commitment: expected a duration"),
        ({"from_": "soon"}, "from: expected a quarter such as '2027Q1'"),
        ({"min_units": -3}, "min_units: expected a whole number >= 0"),
    ],
)
def test_bad_factory_figures_are_one_line(ideal_catalog: Any, changes: dict[str, Any], words: str) -> None:
    data = site_data(ideal_catalog, 1)
    scn = SimpleNamespace(cloud=[], ai_factory=[factory(**changes)])
    with pytest.raises(CloudInputError) as info:
        cloud_inputs(scn, data, period_years=0.25, period_of=quarter_of, factory_keys={"trn-on-prem": [ALPHA]})
    assert words in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("term", "length", "words"),
    [
        ("forever", "1 year", "term: expected on-demand, reserved or capacity-block"),
        ("reserved", None, "a reserved term needs term_length"),
        ("capacity-block", "-1 year", "expected a finite positive duration"),
        ("reserved", "1 parsec", "term_length: expected a duration"),
    ],
)
def test_bad_cloud_terms_are_one_line(ideal_catalog: Any, term: str, length: Any, words: str) -> None:
    data = cloud_only(ideal_catalog)
    with pytest.raises(CloudInputError) as info:
        cloud_inputs(with_terms(data.scenario, term, length), data, period_years=0.25, period_of=quarter_of)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_term_periods_round_up() -> None:
    assert term_periods(1.0, 0.25) == 4 and term_periods(0.3, 0.25) == 2 and term_periods(0.01, 1.0) == 1
    assert isinstance(CloudInputs(), CloudInputs)


def test_roadmap_extras_appends_factory_options_and_builds_both_inputs(ideal_catalog: Any) -> None:
    """The one call roadmap_inputs makes: AI Factory options in the data, slot and cloud
    inputs in extras; the roadmap solved from them is the commitment-binding plan."""
    from dcplan.planner.modeldata import build_model_data
    from dcplan.planner.roadmap_cloud import roadmap_extras
    from dcplan.planner.roadmap_slots import SlotInputs

    scn = owned_site()
    full = SimpleNamespace(**vars(stand_in(scn, factory())), roadmap=None)
    data, extras = roadmap_extras(
        full, ideal_catalog, build_model_data(scn, ideal_catalog), period_years=0.25, periods=4, period_of=quarter_of
    )
    assert FACTORY_ALPHA in {o.key for o in data.options}
    assert isinstance(extras["slots"], SlotInputs) and extras["cloud"].factories[0].keys == (FACTORY_ALPHA,)
    assert solved(roadmap(data, 4, extras=extras)).delivered_pflops == pytest.approx([2000, 1200, 1200, 2000])


def test_a_factory_with_no_option_is_one_line(ideal_catalog: Any) -> None:
    data = site_data(ideal_catalog, 1)
    scn = SimpleNamespace(cloud=[], ai_factory=[factory()])
    with pytest.raises(CloudInputError, match="no row of hall h1 can hold a unit of alpha"):
        cloud_inputs(scn, data, period_years=0.25, period_of=quarter_of, factory_keys={})
