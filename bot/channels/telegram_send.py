"""Sending to Telegram on a thin path: ready JSON parameters through python-telegram-bot's public
`Bot.do_api_request`, the inline keyboard serialised once per shape (`reply_markup`), no markup
objects built and no `Message` parsed from the answer (only its `message_id` is read); and
Telegram's errors translated into the outbox sender's (RetryLater, Blocked, NotEditable,
DeliveryError).

python-telegram-bot's own `send_message` builds an `InlineKeyboardButton` per button, serialises
them, and parses the echoed message with all its buttons back into objects: measured, that costs
more than a whole echo bot's update (issue 15). Receiving, webhooks, files and errors stay PTB's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.channels.base import (
    Blocked,
    DeliveryError,
    NotEditable,
    Outgoing,
    RetryLater,
    split_text,
)
from bot.channels.telegram_http import RawJSON

# Bot API methods as `do_api_request` endpoints. PTB turns snake case into the method's camel
# case ("send_Message" → "sendMessage"), and it warns "please use Bot.send_message" only for a
# name that is also one of its own attributes, which these spellings are not: we bypass the
# typed methods on purpose, so the wire sees exactly the canonical method names.
SEND_MESSAGE = "send_Message"
SEND_DOCUMENT = "send_Document"
EDIT_MESSAGE_TEXT = "edit_Message_Text"
EDIT_MESSAGE_REPLY_MARKUP = "edit_Message_Reply_Markup"
ANSWER_CALLBACK_QUERY = "answer_Callback_Query"
HTML = "HTML"
CAPTION_LIMIT = 1024

Rows = tuple[tuple[tuple[str, str], ...], ...]


@lru_cache(maxsize=2048)
def _markup_json(rows: Rows) -> RawJSON:
    return RawJSON(
        orjson.dumps(
            {
                "inline_keyboard": [
                    [{"text": t, "callback_data": d} for t, d in row] for row in rows
                ]
            }
        ).decode()
    )


def reply_markup(rows: list[list[tuple[str, str]]]) -> RawJSON | None:
    """The inline keyboard for rows of (label, data) as its JSON, made once per shape."""
    if not rows:
        return None
    return _markup_json(tuple(tuple(row) for row in rows))


async def call(bot: Bot, endpoint: str, params: dict[str, Any]) -> Any:
    """One Bot API call; its raw result (a dict, or True), never parsed into objects."""
    return await bot.do_api_request(endpoint, params, return_type=None)


async def send(bot: Bot, chat_id: int, message: Outgoing) -> int | None:
    """Send the message (in parts when long, the buttons and the file with the last part);
    the id of its last part."""
    parts = split_text(message.text)
    markup = reply_markup(message.buttons)
    sent_id = None
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        params: dict[str, Any] = {"chat_id": chat_id, "parse_mode": HTML}
        if last and markup:
            params["reply_markup"] = markup
        if last and message.document:
            path = Path(message.document)
            data = await asyncio.to_thread(path.read_bytes)
            params["document"] = InputFile(data, filename=path.name)
            if part[:CAPTION_LIMIT]:
                params["caption"] = part[:CAPTION_LIMIT]
            result = await call(bot, SEND_DOCUMENT, params)
        else:
            params["text"] = part
            result = await call(bot, SEND_MESSAGE, params)
        sent_id = int(result["message_id"])
    return sent_id


@contextlib.asynccontextmanager
async def translated_errors() -> AsyncIterator[None]:
    """Telegram's errors as the outbox sender's: RetryLater, Blocked, DeliveryError."""
    try:
        yield
    except NotEditable:
        raise
    except RetryAfter as exc:
        retry = exc.retry_after
        seconds = retry if isinstance(retry, int | float) else retry.total_seconds()
        raise RetryLater(float(seconds), "rate limited") from exc
    except Forbidden as exc:
        raise Blocked(str(exc)) from exc
    except BadRequest as exc:
        if "chat not found" in str(exc).lower():
            raise Blocked(str(exc)) from exc
        raise DeliveryError(str(exc)) from exc
    except NetworkError as exc:  # also 5xx: retried with backoff, parked after too many
        raise DeliveryError(str(exc)) from exc
    except TelegramError as exc:
        raise DeliveryError(str(exc)) from exc


async def edit_message(bot: Bot, address: str, message_id: str, message: Outgoing) -> None:
    """Replace the text and buttons of a sent message; NotEditable when it is gone or too old
    (the sender then sends it anew); "not modified" means it shows this already."""
    params: dict[str, Any] = {
        "chat_id": int(address),
        "message_id": int(message_id),
        "text": split_text(message.text)[0],
        "parse_mode": HTML,
    }
    markup = reply_markup(message.buttons)
    if markup:
        params["reply_markup"] = markup
    async with translated_errors():
        try:
            await call(bot, EDIT_MESSAGE_TEXT, params)
        except BadRequest as exc:
            reason = str(exc).lower()
            if "not modified" in reason:
                return
            if "not found" in reason or "can't be edited" in reason:
                raise NotEditable(str(exc)) from exc
            raise


async def remove_keyboard(bot: Bot, chat_id: int, message_id: int) -> None:
    """Take the buttons off a sent message."""
    await call(bot, EDIT_MESSAGE_REPLY_MARKUP, {"chat_id": chat_id, "message_id": message_id})


async def answer_button(bot: Bot, query_id: str) -> None:
    """Stop a pressed button's spinner."""
    await call(bot, ANSWER_CALLBACK_QUERY, {"callback_query_id": query_id})
