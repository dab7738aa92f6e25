"""`ptobot run` on Telegram: one instance per database, a patient start, a quiet stop."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any

from telegram.error import NetworkError

from bot.app import App
from bot.storage.backends import InstanceLocked, describe

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
FIRST_WAIT = 1.0  # seconds before the first retry, doubled after each failure
LONGEST_WAIT = 60.0


WEBHOOK_SERVER = "telegram.ext._utils.webhookhandler"
POLLING_LOCK = "telegram:polling"  # held by the one instance that polls (Database.exclusive)


def without_webhook_server() -> None:
    """Polling needs no webhook server: keep python-telegram-bot from importing it (tornado,
    about 3.5 MiB, which its Updater imports whenever it is installed).

    PTB imports the webhook server in a try/except ImportError, as for a missing optional
    dependency; a None in `sys.modules` makes that import fail (Python's documented import
    rule), so PTB goes on without webhooks. It must happen before `telegram.ext` is imported,
    and only when no webhook is configured: webhook mode imports everything as usual.
    """
    if "telegram.ext" not in sys.modules:
        sys.modules.setdefault(WEBHOOK_SERVER, None)  # type: ignore[arg-type]


async def serve_inbox(app: App, stop: asyncio.Event) -> None:
    """The web inbox and WhatsApp's webhook until `stop`; with PTO_WEB=false and no WhatsApp
    nothing (not even Starlette) is loaded, and otherwise only once the first connection arrives
    (`bot.web.server.serve_web`)."""
    settings = app.services.settings
    if not settings.web and not settings.whatsapp_configured:
        return
    from bot.web.server import serve_web

    await serve_web(app, stop, lazy=True)


def retry_waits() -> Any:
    """1, 2, 4 ... 60, 60, ... seconds."""
    wait = FIRST_WAIT
    while True:
        yield wait
        wait = min(wait * 2, LONGEST_WAIT)


def unreachable(app: App, exc: NetworkError, wait: float) -> str:
    """The one line said when the Bot API cannot be reached (no secret in it)."""
    settings = app.services.settings
    base = settings.telegram_base_url or DEFAULT_BASE_URL
    reason = exc.message or type(exc).__name__
    line = f"ptobot: cannot reach the Telegram Bot API at {base}: {reason}; retrying in {wait:g} s"
    for secret in settings.secrets():
        line = line.replace(secret, "[secret]")
    return " ".join(line.split())


async def run_telegram(app: App) -> int:
    """Run every configured channel (Telegram, WhatsApp or both), the outbox senders, the mail
    sender and the scheduler until a signal.

    Until the Bot API answers, a start that cannot reach it says so in one line and tries again
    after 1, 2, 4 ... at most 60 seconds; a signal ends the waiting. A rejected token is not a
    network failure: it ends the start (InvalidToken, exit 2 in `bot.cli.main`).
    """
    settings = app.services.settings
    if not settings.telegram_webhook_url:
        without_webhook_server()
    if settings.telegram_webhook_url or not settings.telegram_bot_token:
        return await _run_all(app)
    # Polling: one instance per bot token (Telegram gives each update to one getUpdates caller);
    # several instances on one PostgreSQL run in webhook mode.
    async with app.services.db.exclusive(POLLING_LOCK) as alone:
        if not alone:
            where = describe(settings.database_url)
            raise InstanceLocked(
                f"another ptobot polls Telegram for this bot on {where}; several instances "
                "need webhook mode (TELEGRAM_WEBHOOK_URL)"
            )
        return await _run_all(app)


async def _run_all(app: App) -> int:
    """`run_telegram` once the way of receiving is settled."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    from bot.cli.run_whatsapp import whatsapp_running

    web = asyncio.create_task(serve_inbox(app, stop))  # the inbox and WhatsApp's webhook
    try:
        async with whatsapp_running(app, stop):
            if app.services.settings.telegram_bot_token:
                await _run_channel(app, stop)
            else:
                started, stopping = _hooks(app, None, stop, asyncio.Event())
                await started()
                await stop.wait()
                await stopping()
    finally:
        stop.set()
        await web
    return 0


async def _run_channel(app: App, stop: asyncio.Event) -> None:
    """The Telegram channel with its patient start (see `run_telegram`)."""
    from bot.channels.telegram import TelegramChannel

    waits = retry_waits()
    while not stop.is_set():
        channel = TelegramChannel(app)
        reached = asyncio.Event()
        try:
            await channel.run(stop, *_hooks(app, channel, stop, reached))
        except NetworkError as exc:
            if reached.is_set():
                raise
            wait = next(waits)
            print(unreachable(app, exc, wait), file=sys.stderr, flush=True)
            try:
                await asyncio.wait_for(stop.wait(), wait)
            except TimeoutError:
                continue
        else:
            break


def _hooks(app: App, channel: Any, stop: asyncio.Event, reached: asyncio.Event) -> tuple[Any, Any]:
    """`started` (the sender and the scheduler start) and `stopping` (both end, quietly)."""
    from bot.mail import mail_sender
    from bot.mail import run_forever as mail_forever
    from bot.outbox import run_forever
    from scheduler.setup import start_scheduler, stop_scheduler

    services = app.services
    tasks: list[asyncio.Task[None]] = []
    scheduler: Any = None

    async def started() -> None:
        nonlocal scheduler
        reached.set()
        if channel is not None:
            tasks.append(
                asyncio.create_task(
                    run_forever(
                        services.db,
                        channel,
                        services.clock.now,
                        services.settings.outbox_max_attempts,
                        stop,
                    )
                )
            )
        mails = mail_sender(services.db, services.settings)
        if mails is not None:  # e-mail beside the chat: an SMTP outage never holds the bot up
            tasks.append(asyncio.create_task(mail_forever(mails, services.clock.now, stop)))
        scheduler = start_scheduler(app)

    async def stopping() -> None:
        stop.set()
        if scheduler is not None:
            await stop_scheduler(scheduler)
        for task in tasks:
            await task  # the sender finishes its message before the client closes

    return started, stopping
