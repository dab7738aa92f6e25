"""The composition root: storage, policy, services, handlers, channels and scheduler meet here."""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from bot.channels.registry import Channels
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.domain.policy import load_policy
from bot.runtime import Services
from bot.services import mail, receipts
from bot.storage.backends import open_database
from handlers import build_router
from handlers.router import Router

log = logging.getLogger(__name__)


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
    missing = policy.missing_names()
    if missing:
        log.warning(
            "the policy has no name in some languages; Dutch is shown instead: %s",
            ", ".join(missing),
        )
    db = await open_database(settings.database_url)
    try:
        await db.migrate()
        mail.configure(settings.mail_configured, settings.web_base_url)
        services = Services(
            settings, policy, db, clock or SystemClock(), receipts=await receipts.detect()
        )
        router = build_router()
        yield App(services, router, Dispatcher(services, router))
    finally:
        await db.close()


# Third-party loggers and the most they may say, whatever LOG_LEVEL asks. At DEBUG,
# python-telegram-bot logs every update and every Bot API call with its parameters and result
# (telegram.Bot, telegram.ext.ExtBot, telegram.ext.Application, the webhook handler under
# telegram.ext.Updater); aiosqlite logs every statement with its parameters; httpx's request
# lines carry the token and file paths. Their INFO lines (started, stopped, rate limited) say
# nothing about people. telegram.request logs an unreadable server answer verbatim at ERROR,
# then raises, so only the raise is kept.
THIRD_PARTY_CAPS = {
    "telegram": logging.INFO,
    "telegram.Bot": logging.INFO,
    "telegram.ext": logging.INFO,
    "telegram.ext.ExtBot": logging.INFO,
    "telegram.ext.Application": logging.INFO,
    "telegram.ext.Updater": logging.INFO,
    "telegram.ext.ConversationHandler": logging.INFO,
    "telegram.request": logging.CRITICAL,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "aiohttp": logging.WARNING,  # the default HTTP client (bot/channels/telegram_aiohttp.py)
    "aiosqlite": logging.WARNING,
    "psycopg": logging.WARNING,
    "psycopg.pool": logging.WARNING,
    "apscheduler": logging.WARNING,
    "asyncio": logging.WARNING,
    "tornado": logging.INFO,
    "tornado.access": logging.WARNING,
    "uvicorn": logging.INFO,
    "uvicorn.access": logging.WARNING,
}
# Exceptions whose messages are written by a library about its own state, never quoting what a
# person typed: SQLite names tables and columns, never parameters; Telegram's errors carry the Bot
# API's description; httpx and httpcore describe the connection (the token is masked). Every other
# exception is logged by type and traceback frames only: a ValueError from parsing could quote
# the input. An OSError keeps its errno and reason but not its file name (a proof's path).
SAFE_MESSAGE_MODULES = ("sqlite3", "telegram.error", "httpx", "httpcore")


def _exception_line(exc: BaseException) -> str:
    kind = type(exc)
    module = kind.__module__
    name = kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"
    if any(module == m or module.startswith(f"{m}.") for m in SAFE_MESSAGE_MODULES):
        return f"{name}: {exc}" if str(exc) else name
    if isinstance(exc, OSError) and exc.strerror:
        return f"{name}: [Errno {exc.errno}] {exc.strerror}"
    return f"{name} (message not logged)"


def private_traceback(exc: BaseException) -> str:
    """A traceback as Python prints it, chained exceptions included, without their messages."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, "cause"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, "context"
        else:
            current = None
    parts: list[str] = []
    for item, how in reversed(chain):
        if item.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(item.__traceback__))
        parts.append(_exception_line(item) + "\n")
        if isinstance(item, BaseExceptionGroup):
            parts.extend(f"  {line}" for e in item.exceptions for line in _lines(e))
        if how == "cause":
            parts.append(
                "\nThe above exception was the direct cause of the following exception:\n\n"
            )
        elif how == "context":
            parts.append(
                "\nDuring handling of the above exception, another exception occurred:\n\n"
            )
    return "".join(parts).rstrip("\n")


def _lines(exc: BaseException) -> list[str]:
    return [line + "\n" for line in private_traceback(exc).splitlines()]


class SecretFilter(logging.Filter):
    """Replaces secrets (the bot token, the webhook secret) in every log record.

    With `private=True` (as `setup_logging` installs it) an exception is logged by its type and
    traceback frames only, without its message (see `private_traceback`).
    """

    def __init__(self, secrets: list[str], private: bool = False) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]
        self.private = private

    def _mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[secret]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text = (
                private_traceback(exc)
                if self.private
                else logging.Formatter().formatException(record.exc_info)
            )
            record.exc_text = self._mask(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self._mask(record.exc_text)
        if not self.secrets:
            return True
        message = record.getMessage()
        cleaned = self._mask(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(settings: Settings) -> None:
    """Log to stderr: secrets masked, exception messages left out, and the third-party loggers
    capped (`THIRD_PARTY_CAPS`) so that no level shows an update, a Bot API call or SQL
    parameters. The project's own loggers follow LOG_LEVEL."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretFilter(settings.secrets(), private=True))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for name, cap in THIRD_PARTY_CAPS.items():
        logging.getLogger(name).setLevel(max(cap, root.level))
