"""Webhook mode when PostgreSQL fails mid-update (the connection lost, or no free connection in
time): the update is answered 503 with nothing written, and handled once when Telegram sends it
again (to this or any other instance)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import App, open_app
from bot.channels.telegram import TelegramChannel
from bot.clock import FixedClock
from bot.config import Settings
from bot.storage import conversations
from bot.storage.postgres.db import Database as PostgresDatabase
from bot.storage.unit import Tx
from tests.e2e.fakebotapi import FakeBotApi
from tests.pg_cluster import fresh_database
from tests.privacy.conftest import seed_folks
from tests.privacy.test_webhook import SECRET, TOKEN, _free_port, _wait_listening

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@dataclass
class Hooked:
    """The Telegram channel in webhook mode on PostgreSQL, with Ayla's chat."""

    app: App
    fake: FakeBotApi
    hook: str
    chat: int

    async def post(self, update: dict[str, Any]) -> int:
        async with httpx.AsyncClient(timeout=30) as client:
            return (await client.post(self.hook, json=update, headers=HEADERS)).status_code

    async def processed(self) -> int:
        async with self.app.services.db.read() as tx:
            return int(await tx.scalar("SELECT COUNT(*) FROM processed_updates"))


@pytest.fixture
async def hooked(
    tmp_path: Path, postgres_server: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Hooked]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    port = _free_port()
    with fresh_database(postgres_server) as url:
        async with FakeBotApi(token=TOKEN) as fake:
            settings = Settings(
                database_url=url,
                proof_dir=tmp_path / "proof",
                demo=False,
                telegram_bot_token=TOKEN,
                telegram_base_url=fake.base_url,
                telegram_webhook_url="https://bot.example.org/tg/hook",
                telegram_webhook_secret=SECRET,
                telegram_webhook_port=port,
            )
            async with open_app(settings, clock) as app:
                chat = int((await seed_folks(app, clock.now())).ayla.address)
                stop = asyncio.Event()
                task = asyncio.create_task(TelegramChannel(app).run(stop))
                await _wait_listening(port)
                try:
                    yield Hooked(app, fake, f"http://127.0.0.1:{port}/tg/hook", chat)
                finally:
                    stop.set()
                    await asyncio.wait_for(task, 10)


async def test_an_update_whose_database_went_away_is_refused_then_handled_once(
    hooked: Hooked, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, dying = conversations.chat_context, [True]

    async def connection_lost(tx: Tx, *args: Any) -> Any:
        if dying.pop() if dying else False:  # the first unit only
            await tx.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return await real(tx, *args)

    monkeypatch.setattr(conversations, "chat_context", connection_lost)
    update = hooked.fake.send_text(hooked.chat, "/hulp", enqueue=False)
    assert await hooked.post(update) == 503  # Telegram will send it again
    assert await hooked.processed() == 0  # nothing half-written
    assert hooked.fake.sent_texts(hooked.chat) == []  # nothing said
    assert [await hooked.post(update), await hooked.post(update)] == [200, 200]
    assert await hooked.processed() == 1
    assert len(hooked.fake.sent_texts(hooked.chat)) == 1  # the help, once
    assert "Ayla" in hooked.fake.sent_texts(hooked.chat)[0]


async def test_an_update_that_found_no_free_connection_waits_then_is_refused(
    hooked: Hooked,
) -> None:
    db = hooked.app.services.db
    assert isinstance(db, PostgresDatabase)
    db.pool.timeout = 0.3  # how long a unit waits for a connection (30 s in production)
    update = hooked.fake.send_text(hooked.chat, "/hulp", enqueue=False)
    async with AsyncExitStack() as busy:  # every pooled connection taken, as under load
        for _ in range(db.pool.max_size):
            await busy.enter_async_context(db.pool.connection())
        assert await hooked.post(update) == 503
    assert await hooked.processed() == 0
    assert await hooked.post(update) == 200
    assert await hooked.processed() == 1
    assert len(hooked.fake.sent_texts(hooked.chat)) == 1
