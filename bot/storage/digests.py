"""The weekly digest's batch reads and writes: klantmanagers by id, delegations, chat parts.

A digest is queued exactly once per klantmanager and ISO week: its first chat part carries the
dedupe key, so `queued` tells which digests are there already and `enqueue_many` writes a
batch's parts in one statement, skipping any key queued in the meantime.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.clock import utc_iso
from bot.domain.models import Person, Role
from bot.storage.people import person_from_row
from bot.storage.unit import Tx


@dataclass(frozen=True, slots=True)
class Push:
    """One outbox message without buttons or attachment, sent as soon as possible."""

    person_id: int
    dedupe_key: str
    message_key: str
    context: Mapping[str, Any]
    channel: str | None = None  # None: the person's chat; "email": their address


async def klantmanagers_after(tx: Tx, after_id: int, size: int) -> list[Person]:
    """The next `size` klantmanagers with an id above `after_id`, by id."""
    rows = await tx.all(
        "SELECT * FROM people WHERE role = ? AND id > ? ORDER BY id LIMIT ?",
        (Role.KLANTMANAGER.value, after_id, size),
    )
    return [person_from_row(r) for r in rows]


async def queued(tx: Tx, dedupe_keys: Sequence[str]) -> set[str]:
    """Those of `dedupe_keys` that are in the outbox already."""
    if not dedupe_keys:
        return set()
    marks = ", ".join("?" for _ in dedupe_keys)
    rows = await tx.all(
        f"SELECT dedupe_key FROM outbox WHERE dedupe_key IN ({marks})",  # noqa: S608
        list(dedupe_keys),
    )
    return {r["dedupe_key"] for r in rows}


async def delegators(tx: Tx, klantmanager_ids: Sequence[int], day: date) -> list[tuple[int, int]]:
    """(to, from) for each delegation to these klantmanagers still running on `day`, in order."""
    if not klantmanager_ids:
        return []
    marks = ", ".join("?" for _ in klantmanager_ids)
    rows = await tx.all(
        "SELECT to_id, from_id FROM delegations WHERE to_id IN "  # noqa: S608
        f"({marks}) AND until >= ? ORDER BY to_id, from_id",
        [*klantmanager_ids, day.isoformat()],
    )
    return [(int(r["to_id"]), int(r["from_id"])) for r in rows]


def _json(context: Mapping[str, Any]) -> str:
    """The context as `outbox.enqueue` stores it."""
    return json.dumps(dict(context), default=str)


async def enqueue_many(tx: Tx, pushes: Iterable[Push], now: datetime) -> None:
    """Write pushes to the outbox in one statement; a dedupe key queued before is skipped."""
    at = utc_iso(now)
    await tx.executemany(
        "INSERT INTO outbox (person_id, dedupe_key, message_key, context, buttons, "
        "attachment, created_at, not_before, channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (
            (
                p.person_id,
                p.dedupe_key,
                p.message_key,
                _json(p.context),
                "[]",
                None,
                at,
                at,
                p.channel,
            )
            for p in pushes
        ),
    )
