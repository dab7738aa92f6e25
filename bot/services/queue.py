"""The klantmanager's queue: items, their cards and states, and what a klantmanager does.

States: nieuw → in_behandeling → afgehandeld; correctie_gevraagd waits on the participant and
returns to nieuw when the corrected version arrives (`open_item(kind=CORRECTED)`). Every change
is a compare-and-set on the stored state, so a double tap never does anything twice, and is
written to `queue_history`. Every function that acts for a person checks access first
(bot/services/access.py) and refuses with AccessDenied, whether the item is someone else's or
does not exist. The kinds, states and the item itself are in bot/domain/queue.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.clock import utc_iso
from bot.contract import Button, ButtonRows
from bot.domain.answers import Declaration
from bot.domain.errors import DomainError
from bot.domain.models import Person
from bot.domain.norms import norm_for_period, share_of_norm
from bot.domain.policy import Policy
from bot.domain.queue import (
    AFGEHANDELD,
    CHANGE_REPORTED,
    CORRECTED,
    CORRECTIE_GEVRAAGD,
    DELIVERY_FAILED,
    HOURS_OVER_CAP,
    IN_BEHANDELING,
    KINDS,
    NIEUW,
    OPEN_STATES,
    OVERDUE,
    REASON_MAX,
    SUBMITTED,
    TRAJECTORY_ENDING,
    UNREACHABLE,
    CardData,
    Figures,
    QueueItem,
    QueuePage,
)
from bot.services import access
from bot.storage import audit_log, declarations, delegations, outbox, participants, people
from bot.storage import queue as queue_items
from bot.storage.unit import Tx

__all__ = [
    "AFGEHANDELD",
    "CHANGE_REPORTED",
    "CORRECTED",
    "CORRECTIE_GEVRAAGD",
    "DELIVERY_FAILED",
    "HOURS_OVER_CAP",
    "IN_BEHANDELING",
    "KINDS",
    "NIEUW",
    "OPEN_STATES",
    "OVERDUE",
    "PAGE_SIZE",
    "REASON_MAX",
    "SUBMITTED",
    "TRAJECTORY_ENDING",
    "UNREACHABLE",
    "CardData",
    "Figures",
    "ProofFile",
    "QueueItem",
    "QueuePage",
    "card_buttons",
    "card_data",
    "figures",
    "mark_done",
    "norm_for",
    "open_card",
    "open_item",
    "open_items",
    "proof_files",
    "request_correction",
    "start_correction",
]

PAGE_SIZE = 5


async def norm_for(tx: Tx, policy: Policy, participant_id: int, period: str) -> int | None:
    """The benefit norm for the participant's household in that month."""
    found = await participants.participant(tx, participant_id)
    if found is None:
        return None
    return norm_for_period(policy, found.household, period)


async def figures(tx: Tx, policy: Policy, decl: Declaration) -> Figures:
    """A declaration version as the figures a klantmanager reads (amounts included)."""
    norm = await norm_for(tx, policy, decl.participant_id, decl.period)
    stored_proofs = await queue_items.proof_count(tx, decl.id)
    return Figures(
        declaration_id=decl.id,
        period=decl.period,
        reference=decl.reference,
        version=decl.version,
        worked=decl.worked,
        revenue_cents=decl.revenue_cents,
        costs_cents=decl.costs_cents,
        profit_cents=decl.profit_cents,
        norm_cents=norm,
        share_pct=share_of_norm(decl.profit_cents, norm),
        hours=float(decl.hours),
        proof_count=stored_proofs or decl.answers.proof_count,
        no_proof=decl.answers.no_proof,
        reason=decl.reason,
        submitted_at=utc_iso(decl.submitted_at),
        flags=decl.flags,
    )


async def _move(
    tx: Tx,
    now: datetime,
    item: QueueItem,
    actor_id: int | None,
    to_state: str,
    allowed_from: Sequence[str],
    note: str | None = None,
) -> int | None:
    """Compare-and-set the item's state; the history row id, or None when it had moved on."""
    if item.state not in allowed_from:
        return None
    if not await queue_items.set_state(tx, now, item.id, item.state, to_state):
        return None
    return await queue_items.add_history(tx, now, item.id, actor_id, item.state, to_state, note)


async def open_item(
    tx: Tx,
    now: datetime,
    participant_id: int,
    kind: str,
    *,
    declaration_id: int | None = None,
    period: str | None = None,
    dedupe_key: str | None = None,
    details: Mapping[str, Any] | None = None,
    policy: Policy | None,
) -> int | None:
    """Open a queue item for the participant's klantmanager and push its card.

    Returns the item id, or None when `dedupe_key` was opened before or the participant has no
    klantmanager. Runs inside the caller's transaction, so the item and its push land together.
    With kind CORRECTED, items of the same participant and period waiting in correctie_gevraagd
    return to nieuw. The card goes to the klantmanager, or to the colleagues standing in while a
    delegation runs. `policy` gives the norm for the share of norm (None: the card shows none).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown queue item kind {kind!r}")
    responsible = await delegations.responsible(tx, participant_id)
    km_id = responsible[0] if responsible else None
    if km_id is None:
        return None
    extra = dict(details or {})
    waiting: list[QueueItem] = []
    if kind == CORRECTED and period is not None:
        waiting = await queue_items.in_state(tx, participant_id, period, CORRECTIE_GEVRAAGD)
        if waiting:
            extra["answers"] = [w.id for w in waiting]
    item_id = await queue_items.insert(
        tx,
        now,
        klantmanager_id=km_id,
        participant_id=participant_id,
        kind=kind,
        declaration_id=declaration_id,
        period=period,
        dedupe_key=dedupe_key,
        details=extra,
    )
    if item_id is None:
        return None
    await queue_items.add_history(tx, now, item_id, None, None, NIEUW)
    for item in waiting:
        await _move(tx, now, item, None, NIEUW, (CORRECTIE_GEVRAAGD,), f"corrected:{item_id}")
    recipients = await access.active_delegates(tx, km_id, now) or [km_id]
    card = await card_data(tx, item_id, policy)
    owner = await people.person_by_id(tx, km_id) if recipients != [km_id] else None
    for recipient in recipients:
        shown_owner = owner.name if owner is not None and recipient != km_id else None
        await outbox.enqueue(
            tx,
            recipient,
            "queue/card",
            now,
            context=card.context(fresh=True, owner=shown_owner),
            buttons=card_buttons(item_id),
            dedupe_key=f"queue-card:{item_id}:{recipient}",
        )
    await audit_log.record(tx, now, None, "queue.opened", participant_id, item=item_id, kind=kind)
    return item_id


async def card_data(tx: Tx, item_id: int, policy: Policy | None) -> CardData:
    """What the klantmanager's card shows: participant, period, figures, flags."""
    found = await queue_items.with_name(tx, item_id)
    if found is None:
        raise LookupError(item_id)
    item, name = found
    decl = None
    if item.declaration_id is not None:
        decl = await declarations.by_id(tx, item.declaration_id)
    elif item.period is not None:
        decl = await declarations.latest(tx, item.participant_id, item.period)
    shown = await figures(tx, policy, decl) if decl is not None and policy is not None else None
    return CardData(
        item_id=item_id,
        kind=item.kind,
        state=item.state,
        name=name,
        period=item.period,
        figures=shown,
        answers_request=bool(item.answers),
    )


def card_buttons(item_id: int) -> ButtonRows:
    """The card's buttons."""
    return (
        (
            Button(f"queue:done:{item_id}", "buttons/queue_done"),
            Button(f"queue:fix:{item_id}", "buttons/queue_fix"),
            Button(f"queue:proof:{item_id}", "buttons/queue_proof"),
        ),
    )


async def open_card(
    tx: Tx, now: datetime, viewer: Person, item_id: int, policy: Policy
) -> CardData:
    """Show an item's card to the klantmanager; a new item is now in behandeling."""
    item = await access.require_item(tx, viewer, item_id, now)
    await _viewed(tx, now, viewer, item, what="queue_card")
    return await card_data(tx, item_id, policy)


async def _viewed(tx: Tx, now: datetime, viewer: Person, item: QueueItem, **details: Any) -> None:
    """A klantmanager looked at an item: a new one is now in behandeling, and it is audited."""
    await _move(tx, now, item, viewer.id, IN_BEHANDELING, (NIEUW,))
    await audit_log.record(
        tx, now, viewer.id, "participant.viewed", item.participant_id, item=item.id, **details
    )


async def _name(tx: Tx, person_id: int) -> str:
    person = await people.person_by_id(tx, person_id)
    if person is None:
        raise LookupError(person_id)
    return person.name


async def mark_done(tx: Tx, now: datetime, viewer: Person, item_id: int) -> bool:
    """Close an item; False when it was closed already. Closes the requests it answered too."""
    item = await access.require_item(tx, viewer, item_id, now)
    if await _move(tx, now, item, viewer.id, AFGEHANDELD, OPEN_STATES) is None:
        return False
    for answered in item.answers:
        earlier = await queue_items.by_id(tx, answered)
        if earlier is not None:
            note = f"with:{item_id}"
            await _move(tx, now, earlier, viewer.id, AFGEHANDELD, (NIEUW, IN_BEHANDELING), note)
    await audit_log.record(tx, now, viewer.id, "queue.done", item.participant_id, item=item_id)
    return True


async def start_correction(tx: Tx, now: datetime, viewer: Person, item_id: int) -> str:
    """Check a correction can be asked for this item; returns the participant's name."""
    item = await access.require_item(tx, viewer, item_id, now)
    if item.period is None:
        raise DomainError("queue/fix_no_period")
    if item.state not in (NIEUW, IN_BEHANDELING):
        raise DomainError("queue/fix_not_now", state=item.state)
    await _move(tx, now, item, viewer.id, IN_BEHANDELING, (NIEUW,))
    return await _name(tx, item.participant_id)


async def request_correction(
    tx: Tx, now: datetime, viewer: Person, item_id: int, reason: str
) -> tuple[str, str]:
    """Ask the participant to correct the month; returns (participant name, period).

    The participant gets the reason with a button that opens the correction ("decl:fix:<period>");
    the item waits in correctie_gevraagd until the corrected version arrives.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("queue/fix_reason_empty")
    if len(reason) > REASON_MAX:
        raise DomainError("queue/fix_reason_long", limit=REASON_MAX)
    item = await access.require_item(tx, viewer, item_id, now)
    if item.period is None:
        raise DomainError("queue/fix_no_period")
    history_id = await _move(
        tx, now, item, viewer.id, CORRECTIE_GEVRAAGD, (NIEUW, IN_BEHANDELING), reason
    )
    if history_id is None:
        raise DomainError("queue/fix_not_now", state=item.state)
    participant_id, period = item.participant_id, item.period
    await outbox.enqueue(
        tx,
        participant_id,
        "queue/correction_requested",
        now,
        context={"period": period, "reason": reason, "klantmanager": viewer.name},
        buttons=((Button(f"decl:fix:{period}", "buttons/queue_correct"),),),
        dedupe_key=f"queue-fix:{item_id}:{history_id}",
    )
    await audit_log.record(
        tx, now, viewer.id, "queue.correction_requested", participant_id, item=item_id
    )
    return await _name(tx, participant_id), period


@dataclass(frozen=True)
class ProofFile:
    """A stored proof file of an item's declaration."""

    path: str
    name: str
    exists: bool


async def proof_files(
    tx: Tx, now: datetime, viewer: Person, item_id: int, proof_dir: Path
) -> list[ProofFile]:
    """The proof files of an item's declaration; looking at them puts a new item in behandeling."""
    item = await access.require_item(tx, viewer, item_id, now)
    decl_id = item.declaration_id
    if decl_id is None and item.period is not None:
        latest = await declarations.latest(tx, item.participant_id, item.period)
        decl_id = latest.id if latest else None
    stored = await queue_items.proof_paths(tx, decl_id) if decl_id is not None else []
    await _viewed(tx, now, viewer, item, what="proof", files=len(stored))
    files = []
    for stored_path, original_name in stored:
        path = Path(stored_path)
        if not path.is_absolute():
            path = proof_dir / path
        files.append(ProofFile(str(path), original_name or path.name, path.is_file()))
    return files


async def open_items(tx: Tx, now: datetime, viewer: Person, page: int = 1) -> QueuePage:
    """The open items of the caseloads `viewer` works on now."""
    owners = await access.caseload_owners(tx, viewer.id, now)
    counts = await queue_items.open_counts(tx, owners)
    total = sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    entries = await queue_items.open_entries(tx, owners, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return QueuePage(tuple(entries), counts, total, page, pages)
