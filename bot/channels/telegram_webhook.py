"""Telegram's webhook, answered once the update has been handled.

python-telegram-bot's own webhook server answers 200 as soon as an update is queued. With
several instances behind a load balancer that would lose the order of a chat: the next update
of the chat could reach another instance and be handled first. Here the answer comes after the
update's unit of work has committed and its replies went out, so whoever delivers the updates
(Telegram, through the load balancer) and waits for one update's answer before sending the next
of that chat sees them handled in that order, whichever instance gets each one.

The answer says what happened:
- 200: handled, or handled before (a re-delivery, to this or another instance: the processed
  update's record is written in the same transaction, so it is handled once);
- 503: the database could not be reached or went away mid-update: nothing was written (the
  unit rolled back), so Telegram's next delivery, maybe to another instance, handles it anew;
- 403: not from Telegram (no or a wrong `X-Telegram-Bot-Api-Secret-Token`, or not JSON);
  400: not an update.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlparse

import tornado.httpserver
import tornado.web
from telegram import Bot, Update

from bot.config import Settings
from bot.storage.unit import DatabaseUnavailable

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name

Receive = Callable[[dict[str, Any]], Awaitable[None]]


class _Hook(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, receive: Receive, secret: str) -> None:
        self.receive = receive
        self.secret = secret.encode()

    async def post(self) -> None:
        kind = self.request.headers.get("Content-Type", "").split(";", 1)[0].strip()
        token = self.request.headers.get(SECRET_HEADER, "").encode()
        if kind != "application/json" or not hmac.compare_digest(token, self.secret):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            data = json.loads(self.request.body)
        except ValueError:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if not isinstance(data, dict) or "update_id" not in data:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        try:
            await self.receive(data)
        except DatabaseUnavailable as exc:
            log.warning("update %s not handled, Telegram will send it again: %s",
                        data.get("update_id"), exc)  # fmt: skip
            raise tornado.web.HTTPError(HTTPStatus.SERVICE_UNAVAILABLE) from None
        self.set_status(HTTPStatus.OK)
        self.set_header("Content-Type", "application/json")
        self.finish(b"{}")

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if not isinstance(value, tornado.web.HTTPError):
            log.error("error handling a webhook update", exc_info=(typ, value, tb))


class _Quiet(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: a request line says nothing a person needs."""


class WebhookServer:
    """The webhook's HTTP server on `listen:port`, serving only `path`."""

    def __init__(self, listen: str, port: int, path: str, secret: str, receive: Receive) -> None:
        route = "/" + path.strip("/")
        app = _Quiet([(rf"{route}/?", _Hook, {"receive": receive, "secret": secret})])
        self.listen, self.port = listen, port
        self.server = tornado.httpserver.HTTPServer(app, xheaders=True)

    def start(self) -> None:
        """Listen (an address in use raises OSError at once)."""
        self.server.listen(self.port, address=self.listen)

    async def stop(self) -> None:
        """Take no new connections and close the open ones."""
        self.server.stop()
        await self.server.close_all_connections()


async def open_webhook(bot: Bot, settings: Settings, receive: Receive) -> WebhookServer:
    """Listen on TELEGRAM_WEBHOOK_LISTEN:PORT, then tell Telegram to post to
    TELEGRAM_WEBHOOK_URL with the secret (the URL's path is the one served)."""
    url = settings.telegram_webhook_url or ""
    hook = WebhookServer(
        settings.telegram_webhook_listen,
        settings.telegram_webhook_port,
        urlparse(url).path,
        settings.telegram_webhook_secret or "",
        receive,
    )
    hook.start()
    try:
        await bot.set_webhook(
            url, secret_token=settings.telegram_webhook_secret, allowed_updates=Update.ALL_TYPES
        )
    except BaseException:
        await hook.stop()
        raise
    return hook
