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
