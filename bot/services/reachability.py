"""A chat that can't be reached any more (the person blocked the bot, a WhatsApp number that
can't get messages): the identity is marked blocked and the klantmanager gets one item."""

from __future__ import annotations

from datetime import datetime

from bot.clock import utc_iso
from bot.services import queue
from bot.storage import audit_log, people
from bot.storage.unit import Tx


async def mark_unreachable(
    tx: Tx, now: datetime, person_id: int, identity_id: int, channel: str
) -> bool:
    """Mark the chat blocked; the first time (per blocking) audit it and open a "deelnemer
    onbereikbaar" item. True when this changed the chat."""
    if not await people.set_blocked(tx, identity_id, True, now):
        return False
    await audit_log.record(tx, now, None, "chat.blocked", person_id)
    await queue.open_item(
        tx,
        now,
        person_id,
        queue.UNREACHABLE,
        dedupe_key=f"unreachable:{identity_id}:{utc_iso(now)}",
        details={"channel": channel},
        policy=None,
    )
    return True
