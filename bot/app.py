"""The composition root: storage, policy, services, handlers, channels and scheduler meet here."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from bot.channels.registry import Channels
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.domain.policy import load_policy
from bot.runtime import Services
from bot.storage.sqlite.db import Database
from handlers import build_router
from handlers.router import Router


@dataclass
class App:
    """A running assistant: services plus the router and dispatcher built on them."""

    services: Services
    router: Router
    dispatcher: Dispatcher
    channels: Channels = field(default_factory=Channels)  # those that can deliver right now


@asynccontextmanager
async def open_app(settings: Settings, clock: Clock | None = None) -> AsyncIterator[App]:
    """Load the policy (fails fast), open and migrate the database, wire the handlers."""
    policy = load_policy(settings.policy_path)
    db = await Database.open(settings.database_path)
    try:
        await db.migrate()
        services = Services(settings, policy, db, clock or SystemClock())
        router = build_router()
        yield App(services, router, Dispatcher(services, router))
    finally:
        await db.close()


class SecretFilter(logging.Filter):
    """Replaces secrets (the bot token, the webhook secret) in every log record."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        cleaned = message
        for secret in self.secrets:
            cleaned = cleaned.replace(secret, "[secret]")
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            for secret in self.secrets:
                text = text.replace(secret, "[secret]")
            record.exc_text = text
            record.exc_info = None
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(settings: Settings) -> None:
    """Log to stderr, secrets masked, httpx's request lines (which carry the token) quietened."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretFilter(settings.secrets()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # With max_retries=0 it logs every 429 as an error with a traceback; our callers handle
    # RetryAfter themselves (the outbox sender logs it once per row).
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
