"""PostgreSQL's outbox claim: `FOR UPDATE SKIP LOCKED`, the twin of the portable claim in
`bot/storage/outbox.py` (same parameters, same answer).

A row another sender is claiming at this moment (its UPDATE not committed yet) is skipped at
once, never waited for: that sender gets it, this one moves on to another chat. A row whose
claim was committed before is no longer unclaimed, so the condition fails as on SQLite.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import utc_iso
from bot.storage.unit import Tx


async def claim(tx: Tx, outbox_id: int, owner: str, now: datetime, until: datetime) -> bool:
    """Take a lease on an unsent, unparked row until `until`; False when someone else has it
    or is taking it."""
    changed = await tx.execute(
        "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id = ("
        "SELECT id FROM outbox WHERE id = ? AND sent_at IS NULL AND parked_at IS NULL "
        "AND (claimed_until IS NULL OR claimed_until <= ?) FOR UPDATE SKIP LOCKED)",
        (owner, utc_iso(until), outbox_id, utc_iso(now)),
    )
    return changed > 0
