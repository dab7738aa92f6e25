"""Telegram's limits on the sending side: 30 messages a second overall, one a second per chat,
and what a 429 ("Too Many Requests: retry after N") holds back.

With `spread`, pushes are also spaced `1 / per_second` apart instead of going out in a burst at
the start of each second: a burst reaches Telegram bunched up behind its own queueing, the next
second's burst reaches it on time, and its window then counts more than ours did.

Several instances on one PostgreSQL each send their direct replies (and the elected one the
pushes): each takes an equal share of the budget (`share`), the number of instances read from the
database every few seconds (`bot.channels.telegram`), so together they stay within it.

Direct replies go first: they wait only for a bot-wide pause, never for the overall or the
per-chat budget; they are counted in it, so the pushes after them wait instead.

Telegram's 429 does not say which limit was hit, so the limiter judges by what it sent and what
came back (`rate_limited`): a 429 for a chat that had another message from us within the last
`busy_window` seconds (3 s) is that chat's own limit, and holds only that chat for `retry_after`.
A 429 for a quiet chat is suspect: it holds that chat, and when a second quiet chat is refused
too before anything got through (within the first one's `retry_after`), it is the bot-wide limit
and every send — pushes and direct replies — pauses until the first refusal's `retry_after` has
passed (a 429 that arrives during the pause was sent before it, and changes nothing). A bot-wide
429 costs one more refused request before the pause (the sender's next message comes a
twenty-ninth of a second later); a 429 bound to one quiet chat costs nothing but that chat's
wait, where pausing everyone for it would stop the whole sweep. Anything delivered
(`delivered`) clears the suspicion. A refused message gives its place in the second back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from bot.storage.unit import Database

log = logging.getLogger(__name__)
SHARE_EVERY = 2.0  # seconds between two looks at how many instances run


class RateLimiter:
    """At most `per_second` sends in any second and one per `per_chat_interval` per chat;
    holds a chat or pauses everyone after a 429 (see the module docstring)."""

    def __init__(
        self,
        per_second: int = 30,
        per_chat_interval: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        busy_window: float = 3.0,
        spread: bool = False,
    ) -> None:
        self.budget = per_second  # the bot's whole budget; `per_second` is this process's share
        self.per_second = per_second
        self.spread = spread
        self.gap = 1.0 / per_second if spread else 0.0
        self.per_chat_interval = per_chat_interval
        self.busy_window = busy_window
        self.monotonic = monotonic
        self.sleep = sleep
        self._sent: deque[float] = deque()
        self._chat_last: OrderedDict[str, float] = OrderedDict()
        self._recent: OrderedDict[str, deque[float]] = OrderedDict()  # replies and pushes
        self._paused_until = 0.0
        self._suspect: tuple[str, float] | None = None  # a quiet chat's 429: (chat, until)
        self._lock = asyncio.Lock()

    def share(self, instances: int) -> None:
        """Take a 1/`instances` share of the bot-wide budget (at least one message a second):
        several instances sending for one bot token together stay within it."""
        self.per_second = max(1, self.budget // max(1, instances))
        self.gap = 1.0 / self.per_second if self.spread else 0.0

    def _global_wait(self, now: float) -> float:
        while self._sent and now - self._sent[0] >= 1.0:
            self._sent.popleft()
        wait = self._paused_until - now
        full = len(self._sent) - self.per_second
        if full >= 0:  # wait until the send that fills the window (replies too) leaves it
            wait = max(wait, self._sent[full] + 1.0 - now)
        if self._sent:  # keep the distance from the last send
            wait = max(wait, self._sent[-1] + self.gap - now)
        return wait

    def _chat_wait(self, chat: str, now: float) -> float:
        last = self._chat_last.get(chat)
        return 0.0 if last is None else last + self.per_chat_interval - now

    def _remember(self, chat: str, now: float) -> None:
        times = self._recent.get(chat)
        if times is None:
            self._recent[chat] = deque((now,), maxlen=2)
        else:
            times.append(now)
            self._recent.move_to_end(chat)
        while self._recent:  # forget chats that have been quiet for a while
            oldest, seen = next(iter(self._recent.items()))
            if now - seen[-1] < self.busy_window:
                break
            del self._recent[oldest]

    def note(self, chat: str) -> None:
        """Count a direct reply against the overall limit: it goes first, pushes wait for it.

        Replies don't wait per chat: Telegram allows a short burst in a chat, and a
        participant who keeps chatting must not hold back a reminder to them forever.
        """
        now = self.monotonic()
        self._global_wait(now)  # forgets sends older than a second
        self._sent.append(now)
        self._remember(chat, now)

    async def reply(self, chat: str) -> None:
        """Wait out a bot-wide pause, then count a direct reply to `chat` (`note`)."""
        while (wait := self._paused_until - self.monotonic()) > 0:
            await self.sleep(wait)
        self.note(chat)

    def _count(self, chat: str, now: float) -> None:
        self._sent.append(now)
        self._remember(chat, now)
        self._chat_last[chat] = now
        self._chat_last.move_to_end(chat)
        while self._chat_last:  # forget chats that are past their interval
            oldest, at = next(iter(self._chat_last.items()))
            if now - at < self.per_chat_interval:
                break
            del self._chat_last[oldest]

    async def acquire(self, chat: str) -> None:
        """Wait until one more message to `chat` stays within both limits, then count it.

        A chat that must wait for its own interval (or a hold) waits outside the lock, so it
        never holds up other chats; the overall limit and a pause are waited for in turn, under
        the lock.
        """
        while True:
            async with self._lock:
                chat_wait = self._chat_wait(chat, self.monotonic())
                if chat_wait <= 0:
                    due = now = self.monotonic()
                    while (wait := self._global_wait(now)) > 0:
                        due = now + wait
                        await self.sleep(wait)
                        now = self.monotonic()
                    # Counted when it was due if the event loop woke us a little late: a
                    # millisecond lost per send would cost 3 % of the rate.
                    self._count(chat, max(due, now - self.gap / 4))
                    return
            await self.sleep(chat_wait)

    def rate_limited(self, chat: str, retry_after: float) -> bool:
        """Telegram answered 429 to a message for `chat`. True: only that chat is held for
        `retry_after` seconds (its own limit, or a first quiet chat's); False: the bot-wide
        limit (a second quiet chat refused), every send pauses that long."""
        now = self.monotonic()
        if now < self._paused_until:  # sent before the pause began (nothing goes out during one)
            return False
        times = self._recent.get(chat, ())
        busy = sum(1 for at in times if now - at < self.busy_window) >= 2
        if times and times[-1] in self._sent:  # refused: it did not use up the overall budget
            self._sent.remove(times[-1])
        suspect = self._suspect
        if not busy and suspect is not None and suspect[0] != chat and now < suspect[1]:
            self._suspect = None  # the first refusal said when it ends; the second agrees
            self._paused_until = min(suspect[1], now + retry_after)
            return False
        if not busy:
            self._suspect = (chat, now + retry_after)
        self._chat_last[chat] = now + retry_after - self.per_chat_interval
        self._chat_last.move_to_end(chat)
        return True

    def delivered(self) -> None:
        """A message got through: an earlier quiet chat's 429 was not the bot-wide limit."""
        self._suspect = None


async def keep_share(
    limiter: RateLimiter, db: Database, stop: asyncio.Event, every: float = SHARE_EVERY
) -> None:
    """Until `stop`: every `every` seconds, the limiter's share for the instances running on
    `db` now (one on SQLite, any number on PostgreSQL)."""
    while not stop.is_set():
        try:
            limiter.share(await db.instances())
        except Exception:  # the database away for a moment: keep the last share
            log.warning("could not count the running instances", exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
