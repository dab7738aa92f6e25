"""Rows in, frozen models out: the queries the foundation needs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import aiosqlite

from bot.clock import utc_iso
from bot.domain.models import (
    Household,
    Identity,
    Participant,
    ParticipantStatus,
    Person,
    Role,
)
from bot.storage.db import Tx


def person_from_row(row: aiosqlite.Row) -> Person:
    """A `people` row as a Person."""
    return Person(id=row["id"], name=row["name"], role=Role(row["role"]), locale=row["locale"])


def participant_from_row(row: aiosqlite.Row) -> Participant:
    """A `participants` row joined with the name."""
    return Participant(
        person_id=row["person_id"],
        name=row["name"],
        klantmanager_id=row["klantmanager_id"],
        coach_id=row["coach_id"],
        start_date=date.fromisoformat(row["start_date"]),
        household=Household(row["household"]),
        status=ParticipantStatus(row["status"]),
    )


async def person_by_id(tx: Tx, person_id: int) -> Person | None:
    """One person."""
    row = await tx.one("SELECT * FROM people WHERE id = ?", (person_id,))
    return person_from_row(row) if row else None


async def person_by_name(tx: Tx, name: str) -> Person | None:
    """One person by exact name (case-insensitive)."""
    row = await tx.one("SELECT * FROM people WHERE name = ? COLLATE NOCASE", (name.strip(),))
    return person_from_row(row) if row else None


async def participant(tx: Tx, person_id: int) -> Participant | None:
    """One participant."""
    row = await tx.one(
        "SELECT p.*, pe.name FROM participants p JOIN people pe ON pe.id = p.person_id "
        "WHERE p.person_id = ?",
        (person_id,),
    )
    return participant_from_row(row) if row else None


async def insert_person(tx: Tx, name: str, role: Role, now: datetime, locale: str = "nl") -> int:
    """Create a person; returns the id."""
    new_id = await tx.insert(
        "INSERT INTO people (name, role, locale, created_at) VALUES (?, ?, ?, ?)",
        (name.strip(), role.value, locale, utc_iso(now)),
    )
    if new_id is None:
        raise RuntimeError("insert into people failed")
    return new_id


async def insert_participant(
    tx: Tx,
    person_id: int,
    klantmanager_id: int | None,
    coach_id: int | None,
    start_date: date,
    household: Household,
) -> None:
    """Attach participant details to a person."""
    await tx.execute(
        "INSERT INTO participants (person_id, klantmanager_id, coach_id, start_date, household) "
        "VALUES (?, ?, ?, ?, ?)",
        (person_id, klantmanager_id, coach_id, start_date.isoformat(), household.value),
    )


async def identity_by_address(tx: Tx, channel: str, address: str) -> Identity | None:
    """The identity bound to a chat address."""
    row = await tx.one(
        "SELECT * FROM channel_identities WHERE channel = ? AND address = ?", (channel, address)
    )
    if row is None:
        return None
    return Identity(
        row["id"], row["channel"], row["address"], row["person_id"], bool(row["blocked"])
    )


async def identities_of(tx: Tx, person_id: int) -> list[Identity]:
    """All chat addresses of a person."""
    rows = await tx.all(
        "SELECT * FROM channel_identities WHERE person_id = ? ORDER BY id", (person_id,)
    )
    return [
        Identity(r["id"], r["channel"], r["address"], r["person_id"], bool(r["blocked"]))
        for r in rows
    ]


async def bind_identity(tx: Tx, channel: str, address: str, person_id: int, now: datetime) -> None:
    """Bind a chat to a person: one chat per person per channel, one person per chat."""
    await tx.execute(
        "DELETE FROM channel_identities WHERE channel = ? AND (address = ? OR person_id = ?)",
        (channel, address, person_id),
    )
    await tx.execute(
        "INSERT INTO channel_identities (channel, address, person_id, created_at) "
        "VALUES (?, ?, ?, ?)",
        (channel, address, person_id, utc_iso(now)),
    )


async def set_blocked(tx: Tx, identity_id: int, blocked: bool, now: datetime) -> bool:
    """Mark a chat (un)blocked; True when this changed the flag."""
    changed = await tx.execute(
        "UPDATE channel_identities SET blocked = ?, blocked_at = ? WHERE id = ? AND blocked != ?",
        (int(blocked), utc_iso(now) if blocked else None, identity_id, int(blocked)),
    )
    return changed > 0


async def set_locale(tx: Tx, person_id: int, locale: str) -> None:
    """Remember a person's language."""
    await tx.execute("UPDATE people SET locale = ? WHERE id = ?", (locale, person_id))


async def load_state(tx: Tx, person_id: int) -> tuple[str, str, dict[str, Any]] | None:
    """A person's conversation state: (flow, step, data)."""
    row = await tx.one("SELECT * FROM conversation_state WHERE person_id = ?", (person_id,))
    if row is None:
        return None
    return row["flow"], row["step"], json.loads(row["data"])


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
        (person_id, flow, step, json.dumps(data, separators=(",", ":")), utc_iso(now)),
    )


async def mark_processed(tx: Tx, channel: str, update_id: str, now: datetime) -> bool:
    """Record an update id; False when it was handled before (a re-delivery)."""
    inserted = await tx.insert(
        "INSERT OR IGNORE INTO processed_updates (channel, update_id, processed_at) "
        "VALUES (?, ?, ?)",
        (channel, update_id, utc_iso(now)),
    )
    return inserted is not None


async def audit(
    tx: Tx,
    now: datetime,
    actor_id: int | None,
    action: str,
    subject_id: int | None = None,
    **details: Any,
) -> None:
    """Append to the audit log."""
    await tx.execute(
        "INSERT INTO audit_log (at, actor_id, action, subject_id, details) VALUES (?, ?, ?, ?, ?)",
        (utc_iso(now), actor_id, action, subject_id, json.dumps(details, default=str)),
    )


async def enqueue(
    tx: Tx,
    person_id: int,
    message_key: str,
    now: datetime,
    *,
    context: Mapping[str, Any] | None = None,
    buttons: Sequence[Sequence[Mapping[str, Any]]] = (),
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    attachment: str | None = None,
) -> int | None:
    """Write a push to the outbox; None when `dedupe_key` was queued before (exactly once).

    Buttons are rows of {"data": ..., "label_key": ... | "text": ..., "ctx": {...}}.
    """
    return await tx.insert(
        "INSERT OR IGNORE INTO outbox (person_id, dedupe_key, message_key, context, buttons, "
        "attachment, created_at, not_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            person_id,
            dedupe_key,
            message_key,
            json.dumps(dict(context or {}), default=str),
            json.dumps([list(map(dict, row)) for row in buttons]),
            attachment,
            utc_iso(now),
            utc_iso(not_before or now),
        ),
    )


async def meta_get(tx: Tx, key: str) -> str | None:
    """A value from the meta table."""
    value = await tx.scalar("SELECT value FROM meta WHERE key = ?", (key,))
    return None if value is None else str(value)


async def meta_set(tx: Tx, key: str, value: str) -> None:
    """Store a value in the meta table."""
    await tx.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
