"""Sending to Telegram for the outbox: inline keyboards, editing a sent message, and Telegram's
errors translated into the sender's (RetryLater, Blocked, NotEditable, DeliveryError)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.channels.base import (
    Blocked,
    DeliveryError,
    NotEditable,
    Outgoing,
    RetryLater,
    split_text,
)


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    """Inline keyboard markup for rows of (label, data)."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


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
    async with translated_errors():
        try:
            await bot.edit_message_text(
                split_text(message.text)[0],
                chat_id=int(address),
                message_id=int(message_id),
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(message.buttons),
            )
        except BadRequest as exc:
            reason = str(exc).lower()
            if "not modified" in reason:
                return
            if "not found" in reason or "can't be edited" in reason:
                raise NotEditable(str(exc)) from exc
            raise
