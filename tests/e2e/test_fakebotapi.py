"""Tests for the fake Telegram Bot API, driven by a real python-telegram-bot ``Bot``."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import json
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import telegram
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes
from telegram.helpers import escape_markdown

from tests.e2e.fakebotapi import ApiError, FakeBotApi, parse_formatted_text

TOKEN = "123456:TEST-fake-token"
CHAT = 4242
# A valid 1x1 PNG header is enough: the fake reads width/height from the IHDR chunk.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    + (640).to_bytes(4, "big")
    + (480).to_bytes(4, "big")
    + b"\x08\x02\x00\x00\x00fake-image-body"
)


@pytest.fixture(autouse=True)
def _timedelta_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns when time periods are read as ints; opt into timedelta values."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        yield fake
        assert fake.internal_errors == []


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(
        TOKEN, base_url=server.base_url, base_file_url=server.base_file_url
    ) as client:
        yield client


def keyboard(*data: str) -> telegram.InlineKeyboardMarkup:
    return telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton(f"Button {item}", callback_data=item)] for item in data]
    )


# ------------------------------------------------------------------------------ basics


async def test_urls_and_get_me(server: FakeBotApi, bot: telegram.Bot) -> None:
    assert server.base_url == f"http://127.0.0.1:{server.port}/bot"
    assert server.base_file_url == f"http://127.0.0.1:{server.port}/file/bot"
    assert server.port > 0
    me = await bot.get_me()
    assert me.username == "pto_test_bot"
    assert me.is_bot
    assert me.id == 123456
    assert me.can_join_groups is True
    assert bot.username == "pto_test_bot"  # Bot.initialize() called getMe too
    assert [call.method for call in server.requests] == ["getMe", "getMe"]


async def test_wrong_token_is_unauthorized(server: FakeBotApi) -> None:
    other = telegram.Bot("999:wrong", base_url=server.base_url)
    with pytest.raises(InvalidToken, match="rejected by the server"):
        await other.initialize()  # initialize() calls getMe
    await other.shutdown()
    assert server.requests[-1].method == "getMe"
    # nothing of it counts as sent
    assert server.sent_messages() == []


async def test_send_message_returns_full_message(server: FakeBotApi, bot: telegram.Bot) -> None:
    first = await bot.send_message(CHAT, "Hello", reply_markup=keyboard("yes", "no"))
    second = await bot.send_message(CHAT, "Again")
    assert isinstance(first, telegram.Message)
    assert first.message_id == 1
    assert second.message_id == 2
    assert first.chat.id == CHAT
    assert first.chat.type == telegram.constants.ChatType.PRIVATE
    assert first.text == "Hello"
    assert first.from_user is not None
    assert first.from_user.username == "pto_test_bot"
    assert abs(first.date.timestamp() - time.time()) < 60
    assert first.reply_markup == keyboard("yes", "no")
    assert second.reply_markup is None

    sent = server.sent_messages(CHAT)
    assert [message["text"] for message in sent] == ["Hello", "Again"]
    assert server.sent_messages(CHAT + 1) == []
    assert server.last_reply_markup(CHAT) == keyboard("yes", "no").to_dict()
    method, params = server.requests[-1]
    assert method == "sendMessage"
    assert params == {"chat_id": CHAT, "text": "Again"}

    reply = await first.reply_text("Reply", do_quote=True)
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == first.message_id
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(CHAT, "x", reply_parameters=telegram.ReplyParameters(99))


async def test_reply_keyboards_are_recorded_but_not_echoed(
    server: FakeBotApi, bot: telegram.Bot
) -> None:
    markup = telegram.ReplyKeyboardMarkup([["Ja", "Nee"]], one_time_keyboard=True)
    message = await bot.send_message(CHAT, "Choose", reply_markup=markup)
    assert message.reply_markup is None  # Telegram only echoes inline keyboards
    assert server.last_reply_markup(CHAT) == markup.to_dict()


async def test_parse_mode_produces_entities(server: FakeBotApi, bot: telegram.Bot) -> None:
    message = await bot.send_message(
        CHAT, "  <b>Vrij</b> op <i>maandag</i> &amp; dinsdag \n", parse_mode=ParseMode.HTML
    )
    assert message.text == "Vrij op maandag & dinsdag"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 4),
        ("italic", 8, 7),
    ]
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(CHAT, "1 < 2 <br>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)Character '.' is reserved"):
        await bot.send_message(CHAT, "Done.", parse_mode=ParseMode.MARKDOWN_V2)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(CHAT, "   ")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    assert len(server.sent_messages()) == 1


async def test_invalid_callback_data_is_rejected(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "Too long", reply_markup=keyboard("x" * 65))


# ---------------------------------------------------------------------------- updates


async def test_get_updates_parses_and_honours_offset(
    server: FakeBotApi, bot: telegram.Bot
) -> None:
    sent = await bot.send_message(CHAT, "Pick one", reply_markup=keyboard("approve", "reject"))
    server.send_text(CHAT, "hallo")
    server.send_command(CHAT, "start", "deep-link")
    server.press_button(CHAT, sent, "approve")
    server.send_photo(CHAT, PNG, caption="proof")

    updates = await bot.get_updates(timeout=0)
    assert [update.update_id for update in updates] == [1, 2, 3, 4]
    text, command, press, photo = updates
    assert text.message is not None
    assert text.message.text == "hallo"
    assert text.message.from_user is not None
    assert text.message.from_user.id == CHAT
    assert command.message is not None
    assert command.message.text == "/start deep-link"
    assert command.message.entities[0].type == telegram.MessageEntity.BOT_COMMAND
    assert command.message.entities[0].length == len("/start")
    assert press.callback_query is not None
    assert press.callback_query.data == "approve"
    assert press.callback_query.message is not None
    assert press.callback_query.message.message_id == sent.message_id
    assert press.callback_query.chat_instance
    assert photo.message is not None
    assert photo.message.caption == "proof"
    assert photo.message.photo[-1].width == 640
    assert photo.message.photo[-1].height == 480
    assert all(size.file_size == len(PNG) for size in photo.message.photo)

    # Not confirmed yet: the same updates come again, and `limit` is honoured.
    again = await bot.get_updates(timeout=0, limit=2)
    assert [update.update_id for update in again] == [1, 2]
    # Confirming with offset drops everything below it.
    rest = await bot.get_updates(offset=3, timeout=0)
    assert [update.update_id for update in rest] == [3, 4]
    assert await bot.get_updates(offset=5, timeout=0) == ()
    assert server.pending_updates == []
    # Old offsets do not bring confirmed updates back.
    assert await bot.get_updates(offset=1, timeout=0) == ()


async def test_long_poll_wakes_up_when_update_arrives(
    server: FakeBotApi, bot: telegram.Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=dtm.timedelta(seconds=10)))
    await server.wait_for_requests("getUpdates")
    started = time.monotonic()
    server.send_text(CHAT, "wake up")
    updates = await asyncio.wait_for(poll, 3)
    assert time.monotonic() - started < 2
    assert updates[0].message is not None
    assert updates[0].message.text == "wake up"


async def test_long_poll_times_out_empty() -> None:
    async with (
        FakeBotApi(max_long_poll=0.2) as server,
        telegram.Bot(TOKEN, base_url=server.base_url) as bot,
    ):
        started = time.monotonic()
        assert await bot.get_updates(timeout=dtm.timedelta(seconds=5)) == ()
        assert 0.15 < time.monotonic() - started < 2


async def test_other_update_kinds_parse(server: FakeBotApi, bot: telegram.Bot) -> None:
    original = server.send_text(CHAT, "typo")
    server.send_edited_text(CHAT, original["message"]["message_id"], "fixed")
    server.send_group_text(-100777, "hello group", server.make_user(55, "Group", "groupie"))
    server.send_command(-100777, "help", user=55, mention_bot=True)
    server.send_sticker(CHAT)
    server.send_voice(CHAT, b"OggS voice", duration=3)
    server.send_document(CHAT, b"%PDF-1.4 data", "verlof.pdf", "application/pdf", caption="doc")

    updates = await bot.get_updates(timeout=0)
    _, edited, group, group_command, sticker, voice, document = updates
    assert edited.edited_message is not None
    assert edited.edited_message.text == "fixed"
    assert edited.edited_message.edit_date is not None
    assert group.message is not None
    assert group.message.chat.type == telegram.constants.ChatType.SUPERGROUP
    assert group.message.chat.title
    assert group.message.from_user is not None
    assert group.message.from_user.username == "groupie"
    assert group_command.message is not None
    assert group_command.message.text == "/help@pto_test_bot"
    assert group_command.message.entities[0].length == len("/help@pto_test_bot")
    assert sticker.message is not None
    assert sticker.message.sticker is not None
    assert sticker.message.sticker.emoji == "\N{THUMBS UP SIGN}"
    assert voice.message is not None
    assert voice.message.voice is not None
    assert voice.message.voice.duration == dtm.timedelta(seconds=3)
    assert document.message is not None
    assert document.message.document is not None
    assert document.message.document.file_name == "verlof.pdf"
    assert document.message.document.file_size == len(b"%PDF-1.4 data")
    downloaded = await (await document.message.document.get_file()).download_as_bytearray()
    assert bytes(downloaded) == b"%PDF-1.4 data"


async def test_make_update_is_not_queued_and_parses(server: FakeBotApi, bot: telegram.Bot) -> None:
    payload = server.send_text(CHAT, "via webhook", enqueue=False)
    custom = server.make_update("message", payload["message"])
    assert custom["update_id"] == payload["update_id"] + 1
    assert server.pending_updates == []
    update = telegram.Update.de_json(json.loads(json.dumps(payload)), bot)
    assert update.message is not None
    assert update.message.text == "via webhook"


async def test_webhook_methods_and_conflict(server: FakeBotApi, bot: telegram.Bot) -> None:
    assert await bot.set_webhook("https://example.invalid/hook", secret_token="s3cret")
    assert server.webhook["url"] == "https://example.invalid/hook"
    assert server.webhook["secret_token"] == "s3cret"
    server.send_text(CHAT, "queued")
    info = await bot.get_webhook_info()
    assert info.url == "https://example.invalid/hook"
    assert info.pending_update_count == 1
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates(timeout=0) == ()


# ----------------------------------------------------------------------------- editing


async def test_edit_and_answer_callback(server: FakeBotApi, bot: telegram.Bot) -> None:
    message = await bot.send_message(CHAT, "Approve?", reply_markup=keyboard("ok"))
    update = server.press_button(CHAT, message.message_id, "ok")
    query_id = update["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id, text="Done")
    assert server.callback_answers[0]["text"] == "Done"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)

    edited = await bot.edit_message_text("Approved", CHAT, message.message_id)
    assert isinstance(edited, telegram.Message)
    assert edited.text == "Approved"
    assert edited.edit_date is not None
    assert edited.reply_markup is None  # editing text without markup drops the keyboard
    assert server.last_reply_markup(CHAT) is None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Approved", CHAT, message.message_id)

    marked = await bot.edit_message_reply_markup(
        CHAT, message.message_id, reply_markup=keyboard("undo")
    )
    assert isinstance(marked, telegram.Message)
    assert marked.reply_markup == keyboard("undo")
    assert marked.text == "Approved"
    assert server.sent_messages(CHAT)[0]["text"] == "Approved"
    with pytest.raises(ValueError, match="no button"):
        server.press_button(CHAT, message, "ok")
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", CHAT, 999)


# ------------------------------------------------------------------------------- files


async def test_send_document_upload_and_photo_download(
    server: FakeBotApi, bot: telegram.Bot
) -> None:
    message = await bot.send_document(
        CHAT, b"%PDF-1.4 report", filename="overzicht-\N{EURO SIGN}.pdf", caption="Report"
    )
    assert message.document is not None
    assert message.document.file_name == "overzicht-\N{EURO SIGN}.pdf"
    assert message.document.file_size == len(b"%PDF-1.4 report")
    assert message.caption == "Report"
    (upload,) = server.uploads
    assert upload.filename == "overzicht-\N{EURO SIGN}.pdf"
    assert upload.size == len(b"%PDF-1.4 report")
    sent = server.sent_messages(CHAT)[0]
    assert sent["caption"] == "Report"
    assert sent["document"]["file_size"] == len(b"%PDF-1.4 report")

    # Re-sending by file_id works and uploads nothing new.
    again = await bot.send_document(CHAT, message.document.file_id)
    assert again.document is not None
    assert again.document.file_unique_id == message.document.file_unique_id
    assert len(server.uploads) == 1

    photo = await bot.send_photo(CHAT, PNG, caption="Proof")
    assert photo.photo[-1].width == 640
    assert photo.caption == "Proof"

    update = server.send_photo(CHAT, PNG)
    file_id = update["message"]["photo"][-1]["file_id"]
    tg_file = await bot.get_file(file_id)
    assert tg_file.file_size == len(PNG)
    assert bytes(await tg_file.download_as_bytearray()) == PNG
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("does-not-exist")


# ------------------------------------------------------------------------------ errors


async def test_injected_429_raises_retry_after(server: FakeBotApi, bot: telegram.Bot) -> None:
    server.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT, "too fast")
    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    assert (await bot.send_message(CHAT, "later")).text == "later"
    assert server.sent_texts(CHAT) == ["later"]


async def test_injected_403_and_blocked_chat(server: FakeBotApi, bot: telegram.Bot) -> None:
    server.fail_next("sendMessage", 403, chat_id=CHAT)
    assert await bot.send_message(CHAT + 1, "other chat unaffected")
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(CHAT, "blocked once")
    assert await bot.send_message(CHAT, "fine again")

    server.block_chat(CHAT)
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(CHAT, "blocked")
    with pytest.raises(Forbidden):
        await bot.send_document(CHAT, b"data", filename="a.txt")
    server.unblock_chat(CHAT)
    assert await bot.send_message(CHAT, "unblocked")


async def test_injected_500_raises_network_error(server: FakeBotApi, bot: telegram.Bot) -> None:
    server.fail_next("*", 500, times=2)
    with pytest.raises(NetworkError):
        await bot.send_message(CHAT, "boom")
    with pytest.raises(TelegramError, match=r"(?i)Internal Server Error"):
        await bot.get_me()
    assert await bot.get_me()


async def test_unknown_method_is_not_found(server: FakeBotApi, bot: telegram.Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathicHint", api_kwargs={"chat_id": CHAT})
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{server.base_url}{TOKEN}/noSuchMethod")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_custom_handler(server: FakeBotApi, bot: telegram.Bot) -> None:
    def handler(params: dict[str, object]) -> object:
        if params.get("question") == "fail":
            raise ApiError(400, "Bad Request: poll can't be empty")
        return {"handled": params["question"]}

    server.set_handler("sendPollLike", handler)
    assert await bot.do_api_request("sendPollLike", api_kwargs={"question": "q"}) == {
        "handled": "q"
    }
    with pytest.raises(BadRequest, match=r"(?i)poll can't be empty"):
        await bot.do_api_request("sendPollLike", api_kwargs={"question": "fail"})


async def test_unexpected_handler_error_becomes_500() -> None:
    async with (
        FakeBotApi() as server,
        telegram.Bot(TOKEN, base_url=server.base_url) as bot,
    ):
        server.set_handler("getBuggy", lambda params: 1 / 0)
        with pytest.raises(NetworkError, match="ZeroDivisionError"):
            await bot.do_api_request("getBuggy")
        assert [type(error) for error in server.internal_errors] == [ZeroDivisionError]


async def test_global_rate_limit() -> None:
    async with (
        FakeBotApi(enforce_limits=True) as server,
        telegram.Bot(TOKEN, base_url=server.base_url) as bot,
    ):
        results = await asyncio.gather(
            *(bot.send_message(1000 + index, f"bulk {index}") for index in range(31)),
            return_exceptions=True,
        )
        failures = [result for result in results if isinstance(result, RetryAfter)]
        assert len(failures) == 1
        assert failures[0].retry_after == dtm.timedelta(seconds=1)
        assert server.rate_violations == 1
        assert len(server.sent_messages()) == 30


async def test_per_chat_rate_limit_and_passive_counting() -> None:
    async with (
        FakeBotApi(enforce_limits=True, per_chat_limit=1) as server,
        telegram.Bot(TOKEN, base_url=server.base_url) as bot,
    ):
        await bot.send_message(CHAT, "one")
        with pytest.raises(RetryAfter):
            await bot.send_message(CHAT, "two")
        assert await bot.send_message(CHAT + 1, "other chat")
        assert server.rate_violations == 1
    async with (
        FakeBotApi(per_chat_limit=1) as passive,
        telegram.Bot(TOKEN, base_url=passive.base_url) as bot,
    ):
        await bot.send_message(CHAT, "one")
        await bot.send_message(CHAT, "two")  # not enforced, only counted
        assert passive.rate_violations == 1


async def test_per_chat_bursts_are_allowed_then_one_a_second() -> None:
    async with (
        FakeBotApi(enforce_limits=True, per_chat_limit=1, per_chat_burst=3) as server,
        telegram.Bot(TOKEN, base_url=server.base_url) as bot,
    ):
        for text in ("one", "two", "three"):  # a short burst goes through
            await bot.send_message(CHAT, text)
        with pytest.raises(RetryAfter) as refused:
            await bot.send_message(CHAT, "four")
        assert refused.value.retry_after == dtm.timedelta(seconds=1)
        assert await bot.send_message(CHAT + 1, "other chat")
        assert server.rate_violations == 1


# ---------------------------------------------------------------------------- commands


async def test_bot_commands_and_misc_methods(bot: telegram.Bot, server: FakeBotApi) -> None:
    commands = [telegram.BotCommand("start", "Begin"), telegram.BotCommand("verlof", "Leave")]
    assert await bot.set_my_commands(commands)
    assert await bot.get_my_commands() == tuple(commands)
    dutch = [telegram.BotCommand("hulp", "Help")]
    assert await bot.set_my_commands(dutch, language_code="nl")
    assert await bot.get_my_commands(language_code="nl") == tuple(dutch)
    assert server.commands() == [c.to_dict() for c in commands]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([telegram.BotCommand("Bad Command", "x")])
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert await bot.send_chat_action(CHAT, telegram.constants.ChatAction.TYPING)
    chat = await bot.get_chat(CHAT)
    assert chat.id == CHAT
    assert await bot.log_out()
    assert await bot.close()


# ------------------------------------------------------------------------ wire formats


async def test_json_form_and_query_bodies(server: FakeBotApi) -> None:
    url = f"{server.base_url}{TOKEN}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with httpx.AsyncClient() as client:
        as_json = await client.post(
            url, json={"chat_id": CHAT, "text": "json", "reply_markup": markup}
        )
        as_form = await client.post(
            url, data={"chat_id": str(CHAT), "text": "form", "reply_markup": json.dumps(markup)}
        )
        as_query = await client.get(url, params={"chat_id": CHAT, "text": "query"})
        lower_case = await client.post(
            f"{server.base_url}{TOKEN}/sendmessage", data={"chat_id": CHAT, "text": "case"}
        )
    for response in (as_json, as_form, as_query, lower_case):
        assert response.status_code == 200, response.text
        assert response.json()["ok"] is True
    assert as_json.json()["result"]["reply_markup"] == markup
    assert as_form.json()["result"]["reply_markup"] == markup
    assert [call.params["text"] for call in server.requests] == ["json", "form", "query", "case"]
    assert all(call.method == "sendMessage" for call in server.requests)
    assert all(call.params["chat_id"] == CHAT for call in server.requests)


async def test_wait_for_messages_times_out_with_context(server: FakeBotApi) -> None:
    with pytest.raises(TimeoutError, match="sent so far"):
        await server.wait_for_messages(CHAT, 1, timeout=0.05)


# ---------------------------------------------------------------- a full Application


async def test_application_polling_round_trip(server: FakeBotApi) -> None:
    async def start(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"Welcome {context.args}")

    application: Application = (  # type: ignore[type-arg]
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=dtm.timedelta(seconds=5))
        server.send_command(CHAT, "start", "abc")
        replies = await server.wait_for_messages(CHAT, 1, timeout=3)
        assert replies[0]["text"] == "Welcome ['abc']"
        await server.wait_for_updates_consumed(timeout=3)
        await application.updater.stop()
        await application.stop()


# ---------------------------------------------------------------------- thread mode


@pytest.fixture
def threaded_server() -> Iterator[FakeBotApi]:
    with FakeBotApi().run_in_thread() as fake:
        yield fake


def test_thread_mode_sync_client(threaded_server: FakeBotApi) -> None:
    server = threaded_server
    base = f"{server.base_url}{TOKEN}"
    server.send_text(CHAT, "sync hello")
    with httpx.Client() as client:
        updates = client.post(f"{base}/getUpdates", data={"timeout": "1"}).json()
        assert updates["result"][0]["message"]["text"] == "sync hello"
        reply = client.post(f"{base}/sendMessage", data={"chat_id": CHAT, "text": "sync reply"})
        assert reply.json()["result"]["text"] == "sync reply"
    assert server.wait_for_messages_sync(CHAT, 1, timeout=1)[0]["text"] == "sync reply"
    with pytest.raises(TimeoutError):
        server.wait_for_messages_sync(CHAT, 2, timeout=0.05)


async def test_thread_mode_with_async_waiter() -> None:
    server = FakeBotApi().start_thread()
    try:
        async with telegram.Bot(TOKEN, base_url=server.base_url) as bot:
            waiter = asyncio.create_task(server.wait_for_messages(CHAT, 1, timeout=3))
            await bot.send_message(CHAT, "from another loop")
            (message,) = await waiter
            assert message["text"] == "from another loop"
    finally:
        server.stop_thread()
    assert not server.running


async def test_sync_wait_refuses_to_block_server_loop(server: FakeBotApi) -> None:
    with pytest.raises(RuntimeError, match="async variant"):
        server.wait_for_messages_sync(CHAT, 1, timeout=0.01)


# ------------------------------------------------------------------- formatted text


def test_markdown_v2_entities() -> None:
    text, entities = parse_formatted_text(
        r"*bold* _it_ __under__ ~del~ ||spoil|| `co\`de` [link](https://e.x/a\)b) \.",
        "MarkdownV2",
    )
    assert text == "bold it under del spoil co`de link ."
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bold", 0, 4),
        ("italic", 5, 2),
        ("underline", 8, 5),
        ("strikethrough", 14, 3),
        ("spoiler", 18, 5),
        ("code", 24, 5),
        ("text_link", 30, 4),
    ]
    assert entities[-1]["url"] == "https://e.x/a)b"
    pre_text, pre = parse_formatted_text("```python\nprint(1)\n```", "MarkdownV2")
    assert pre_text == "print(1)"
    assert pre == [{"type": "pre", "offset": 0, "length": 8, "language": "python"}]
    quote_text, quote = parse_formatted_text(">quoted\n>more\nafter", "MarkdownV2")
    assert quote_text == "quoted\nmore\nafter"
    assert quote == [{"type": "blockquote", "offset": 0, "length": 11}]
    with pytest.raises(ApiError, match="Can't find end of the entity"):
        parse_formatted_text("*open", "MarkdownV2")


def test_html_and_legacy_markdown_entities() -> None:
    text, entities = parse_formatted_text(
        '<a href="https://e.x/?a=1&amp;b=2">l</a> <pre><code class="language-py">x</code></pre>'
        " \N{GRINNING FACE}<b>b</b>",
        "HTML",
    )
    assert text == "l x \N{GRINNING FACE}b"
    assert entities == [
        {"type": "text_link", "offset": 0, "length": 1, "url": "https://e.x/?a=1&b=2"},
        {"type": "pre", "offset": 2, "length": 1, "language": "py"},
        {"type": "bold", "offset": 6, "length": 1},  # the emoji is 2 UTF-16 units
    ]
    with pytest.raises(ApiError, match="Unmatched end tag"):
        parse_formatted_text("<b><i>x</b></i>", "HTML")
    with pytest.raises(ApiError, match="Can't find end tag"):
        parse_formatted_text("<b>x", "HTML")
    legacy_text, legacy = parse_formatted_text("*b* _i_ `c` [l](https://e.x)", "Markdown")
    assert legacy_text == "b i c l"
    assert [e["type"] for e in legacy] == ["bold", "italic", "code", "text_link"]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=60))
def test_escaped_text_round_trips(raw: str) -> None:
    expected = raw.strip()
    assert parse_formatted_text(escape_markdown(raw, version=2), "MarkdownV2") == (expected, [])
    assert parse_formatted_text(html.escape(raw, quote=False), "HTML") == (expected, [])
    assert parse_formatted_text(raw, None) == (expected, [])
