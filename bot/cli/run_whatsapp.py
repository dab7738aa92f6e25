"""`ptobot run` with WhatsApp: the channel and its outbox sender (the webhook is served by the
web server, `bot.web.server`, with the inbox)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.app import App

log = logging.getLogger(__name__)


@asynccontextmanager
async def whatsapp_running(app: App, stop: asyncio.Event) -> AsyncIterator[None]:
    """With WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID set: the WhatsApp channel registered,
    and its outbox sender running for the block; nothing otherwise."""
    settings = app.services.settings
    if not settings.whatsapp_configured:
        yield
        return
    from bot.channels.whatsapp import WhatsAppChannel
    from bot.outbox import run_forever

    channel = WhatsAppChannel(app)
    app.channels.register(channel)
    services = app.services
    tasks = [
        asyncio.create_task(
            run_forever(
                services.db, channel, services.clock.now, settings.outbox_max_attempts, stop
            )
        ),
    ]
    log.info("the assistant is running on WhatsApp (webhook on port %s)", settings.web_port)
    try:
        yield
    finally:
        stop.set()
        for task in tasks:
            await task
        app.channels.unregister(channel)
        await channel.close()
