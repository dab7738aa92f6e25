"""Proof files of a draft: typed by their first bytes (bot.domain.proof), kept once by SHA-256."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from bot.domain.answers import Draft
from bot.domain.errors import DomainError
from bot.domain.proof import extension, sniff
from bot.storage import proofs
from bot.storage.unit import Tx

MAX_PROOFS_PER_DRAFT = 20


async def proof_count(tx: Tx, participant_id: int, period: str) -> int:
    """Proof files sent for the draft of `period` so far."""
    return await proofs.count_loose(tx, participant_id, period)


async def add_proof(
    tx: Tx,
    now: datetime,
    proof_dir: Path,
    max_bytes: int,
    draft: Draft,
    data: bytes | None,
    size: int,
    name: str | None,
) -> tuple[int, bool]:
    """Store a proof file with its SHA-256; returns (files so far, was it new)."""
    content, mime = check_file(data, size, max_bytes)
    pid, period = draft.participant_id, draft.period
    count = await proofs.count_loose(tx, pid, period)
    digest = hashlib.sha256(content).hexdigest()
    if await proofs.has_loose(tx, pid, period, digest):
        return count, False
    if count >= MAX_PROOFS_PER_DRAFT:
        raise DomainError("declaration/proof_too_many", limit=MAX_PROOFS_PER_DRAFT)
    path = write_file(proof_dir / str(pid) / period, content, mime)
    await proofs.insert(
        tx,
        now,
        pid,
        period,
        sha256=digest,
        path=str(path),
        mime=mime,
        size=len(content),
        original_name=(name or "")[:120] or None,
    )
    return count + 1, True


def check_file(data: bytes | None, size: int, max_bytes: int) -> tuple[bytes, str]:
    """A file a person sent as proof, with its MIME type; DomainError when too big or not
    accepted (bot.domain.proof: by its first bytes, never by its name)."""
    if data is None or size > max_bytes or len(data) > max_bytes:
        raise DomainError("declaration/proof_too_big", max_mb=max(1, max_bytes // 1_048_576))
    mime = sniff(data)
    if mime is None:
        raise DomainError("declaration/proof_wrong_type")
    return data, mime


def write_file(folder: Path, data: bytes, mime: str) -> Path:
    """Keep the file once in `folder`, named by its SHA-256 (a second copy writes nothing)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(data).hexdigest()}{extension(mime)}"
    if not path.exists():
        path.write_bytes(data)
    return path
