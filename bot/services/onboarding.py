"""Invites and binding a chat to a person."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bot.domain.bsn import mask_bsn
from bot.domain.email import normalise_email
from bot.domain.errors import DomainError
from bot.domain.invites import MAX_WRONG_TRIES_PER_HOUR, hash_address, hash_code, new_code
from bot.domain.languages import first_locale
from bot.domain.models import Household, Person, Role
from bot.services import names
from bot.storage import audit_log, invites, participants, people
from bot.storage.unit import Tx


@dataclass(frozen=True)
class Invite:
    """A freshly made invite: the code is shown once and never stored."""

    person_id: int
    name: str
    role: Role
    code: str
    expires_at: datetime
    klantmanager: str | None = None  # the full names the typed ones matched
    coach: str | None = None
    email: str | None = None  # the address as stored, when one was given


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
    email: str | None = None,
) -> Invite:
    """Create the person (or re-invite one not yet linked) and a one-time code.

    A name with a BSN in it is refused before anything is read or written: it would be shown in
    lists, digests and exports. The klantmanager's and coach's names are checked too, so an
    error message never echoes a BSN. Those two match like `/deelnemer` (`bot.services.names`):
    `Kim` is Kim Klantmanager when she is the only klantmanager called that. An `email` is
    checked (`bot.domain.email`) and stored with the person, replacing an earlier address.
    """
    name = " ".join(name.split())
    for given in (name, klantmanager, coach):
        if given and mask_bsn(given)[1]:
            raise DomainError("onboarding/name_has_bsn")
    if not name or len(name) > 80:
        raise DomainError("cli/bad_name")
    address = normalise_email(email) if email is not None else None
    existing = await people.person_by_name(tx, name)
    if existing is not None and existing.role != role:
        raise DomainError("cli/name_taken", name=name, role=existing.role.value)
    km = await _role_person(tx, klantmanager, Role.KLANTMANAGER)
    the_coach = await _role_person(tx, coach, Role.COACH)
    km_id = km.id if km else None
    coach_id = the_coach.id if the_coach else None
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
            await participants.update_participant(tx, person_id, km_id, coach_id, start_date)
    if address is not None:
        await _store_email(tx, now, person_id, address)
    code = new_code()
    expires = now + timedelta(days=ttl_days)
    await invites.insert_invite(tx, hash_code(code), person_id, role, now, expires)
    await audit_log.record(tx, now, None, "invite.created", person_id, role=role.value)
    return Invite(
        person_id,
        name,
        role,
        code,
        expires,
        km.name if km else None,
        the_coach.name if the_coach else None,
        address,
    )


async def set_email(tx: Tx, now: datetime, name: str, email: str | None) -> Person:
    """An administrator sets (or with None removes) the e-mail address of the person `name`
    means (matched like `/deelnemer`); audited. Returns the person as stored now."""
    address = normalise_email(email) if email is not None else None
    person = await names.person_named(tx, name, None)
    if address is None:
        await people.set_email(tx, person.id, None)
        await audit_log.record(tx, now, None, "person.email_removed", person.id)
    else:
        await _store_email(tx, now, person.id, address)
    stored = await people.person_by_id(tx, person.id)
    if stored is None:
        raise DomainError("cli/unknown_person", name=name)
    return stored


async def _store_email(tx: Tx, now: datetime, person_id: int, address: str) -> None:
    """Store a checked address; refused when it belongs to someone else (audited, without it)."""
    holder = await people.person_by_email(tx, address)
    if holder is not None and holder.id != person_id:
        raise DomainError("people/email_taken", address=address)
    await people.set_email(tx, person_id, address)
    await audit_log.record(tx, now, None, "person.email_set", person_id)


async def _role_person(tx: Tx, name: str | None, role: Role) -> Person | None:
    """The klantmanager or coach a typed name means (`bot.services.names`), None when not given."""
    return await names.person_named(tx, name, role) if name else None


async def redeem(
    tx: Tx,
    now: datetime,
    channel: str,
    address: str,
    code: str,
    *,
    client_language: str | None = None,
) -> Person:
    """Bind this chat to the invite's person; DomainError for a wrong, used or expired code.

    On a person's first contact (no invite of theirs redeemed before) their language becomes
    their chat app's `client_language` ("tr", "en-GB") when it fits them
    (`bot.domain.languages.first_locale`); a person who was here before keeps the language they
    chose with /taal.
    """
    chat = hash_address(channel, address)
    tries = await invites.wrong_tries_since(tx, channel, chat, now - timedelta(hours=1))
    if tries >= MAX_WRONG_TRIES_PER_HOUR:
        raise DomainError("onboarding/too_many_tries")
    invite = await invites.invite_by_hash(tx, hash_code(code))
    problem = None
    if invite is None:
        problem = "onboarding/code_unknown"
    elif invite.used:
        problem = "onboarding/code_used"
    elif invite.expires_at <= now:
        problem = "onboarding/code_expired"
    if problem is not None or invite is None:
        await invites.record_wrong_try(tx, channel, chat, now)
        raise DomainError(problem or "onboarding/code_unknown")
    if not await invites.mark_used(tx, invite.id, now):
        raise DomainError("onboarding/code_used")
    await people.bind_identity(tx, channel, address, invite.person_id, now)
    await audit_log.record(
        tx, now, invite.person_id, "chat.bound", invite.person_id, channel=channel
    )
    person = await people.person_by_id(tx, invite.person_id)
    if person is None:
        raise DomainError("onboarding/code_unknown")
    locale = first_locale(person.role, client_language)
    if (
        locale is not None
        and locale != person.locale
        and not await invites.redeemed_before(tx, person.id, invite.id)
    ):
        await people.set_locale(tx, person.id, locale)
        person = replace(person, locale=locale)
    return person
