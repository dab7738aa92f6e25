"""People and their chat identities: who someone is and where to reach them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.clock import utc_iso
from bot.domain.models import Household, Identity, ParticipantStatus, Person, Role
from bot.storage.unit import Row, Tx


def person_from_row(row: Row) -> Person:
    """A `people` row as a Person."""
    return Person(
        id=row["id"],
        name=row["name"],
        role=Role(row["role"]),
        locale=row["locale"],
        email=row["email"],
    )


async def person_by_id(tx: Tx, person_id: int) -> Person | None:
    """One person."""
    row = await tx.one("SELECT * FROM people WHERE id = ?", (person_id,))
    return person_from_row(row) if row else None


async def person_by_name(tx: Tx, name: str) -> Person | None:
    """One person by exact name, ignoring case (of ASCII letters, like the unique index)."""
    row = await tx.one("SELECT * FROM people WHERE lower(name) = lower(?)", (name.strip(),))
    return person_from_row(row) if row else None


async def person_by_email(tx: Tx, address: str) -> Person | None:
    """The person with this e-mail address (as `bot.domain.email.normalise_email` stores it:
    trimmed and lowercased; the address given is trimmed and lowercased the same way)."""
    row = await tx.one("SELECT * FROM people WHERE email = ?", (address.strip().lower(),))
    return person_from_row(row) if row else None


async def set_email(tx: Tx, person_id: int, address: str | None) -> None:
    """Store (or with None remove) a person's e-mail address, already normalised."""
    await tx.execute("UPDATE people SET email = ? WHERE id = ?", (address, person_id))


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


@dataclass(frozen=True)
class ChatPerson:
    """A person with a chat on one channel."""

    id: int
    name: str
    role: Role
    address: str


async def people_on_channel(tx: Tx, channel: str) -> list[ChatPerson]:
    """Everyone with a chat on `channel`, in the order they were created."""
    rows = await tx.all(
        "SELECT p.id, p.name, p.role, ci.address FROM people p JOIN channel_identities ci "
        "ON ci.person_id = p.id AND ci.channel = ? ORDER BY p.id",
        (channel,),
    )
    return [ChatPerson(r["id"], r["name"], Role(r["role"]), r["address"]) for r in rows]


@dataclass(frozen=True)
class DirectoryEntry:
    """One line of the people listing: who, their role, participant details, a linked chat."""

    id: int
    name: str
    role: Role
    locale: str
    klantmanager: str | None
    coach: str | None
    status: ParticipantStatus | None
    start_date: date | None
    household: Household | None
    linked: bool
    email: str | None = None
    whatsapp: str | None = None  # the WhatsApp number (personal data: show it masked)


async def directory(tx: Tx) -> list[DirectoryEntry]:
    """Everyone, by role and name, with their klantmanager, coach and whether a chat is linked."""
    rows = await tx.all(
        "SELECT pe.id, pe.name, pe.role, pe.locale, pe.email, km.name AS klantmanager, "
        "co.name AS coach, pa.status, pa.start_date, pa.household, "
        "EXISTS (SELECT 1 FROM channel_identities ci WHERE ci.person_id = pe.id) AS linked, "
        "(SELECT wa.address FROM channel_identities wa WHERE wa.person_id = pe.id "
        "AND wa.channel = 'whatsapp') AS whatsapp "
        "FROM people pe LEFT JOIN participants pa ON pa.person_id = pe.id "
        "LEFT JOIN people km ON km.id = pa.klantmanager_id "
        "LEFT JOIN people co ON co.id = pa.coach_id ORDER BY pe.role, pe.name"
    )
    return [
        DirectoryEntry(
            id=r["id"],
            name=r["name"],
            role=Role(r["role"]),
            locale=r["locale"],
            klantmanager=r["klantmanager"],
            coach=r["coach"],
            status=ParticipantStatus(r["status"]) if r["status"] else None,
            start_date=date.fromisoformat(r["start_date"]) if r["start_date"] else None,
            household=Household(r["household"]) if r["household"] else None,
            linked=bool(r["linked"]),
            email=r["email"],
            whatsapp=r["whatsapp"],
        )
        for r in rows
    ]
