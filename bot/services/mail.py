"""E-mail through the outbox: which mails are queued, to whom, exactly once.

A mail is an outbox row with channel `email` (`bot.storage.outbox.EMAIL`), written in the same
unit of work as its cause like every push; the mail sender (`bot/mail.py`) delivers it to the
person's address as it is when it goes out, with the outbox's retries, parking and audit.
Without `SMTP_HOST` nothing is queued at all: the composition root (`bot.app.open_app`) tells
this module once per process whether mail is configured and the public address of the web
inbox, which the links in a mail point at (`/item/{id}`, `/weekoverzicht`; a login link comes
whole).

Mails queued here (message keys under `messages/templates/mail/`):
- `mail/login_link`: a login link someone asked for on the login page (`queue_login_link`);
- `mail/urgent`: a participant unreachable or a message that could not be delivered, at once,
  to whoever gets the queue card (`queue_urgent`); only the participant's name, what happened
  and a link to the item, never figures;
- `mail/digest`: the weekly digest, HTML and text (`bot.services.digest`, key `digest_key`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.queue import DELIVERY_FAILED, UNREACHABLE
from bot.services import access
from bot.storage import audit_log, outbox, people
from bot.storage.outbox import EMAIL
from bot.storage.unit import Tx

LOGIN_LINK = "mail/login_link"
URGENT = "mail/urgent"
DIGEST = "mail/digest"
URGENT_KINDS = frozenset({UNREACHABLE, DELIVERY_FAILED})  # queue items mailed at once


@dataclass(frozen=True)
class Setup:
    """Whether this process mails, and the web inbox's public address for links."""

    enabled: bool = False
    base_url: str = "http://127.0.0.1:8080"


_setup = Setup()


def configure(enabled: bool, base_url: str) -> None:
    """Set once per process by the composition root (`SMTP_HOST`, `PTO_WEB_BASE_URL`)."""
    global _setup
    _setup = Setup(enabled, base_url.rstrip("/"))


def configured() -> bool:
    """True when mail is configured in this process (`SMTP_HOST`)."""
    return _setup.enabled


def link(path: str) -> str:
    """An absolute link into the web inbox, e.g. `link("/item/7")`."""
    return f"{_setup.base_url}{path}"


def digest_key(klantmanager_id: int, week: str) -> str:
    """The exactly-once key of a klantmanager's weekly digest mail."""
    return f"digest-mail:{klantmanager_id}:{week}"


async def queue_login_link(tx: Tx, *, person_id: int, url: str, now: datetime) -> bool:
    """Queue a mail with a login link; False when the person has no address or mail is not
    configured (the login page answers the same either way)."""
    if not _setup.enabled:
        return False
    person = await people.person_by_id(tx, person_id)
    if person is None or person.email is None:
        return False
    await outbox.enqueue(tx, person_id, LOGIN_LINK, now, context={"url": url}, channel=EMAIL)
    await audit_log.record(tx, now, None, "mail.queued", person_id, message=LOGIN_LINK)
    return True


async def queue_urgent(
    tx: Tx, now: datetime, item_id: int, klantmanager_id: int, participant_id: int, kind: str
) -> int:
    """Mail a new urgent queue item to whoever gets its card (the klantmanager, or the
    colleagues standing in) and has an address, exactly once per item and recipient; returns
    how many mails were queued."""
    if not _setup.enabled or kind not in URGENT_KINDS:
        return 0
    participant = await people.person_by_id(tx, participant_id)
    if participant is None:
        return 0
    recipients = await access.active_delegates(tx, klantmanager_id, now) or [klantmanager_id]
    queued = 0
    for recipient_id in recipients:
        recipient = await people.person_by_id(tx, recipient_id)
        if recipient is None or recipient.email is None:
            continue
        row = await outbox.enqueue(
            tx,
            recipient_id,
            URGENT,
            now,
            context={
                "kind": kind,
                "participant": participant.name,
                "url": link(f"/item/{item_id}"),
            },
            dedupe_key=f"mail-item:{item_id}:{recipient_id}",
            channel=EMAIL,
        )
        if row is not None:
            queued += 1
            await audit_log.record(
                tx, now, None, "mail.queued", participant_id, item=item_id, to=recipient_id
            )
    return queued
