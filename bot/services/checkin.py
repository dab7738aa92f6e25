"""The weekly hours check-in: store the answer, nudge over the cap, flag a high average."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from bot.domain import reminders as rules
from bot.domain.errors import DomainError
from bot.domain.policy import Policy
from bot.services import queue
from bot.storage import weekly_hours
from bot.storage.unit import Tx


@dataclass(frozen=True)
class HoursAnswer:
    """What the participant is told after answering."""

    week: str
    hours: Decimal
    over_week_cap: bool
    average: Decimal
    average_over_cap: bool


def check_week(week: str, now: datetime) -> str:
    """The week if it is a real ISO week that has started; else a DomainError."""
    try:
        monday = rules.week_start(week)
    except ValueError:
        raise DomainError("hours/unknown_week") from None
    if monday > rules.local_day(now):
        raise DomainError("hours/unknown_week")
    return week


async def record_hours(
    tx: Tx, now: datetime, policy: Policy, participant_id: int, week: str, hours: Decimal
) -> HoursAnswer:
    """Write the week's hours (source 'checkin'); a rolling average over the cap opens an item."""
    check_week(week, now)
    if not Decimal(0) <= hours <= policy.max_hours_per_week:
        raise DomainError("hours/bad_number", maximum=int(policy.max_hours_per_week))
    await weekly_hours.put(tx, now, participant_id, week, hours, weekly_hours.CHECKIN)
    first = rules.iso_week(rules.week_start(week) - timedelta(weeks=policy.rolling_weeks))
    known = await weekly_hours.between(tx, participant_id, first, week)
    # The reminders' copy of the rolling average reads plain numbers (float(Decimal) is exact
    # for stored hours: they came out of a float column).
    average = rules.rolling_average(
        {k: float(v) for k, v in known.items()}, week, policy.rolling_weeks
    )
    cap = policy.hour_cap_per_week
    over_average = average > cap
    if over_average:
        await queue.open_item(
            tx,
            now,
            participant_id,
            queue.HOURS_OVER_CAP,
            dedupe_key=f"hours-avg:{participant_id}:{week}",
            policy=policy,
            details={"week": week, "hours": str(average), "cap": str(cap)},
        )
    return HoursAnswer(week, hours, hours > cap, average, over_average)
