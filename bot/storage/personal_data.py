"""Everything stored about one person, for /mijngegevens: read-only, values as stored.

Timestamps stay the text they are stored as and JSON columns are decoded, so the export shows
what the database holds. Which of it a person gets to see (no notes, no other people) is the
export's decision (`bot/services/personal_data.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.storage.schema import PersonTable
from bot.storage.unit import Tx


def _decoded(text: str | None) -> Any:
    """JSON text as its value; text that is not JSON as it is."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


@dataclass(frozen=True)
class PersonRecord:
    """The person row."""

    name: str
    role: str
    locale: str
    created_at: str
    email: str | None = None


@dataclass(frozen=True)
class ChatRecord:
    """A chat bound to the person."""

    channel: str
    address: str
    created_at: str


@dataclass(frozen=True)
class ParticipantRecord:
    """The participant row, with the names of their klantmanager and coach."""

    start_date: str
    household: str
    status: str
    klantmanager: str | None
    coach: str | None


@dataclass(frozen=True)
class DeclarationRecord:
    """One declaration version."""

    period: str
    version: int
    reference: str
    worked: bool
    revenue_cents: int
    costs_cents: int
    hours: Any
    data: Any
    flags: Any
    reason: str | None
    submitted_at: str


@dataclass(frozen=True)
class ProofRecord:
    """One proof row, with the reference of its declaration (None for a draft's proof)."""

    period: str
    reference: str | None
    path: str
    original_name: str | None
    mime: str
    size: int
    sha256: str
    created_at: str


@dataclass(frozen=True)
class HoursRecord:
    """Hours of one week."""

    week: str
    hours: Any
    source: str


@dataclass(frozen=True)
class QueueItemRecord:
    """A queue item about the person (without its details: those are working notes)."""

    kind: str
    state: str
    period: str | None
    reference: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class AuditRecord:
    """An audit entry by or about the person, with the actor's name and role."""

    at: str
    action: str
    actor_id: int | None
    actor_name: str | None
    actor_role: str | None
    subject_id: int | None
    details: Any


@dataclass(frozen=True)
class ConversationRecord:
    """Where the person is in a conversation."""

    flow: str
    step: str
    data: Any
    updated_at: str


@dataclass(frozen=True)
class SentRecord:
    """A push to the person (what, not the text)."""

    message_key: str
    created_at: str
    sent_at: str | None


async def person(tx: Tx, person_id: int) -> PersonRecord | None:
    """The person row."""
    row = await tx.one(
        "SELECT name, role, locale, created_at, email FROM people WHERE id = ?", (person_id,)
    )
    return None if row is None else PersonRecord(*row)


async def chats(tx: Tx, person_id: int) -> list[ChatRecord]:
    """The person's chats, oldest first."""
    rows = await tx.all(
        "SELECT channel, address, created_at FROM channel_identities WHERE person_id = ? "
        "ORDER BY id",
        (person_id,),
    )
    return [ChatRecord(*r) for r in rows]


async def participant(tx: Tx, person_id: int) -> ParticipantRecord | None:
    """The participant row, or None for another role."""
    row = await tx.one(
        "SELECT p.start_date, p.household, p.status, km.name, co.name FROM participants p "
        "LEFT JOIN people km ON km.id = p.klantmanager_id "
        "LEFT JOIN people co ON co.id = p.coach_id WHERE p.person_id = ?",
        (person_id,),
    )
    return None if row is None else ParticipantRecord(*row)


async def declarations(tx: Tx, person_id: int) -> list[DeclarationRecord]:
    """Every declaration version, by month and version."""
    rows = await tx.all(
        "SELECT period, version, reference, worked, revenue_cents, costs_cents, hours, data, "
        "flags, reason, submitted_at FROM declarations WHERE participant_id = ? "
        "ORDER BY period, version",
        (person_id,),
    )
    return [
        DeclarationRecord(
            period=r["period"],
            version=r["version"],
            reference=r["reference"],
            worked=bool(r["worked"]),
            revenue_cents=r["revenue_cents"],
            costs_cents=r["costs_cents"],
            hours=r["hours"],
            data=_decoded(r["data"]),
            flags=_decoded(r["flags"]),
            reason=r["reason"],
            submitted_at=r["submitted_at"],
        )
        for r in rows
    ]


async def proofs(tx: Tx, person_id: int) -> list[ProofRecord]:
    """Every proof row, in the order received."""
    rows = await tx.all(
        "SELECT p.period, d.reference, p.path, p.original_name, p.mime, p.size, p.sha256, "
        "p.created_at FROM proofs p LEFT JOIN declarations d ON d.id = p.declaration_id "
        "WHERE p.participant_id = ? ORDER BY p.id",
        (person_id,),
    )
    return [ProofRecord(*r) for r in rows]


async def weekly_hours(tx: Tx, person_id: int) -> list[HoursRecord]:
    """Hours per week, by week."""
    rows = await tx.all(
        "SELECT week, hours, source FROM weekly_hours WHERE participant_id = ? ORDER BY week",
        (person_id,),
    )
    return [HoursRecord(*r) for r in rows]


async def queue_items(tx: Tx, person_id: int) -> list[QueueItemRecord]:
    """Queue items about the person, oldest first."""
    rows = await tx.all(
        "SELECT q.kind, q.state, q.period, d.reference, q.created_at, q.updated_at "
        "FROM queue_items q LEFT JOIN declarations d ON d.id = q.declaration_id "
        "WHERE q.participant_id = ? ORDER BY q.id",
        (person_id,),
    )
    return [QueueItemRecord(*r) for r in rows]


async def audit_entries(tx: Tx, person_id: int) -> list[AuditRecord]:
    """Audit entries by or about the person, oldest first."""
    rows = await tx.all(
        "SELECT a.at, a.action, a.actor_id, p.name AS actor_name, p.role AS actor_role, "
        "a.subject_id, a.details "
        "FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id "
        "WHERE a.subject_id = ? OR a.actor_id = ? ORDER BY a.id",
        (person_id, person_id),
    )
    return [
        AuditRecord(
            at=r["at"],
            action=r["action"],
            actor_id=r["actor_id"],
            actor_name=r["actor_name"],
            actor_role=r["actor_role"],
            subject_id=r["subject_id"],
            details=_decoded(r["details"]),
        )
        for r in rows
    ]


async def conversation(tx: Tx, person_id: int) -> ConversationRecord | None:
    """The person's conversation state."""
    row = await tx.one(
        "SELECT flow, step, data, updated_at FROM conversation_state WHERE person_id = ?",
        (person_id,),
    )
    if row is None:
        return None
    return ConversationRecord(row["flow"], row["step"], _decoded(row["data"]), row["updated_at"])


async def messages_sent(tx: Tx, person_id: int) -> list[SentRecord]:
    """Pushes to the person, in the order queued."""
    rows = await tx.all(
        "SELECT message_key, created_at, sent_at FROM outbox WHERE person_id = ? ORDER BY id",
        (person_id,),
    )
    return [SentRecord(*r) for r in rows]


async def rows_of(tx: Tx, table: PersonTable, person_id: int) -> list[dict[str, Any]]:
    """The rows of `table` that are the person's, column by column (JSON text decoded)."""
    rows = await tx.all(
        f'SELECT * FROM "{table.name}" WHERE "{table.key}" = ?',  # noqa: S608 - schema names
        (person_id,),
    )
    return [
        {c: _decoded(r[c]) if isinstance(r[c], str) else r[c] for c in table.columns} for r in rows
    ]
