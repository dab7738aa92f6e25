"""Delegations from the command line: start one by typed names, list the running ones, cancel one.

Names match like `/deelnemer` (`bot.services.names`). Starting goes through
`bot.services.access.delegate` (checks, audit `queue.delegated`, the colleague's message);
cancelling is audited as `queue.delegation_cancelled`, with ids, never names. After a cancel the
colleague no longer sees the caseload (`access.caseload_owners` reads the delegations each time).
"""

from __future__ import annotations

from datetime import date, datetime

from bot.domain.errors import DomainError
from bot.domain.localtime import local_day
from bot.domain.models import Person, Role
from bot.services import access, names
from bot.storage import audit_log
from bot.storage import delegations as stored
from bot.storage.delegations import Running
from bot.storage.unit import Tx

__all__ = ["Running", "cancel", "delegate", "running"]


async def klantmanager(tx: Tx, query: str) -> Person:
    """The klantmanager a typed name means; DomainError when none or several fit."""
    return await names.person_named(
        tx, query, Role.KLANTMANAGER, unknown="queue/cli_not_klantmanager"
    )


async def delegate(
    tx: Tx, now: datetime, from_name: str, to_name: str, until: date
) -> tuple[Person, Person]:
    """`access.delegate` with the names matched first: `--from kim --to karin` works."""
    source = await klantmanager(tx, from_name)
    target = await klantmanager(tx, to_name)
    return await access.delegate(tx, now, source.name, target.name, until)


async def running(tx: Tx, now: datetime) -> list[Running]:
    """Every delegation that still runs today (Amsterdam time)."""
    return await stored.running(tx, local_day(now))


async def cancel(
    tx: Tx, now: datetime, from_name: str, to_name: str
) -> tuple[Person, Person, date]:
    """End the running delegation from `from_name` to `to_name` now; its planned last day.

    DomainError `queue/cli_delegation_unknown` when none runs between the two.
    """
    source = await klantmanager(tx, from_name)
    target = await klantmanager(tx, to_name)
    until = await stored.remove(tx, source.id, target.id, local_day(now))
    if until is None:
        raise DomainError("queue/cli_delegation_unknown", source=source.name, target=target.name)
    await audit_log.record(
        tx,
        now,
        None,
        "queue.delegation_cancelled",
        None,
        to=target.id,
        until=until.isoformat(),
        **{"from": source.id},
    )
    return source, target, until
