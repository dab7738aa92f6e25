"""An offline Bot API transport for python-telegram-bot: answers locally, records every call.

Any method it does not know fails the test, so no handler can reach the network unnoticed.
"""

from __future__ import annotations

import json
from itertools import count
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT = {
    "id": 4242,
    "is_bot": True,
    "first_name": "PTO",
    "username": "pto_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


class UnexpectedCall(AssertionError):
    """The code under test called a Bot API method this fake does not serve."""


class OfflineRequest(BaseRequest):
    """Answers Bot API calls without a network and keeps them in `calls`."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.files: dict[str, bytes] = {}  # file_id → content, served by getFile + download
        self._ids = count(1000)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """Parameters of every call of `method`, in order."""
        return [params for name, params in self.calls if name == method]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:
            file_id = url.rsplit("/", 1)[-1]
            self.calls.append(("download", {"file_id": file_id}))
            if file_id not in self.files:
                return 404, b""
            return 200, self.files[file_id]
        name = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = {}
        if request_data is not None:
            params = dict(request_data.parameters)
        self.calls.append((name, params))
        result = self._answer(name, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _answer(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return BOT
        if name in {"setMyCommands", "answerCallbackQuery", "deleteWebhook", "setWebhook"}:
            return True
        if name in {
            "sendMessage",
            "sendDocument",
            "sendPhoto",
            "editMessageReplyMarkup",
            "editMessageText",
        }:
            chat = int(params.get("chat_id", 0))
            message: dict[str, Any] = {
                "message_id": int(params.get("message_id") or next(self._ids)),
                "date": 1_700_000_000,
                "chat": {"id": chat, "type": "private"},
                "text": params.get("text") or params.get("caption") or "",
            }
            if params.get("reply_markup"):
                markup = params["reply_markup"]
                message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
            return message
        if name == "getUpdates":
            return []
        if name == "getFile":
            file_id = str(params["file_id"])
            if file_id not in self.files:
                raise UnexpectedCall(f"getFile for unknown file {file_id}")
            return {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "file_size": len(self.files[file_id]),
                "file_path": file_id,
            }
        raise UnexpectedCall(f"unexpected Bot API call {name}({params})")


def telegram_channel(app: Any, request: OfflineRequest) -> Any:
    """The Telegram channel of `app` with a token, talking to `request` instead of the network."""
    from dataclasses import replace

    from bot.app import App
    from bot.channels.telegram import TelegramChannel

    services = replace(
        app.services, settings=replace(app.services.settings, telegram_bot_token="123:TEST")
    )
    return TelegramChannel(App(services, app.router, app.dispatcher), request=request)
