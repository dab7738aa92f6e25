"""`ptobot web` (the inbox alone) and `ptobot web-link --name NAME [--json]` (a login link)."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from typing import Any

from bot.app import App, open_app, setup_logging
from bot.config import Settings
from bot.domain.errors import DomainError
from bot.domain.web_links import LINK_TTL, login_url
from bot.services import web_login
from messages import render


def register(sub: Any) -> None:
    """Add the web subcommands."""
    p = sub.add_parser("web", help="serve the web inbox alone (PTO_WEB_LISTEN, PTO_WEB_PORT)")
    p.set_defaults(func=cmd_web)
    p = sub.add_parser("web-link", help="print a one-time login link to the web inbox")
    p.add_argument("--name", required=True, help="a klantmanager, coach or administrator")
    p.add_argument("--json", action="store_true", help='print {"url": ...}')
    p.set_defaults(func=cmd_web_link)


async def make_link(app: App, name: str) -> tuple[str, str]:
    """A fresh login link for the person named: (their full name, the URL)."""
    services = app.services
    now = services.clock.now()
    async with services.db.transaction() as tx:
        person = await web_login.web_person_named(tx, name)
        token = await web_login.create_link(tx, now, person, via="cli")
    return person.name, login_url(services.settings.web_base_url, token)


async def cmd_web_link(args: argparse.Namespace, settings: Settings) -> int:
    """Print a login link (valid 15 minutes, once)."""
    async with open_app(settings) as app:
        try:
            name, url = await make_link(app, args.name)
        except DomainError as exc:
            print(f"ptobot web-link: {render(exc.key, 'en', **exc.context)}", file=sys.stderr)
            return 1
    if args.json:
        print(json.dumps({"url": url}))
    else:
        minutes = int(LINK_TTL.total_seconds() // 60)
        print(f"Login link for {name} (works once, valid for {minutes} minutes):")
        print(url)
    return 0


async def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the inbox until SIGINT or SIGTERM."""
    from bot.web.server import bind, serve_web

    if not settings.web:
        print("ptobot web: the web inbox is switched off (PTO_WEB=false)", file=sys.stderr)
        return 2
    setup_logging(settings)
    probe = bind(settings.web_listen, settings.web_port)
    if probe is None:
        print(
            f"ptobot web: cannot listen on {settings.web_listen}:{settings.web_port}",
            file=sys.stderr,
        )
        return 1
    probe.close()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with open_app(settings) as app:
        print(f"web inbox on {settings.web_base_url}", file=sys.stderr, flush=True)
        await serve_web(app, stop)
    return 0
