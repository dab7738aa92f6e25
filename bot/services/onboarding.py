"""Invites and binding a chat to a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.clock import parse_utc, utc_iso
from bot.domain.errors import DomainError
from bot.domain.invites import MAX_WRONG_TRIES_PER_HOUR, hash_address, hash_code, new_code
from bot.domain.models import Household, Person, Role
from bot.storage import audit_log, participants, people
from bot.storage.unit import Tx


@dataclass(frozen=True)
class Invite:
    """A freshly made invite: the code is shown once and never stored."""

    person_id: int
    name: str
    role: Role
    code: str
    expires_at: datetime


async def create_invite(
    tx: Tx,
    now: datetime,
    *,
    role: Role,
    name: str,
    ttl_days: int,
    klantmanager: str | None = None,
    coach: str | None = None,
    start_date: date | None = None,
    household: Household = Household.ALLEENSTAANDE,
) -> Invite:
    """Create the person (or re-invite one not yet linked) and a one-time code."""
    name = " ".join(name.split())
    if not name or len(name) > 80:
        raise DomainError("cli/bad_name")
    existing = await people.person_by_name(tx, name)
    if existing is not None and existing.role != role:
        raise DomainError("cli/name_taken", name=name, role=existing.role.value)
    km_id = await _role_id(tx, klantmanager, Role.KLANTMANAGER) if klantmanager else None
    coach_id = await _role_id(tx, coach, Role.COACH) if coach else None
    if role != Role.PARTICIPANT and (km_id or coach_id or start_date):
        raise DomainError("cli/participant_only_options")
    if existing is None:
        person_id = await people.insert_person(tx, name, role, now)
        if role == Role.PARTICIPANT:
            await participants.insert_participant(
                tx, person_id, km_id, coach_id, start_date or now.date(), household
            )
    else:
        person_id = existing.id
        if role == Role.PARTICIPANT and (km_id or coach_id or start_date):
            await tx.execute(
                "UPDATE participants SET klantmanager_id = COALESCE(?, klantmanager_id), "
                "coach_id = COALESCE(?, coach_id), start_date = COALESCE(?, start_date) "
                "WHERE person_id = ?",
                (km_id, coach_id, start_date.isoformat() if start_date else None, person_id),
            )
    code = new_code()
    expires = now + timedelta(days=ttl_days)
    await tx.execute(
        "INSERT INTO invites (code_hash, person_id, role, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (hash_code(code), person_id, role.value, utc_iso(now), utc_iso(expires)),
    )
    await audit_log.record(tx, now, None, "invite.created", person_id, role=role.value)
    return Invite(person_id, name, role, code, expires)


async def _role_id(tx: Tx, name: str, role: Role) -> int:
    person = await people.person_by_name(tx, name)
    if person is None or person.role != role:
        raise DomainError("cli/unknown_person", name=name, role=role.value)
    return person.id


async def redeem(tx: Tx, now: datetime, channel: str, address: str, code: str) -> Person:
    """Bind this chat to the invite's person; DomainError for a wrong, used or expired code."""
    chat = hash_address(channel, address)
    hour_ago = utc_iso(now - timedelta(hours=1))
    tries = await tx.scalar(
        "SELECT COUNT(*) FROM invite_attempts WHERE channel = ? AND address = ? AND at > ?",
        (channel, chat, hour_ago),
    )
    if int(tries or 0) >= MAX_WRONG_TRIES_PER_HOUR:
        raise DomainError("onboarding/too_many_tries")
    row = await tx.one("SELECT * FROM invites WHERE code_hash = ?", (hash_code(code),))
    problem = None
    if row is None:
        problem = "onboarding/code_unknown"
    elif row["used_at"] is not None:
        problem = "onboarding/code_used"
    elif parse_utc(row["expires_at"]) <= now:
        problem = "onboarding/code_expired"
    if problem is not None or row is None:
        await tx.execute(
            "INSERT INTO invite_attempts (channel, address, at) VALUES (?, ?, ?)",
            (channel, chat, utc_iso(now)),
        )
        raise DomainError(problem or "onboarding/code_unknown")
    used = await tx.execute(
        "UPDATE invites SET used_at = ? WHERE id = ? AND used_at IS NULL",
        (utc_iso(now), row["id"]),
    )
    if not used:
        raise DomainError("onboarding/code_used")
    await people.bind_identity(tx, channel, address, row["person_id"], now)
    await audit_log.record(
        tx, now, row["person_id"], "chat.bound", row["person_id"], channel=channel
    )
    person = await people.person_by_id(tx, row["person_id"])
    if person is None:
        raise DomainError("onboarding/code_unknown")
    return person
