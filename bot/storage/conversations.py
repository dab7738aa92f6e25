"""Conversation state per person, and the update ids already handled (re-delivery)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.clock import utc_iso
from bot.domain.models import Identity, Person, Role
from bot.storage import codec
from bot.storage.unit import Tx

StoredState = tuple[str, str, dict[str, Any]]


async def chat_context(
    tx: Tx, channel: str, address: str
) -> tuple[Identity | None, Person | None, StoredState | None]:
    """Who writes from a chat address and where their conversation stands, in one statement:
    the bound identity, its person and the stored conversation state (each None when absent)."""
    row = await tx.one(
        "SELECT ci.id AS identity_id, ci.person_id, ci.blocked, p.name, p.role, p.locale, "
        "cs.flow, cs.step, cs.data FROM channel_identities ci "
        "LEFT JOIN people p ON p.id = ci.person_id "
        "LEFT JOIN conversation_state cs ON cs.person_id = ci.person_id "
        "WHERE ci.channel = ? AND ci.address = ?",
        (channel, address),
    )
    if row is None:
        return None, None, None
    identity = Identity(
        row["identity_id"], channel, address, row["person_id"], bool(row["blocked"])
    )
    if row["name"] is None:
        return identity, None, None
    person = Person(
        id=row["person_id"], name=row["name"], role=Role(row["role"]), locale=row["locale"]
    )
    if row["flow"] is None:
        return identity, person, None
    return identity, person, (row["flow"], row["step"], codec.loads(row["data"]))


async def load_state(tx: Tx, person_id: int) -> StoredState | None:
    """A person's conversation state: (flow, step, data)."""
    row = await tx.one("SELECT * FROM conversation_state WHERE person_id = ?", (person_id,))
    if row is None:
        return None
    return row["flow"], row["step"], codec.loads(row["data"])


async def save_state(
    tx: Tx,
    person_id: int,
    flow: str | None,
    step: str | None,
    data: Mapping[str, Any],
    now: datetime,
) -> None:
    """Store (or clear, when `flow` is None) a person's conversation state."""
    if flow is None or step is None:
        await tx.execute("DELETE FROM conversation_state WHERE person_id = ?", (person_id,))
        return
    await tx.execute(
        "INSERT INTO conversation_state (person_id, flow, step, data, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET "
        "flow = excluded.flow, step = excluded.step, data = excluded.data, "
        "updated_at = excluded.updated_at",
        (person_id, flow, step, codec.dumps(data), utc_iso(now)),
    )


async def mark_processed(tx: Tx, channel: str, update_id: str, now: datetime) -> bool:
    """Record an update id; False when it was handled before (a re-delivery)."""
    inserted = await tx.insert(
        "INSERT INTO processed_updates (channel, update_id, processed_at) "
        "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (channel, update_id, utc_iso(now)),
    )
    return inserted is not None
