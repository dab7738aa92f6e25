"""The klantmanager's queue: items, their cards and states, and what a klantmanager does.

States: nieuw → in_behandeling → afgehandeld; correctie_gevraagd waits on the participant. A new
version of a month (`open_item` with a declaration kind) closes the earlier open items of that
month as vervangen, pointing at the new item, which answers any correction asked. Every change
is a compare-and-set on the stored state, so a double tap never does anything twice, is written
to `queue_history`, and edits the card the klantmanager was sent (bot/services/queue_cards.py).
Every function that acts for a person checks access first (bot/services/access.py) and refuses
with AccessDenied, whether the item is someone else's or does not exist.
The kinds, states and the item itself are in bot/domain/queue.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.contract import Button
from bot.domain.errors import AccessDenied, DomainError
from bot.domain.models import Person, Role
from bot.domain.policy import Policy
from bot.domain.queue import (
    AFGEHANDELD,
    CHANGE_REPORTED,
    CLOSED_STATES,
    CORRECTED,
    CORRECTIE_GEVRAAGD,
    DECLARATION_KINDS,
    DELIVERY_FAILED,
    FIX,
    HOURS_OVER_CAP,
    IN_BEHANDELING,
    KINDS,
    NIEUW,
    OPEN_STATES,
    OVERDUE,
    PROOF,
    REASON_MAX,
    STATES,
    SUBMITTED,
    SUPERSEDED_KINDS,
    TRAJECTORY_ENDING,
    UNREACHABLE,
    VERVANGEN,
    CardData,
    Figures,
    QueueItem,
    QueuePage,
    actions,
)
from bot.services import access, mail
from bot.services.change_cards import change_documents
from bot.services.privacy import resolve_proof_path
from bot.services.queue_cards import card_buttons, card_data, figures, norm_for, push_card
from bot.services.queue_cards import refresh_cards as _refresh
from bot.storage import audit_log, declarations, delegations, outbox, people
from bot.storage import queue as queue_items
from bot.storage.unit import Tx

__all__ = [
    "AFGEHANDELD",
    "CHANGE_REPORTED",
    "CLOSED_STATES",
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
    "VERVANGEN",
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


async def _move(
    tx: Tx,
    now: datetime,
    item: QueueItem,
    actor_id: int | None,
    to_state: str,
    allowed_from: Sequence[str],
    note: str | None = None,
    policy: Policy | None = None,
    newer_id: int | None = None,
) -> int | None:
    """Compare-and-set the item's state; the history row id, or None when it had moved on.

    Vervangen needs `newer_id`, the item of the newer version.
    The card the klantmanager was sent is edited to the new state (an edit row per change).
    """
    if item.state not in allowed_from:
        return None
    if to_state == VERVANGEN:
        if newer_id is None or not await queue_items.supersede(
            tx, now, item.id, item.state, newer_id
        ):
            return None
    elif not await queue_items.set_state(tx, now, item.id, item.state, to_state):
        return None
    change = await queue_items.add_history(tx, now, item.id, actor_id, item.state, to_state, note)
    await _refresh(tx, now, item.id, change, policy)
    return change


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
    A declaration (or correction) closes the open items of the same participant and month
    (declarations, corrections, overdue) as vervangen, pointing at the new item, and edits their
    cards; the new item answers the corrections asked among them (`QueueItem.answers`). The card
    goes to the klantmanager, or to the colleagues standing in while a delegation runs.
    `policy` gives the norm for the share of norm (None: the card shows none).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown queue item kind {kind!r}")
    responsible = await delegations.responsible(tx, participant_id)
    km_id = responsible[0] if responsible else None
    if km_id is None:
        return None
    extra = dict(details or {})
    earlier: list[QueueItem] = []
    if kind in DECLARATION_KINDS and period is not None:
        earlier = await queue_items.of_period(
            tx, participant_id, period, OPEN_STATES, SUPERSEDED_KINDS
        )
        waiting = [w.id for w in earlier if w.state == CORRECTIE_GEVRAAGD]
        if waiting:
            extra["answers"] = waiting
        if earlier:
            extra["replaces"] = [w.id for w in earlier]
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
    for item in earlier:  # their cards are edited before the new card goes out
        note = f"corrected:{item_id}"
        await _move(tx, now, item, None, VERVANGEN, OPEN_STATES, note, policy, item_id)
    await push_card(tx, now, item_id, km_id, policy)
    await mail.queue_urgent(tx, now, item_id, km_id, participant_id, kind)
    await audit_log.record(tx, now, None, "queue.opened", participant_id, item=item_id, kind=kind)
    return item_id


async def open_card(
    tx: Tx, now: datetime, viewer: Person, item_id: int, policy: Policy
) -> CardData:
    """Show an item's card to the klantmanager; a new item is now in behandeling."""
    item = await access.require_item(tx, viewer, item_id, now)
    await _viewed(tx, now, viewer, item, policy, what="queue_card")
    return await card_data(tx, item_id, policy)


async def _viewed(
    tx: Tx, now: datetime, viewer: Person, item: QueueItem, policy: Policy | None, **details: Any
) -> None:
    """A klantmanager looked at an item: a new one is now in behandeling, and it is audited."""
    await _move(tx, now, item, viewer.id, IN_BEHANDELING, (NIEUW,), policy=policy)
    await audit_log.record(
        tx, now, viewer.id, "participant.viewed", item.participant_id, item=item.id, **details
    )


async def _name(tx: Tx, person_id: int) -> str:
    person = await people.person_by_id(tx, person_id)
    if person is None:
        raise LookupError(person_id)
    return person.name


async def mark_done(
    tx: Tx, now: datetime, viewer: Person, item_id: int, policy: Policy | None = None
) -> bool:
    """Close an item; False when it was closed already. Closes the requests it answered too."""
    item = await access.require_item(tx, viewer, item_id, now)
    if await _move(tx, now, item, viewer.id, AFGEHANDELD, OPEN_STATES, policy=policy) is None:
        return False
    for answered in item.answers:
        earlier = await queue_items.by_id(tx, answered)
        if earlier is not None:
            note = f"with:{item_id}"
            await _move(
                tx, now, earlier, viewer.id, AFGEHANDELD, (NIEUW, IN_BEHANDELING), note, policy
            )
    await audit_log.record(tx, now, viewer.id, "queue.done", item.participant_id, item=item_id)
    return True


def _require_action(item: QueueItem, action: str) -> None:
    """Refuse an action the item's kind never offers (a forged button): AccessDenied."""
    if action not in actions(item.kind, OPEN_STATES[0], has_proof=True):
        raise AccessDenied()


async def start_correction(
    tx: Tx, now: datetime, viewer: Person, item_id: int, policy: Policy | None = None
) -> str:
    """Check a correction can be asked for this item; returns the participant's name."""
    item = await access.require_item(tx, viewer, item_id, now)
    _require_action(item, FIX)
    if item.period is None:
        raise DomainError("queue/fix_no_period")
    if item.state not in (NIEUW, IN_BEHANDELING):
        raise DomainError("queue/fix_not_now", state=item.state)
    await _move(tx, now, item, viewer.id, IN_BEHANDELING, (NIEUW,), policy=policy)
    return await _name(tx, item.participant_id)


async def request_correction(
    tx: Tx, now: datetime, viewer: Person, item_id: int, reason: str, policy: Policy | None = None
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
    _require_action(item, FIX)
    if item.period is None:
        raise DomainError("queue/fix_no_period")
    history_id = await _move(
        tx, now, item, viewer.id, CORRECTIE_GEVRAAGD, (NIEUW, IN_BEHANDELING), reason, policy
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
    tx: Tx,
    now: datetime,
    viewer: Person,
    item_id: int,
    proof_dir: Path,
    policy: Policy | None = None,
) -> list[ProofFile]:
    """The proof files of an item's declaration; looking at them puts a new item in behandeling."""
    item = await access.require_item(tx, viewer, item_id, now)
    _require_action(item, PROOF)
    decl_id = item.declaration_id
    if decl_id is None and item.period is not None:
        latest = await declarations.latest(tx, item.participant_id, item.period)
        decl_id = latest.id if latest else None
    stored = await queue_items.proof_paths(tx, decl_id) if decl_id is not None else []
    if item.kind == CHANGE_REPORTED:
        stored = await change_documents(tx, item)
    await _viewed(tx, now, viewer, item, policy, what="proof", files=len(stored))
    files = []
    for stored_path, original_name in stored:
        path = resolve_proof_path(stored_path, proof_dir)
        files.append(ProofFile(str(path), original_name or path.name, path.is_file()))
    return files


async def open_items(
    tx: Tx, now: datetime, viewer: Person, page: int = 1, *, everything: bool = False
) -> QueuePage:
    """The open items (`everything`: all items) of the caseloads `viewer` works on now, with
    counts per kind and per state; an administrator sees every caseload."""
    owners = (
        None if viewer.role == Role.ADMIN else await access.caseload_owners(tx, viewer.id, now)
    )
    shown = STATES if everything else OPEN_STATES
    counts = await queue_items.open_counts(tx, owners, shown)
    states = await queue_items.state_counts(tx, owners)
    total = sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    entries = await queue_items.open_entries(tx, owners, PAGE_SIZE, (page - 1) * PAGE_SIZE, shown)
    closed = sum(states.get(s, 0) for s in CLOSED_STATES)
    return QueuePage(
        tuple(entries),
        counts,
        total,
        page,
        pages,
        states={s: states[s] for s in shown if states.get(s)},
        closed=closed,
        everything=everything,
    )
