"""Reporting a change in circumstances (/wijziging): a draft, a review, one send, a queue item.

The participant picks a kind of change (policy data), types the day it happens and a short
explanation, and may send one document as proof (typed and kept like a declaration's receipts,
bot/services/proofs.py). Sending is exactly once: the draft row is marked sent with a
compare-and-set, so a double tap or a re-delivered update finds it sent and gets the same
receipt. The klantmanager gets a `change_reported` queue item (card, web inbox, digest).
Nothing here asks for an address (data minimisation, docs/privacy.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.clock import utc_iso
from bot.domain.circumstances import (
    EXPLANATION_MAX,
    REFERENCE_PREFIX,
    ChangeKind,
    ChangeReport,
    Document,
)
from bot.domain.circumstances import reference as make_reference
from bot.domain.errors import DomainError
from bot.domain.localtime import local_day, parse_local_date
from bot.domain.periods import period_of
from bot.domain.policy import Policy
from bot.services import queue
from bot.services.privacy import resolve_proof_path, unlink_all
from bot.services.proofs import check_file, write_file
from bot.storage import audit_log, references
from bot.storage import circumstances as changes
from bot.storage.unit import Tx

# The folder (under the participant's folder in the proof folder) for change documents.
FOLDER = "wijzigingen"


@dataclass(frozen=True)
class Receipt:
    """What the participant is told after sending."""

    reference: str
    kind: str
    happens_on: date
    sent_at: str
    already: bool = False  # this tap found the change already sent


def kind_of(policy: Policy, key: str) -> ChangeKind:
    """The kind of change with this key; a stale or forged key is refused kindly."""
    found = policy.change_kind(key)
    if found is None:
        raise DomainError("changes/stale_button")
    return found


def kind_name(policy: Policy, key: str, locale: str) -> str:
    """The name of a kind of change in `locale`; its key when the policy no longer has it."""
    found = policy.change_kind(key)
    return found.name(locale) if found is not None else key


async def current(tx: Tx, participant_id: int) -> ChangeReport:
    """The participant's unsent change; DomainError when there is none (any more)."""
    found = await changes.draft(tx, participant_id)
    if found is None:
        raise DomainError("changes/no_draft")
    return found


async def discard(tx: Tx, participant_id: int, proof_dir: Path) -> None:
    """Throw the participant's unsent change away, with its document when nothing else uses it."""
    path = await changes.delete_draft(tx, participant_id)
    if path is not None and not await changes.path_in_use(tx, path):
        unlink_all([resolve_proof_path(path, proof_dir)])


async def begin(
    tx: Tx, now: datetime, policy: Policy, participant_id: int, key: str, proof_dir: Path
) -> ChangeReport:
    """Start a new change of kind `key`, replacing an unsent one."""
    kind_of(policy, key)
    await discard(tx, participant_id, proof_dir)
    new_id = await changes.start(tx, now, participant_id, key)
    return await _by_id(tx, new_id)


async def set_date(tx: Tx, now: datetime, participant_id: int, text: str) -> date:
    """The day the change happens, as typed; DomainError with a re-ask when it is not a day."""
    found = await current(tx, participant_id)
    on = parse_local_date(text, local_day(now))
    if on is None:
        raise DomainError("changes/bad_date")
    await changes.set_date(tx, now, found.id, on)
    return on


async def set_explanation(tx: Tx, now: datetime, participant_id: int, text: str) -> str:
    """The short explanation (BSN already masked by the dispatcher); refused empty or too long."""
    found = await current(tx, participant_id)
    cleaned = text.strip()
    if not cleaned:
        raise DomainError("changes/explanation_empty")
    if len(cleaned) > EXPLANATION_MAX:
        raise DomainError("changes/explanation_long", limit=EXPLANATION_MAX, length=len(cleaned))
    await changes.set_explanation(tx, now, found.id, cleaned)
    return cleaned


async def add_document(
    tx: Tx,
    now: datetime,
    participant_id: int,
    proof_dir: Path,
    max_bytes: int,
    data: bytes | None,
    size: int,
    name: str | None,
) -> Document:
    """Keep the file as the change's document (the same checks as a declaration's receipts)."""
    found = await current(tx, participant_id)
    content, mime = check_file(data, size, max_bytes)
    path = write_file(proof_dir / str(participant_id) / FOLDER, content, mime)
    document = Document(
        str(path),
        mime,
        len(content),
        hashlib.sha256(content).hexdigest(),
        (name or "")[:120] or None,
    )
    earlier = found.document.path if found.document else None
    await changes.set_document(tx, now, found.id, document)
    if earlier is not None and earlier != str(path) and not await changes.path_in_use(tx, earlier):
        unlink_all([resolve_proof_path(earlier, proof_dir)])
    return document


async def submit(
    tx: Tx, now: datetime, policy: Policy, participant_id: int, change_id: int
) -> Receipt:
    """Send the change exactly once: reference, queue item for the klantmanager, audit entry."""
    found = await changes.by_id(tx, change_id)
    if found is None or found.participant_id != participant_id:
        raise DomainError("changes/no_draft")
    if found.sent_at is not None and found.reference and found.happens_on:
        return Receipt(found.reference, found.kind, found.happens_on, utc_iso(found.sent_at), True)
    if not found.complete or found.happens_on is None:
        raise DomainError("changes/no_draft")
    tx.durable()  # the receipt promises the change is stored
    if not await changes.mark_sent(tx, now, participant_id, change_id):
        raise DomainError("changes/no_draft")
    period = period_of(local_day(now))
    number = await references.next_number(tx, f"{REFERENCE_PREFIX}:{period}")
    reference = make_reference(period, number)
    await changes.set_reference(tx, change_id, reference)
    await queue.open_item(
        tx,
        now,
        participant_id,
        queue.CHANGE_REPORTED,
        dedupe_key=f"change:{change_id}",
        details={"change": change_id, "reference": reference, "change_kind": found.kind},
        policy=policy,
    )
    await audit_log.record(
        tx, now, participant_id, "change.reported", participant_id, reference=reference
    )
    return Receipt(reference, found.kind, found.happens_on, utc_iso(now))


async def _by_id(tx: Tx, change_id: int) -> ChangeReport:
    found = await changes.by_id(tx, change_id)
    if found is None:
        raise DomainError("changes/no_draft")
    return found
