"""The append-only audit log: every look at or change to a participant's data."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.clock import utc_iso
from bot.storage.unit import Tx


async def record(
    tx: Tx,
    now: datetime,
    actor_id: int | None,
    action: str,
    subject_id: int | None = None,
    **details: Any,
) -> None:
    """Append to the audit log."""
    await tx.execute(
        "INSERT INTO audit_log (at, actor_id, action, subject_id, details) VALUES (?, ?, ?, ?, ?)",
        (utc_iso(now), actor_id, action, subject_id, json.dumps(details, default=str)),
    )
