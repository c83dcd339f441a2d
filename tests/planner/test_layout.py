"""planner/layout.py's per-slot labels: coolant loops and unit ids, against their slot-by-slot
definitions (the layout builds them as whole lists, one string per loop or unit)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from dcplan.planner.layout import _loop_labels, _unit_ids


@pytest.mark.parametrize(("slots", "racks_per_loop"), [(0, 3), (1, 3), (6, 3), (7, 3), (20, 1), (5, 8), (9, 0)])
def test_loop_labels_are_slot_by_slot_definition(slots, racks_per_loop):
    expected = [f"r-01-L{(slot - 1) // racks_per_loop + 1}" if racks_per_loop else "" for slot in range(1, slots + 1)]
    assert _loop_labels("r-01", slots, racks_per_loop) == expected


def _fill(units: int, racks: int) -> SimpleNamespace:
    return SimpleNamespace(units=units, racks=racks)


@pytest.mark.parametrize("slots_per_unit", [1, 2])
def test_one_unit_per_rack_or_per_adjacent_racks_repeats_its_id(slots_per_unit):
    option = SimpleNamespace(system="trn3", units_per_rack=1, racks_per_unit_slots=slots_per_unit)
    ids, last = _unit_ids(option, _fill(3, 3 * slots_per_unit), first=7)
    assert ids == [f"trn3#{k:05d}" for k in (8, 9, 10) for _ in range(slots_per_unit)]
    assert last == 10


def test_servers_sharing_a_rack_label_it_with_their_first_and_last_unit():
    option = SimpleNamespace(system="dgx", units_per_rack=4, racks_per_unit_slots=1)
    ids, last = _unit_ids(option, _fill(9, 3), first=0)  # 4 + 4 + a part-full rack of 1
    assert ids == ["dgx#00001-00004", "dgx#00005-00008", "dgx#00009"]
    assert last == 9


def test_no_units_no_ids():
    option = SimpleNamespace(system="x", units_per_rack=1, racks_per_unit_slots=2)
    assert _unit_ids(option, _fill(0, 0), first=5) == ([], 5)
