"""The weekly hours check-in: store the answer, nudge over the cap, flag a high average."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from bot.clock import utc_iso
from bot.domain import reminders as rules
from bot.domain.errors import DomainError
from bot.domain.policy import Policy
from bot.services import queue
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
    await tx.execute(
        "INSERT INTO weekly_hours (participant_id, week, hours, source, updated_at) "
        "VALUES (?, ?, ?, 'checkin', ?) ON CONFLICT (participant_id, week) DO UPDATE SET "
        "hours = excluded.hours, source = excluded.source, updated_at = excluded.updated_at",
        (participant_id, week, float(hours), utc_iso(now)),
    )
    first = rules.iso_week(rules.week_start(week) - timedelta(weeks=policy.rolling_weeks))
    rows = await tx.all(
        "SELECT week, hours FROM weekly_hours WHERE participant_id = ? AND week > ? AND week <= ?",
        (participant_id, first, week),
    )
    average = rules.rolling_average(
        {r["week"]: r["hours"] for r in rows}, week, policy.rolling_weeks
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
