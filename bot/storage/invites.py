"""Invites (only a hash of the code is stored) and the wrong tries per chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import parse_utc, utc_iso
from bot.domain.models import Role
from bot.storage.unit import Tx


@dataclass(frozen=True)
class StoredInvite:
    """An invite as stored: whom it is for, until when, and whether it was used."""

    id: int
    person_id: int
    expires_at: datetime
    used: bool


async def insert_invite(
    tx: Tx, code_hash: str, person_id: int, role: Role, now: datetime, expires_at: datetime
) -> None:
    """Store a new invite by the hash of its code."""
    await tx.execute(
        "INSERT INTO invites (code_hash, person_id, role, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (code_hash, person_id, role.value, utc_iso(now), utc_iso(expires_at)),
    )


async def invite_by_hash(tx: Tx, code_hash: str) -> StoredInvite | None:
    """The invite whose code has this hash."""
    row = await tx.one(
        "SELECT id, person_id, expires_at, used_at FROM invites WHERE code_hash = ?",
        (code_hash,),
    )
    if row is None:
        return None
    return StoredInvite(
        int(row["id"]),
        int(row["person_id"]),
        parse_utc(row["expires_at"]),
        row["used_at"] is not None,
    )


async def mark_used(tx: Tx, invite_id: int, now: datetime) -> bool:
    """Use an invite; False when it was used already (exactly once)."""
    used = await tx.execute(
        "UPDATE invites SET used_at = ? WHERE id = ? AND used_at IS NULL",
        (utc_iso(now), invite_id),
    )
    return used > 0


async def redeemed_before(tx: Tx, person_id: int, invite_id: int) -> bool:
    """Whether the person redeemed an invite other than `invite_id` (they were here before)."""
    row = await tx.one(
        "SELECT 1 AS found FROM invites WHERE person_id = ? AND id <> ? AND used_at IS NOT NULL "
        "LIMIT 1",
        (person_id, invite_id),
    )
    return row is not None


async def wrong_tries_since(tx: Tx, channel: str, chat_hash: str, since: datetime) -> int:
    """How many wrong codes this chat (by the hash of its address) sent after `since`."""
    tries = await tx.scalar(
        "SELECT COUNT(*) FROM invite_attempts WHERE channel = ? AND address = ? AND at > ?",
        (channel, chat_hash, utc_iso(since)),
    )
    return int(tries or 0)


async def record_wrong_try(tx: Tx, channel: str, chat_hash: str, now: datetime) -> None:
    """Count a wrong, used or expired code against this chat."""
    await tx.execute(
        "INSERT INTO invite_attempts (channel, address, at) VALUES (?, ?, ?)",
        (channel, chat_hash, utc_iso(now)),
    )
