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
from bot.domain.words import MONTH_ABBREVIATIONS as MONTH_ABBREVIATIONS
from bot.domain.words import MONTH_NAMES as MONTH_NAMES
from bot.domain.words import RELATIVE_DAYS, fold, latin_digits, month_number


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
        latin_digits(text).lower(),
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


# Days relative to today ("morgen", "غدا", "yarın") and the months by name ("14 december",
# "3 mrt", "1 يناير", "1 Ocak", "1 آذار") are the typed words of bot.domain.words.
# How far from today a typed date may lie (a change that happened or is planned).
DATE_YEARS_BACK, DATE_YEARS_AHEAD = 5, 2
# Words before a day that say how it is meant ("per 1 januari", "vanaf", "op", "من", "في"), the
# Turkish case endings and postpositions after it ("1 Ocak'tan itibaren"), and ordinals.
_LEADING_WORDS = re.compile(
    r"^(?:per|vanaf|op|sinds|from|on|since|اعتبارا من|ابتدا من|من|في|منذ|بتاريخ|يوم)\s+"
)
_TRAILING_WORDS = re.compile(r"(?:['’][^\W\d_]+)?(?:\s+(?:itibaren|itibariyle|tarihinde))?$")
_ORDINAL = re.compile(r"^(\d{1,2})(?:e|ste|de|st|nd|rd|th)\b")
# A day and a month's name of one or two words ("1 تشرين الاول"), perhaps a year.
_NAMED = re.compile(r"(\d{1,2})\s+([^\W\d_]+(?:\s[^\W\d_]+)?)\.?(?:\s+(\d{4}))?")


def parse_local_date(text: str, today: date) -> date | None:
    """A typed day: '14-12-2026', '14/12', '2026-12-14', '14 december 2026', '3 mrt', 'morgen',
    also as said ('per 1 januari', 'vanaf 1e februari') and with two digits of year ('1-1-27');
    in Arabic and Turkish too ('١/١/٢٠٢٧', 'من 1 يناير', 'غدا', "1 Ocak'tan itibaren", 'yarın').

    Without a year the day nearest to `today` is meant (in December, '5-1' is next January);
    None when it is not a day, or lies more than DATE_YEARS_BACK before or DATE_YEARS_AHEAD
    after `today`.
    """
    cleaned = " ".join(fold(latin_digits(text)).replace(",", " ").split())
    cleaned = _ORDINAL.sub(r"\1", _LEADING_WORDS.sub("", cleaned))
    cleaned = _TRAILING_WORDS.sub("", cleaned)
    if cleaned in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[cleaned])
    numeric = re.fullmatch(
        r"(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{4}|\d{2}))?)",
        cleaned,
    )
    named = _NAMED.fullmatch(cleaned)
    if numeric:
        g = numeric.groups()
        if g[0]:
            year, month, day = int(g[0]), int(g[1]), int(g[2])
        else:
            day, month, year = int(g[3]), int(g[4]), int(g[5]) if g[5] else 0
            year += 2000 if 0 < year < 100 else 0  # '27' is 2027
    elif named and (month_named := month_number(named.group(2))) is not None:
        day, month = int(named.group(1)), month_named
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
    match = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", latin_digits(text))
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
