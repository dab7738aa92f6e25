"""Serving the inbox with uvicorn inside the bot's own event loop.

`serve_web` binds the socket first, so a port that is taken is one warning line and the bot goes
on without the inbox; uvicorn's own signal handling is left out (the bot's `stop` event ends it),
and a stop lets the requests in flight finish.

Inside `ptobot run` (`lazy`), uvicorn, Starlette and the inbox's pages are imported when the
first connection arrives, not at start: the socket listens from the start and that connection
waits in its backlog meanwhile (about 3 MiB that a bot whose inbox nobody opened never holds;
the first page takes the imports' fraction of a second longer).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Generator
from typing import Any

from bot.app import App
from bot.web.secret import session_secret

log = logging.getLogger(__name__)


def _uvicorn_server(config: Any) -> Any:
    """uvicorn without its signal handlers: the bot's loop owns SIGINT and SIGTERM."""
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Generator[None, None, None]:
            yield

    return Server(config)


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


async def first_connection(sock: socket.socket, stop: asyncio.Event) -> bool:
    """Wait until a connection waits on `sock` (True) or `stop` is set (False)."""
    loop = asyncio.get_running_loop()
    arrived: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        if not arrived.done():
            arrived.set_result(None)

    loop.add_reader(sock.fileno(), readable)
    stopping: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait([arrived, stopping], return_when=asyncio.FIRST_COMPLETED)
    finally:
        loop.remove_reader(sock.fileno())
        stopping.cancel()
        arrived.cancel()
    return not stop.is_set()


async def serve_web(app: App, stop: asyncio.Event, *, lazy: bool = False) -> None:
    """Serve the inbox and WhatsApp's webhook until `stop` is set (nothing when PTO_WEB=false
    and WhatsApp is not configured, or when the port is taken); with `lazy`, their code is
    loaded at the first connection."""
    settings = app.services.settings
    if not settings.web and not settings.whatsapp_configured:
        return
    sock = bind(settings.web_listen, settings.web_port)
    if sock is None:
        return
    session_secret(settings)  # made at start, as without `lazy`
    if lazy and not await first_connection(sock, stop):
        sock.close()
        return
    import uvicorn  # on the event loop, once: in a worker thread it cost 1 MiB more (its arena)

    from bot.web.app import create_app

    config = uvicorn.Config(
        create_app(app),
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    server = _uvicorn_server(config)
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
