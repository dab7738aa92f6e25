"""Who may see what: the checks every queue, digest and overview service runs first.

A klantmanager sees their own caseload, plus the caseloads delegated to them while the delegation
runs (until its last day, Amsterdam time). A coach sees hours and progress of their own
participants, never amounts. An admin sees everything. Anyone else sees nothing. A refusal is
always `AccessDenied`, the same for "not yours" and "does not exist", so nothing leaks.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from bot.domain.errors import AccessDenied, DomainError
from bot.domain.localtime import local_day
from bot.domain.models import Person, Role
from bot.domain.queue import QueueItem
from bot.storage import audit_log, delegations, outbox, people
from bot.storage import queue as queue_items
from bot.storage.unit import Tx


class View(StrEnum):
    """How much of a participant a person may see."""

    AMOUNTS = "amounts"  # everything: amounts, flags, proof, queue
    PROGRESS = "progress"  # hours and progress only (the coach)


async def caseload_owners(tx: Tx, klantmanager_id: int, now: datetime) -> list[int]:
    """The klantmanagers whose caseload `klantmanager_id` works on now: themselves first."""
    return [klantmanager_id, *await delegations.delegators(tx, klantmanager_id, local_day(now))]


async def active_delegates(tx: Tx, klantmanager_id: int, now: datetime) -> list[int]:
    """The colleagues standing in for `klantmanager_id` now."""
    return await delegations.delegates(tx, klantmanager_id, local_day(now))


async def view_of(tx: Tx, viewer: Person, participant_id: int, now: datetime) -> View:
    """How much of this participant `viewer` may see; AccessDenied when nothing."""
    found = await delegations.responsible(tx, participant_id)
    if found is None:
        raise AccessDenied()
    klantmanager_id, coach_id = found
    if viewer.role == Role.ADMIN:
        return View.AMOUNTS
    if (
        viewer.role == Role.KLANTMANAGER
        and klantmanager_id is not None
        and klantmanager_id in await caseload_owners(tx, viewer.id, now)
    ):
        return View.AMOUNTS
    if viewer.role == Role.COACH and coach_id == viewer.id:
        return View.PROGRESS
    raise AccessDenied()


async def require_amounts(tx: Tx, viewer: Person, participant_id: int, now: datetime) -> None:
    """Refuse unless `viewer` may see this participant's amounts."""
    if await view_of(tx, viewer, participant_id, now) != View.AMOUNTS:
        raise AccessDenied()


async def require_item(tx: Tx, viewer: Person, item_id: int, now: datetime) -> QueueItem:
    """The queue item, if `viewer` works on its caseload; AccessDenied otherwise."""
    item = await queue_items.by_id(tx, item_id)
    if item is None:
        raise AccessDenied()
    if viewer.role == Role.ADMIN:
        return item
    if viewer.role != Role.KLANTMANAGER:
        raise AccessDenied()
    if item.klantmanager_id not in await caseload_owners(tx, viewer.id, now):
        raise AccessDenied()
    return item


async def visible_participants(
    tx: Tx, viewer: Person, now: datetime
) -> list[tuple[int, str, View]]:
    """Every participant `viewer` may see, as (id, name, view), by name."""
    if viewer.role == Role.ADMIN:
        return [(pid, name, View.AMOUNTS) for pid, name in await delegations.every_participant(tx)]
    if viewer.role == Role.KLANTMANAGER:
        owners = await caseload_owners(tx, viewer.id, now)
        found = await delegations.caseload_of(tx, owners)
        return [(pid, name, View.AMOUNTS) for pid, name in found]
    if viewer.role == Role.COACH:
        found = await delegations.coached_by(tx, viewer.id)
        return [(pid, name, View.PROGRESS) for pid, name in found]
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
    await delegations.upsert(tx, now, source.id, target.id, until)
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
