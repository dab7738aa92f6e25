"""Webhook mode: Telegram must send the secret token; the bot listens only where configured."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from bot.app import App, open_app
from bot.channels.telegram import TelegramChannel
from bot.clock import FixedClock
from bot.config import Settings, load_settings
from tests.e2e.fakebotapi import FakeBotApi
from tests.privacy.conftest import seed_folks

TOKEN = "424242:webhook-test-token"
SECRET = "hook-secret_0123456789"
PATH = "tg/hook-7f3a"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def webhook(
    settings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[FakeBotApi, App, str]]:
    """The Telegram channel in webhook mode on 127.0.0.1, talking to a fake Bot API."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    port = _free_port()
    async with FakeBotApi(token=TOKEN) as fake:
        configured = replace(
            settings,
            telegram_bot_token=TOKEN,
            telegram_base_url=fake.base_url,
            telegram_webhook_url=f"https://bot.example.org/{PATH}",
            telegram_webhook_secret=SECRET,
            telegram_webhook_listen="127.0.0.1",
            telegram_webhook_port=port,
        )
        async with open_app(configured, clock) as app:
            folks = await seed_folks(app, clock.now())
            channel = TelegramChannel(app)
            stop = asyncio.Event()
            task = asyncio.create_task(channel.run(stop))
            await fake.wait_until(lambda: bool(fake.webhook.get("url")), timeout=10)
            await _wait_listening(port)
            try:
                yield fake, app, f"http://127.0.0.1:{port}/{PATH}"
            finally:
                stop.set()
                await asyncio.wait_for(task, 10)
            assert folks.ayla.address


async def _wait_listening(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.02)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise TimeoutError(f"nothing listens on port {port}")


async def test_the_webhook_is_registered_with_the_secret(
    webhook: tuple[FakeBotApi, App, str],
) -> None:
    fake, _, _ = webhook
    assert fake.webhook["url"] == f"https://bot.example.org/{PATH}"
    assert fake.webhook["secret_token"] == SECRET


async def test_a_post_without_the_right_secret_is_rejected_and_not_handled(
    webhook: tuple[FakeBotApi, App, str],
) -> None:
    fake, app, url = webhook
    chat = 5006  # Ayla's chat in seed_folks
    async with httpx.AsyncClient() as client:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            update = fake.send_text(chat, "/hulp", enqueue=False)
            response = await client.post(url, json=update, headers=headers)
            assert response.status_code == 403
        elsewhere = await client.post(
            url.rsplit("/", 1)[0] + "/other",
            json=fake.send_text(chat, "/hulp", enqueue=False),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        assert elsewhere.status_code in (403, 404, 405)
        assert fake.sent_texts(chat) == []
        async with app.services.db.read() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM processed_updates") == 0
        good = fake.send_text(chat, "/hulp", enqueue=False)
        response = await client.post(
            url, json=good, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert response.status_code == 200
    messages = await fake.wait_for_messages(chat, count=1, timeout=10)
    assert "Ayla" in messages[0]["text"]


def test_webhook_mode_needs_a_secret_and_listens_on_localhost_by_default() -> None:
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings({"TELEGRAM_WEBHOOK_URL": "https://bot.example.org/h"}, env_file=None)
    settings = load_settings(
        {"TELEGRAM_WEBHOOK_URL": "https://bot.example.org/h", "TELEGRAM_WEBHOOK_SECRET": SECRET},
        env_file=None,
    )
    assert settings.telegram_webhook_listen == "127.0.0.1"
