"""One-time login links of the web inbox (only a hash of the token is stored)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import parse_utc, utc_iso
from bot.storage.unit import Tx


@dataclass(frozen=True)
class StoredLink:
    """A login link as stored: whose it is, until when, and whether it was used."""

    id: int
    person_id: int
    expires_at: datetime
    used: bool


async def insert(
    tx: Tx, token_hash: str, person_id: int, now: datetime, expires_at: datetime
) -> None:
    """Store a new link by the hash of its token."""
    await tx.execute(
        "INSERT INTO web_login_links (token_hash, person_id, created_at, expires_at) "
        "VALUES (?, ?, ?, ?)",
        (token_hash, person_id, utc_iso(now), utc_iso(expires_at)),
    )


async def by_hash(tx: Tx, token_hash: str) -> StoredLink | None:
    """The link whose token has this hash."""
    row = await tx.one(
        "SELECT id, person_id, expires_at, used_at FROM web_login_links WHERE token_hash = ?",
        (token_hash,),
    )
    if row is None:
        return None
    return StoredLink(
        int(row["id"]),
        int(row["person_id"]),
        parse_utc(row["expires_at"]),
        row["used_at"] is not None,
    )


async def mark_used(tx: Tx, link_id: int, now: datetime) -> bool:
    """Use a link; False when it was used already (exactly once)."""
    used = await tx.execute(
        "UPDATE web_login_links SET used_at = ? WHERE id = ? AND used_at IS NULL",
        (utc_iso(now), link_id),
    )
    return used > 0


async def delete_expired(tx: Tx, before: datetime) -> int:
    """Forget the links that expired before `before`."""
    return await tx.execute("DELETE FROM web_login_links WHERE expires_at < ?", (utc_iso(before),))
