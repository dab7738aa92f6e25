"""What every channel shares: rendering replies, splitting long texts, plain-text fallback."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.contract import Reply
from messages import render, render_buttons

TELEGRAM_LIMIT = 4096
_TAG = re.compile(r"</?(b|i|u|s|code|pre|a)(\s[^>]*)?>")


@dataclass(frozen=True)
class Outgoing:
    """A rendered message: HTML text, rows of (label, data) buttons, maybe a file to attach."""

    text: str
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    document: str | None = None
    # What it was rendered from: a channel that must sometimes send an approved template
    # instead (WhatsApp outside its 24-hour window) picks the template by key and language.
    key: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)
    locale: str = ""
    as_list: bool = False


def render_reply(reply: Reply, locale: str) -> Outgoing:
    """Render a reply in the recipient's language."""
    return Outgoing(
        text=render(reply.key, locale, **reply.ctx),
        buttons=render_buttons(reply.buttons, locale),
        document=reply.document,
        key=reply.key,
        context=reply.ctx,
        locale=locale,
        as_list=reply.as_list,
    )


def split_text(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split at line ends so every part fits the platform's limit."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            parts.append(current)
            current = ""
        current += line
    if current.strip():
        parts.append(current)
    return [p.rstrip("\n") for p in parts]


def html_to_text(text: str) -> str:
    """Telegram HTML as plain text, for the terminal."""
    return html.unescape(_TAG.sub("", text))


class DeliveryError(Exception):
    """Sending a pushed message failed."""


class RetryLater(DeliveryError):
    """The platform asked us to wait (429) or had a passing fault."""

    def __init__(self, retry_after: float, reason: str) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Blocked(DeliveryError):
    """The person blocked the bot or the chat is gone."""


class NotEditable(DeliveryError):
    """The message to edit is gone or too old to edit: send it anew."""


class Transport(Protocol):
    """A channel as the outbox sender sees it."""

    name: str

    async def deliver(self, address: str, message: Outgoing) -> str | None:
        """Send one message; raises RetryLater, Blocked or DeliveryError.

        Returns the channel's id of the message (None when the channel has none)."""
        ...


class Editing(Protocol):
    """A channel that can edit a message it sent (a queue card whose state changed)."""

    async def edit(self, address: str, message_id: str, message: Outgoing) -> None:
        """Replace the text and buttons of message `message_id`; raises NotEditable when it
        can't (too old, deleted), or RetryLater, Blocked or DeliveryError like `deliver`."""
        ...
