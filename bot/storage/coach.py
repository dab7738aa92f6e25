"""Coach pushes: the pushes (coach_pushes), their targets and one run per occurrence and target.

A run (push, participant, occurrence) is written once; its primary key makes a second or
overlapping sweep harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from bot.clock import parse_utc, utc_iso
from bot.domain.pushes import CoachPush, OpenPush
from bot.storage.unit import Row, Tx

COLUMNS = "id, coach_id, text, schedule, at, weekday, at_time, created_at"


def push_from_row(row: Row) -> CoachPush:
    """A `coach_pushes` row (COLUMNS) as a CoachPush."""
    return CoachPush(
        id=int(row["id"]),
        coach_id=int(row["coach_id"]),
        text=row["text"],
        schedule=row["schedule"],
        at=parse_utc(row["at"]) if row["at"] else None,
        weekday=row["weekday"],
        at_time=time.fromisoformat(row["at_time"]) if row["at_time"] else None,
        created_at=parse_utc(row["created_at"]),
    )


async def coached(tx: Tx, coach_id: int) -> list[tuple[int, str]]:
    """The coach's active participants: (id, name), by name."""
    rows = await tx.all(
        "SELECT p.person_id, pe.name FROM participants p JOIN people pe ON pe.id = p.person_id "
        "WHERE p.coach_id = ? AND p.status = 'active' ORDER BY pe.name",
        (coach_id,),
    )
    return [(int(r[0]), r[1]) for r in rows]


async def insert_push(
    tx: Tx,
    now: datetime,
    coach_id: int,
    text: str,
    schedule: str,
    *,
    at: datetime | None,
    weekday: int | None,
    at_time: time | None,
    targets: Sequence[int],
) -> int:
    """Store a push and its targets; returns its id."""
    push_id = await tx.insert(
        "INSERT INTO coach_pushes (coach_id, text, schedule, at, weekday, at_time, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            coach_id,
            text,
            schedule,
            utc_iso(at) if at else None,
            weekday,
            at_time.strftime("%H:%M") if at_time else None,
            utc_iso(now),
        ),
    )
    if push_id is None:
        raise RuntimeError("insert into coach_pushes failed")
    await tx.executemany(
        "INSERT INTO coach_push_targets (push_id, participant_id) VALUES (?, ?)",
        [(push_id, pid) for pid in targets],
    )
    return push_id


async def open_push(tx: Tx, push_id: int) -> CoachPush | None:
    """One push, unless it was cancelled or is done."""
    row = await tx.one(
        f"SELECT {COLUMNS} FROM coach_pushes WHERE id = ? "  # noqa: S608
        "AND cancelled_at IS NULL AND done_at IS NULL",
        (push_id,),
    )
    return push_from_row(row) if row else None


async def open_pushes_of(tx: Tx, coach_id: int) -> list[tuple[CoachPush, tuple[str, ...]]]:
    """The coach's pushes that are not cancelled or done, by id, each with its targets' names."""
    rows = await tx.all(
        f"SELECT {COLUMNS} FROM coach_pushes WHERE coach_id = ? "  # noqa: S608
        "AND cancelled_at IS NULL AND done_at IS NULL ORDER BY id",
        (coach_id,),
    )
    names = await tx.all(
        "SELECT t.push_id, pe.name FROM coach_push_targets t "
        "JOIN people pe ON pe.id = t.participant_id JOIN coach_pushes c ON c.id = t.push_id "
        "WHERE c.coach_id = ? AND c.cancelled_at IS NULL AND c.done_at IS NULL "
        "ORDER BY pe.name",
        (coach_id,),
    )
    by_push: dict[int, list[str]] = {}
    for push_id, name in names:
        by_push.setdefault(int(push_id), []).append(name)
    return [(push_from_row(r), tuple(by_push.get(int(r["id"]), ()))) for r in rows]


async def open_pushes(tx: Tx) -> list[OpenPush]:
    """Every push that is not cancelled or done, by id, with its coach's name and target count."""
    rows = await tx.all(
        "SELECT c.id, c.coach_id, c.text, c.schedule, c.at, c.weekday, c.at_time, c.created_at, "
        "pe.name AS coach_name, (SELECT COUNT(*) FROM coach_push_targets t "
        "WHERE t.push_id = c.id) AS n FROM coach_pushes c "
        "JOIN people pe ON pe.id = c.coach_id "
        "WHERE c.cancelled_at IS NULL AND c.done_at IS NULL ORDER BY c.id"
    )
    return [OpenPush(push_from_row(r), r["coach_name"], int(r["n"])) for r in rows]


async def cancel(tx: Tx, now: datetime, push_id: int, coach_id: int) -> bool:
    """Cancel the coach's push if it is still open; False when nothing changed."""
    changed = await tx.execute(
        "UPDATE coach_pushes SET cancelled_at = ? WHERE id = ? AND coach_id = ? "
        "AND cancelled_at IS NULL AND done_at IS NULL",
        (utc_iso(now), push_id, coach_id),
    )
    return changed > 0


async def owner(tx: Tx, push_id: int) -> int | None:
    """The coach who made the push, or None when there is no such push."""
    coach_id = await tx.scalar("SELECT coach_id FROM coach_pushes WHERE id = ?", (push_id,))
    return None if coach_id is None else int(coach_id)


async def withdraw_unsent(tx: Tx, push_id: int) -> int:
    """Delete the push's outbox rows that were not sent yet; returns how many."""
    return await tx.execute(
        "DELETE FROM outbox WHERE sent_at IS NULL AND id IN "
        "(SELECT outbox_id FROM coach_push_runs WHERE push_id = ?)",
        (push_id,),
    )


async def mark_done(tx: Tx, now: datetime, push_id: int) -> None:
    """A 'once' push went out: it is done."""
    await tx.execute("UPDATE coach_pushes SET done_at = ? WHERE id = ?", (utc_iso(now), push_id))


async def targets_still_coached(tx: Tx, push_id: int, coach_id: int) -> list[int]:
    """The push's targets that are active and still coached by `coach_id`."""
    rows = await tx.all(
        "SELECT t.participant_id FROM coach_push_targets t JOIN participants p "
        "ON p.person_id = t.participant_id WHERE t.push_id = ? AND p.coach_id = ? "
        "AND p.status = 'active'",
        (push_id, coach_id),
    )
    return [int(r[0]) for r in rows]


async def insert_run(
    tx: Tx, now: datetime, push_id: int, participant_id: int, occurrence: datetime, status: str
) -> bool:
    """Record the push's occurrence for a participant ('queued' | 'dropped'); False if known."""
    changed = await tx.execute(
        "INSERT INTO coach_push_runs (push_id, participant_id, occurrence, status, created_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (push_id, participant_id, utc_iso(occurrence), status, utc_iso(now)),
    )
    return changed > 0


async def link_run(
    tx: Tx, push_id: int, participant_id: int, occurrence: datetime, outbox_id: int | None
) -> None:
    """Point a run at its outbox row."""
    await tx.execute(
        "UPDATE coach_push_runs SET outbox_id = ? WHERE push_id = ? AND participant_id = ? "
        "AND occurrence = ?",
        (outbox_id, push_id, participant_id, utc_iso(occurrence)),
    )


async def run_count(tx: Tx, push_id: int, occurrence: datetime) -> int:
    """How many targets the push's occurrence was decided for already."""
    n = await tx.scalar(
        "SELECT COUNT(*) FROM coach_push_runs WHERE push_id = ? AND occurrence = ?",
        (push_id, utc_iso(occurrence)),
    )
    return int(n or 0)
