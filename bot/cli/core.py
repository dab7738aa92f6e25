"""Core subcommands: run, chat, migrate, invite, people (import: `bot.cli.importer`)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from typing import Any

from bot import demo
from bot.app import App, open_app, setup_logging
from bot.config import Settings
from bot.domain.errors import DomainError
from bot.domain.invites import deep_link, whatsapp_link
from bot.domain.models import Household, Role
from bot.domain.phone import mask_phone
from bot.services import onboarding
from bot.storage import meta, people
from bot.storage.sqlite.db import Database, instance_lock
from messages import render

log = logging.getLogger(__name__)
PLACEHOLDER_BOT = "jouw_pto_bot"


def register(sub: Any) -> None:
    """Add the core subcommands."""
    p = sub.add_parser("run", help="start the assistant (Telegram with a token, else terminal)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("chat", help="chat with the assistant in the terminal")
    p.add_argument("--as", dest="as_name", help="start as this (demo) person")
    p.set_defaults(func=cmd_chat)
    p = sub.add_parser("demo", help="fill an empty database with demo people, then chat")
    p.set_defaults(func=cmd_chat, as_name=None)
    p = sub.add_parser("migrate", help="apply database migrations")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("invite", help="make a one-time invite code and link")
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--name", required=True)
    p.add_argument("--klantmanager")
    p.add_argument("--coach")
    p.add_argument("--start-date", type=_date)
    p.add_argument(
        "--household", choices=[h.value for h in Household], default=Household.ALLEENSTAANDE.value
    )
    p.add_argument("--email", metavar="ADDRESS", help="the person's e-mail address")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_invite)

    p = sub.add_parser(
        "people", help="list people, their role, klantmanager, coach, chat and e-mail"
    )
    p.add_argument("--json", action="store_true")
    change = p.add_mutually_exclusive_group()
    change.add_argument(
        "--set-email", nargs=2, metavar=("NAME", "ADDRESS"), help="set a person's e-mail address"
    )
    change.add_argument("--remove-email", metavar="NAME", help="remove a person's e-mail address")
    p.set_defaults(func=cmd_people)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _cli_text(exc: DomainError) -> str:
    return render(exc.key, "en", **exc.context)


async def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Apply the migrations."""
    db = await Database.open(settings.database_path)
    try:
        applied = await db.migrate()
        version = await db.user_version()
    finally:
        await db.close()
    print(
        f"database {settings.database_path}: version {version}"
        + (f" (applied {', '.join(applied)})" if applied else " (up to date)")
    )
    return 0


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Every configured channel (Telegram, WhatsApp or both), the terminal chat otherwise."""
    if not settings.telegram_bot_token and not settings.whatsapp_configured:
        args.as_name = None
        args.serve_web = True  # the inbox next to the terminal chat
        return await cmd_chat(args, settings)
    from bot.cli.run import run_telegram

    setup_logging(settings)
    with instance_lock(settings.database_path):
        async with open_app(settings) as app:
            return await run_telegram(app)


async def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """The terminal chat on the embedded database, with demo people in an empty one."""
    from bot.channels.console import ConsoleChannel
    from bot.mail import mailing

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with instance_lock(settings.database_path):
        async with open_app(settings) as app:
            if settings.demo:
                await demo.seed_if_empty(
                    app.services.db, app.services.clock.now(), settings.proof_dir
                )
            console = ConsoleChannel(app)
            async with mailing(app.services.db, settings, app.services.clock.now):
                if not (getattr(args, "serve_web", False) and settings.web):
                    await console.run()
                    return 0
                await _chat_with_web(app, console)
    return 0


async def _chat_with_web(app: App, console: Any) -> None:
    """The terminal chat with the web inbox next to it; the demo prints Kim's login link."""
    import asyncio

    from bot.cli.run import serve_inbox
    from bot.cli.web import make_link
    from bot.domain.web_links import LINK_TTL

    stop = asyncio.Event()
    web = asyncio.create_task(serve_inbox(app, stop))
    if await demo.is_demo(app.services.db):
        try:
            name, url = await make_link(app, demo.KLANTMANAGER)
        except DomainError:
            name = ""
        if name:
            minutes = int(LINK_TTL.total_seconds() // 60)
            line = render("console/web_link", "nl", name=name, url=url, minutes=minutes)
            print(line + "\n", flush=True)
    try:
        await console.run()
    finally:
        stop.set()
        await web


async def bot_username(app: App) -> str:
    """The bot's @username for deep links: settings, remembered, asked once, or a placeholder."""
    settings = app.services.settings
    if settings.telegram_bot_username:
        return settings.telegram_bot_username
    async with app.services.db.read() as tx:
        known = await meta.meta_get(tx, "bot_username")
    if known:
        return known
    if settings.telegram_bot_token:
        from telegram import Bot
        from telegram.error import TelegramError

        base_url = settings.telegram_base_url or "https://api.telegram.org/bot"
        try:
            async with Bot(settings.telegram_bot_token, base_url=base_url) as bot:
                username = bot.username
            async with app.services.db.transaction() as tx:
                await meta.meta_set(tx, "bot_username", username)
            return username
        except TelegramError:
            log.warning("could not ask Telegram for the bot's username")
    return PLACEHOLDER_BOT


async def cmd_invite(args: argparse.Namespace, settings: Settings) -> int:
    """Make an invite and print the code and the deep link."""
    async with open_app(settings) as app:
        now = app.services.clock.now()
        try:
            async with app.services.db.transaction() as tx:
                invite = await onboarding.create_invite(
                    tx,
                    now,
                    role=Role(args.role),
                    name=args.name,
                    ttl_days=settings.invite_ttl_days,
                    klantmanager=args.klantmanager,
                    coach=args.coach,
                    start_date=args.start_date,
                    household=Household(args.household),
                    email=args.email,
                )
        except DomainError as exc:
            print(f"ptobot invite: {_cli_text(exc)}", file=sys.stderr)
            return 1
        link = deep_link(await bot_username(app), invite.code)
        number = settings.whatsapp_phone_number
        wa_link = whatsapp_link(number, invite.code) if number else None
    if args.json:
        print(
            json.dumps(
                {
                    "code": invite.code,
                    "link": link,
                    "whatsapp_link": wa_link,
                    "person_id": invite.person_id,
                    "name": invite.name,
                    "role": invite.role.value,
                    "expires_at": invite.expires_at.isoformat(timespec="seconds"),
                    "klantmanager": invite.klantmanager,
                    "coach": invite.coach,
                    "email": invite.email,
                }
            )
        )
    else:
        print(
            f"Invite for {invite.name} ({invite.role.value}), valid until "
            f"{invite.expires_at:%Y-%m-%d %H:%M} UTC"
        )
        for role, full in (
            ("klantmanager", invite.klantmanager),
            ("coach", invite.coach),
            ("email", invite.email),
        ):
            if full:
                print(f"{role}: {full}")
        print(f"code: {invite.code}")
        print(f"link: {link}")
        if wa_link:
            print(f"WhatsApp: {wa_link}")
    return 0


async def cmd_people(args: argparse.Namespace, settings: Settings) -> int:
    """List people with their role, klantmanager, coach, status, whether a chat is linked and
    their e-mail address; or set or remove one person's address (`--set-email`,
    `--remove-email`)."""
    if args.set_email or args.remove_email:
        return await _change_email(args, settings)
    async with open_app(settings) as app, app.services.db.read() as tx:
        entries = await people.directory(tx)
    listed = [_person_data(e) for e in entries]
    if args.json:
        print(json.dumps(listed))
        return 0
    print(
        f"{'name':<24} {'role':<13} {'klantmanager':<20} {'coach':<16} {'status':<7} "
        f"{'chat':<5} e-mail"
    )
    for p in listed:
        print(
            f"{p['name']:<24} {p['role']:<13} {p['klantmanager'] or '-':<20} "
            f"{p['coach'] or '-':<16} {p['status'] or '-':<7} "
            f"{'yes' if p['linked'] else 'no':<5} {p['email'] or '-'}"
        )
    return 0


async def _change_email(args: argparse.Namespace, settings: Settings) -> int:
    """`ptobot people --set-email NAME ADDRESS` / `--remove-email NAME` (audited)."""
    name, address = args.set_email if args.set_email else (args.remove_email, None)
    async with open_app(settings) as app:
        try:
            async with app.services.db.transaction() as tx:
                person = await onboarding.set_email(tx, app.services.clock.now(), name, address)
        except DomainError as exc:
            print(f"ptobot people: {_cli_text(exc)}", file=sys.stderr)
            return 1
    if args.json:
        print(json.dumps({"name": person.name, "email": person.email}))
    else:
        print(f"{person.name}: e-mail {person.email or 'removed'}")
    return 0


def _person_data(entry: people.DirectoryEntry) -> dict[str, Any]:
    """One listed person as JSON-able values (dates as YYYY-MM-DD, enums as their value)."""
    return {
        "id": entry.id,
        "name": entry.name,
        "role": entry.role.value,
        "locale": entry.locale,
        "klantmanager": entry.klantmanager,
        "coach": entry.coach,
        "status": entry.status.value if entry.status else None,
        "start_date": entry.start_date.isoformat() if entry.start_date else None,
        "household": entry.household.value if entry.household else None,
        "linked": entry.linked,
        "email": entry.email,
        "whatsapp": mask_phone(entry.whatsapp) if entry.whatsapp else None,
    }
