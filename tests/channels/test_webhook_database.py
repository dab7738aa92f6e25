"""Webhook mode when PostgreSQL fails mid-update: the update is answered 503 with nothing
written, and handled once when Telegram sends it again (to this or any other instance)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import open_app
from bot.channels.telegram import TelegramChannel
from bot.clock import FixedClock
from bot.config import Settings
from bot.storage import conversations
from bot.storage.unit import Tx
from tests.e2e.fakebotapi import FakeBotApi
from tests.pg_cluster import fresh_database
from tests.privacy.conftest import seed_folks
from tests.privacy.test_webhook import SECRET, TOKEN, _free_port, _wait_listening

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


async def test_an_update_whose_database_went_away_is_refused_then_handled_once(
    tmp_path: Path, postgres_server: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
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
                real, dying = conversations.chat_context, [True]

                async def connection_lost(tx: Tx, *args: Any) -> Any:
                    if dying.pop() if dying else False:  # the first unit only
                        await tx.execute("SELECT pg_terminate_backend(pg_backend_pid())")
                    return await real(tx, *args)

                monkeypatch.setattr(conversations, "chat_context", connection_lost)
                update = fake.send_text(chat, "/hulp", enqueue=False)
                hook = f"http://127.0.0.1:{port}/tg/hook"
                try:
                    async with httpx.AsyncClient(timeout=30) as client:
                        first = await client.post(hook, json=update, headers=HEADERS)
                        async with app.services.db.read() as tx:
                            recorded = await tx.scalar("SELECT COUNT(*) FROM processed_updates")
                        sent_after_first = list(fake.sent_texts(chat))
                        again = await client.post(hook, json=update, headers=HEADERS)
                        once_more = await client.post(hook, json=update, headers=HEADERS)
                finally:
                    stop.set()
                    await asyncio.wait_for(task, 10)
                async with app.services.db.read() as tx:
                    recorded_after = await tx.scalar("SELECT COUNT(*) FROM processed_updates")
    assert first.status_code == 503  # Telegram will send it again
    assert (recorded, sent_after_first) == (0, [])  # nothing half-written, nothing said
    assert (again.status_code, once_more.status_code) == (200, 200)
    assert recorded_after == 1
    assert len(fake.sent_texts(chat)) == 1  # the help, once
    assert "Ayla" in fake.sent_texts(chat)[0]
