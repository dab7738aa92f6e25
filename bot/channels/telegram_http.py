"""HTTP clients for python-telegram-bot: aiohttp (the default, `bot.channels.telegram_aiohttp`,
imported only when chosen) or httpx (`TELEGRAM_HTTP_CLIENT=httpx`, python-telegram-bot's own).
Both decode the Bot API's answers with orjson; the aiohttp one also encodes parameters with it.

Why aiohttp: measured over loopback, one Bot API call cost about 956 µs of CPU with httpx and
258 µs with aiohttp, and httpx gets worse under concurrency (issue 15). python-telegram-bot
imports httpx in any case (`telegram.request`), so choosing aiohttp adds its imports.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from telegram.error import TelegramError
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.config import Settings


class RawJSON(str):
    """A parameter value that is JSON already (a serialised inline keyboard). As a `str` it goes
    out unchanged where python-telegram-bot form-encodes (httpx); the aiohttp transport embeds it
    as it is in a JSON body."""

    __slots__ = ()


def json_body(request_data: RequestData) -> bytes | None:
    """The parameters as an `application/json` body (the Bot API takes JSON as well as forms;
    encoding JSON is far cheaper than percent-encoding a form); None when orjson can't."""
    try:
        return orjson.dumps(
            {
                name: orjson.Fragment(str(value)) if isinstance(value, RawJSON) else value
                for name, value in request_data.parameters.items()
            }
        )
    except TypeError:
        return None


def parse_json(payload: bytes) -> Any:
    """A Bot API answer decoded with orjson; TelegramError when it is not JSON (as PTB does)."""
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        try:  # orjson refuses invalid UTF-8 where PTB replaces it; decode as PTB would
            return json.loads(payload.decode("utf-8", "replace"))
        except ValueError as exc:
            raise TelegramError("Invalid server response") from exc


def encode_value(value: object) -> str:
    """One parameter as the Bot API's form encoding wants it: strings as they are, the rest JSON
    (a reply markup already serialised by the caller is a string and goes as it is)."""
    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)


def form_fields(request_data: RequestData) -> dict[str, str]:
    """The request's parameters, encoded (`RequestData.json_parameters`, with orjson)."""
    return {name: encode_value(value) for name, value in request_data.parameters.items()}


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
