"""Handlers through the real python-telegram-bot Application, on an offline transport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update

from bot.app import App
from bot.channels.telegram import PerChatUpdateProcessor, TelegramChannel, to_inbound
from bot.clock import FixedClock
from bot.contract import Kind
from bot.domain.models import Role
from bot.storage import meta, people
from tests import factories as f
from tests.channels.offline import OfflineRequest, telegram_channel
from tests.channels.updates import button_update, message_update


@pytest.fixture
async def telegram(app: App) -> AsyncIterator[tuple[TelegramChannel, OfflineRequest]]:
    """The Telegram channel of `app`, initialised on an offline transport."""
    request = OfflineRequest()
    channel = telegram_channel(app, request)
    async with channel.application:
        yield channel, request


async def feed(channel: TelegramChannel, data: dict[str, Any]) -> None:
    """Process one update the way the running bot would."""
    application = channel.application
    await application.process_update(Update.de_json(data, application.bot))


def texts(request: OfflineRequest, chat_id: int) -> list[str]:
    return [str(p["text"]) for p in request.sent() if int(p["chat_id"]) == chat_id]


async def test_start_with_code_binds_and_greets(
    app: App, clock: FixedClock, telegram: tuple[TelegramChannel, OfflineRequest]
) -> None:
    channel, request = telegram
    code = await f.invite(app, "Ayla Voorbeeld", Role.PARTICIPANT, clock.now())
    await feed(channel, message_update(501, f"/start {code}"))
    assert "Welkom, Ayla Voorbeeld" in texts(request, 501)[0]
    assert request.sent()[0]["parse_mode"] == "HTML"
    await feed(channel, message_update(502, f"/start {code}"))
    assert "al gebruikt" in texts(request, 502)[0]
    async with app.services.db.read() as tx:
        assert await people.identity_by_address(tx, "telegram", "501") is not None
        assert await people.identity_by_address(tx, "telegram", "502") is None


async def test_a_new_participant_gets_the_language_of_their_telegram_app(
    app: App, clock: FixedClock, telegram: tuple[TelegramChannel, OfflineRequest]
) -> None:
    channel, _ = telegram
    code = await f.invite(app, "Ayla Voorbeeld", Role.PARTICIPANT, clock.now())
    sender = {"id": 503, "is_bot": False, "first_name": "Test", "language_code": "tr"}
    extra: dict[str, Any] = {"from": sender}
    await feed(channel, message_update(503, f"/start {code}", **extra))
    async with app.services.db.read() as tx:
        identity = await people.identity_by_address(tx, "telegram", "503")
        assert identity is not None
        person = await people.person_by_id(tx, identity.person_id)
    assert person is not None
    assert person.locale == "tr"


def test_the_telegram_app_language_travels_on_the_inbound() -> None:
    for language_code, expected in (("ar", "ar"), ("en-GB", "en-GB"), (None, None)):
        sender: dict[str, object] = {"id": 7, "is_bot": False, "first_name": "Test"}
        if language_code:
            sender["language_code"] = language_code
        extra: dict[str, Any] = {"from": sender}
        update = Update.de_json(message_update(7, "hallo", **extra), None)
        inbound = to_inbound(update)
        assert inbound is not None
        assert inbound.client_language == expected
    pressed = Update.de_json(button_update(7, "taal:ar"), None)
    inbound = to_inbound(pressed)
    assert inbound is not None
    assert inbound.client_language is None  # this sender's app told no language


async def test_language_buttons_and_switch(
    app: App, clock: FixedClock, telegram: tuple[TelegramChannel, OfflineRequest]
) -> None:
    channel, request = telegram
    chats = await f.caseload(app, clock.now())
    chat = int(chats["Ayla Voorbeeld"])
    await feed(channel, message_update(chat, "/taal"))
    raw = request.sent()[-1]["reply_markup"]
    markup = json.loads(raw) if isinstance(raw, str) else raw
    row = markup["inline_keyboard"][0]
    assert [b["callback_data"] for b in row] == ["taal:nl", "taal:en", "taal:ar", "taal:tr"]
    assert [b["text"] for b in row] == ["Nederlands", "English", "العربية", "Türkçe"]
    await feed(channel, button_update(chat, "taal:en"))
    assert "English" in texts(request, chat)[-1]
    assert request.sent("answerCallbackQuery")
    assert not request.sent("editMessageReplyMarkup")  # no new buttons: the old ones stay
    await feed(channel, message_update(chat, "/help"))
    assert "This is what you can do here" in texts(request, chat)[-1]


async def test_groups_are_told_once_and_nothing_is_stored(
    app: App, telegram: tuple[TelegramChannel, OfflineRequest]
) -> None:
    channel, request = telegram
    for _ in range(3):
        await feed(channel, message_update(-100123, "/start abc", chat_type="supergroup"))
    assert len(texts(request, -100123)) == 1
    assert "privé-chat" in texts(request, -100123)[0]
    async with app.services.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM processed_updates") == 0
        assert await tx.scalar("SELECT COUNT(*) FROM invite_attempts") == 0


async def test_stickers_voice_and_edits_get_an_answer(
    app: App, clock: FixedClock, telegram: tuple[TelegramChannel, OfflineRequest]
) -> None:
    channel, request = telegram
    chats = await f.caseload(app, clock.now())
    chat = int(chats["Bram Voorbeeld"])
    sticker = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
    }
    await feed(channel, message_update(chat, sticker=sticker))
    voice = {"file_id": "v1", "file_unique_id": "u2", "duration": 3}
    await feed(channel, message_update(chat, voice=voice))
    edited = message_update(chat, "andere tekst")
    await feed(channel, {"update_id": edited["update_id"], "edited_message": edited["message"]})
    replies = texts(request, chat)
    assert "kan ik niet lezen" in replies[0]
    assert "kan ik niet lezen" in replies[1]
    assert "aangepast" in replies[2]


async def test_post_init_sets_the_menu_in_every_language(
    telegram: tuple[TelegramChannel, OfflineRequest], app: App
) -> None:
    channel, request = telegram
    post_init = channel.application.post_init
    assert post_init is not None
    await post_init(channel.application)
    calls = request.sent("setMyCommands")
    assert {c.get("language_code") for c in calls} == {None, "en", "ar", "tr"}
    commands = (
        json.loads(calls[0]["commands"])
        if isinstance(calls[0]["commands"], str)
        else calls[0]["commands"]
    )
    assert "hulp" in {c["command"] for c in commands}
    async with app.services.db.read() as tx:
        assert await meta.meta_get(tx, "bot_username") == "pto_test_bot"


def test_updates_become_inbounds() -> None:
    command = Update.de_json(message_update(9, "/Start@pto_test_bot abc"), None)
    inbound = to_inbound(command)
    assert inbound is not None
    assert (inbound.kind, inbound.command, inbound.args) == (Kind.COMMAND, "start", "abc")
    pressed = to_inbound(Update.de_json(button_update(9, "decl:edit:revenue"), None))
    assert pressed is not None
    assert (pressed.kind, pressed.button) == (Kind.BUTTON, "decl:edit:revenue")
    assert pressed.address == "9"


async def test_update_processor_keeps_order_per_chat_and_runs_chats_concurrently() -> None:
    processor = PerChatUpdateProcessor(64)
    log: list[tuple[int, int]] = []
    gate = asyncio.Event()

    async def work(chat: int, n: int) -> None:
        if chat == 1 and n == 0:
            await gate.wait()  # chat 1's first update is slow
        log.append((chat, n))
        if chat == 2 and n == 2:
            gate.set()  # chat 2 finished all its updates while chat 1 waited

    updates = [(1, 0), (1, 1), (2, 0), (1, 2), (2, 1), (2, 2)]
    async with processor:
        tasks = [
            asyncio.create_task(
                processor.process_update(
                    Update.de_json(message_update(chat, "x"), None), work(chat, n)
                )
            )
            for chat, n in updates
        ]
        await asyncio.gather(*tasks)
    assert [n for c, n in log if c == 1] == [0, 1, 2]
    assert [n for c, n in log if c == 2] == [0, 1, 2]
    assert log.index((2, 2)) < log.index((1, 0))  # chat 2 did not wait for chat 1
