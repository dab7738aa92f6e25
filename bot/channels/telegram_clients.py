"""HTTP clients for python-telegram-bot: aiohttp (the default, `bot.channels.telegram_aiohttp`,
imported only when chosen) or httpx (`TELEGRAM_HTTP_CLIENT=httpx`, python-telegram-bot's own).
Both decode the Bot API's answers with orjson; the aiohttp one also encodes parameters with it.

Why aiohttp: measured over loopback, one Bot API call cost about 956 µs of CPU with httpx and
258 µs with aiohttp, and httpx gets worse under concurrency (issue 15). python-telegram-bot
imports httpx in any case (`telegram.request`), so choosing aiohttp adds its imports.
"""

from __future__ import annotations

from typing import Any

from telegram.request import BaseRequest, HTTPXRequest

from bot.channels.telegram_http import parse_json
from bot.config import Settings


class OrjsonHTTPXRequest(HTTPXRequest):
    """python-telegram-bot's own httpx transport, decoding answers with orjson."""

    __slots__ = ()

    @staticmethod
    def parse_json_payload(payload: bytes) -> Any:
        """Decode an answer with orjson."""
        return parse_json(payload)


def build_requests(settings: Settings) -> tuple[BaseRequest, BaseRequest]:
    """(the request for every call, the one for getUpdates), as python-telegram-bot builds them:
    one connection for the long poll, 256 for the rest, its default timeouts."""
    if settings.telegram_http_client == "httpx":
        return OrjsonHTTPXRequest(), OrjsonHTTPXRequest(connection_pool_size=1)
    from bot.channels.telegram_aiohttp import AiohttpRequest

    return AiohttpRequest(), AiohttpRequest(connection_pool_size=1)
