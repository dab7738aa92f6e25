"""A minimal web server for the WhatsApp webhook, on PTO_WEB_LISTEN:PTO_WEB_PORT.

Stands in until the web inbox's server (issue 12, `bot/web/`) is merged: that server then mounts
`bot.channels.whatsapp_webhook.routes` and this module goes. uvicorn runs inside the bot's event
loop without its own signal handlers (the bot's `stop` event ends it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Generator

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: the bot's loop owns SIGINT and SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


async def serve_webhook(routes: list[Route], listen: str, port: int, stop: asyncio.Event) -> None:
    """Serve `routes` until `stop` is set."""
    config = uvicorn.Config(
        Starlette(routes=routes),
        host=listen,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    waiting = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if task.done() and task.exception() is None and not stop.is_set():
            log.error("the web server on %s:%s stopped (is the port taken?)", listen, port)
    finally:
        server.should_exit = True
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
