"""A Bot API transport that answers locally, so CPU per update measures the bot, not a network."""

from __future__ import annotations

import json
from itertools import count
from typing import Any

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
_TRUE = json.dumps({"ok": True, "result": True}).encode()


class OfflineRequest(BaseRequest):
    """Answers the calls both bots make with the smallest valid result; counts them."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self._ids = count(1000)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

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
        if name == "getMe":
            return 200, json.dumps({"ok": True, "result": BOT}).encode()
        if name in {"sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup"}:
            params = request_data.parameters if request_data is not None else {}
            message: dict[str, Any] = {
                "message_id": next(self._ids),
                "date": 1_700_000_000,
                "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                "text": params.get("text") or params.get("caption") or "",
            }
            markup = params.get("reply_markup")
            if markup:
                message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
            return 200, json.dumps({"ok": True, "result": message}).encode()
        if name == "getUpdates":
            return 200, b'{"ok":true,"result":[]}'
        return 200, _TRUE

    def sent(self) -> int:
        """How many messages were sent."""
        return self.counts.get("sendMessage", 0) + self.counts.get("sendDocument", 0)
