"""The optimiser's per-rack cap reads the same air-cooled rack limit as sizing (issue 15 item 5).

One hall, one contained-air row of 20 positions, DGX H100 only, power to spare: the plan
fills the row. With DGX H100's own 40.8 kW limit (NVIDIA SuperPOD, 4 x 10.2 kW) a rack
holds ``floor(40.8 / 10.2) = 4`` servers -> 80 units at 40.8 kW per rack; on the generic
40 kW contained-air cap it holds ``floor(40 / 10.2) = 3`` -> 60 units at 30.6 kW.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from dcplan.models.catalog import Catalog, load_catalog
from dcplan.planner.modeldata import _hard_rule_reason, build_model_data
from dcplan.planner.pipeline import plan_scenario
from dcplan.planner.scenario import parse_scenario

SCENARIO = {
    "scenario": {"id": "air", "name": "air-cooled rack limit", "objective": "max-compute", "precision": "fp8"},
    "site": [{"id": "ashburn-va", "utility_power": "20 MW"}],
    "hall": [
        {
            "id": "h1",
            "site": "ashburn-va",
            "it_power_cap": "10 MW",
            "liquid_plant_capacity": "0 MW",
            "air_plant_capacity": "10 MW",
            "slab_rating": "3000 kg/m**2",
        }
    ],
    "row": [
        {
            "id": "r1",
            "hall": "h1",
            "count": 1,
            "positions": 20,
            "busway": "busway-800a-415v",
            "busway_runs_per_feed": 2,
            "cooling": ["contained-air"],
        }
    ],
    "candidate": [{"system": "dgx-h100"}],
}


@pytest.fixture(scope="module")
def builtin() -> Catalog:
    return load_catalog(use_env=False)


def _without_system_limit(catalog: Catalog) -> Catalog:
    items = {kind: dict(entries) for kind, entries in catalog.items.items()}
    item = items["system"]["dgx-h100"]
    items["system"]["dgx-h100"] = replace(item, entry=item.entry.model_copy(update={"air_rack_power_limit": None}))
    return replace(catalog, items=items)


@pytest.mark.parametrize(("own_limit", "units", "rack_kw"), [(True, 80, 40.8), (False, 60, 30.6)])
def test_single_period_plan_packs_racks_to_the_system_limit(builtin, own_limit, units, rack_kw):
    catalog = builtin if own_limit else _without_system_limit(builtin)
    plan = plan_scenario(parse_scenario(SCENARIO), catalog)
    assert [(m.system, m.units, m.racks) for m in plan.mix] == [("dgx-h100", units, 20)]
    (row,) = plan.rows
    assert row.rack_power.to("kW").magnitude == pytest.approx(rack_kw)
    assert not plan.pruned


def test_model_options_and_the_hard_rule_read_the_cap_sizing_packs_to(builtin):
    """Model options pack 4 (own limit) or 3 (generic cap) servers per rack, and the hard
    rule that prunes an option (``_hard_rule_reason``) lets a 40.8 kW DGX H100 rack through
    only where the system's limit applies: one cap, ``models.limits.rack_power_cap_kw``."""
    with_limit = build_model_data(parse_scenario(SCENARIO), builtin)
    generic = _without_system_limit(builtin)
    without = build_model_data(parse_scenario(SCENARIO), generic)
    assert [o.coeff.units_per_rack for o in with_limit.options] == [4]
    assert [o.coeff.units_per_rack for o in without.options] == [3]
    four_per_rack = with_limit.options[0].coeff
    ctx = SimpleNamespace(slab_kg_m2=3000.0, hall=SimpleNamespace(id="h1"))
    cooling = builtin.cooling("contained-air")
    assert _hard_rule_reason(ctx, builtin.system("dgx-h100"), cooling, four_per_rack) is None  # type: ignore[arg-type]
    reason = _hard_rule_reason(ctx, generic.system("dgx-h100"), cooling, four_per_rack)  # type: ignore[arg-type]
    assert reason == "40.8 kW per rack exceeds 40 kW on contained-air"
