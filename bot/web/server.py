"""Serving the inbox with uvicorn inside the bot's own event loop.

`serve_web` binds the socket first, so a port that is taken is one warning line and the bot goes
on without the inbox; uvicorn's own signal handling is left out (the bot's `stop` event ends it),
and a stop lets the requests in flight finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Generator

import uvicorn

from bot.app import App
from bot.web.app import create_app

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: the bot's loop owns SIGINT and SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def bind(host: str, port: int) -> socket.socket | None:
    """A listening socket, or None (said once in the log) when the address is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        log.warning("web inbox not started: cannot listen on %s:%s (%s)", host, port, exc.strerror)
        return None
    sock.listen(128)
    sock.setblocking(False)
    return sock


async def serve_web(app: App, stop: asyncio.Event) -> None:
    """Serve the inbox and WhatsApp's webhook until `stop` is set (nothing when PTO_WEB=false
    and WhatsApp is not configured, or when the port is taken)."""
    settings = app.services.settings
    if not settings.web and not settings.whatsapp_configured:
        return
    sock = bind(settings.web_listen, settings.web_port)
    if sock is None:
        return
    config = uvicorn.Config(
        create_app(app),
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    waiting = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()
