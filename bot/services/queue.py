"""The klantmanager's queue: opening items and telling the klantmanager (through the outbox)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.clock import utc_iso
from bot.storage import repo
from bot.storage.db import Tx

# Item kinds (DOMAIN.md §8; issue 4).
SUBMITTED = "declaration_submitted"
CORRECTED = "declaration_corrected"
OVERDUE = "declaration_overdue"
HOURS_OVER_CAP = "hours_over_cap"
UNREACHABLE = "participant_unreachable"
CHANGE_REPORTED = "change_reported"
TRAJECTORY_ENDING = "trajectory_ending"
DELIVERY_FAILED = "delivery_failed"
KINDS = (
    SUBMITTED,
    CORRECTED,
    OVERDUE,
    HOURS_OVER_CAP,
    UNREACHABLE,
    CHANGE_REPORTED,
    TRAJECTORY_ENDING,
    DELIVERY_FAILED,
)


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
) -> int | None:
    """Open a queue item for the participant's klantmanager and push its card.

    Returns the item id, or None when `dedupe_key` was opened before or the participant has no
    klantmanager. Runs inside the caller's transaction, so the item and its push land together.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown queue item kind {kind!r}")
    km_id = await tx.scalar(
        "SELECT klantmanager_id FROM participants WHERE person_id = ?", (participant_id,)
    )
    if km_id is None:
        return None
    item_id = await tx.insert(
        "INSERT OR IGNORE INTO queue_items (klantmanager_id, participant_id, kind, "
        "declaration_id, "
        "period, dedupe_key, details, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            km_id,
            participant_id,
            kind,
            declaration_id,
            period,
            dedupe_key,
            json.dumps(dict(details or {}), default=str),
            utc_iso(now),
            utc_iso(now),
        ),
    )
    if item_id is None:
        return None
    await repo.enqueue(
        tx,
        int(km_id),
        "queue/card",
        now,
        context=await card_context(tx, item_id),
        buttons=card_buttons(item_id),
        dedupe_key=f"queue-card:{item_id}",
    )
    await repo.audit(tx, now, None, "queue.opened", participant_id, item=item_id, kind=kind)
    return item_id


async def card_context(tx: Tx, item_id: int) -> dict[str, Any]:
    """What the klantmanager's card shows."""
    row = await tx.one(
        "SELECT q.*, p.name FROM queue_items q JOIN people p ON p.id = q.participant_id "
        "WHERE q.id = ?",
        (item_id,),
    )
    if row is None:
        raise LookupError(item_id)
    return {"item_id": item_id, "kind": row["kind"], "name": row["name"], "period": row["period"]}


def card_buttons(item_id: int) -> list[list[dict[str, Any]]]:
    """The card's buttons."""
    return [
        [
            {"data": f"queue:done:{item_id}", "label_key": "buttons/queue_done"},
            {"data": f"queue:fix:{item_id}", "label_key": "buttons/queue_fix"},
            {"data": f"queue:proof:{item_id}", "label_key": "buttons/queue_proof"},
        ]
    ]
