"""What a `change_reported` queue item shows: the reported change (kind, day, explanation,
document), read from the change the item points at (`details["change"]`)."""

from __future__ import annotations

from typing import Any

from bot.domain.policy import Policy
from bot.domain.queue import QueueItem
from bot.storage import circumstances as changes
from bot.storage.unit import Tx


async def change_view(tx: Tx, item: QueueItem, policy: Policy | None) -> dict[str, Any] | None:
    """The change as plain card data; None when it is gone (purged) or the item has none."""
    change_id = item.details.get("change")
    if not isinstance(change_id, int):
        return None
    found = await changes.by_id(tx, change_id)
    if found is None or found.participant_id != item.participant_id:
        return None
    kind = policy.change_kind(found.kind) if policy is not None else None
    return {
        "kind": found.kind,
        "names": dict(kind.names) if kind is not None else {"nl": found.kind, "en": found.kind},
        "happens_on": found.happens_on.isoformat() if found.happens_on else None,
        "explanation": found.explanation,
        "reference": found.reference,
        "document": found.document is not None,
    }


async def change_documents(tx: Tx, item: QueueItem) -> list[tuple[str, str | None]]:
    """The stored document of the item's change as (path, original name); none when gone."""
    change_id = item.details.get("change")
    if not isinstance(change_id, int):
        return []
    found = await changes.by_id(tx, change_id)
    if found is None or found.document is None or found.participant_id != item.participant_id:
        return []
    return [(found.document.path, found.document.name)]
