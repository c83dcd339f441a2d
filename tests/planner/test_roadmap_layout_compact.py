"""A continued roadmap layout holds an option in no more rows than ceil(units / row max)
(planner.roadmap_layout._compact): the rows the solver counted and built for it. Before this,
the shipped roadmap with [fabric] kept a 1-unit GB300 row beside four others (59 units at 17
a row: 5 rows where the solver built 4) and failed its re-check on the density-class row count."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from dcplan.planner.roadmap_layout import _compact, _Row


def _option(key: str = "b-mgx/gb300/dlc", cap: int = 17) -> Any:
    return SimpleNamespace(key=key, units_per_row_max=cap)


def _rows(option: Any, loads: list[int]) -> list[_Row]:
    return [_Row(f"b-{i + 1:02d}", option if n else None, n) for i, n in enumerate(loads)]


def test_the_emptiest_row_moves_into_the_part_full_one():
    """[1, 17, 17, 17, 7]: 59 units, ceil(59 / 17) = 4 rows; the 1 unit moves to the 7-unit
    row (the only one with room): [0, 17, 17, 17, 8]. One rack moves, none else."""
    gb = _option()
    rows = _rows(gb, [1, 17, 17, 17, 7])
    _compact(gb, rows)
    assert [r.units for r in rows] == [0, 17, 17, 17, 8]
    assert rows[0].option is None and all(r.option is gb for r in rows[1:])


def test_rows_already_at_the_count_are_left_alone():
    gb = _option()
    rows = _rows(gb, [3, 17, 9])  # 29 units, ceil(29 / 17) = 2 < 3 rows -> 3 moves into the 9
    _compact(gb, rows)
    assert [r.units for r in rows] == [0, 17, 12]
    rows = _rows(gb, [17, 9])
    _compact(gb, rows)
    assert [r.units for r in rows] == [17, 9]


def test_other_options_rows_are_not_touched():
    gb, vr = _option(), _option("b-mgx/vera-rubin/dlc", 12)
    rows = [*_rows(gb, [2, 5]), _Row("b-03", vr, 1), _Row("b-04", vr, 1)]
    _compact(gb, rows)
    assert [(r.units, r.option.key if r.option else None) for r in rows] == [
        (0, None),
        (7, gb.key),
        (1, vr.key),
        (1, vr.key),
    ]
