"""Telegram's 429s: one chat's limit holds that chat only, the bot-wide limit pauses every send,
and the sender keeps close to a server-enforced 30 msg/s (time is faked: nothing waits)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import App
from bot.channels.base import Outgoing, RetryLater
from bot.channels.ratelimit import RateLimiter
from bot.outbox import Sender
from tests.channels.test_outbox_sender import FakeTime, person, push
from tests.conftest import NOW
from tests.factories import caseload

AYLA, BRAM = "9003", "9004"


class TimedTransport:
    """A channel that answers 429 once per address as told and records when each message went."""

    name = "telegram"

    def __init__(self, time: FakeTime, retry_after: dict[str, float]) -> None:
        self.time = time
        self.retry_after = retry_after
        self.delivered: list[tuple[str, str, float]] = []

    async def deliver(self, address: str, message: Outgoing) -> None:
        if address in self.retry_after:
            raise RetryLater(self.retry_after.pop(address), "429")
        self.delivered.append((address, message.text.rsplit("\n", 1)[-1], self.time.at))


def limiter_on(time: FakeTime) -> RateLimiter:
    """The limiter as the Telegram channel builds it, on fake time."""
    return RateLimiter(per_second=29, spread=True, monotonic=time.monotonic, sleep=time.sleep)


async def test_a_429_for_a_chat_that_just_had_a_message_holds_that_chat_only(app: App) -> None:
    await caseload(app, NOW)
    ayla, bram = await person(app, "Ayla Voorbeeld"), await person(app, "Bram Voorbeeld")
    await push(app, ayla, "ayla 1")
    await push(app, bram, "bram 1")
    await push(app, bram, "bram 2")
    time = FakeTime()
    limiter = limiter_on(time)
    limiter.note(AYLA)  # Ayla was just answered: a 429 now is her chat's own limit
    transport = TimedTransport(time, {AYLA: 30.0})
    sender = Sender(app.services.db, transport, 5, limiter)

    assert await sender.drain_once(NOW) == 2
    assert [(a, t) for a, t, _ in transport.delivered] == [(BRAM, "bram 1"), (BRAM, "bram 2")]
    assert time.at < 2.0  # Bram's messages did not wait for Ayla's 30 seconds
    assert await sender.drain_once(NOW + timedelta(seconds=31)) == 1
    assert transport.delivered[-1][:2] == (AYLA, "ayla 1")


async def test_a_429_bound_to_one_quiet_chat_holds_that_chat_only(app: App) -> None:
    await caseload(app, NOW)
    ayla, bram = await person(app, "Ayla Voorbeeld"), await person(app, "Bram Voorbeeld")
    await push(app, bram, "bram 1")
    await push(app, ayla, "ayla 1")
    await push(app, ayla, "ayla 2")
    time = FakeTime()
    limiter = limiter_on(time)
    transport = TimedTransport(time, {BRAM: 5.0})  # Bram had nothing from us: suspect only
    sender = Sender(app.services.db, transport, 5, limiter)

    await sender.drain_once(NOW)
    assert [a for a, _, _ in transport.delivered] == [AYLA, AYLA]
    assert transport.delivered[1][2] < 2.0  # Ayla's messages did not wait for Bram's 5 s
    await sender.drain_once(NOW + timedelta(seconds=6))
    assert [t for a, t, _ in transport.delivered if a == BRAM] == ["bram 1"]


class Flood(TimedTransport):
    """A channel whose server refuses every message until `until` (a bot-wide 429)."""

    def __init__(self, time: FakeTime, until: float) -> None:
        super().__init__(time, {})
        self.until = until
        self.refused: list[tuple[str, float]] = []

    async def deliver(self, address: str, message: Outgoing) -> None:
        if self.time.at < self.until:
            self.refused.append((address, self.time.at))
            raise RetryLater(round(self.until - self.time.at + 0.49), "429")
        await super().deliver(address, message)


async def test_a_bot_wide_429_pauses_every_send_after_a_second_quiet_chat_is_refused(
    app: App,
) -> None:
    await caseload(app, NOW)
    ayla, bram = await person(app, "Ayla Voorbeeld"), await person(app, "Bram Voorbeeld")
    await push(app, ayla, "ayla 1")
    await push(app, bram, "bram 1")
    await push(app, bram, "bram 2")
    time = FakeTime()
    limiter = limiter_on(time)
    transport = Flood(time, until=5.0)
    sender = Sender(app.services.db, transport, 5, limiter)

    await sender.drain_once(NOW)
    assert [a for a, _ in transport.refused] == [AYLA, BRAM]  # the second one paused everyone
    await limiter.reply("9005")  # a direct reply waits for the pause too
    assert time.at == pytest.approx(5.0)
    await sender.drain_once(NOW + timedelta(seconds=6))
    assert [(a, t) for a, t, _ in transport.delivered] == [
        (AYLA, "ayla 1"),
        (BRAM, "bram 1"),
        (BRAM, "bram 2"),
    ]
    assert len(transport.refused) == 2  # nothing went out during the pause


async def test_a_reply_during_a_pause_waits_and_a_held_chat_does_not_stop_others() -> None:
    time = FakeTime()
    limiter = limiter_on(time)
    await limiter.acquire("A")
    await limiter.acquire("A")  # a second later
    assert limiter.rate_limited("A", 10.0)  # A had two messages within 3 s: its own limit
    await limiter.reply("B")  # a reply to another chat does not wait
    await limiter.acquire("B")
    assert time.at < 2.0
    await limiter.acquire("A")
    assert time.at >= 11.0
    assert limiter.rate_limited("C", 4.0)  # C had nothing from us: suspect, C alone waits
    assert not limiter.rate_limited("E", 4.0)  # a second quiet chat: the bot-wide limit
    paused_at = time.at
    assert not limiter.rate_limited("F", 9.0)  # sent before the pause: it changes nothing
    await limiter.reply("D")  # a reply waits for the pause
    assert time.at == pytest.approx(paused_at + 4.0)


async def test_a_message_that_got_through_clears_a_quiet_chats_suspicion() -> None:
    time = FakeTime()
    limiter = limiter_on(time)
    assert limiter.rate_limited("C", 4.0)
    limiter.delivered()  # another chat's message went out: C's 429 was C's own
    assert limiter.rate_limited("E", 4.0)  # so E's is only suspect again
    await limiter.reply("D")
    assert time.at == 0.0


async def test_a_refused_message_gives_its_place_in_the_second_back() -> None:
    time = FakeTime()
    limiter = limiter_on(time)
    for chat in range(29):
        await limiter.acquire(str(chat))
    assert limiter.rate_limited("28", 3.0)  # refused: the server did not count it
    began = time.at
    await limiter.acquire("29")
    assert time.at == pytest.approx(began)  # it takes the refused one's place: no wait
    await limiter.acquire("30")  # the second is full now
    assert time.at == pytest.approx(1.0)


async def test_replies_go_first_and_the_pushes_after_them_wait() -> None:
    time = FakeTime()
    limiter = limiter_on(time)
    for chat in range(29):
        await limiter.acquire(f"push {chat}")  # a sweep fills a second, one push every 1/29 s
    swept = time.at
    assert swept == pytest.approx(28 / 29)
    for _ in range(3):
        await limiter.reply("talker")  # replies never wait for the budget
    assert time.at == swept
    await limiter.acquire("push 29")  # the next push waits until 29 a second allows it again:
    assert time.at == pytest.approx(1.0 + 3 / 29)  # three pushes' room went to the replies


async def test_the_sender_keeps_95_percent_of_a_server_enforced_30_a_second() -> None:
    time = FakeTime()
    limiter = limiter_on(time)
    sent: list[float] = []
    for chat in range(600):  # a reminder sweep: one message to each of 600 chats
        await limiter.acquire(str(chat))
        window = [at for at in sent[-30:] if time.at - at < 1.0 - 1e-9]
        assert len(window) < 29, "29 a second at most, so a reply still fits"
        if sent:
            assert time.at - sent[-1] >= 1 / 29 - 1e-9  # evenly spread, no burst
        sent.append(time.at)
    rate = (len(sent) - 1) / (sent[-1] - sent[0])
    assert rate >= 0.95 * 30


async def test_three_instances_each_send_a_third_of_the_budget() -> None:
    time = FakeTime()
    limiter = limiter_on(time)
    limiter.share(3)
    for n in range(27):  # 27 chats, each once: only the overall budget counts
        await limiter.acquire(str(n))
    assert 2.0 <= time.at < 3.0  # 9 a second (29 // 3): the third second has begun
    limiter.share(1)  # the others stopped: the whole budget again
    began = time.at
    for n in range(27, 27 + 29):
        await limiter.acquire(str(n))
    assert time.at - began < 1.1
