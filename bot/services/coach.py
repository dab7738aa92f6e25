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

from bot.clock import parse_utc, utc_iso
from bot.domain import reminders as rules
from bot.domain.errors import AccessDenied, DomainError
from bot.domain.models import Person, Role
from bot.domain.policy import Policy
from bot.storage import audit_log, outbox
from bot.storage.unit import Database, Row, Tx

log = logging.getLogger(__name__)
MAX_TEXT = 1000
LATE_LIMIT = timedelta(hours=12)  # an occurrence missed by longer is dropped (and logged)
ONCE, WEEKLY = "once", "weekly"


@dataclass(frozen=True)
class When:
    """Now, once at a moment, or weekly on a weekday at a local time."""

    schedule: str  # "once" | "weekly"
    at: datetime | None = None
    weekday: int | None = None
    at_time: time | None = None


@dataclass(frozen=True)
class CoachPush:
    """A push as the coach sees it in the list."""

    id: int
    text: str
    schedule: str
    at: datetime | None
    weekday: int | None
    at_time: str | None
    names: tuple[str, ...]
    next_at: datetime | None


def _require_coach(person: Person) -> None:
    if person.role != Role.COACH:
        raise AccessDenied()


async def own_participants(tx: Tx, coach: Person) -> list[tuple[int, str]]:
    """The coach's active participants: (id, name), by name."""
    _require_coach(coach)
    rows = await tx.all(
        "SELECT p.person_id, pe.name FROM participants p JOIN people pe ON pe.id = p.person_id "
        "WHERE p.coach_id = ? AND p.status = 'active' ORDER BY pe.name",
        (coach.id,),
    )
    return [(r[0], r[1]) for r in rows]


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
    push_id = await tx.insert(
        "INSERT INTO coach_pushes (coach_id, text, schedule, at, weekday, at_time, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            coach.id,
            text,
            when.schedule,
            utc_iso(when.at) if when.at else None,
            when.weekday,
            when.at_time.strftime("%H:%M") if when.at_time else None,
            utc_iso(now),
        ),
    )
    if push_id is None:
        raise RuntimeError("insert into coach_pushes failed")
    await tx.executemany(
        "INSERT INTO coach_push_targets (push_id, participant_id) VALUES (?, ?)",
        [(push_id, pid) for pid in chosen],
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


async def list_pushes(tx: Tx, coach: Person, now: datetime) -> list[CoachPush]:
    """The coach's pushes that are still to come (not cancelled, not done)."""
    _require_coach(coach)
    rows = await tx.all(
        "SELECT * FROM coach_pushes WHERE coach_id = ? AND cancelled_at IS NULL "
        "AND done_at IS NULL ORDER BY id",
        (coach.id,),
    )
    result = []
    for r in rows:
        names = await tx.all(
            "SELECT pe.name FROM coach_push_targets t JOIN people pe ON pe.id = t.participant_id "
            "WHERE t.push_id = ? ORDER BY pe.name",
            (r["id"],),
        )
        at = parse_utc(r["at"]) if r["at"] else None
        next_at = at
        if r["schedule"] == WEEKLY:
            next_at = rules.next_weekly(r["weekday"], time.fromisoformat(r["at_time"]), now)
        result.append(
            CoachPush(
                r["id"],
                r["text"],
                r["schedule"],
                at,
                r["weekday"],
                r["at_time"],
                tuple(n[0] for n in names),
                next_at,
            )
        )
    return result


async def cancel_push(tx: Tx, now: datetime, coach: Person, push_id: int) -> None:
    """Cancel one of the coach's own pushes; what waits in the outbox for it is withdrawn."""
    _require_coach(coach)
    changed = await tx.execute(
        "UPDATE coach_pushes SET cancelled_at = ? WHERE id = ? AND coach_id = ? "
        "AND cancelled_at IS NULL AND done_at IS NULL",
        (utc_iso(now), push_id, coach.id),
    )
    if not changed:
        owner = await tx.scalar("SELECT coach_id FROM coach_pushes WHERE id = ?", (push_id,))
        if owner != coach.id:
            raise AccessDenied()
        raise DomainError("coach/already_gone")
    await tx.execute(
        "DELETE FROM outbox WHERE sent_at IS NULL AND id IN "
        "(SELECT outbox_id FROM coach_push_runs WHERE push_id = ?)",
        (push_id,),
    )
    await audit_log.record(tx, now, coach.id, "coach.push.cancelled", None, push=push_id)


def occurrence(row: Row, now: datetime) -> datetime | None:
    """The latest moment the push should have gone out, not after `now`; None if not yet."""
    if row["schedule"] == ONCE:
        at = parse_utc(row["at"])
        return at if at <= now else None
    moment = rules.weekly_occurrence(row["weekday"], time.fromisoformat(row["at_time"]), now)
    return moment if moment >= parse_utc(row["created_at"]) else None


async def run_push(tx: Tx, policy: Policy, push_id: int, now: datetime) -> list[tuple[int, str]]:
    """Queue the push's current occurrence for each target still coached by its coach.

    Returns (participant id, "queued" | "dropped") for what this call decided.
    """
    row = await tx.one(
        "SELECT * FROM coach_pushes WHERE id = ? AND cancelled_at IS NULL AND done_at IS NULL",
        (push_id,),
    )
    if row is None:
        return []
    moment = occurrence(row, now)
    if moment is None:
        return []
    coach = await tx.one("SELECT name FROM people WHERE id = ?", (row["coach_id"],))
    targets = await tx.all(
        "SELECT t.participant_id FROM coach_push_targets t JOIN participants p "
        "ON p.person_id = t.participant_id WHERE t.push_id = ? AND p.coach_id = ? "
        "AND p.status = 'active'",
        (push_id, row["coach_id"]),
    )
    late = now - moment > LATE_LIMIT
    decided = []
    for target in targets:
        pid = target[0]
        inserted = await tx.insert(
            "INSERT OR IGNORE INTO coach_push_runs (push_id, participant_id, occurrence, status, "
            "created_at) VALUES (?, ?, ?, ?, ?)",
            (push_id, pid, utc_iso(moment), "dropped" if late else "queued", utc_iso(now)),
        )
        if inserted is None:
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
            context={"coach": coach["name"] if coach else "", "text": row["text"]},
            dedupe_key=f"coach:{push_id}:{pid}:{utc_iso(moment)}",
            not_before=rules.quiet_until(policy, now),
        )
        await tx.execute(
            "UPDATE coach_push_runs SET outbox_id = ? WHERE push_id = ? AND participant_id = ? "
            "AND occurrence = ?",
            (outbox_id, push_id, pid, utc_iso(moment)),
        )
        await audit_log.record(
            tx,
            now,
            row["coach_id"],
            "coach.push.sent",
            pid,
            push=push_id,
            occurrence=utc_iso(moment),
        )
        decided.append((pid, "queued"))
    if row["schedule"] == ONCE:
        await tx.execute(
            "UPDATE coach_pushes SET done_at = ? WHERE id = ?", (utc_iso(now), push_id)
        )
    return decided


async def due_pushes(db: Database, now: datetime) -> list[tuple[int, str, int]]:
    """Pushes with an occurrence at or before `now`: (push id, coach name, number of targets)."""
    async with db.read() as tx:
        rows = await tx.all(
            "SELECT c.*, pe.name AS coach_name, (SELECT COUNT(*) FROM coach_push_targets t "
            "WHERE t.push_id = c.id) AS n FROM coach_pushes c "
            "JOIN people pe ON pe.id = c.coach_id "
            "WHERE c.cancelled_at IS NULL AND c.done_at IS NULL ORDER BY c.id"
        )
        result = []
        for r in rows:
            moment = occurrence(r, now)
            if moment is None:
                continue
            runs = await tx.scalar(
                "SELECT COUNT(*) FROM coach_push_runs WHERE push_id = ? AND occurrence = ?",
                (r["id"], utc_iso(moment)),
            )
            if runs < r["n"]:
                result.append((r["id"], r["coach_name"], r["n"]))
    return result


async def sweep(db: Database, policy: Policy, now: datetime, dry_run: bool = False) -> list[str]:
    """Queue every coach push whose moment has come; lines saying what happened."""
    lines = []
    for push_id, coach_name, n in await due_pushes(db, now):
        if dry_run:
            lines.append(f"coach push {push_id} from {coach_name} to {n} participant(s)")
            continue
        async with db.transaction() as tx:
            decided = await run_push(tx, policy, push_id, now)
        lines += [
            f"coach push {push_id} from {coach_name} to #{pid}: {what}" for pid, what in decided
        ]
    return lines
