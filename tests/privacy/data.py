"""Stored history for the privacy tests: declarations, proofs, queue items, hours (invented)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from bot.clock import utc_iso
from bot.storage import audit_log, schema
from bot.storage.unit import Tx


async def declaration(
    tx: Tx,
    participant_id: int,
    period: str,
    reference: str,
    revenue_cents: int,
    at: datetime,
    version: int = 1,
) -> int:
    """A submitted declaration."""
    new_id = await tx.insert(
        "INSERT INTO declarations (participant_id, period, version, reference, worked, "
        "revenue_cents, costs_cents, hours, data, flags, submitted_at) "
        "VALUES (?, ?, ?, ?, 1, ?, 1250, 42.5, ?, ?, ?)",
        (
            participant_id,
            period,
            version,
            reference,
            revenue_cents,
            json.dumps({"costs": [], "weeks": [], "note": None, "proof_count": 1}),
            json.dumps([{"code": "no_proof"}]),
            utc_iso(at),
        ),
    )
    assert new_id is not None
    return new_id


async def proof(
    tx: Tx,
    proof_dir: Path,
    participant_id: int,
    period: str,
    name: str,
    at: datetime,
    declaration_id: int | None = None,
    *,
    relative: bool = False,
) -> Path:
    """A proof file on disk and its row."""
    folder = proof_dir / str(participant_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{period}-{name}"
    path.write_bytes(b"%PDF-1.4 " + name.encode())
    stored = str(path.relative_to(proof_dir)) if relative else str(path)
    await tx.execute(
        "INSERT INTO proofs (participant_id, period, declaration_id, sha256, path, mime, size, "
        "original_name, created_at) VALUES (?, ?, ?, 'abc', ?, 'application/pdf', 9, ?, ?)",
        (participant_id, period, declaration_id, stored, name, utc_iso(at)),
    )
    return path


async def queue_item(
    tx: Tx, km_id: int, participant_id: int, declaration_id: int | None, at: datetime, note: str
) -> int:
    """A queue item with the klantmanager's working note in its details and history."""
    item = await tx.insert(
        "INSERT INTO queue_items (klantmanager_id, participant_id, kind, state, declaration_id, "
        "period, details, created_at, updated_at) "
        "VALUES (?, ?, 'declaration_submitted', 'afgehandeld', ?, '2026-11', ?, ?, ?)",
        (
            km_id,
            participant_id,
            declaration_id,
            json.dumps({"note": note}),
            utc_iso(at),
            utc_iso(at),
        ),
    )
    assert item is not None
    if await schema.has_table(tx, "queue_history"):
        await tx.execute(
            "INSERT INTO queue_history (item_id, at, actor_id, from_state, to_state, note) "
            "VALUES (?, ?, ?, 'nieuw', 'afgehandeld', ?)",
            (item, utc_iso(at), km_id, note),
        )
    await audit_log.record(tx, at, km_id, "queue.done", participant_id, item=item, note=note)
    return item


async def hours(tx: Tx, participant_id: int, week: str, value: float, at: datetime) -> None:
    """Hours of one week."""
    await tx.execute(
        "INSERT INTO weekly_hours (participant_id, week, hours, source, updated_at) "
        "VALUES (?, ?, ?, 'checkin', ?)",
        (participant_id, week, value, utc_iso(at)),
    )
