"""What the web inbox shows, as data: the queue with filters, one item in full, one participant.

Every function checks access first (bot/services/access.py) and refuses with AccessDenied for
someone else's item or participant exactly as for one that does not exist; every look at a
participant's data is audited as in the chat. Actions on items are the chat's own services
(bot/services/queue.py, queue_remind.py), so the chat card is edited through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.domain.changes import diff
from bot.domain.digest import Facts
from bot.domain.errors import AccessDenied
from bot.domain.localtime import local_day
from bot.domain.models import Person, Role
from bot.domain.periods import period_of
from bot.domain.policy import Policy
from bot.domain.queue import (
    KINDS,
    OPEN_STATES,
    PROOF,
    STATES,
    CardData,
    Figures,
    QueueEntry,
    actions,
)
from bot.services import access, queue
from bot.services.access import View
from bot.services.caseload import load_facts, progress_overview
from bot.storage import audit_log, caseload, declarations
from bot.storage import queue as queue_items
from bot.storage.caseload import HistoryEntry
from bot.storage.unit import Tx

LIST_LIMIT = 500
REVIEWERS = (Role.KLANTMANAGER, Role.ADMIN)


@dataclass(frozen=True)
class QueueView:
    """The queue as the inbox lists it: the entries shown and the counts to filter by."""

    entries: tuple[QueueEntry, ...]
    states: dict[str, int]  # every state, over the caseloads
    kinds: dict[str, int]  # per kind, among the states shown
    state: str | None
    kind: str | None


def require_reviewer(viewer: Person) -> None:
    """Only klantmanagers and administrators work a queue."""
    if viewer.role not in REVIEWERS:
        raise AccessDenied()


async def queue_view(
    tx: Tx, now: datetime, viewer: Person, state: str | None = None, kind: str | None = None
) -> QueueView:
    """Open items (or those in `state`), oldest first, optionally of one `kind`."""
    require_reviewer(viewer)
    owners = (
        None if viewer.role == Role.ADMIN else await access.caseload_owners(tx, viewer.id, now)
    )
    state = state if state in STATES else None
    kind = kind if kind in KINDS else None
    shown = (state,) if state else OPEN_STATES
    states = await queue_items.state_counts(tx, owners)
    kinds = await queue_items.open_counts(tx, owners, shown)
    entries = await queue_items.open_entries(tx, owners, LIST_LIMIT, 0, shown)
    if kind:
        entries = [e for e in entries if e.kind == kind]
    return QueueView(tuple(entries), states, kinds, state, kind)


@dataclass(frozen=True)
class Version:
    """One version of the month, with what changed since the version before it."""

    figures: Figures
    changes: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class ItemView:
    """One item in full: its card, every version of its month, its history, its proof files."""

    card: CardData
    participant_id: int
    versions: tuple[Version, ...]
    history: tuple[HistoryEntry, ...]
    proofs: tuple[queue.ProofFile, ...] = field(default=())


async def item_view(
    tx: Tx, now: datetime, viewer: Person, item_id: int, policy: Policy, proof_dir: Path
) -> ItemView:
    """Open an item as the chat's card does (a new item is now in behandeling; audited)."""
    card = await queue.open_card(tx, now, viewer, item_id, policy)
    item = await access.require_item(tx, viewer, item_id, now)
    versions: list[Version] = []
    if item.period is not None and card.figures is not None:
        month = [
            d
            for d in await declarations.of_participant(tx, item.participant_id)
            if d.period == item.period
        ]
        month.sort(key=lambda d: d.version)
        previous = None
        for decl in month:
            changes = tuple(c.data() for c in diff(previous, decl)) if previous else ()
            versions.append(Version(await queue.figures(tx, policy, decl), changes))
            previous = decl
    history = tuple(
        h for h in await caseload.queue_history(tx, item.participant_id) if h.item_id == item_id
    )
    proofs: tuple[queue.ProofFile, ...] = ()
    if card.has_proof and PROOF in _offered(card):
        proofs = tuple(await queue.proof_files(tx, now, viewer, item_id, proof_dir, policy))
    return ItemView(card, item.participant_id, tuple(versions), history, proofs)


def _offered(card: CardData) -> tuple[str, ...]:
    """Proof can be shown for a declaration kind, in any state (not only while open)."""
    return actions(card.kind, OPEN_STATES[0], has_proof=True)


async def proof_file(
    tx: Tx,
    now: datetime,
    viewer: Person,
    item_id: int,
    number: int,
    proof_dir: Path,
    policy: Policy,
) -> queue.ProofFile:
    """The `number`th (from 1) stored proof file of an item; AccessDenied when not there."""
    files = await queue.proof_files(tx, now, viewer, item_id, proof_dir, policy)
    if not 1 <= number <= len(files) or not files[number - 1].exists:
        raise AccessDenied()
    return files[number - 1]


async def participants(tx: Tx, now: datetime, viewer: Person) -> list[tuple[int, str, View]]:
    """The participants `viewer` may look at, by name."""
    return await access.visible_participants(tx, viewer, now)


async def participant_view(
    tx: Tx, policy: Policy, viewer: Person, now: datetime, participant_id: int
) -> dict[str, Any]:
    """One participant over the whole trajectory, as much as `viewer` may see (audited)."""
    view = await access.view_of(tx, viewer, participant_id, now)
    await audit_log.record(
        tx,
        now,
        viewer.id,
        "participant.viewed",
        participant_id,
        what="web_participant",
        amounts=view == View.AMOUNTS,
    )
    (facts,) = await load_facts(tx, policy, [participant_id])
    base = {
        "id": participant_id,
        "name": facts.name,
        "start_date": facts.start_date.isoformat(),
        "trajectory_end": facts.trajectory_end.isoformat(),
        "status": facts.status,
        "amounts": view == View.AMOUNTS,
    }
    if view != View.AMOUNTS:
        progress = await progress_overview(tx, policy, viewer, now, participant_id)
        return base | {"progress": progress, "months": [], "open": []}
    return base | {
        "months": _months(facts, now),
        "open": await queue_items.open_of_participant(tx, participant_id),
    }


def _months(facts: Facts, now: datetime) -> list[dict[str, Any]]:
    """Every declared month of the trajectory, oldest first, with its figures."""
    current = period_of(local_day(now))
    return [
        {
            "period": m.period,
            "version": m.version,
            "worked": m.worked,
            "revenue_cents": m.revenue_cents,
            "costs_cents": m.costs_cents,
            "profit_cents": m.profit_cents,
            "share_pct": m.share_pct,
            "hours": m.hours,
            "flags": m.flags,
        }
        for period, m in sorted(facts.months.items())
        if period <= current
    ]
