"""Wall-clock time in Europe/Amsterdam: local moments and days, quiet hours, typed times.

Everything the bot plans by the clock on the wall (reminders at 09:00, quiet hours from 21:00
to 08:00, a coach's push on Monday 10:00) is a local time turned into a UTC moment here, so it
stays at the same wall-clock time across both daylight-saving switches. Nothing here asks the
time: every function receives `now`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from bot.clock import AMSTERDAM
from bot.domain.policy import Policy


def local_moment(day: date, at: time) -> datetime:
    """`day` at local time `at` in Europe/Amsterdam, as UTC (DST-safe)."""
    return datetime.combine(day, at, tzinfo=AMSTERDAM).astimezone(UTC)


def local_day(moment: datetime) -> date:
    """The Amsterdam calendar day of a moment."""
    return moment.astimezone(AMSTERDAM).date()


def end_of_day(day: date) -> datetime:
    """Local midnight after `day`, as UTC."""
    return local_moment(day + timedelta(days=1), time(0, 0))


def in_quiet_hours(policy: Policy, now: datetime) -> bool:
    """True between `quiet_start` and `quiet_end` (local time; the window may cross midnight)."""
    start, end = policy.quiet_start, policy.quiet_end
    clock = now.astimezone(AMSTERDAM).time().replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def quiet_until(policy: Policy, now: datetime) -> datetime:
    """`now` outside quiet hours, else the moment the quiet hours end (the morning)."""
    if not in_quiet_hours(policy, now):
        return now
    today = local_day(now)
    for day in (today, today + timedelta(days=1)):
        end = local_moment(day, policy.quiet_end)
        if end > now:
            return end
    return local_moment(today + timedelta(days=2), policy.quiet_end)


def parse_local_datetime(text: str, now: datetime) -> datetime | None:
    """'14-12-2026 10:00', '14-12 10:00' or '2026-12-14 10:00' (Amsterdam) → UTC; None if bad."""
    match = re.fullmatch(
        r"\s*(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[-/](\d{1,2})(?:[-/](\d{4}))?)"
        r"\s+(?:om\s+|at\s+)?(\d{1,2})[:.](\d{2})\s*",
        text.lower(),
    )
    if not match:
        return None
    g = match.groups()
    if g[0]:
        year, month, day = int(g[0]), int(g[1]), int(g[2])
    else:
        day, month = int(g[3]), int(g[4])
        year = int(g[5]) if g[5] else local_day(now).year
    try:
        moment = local_moment(date(year, month, day), time(int(g[6]), int(g[7])))
    except ValueError:
        return None
    if not g[0] and not g[5] and moment <= now:  # no year given: the next such day
        try:
            moment = local_moment(date(year + 1, month, day), time(int(g[6]), int(g[7])))
        except ValueError:
            return None
    return moment


# Words for a day relative to today, and month names as typed ("14 december", "3 mrt").
_RELATIVE_DAYS = {
    "vandaag": 0,
    "today": 0,
    "morgen": 1,
    "tomorrow": 1,
    "overmorgen": 2,
    "gisteren": -1,
    "yesterday": -1,
}
# The months as Babel (CLDR) writes them for nl_NL and en_GB, wide and abbreviated ("7 mrt");
# kept here rather than asked of Babel, which would load both languages' whole locale data (about
# 5 MiB) for 48 words. tests/unit/test_formats.py compares them with Babel's.
MONTH_NAMES = {
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
MONTH_ABBREVIATIONS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"),
}
_MONTHS = {
    name.lower(): number
    for table in (MONTH_NAMES, MONTH_ABBREVIATIONS)
    for names in table.values()
    for number, name in enumerate(names, start=1)
} | {"mrt": 3, "sept": 9, "sep": 9}
# How far from today a typed date may lie (a change that happened or is planned).
DATE_YEARS_BACK, DATE_YEARS_AHEAD = 5, 2
# Words before a day that say how it is meant ("per 1 januari", "vanaf", "op"), and ordinals.
_LEADING_WORDS = re.compile(r"^(?:per|vanaf|op|sinds|from|on|since)\s+")
_ORDINAL = re.compile(r"^(\d{1,2})(?:e|ste|de|st|nd|rd|th)\b")


def parse_local_date(text: str, today: date) -> date | None:
    """A typed day: '14-12-2026', '14/12', '2026-12-14', '14 december 2026', '3 mrt', 'morgen',
    also as said ('per 1 januari', 'vanaf 1e februari') and with two digits of year ('1-1-27').

    Without a year the day nearest to `today` is meant (in December, '5-1' is next January);
    None when it is not a day, or lies more than DATE_YEARS_BACK before or DATE_YEARS_AHEAD
    after `today`.
    """
    cleaned = " ".join(text.lower().replace(",", " ").split())
    cleaned = _ORDINAL.sub(r"\1", _LEADING_WORDS.sub("", cleaned))
    if cleaned in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[cleaned])
    numeric = re.fullmatch(
        r"(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{4}|\d{2}))?)",
        cleaned,
    )
    named = re.fullmatch(r"(\d{1,2})\s+([a-z]+)\.?(?:\s+(\d{4}))?", cleaned)
    if numeric:
        g = numeric.groups()
        if g[0]:
            year, month, day = int(g[0]), int(g[1]), int(g[2])
        else:
            day, month, year = int(g[3]), int(g[4]), int(g[5]) if g[5] else 0
            year += 2000 if 0 < year < 100 else 0  # '27' is 2027
    elif named and named.group(2) in _MONTHS:
        day, month = int(named.group(1)), _MONTHS[named.group(2)]
        year = int(named.group(3)) if named.group(3) else 0
    else:
        return None
    candidates = [year] if year else [today.year - 1, today.year, today.year + 1]
    days = []
    for each in candidates:
        try:
            days.append(date(each, month, day))
        except ValueError:
            continue
    if not days:
        return None
    found = min(days, key=lambda d: abs((d - today).days))
    if found.year < today.year - DATE_YEARS_BACK or found.year > today.year + DATE_YEARS_AHEAD:
        return None
    return found


def parse_local_time(text: str) -> time | None:
    """'10:00', '9.30' → a time; None when not a time of day."""
    match = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def weekly_occurrence(weekday: int, at: time, now: datetime) -> datetime:
    """The latest moment on `weekday` at local `at` that is not after `now`."""
    today = local_day(now)
    day = today - timedelta(days=(today.weekday() - weekday) % 7)
    moment = local_moment(day, at)
    if moment > now:
        moment = local_moment(day - timedelta(days=7), at)
    return moment


def next_weekly(weekday: int, at: time, now: datetime) -> datetime:
    """The first moment on `weekday` at local `at` after `now`."""
    return local_moment(local_day(weekly_occurrence(weekday, at, now)) + timedelta(days=7), at)
