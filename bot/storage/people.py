"""People and their chat identities: who someone is and where to reach them."""

from __future__ import annotations

from datetime import datetime

from bot.clock import utc_iso
from bot.domain.models import Identity, Person, Role
from bot.storage.unit import Row, Tx


def person_from_row(row: Row) -> Person:
    """A `people` row as a Person."""
    return Person(id=row["id"], name=row["name"], role=Role(row["role"]), locale=row["locale"])


async def person_by_id(tx: Tx, person_id: int) -> Person | None:
    """One person."""
    row = await tx.one("SELECT * FROM people WHERE id = ?", (person_id,))
    return person_from_row(row) if row else None


async def person_by_name(tx: Tx, name: str) -> Person | None:
    """One person by exact name (case-insensitive)."""
    row = await tx.one("SELECT * FROM people WHERE name = ? COLLATE NOCASE", (name.strip(),))
    return person_from_row(row) if row else None


async def has_people(tx: Tx) -> bool:
    """True when at least one person is stored."""
    return await tx.scalar("SELECT 1 FROM people LIMIT 1") is not None


async def insert_person(tx: Tx, name: str, role: Role, now: datetime, locale: str = "nl") -> int:
    """Create a person; returns the id."""
    new_id = await tx.insert(
        "INSERT INTO people (name, role, locale, created_at) VALUES (?, ?, ?, ?)",
        (name.strip(), role.value, locale, utc_iso(now)),
    )
    if new_id is None:
        raise RuntimeError("insert into people failed")
    return new_id


async def set_locale(tx: Tx, person_id: int, locale: str) -> None:
    """Remember a person's language."""
    await tx.execute("UPDATE people SET locale = ? WHERE id = ?", (locale, person_id))


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
