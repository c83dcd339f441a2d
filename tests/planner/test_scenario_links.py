"""planner.scenario_links through scenario_errors: the cross-table references the solve
refuses (a swing limit's or genset's site, a loop's hall, a prime mover) are reported with
their location while the scenario is only being validated (the editor's check)."""

from __future__ import annotations

import tomllib

from dcplan.planner.scenario import SCENARIO_DIR, scenario_errors


def enterprise() -> dict:
    # sites phoenix-az and portland-or, halls phx-1 and pdx-1, two [[utility_limit]] (one per site)
    return tomllib.loads((SCENARIO_DIR / "enterprise-hybrid.toml").read_text(encoding="utf-8"))


def test_the_shipped_scenario_has_no_reference_problem(catalog):
    assert scenario_errors(enterprise(), catalog) == []


def test_each_reference_to_nothing_is_located_at_its_field(catalog):
    data = enterprise()
    data["water_loop"] = [{"hall": "nan"}]
    data["onsite_power"] = [{"site": "phx-1", "prime_mover": "nope", "max_units": 1}]  # a hall id, not a site
    data["utility_limit"][1]["site"] = "inf"
    assert scenario_errors(data, catalog) == [
        (
            ("onsite_power", 0, "prime_mover"),
            "expected a [[prime_mover]] id (gas-aero-35mw, gas-recip-4mw), got 'nope'",
        ),
        (("utility_limit", 1, "site"), "expected a [[site]] id (phoenix-az, portland-or), got 'inf'"),
        (("onsite_power", 0, "site"), "expected a [[site]] id (phoenix-az, portland-or), got 'phx-1'"),
        (("water_loop", 0, "hall"), "expected a [[hall]] id (pdx-1, phx-1), got 'nan'"),
    ]
    # without a catalog the prime mover is not checked (the solve checks it against its catalog)
    assert [loc for loc, _ in scenario_errors(data)] == [
        ("utility_limit", 1, "site"),
        ("onsite_power", 0, "site"),
        ("water_loop", 0, "hall"),
    ]


def test_an_id_given_twice_is_named_at_its_second_item():
    data = enterprise()
    data["utility_limit"][1]["site"] = "phoenix-az"
    data["water_loop"] = [{"hall": "pdx-1"}, {"hall": "pdx-1"}]
    assert scenario_errors(data) == [
        (("utility_limit", 1, "site"), "expected each site once in [[utility_limit]], got 'phoenix-az' twice"),
        (("water_loop", 1, "hall"), "expected each hall once in [[water_loop]], got 'pdx-1' twice"),
    ]
