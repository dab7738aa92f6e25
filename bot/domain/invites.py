"""One-time invite codes: random, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import quote

# 192 bits; token_urlsafe gives 32 characters of [A-Za-z0-9_-], fit for t.me ?start=
CODE_BYTES = 24
MAX_WRONG_TRIES_PER_HOUR = 5


def new_code() -> str:
    """A fresh invite code."""
    return secrets.token_urlsafe(CODE_BYTES)


def hash_code(code: str) -> str:
    """The stored form of a code."""
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


def hash_address(channel: str, address: str) -> str:
    """A chat address as stored for the wrong-tries counter (we keep no chat id of strangers)."""
    return hashlib.sha256(f"{channel}:{address}".encode()).hexdigest()


def deep_link(bot_username: str, code: str) -> str:
    """The Telegram link that opens the bot with `/start <code>`."""
    return f"https://t.me/{bot_username}?start={code}"


def whatsapp_link(business_number: str, code: str) -> str:
    """The WhatsApp link that opens a chat with the business number, `/start <code>` typed."""
    digits = "".join(ch for ch in business_number if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(f'/start {code}', safe='')}"
