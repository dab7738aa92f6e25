"""A queue item's card: what it shows, its buttons (per kind and state), and keeping the card
the klantmanager was sent up to date (an edit in the outbox when the item's state changes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.clock import utc_iso
from bot.contract import Button, ButtonRows
from bot.domain.answers import Declaration
from bot.domain.changes import diff
from bot.domain.norms import norm_for_period, share_of_norm
from bot.domain.policy import Policy
from bot.domain.queue import (
    CHANGE_REPORTED,
    CORRECTIE_GEVRAAGD,
    DONE,
    FIX,
    OVERDUE,
    PROOF,
    REMIND,
    TRAJECTORY_ENDING,
    CardData,
    Figures,
    actions,
)
from bot.services import access
from bot.services.change_cards import change_view
from bot.storage import declarations, outbox, participants, people, proofs
from bot.storage import queue as queue_items
from bot.storage.unit import Tx

CARD_KEY = "queue/card"
_LABELS = {
    DONE: "buttons/queue_done",
    FIX: "buttons/queue_fix",
    PROOF: "buttons/queue_proof",
    REMIND: "queue/remind_button",
}


def card_key(item_id: int, recipient: int) -> str:
    """The dedupe key of the card row pushed to `recipient` (its edits extend it)."""
    return f"queue-card:{item_id}:{recipient}"


async def norm_for(tx: Tx, policy: Policy, participant_id: int, period: str) -> int | None:
    """The benefit norm for the participant's household in that month."""
    found = await participants.participant(tx, participant_id)
    if found is None:
        return None
    return norm_for_period(policy, found.household, period)


def _cost_lines(policy: Policy | None, decl: Declaration) -> tuple[dict[str, Any], ...]:
    lines = []
    for key, cents in decl.answers.costs.items():
        category = policy.cost(key) if policy is not None else None
        names = dict(category.names) if category is not None else {"nl": key, "en": key}
        lines.append({"category": key, "names": names, "amount_cents": cents})
    return tuple(lines)


async def figures(tx: Tx, policy: Policy | None, decl: Declaration) -> Figures:
    """A declaration version as the figures a klantmanager reads (amounts included)."""
    norm = await norm_for(tx, policy, decl.participant_id, decl.period) if policy else None
    stored_proofs = await proofs.count_stored(tx, decl.id)
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
        proof_count=stored_proofs,  # the files stored with this version: what *Bewijs* shows
        no_proof=decl.answers.no_proof,
        reason=decl.reason,
        submitted_at=utc_iso(decl.submitted_at),
        flags=decl.flags,
        costs=_cost_lines(policy, decl),
        weeks=tuple(
            {"week": week, "hours": float(hours)} for week, hours in decl.answers.weeks.items()
        ),
        note=decl.answers.note,
    )


async def _previous(tx: Tx, decl: Declaration) -> Declaration | None:
    if decl.version <= 1:
        return None
    versions = await declarations.of_participant(tx, decl.participant_id)
    earlier = [d for d in versions if d.period == decl.period and d.version < decl.version]
    return max(earlier, key=lambda d: d.version) if earlier else None


async def card_data(tx: Tx, item_id: int, policy: Policy | None) -> CardData:
    """What the klantmanager's card shows: participant, period, state, figures, changes."""
    found = await queue_items.with_name(tx, item_id)
    if found is None:
        raise LookupError(item_id)
    item, name = found
    decl = None
    if item.declaration_id is not None:
        decl = await declarations.by_id(tx, item.declaration_id)
    elif item.period is not None and item.kind != OVERDUE:
        decl = await declarations.latest(tx, item.participant_id, item.period)
    shown = await figures(tx, policy, decl) if decl is not None else None
    changes: tuple[dict[str, Any], ...] = ()
    previous = await _previous(tx, decl) if decl is not None else None
    if decl is not None and previous is not None:
        changes = tuple(c.data() for c in diff(previous, decl))
    reason = None
    if item.state == CORRECTIE_GEVRAAGD:
        moved = await queue_items.last_history(tx, item_id, CORRECTIE_GEVRAAGD)
        reason = moved[1] if moved else None
    has_proof = decl is not None and await proofs.count_stored(tx, decl.id) > 0
    change = await change_view(tx, item, policy) if item.kind == CHANGE_REPORTED else None
    if change is not None:
        has_proof = bool(change["document"])
    return CardData(
        item_id=item_id,
        kind=item.kind,
        state=item.state,
        name=name,
        period=item.period,
        figures=shown,
        answers_request=bool(item.answers),
        since=utc_iso(item.updated_at),
        reason=reason,
        replaced_by=item.replaced_by,
        changes=changes,
        has_proof=has_proof,
        change=change,
    )


def card_buttons(card: CardData) -> ButtonRows:
    """The card's buttons: the actions its kind offers in its state (none once closed)."""
    found = actions(card.kind, card.state, card.has_proof)
    if not found:
        return ()
    rows: ButtonRows = (tuple(Button(f"queue:{a}:{card.item_id}", _LABELS[a]) for a in found),)
    if card.kind == TRAJECTORY_ENDING:  # issue 17: record how the trajectory ends
        rows += ((Button(f"outcome:item:{card.item_id}", "outcomes/card_button"),),)
    return rows


async def push_card(
    tx: Tx, now: datetime, item_id: int, klantmanager_id: int, policy: Policy | None
) -> None:
    """Push a new item's card to its klantmanager, or to the colleagues standing in."""
    recipients = await access.active_delegates(tx, klantmanager_id, now) or [klantmanager_id]
    card = await card_data(tx, item_id, policy)
    owner = (
        await people.person_by_id(tx, klantmanager_id) if recipients != [klantmanager_id] else None
    )
    for recipient in recipients:
        shown_owner = owner.name if owner is not None and recipient != klantmanager_id else None
        await outbox.enqueue(
            tx,
            recipient,
            CARD_KEY,
            now,
            context=card.context(fresh=True, owner=shown_owner),
            buttons=card_buttons(card),
            dedupe_key=card_key(item_id, recipient),
        )


async def refresh_cards(
    tx: Tx, now: datetime, item_id: int, change_id: int, policy: Policy | None
) -> None:
    """Edit every card pushed for the item to show its state now (exactly once per change)."""
    sent = await outbox.rows_by_key_prefix(tx, f"queue-card:{item_id}:")
    if not sent:
        return
    card = await card_data(tx, item_id, policy)
    item = await queue_items.by_id(tx, item_id)
    owner = None
    if item is not None and any(person != item.klantmanager_id for _, person in sent):
        owner = await people.person_by_id(tx, item.klantmanager_id)
    for row_id, recipient in sent:
        shown_owner = (
            owner.name
            if owner is not None and item is not None and recipient != item.klantmanager_id
            else None
        )
        await outbox.enqueue_edit(
            tx,
            recipient,
            CARD_KEY,
            now,
            edit_of=row_id,
            context=card.context(owner=shown_owner, updated=True),
            buttons=card_buttons(card),
            dedupe_key=f"{card_key(item_id, recipient)}:edit:{change_id}",
        )
