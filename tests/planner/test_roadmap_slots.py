"""Rack slots, density build classes and NVLink switch trays over a roadmap
(planner.roadmap_slots): hand-derived optima and hostile inputs.

The ideal hand catalog (tests/planner/test_roadmap_model.py's premise): alpha = 100 PFLOPS,
100 kW over 2 racks (50 kW per rack), 1 MUSD, AWS-only; beta = 200 PFLOPS, 100 kW in one
rack, 3 MUSD. A 1 MW site holds 10 units either way, in one row of 20 positions. Periods
are quarters; facility life 15 years unless a test says otherwise.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from dcplan.models.catalog import load_catalog
from dcplan.planner.roadmap_slots import (
    MIXED_DOMAIN_NOTE,
    DensityClass,
    SlotInputError,
    SlotInputs,
    density_classes,
    needed_class,
    prune_blocked,
    roadmap_notes,
    slot_inputs,
)
from tests.planner.conftest import BASE, HANDCAT
from tests.planner.test_roadmap_model import ALPHA, BETA, roadmap, site_data, solved, units

SLOT = """
[[rack_slot]]
id = "test-slot"
name = "Test slot"
rack_width = { value = "0.6 m", source = "assumption: test", confidence = "assumption" }
rack_depth = { value = "1.2 m", source = "assumption: test", confidence = "assumption" }
power_shelf = { value = "150 kW", source = "assumption: test", confidence = "assumption" }
manifold = { value = "150 kW", source = "assumption: test", confidence = "assumption" }
min_rack_power = { value = "40 kW", source = "assumption: test", confidence = "assumption" }
max_rack_power = { value = "150 kW", source = "assumption: test", confidence = "assumption" }
admits = ADMITS
switch_trays = [ { system = "alpha", per_unit = { value = 4, source = "assumption: test", confidence = "assumption" } } ]
tray_supply_per_year = { value = 24, source = "assumption: test", confidence = "assumption" }
"""

CHEAP, DENSE = {"rack_kw": "50 kW", "capex": "1.1 MUSD"}, {"rack_kw": "100 kW", "capex": "1.6 MUSD"}


def slot_catalog(tmp_path: Path, admits: str = '["alpha", "beta"]') -> Any:
    (tmp_path / "slot.toml").write_text(SLOT.replace("ADMITS", admits))
    return load_catalog([HANDCAT, tmp_path], use_env=False)


def stand_in(slot: str | None = None, density: Any = None, mixed: bool = False) -> Any:
    """The roadmap fields planner.roadmap_slots reads from a scenario (SCHEMA's [[row]] slot /
    density and [roadmap] mixed_fusion_domain), on the one row template r1."""
    return SimpleNamespace(
        row=[SimpleNamespace(id="r1", slot=slot, density=density)],
        roadmap=SimpleNamespace(mixed_fusion_domain=mixed),
    )


def with_slots(catalog: Any, data: Any, periods: int, scn: Any, **fields: Any) -> Any:
    extras = {"slots": slot_inputs(scn, catalog, data, period_years=0.25, periods=periods)}
    return roadmap(data, periods, extras=extras, **fields)


def test_pre_building_for_density_pays_off(ideal_catalog: Any) -> None:
    """beta (100 kW racks) from period 2 of 4: the row must be a 100 kW row from then on.
    Build 100 kW now: 1.6 MUSD; build 50 kW now and rebuild: 1.1 + 1.6 = 2.7 MUSD. Delivered
    is the same (10 alpha, then 10 beta), so the cost term picks the pre-build, and the
    capex of period 0 is 10 alpha x 1 MUSD + 1.6 MUSD."""
    data = site_data(ideal_catalog, 1)
    inputs = with_slots(
        ideal_catalog, data, 4, stand_in(density=[DENSE, CHEAP]), installable=lambda t, k: k != BETA or t >= 2
    )
    outcome = solved(inputs)
    assert outcome.delivered_pflops == pytest.approx([1000, 1000, 2000, 2000])
    built = outcome.linking["density_build"]
    assert built.get((0, "r1", 1)) == pytest.approx(1) and built.get((0, "r1", 0), 0) == pytest.approx(0)
    assert sum(built.get((t, "r1", k), 0) for t in (1, 2, 3) for k in (0, 1)) == pytest.approx(0)
    assert outcome.capex_musd[0] == pytest.approx(10 * 1.0 + 1.6)


def test_pre_building_does_not_pay_when_no_denser_system_comes(ideal_catalog: Any) -> None:
    """beta never available: the 50 kW class (1.1 MUSD) hosts the 10 alpha; the 100 kW class
    is never built."""
    data = site_data(ideal_catalog, 1, candidate=[{"system": "alpha"}])
    outcome = solved(with_slots(ideal_catalog, data, 4, stand_in(density=[CHEAP, DENSE])))
    built = outcome.linking["density_build"]
    assert built.get((0, "r1", 0)) == pytest.approx(1)
    assert sum(built.get((t, "r1", 1), 0) for t in range(4)) == pytest.approx(0)
    assert outcome.capex_musd[0] == pytest.approx(10 * 1.0 + 1.1)


def test_rebuild_re_pays_the_higher_class(ideal_catalog: Any) -> None:
    """One row only, and 11.1 MUSD in period 0 (10 alpha + a 50 kW row, no room for the
    1.6 MUSD class): beta arrives in period 2 and the row is rebuilt then, paying the whole
    1.6 MUSD again (not the 0.5 MUSD difference) beside 10 beta x 3 MUSD."""
    one_row = dict(BASE["row"][0], count=1)
    data = site_data(ideal_catalog, 1, row=[one_row])
    inputs = with_slots(
        ideal_catalog,
        data,
        4,
        stand_in(density=[CHEAP, DENSE]),
        installable=lambda t, k: k != BETA or t >= 2,
        budget=lambda t: 11.1 if t == 0 else None,
    )
    outcome = solved(inputs)
    built, rebuilt = outcome.linking["density_build"], outcome.linking["density_rebuilt"]
    assert built.get((0, "r1", 0)) == pytest.approx(1) and built.get((2, "r1", 1)) == pytest.approx(1)
    assert rebuilt.get((2, "r1", 0)) == pytest.approx(1)
    assert outcome.capex_musd[2] == pytest.approx(10 * 3.0 + 1.6)
    assert units(outcome, BETA) == [0, 0, 10, 10]


def test_an_option_above_every_class_is_blocked(ideal_catalog: Any) -> None:
    """Only a 75 kW class: beta (100 kW racks) cannot be installed; alpha (50 kW) fills."""
    data = site_data(ideal_catalog, 1)
    scn = stand_in(density=[{"rack_kw": "75 kW", "capex": "1 MUSD"}])
    inputs = with_slots(ideal_catalog, data, 2, scn)
    assert "exceeds row r1's densest build class (75 kW)" in inputs.extras["slots"].blocked[BETA]
    outcome = solved(inputs)
    assert units(outcome, BETA) == [0, 0] and units(outcome, ALPHA) == [10, 10]


def test_a_slot_row_hosts_only_what_the_slot_admits(tmp_path: Path) -> None:
    """A slot admitting beta only: alpha's options in r1 are blocked (with the slot's words),
    so the 1 MW holds 10 beta; prune_blocked drops alpha from the data with the same reason."""
    cat = slot_catalog(tmp_path, admits='["beta"]')
    data = site_data(cat, 1)
    inputs = with_slots(cat, data, 2, stand_in(slot="test-slot"))
    slots = inputs.extras["slots"]
    assert "not among the systems it admits (beta)" in slots.blocked[ALPHA]
    assert BETA not in slots.blocked
    outcome = solved(inputs)
    assert units(outcome, ALPHA) == [0, 0] and units(outcome, BETA) == [10, 10]
    pruned = prune_blocked(data, slots)
    assert [o.key for o in pruned.options] == [BETA]
    assert any(p.system == "alpha" and "admits" in p.reason for p in pruned.pruned)


def test_switch_trays_limit_units_added_per_period(tmp_path: Path) -> None:
    """alpha draws 4 trays a unit; 24 trays a year = 6 a quarter: at most 1 alpha added per
    quarter (floor 6 / 4). Only alpha may be bought, so the stock grows 1, 2, 3."""
    cat = slot_catalog(tmp_path)
    data = site_data(cat, 1, candidate=[{"system": "alpha"}])
    inputs = with_slots(cat, data, 3, stand_in(slot="test-slot"))
    slots = inputs.extras["slots"]
    assert slots.trays == {ALPHA: 4} and slots.tray_supply == [6, 6, 6]
    assert units(solved(inputs), ALPHA) == [1, 2, 3]


def test_mixed_fusion_domain_what_if_lifts_the_tray_supply(tmp_path: Path) -> None:
    """The labelled what-if: no tray row, so 10 alpha from the start, and the note says why."""
    cat = slot_catalog(tmp_path)
    data = site_data(cat, 1, candidate=[{"system": "alpha"}])
    inputs = with_slots(cat, data, 2, stand_in(slot="test-slot", mixed=True))
    assert MIXED_DOMAIN_NOTE in inputs.extras["slots"].notes and "WHAT-IF" in MIXED_DOMAIN_NOTE
    assert units(solved(inputs), ALPHA) == [10, 10]


def test_no_extras_means_the_hook_does_nothing(ideal_catalog: Any) -> None:
    """Without extras["slots"] the registered hook adds nothing: the core roadmap's plan."""
    outcome = solved(roadmap(site_data(ideal_catalog, 1), 2))
    assert "density_build" not in outcome.linking and units(outcome, BETA) == [10, 10]


def test_density_classes_sort_and_parse() -> None:
    classes = density_classes("r1", [DENSE, CHEAP, {"rack_kw": 225.0, "capex": 2e6}])
    assert classes == [DensityClass(50.0, 1.1e6), DensityClass(100.0, 1.6e6), DensityClass(225.0, 2e6)]
    assert needed_class(classes, 50.0) == 0 and needed_class(classes, 50.1) == 1
    assert needed_class(classes, 226.0) is None


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ([{"rack_kw": "50 kW"}], "row 'r1' density[0]: needs rack_kw and capex"),
        ([{"rack_kw": "50 kg", "capex": "1 MUSD"}], "density[0] rack_kw: expected a quantity in kW"),
        ([{"rack_kw": "0 kW", "capex": "1 MUSD"}], "expected a finite positive power"),
        ([{"rack_kw": "50 kW", "capex": "-1 MUSD"}], "expected a finite non-negative value"),
        ([{"rack_kw": "nan kW", "capex": "1 MUSD"}], "expected a finite positive power"),
        ([{"rack_kw": "fifty", "capex": "1 MUSD"}], "rack_kw: expected a quantity in kW"),
        ([CHEAP, {"rack_kw": "50 kW", "capex": "2 MUSD"}], "two classes for 50 kW racks"),
        ([{"rack_kw": True, "capex": "1 MUSD"}], "rack_kw: expected a quantity in kW"),
    ],
)
def test_bad_density_is_one_line(raw: Any, words: str) -> None:
    with pytest.raises(SlotInputError) as info:
        density_classes("r1", raw)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_an_unknown_slot_is_one_line(ideal_catalog: Any) -> None:
    data = site_data(ideal_catalog, 1)
    with pytest.raises(SlotInputError, match=r"row 'r1' slot: unknown rack slot 'nope' \(known: mgx-nvl72\)"):
        slot_inputs(stand_in(slot="nope"), ideal_catalog, data, period_years=0.25, periods=1)


def test_the_shipped_mgx_slot_blocks_the_hand_systems(ideal_catalog: Any) -> None:
    """mgx-nvl72 admits only NVL72-class systems: alpha and beta are both blocked in r1, and
    a roadmap over it installs nothing (every reason names the slot)."""
    data = site_data(ideal_catalog, 1)
    slots = slot_inputs(stand_in(slot="mgx-nvl72"), ideal_catalog, data, period_years=0.25, periods=1)
    assert set(slots.blocked) == {ALPHA, BETA}
    assert all("rack slot mgx-nvl72" in why for why in slots.blocked.values())
    assert isinstance(slots, SlotInputs) and not math.isnan(len(slots.pruned))


def test_a_slot_row_class_above_the_slot_band_is_one_line(tmp_path: Path) -> None:
    """test-slot's band tops out at 150 kW: a 200 kW build class could host no slot rack."""
    cat = slot_catalog(tmp_path)
    data = site_data(cat, 1)
    scn = stand_in(slot="test-slot", density=[CHEAP, {"rack_kw": "200 kW", "capex": "2 MUSD"}])
    with pytest.raises(SlotInputError, match="a 200 kW class is above rack slot test-slot's 150 kW band"):
        slot_inputs(scn, cat, data, period_years=0.25, periods=1)


def test_roadmap_notes_gather_the_what_if_label(tmp_path: Path) -> None:
    cat = slot_catalog(tmp_path)
    data = site_data(cat, 1, candidate=[{"system": "alpha"}])
    slots = slot_inputs(stand_in(slot="test-slot", mixed=True), cat, data, period_years=0.25, periods=1)
    assert roadmap_notes({"slots": slots, "other": object()}) == [MIXED_DOMAIN_NOTE]
    plain = slot_inputs(stand_in(slot="test-slot"), cat, data, period_years=0.25, periods=1)
    assert roadmap_notes({"slots": plain}) == []


def test_fuzzed_density_never_crashes() -> None:
    """Seeded random density entries: classes or one SlotInputError line, never another error."""
    import random

    rng = random.Random(1414)
    junk: list[Any] = ["140 kW", "1.6 MUSD", "", "kW", "1e999 kW", "-3 kW", "3 m", None, 0, -1.5, [], {}, "nan", "∞ kW"]
    for _ in range(300):
        raw = [
            {k: rng.choice(junk) for k in rng.sample(["rack_kw", "capex", "x"], rng.randint(0, 3))}
            for _ in range(rng.randint(0, 3))
        ]
        try:
            classes = density_classes("r1", raw)
        except SlotInputError as error:
            assert "\n" not in str(error) and str(error).startswith("row 'r1' density")
        else:
            assert all(c.rack_kw > 0 and c.capex_usd >= 0 for c in classes)


def test_trays_without_a_supply_are_noted_not_limited(tmp_path: Path) -> None:
    """A slot listing alpha's trays but no supply: no tray row (10 alpha at once), and the
    plan notes say the trays did not limit; the scenario's own supply (8 a year = 2 a
    quarter) limits again: 0 alpha a quarter (floor 2 / 4)."""
    text = SLOT.replace("ADMITS", '["alpha", "beta"]').split("tray_supply_per_year")[0]
    (tmp_path / "slot.toml").write_text(text)
    cat = load_catalog([HANDCAT, tmp_path], use_env=False)
    data = site_data(cat, 1, candidate=[{"system": "alpha"}])
    free = slot_inputs(stand_in(slot="test-slot"), cat, data, period_years=0.25, periods=2)
    assert free.tray_supply is None and any("do not limit" in n for n in free.notes)
    assert units(solved(roadmap(data, 2, extras={"slots": free})), ALPHA) == [10, 10]
    own = slot_inputs(stand_in(slot="test-slot"), cat, data, period_years=0.25, periods=2, tray_supply_per_year=8)
    assert own.tray_supply == [2, 2] and own.notes == []
    assert units(solved(roadmap(data, 2, extras={"slots": own})), ALPHA) == [0, 0]


def test_prune_blocked_leaves_no_pair_naming_a_removed_option(tmp_path: Path) -> None:
    """A workload on either stack with alpha blocked by the slot: the pruned data has no
    eligible key, pair or supply group naming alpha, and a roadmap over it solves (10 beta,
    2000 PFLOPS >= the 1000 PFLOPS demand)."""
    cat = slot_catalog(tmp_path, admits='["beta"]')
    work = [{"id": "train", "demand": "1000 PFLOPS", "software": ["neuron", "cuda"]}]
    data = site_data(cat, 1, workload=work)
    assert ALPHA in data.eligible["train"]
    slots = slot_inputs(stand_in(slot="test-slot"), cat, data, period_years=0.25, periods=2)
    pruned = prune_blocked(data, slots)
    named = [
        *pruned.eligible["train"],
        *(k for _, k in pruned.pairs),
        *(k for ks in pruned.supply_groups.values() for k in ks),
    ]
    assert ALPHA not in named and BETA in named
    assert units(solved(roadmap(pruned, 2, extras={"slots": slots})), BETA) == [10, 10]
    assert prune_blocked(data, SlotInputs()) is data


def test_the_shipped_switch_trays_are_nine_per_mgx_rack(catalog: Any) -> None:
    """catalogs/slots.toml counts NVLink switch trays per NVL72-class rack: 9 (NVIDIA's NVL72
    figure), times the racks of a unit; every Trainium4 form the slot admits draws them, and
    each figure names a source (an assumption where the rack count is one)."""
    slot = catalog.rack_slot("mgx-nvl72")
    trn4 = [s for s in slot.admits if catalog.system(s).chip == "trainium4"]
    assert set(trn4) == {"trn4-nvl72", "trn4-ultraserver"}
    for system_id in trn4:
        racks = catalog.system(system_id).racks_per_unit
        assert slot.trays_per_unit(system_id) == 9 * racks.value
        figure = next(t.per_unit for t in slot.switch_trays if t.system == system_id)
        assert figure.source and figure.confidence in ("third-party", "assumption")
        if racks.low is not None and racks.low != racks.value:  # an assumed rack count: a tray range
            assert (figure.low, figure.high) == (9 * racks.low, 9 * racks.value)
    # GPU systems bring their own switch trays and draw none from the supply
    assert all(slot.trays_per_unit(s) == 0 for s in slot.admits if s not in trn4)
