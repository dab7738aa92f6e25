"""A Bot API transport that answers in this process, so CPU per update measures the bot, not a
network, while the bot still does everything a real transport makes it do.

`OfflineBotApi` is a python-telegram-bot `BaseRequest`:
- getUpdates answers with the queued updates as the JSON bytes Telegram sends (at most 100 per
  call, long-polling while none are queued), so updates go through PTB's own decoding, its
  Updater, the application's update queue and its update processor;
- every request is encoded the way the bot's own transport puts it on the wire (`encode`: the
  assistant's aiohttp transport sends a JSON body made with orjson; PTB's default HTTPX
  transport form-urlencodes the JSON parameters), and answered with a realistic response body
  (a sent message with its chat, sender, date, text and keyboard) that the bot then decodes as
  it would Telegram's;
- the CPU the *server side* spends building those response bodies (in this thread) is measured
  and reported, so it can be taken out of the bot's figure (`server_cpu`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Callable
from itertools import count
from typing import Any
from urllib.parse import urlencode

from telegram.request import BaseRequest, RequestData

BOT = {
    "id": 123456,
    "is_bot": True,
    "first_name": "PTO bench",
    "username": "pto_bench_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_TRUE = b'{"ok":true,"result":true}'
_SENDS = frozenset({"sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup"})


def _httpx_form(request_data: RequestData) -> tuple[bytes, Any]:
    """What PTB's HTTPXRequest puts on the wire: the JSON parameters, form-urlencoded."""
    return urlencode(request_data.json_parameters).encode(), None


class OfflineBotApi(BaseRequest):
    """Answers the calls a bot makes like the Bot API would; counts and keeps what was sent."""

    def __init__(
        self,
        parse: Callable[[bytes], Any] | None = None,
        encode: Callable[[RequestData], tuple[bytes, Any]] | None = None,
    ) -> None:
        self.counts: dict[str, int] = {}
        self.sent: list[dict[str, Any]] = []  # parameters of every send, in order
        self.wire_bytes = 0  # request bodies as encoded for the wire
        self.server_cpu = 0.0  # seconds spent building responses (the server's share)
        self._ids = count(1000)
        self._updates: deque[bytes] = deque()
        self._arrived = asyncio.Event()
        self._waiting_for: int | None = None
        self._done = asyncio.Event()
        if parse is not None:  # decode like the bot's own transport does
            self.parse_json_payload = parse  # type: ignore[method-assign,assignment]
        self.encode = encode or _httpx_form  # and encode like it

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    # ------------------------------------------------------------------ the benchmark's side

    def queue(self, updates: list[dict[str, Any]]) -> None:
        """Make `updates` (Bot API JSON) arrive with the next getUpdates, as bytes."""
        began = time.thread_time()
        self._updates.extend(json.dumps(u, ensure_ascii=False).encode() for u in updates)
        self.server_cpu += time.thread_time() - began
        self._arrived.set()

    async def sends(self, total: int, limit: float = 120.0) -> None:
        """Wait until `total` messages were sent since this object was made."""
        if len(self.sent) >= total:
            return
        self._waiting_for = total
        self._done.clear()
        await asyncio.wait_for(self._done.wait(), limit)

    # ------------------------------------------------------------------ the wire

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        self.counts[name] = self.counts.get(name, 0) + 1
        params: dict[str, Any] = {}
        if request_data is not None:  # what the bot's transport hands to the wire
            if request_data.contains_files:
                body = request_data.multipart_data
                self.wire_bytes += sum(len(str(v)) for v in body.values())
            else:
                self.wire_bytes += len(self.encode(request_data)[0])
            params = request_data.parameters
        if name == "getUpdates":
            return 200, await self._get_updates(params)
        began = time.thread_time()
        try:
            return 200, self._answer(name, params)
        finally:
            self.server_cpu += time.thread_time() - began

    async def _get_updates(self, params: dict[str, Any]) -> bytes:
        if not self._updates:
            self._arrived.clear()
            try:
                await asyncio.wait_for(
                    self._arrived.wait(), min(float(params.get("timeout", 0)), 1)
                )
            except TimeoutError:
                return b'{"ok":true,"result":[]}'
        began = time.thread_time()
        batch = [self._updates.popleft() for _ in range(min(100, len(self._updates)))]
        body = b'{"ok":true,"result":[' + b",".join(batch) + b"]}"
        self.server_cpu += time.thread_time() - began
        return body

    def _answer(self, name: str, params: dict[str, Any]) -> bytes:
        if name == "getMe":
            return json.dumps({"ok": True, "result": BOT}).encode()
        if name not in _SENDS:
            return _TRUE
        chat = int(params.get("chat_id", 0))
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "from": BOT,
            "chat": {"id": chat, "first_name": "Deelnemer", "type": "private"},
            "date": 1_700_000_000,
            "text": params.get("text") or params.get("caption") or "",
        }
        markup = params.get("reply_markup")
        if markup:
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        if name.startswith("send"):
            self.sent.append(params)
            if self._waiting_for is not None and len(self.sent) >= self._waiting_for:
                self._waiting_for = None
                self._done.set()
        return json.dumps({"ok": True, "result": message}, ensure_ascii=False).encode()
