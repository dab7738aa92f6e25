"""The outbox: pushes written in the same unit of work as their cause, sent later."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.clock import utc_iso
from bot.contract import ButtonRows, rows_to_data
from bot.storage.unit import Tx


async def enqueue(
    tx: Tx,
    person_id: int,
    message_key: str,
    now: datetime,
    *,
    context: Mapping[str, Any] | None = None,
    buttons: ButtonRows = (),
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    attachment: str | None = None,
) -> int | None:
    """Write a push to the outbox; None when `dedupe_key` was queued before (exactly once)."""
    return await tx.insert(
        "INSERT INTO outbox (person_id, dedupe_key, message_key, context, buttons, "
        "attachment, created_at, not_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (
            person_id,
            dedupe_key,
            message_key,
            json.dumps(dict(context or {}), default=str),
            json.dumps(rows_to_data(buttons)),
            attachment,
            utc_iso(now),
            utc_iso(not_before or now),
        ),
    )
