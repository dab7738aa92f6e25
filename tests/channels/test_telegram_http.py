"""The aiohttp transport against a server on 127.0.0.1: Telegram's answers become
python-telegram-bot's errors exactly as with its httpx transport."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.channels.base import Outgoing
from bot.channels.telegram_aiohttp import AiohttpRequest
from bot.channels.telegram_clients import build_requests
from bot.channels.telegram_send import edit_message, send
from bot.config import Settings

TOKEN = "123:TEST"


class OneAnswer:
    """An HTTP/1.1 server that answers every request with one status and JSON body (or, with
    `delay`, not in time); keeps each request's head and body."""

    def __init__(self, status: int, body: dict[str, object], delay: float = 0.0) -> None:
        self.status, self.body, self.delay = status, body, delay
        self.requests: list[tuple[bytes, bytes]] = []
        self.server: asyncio.Server | None = None
        self.handlers: set[asyncio.Task[None]] = set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.handlers.add(task)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                self.requests.append((head, body))
                if self.delay:
                    await asyncio.sleep(self.delay)
                payload = json.dumps(self.body).encode()
                writer.write(
                    f"HTTP/1.1 {self.status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @property
    def base_url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/bot"

    async def __aenter__(self) -> OneAnswer:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for task in self.handlers:  # a slow answer still waiting
            task.cancel()
        await asyncio.gather(*self.handlers, return_exceptions=True)


def error(code: int, description: str, **parameters: object) -> dict[str, object]:
    body: dict[str, object] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


@pytest.fixture
async def request_() -> AsyncIterator[AiohttpRequest]:
    """An aiohttp transport with short timeouts."""
    async with AiohttpRequest(read_timeout=0.3, connect_timeout=1.0) as opened:
        yield opened


async def say(base_url: str, request: AiohttpRequest, text: str = "hallo") -> int | None:
    bot = Bot(TOKEN, base_url=base_url, request=request, get_updates_request=request)
    return await send(bot, 7, Outgoing(text, [[("Ja", "a:yes"), ("Nee", "a:no")]]))


async def test_a_sent_message_carries_its_keyboard_and_gives_back_the_message_id(
    request_: AiohttpRequest,
) -> None:
    answer = {"ok": True, "result": {"message_id": 41, "date": 0, "chat": {"id": 7}}}
    async with OneAnswer(200, answer) as server:
        assert await say(server.base_url, request_, "één & <b>twee</b>") == 41
    head, body = server.requests[0]
    assert head.startswith(b"POST /bot123:TEST/sendMessage ")
    assert b"application/json" in head
    sent = json.loads(body)
    assert sent["chat_id"] == 7
    assert sent["text"] == "één & <b>twee</b>"
    assert sent["parse_mode"] == "HTML"
    assert sent["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Ja", "callback_data": "a:yes"}, {"text": "Nee", "callback_data": "a:no"}]
        ]
    }


async def test_429_with_retry_after_is_retry_after(request_: AiohttpRequest) -> None:
    answer = error(429, "Too Many Requests: retry after 3", retry_after=3)
    async with OneAnswer(429, answer) as server:
        with pytest.raises(RetryAfter) as raised:
            await say(server.base_url, request_)
    assert raised.value.retry_after == timedelta(seconds=3)


async def test_403_is_forbidden(request_: AiohttpRequest) -> None:
    async with OneAnswer(403, error(403, "Forbidden: bot was blocked by the user")) as server:
        with pytest.raises(Forbidden, match="blocked"):
            await say(server.base_url, request_)


async def test_400_is_bad_request_and_an_unchanged_edit_is_no_error(
    request_: AiohttpRequest,
) -> None:
    async with OneAnswer(400, error(400, "Bad Request: chat not found")) as server:
        with pytest.raises(BadRequest, match="not found"):
            await say(server.base_url, request_)
    unchanged = error(400, "Bad Request: message is not modified: specified new message …")
    async with OneAnswer(400, unchanged) as server:
        bot = Bot(TOKEN, base_url=server.base_url, request=request_, get_updates_request=request_)
        await edit_message(bot, "7", "41", Outgoing("hallo"))
    assert b"/editMessageText " in server.requests[0][0]


async def test_a_5xx_is_a_network_error(request_: AiohttpRequest) -> None:
    async with OneAnswer(502, error(502, "Bad Gateway")) as server:
        with pytest.raises(NetworkError):
            await say(server.base_url, request_)


async def test_a_refused_connection_is_a_network_error(request_: AiohttpRequest) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NetworkError) as raised:
        await say(f"http://127.0.0.1:{port}/bot", request_)
    assert not isinstance(raised.value, TimedOut)
    assert TOKEN not in str(raised.value)


async def test_a_slow_server_is_timed_out(request_: AiohttpRequest) -> None:
    ok = {"ok": True, "result": {"message_id": 1}}
    async with OneAnswer(200, ok, delay=2.0) as server:
        with pytest.raises(TimedOut):
            await say(server.base_url, request_)


async def test_an_answer_that_is_not_json_is_an_error(request_: AiohttpRequest) -> None:
    from telegram.error import TelegramError

    assert AiohttpRequest.parse_json_payload(b'{"ok": true, "result": 1}') == {
        "ok": True,
        "result": 1,
    }
    with pytest.raises(TelegramError, match="Invalid server response"):
        AiohttpRequest.parse_json_payload(b"<html>")


async def test_aiohttp_is_the_default_and_httpx_a_setting(settings: Settings) -> None:
    assert all(isinstance(r, AiohttpRequest) for r in build_requests(settings))
    httpx = build_requests(replace(settings, telegram_http_client="httpx"))
    assert all(isinstance(r, HTTPXRequest) for r in httpx)
