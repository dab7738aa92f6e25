"""ISO weeks: keys, Mondays, the weeks of a month, weeks split over two months and years."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.weeks import add_weeks, iso_week, week_key, week_monday, week_slots, weeks_ending


def test_week_keys_use_the_iso_year() -> None:
    assert week_key(2026, 1) == "2026-W01"
    assert iso_week(date(2026, 12, 1)) == "2026-W49"
    assert iso_week(date(2025, 12, 29)) == "2026-W01"  # a Monday of December in 2026's week 1
    assert iso_week(date(2027, 1, 1)) == "2026-W53"  # 2026 has 53 weeks


def test_the_monday_of_a_week() -> None:
    assert week_monday("2026-W49") == date(2026, 11, 30)
    assert week_monday("2026-W01") == date(2025, 12, 29)
    assert week_monday("2026-W53") == date(2026, 12, 28)


@pytest.mark.parametrize("text", ["2026W49", "2026-w49", "26-W49", "2026-W49\n", "٢٠٢٦-W49", ""])
def test_anything_but_a_week_key_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="not an ISO week"):
        week_monday(text)


@pytest.mark.parametrize("text", ["2025-W53", "2026-W00", "2026-W54"])
def test_a_week_that_does_not_exist_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="week"):
        week_monday(text)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_a_day_lies_in_the_seven_days_from_its_weeks_monday(day: date) -> None:
    monday = week_monday(iso_week(day))
    assert monday.weekday() == 0
    assert monday <= day < monday + timedelta(days=7)


def test_walking_weeks_over_a_year_end() -> None:
    assert add_weeks("2026-W53", 1) == "2027-W01"
    assert add_weeks("2026-W01", -1) == "2025-W52"
    assert weeks_ending("2027-W02", 4) == ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]


def test_a_week_split_over_two_months_belongs_to_both() -> None:
    november, december = week_slots("2026-11"), week_slots("2026-12")
    assert november[-1].key == december[0].key == "2026-W49"
    assert (november[-1].first, november[-1].last) == (date(2026, 11, 30), date(2026, 11, 30))
    assert (december[0].first, december[0].last) == (date(2026, 12, 1), date(2026, 12, 6))
    assert not november[-1].complete
    assert not december[0].complete


def test_a_week_split_over_two_years() -> None:
    assert week_slots("2025-12")[-1].key == week_slots("2026-01")[0].key == "2026-W01"


@given(st.integers(2000, 2100), st.integers(1, 12))
def test_the_slots_cover_the_month_exactly_once(year: int, month: int) -> None:
    period = f"{year:04d}-{month:02d}"
    slots = week_slots(period)
    assert slots[0].first == date(year, month, 1)
    for before, after in itertools.pairwise(slots):
        assert after.first == before.last + timedelta(days=1)
        assert after.first.weekday() == 0
    assert slots[-1].last.month == month
    assert (slots[-1].last + timedelta(days=1)).month != month
    for slot in slots:
        assert slot.complete == ((slot.last - slot.first).days == 6)
        assert slot.key == iso_week(slot.first) == iso_week(slot.last)
