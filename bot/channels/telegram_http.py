"""The Bot API's wire format for our HTTP clients (`bot.channels.telegram_clients`): parameters
encoded and answers decoded with orjson, and `RawJSON` for a value that is JSON already."""

from __future__ import annotations

import json
from typing import Any

import orjson
from telegram.error import TelegramError
from telegram.request import RequestData


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
