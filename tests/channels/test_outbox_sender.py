"""The outbox sender against a Bot API server on 127.0.0.1 (429, 500, 403) and a hand fake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot.app import App, open_app
from bot.channels.base import Blocked, DeliveryError, Outgoing, RetryLater
from bot.channels.ratelimit import RateLimiter
from bot.channels.telegram import TelegramChannel
from bot.clock import FixedClock
from bot.config import Settings
from bot.outbox import Sender
from bot.services import queue
from bot.storage import outbox, people
from tests.conftest import NOW
from tests.e2e.fakebotapi import FakeBotApi
from tests.factories import caseload

CHATS = {"kim": 9001, "ayla": 9003, "bram": 9004}


class FakeTime:
    """Monotonic time that only moves when the limiter sleeps: rate limits without waiting."""

    def __init__(self) -> None:
        self.at = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.at

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.at += seconds


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    """A fake Bot API on 127.0.0.1."""
    async with FakeBotApi() as running:
        yield running


@pytest.fixture
async def tg_app(settings: Settings, clock: FixedClock, server: FakeBotApi) -> AsyncIterator[App]:
    """An app whose Telegram channel talks to the fake server."""
    configured = replace(
        settings, telegram_bot_token="123:TEST", telegram_base_url=server.base_url
    )
    async with open_app(configured, clock) as running:
        yield running


async def person(app: App, name: str) -> int:
    async with app.services.db.read() as tx:
        found = await people.person_by_name(tx, name)
    assert found is not None
    return found.id


async def push(app: App, person_id: int, text: str) -> None:
    async with app.services.db.transaction() as tx:
        await outbox.enqueue(
            tx, person_id, "coach/push", NOW, context={"coach": "Cas", "text": text}
        )


async def test_everything_deliverable_arrives_once_in_order_and_a_block_is_flagged(
    tg_app: App, server: FakeBotApi
) -> None:
    await caseload(tg_app, NOW)
    ayla = await person(tg_app, "Ayla Voorbeeld")
    bram = await person(tg_app, "Bram Voorbeeld")
    kim = await person(tg_app, "Kim Klantmanager")
    for i in range(1, 4):
        await push(tg_app, ayla, f"ayla {i}")
    await push(tg_app, bram, "bram 1")
    await push(tg_app, kim, "kim 1")
    await push(tg_app, kim, "kim 2")
    server.fail_next("sendMessage", 500, chat_id=CHATS["ayla"])
    server.fail_next("sendMessage", 429, chat_id=CHATS["kim"], retry_after=1)
    server.block_chat(CHATS["bram"])

    channel = TelegramChannel(tg_app)
    fake_time = FakeTime()
    limiter = RateLimiter(monotonic=fake_time.monotonic, sleep=fake_time.sleep)
    db = tg_app.services.db
    senders = [Sender(db, channel, 5, limiter, backoff=lambda n: 5.0) for _ in range(2)]
    now = NOW
    async with channel.application:
        for _ in range(6):  # two senders at once, the clock moving on between rounds
            await asyncio.gather(*(s.drain_once(now) for s in senders))
            now += timedelta(seconds=10)

    def texts(chat: int) -> list[str]:
        return [t.rsplit("\n", 1)[-1] for t in server.sent_texts(chat)]

    assert texts(CHATS["ayla"]) == ["ayla 1", "ayla 2", "ayla 3"]
    assert texts(CHATS["kim"])[:2] == ["kim 1", "kim 2"]
    assert server.sent_texts(CHATS["bram"]) == []
    # Kim hears once that Bram cannot be reached (the card arrives after her own messages).
    assert len(server.sent_texts(CHATS["kim"])) == 3
    async with db.read() as tx:
        identity = await people.identity_by_address(tx, "telegram", str(CHATS["bram"]))
        items = await tx.all("SELECT kind, participant_id FROM queue_items")
        unsent = await tx.scalar(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND person_id != ?", (bram,)
        )
    assert identity is not None
    assert identity.blocked
    assert [tuple(i) for i in items] == [(queue.UNREACHABLE, bram)]
    assert unsent == 0
    assert max(fake_time.slept, default=0) <= 1.0  # the per-chat limit was applied, not slept


class ScriptedTransport:
    """A channel that fails as told, per address, and records what it delivered."""

    name = "telegram"

    def __init__(self, script: dict[str, list[Exception]]) -> None:
        self.script = script
        self.delivered: list[tuple[str, str]] = []

    async def deliver(self, address: str, message: Outgoing) -> None:
        failures = self.script.get(address, [])
        if failures:
            raise failures.pop(0)
        self.delivered.append((address, message.text.rsplit("\n", 1)[-1]))


async def test_retry_after_and_errors_keep_order_and_parking_tells_the_klantmanager(
    app: App,
) -> None:
    await caseload(app, NOW)
    ayla, bram = await person(app, "Ayla Voorbeeld"), await person(app, "Bram Voorbeeld")
    await push(app, ayla, "ayla 1")
    await push(app, ayla, "ayla 2")
    await push(app, bram, "bram 1")
    transport = ScriptedTransport(
        {
            "9003": [RetryLater(30, "429"), DeliveryError("502")],
            "9004": [DeliveryError("500")] * 3,
        }
    )
    fake_time = FakeTime()
    limiter = RateLimiter(monotonic=fake_time.monotonic, sleep=fake_time.sleep)
    sender = Sender(app.services.db, transport, 3, limiter, backoff=lambda n: 60.0)

    now: datetime = NOW
    assert await sender.drain_once(now) == 0  # 429 for Ayla: the round stops
    assert await sender.drain_once(now + timedelta(seconds=10)) == 0  # still waiting
    for minute in range(1, 6):
        await sender.drain_once(now + timedelta(minutes=minute))
    assert [t for a, t in transport.delivered if a == "9003"] == ["ayla 1", "ayla 2"]
    assert [t for a, t in transport.delivered if a == "9004"] == []
    async with app.services.db.read() as tx:
        parked = await tx.scalar("SELECT COUNT(*) FROM outbox WHERE parked_at IS NOT NULL")
        items = await tx.all("SELECT kind, participant_id FROM queue_items")
    assert parked == 1
    assert [tuple(i) for i in items] == [(queue.DELIVERY_FAILED, bram)]


async def test_a_blocked_chat_is_flagged_once_per_blocking(app: App) -> None:
    await caseload(app, NOW)
    bram = await person(app, "Bram Voorbeeld")
    await push(app, bram, "bram 1")
    transport = ScriptedTransport({"9004": [Blocked("403")]})
    sender = Sender(app.services.db, transport, 3)
    await sender.drain_once(NOW)
    await sender.drain_once(NOW + timedelta(minutes=1))
    async with app.services.db.read() as tx:
        kinds = await tx.all("SELECT kind FROM queue_items")
    assert [k[0] for k in kinds] == [queue.UNREACHABLE]


async def test_the_limiter_allows_thirty_a_second_and_one_a_second_per_chat() -> None:
    fake_time = FakeTime()
    limiter = RateLimiter(monotonic=fake_time.monotonic, sleep=fake_time.sleep)
    for chat in range(60):
        await limiter.acquire(str(chat))
    assert fake_time.at == pytest.approx(1.0)  # the 31st message waited for the next second
    await limiter.acquire("same")  # the second second is full too
    assert fake_time.at == pytest.approx(2.0)
    await limiter.acquire("same")  # one a second for this chat
    assert fake_time.at == pytest.approx(3.0)


async def test_a_chat_waiting_for_its_interval_does_not_hold_up_other_chats() -> None:
    clock = [0.0]

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(0)
        clock[0] += seconds

    limiter = RateLimiter(
        per_second=30, per_chat_interval=1.0, monotonic=lambda: clock[0], sleep=sleep
    )
    done: list[str] = []

    async def send(name: str, chat: str) -> None:
        await limiter.acquire(chat)
        done.append(name)

    await asyncio.gather(send("a1", "A"), send("a2", "A"), send("b1", "B"))
    assert done.index("b1") < done.index("a2")


async def test_replies_count_overall_but_never_starve_a_push_to_a_chatting_person() -> None:
    clock = [0.0]

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(0)
        clock[0] += seconds

    limiter = RateLimiter(
        per_second=3, per_chat_interval=1.0, monotonic=lambda: clock[0], sleep=sleep
    )
    for _ in range(3):
        limiter.note("A")  # the person keeps chatting: three replies this second
    await limiter.acquire("A")  # the push waits for room overall, not for the replies per chat
    assert 1.0 <= clock[0] < 1.5
