"""Proof files (receipts, invoices): loose while their draft is open, then linked to it."""

from __future__ import annotations

from datetime import datetime

from bot.clock import utc_iso
from bot.storage.unit import Tx


async def count_loose(tx: Tx, participant_id: int, period: str) -> int:
    """The files sent for the draft of `period` so far."""
    value = await tx.scalar(
        "SELECT COUNT(*) FROM proofs WHERE participant_id = ? AND period = ? "
        "AND declaration_id IS NULL",
        (participant_id, period),
    )
    return int(value or 0)


async def has_loose(tx: Tx, participant_id: int, period: str, sha256: str) -> bool:
    """True when the draft of `period` already has a file with this SHA-256."""
    value = await tx.scalar(
        "SELECT 1 FROM proofs WHERE participant_id = ? AND period = ? AND sha256 = ? "
        "AND declaration_id IS NULL",
        (participant_id, period, sha256),
    )
    return value is not None


async def insert(
    tx: Tx,
    now: datetime,
    participant_id: int,
    period: str,
    *,
    sha256: str,
    path: str,
    mime: str,
    size: int,
    original_name: str | None,
) -> None:
    """Record a stored file for the draft of `period`."""
    await tx.execute(
        "INSERT INTO proofs (participant_id, period, sha256, path, mime, size, original_name, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (participant_id, period, sha256, path, mime, size, original_name, utc_iso(now)),
    )


async def link(tx: Tx, participant_id: int, period: str, declaration_id: int) -> None:
    """Attach the loose files of `period` to the declaration just stored."""
    await tx.execute(
        "UPDATE proofs SET declaration_id = ? WHERE participant_id = ? AND period = ? "
        "AND declaration_id IS NULL",
        (declaration_id, participant_id, period),
    )


async def count_stored(tx: Tx, declaration_id: int) -> int:
    """How many proof files are stored with a declaration version."""
    found = await tx.scalar(
        "SELECT COUNT(*) FROM proofs WHERE declaration_id = ?", (declaration_id,)
    )
    return int(found or 0)


async def carry_over(tx: Tx, from_declaration_id: int, to_declaration_id: int) -> int:
    """Keep the files of an earlier version with its correction (shared files, new rows)."""
    return await tx.execute(
        "INSERT INTO proofs (participant_id, period, declaration_id, sha256, path, mime, size, "
        "original_name, created_at) SELECT participant_id, period, ?, sha256, path, mime, size, "
        "original_name, created_at FROM proofs WHERE declaration_id = ? ORDER BY id",
        (to_declaration_id, from_declaration_id),
    )


async def delete_loose(tx: Tx, participant_id: int) -> None:
    """Forget the files of a draft that is thrown away."""
    await tx.execute(
        "DELETE FROM proofs WHERE participant_id = ? AND declaration_id IS NULL", (participant_id,)
    )
