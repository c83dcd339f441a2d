"""The roadmap calendar: labels, indices, real hours and nominal years (models/calendar.py)."""

from __future__ import annotations

import random
from datetime import date

import pytest

from dcplan.models.calendar import MAX_PERIODS, Calendar, parse_day


def test_quarter_labels_and_starts_cross_a_year():
    cal = Calendar(date(2026, 8, 17), "quarter", 4)  # snapped to 2026Q3
    assert cal.start == date(2026, 7, 1)
    assert cal.labels == ["2026Q3", "2026Q4", "2027Q1", "2027Q2"]
    assert cal.starts == [date(2026, 7, 1), date(2026, 10, 1), date(2027, 1, 1), date(2027, 4, 1)]
    assert cal.end == date(2027, 7, 1)
    assert cal.years_per_period == 0.25
    assert cal.horizon_years == 1.0


def test_year_labels():
    cal = Calendar(date(2026, 5, 1), "year", 3)
    assert cal.start == date(2026, 1, 1)
    assert cal.labels == ["2026", "2027", "2028"]
    assert cal.years_per_period == 1.0


def test_hours_are_real_calendar_days():
    """2027Q1: 31 + 28 + 31 = 90 days = 2,160 h; 2028Q1 (leap): 91 days = 2,184 h;
    2027Q3: 31 + 31 + 30 = 92 days = 2,208 h. Years: 2027 8,760 h, 2028 8,784 h."""
    cal = Calendar(date(2027, 1, 1), "quarter", 5)
    assert [cal.hours(t) for t in range(5)] == [2160.0, 2184.0, 2208.0, 2208.0, 2184.0]
    years = Calendar(date(2027, 1, 1), "year", 2)
    assert [years.hours(0), years.hours(1)] == [8760.0, 8784.0]


def test_index_of_before_inside_after():
    cal = Calendar(date(2026, 1, 1), "quarter", 8)
    assert cal.index_of(date(2026, 1, 1)) == 0
    assert cal.index_of(date(2026, 3, 31)) == 0
    assert cal.index_of(date(2026, 4, 1)) == 1
    assert cal.index_of(date(2025, 12, 31)) == -1
    assert cal.index_of(date(2028, 1, 1)) == 8  # just after the end
    assert cal.index_of_text("2027Q3") == 6
    assert cal.label(-1) == "2025Q4" and cal.label(8) == "2028Q1"
    assert cal.label_of(date(2027, 11, 5)) == "2027Q4"


def test_years_from_start_are_nominal():
    cal = Calendar(date(2026, 1, 1), "quarter", 20)
    assert cal.years_from_start(0) == 0.0
    assert cal.years_from_start(6) == 1.5
    assert Calendar(date(2026, 1, 1), "year", 5).years_from_start(3) == 3.0


def test_indices_of_a_year_covers_its_quarters_within_the_horizon():
    cal = Calendar(date(2026, 7, 1), "quarter", 6)  # 2026Q3..2027Q4
    assert cal.indices_of("2026") == [0, 1]  # Q1, Q2 of 2026 are before the start
    assert cal.indices_of("2027") == [2, 3, 4, 5]
    assert cal.indices_of("2027Q2") == [3]
    assert cal.indices_of("2030") == []
    years = Calendar(date(2026, 1, 1), "year", 3)
    assert years.indices_of("2027") == [1]
    with pytest.raises(ValueError, match="is a quarter"):
        years.indices_of("2027Q2")


def test_between():
    cal = Calendar.between("2026Q1", "2030Q4", "quarter")
    assert cal.periods == 20 and cal.labels[-1] == "2030Q4"
    assert Calendar.between("2026-02-01", "2026-02-02", "quarter").periods == 1
    with pytest.raises(ValueError, match="before start"):
        Calendar.between("2027Q1", "2026Q4", "quarter")
    with pytest.raises(ValueError, match="at most 80"):
        Calendar.between("2026Q1", "2050Q1", "quarter")


def test_periods_for_durations():
    cal = Calendar(date(2026, 1, 1), "quarter", 4)
    assert cal.periods_for(0.0) == 0
    assert cal.periods_for(0.5) == 2  # exact multiple: no float round-up
    assert cal.periods_for(0.5000001) == 3
    assert cal.periods_for(1.1) == 5
    assert Calendar(date(2026, 1, 1), "year", 4).periods_for(1.5) == 2
    with pytest.raises(ValueError):
        cal.periods_for(-1.0)
    with pytest.raises(ValueError):
        cal.periods_for(float("nan"))


def test_parse_day_forms():
    assert parse_day("2027Q3") == date(2027, 7, 1)
    assert parse_day(" 2027-q1 ") == date(2027, 1, 1)
    assert parse_day("2027") == date(2027, 1, 1)
    assert parse_day("2027-08-15") == date(2027, 8, 15)
    assert parse_day(date(2027, 8, 15)) == date(2027, 8, 15)


@pytest.mark.parametrize(
    "bad",
    ["", "2027Q5", "2027Q0", "27Q1", "2027-13-01", "2027-02-30", "1999Q4", "2206Q1", "soon", 2027, None, 1.5, [], {}],
)
def test_parse_day_refuses_in_one_line(bad):
    with pytest.raises(ValueError) as err:
        parse_day(bad)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("periods", [0, -1, MAX_PERIODS + 1, 2.0, True, "4"])
def test_bad_period_counts(periods):
    with pytest.raises(ValueError, match="periods"):
        Calendar(date(2026, 1, 1), "quarter", periods)


def test_bad_kind_and_far_end():
    with pytest.raises(ValueError, match="period"):
        Calendar(date(2026, 1, 1), "month", 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ends after"):
        Calendar(date(2090, 1, 1), "year", 20)


def test_fuzz_parse_day_never_raises_anything_but_value_error():
    rng = random.Random(14)
    alphabet = "0123456789Qq-: /"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        try:
            day = parse_day(text)
        except ValueError as err:
            assert "\n" not in str(err)
        else:
            assert 2000 <= day.year <= 2100


def test_fuzz_index_label_round_trip():
    """label(index_of(d)) is the label of the period containing d, for random days."""
    rng = random.Random(7)
    for _ in range(500):
        kind = rng.choice(["quarter", "year"])
        cal = Calendar(date(rng.randint(2000, 2020), rng.randint(1, 12), 1), kind, rng.randint(1, MAX_PERIODS))
        day = date(rng.randint(2000, 2099), rng.randint(1, 12), rng.randint(1, 28))
        t = cal.index_of(day)
        assert cal.label(t) == cal.label_of(day)
        if 0 <= t < cal.periods:
            assert cal.starts[t] <= day
            assert sum(cal.days(i) for i in range(cal.periods)) == (cal.end - cal.start).days
