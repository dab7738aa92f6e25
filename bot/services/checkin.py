"""The weekly hours check-in: store the answer, nudge over the cap, flag a high average.

The average is the one rule of `bot.domain.hours` (weeks with an answer). A queue item for the
klantmanager opens only when every week of the rolling window has an answer and their average
is over the cap: one or two busy weeks are a nudge to the participant, a whole window over the
cap is a pattern (docs/domain.md, "Average hours per week").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from bot.domain.errors import DomainError
from bot.domain.hours import rolling_average
from bot.domain.localtime import local_day, local_moment
from bot.domain.policy import Policy
from bot.domain.weeks import add_weeks, iso_week, week_monday
from bot.services import queue
from bot.storage import weekly_hours
from bot.storage.unit import Tx


@dataclass(frozen=True)
class HoursAnswer:
    """What the participant is told after answering."""

    week: str
    hours: Decimal
    over_week_cap: bool
    average: Decimal | None  # over the weeks of the window with an answer
    average_over_cap: bool


def latest_asked(policy: Policy, now: datetime) -> str:
    """The week the most recent check-in asked about (the check-in asks on its own weekday)."""
    today = local_day(now)
    day = today - timedelta(days=(today.weekday() - policy.hours_checkin.weekday) % 7)
    if local_moment(day, policy.hours_checkin.at) > now:
        day -= timedelta(days=7)
    return iso_week(day)


def check_week(week: str, now: datetime, policy: Policy) -> str:
    """The week if a check-in asked about it and it is still open; else a DomainError.

    Open: from the latest asked week back `rolling_weeks` weeks (the weeks the rolling average
    looks at). A nonsense week or one not asked about yet is unknown; an older one is closed.
    """
    try:
        monday = week_monday(week)
    except ValueError:
        raise DomainError("hours/unknown_week") from None
    latest = latest_asked(policy, now)
    if monday > week_monday(latest):
        raise DomainError("hours/unknown_week")
    if monday < week_monday(add_weeks(latest, -policy.rolling_weeks)):
        raise DomainError("hours/week_closed", week=week, weeks=policy.rolling_weeks)
    return week


async def record_hours(
    tx: Tx, now: datetime, policy: Policy, participant_id: int, week: str, hours: Decimal
) -> HoursAnswer:
    """Write the week's hours (source 'checkin'); a rolling average over the cap opens an item."""
    check_week(week, now, policy)
    if not Decimal(0) <= hours <= policy.max_hours_per_week:
        raise DomainError("hours/bad_number", maximum=int(policy.max_hours_per_week))
    await weekly_hours.put(tx, now, participant_id, week, hours, weekly_hours.CHECKIN)
    first = add_weeks(week, -policy.rolling_weeks)
    known = await weekly_hours.between(tx, participant_id, first, week)
    average = rolling_average(known, week, policy.rolling_weeks)
    cap = policy.hour_cap_per_week
    over_average = average is not None and average.hours > cap
    if average is not None and over_average and average.weeks >= policy.rolling_weeks:
        await queue.open_item(
            tx,
            now,
            participant_id,
            queue.HOURS_OVER_CAP,
            dedupe_key=f"hours-avg:{participant_id}:{week}",
            policy=policy,
            details={"week": week, "hours": str(average.hours), "cap": str(cap)},
        )
    return HoursAnswer(week, hours, hours > cap, average.hours if average else None, over_average)
