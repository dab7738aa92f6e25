"""Queue items and their history: every state change is a compare-and-set plus a history row."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.clock import parse_utc, utc_iso
from bot.domain.queue import AFGEHANDELD, OPEN_STATES, STATES, VERVANGEN, QueueEntry, QueueItem
from bot.storage.unit import Row, Tx

# A superseded item is stored as 'afgehandeld' with `replaced_by` set, and read as 'vervangen'.
_STATE = (
    f"CASE WHEN q.state = '{AFGEHANDELD}' AND q.replaced_by IS NOT NULL "
    f"THEN '{VERVANGEN}' ELSE q.state END"
)


def _shown_state(state: str, replaced_by: Any) -> str:
    return VERVANGEN if state == AFGEHANDELD and replaced_by is not None else state


COLUMNS = (
    "id, klantmanager_id, participant_id, kind, state, declaration_id, period, dedupe_key, "
    "details, created_at, updated_at, replaced_by"
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
        state=_shown_state(row["state"], row["replaced_by"]),
        declaration_id=None if declaration_id is None else int(declaration_id),
        period=row["period"],
        dedupe_key=row["dedupe_key"],
        created_at=parse_utc(row["created_at"]),
        updated_at=parse_utc(row["updated_at"]),
        details=json.loads(row["details"] or "{}"),
        replaced_by=None if row["replaced_by"] is None else int(row["replaced_by"]),
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


async def of_period(
    tx: Tx,
    participant_id: int,
    period: str,
    states: Sequence[str],
    kinds: Sequence[str] | None = None,
) -> list[QueueItem]:
    """The participant's items of `period` in one of `states` (and of `kinds`), oldest first."""
    state_marks = ", ".join("?" for _ in states)
    where = f"participant_id = ? AND period = ? AND state IN ({state_marks})"
    params: list[Any] = [participant_id, period, *states]
    if kinds is not None:
        where += f" AND kind IN ({', '.join('?' for _ in kinds)})"
        params += list(kinds)
    rows = await tx.all(
        f"SELECT {COLUMNS} FROM queue_items WHERE {where} ORDER BY id",  # noqa: S608
        params,
    )
    return [item_from_row(r) for r in rows]


async def supersede(tx: Tx, now: datetime, item_id: int, from_state: str, newer_id: int) -> bool:
    """Close an item as vervangen by `newer_id` if it is still in `from_state`."""
    changed = await tx.execute(
        "UPDATE queue_items SET state = ?, replaced_by = ?, updated_at = ? "
        "WHERE id = ? AND state = ?",
        (AFGEHANDELD, newer_id, utc_iso(now), item_id, from_state),
    )
    return changed > 0


async def last_history(tx: Tx, item_id: int, to_state: str) -> tuple[str, str | None] | None:
    """When the item last moved to `to_state` and the note of that move, (UTC ISO, note)."""
    row = await tx.one(
        "SELECT at, note FROM queue_history WHERE item_id = ? AND to_state = ? "
        "ORDER BY id DESC LIMIT 1",
        (item_id, to_state),
    )
    return (str(row["at"]), row["note"]) if row else None


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
    """Move an item from `from_state` to `to_state`; False when it had moved on already.

    Not for vervangen (see `supersede`); `from_state` is an open state."""
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


def _open_of(
    owners: Sequence[int] | None, states: Sequence[str] = OPEN_STATES
) -> tuple[str, list[Any]]:
    """Items in `states` (as read) of the caseloads of `owners` (None: every caseload)."""
    marks = ", ".join("?" for _ in states)
    in_states = (
        f"{_STATE} IN ({marks})" if set(states) - set(OPEN_STATES) else f"q.state IN ({marks})"
    )
    if owners is None:
        return in_states, [*states]
    owner_marks = ", ".join("?" for _ in owners)
    where = f"q.klantmanager_id IN ({owner_marks}) AND {in_states}"
    return where, [*owners, *states]


async def state_counts(tx: Tx, owners: Sequence[int] | None) -> dict[str, int]:
    """The number of items per state in the caseloads of `owners` (None: all), every state."""
    where, params = _open_of(owners, STATES)
    rows = await tx.all(
        f"SELECT {_STATE} AS state, COUNT(*) AS n FROM queue_items q "  # noqa: S608
        f"WHERE {where} GROUP BY 1",
        params,
    )
    return {r["state"]: int(r["n"]) for r in rows}


async def open_counts(
    tx: Tx, owners: Sequence[int] | None, states: Sequence[str] = OPEN_STATES
) -> dict[str, int]:
    """The number of items in `states` per kind in the caseloads of `owners`, by kind."""
    where, params = _open_of(owners, states)
    rows = await tx.all(
        f"SELECT q.kind, COUNT(*) AS n FROM queue_items q WHERE {where} "  # noqa: S608
        "GROUP BY q.kind ORDER BY q.kind",
        params,
    )
    return {r["kind"]: int(r["n"]) for r in rows}


def _entry(r: Row) -> QueueEntry:
    return QueueEntry(
        id=int(r["id"]),
        kind=r["kind"],
        state=r["state"],
        period=r["period"],
        created_at=parse_utc(r["created_at"]),
        name=r["name"],
        updated_at=parse_utc(r["updated_at"]),
    )


async def open_entries(
    tx: Tx,
    owners: Sequence[int] | None,
    limit: int,
    offset: int,
    states: Sequence[str] = OPEN_STATES,
) -> list[QueueEntry]:
    """Items in `states` in the caseloads of `owners`, oldest first, one page of them."""
    where, params = _open_of(owners, states)
    rows = await tx.all(
        f"SELECT q.id, q.kind, {_STATE} AS state, q.period, q.created_at, q.updated_at, "  # noqa: S608
        "p.name "
        "FROM queue_items q "
        f"JOIN people p ON p.id = q.participant_id WHERE {where} "
        "ORDER BY q.created_at, q.id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_entry(r) for r in rows]


async def proof_paths(tx: Tx, declaration_id: int) -> list[tuple[str, str | None]]:
    """The stored proof files of a declaration version as (path, original name), in order."""
    rows = await tx.all(
        "SELECT path, original_name FROM proofs WHERE declaration_id = ? ORDER BY id",
        (declaration_id,),
    )
    return [(str(r["path"]), r["original_name"]) for r in rows]


async def pushes_on(tx: Tx, participant_id: int, day: str) -> int:
    """How many pushes (reminder messages) go to the participant on local `day` (ISO date)."""
    return int(
        await tx.scalar(
            "SELECT COUNT(DISTINCT outbox_id) FROM reminder_keys "
            "WHERE participant_id = ? AND day = ? AND status = 'queued'",
            (participant_id, day),
        )
        or 0
    )


async def open_states_of(tx: Tx, participant_id: int) -> dict[str, int]:
    """How many of a participant's items are open, per state (in the order of OPEN_STATES)."""
    marks = ", ".join("?" for _ in OPEN_STATES)
    rows = await tx.all(
        f"SELECT state, COUNT(*) AS n FROM queue_items WHERE participant_id = ? "  # noqa: S608
        f"AND state IN ({marks}) GROUP BY state",
        (participant_id, *OPEN_STATES),
    )
    found = {r["state"]: int(r["n"]) for r in rows}
    return {state: found[state] for state in OPEN_STATES if state in found}


async def open_of_participant(tx: Tx, participant_id: int) -> list[QueueEntry]:
    """The participant's open items, oldest first."""
    marks = ", ".join("?" for _ in OPEN_STATES)
    rows = await tx.all(
        f"SELECT q.id, q.kind, {_STATE} AS state, q.period, q.created_at, q.updated_at, "  # noqa: S608
        "p.name FROM queue_items q JOIN people p ON p.id = q.participant_id "
        f"WHERE q.participant_id = ? AND q.state IN ({marks}) ORDER BY q.created_at, q.id",
        (participant_id, *OPEN_STATES),
    )
    return [_entry(r) for r in rows]
