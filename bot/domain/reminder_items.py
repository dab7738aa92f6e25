"""Which reminders exist for a participant, when each becomes due and when it stops being useful.

Every reminder is an `Item` with a unique key (participant, kind, period, stage), the moment it
becomes due (`at`) and the moment it stops being useful (`expires`). Calendar rules
(docs/domain.md, "Reminders"): the declaration of period P opens on the 1st of the next month
and is due on its due date (bot.domain.timeliness). Reminders go out at `policy.reminder_time`
(Europe/Amsterdam) on the 1st, on each `remind_days_before_due` and `remind_days_after_due` day.
An item missed on its own day (quiet hours, the daily maximum, the bot being down) waits for the
next morning's `reminder_time`, as long as it is still useful then. bot.domain.reminders works
out, once per sweep, which of these items are useful or expired at `now`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain.localtime import end_of_day, local_day, local_moment
from bot.domain.models import ParticipantStatus
from bot.domain.periods import add_months, first_day, next_period, period_of, previous_period
from bot.domain.policy import Policy
from bot.domain.timeliness import due_date
from bot.domain.weeks import iso_week, week_monday

DECLARATION = "declaration"
HOURS = "hours"
TRAJECTORY = "trajectory"
KINDS = (DECLARATION, TRAJECTORY, HOURS)  # also the order inside a merged message
HOURS_EXPIRE_AFTER = timedelta(days=3)
CHECKIN_EXPIRE_AFTER = timedelta(days=7)
DROP_LOOKBACK = timedelta(days=14)  # how far back a sweep still records missed items
HOURS_CHOICES = (0, 5, 10, 15, 20, 25)


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about one participant."""

    person_id: int
    status: ParticipantStatus
    start_date: date
    submitted: frozenset[str] = frozenset()  # periods with a submitted declaration
    hours_weeks: frozenset[str] = frozenset()  # ISO weeks ('2026-W49') with hours recorded
    end_date: date | None = None  # the trajectory's last day when an extension moved it


@dataclass(frozen=True)
class Item:
    """One reminder for one participant, with its exactly-once key."""

    participant_id: int
    kind: str
    period: str  # 'YYYY-MM', an ISO week 'YYYY-Www', or the trajectory's start date
    stage: str
    at: datetime  # UTC: when it becomes due
    expires: datetime  # UTC: when it stops being useful
    message_key: str
    ctx: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str, str, str]:
        """The exactly-once key."""
        return (self.participant_id, self.kind, self.period, self.stage)


@dataclass(frozen=True)
class Push:
    """One outgoing message to one participant, merging one or more items."""

    participant_id: int
    items: tuple[Item, ...]


def declaration_items(policy: Policy, facts: Facts, now: datetime) -> list[Item]:
    """Reminders for the two most recent closed periods, submitted or not."""
    period = period_of(local_day(now))
    periods = []
    for _ in range(2):
        period = previous_period(period)
        periods.append(period)
    items: list[Item] = []
    for period in sorted(periods):
        items.extend(_declaration_stages(policy, facts.person_id, period))
    return items


def _declaration_stages(policy: Policy, pid: int, period: str) -> list[Item]:
    due = due_date(policy, period)
    opens = first_day(next_period(period))
    stages: list[tuple[str, date, str]] = [("open", opens, "reminders/decl_open")]
    for n in sorted(set(policy.remind_days_before_due), reverse=True):
        key = "reminders/decl_due_today" if n == 0 else "reminders/decl_before"
        stages.append(("due" if n == 0 else f"due-{n}", due - timedelta(days=n), key))
    for n in sorted(set(policy.remind_days_after_due)):
        stages.append((f"due+{n}", due + timedelta(days=n), "reminders/decl_late"))
    stages.sort(key=lambda s: s[1])
    items = []
    for i, (stage, day, key) in enumerate(stages):
        at = local_moment(day, policy.reminder_time)
        following = [local_moment(s[1], policy.reminder_time) for s in stages[i + 1 :]]
        expires = min(following) if following else end_of_day(day)
        if day <= due:  # "due in N days" or "today" is never said after the due day
            expires = min(expires, end_of_day(due))
        ctx = {"period": period, "due": due.isoformat(), "days": (due - day).days}
        items.append(Item(pid, DECLARATION, period, stage, at, expires, key, ctx))
    return items


def hours_items(policy: Policy, facts: Facts, now: datetime) -> list[Item]:
    """The weekly hours check-in of this week and the week before."""
    today = local_day(now)
    latest = today - timedelta(days=(today.weekday() - policy.hours_checkin.weekday) % 7)
    items = []
    for day in (latest - timedelta(days=7), latest):
        week = iso_week(day)
        at = local_moment(day, policy.hours_checkin.at)
        ctx = {"week": week, "first": week_monday(week).isoformat(), "choices": HOURS_CHOICES}
        items.append(
            Item(
                facts.person_id,
                HOURS,
                week,
                "checkin",
                at,
                at + HOURS_EXPIRE_AFTER,
                "reminders/hours_checkin",
                ctx,
            )
        )
    return items


def trajectory_items(policy: Policy, facts: Facts, now: datetime) -> list[Item]:
    """Check-ins after 3, 6, 9 months and warnings 60 and 30 days before the end."""
    _ = now
    start = facts.start_date
    end = facts.end_date or trajectory_end(policy, start)
    # An extension (issue 17) gives the end warnings keys of their own, so they come again
    # before the new end; the check-ins keep theirs (never sent twice).
    ending = start.isoformat() if facts.end_date is None else f"{start.isoformat()}~{end}"
    items = []
    for months in sorted(set(policy.checkin_months)):
        day = add_months(start, months)
        if day >= end:
            continue
        at = local_moment(day, policy.reminder_time)
        items.append(
            Item(
                facts.person_id,
                TRAJECTORY,
                start.isoformat(),
                f"checkin{months}",
                at,
                at + CHECKIN_EXPIRE_AFTER,
                "reminders/trajectory_checkin",
                {"months": months, "end": end.isoformat()},
            )
        )
    warnings = sorted(set(policy.warn_days_before_end), reverse=True)
    for i, days in enumerate(warnings):
        day = end - timedelta(days=days)
        at = local_moment(day, policy.reminder_time)
        later = warnings[i + 1 :]
        expires = (
            local_moment(end - timedelta(days=later[0]), policy.reminder_time)
            if later
            else (end_of_day(end))
        )
        items.append(
            Item(
                facts.person_id,
                TRAJECTORY,
                ending,
                f"end-{days}",
                at,
                expires,
                "reminders/trajectory_end",
                {"days": days, "end": end.isoformat()},
            )
        )
    return items


def trajectory_end(policy: Policy, start: date) -> date:
    """The last day of the trajectory."""
    return add_months(start, policy.trajectory_months)


def eligible_from(policy: Policy, item: Item, now: datetime) -> datetime:
    """When the item may go out: its moment, or the morning's reminder time for a late one."""
    today = local_day(now)
    if local_day(item.at) < today:
        return max(item.at, local_moment(today, policy.reminder_time))
    return item.at


def merge_push(
    held: bool, participant_id: int, useful: Iterable[Item], triggers: Iterable[str]
) -> Push | None:
    """One message with the participant's useful items, unless `held` or none is a trigger."""
    if held:
        return None
    items = [i for i in useful if i.participant_id == participant_id]
    wanted = set(triggers)
    if not any(i.kind in wanted for i in items):
        return None
    items.sort(key=lambda i: (KINDS.index(i.kind), i.period, i.at))
    return Push(participant_id, tuple(items))


def key_name(kind: str, period: str, stage: str) -> str:
    """'declaration 2026-11 due-3': an exactly-once key without its participant, as text."""
    return f"{kind} {period} {stage}"
