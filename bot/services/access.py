"""Who may see what: the checks every queue, digest and overview service runs first.

A klantmanager sees their own caseload, plus the caseloads delegated to them while the delegation
runs (until its last day, Amsterdam time). A coach sees hours and progress of their own
participants, never amounts. An admin sees everything. Anyone else sees nothing. A refusal is
always `AccessDenied`, the same for "not yours" and "does not exist", so nothing leaks.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from bot.clock import to_local, utc_iso
from bot.domain.errors import AccessDenied, DomainError
from bot.domain.models import Person, Role
from bot.storage import audit_log, outbox, people
from bot.storage.unit import Row, Tx


class View(StrEnum):
    """How much of a participant a person may see."""

    AMOUNTS = "amounts"  # everything: amounts, flags, proof, queue
    PROGRESS = "progress"  # hours and progress only (the coach)


def local_day(now: datetime) -> date:
    """Today in Amsterdam: delegations end at the end of their last local day."""
    return to_local(now).date()


async def caseload_owners(tx: Tx, klantmanager_id: int, now: datetime) -> list[int]:
    """The klantmanagers whose caseload `klantmanager_id` works on now: themselves first."""
    rows = await tx.all(
        "SELECT from_id FROM delegations WHERE to_id = ? AND until >= ? ORDER BY from_id",
        (klantmanager_id, local_day(now).isoformat()),
    )
    return [klantmanager_id, *(int(r["from_id"]) for r in rows)]


async def active_delegates(tx: Tx, klantmanager_id: int, now: datetime) -> list[int]:
    """The colleagues standing in for `klantmanager_id` now."""
    rows = await tx.all(
        "SELECT to_id FROM delegations WHERE from_id = ? AND until >= ? ORDER BY to_id",
        (klantmanager_id, local_day(now).isoformat()),
    )
    return [int(r["to_id"]) for r in rows]


async def view_of(tx: Tx, viewer: Person, participant_id: int, now: datetime) -> View:
    """How much of this participant `viewer` may see; AccessDenied when nothing."""
    row = await tx.one(
        "SELECT klantmanager_id, coach_id FROM participants WHERE person_id = ?",
        (participant_id,),
    )
    if row is None:
        raise AccessDenied()
    if viewer.role == Role.ADMIN:
        return View.AMOUNTS
    if (
        viewer.role == Role.KLANTMANAGER
        and row["klantmanager_id"] is not None
        and int(row["klantmanager_id"]) in await caseload_owners(tx, viewer.id, now)
    ):
        return View.AMOUNTS
    if viewer.role == Role.COACH and row["coach_id"] == viewer.id:
        return View.PROGRESS
    raise AccessDenied()


async def require_amounts(tx: Tx, viewer: Person, participant_id: int, now: datetime) -> None:
    """Refuse unless `viewer` may see this participant's amounts."""
    if await view_of(tx, viewer, participant_id, now) != View.AMOUNTS:
        raise AccessDenied()


async def require_item(tx: Tx, viewer: Person, item_id: int, now: datetime) -> Row:
    """The queue item, if `viewer` works on its caseload; AccessDenied otherwise."""
    row = await tx.one("SELECT * FROM queue_items WHERE id = ?", (item_id,))
    if row is None:
        raise AccessDenied()
    if viewer.role == Role.ADMIN:
        return row
    if viewer.role != Role.KLANTMANAGER:
        raise AccessDenied()
    if int(row["klantmanager_id"]) not in await caseload_owners(tx, viewer.id, now):
        raise AccessDenied()
    return row


async def visible_participants(
    tx: Tx, viewer: Person, now: datetime
) -> list[tuple[int, str, View]]:
    """Every participant `viewer` may see, as (id, name, view), by name."""
    if viewer.role == Role.ADMIN:
        rows = await tx.all(
            "SELECT pa.person_id AS id, pe.name FROM participants pa "
            "JOIN people pe ON pe.id = pa.person_id ORDER BY pe.name"
        )
        return [(int(r["id"]), r["name"], View.AMOUNTS) for r in rows]
    if viewer.role == Role.KLANTMANAGER:
        owners = await caseload_owners(tx, viewer.id, now)
        marks = ", ".join("?" for _ in owners)
        rows = await tx.all(
            "SELECT pa.person_id AS id, pe.name FROM participants pa "  # noqa: S608
            f"JOIN people pe ON pe.id = pa.person_id WHERE pa.klantmanager_id IN ({marks}) "
            "ORDER BY pe.name",
            owners,
        )
        return [(int(r["id"]), r["name"], View.AMOUNTS) for r in rows]
    if viewer.role == Role.COACH:
        rows = await tx.all(
            "SELECT pa.person_id AS id, pe.name FROM participants pa "
            "JOIN people pe ON pe.id = pa.person_id WHERE pa.coach_id = ? ORDER BY pe.name",
            (viewer.id,),
        )
        return [(int(r["id"]), r["name"], View.PROGRESS) for r in rows]
    return []


async def delegate(
    tx: Tx, now: datetime, from_name: str, to_name: str, until: date
) -> tuple[Person, Person]:
    """Let `to_name` see `from_name`'s caseload until `until` (inclusive); replaces an earlier one.

    Raises DomainError with a `cli/...` key when the names are not two different klantmanagers or
    the date has passed.
    """
    source = await people.person_by_name(tx, from_name)
    target = await people.person_by_name(tx, to_name)
    for name, person in ((from_name, source), (to_name, target)):
        if person is None or person.role != Role.KLANTMANAGER:
            raise DomainError("queue/cli_not_klantmanager", name=name)
    if source is None or target is None:  # for the type checker; handled above
        raise AccessDenied()
    if source.id == target.id:
        raise DomainError("queue/cli_delegate_self")
    if until < local_day(now):
        raise DomainError("queue/cli_delegate_past", until=until.isoformat())
    await tx.execute(
        "INSERT INTO delegations (from_id, to_id, until, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (from_id, to_id) DO UPDATE SET until = excluded.until, "
        "created_at = excluded.created_at",
        (source.id, target.id, until.isoformat(), utc_iso(now)),
    )
    await audit_log.record(
        tx,
        now,
        None,
        "queue.delegated",
        None,
        to=target.id,
        until=until.isoformat(),
        **{"from": source.id},
    )
    await outbox.enqueue(
        tx,
        target.id,
        "queue/delegated",
        now,
        context={"colleague": source.name, "until": until.isoformat()},
        dedupe_key=f"delegation:{source.id}:{target.id}:{until.isoformat()}",
    )
    return source, target
