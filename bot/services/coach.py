"""Coach pushes: a coach's own message to one, several or all of their own participants.

Access is checked here, not only in the handler: a coach can only choose, reach and cancel what
is theirs. Every push is audited. Quiet hours hold a push until the morning; coach pushes do not
count towards the daily maximum of reminders (a person wrote them on purpose).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.clock import utc_iso
from bot.domain.errors import AccessDenied, DomainError
from bot.domain.localtime import next_weekly, quiet_until, weekly_occurrence
from bot.domain.models import Person, Role
from bot.domain.policy import Policy
from bot.domain.pushes import ONCE, WEEKLY, CoachPush, ListedPush, OpenPush, PushRun
from bot.storage import audit_log, outbox, people
from bot.storage import coach as pushes
from bot.storage.unit import Database, Tx

log = logging.getLogger(__name__)
MAX_TEXT = 1000
LATE_LIMIT = timedelta(hours=12)  # an occurrence missed by longer is dropped (and logged)


@dataclass(frozen=True)
class When:
    """Now, once at a moment, or weekly on a weekday at a local time."""

    schedule: str  # "once" | "weekly"
    at: datetime | None = None
    weekday: int | None = None
    at_time: time | None = None


def first_moment(when: When, now: datetime) -> datetime | None:
    """The moment of the push's first occurrence when made at `now` (None: incomplete)."""
    if when.schedule != WEEKLY:
        return when.at
    if when.weekday is None or when.at_time is None:
        return None
    latest = weekly_occurrence(when.weekday, when.at_time, now)
    return latest if latest >= now else next_weekly(when.weekday, when.at_time, now)


def held_until(policy: Policy, when: When, now: datetime) -> datetime | None:
    """When quiet hours hold the push's first occurrence: the moment it really goes; else None.

    The rule run_push applies (not_before = quiet_until), so a confirmation can tell the truth.
    """
    moment = first_moment(when, now)
    if moment is None:
        return None
    held = quiet_until(policy, moment)
    return held if held > moment else None


def _require_coach(person: Person) -> None:
    if person.role != Role.COACH:
        raise AccessDenied()


async def own_participants(tx: Tx, coach: Person) -> list[tuple[int, str]]:
    """The coach's active participants: (id, name), by name."""
    _require_coach(coach)
    return await pushes.coached(tx, coach.id)


def check_text(text: str) -> str:
    """A push text: not empty, not too long."""
    cleaned = text.strip()
    if not cleaned:
        raise DomainError("coach/empty_text")
    if len(cleaned) > MAX_TEXT:
        raise DomainError("coach/text_too_long", limit=MAX_TEXT)
    return cleaned


async def create_push(
    tx: Tx,
    now: datetime,
    policy: Policy,
    coach: Person,
    participant_ids: Sequence[int],
    text: str,
    when: When,
) -> int:
    """Store a push for the coach's own participants; one for now goes to the outbox at once."""
    own = {pid for pid, _ in await own_participants(tx, coach)}
    chosen = sorted(set(participant_ids))
    if not chosen:
        raise DomainError("coach/choose_none")
    if not set(chosen) <= own:
        raise AccessDenied()
    text = check_text(text)
    if when.schedule == ONCE and (when.at is None or when.at < now - timedelta(minutes=1)):
        raise DomainError("coach/in_past")
    push_id = await pushes.insert_push(
        tx,
        now,
        coach.id,
        text,
        when.schedule,
        at=when.at,
        weekday=when.weekday,
        at_time=when.at_time,
        targets=chosen,
    )
    await audit_log.record(
        tx,
        now,
        coach.id,
        "coach.push.created",
        None,
        push=push_id,
        participants=chosen,
        schedule=when.schedule,
    )
    if when.schedule == ONCE and when.at is not None and when.at <= now:
        await run_push(tx, policy, push_id, now)
    return push_id


async def list_pushes(tx: Tx, coach: Person, now: datetime) -> list[ListedPush]:
    """The coach's pushes that are still to come (not cancelled, not done)."""
    _require_coach(coach)
    result = []
    for push, names in await pushes.open_pushes_of(tx, coach.id):
        next_at = push.at
        if push.schedule == WEEKLY and push.weekday is not None and push.at_time is not None:
            next_at = next_weekly(push.weekday, push.at_time, now)
        result.append(
            ListedPush(
                push.id,
                push.text,
                push.schedule,
                push.at,
                push.weekday,
                push.at_time.strftime("%H:%M") if push.at_time else None,
                names,
                next_at,
            )
        )
    return result


async def cancel_push(tx: Tx, now: datetime, coach: Person, push_id: int) -> None:
    """Cancel one of the coach's own pushes; what waits in the outbox for it is withdrawn."""
    _require_coach(coach)
    if not await pushes.cancel(tx, now, push_id, coach.id):
        if await pushes.owner(tx, push_id) != coach.id:
            raise AccessDenied()
        raise DomainError("coach/already_gone")
    await pushes.withdraw_unsent(tx, push_id)
    await audit_log.record(tx, now, coach.id, "coach.push.cancelled", None, push=push_id)


def occurrence(push: CoachPush, now: datetime) -> datetime | None:
    """The latest moment the push should have gone out, not after `now`; None if not yet."""
    if push.schedule == ONCE:
        return push.at if push.at is not None and push.at <= now else None
    if push.weekday is None or push.at_time is None:
        return None
    moment = weekly_occurrence(push.weekday, push.at_time, now)
    return moment if moment >= push.created_at else None


async def run_push(tx: Tx, policy: Policy, push_id: int, now: datetime) -> list[tuple[int, str]]:
    """Queue the push's current occurrence for each target still coached by its coach.

    Returns (participant id, "queued" | "dropped") for what this call decided.
    """
    push = await pushes.open_push(tx, push_id)
    if push is None:
        return []
    moment = occurrence(push, now)
    if moment is None:
        return []
    coach = await people.person_by_id(tx, push.coach_id)
    late = now - moment > LATE_LIMIT
    decided = []
    for pid in await pushes.targets_still_coached(tx, push_id, push.coach_id):
        status = "dropped" if late else "queued"
        if not await pushes.insert_run(tx, now, push_id, pid, moment, status):
            continue
        if late:
            log.info("coach push %s to %s dropped: its moment passed", push_id, pid)
            decided.append((pid, "dropped"))
            continue
        outbox_id = await outbox.enqueue(
            tx,
            pid,
            "coach/push",
            now,
            context={"coach": coach.name if coach else "", "text": push.text},
            dedupe_key=f"coach:{push_id}:{pid}:{utc_iso(moment)}",
            not_before=quiet_until(policy, now),
        )
        await pushes.link_run(tx, push_id, pid, moment, outbox_id)
        await audit_log.record(
            tx,
            now,
            push.coach_id,
            "coach.push.sent",
            pid,
            push=push_id,
            occurrence=utc_iso(moment),
        )
        decided.append((pid, "queued"))
    if push.schedule == ONCE:
        await pushes.mark_done(tx, now, push_id)
    return decided


async def due_pushes(db: Database, now: datetime) -> list[OpenPush]:
    """Pushes with an occurrence at or before `now` not yet decided for every target."""
    async with db.read() as tx:
        result = []
        for due in await pushes.open_pushes(tx):
            moment = occurrence(due.push, now)
            if moment is None:
                continue
            if await pushes.run_count(tx, due.push.id, moment) < due.targets:
                result.append(due)
    return result


async def sweep(
    db: Database, policy: Policy, now: datetime, dry_run: bool = False
) -> list[PushRun]:
    """Queue every coach push whose moment has come (a dry run only finds them)."""
    runs = []
    for due in await due_pushes(db, now):
        if dry_run:
            runs.append(PushRun(due))
            continue
        async with db.transaction() as tx:
            decided = await run_push(tx, policy, due.push.id, now)
        runs.append(PushRun(due, tuple(decided)))
    return runs
