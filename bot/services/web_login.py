"""One-time login links for the web inbox: made for a klantmanager, coach or administrator,
redeemed once within 15 minutes (bot/domain/web_links.py). Only the hash of a token is stored;
a forged, expired or used token is refused the same way."""

from __future__ import annotations

from datetime import datetime

from bot.domain.bsn import mask_bsn
from bot.domain.errors import AccessDenied, DomainError
from bot.domain.invites import hash_code, new_code
from bot.domain.models import Person
from bot.domain.web_links import KEEP_EXPIRED, LINK_TTL, WEB_ROLES, login_url
from bot.services import mail, names
from bot.storage import audit_log, people, web_links
from bot.storage.unit import Tx


async def create_link(tx: Tx, now: datetime, person: Person, via: str) -> str:
    """A fresh login token for `person` (`via`: chat, cli, mail); AccessDenied for other roles."""
    if person.role not in WEB_ROLES:
        raise AccessDenied()
    await web_links.delete_expired(tx, now - KEEP_EXPIRED)
    token = new_code()
    await web_links.insert(tx, hash_code(token), person.id, now, now + LINK_TTL)
    await audit_log.record(tx, now, person.id, "web.link_made", None, via=via)
    return token


async def check(tx: Tx, now: datetime, token: str) -> bool:
    """Whether `token` would log someone in now (nothing is used)."""
    found = await web_links.by_hash(tx, hash_code(token))
    return found is not None and not found.used and found.expires_at > now


async def redeem(tx: Tx, now: datetime, token: str) -> Person | None:
    """Use `token` once: the person it logs in, or None (forged, expired or used)."""
    found = await web_links.by_hash(tx, hash_code(token))
    if found is None or found.used or found.expires_at <= now:
        return None
    if not await web_links.mark_used(tx, found.id, now):
        return None
    person = await people.person_by_id(tx, found.person_id)
    if person is None or person.role not in WEB_ROLES:
        return None
    await audit_log.record(tx, now, person.id, "web.login", None)
    return person


def mail_on() -> bool:
    """Whether the login page can mail a link (`SMTP_HOST` is set)."""
    return mail.configured()


async def mail_link(tx: Tx, now: datetime, address: str, base_url: str) -> None:
    """Mail a login link to the klantmanager, coach or administrator with this address.

    Nothing is said about whether the address is known: an unknown one, another role or no
    mail set up quietly sends nothing, and the page answers the same.
    """
    if not mail.configured():
        return
    person = await people.person_by_email(tx, address)
    if person is None or person.role not in WEB_ROLES:
        return
    token = await create_link(tx, now, person, via="mail")
    await mail.queue_login_link(tx, person_id=person.id, url=login_url(base_url, token), now=now)


async def web_person_named(tx: Tx, query: str) -> Person:
    """The one klantmanager, coach or administrator whose name fits `query` (command line)."""
    everyone = [
        Person(entry.id, entry.name, entry.role, entry.locale)
        for entry in await people.directory(tx)
        if entry.role in WEB_ROLES
    ]
    found = names.matches(everyone, query, lambda person: person.name)
    if len(found) == 1:
        return found[0]
    shown = mask_bsn(" ".join(query.split()))[0][:80]  # never echo a BSN
    if found:
        raise DomainError(
            "queue/cli_ambiguous",
            name=shown,
            role="klantmanager/coach/admin",
            names=[p.name for p in found[:10]],
        )
    raise DomainError("cli/unknown_person", name=shown, role="klantmanager/coach/admin")
