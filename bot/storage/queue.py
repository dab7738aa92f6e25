"""Queue items and their history: every state change is a compare-and-set plus a history row."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.clock import parse_utc, utc_iso
from bot.domain.queue import OPEN_STATES, QueueEntry, QueueItem
from bot.storage.unit import Row, Tx

COLUMNS = (
    "id, klantmanager_id, participant_id, kind, state, declaration_id, period, dedupe_key, "
    "details, created_at, updated_at"
)
_Q_COLUMNS = ", ".join(f"q.{c}" for c in COLUMNS.split(", "))


def item_from_row(row: Row) -> QueueItem:
    """A `queue_items` row (COLUMNS) as a QueueItem."""
    declaration_id = row["declaration_id"]
    return QueueItem(
        id=int(row["id"]),
        klantmanager_id=int(row["klantmanager_id"]),
        participant_id=int(row["participant_id"]),
        kind=row["kind"],
        state=row["state"],
        declaration_id=None if declaration_id is None else int(declaration_id),
        period=row["period"],
        dedupe_key=row["dedupe_key"],
        created_at=parse_utc(row["created_at"]),
        updated_at=parse_utc(row["updated_at"]),
        details=json.loads(row["details"] or "{}"),
    )


async def by_id(tx: Tx, item_id: int) -> QueueItem | None:
    """One queue item."""
    row = await tx.one(f"SELECT {COLUMNS} FROM queue_items WHERE id = ?", (item_id,))  # noqa: S608
    return item_from_row(row) if row else None


async def with_name(tx: Tx, item_id: int) -> tuple[QueueItem, str] | None:
    """One queue item and its participant's name."""
    row = await tx.one(
        f"SELECT {_Q_COLUMNS}, p.name "  # noqa: S608
        "FROM queue_items q JOIN people p ON p.id = q.participant_id WHERE q.id = ?",
        (item_id,),
    )
    return (item_from_row(row), row["name"]) if row else None


async def in_state(tx: Tx, participant_id: int, period: str, state: str) -> list[QueueItem]:
    """The participant's items of `period` that are in `state`."""
    rows = await tx.all(
        f"SELECT {COLUMNS} FROM queue_items "  # noqa: S608
        "WHERE participant_id = ? AND period = ? AND state = ?",
        (participant_id, period, state),
    )
    return [item_from_row(r) for r in rows]


async def insert(
    tx: Tx,
    now: datetime,
    *,
    klantmanager_id: int,
    participant_id: int,
    kind: str,
    declaration_id: int | None,
    period: str | None,
    dedupe_key: str | None,
    details: Mapping[str, Any],
) -> int | None:
    """Store a new item (state nieuw); None when `dedupe_key` was stored before."""
    return await tx.insert(
        "INSERT INTO queue_items (klantmanager_id, participant_id, kind, "
        "declaration_id, period, dedupe_key, details, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (
            klantmanager_id,
            participant_id,
            kind,
            declaration_id,
            period,
            dedupe_key,
            json.dumps(dict(details), default=str),
            utc_iso(now),
            utc_iso(now),
        ),
    )


async def set_state(tx: Tx, now: datetime, item_id: int, from_state: str, to_state: str) -> bool:
    """Move an item from `from_state` to `to_state`; False when it had moved on already."""
    changed = await tx.execute(
        "UPDATE queue_items SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
        (to_state, utc_iso(now), item_id, from_state),
    )
    return changed > 0


async def add_history(
    tx: Tx,
    now: datetime,
    item_id: int,
    actor_id: int | None,
    from_state: str | None,
    to_state: str,
    note: str | None = None,
) -> int:
    """Record one state change of an item; returns the history row's id."""
    history_id = await tx.insert(
        "INSERT INTO queue_history (item_id, at, actor_id, from_state, to_state, note) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (item_id, utc_iso(now), actor_id, from_state, to_state, note),
    )
    return int(history_id or 0)


def _open_of(owners: Sequence[int]) -> tuple[str, list[Any]]:
    marks = ", ".join("?" for _ in owners)
    states = ", ".join("?" for _ in OPEN_STATES)
    where = f"q.klantmanager_id IN ({marks}) AND q.state IN ({states})"
    return where, [*owners, *OPEN_STATES]


async def open_counts(tx: Tx, owners: Sequence[int]) -> dict[str, int]:
    """The number of open items per kind in the caseloads of `owners`, by kind."""
    where, params = _open_of(owners)
    rows = await tx.all(
        f"SELECT q.kind, COUNT(*) AS n FROM queue_items q WHERE {where} "  # noqa: S608
        "GROUP BY q.kind ORDER BY q.kind",
        params,
    )
    return {r["kind"]: int(r["n"]) for r in rows}


async def open_entries(tx: Tx, owners: Sequence[int], limit: int, offset: int) -> list[QueueEntry]:
    """Open items in the caseloads of `owners`, oldest first, one page of them."""
    where, params = _open_of(owners)
    rows = await tx.all(
        "SELECT q.id, q.kind, q.state, q.period, q.created_at, p.name FROM queue_items q "  # noqa: S608
        f"JOIN people p ON p.id = q.participant_id WHERE {where} "
        "ORDER BY q.created_at, q.id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [
        QueueEntry(
            id=int(r["id"]),
            kind=r["kind"],
            state=r["state"],
            period=r["period"],
            created_at=parse_utc(r["created_at"]),
            name=r["name"],
        )
        for r in rows
    ]


async def proof_count(tx: Tx, declaration_id: int) -> int:
    """How many proof files are stored for a declaration version."""
    return int(
        await tx.scalar("SELECT COUNT(*) FROM proofs WHERE declaration_id = ?", (declaration_id,))
        or 0
    )


async def proof_paths(tx: Tx, declaration_id: int) -> list[tuple[str, str | None]]:
    """The stored proof files of a declaration version as (path, original name), in order."""
    rows = await tx.all(
        "SELECT path, original_name FROM proofs WHERE declaration_id = ? ORDER BY id",
        (declaration_id,),
    )
    return [(str(r["path"]), r["original_name"]) for r in rows]
