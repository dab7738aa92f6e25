"""A participant's own data (/mijngegevens): everything stored about them, never anyone else's."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.clock import utc_iso
from bot.services.privacy import (
    EXPORT_STAMP,
    EXPORTS,
    old_exports,
    resolve_proof_path,
    unlink_all,
)
from bot.storage import audit_log, circumstances, personal_data, schema
from bot.storage.personal_data import AuditRecord, ProofRecord
from bot.storage.unit import Tx

# Tables /mijngegevens covers explicitly; other tables with a participant_id or person_id column
# (added by later features) are exported as they are, minus the ones below.
_EXPLICIT = {
    "people",
    "participants",
    "channel_identities",
    "conversation_state",
    "declarations",
    "proofs",
    "queue_items",
    "audit_log",
    "weekly_hours",
    "circumstance_changes",
}
# Code and login-link hashes; the outbox is listed without contents.
_NEVER_EXPORTED = {"invites", "outbox", "web_login_links"}


@dataclass(frozen=True)
class ProofFile:
    """A stored proof file this person may receive."""

    path: Path
    name: str
    period: str


@dataclass(frozen=True)
class Export:
    """The written /mijngegevens file and the proof files to send with it."""

    path: Path
    proofs: list[ProofFile] = field(default_factory=list)
    missing: int = 0


def _without_notes(value: Any) -> Any:
    """Drop keys that hold a klantmanager's or coach's notes."""
    if isinstance(value, dict):
        return {k: _without_notes(v) for k, v in value.items() if "note" not in k.lower()}
    if isinstance(value, list):
        return [_without_notes(v) for v in value]
    return value


async def export_own_data(tx: Tx, person_id: int) -> dict[str, Any]:
    """Everything stored about this person, as a JSON-able dict (never someone else's data)."""
    data, _ = await _own_data(tx, person_id)
    return data


async def _own_data(tx: Tx, person_id: int) -> tuple[dict[str, Any], list[ProofRecord]]:
    """The export as a dict, and the proof rows it lists."""
    person = await personal_data.person(tx, person_id)
    if person is None:
        raise LookupError(person_id)
    participant = await personal_data.participant(tx, person_id)
    conversation = await personal_data.conversation(tx, person_id)
    proofs = await personal_data.proofs(tx, person_id)
    data: dict[str, Any] = {
        "person": {
            "name": person.name,
            "role": person.role,
            "language": person.locale,
            "created_at": person.created_at,
            "email": person.email,
        },
        "chats": [
            {"channel": c.channel, "address": c.address, "linked_at": c.created_at}
            for c in await personal_data.chats(tx, person_id)
        ],
        "participant": None
        if participant is None
        else {
            "start_date": participant.start_date,
            "household": participant.household,
            "status": participant.status,
            "klantmanager": participant.klantmanager,
            "coach": participant.coach,
        },
        "declarations": [
            {
                "period": d.period,
                "version": d.version,
                "reference": d.reference,
                "worked": d.worked,
                "revenue_cents": d.revenue_cents,
                "costs_cents": d.costs_cents,
                "hours": d.hours,
                "data": d.data,
                "flags": d.flags,
                "reason": d.reason,
                "submitted_at": d.submitted_at,
            }
            for d in await personal_data.declarations(tx, person_id)
        ],
        "proofs": [
            {
                "period": p.period,
                "declaration": p.reference,
                "file": Path(p.path).name,
                "original_name": p.original_name,
                "mime": p.mime,
                "size": p.size,
                "sha256": p.sha256,
                "received_at": p.created_at,
            }
            for p in proofs
        ],
        "weekly_hours": [
            {"week": h.week, "hours": h.hours, "source": h.source}
            for h in await personal_data.weekly_hours(tx, person_id)
        ],
        # The details are the klantmanager's working notes: only what the item is and where.
        "queue_items": [
            {
                "kind": q.kind,
                "state": q.state,
                "period": q.period,
                "declaration": q.reference,
                "created_at": q.created_at,
                "updated_at": q.updated_at,
            }
            for q in await personal_data.queue_items(tx, person_id)
        ],
        "audit_log": [
            _audit_entry(a, person_id) for a in await personal_data.audit_entries(tx, person_id)
        ],
        "conversation": None
        if conversation is None
        else {
            "flow": conversation.flow,
            "step": conversation.step,
            "data": conversation.data,
            "updated_at": conversation.updated_at,
        },
        "messages_sent": [
            {"message": m.message_key, "queued_at": m.created_at, "sent_at": m.sent_at}
            for m in await personal_data.messages_sent(tx, person_id)
        ],
    }
    data["changes"], documents = await _changes(tx, person_id)
    other = await _other_tables(tx, person_id)
    if other:
        data["other"] = other
    return data, [*proofs, *documents]


async def _changes(tx: Tx, person_id: int) -> tuple[list[dict[str, Any]], list[ProofRecord]]:
    """The changes reported with /wijziging (and an unsent one), and their documents as files."""
    found = await circumstances.of_participant(tx, person_id)
    listed = []
    documents = []
    for c in found:
        document = c.document
        listed.append(
            {
                "kind": c.kind,
                "happens_on": c.happens_on.isoformat() if c.happens_on else None,
                "explanation": c.explanation,
                "reference": c.reference,
                "sent_at": utc_iso(c.sent_at) if c.sent_at else None,
                "document": None
                if document is None
                else {
                    "file": Path(document.path).name,
                    "original_name": document.name,
                    "mime": document.mime,
                    "size": document.size,
                    "sha256": document.sha256,
                },
                "created_at": utc_iso(c.created_at),
            }
        )
        if document is not None:
            month = (c.happens_on or c.created_at.date()).isoformat()[:7]
            documents.append(
                ProofRecord(
                    month,
                    c.reference,
                    document.path,
                    document.name,
                    document.mime,
                    document.size,
                    document.sha256,
                    utc_iso(c.updated_at),
                )
            )
    return listed, documents


def _audit_entry(entry: AuditRecord, person_id: int) -> dict[str, Any]:
    if entry.actor_id is None:
        by = None
    elif entry.actor_id == person_id:
        by = "you"
    else:
        by = f"{entry.actor_name} ({entry.actor_role})"
    return {
        "at": entry.at,
        "action": entry.action,
        "by": by,
        "about_you": entry.subject_id == person_id,
        "details": _without_notes(entry.details),
    }


async def _other_tables(tx: Tx, person_id: int) -> dict[str, list[dict[str, Any]]]:
    """Rows about this person in tables later features added (notes excluded)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for table in await schema.tables_with_person_columns(tx):
        name = table.name
        if name in _EXPLICIT or name in _NEVER_EXPORTED or "note" in name.lower():
            continue
        rows = await personal_data.rows_of(tx, table, person_id)
        if rows:
            found[name] = [
                {c: _without_notes(v) for c, v in row.items() if "note" not in c.lower()}
                for row in rows
            ]
    return found


async def export_for_chat(tx: Tx, now: datetime, proof_dir: Path, person_id: int) -> Export:
    """Write this person's data to a JSON file, list their proof files, record it in the audit."""
    own, proof_rows = await _own_data(tx, person_id)
    data = {"exported_at": utc_iso(now), **own}
    proofs, missing = await asyncio.to_thread(_existing_proofs, proof_rows, proof_dir)
    stamp = now.astimezone(UTC).strftime(EXPORT_STAMP)
    name = f"mijngegevens-{stamp}-{secrets.token_hex(4)}.json"
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    path = await asyncio.to_thread(_write_private, proof_dir / EXPORTS, name, text)
    await asyncio.to_thread(lambda: unlink_all(old_exports(proof_dir, now)))
    await audit_log.record(tx, now, person_id, "data.exported", person_id, proofs=len(proofs))
    return Export(path, proofs, missing)


def _existing_proofs(records: list[ProofRecord], proof_dir: Path) -> tuple[list[ProofFile], int]:
    root = proof_dir.resolve()
    found: list[ProofFile] = []
    missing = 0
    for r in records:
        path = resolve_proof_path(r.path, proof_dir).resolve()
        # Only files inside the proof folder, whatever a row says.
        if path.is_relative_to(root) and path.is_file():
            found.append(ProofFile(path, r.original_name or path.name, r.period))
        else:
            missing += 1
    return found, missing


def _write_private(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path
