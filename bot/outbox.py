"""The outbox sender: delivers what the bot says on its own, at most once per row."""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.channels.base import Blocked, DeliveryError, Outgoing, RetryLater, Transport, render_reply
from bot.clock import utc_iso
from bot.storage import repo
from bot.storage.db import Database
from handlers.base import Button, Reply

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pending:
    """An outbox row ready to send, with where it goes."""

    id: int
    person_id: int
    locale: str
    address: str
    identity_id: int
    reply: Reply
    attempts: int


def reply_from_row(row: aiosqlite.Row) -> Reply:
    """Rebuild the Reply stored in an outbox row."""
    buttons = tuple(
        tuple(
            Button(b["data"], b.get("label_key"), b.get("text"), b.get("ctx") or {})
            for b in button_row
        )
        for button_row in json.loads(row["buttons"])
    )
    context: dict[str, Any] = json.loads(row["context"])
    return Reply(row["message_key"], context, buttons, row["attachment"])


async def pending(db: Database, channel: str, now: datetime, limit: int = 100) -> list[Pending]:
    """Rows due now for people reachable on `channel`, oldest first."""
    async with db.read() as tx:
        rows = await tx.all(
            "SELECT o.*, p.locale, ci.address, ci.id AS identity_id FROM outbox o "
            "JOIN people p ON p.id = o.person_id "
            "JOIN channel_identities ci ON ci.person_id = o.person_id AND ci.channel = ? "
            "WHERE o.sent_at IS NULL AND o.parked_at IS NULL AND o.not_before <= ? "
            "AND ci.blocked = 0 ORDER BY o.id LIMIT ?",
            (channel, utc_iso(now), limit),
        )
    return [
        Pending(
            r["id"],
            r["person_id"],
            r["locale"],
            r["address"],
            r["identity_id"],
            reply_from_row(r),
            r["attempts"],
        )
        for r in rows
    ]


async def mark_sent(db: Database, outbox_id: int, now: datetime) -> bool:
    """Mark a row sent; False when another sender got there first."""
    async with db.transaction() as tx:
        return (
            await tx.execute(
                "UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL",
                (utc_iso(now), outbox_id),
            )
            > 0
        )


async def send_one(
    db: Database, transport: Transport, item: Pending, now: datetime, max_attempts: int
) -> bool:
    """Try one row; True when delivered. Failures are written back to the row."""
    message: Outgoing = render_reply(item.reply, item.locale)
    try:
        await transport.deliver(item.address, message)
    except RetryLater as exc:
        await _failed(
            db,
            item,
            now,
            str(exc),
            max_attempts,
            retry_at=now + timedelta(seconds=exc.retry_after),
        )
        return False
    except Blocked:
        async with db.transaction() as tx:
            await repo.set_blocked(tx, item.identity_id, True, now)
            await repo.audit(tx, now, None, "chat.blocked", item.person_id)
        return False
    except DeliveryError as exc:
        await _failed(
            db,
            item,
            now,
            str(exc),
            max_attempts,
            retry_at=now + timedelta(seconds=min(600, 2 ** (item.attempts + 1))),
        )
        return False
    await mark_sent(db, item.id, now)
    return True


async def _failed(
    db: Database, item: Pending, now: datetime, error: str, max_attempts: int, retry_at: datetime
) -> None:
    async with db.transaction() as tx:
        parked = item.attempts + 1 >= max_attempts
        await tx.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, not_before = ?, "
            "parked_at = ? WHERE id = ? AND sent_at IS NULL",
            (error[:500], utc_iso(retry_at), utc_iso(now) if parked else None, item.id),
        )
    log.warning("outbox row %s not delivered (attempt %s): %s", item.id, item.attempts + 1, error)


async def drain_once(
    db: Database, transport: Transport, now: datetime, max_attempts: int, limit: int = 100
) -> int:
    """Send what is due now; returns how many were delivered."""
    delivered = 0
    for item in await pending(db, transport.name, now, limit):
        if await send_one(db, transport, item, now, max_attempts):
            delivered += 1
    return delivered


async def run_forever(
    db: Database,
    transport: Transport,
    clock_now: Any,
    max_attempts: int,
    stop: Any,
    interval: float = 1.0,
) -> None:
    """Drain the outbox until `stop` (an asyncio.Event) is set."""
    import asyncio

    while not stop.is_set():
        try:
            await drain_once(db, transport, clock_now(), max_attempts)
        except Exception:
            log.exception("outbox sweep failed; trying again")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
