"""The reminder rules written item by item, participant by participant: the oracle.

bot.domain.reminders.Calendar works out a sweep's moment once for everyone; this module asks
each question again for one participant from the item builders of bot.domain.reminder_items,
the way the rules read in docs/domain.md ("Reminders"). Tests compare the two.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.domain.localtime import in_quiet_hours, local_day, local_moment
from bot.domain.models import ParticipantStatus
from bot.domain.periods import last_day
from bot.domain.policy import Policy
from bot.domain.reminder_items import (
    DECLARATION,
    DROP_LOOKBACK,
    HOURS,
    KINDS,
    TRAJECTORY,
    Facts,
    Item,
    Push,
    declaration_items,
    eligible_from,
    hours_items,
    trajectory_items,
)
from bot.domain.timeliness import due_date
from bot.domain.weeks import week_monday

BUILDERS = {DECLARATION: declaration_items, HOURS: hours_items, TRAJECTORY: trajectory_items}
OVERDUE_LOOKBACK = timedelta(days=60)


def applies(item: Item, facts: Facts) -> bool:
    """Whether an item is meant for this participant at all (start date, already answered)."""
    if item.kind == DECLARATION:
        started = facts.start_date <= last_day(item.period)
        return started and item.period not in facts.submitted
    if item.kind == HOURS:
        ends = week_monday(item.period) + timedelta(days=6)
        return facts.start_date <= ends and item.period not in facts.hours_weeks
    return True


def all_items(
    policy: Policy, facts: Facts, now: datetime, kinds: Iterable[str] = KINDS
) -> list[Item]:
    """Every item of `kinds` around `now` that applies to this participant at all."""
    if facts.status != ParticipantStatus.ACTIVE:
        return []
    items: list[Item] = []
    for kind in kinds:
        items.extend(i for i in BUILDERS[kind](policy, facts, now) if applies(i, facts))
    return items


def useful_items(
    policy: Policy, facts: Facts, now: datetime, kinds: Iterable[str] = KINDS
) -> list[Item]:
    """Items that may go out at `now` (quiet hours and the daily maximum aside)."""
    return [
        i
        for i in all_items(policy, facts, now, kinds)
        if eligible_from(policy, i, now) <= now < i.expires
    ]


def expired_items(
    policy: Policy, facts: Facts, now: datetime, kinds: Iterable[str] = KINDS
) -> list[Item]:
    """Items whose useful time ended recently: if never sent, they are dropped (and logged)."""
    return [
        i
        for i in all_items(policy, facts, now, kinds)
        if now - DROP_LOOKBACK < i.expires <= now and i.at <= now
    ]


def ending_items(policy: Policy, facts: Facts, now: datetime) -> list[Item]:
    """Trajectory end warnings whose moment is now (for the klantmanager)."""
    return [
        i
        for i in all_items(policy, facts, now, (TRAJECTORY,))
        if i.stage.startswith("end-") and i.at <= now < i.expires
    ]


def overdue_periods(policy: Policy, facts: Facts, now: datetime) -> list[str]:
    """Periods whose deadline passed `escalate_days_after_due` days ago without a declaration."""
    if facts.status != ParticipantStatus.ACTIVE or in_quiet_hours(policy, now):
        return []
    today = local_day(now)
    result = []
    for item in all_items(policy, facts, now, (DECLARATION,)):
        if item.stage != "open":
            continue
        due = due_date(policy, item.period)
        moment = local_moment(
            due + timedelta(days=policy.escalate_days_after_due), policy.reminder_time
        )
        if moment <= now and today <= due + OVERDUE_LOOKBACK:
            result.append(item.period)
    return result


def plan_push(
    policy: Policy,
    now: datetime,
    participant_id: int,
    useful: Iterable[Item],
    pushes_today: int,
    triggers: Iterable[str] = KINDS,
) -> Push | None:
    """One merged message, or None: quiet hours, the daily maximum, or nothing of `triggers`."""
    if in_quiet_hours(policy, now) or pushes_today >= policy.max_pushes_per_day:
        return None
    mine = [i for i in useful if i.participant_id == participant_id]
    wanted = set(triggers)
    if not any(i.kind in wanted for i in mine):
        return None
    mine.sort(key=lambda i: (KINDS.index(i.kind), i.period, i.at))
    return Push(participant_id, tuple(mine))
