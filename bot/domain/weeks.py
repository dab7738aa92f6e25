"""ISO weeks: the week key '2026-W49', the week of a day, its Monday, the weeks of a month.

Decision (docs/domain.md, "ISO weeks"): hours are kept per ISO 8601 week (weeks start on
Monday; week 1 holds the year's first Thursday), keyed 'YYYY-Www' with the ISO year, which may
differ from the calendar year around New Year (29 December 2025 is in '2026-W01'). A month is
asked week by week: every ISO week that has at least one day in the month, with the days of it
inside the month; a week split over two months belongs to both. A key is exactly four ASCII
digits, '-W', two ASCII digits, and must name a week that exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.periods import first_day, last_day

_KEY = re.compile(r"([0-9]{4})-W([0-9]{2})")


@dataclass(frozen=True)
class WeekSlot:
    """One ISO week overlapping a month, with the days of it that fall inside the month."""

    key: str  # '2026-W49'
    week: int
    first: date
    last: date
    complete: bool  # all seven days lie inside the month


def week_key(iso_year: int, week: int) -> str:
    """'2026-W49' for ISO year 2026, week 49."""
    return f"{iso_year:04d}-W{week:02d}"


def iso_week(day: date) -> str:
    """The key of the ISO week `day` is in."""
    year, week, _ = day.isocalendar()
    return week_key(year, week)


def week_monday(week: str) -> date:
    """The Monday of week '2026-W49'; ValueError for anything that is not an existing week."""
    match = _KEY.fullmatch(week)
    if not match:
        raise ValueError(f"not an ISO week (YYYY-Www): {week!r}")
    return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)


def add_weeks(week: str, count: int) -> str:
    """The week `count` weeks after `week` (before it when negative)."""
    return iso_week(week_monday(week) + timedelta(weeks=count))


def weeks_ending(last_week: str, count: int) -> list[str]:
    """The `count` weeks ending with `last_week`, oldest first."""
    monday = week_monday(last_week)
    return [iso_week(monday - timedelta(weeks=back)) for back in range(count - 1, -1, -1)]


def week_slots(period: str) -> list[WeekSlot]:
    """The ISO weeks of month `period` ('2026-11'), in order, each cut to the month."""
    end = last_day(period)
    slots: list[WeekSlot] = []
    day = first_day(period)
    while day <= end:
        iso_year, week, weekday = day.isocalendar()
        last = min(end, day + timedelta(days=7 - weekday))
        slots.append(WeekSlot(week_key(iso_year, week), week, day, last, (last - day).days == 6))
        day = last + timedelta(days=1)
    return slots
