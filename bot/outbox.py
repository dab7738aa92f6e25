"""The outbox sender: delivers what the bot says on its own, within Telegram's limits, once.

- Rate: at most `per_second` messages overall (30) and one per `per_chat_interval` (1 s) per chat.
- Exactly once: a row is claimed with a conditional update (a lease) before it is sent and marked
  sent by its claimant only, so two senders (two processes, or `ptobot jobs run outbox` next to
  the bot) never send the same row. A crash between sending and marking can only repeat a row
  after its lease ran out; nothing is lost.
- Order per chat: a chat's rows go out oldest first, one at a time; a row that failed (a 429, a
  network error, a 5xx) holds back the later rows of that person until it is delivered or parked.
- Edits: a row that edits an earlier one (a queue card whose state changed) edits the message
  that row became, when the channel can edit and knows its id; otherwise (or when the message
  is too old or gone) it is sent anew, and later edits go to the new message.
- Rate limits: a 429 (`RetryLater`) holds the row until `retry_after` has passed; whether it
  holds only that chat or pauses every send is the limiter's judgement
  (`bot.channels.ratelimit`: a chat that had another message within 3 s hit its own limit; a
  second quiet chat refused before anything got through means the bot-wide one). Other chats go
  on in the same round unless every send is paused.
- Failures: other delivery errors are retried with exponential backoff; after `max_attempts`
  failures the row is parked and the participant's klantmanager gets a queue item. `Blocked`
  (the person blocked the bot) marks the identity blocked and opens one "deelnemer
  onbereikbaar" item per blocking.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.channels.base import (
    Blocked,
    NotEditable,
    Outgoing,
    RetryLater,
    Transport,
    render_reply,
)
from bot.channels.ratelimit import RateLimiter
from bot.services import queue
from bot.services.reachability import mark_unreachable
from bot.storage import audit_log, outbox
from bot.storage.outbox import Pending
from bot.storage.unit import Database, Tx

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
EDITABLE = ("queue/card",)  # message keys whose rows may edit an earlier row
DELIVERED, RETRY_LATER, FAILED, BLOCKED, SKIPPED = (
    "delivered",
    "later",
    "failed",
    "blocked",
    "skip",
)


def default_backoff(attempt: int) -> float:
    """Seconds to wait after the `attempt`-th failure: 2, 4, 8 … at most 10 minutes."""
    return float(min(600, 2**attempt))


async def pending(db: Database, channel: str, now: datetime, limit: int = 100) -> list[Pending]:
    """Rows that may go out now, oldest first, respecting per-chat order (see `due_by_chat`)."""
    return [item for chat in (await due_by_chat(db, channel, now, limit)) for item in chat]


async def due_by_chat(
    db: Database, channel: str, now: datetime, limit: int = 500
) -> list[list[Pending]]:
    """Per chat, the rows that may go out now, in order (a held or claimed row stops a chat)."""
    async with db.read() as tx:
        return await outbox.due_by_chat(tx, channel, now, limit)


class Sender:
    """Drains the outbox for one transport; keep one per process so the rate limits hold."""

    def __init__(
        self,
        db: Database,
        transport: Transport,
        max_attempts: int,
        limiter: RateLimiter | None = None,
        backoff: Callable[[int], float] = default_backoff,
    ) -> None:
        self.db = db
        self.transport = transport
        self.max_attempts = max_attempts
        # A channel that also sends direct replies shares its limiter, so replies and pushes
        # together stay within the platform's limit and replies never wait behind a sweep.
        self.limiter = limiter or getattr(transport, "limiter", None) or RateLimiter()
        self.backoff = backoff
        self.owner = uuid.uuid4().hex

    async def drain_once(self, now: datetime, limit: int = 500) -> int:
        """Send what is due now, chats in parallel, each chat in order; returns how many."""
        queues = [
            deque(chat) for chat in await due_by_chat(self.db, self.transport.name, now, limit)
        ]
        delivered = 0
        while queues:
            heads = [q.popleft() for q in queues]
            outcomes = await asyncio.gather(*(self.send_one(item, now) for item in heads))
            delivered += sum(o == DELIVERED for o in outcomes)
            # A chat whose row failed or was rate limited waits for a later round; the limiter
            # holds that chat, or pauses every send after a bot-wide 429.
            queues = [q for q, o in zip(queues, outcomes, strict=True) if q and o == DELIVERED]
        return delivered

    async def _claim(self, item: Pending, now: datetime) -> bool:
        async with self.db.transaction() as tx:
            return await outbox.claim(tx, item.id, self.owner, now, now + LEASE)

    async def send_one(self, item: Pending, now: datetime) -> str:
        """Claim, send and record one row; returns what happened."""
        if not await self._claim(item, now):
            return SKIPPED
        try:
            message: Outgoing = render_reply(item.reply, item.locale)
            target = await self._edit_target(item)  # before the limiter: it goes out when counted
            await self.limiter.acquire(item.address)
            card_row, message_id = await self._deliver_or_edit(item, message, target)
            self.limiter.delivered()
        except RetryLater as exc:
            own = self.limiter.rate_limited(item.address, exc.retry_after)
            await self._release(item, now, str(exc), retry_at=now + _seconds(exc.retry_after))
            log.info(
                "outbox row %s: rate limited (%s), retry in %ss",
                item.id,
                "this chat" if own else "every chat",
                exc.retry_after,
            )
            return RETRY_LATER
        except Blocked:
            await self._blocked(item, now)
            return BLOCKED
        except Exception as exc:  # DeliveryError, or a row that cannot even be rendered
            await self._failed(item, now, f"{type(exc).__name__}: {exc}")
            return FAILED
        async with self.db.transaction() as tx:
            # Every push is in the audit log (what, not the text).
            if await outbox.mark_sent(tx, item.id, self.owner, now):
                await audit_log.record(
                    tx,
                    now,
                    None,
                    "push.delivered",
                    item.person_id,
                    outbox=item.id,
                    message=item.message_key,
                    channel=self.transport.name,
                )
                if message_id is not None:
                    await outbox.set_message_id(tx, card_row, message_id)
        return DELIVERED

    async def _edit_target(self, item: Pending) -> tuple[int, str | None] | None:
        """For a row that edits an earlier one: (that row, its channel message id or None)."""
        if item.message_key not in EDITABLE:
            return None
        async with self.db.read() as tx:
            return await outbox.edit_target(tx, item.id)

    async def _deliver_or_edit(
        self, item: Pending, message: Outgoing, target: tuple[int, str | None] | None
    ) -> tuple[int, str | None]:
        """Send the row, or edit the message the row it edits became; returns (the row whose
        message this is now, the channel's message id to remember for it, or None)."""
        edit = getattr(self.transport, "edit", None)
        if target is not None and target[1] is not None and edit is not None:
            try:
                await edit(item.address, target[1], message)
                return target[0], None
            except NotEditable:
                log.info("outbox row %s: message can't be edited, sending it anew", item.id)
        sent = await self.transport.deliver(item.address, message)
        return (target[0] if target is not None else item.id), sent

    async def _release(self, item: Pending, now: datetime, error: str, retry_at: datetime) -> None:
        async with self.db.transaction() as tx:
            await outbox.hold(tx, item.id, self.owner, retry_at, error)

    async def _blocked(self, item: Pending, now: datetime) -> None:
        async with self.db.transaction() as tx:
            await outbox.release_blocked(tx, item.id, self.owner)
            await mark_unreachable(tx, now, item.person_id, item.identity_id, self.transport.name)
        log.warning("person %s blocked the bot on %s", item.person_id, self.transport.name)

    async def _failed(self, item: Pending, now: datetime, error: str) -> None:
        attempts = item.attempts + 1
        parked = self._gives_up(item, attempts)
        retry_at = now + _seconds(self.backoff(attempts))
        async with self.db.transaction() as tx:
            await outbox.record_failure(
                tx,
                item.id,
                self.owner,
                attempts=attempts,
                error=error,
                retry_at=retry_at,
                parked_at=now if parked else None,
            )
            if parked:
                await self._parked(tx, item, now, attempts)
        log.warning("outbox row %s not delivered (attempt %s): %s", item.id, attempts, error)
        if parked:
            log.error("outbox row %s parked after %s attempts", item.id, attempts)

    def _gives_up(self, item: Pending, attempts: int) -> bool:
        """Whether this failure parks the row (the mail sender gives up sooner on a 5xx)."""
        return attempts >= self.max_attempts

    async def _parked(self, tx: Tx, item: Pending, now: datetime, attempts: int) -> None:
        """What parking a row sets off, in its unit of work: the klantmanager gets an item."""
        await queue.open_item(
            tx,
            now,
            item.person_id,
            queue.DELIVERY_FAILED,
            dedupe_key=f"delivery-failed:{item.id}",
            details={"message_key": item.message_key, "attempts": attempts},
            policy=None,
        )


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=max(0.0, float(value)))


async def drain_once(
    db: Database,
    transport: Transport,
    now: datetime,
    max_attempts: int,
    limit: int = 500,
    *,
    limiter: RateLimiter | None = None,
    backoff: Callable[[int], float] = default_backoff,
) -> int:
    """Send what is due now; returns how many were delivered."""
    return await Sender(db, transport, max_attempts, limiter, backoff).drain_once(now, limit)


async def run_forever(
    db: Database,
    transport: Transport,
    clock_now: Callable[[], datetime],
    max_attempts: int,
    stop: asyncio.Event,
    interval: float = 1.0,
    *,
    limiter: RateLimiter | None = None,
    backoff: Callable[[int], float] = default_backoff,
) -> None:
    """Drain the outbox until `stop` is set; one Sender, so the rate limits span rounds.

    With several instances on one PostgreSQL, one of them sends (elected with
    `Database.exclusive`); the others wait and take over when it stops or dies, so the whole
    deployment stays within the channel's rate limits.
    """
    sender = Sender(db, transport, max_attempts, limiter, backoff)
    lock = f"outbox-sender:{transport.name}"
    while not stop.is_set():
        try:
            async with db.exclusive(lock) as elected:
                if elected:
                    await _send_until(sender, clock_now, stop, interval, lock)
        except Exception:
            log.exception("outbox sender election failed; trying again")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


async def _send_until(
    sender: Sender,
    clock_now: Callable[[], datetime],
    stop: asyncio.Event,
    interval: float,
    lock: str,
) -> None:
    """The elected sender's loop: drain, and wait `interval` when nothing was due; stand down
    when the election's lock was lost with its connection (another instance sends now)."""
    while not stop.is_set():
        if not await sender.db.holds(lock):
            log.warning("the outbox sender lost its lock with its database connection")
            return
        try:
            sent = await sender.drain_once(clock_now())
        except Exception:
            log.exception("outbox sweep failed; trying again")
            sent = 0
        if sent:
            continue  # there may be more right away
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
