"""Core subcommands: run, chat, migrate, invite, import, people."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot import demo
from bot.app import App, open_app, setup_logging
from bot.config import Settings
from bot.domain.bsn import mask_bsn
from bot.domain.errors import DomainError
from bot.domain.invites import deep_link
from bot.domain.models import Household, Role
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
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_invite)

    p = sub.add_parser("import", help="create participants and invites from a caseload CSV")
    p.add_argument("csv", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("people", help="list people, their role, klantmanager, coach and chat")
    p.add_argument("--json", action="store_true")
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
    """Telegram when a token is configured, the terminal chat otherwise."""
    if not settings.telegram_bot_token:
        args.as_name = None
        return await cmd_chat(args, settings)
    from bot.cli.run import run_telegram

    setup_logging(settings)
    with instance_lock(settings.database_path):
        async with open_app(settings) as app:
            return await run_telegram(app)


async def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """The terminal chat on the embedded database, with demo people in an empty one."""
    from bot.channels.console import ConsoleChannel

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with instance_lock(settings.database_path):
        async with open_app(settings) as app:
            if settings.demo:
                await demo.seed_if_empty(
                    app.services.db, app.services.clock.now(), settings.proof_dir
                )
            console = ConsoleChannel(app)
            await console.run()
    return 0


async def _bot_username(app: App) -> str:
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
                )
        except DomainError as exc:
            print(f"ptobot invite: {_cli_text(exc)}", file=sys.stderr)
            return 1
        link = deep_link(await _bot_username(app), invite.code)
    if args.json:
        print(
            json.dumps(
                {
                    "code": invite.code,
                    "link": link,
                    "person_id": invite.person_id,
                    "name": invite.name,
                    "role": invite.role.value,
                    "expires_at": invite.expires_at.isoformat(timespec="seconds"),
                }
            )
        )
    else:
        print(
            f"Invite for {invite.name} ({invite.role.value}), valid until "
            f"{invite.expires_at:%Y-%m-%d %H:%M} UTC"
        )
        print(f"code: {invite.code}")
        print(f"link: {link}")
    return 0


@dataclass(frozen=True)
class CsvRow:
    """One valid caseload row."""

    line: int
    name: str
    klantmanager: str | None
    coach: str | None
    start_date: date | None
    household: Household


CSV_COLUMNS = ("name", "klantmanager", "coach", "start_date", "household")


def read_caseload(path: Path) -> tuple[list[CsvRow], list[tuple[int, str]]]:
    """Parse the caseload CSV: valid rows and (row number, reason) for rejected ones."""
    rows: list[CsvRow] = []
    rejected: list[tuple[int, str]] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        sample = handle.read(2048)
        handle.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;") if sample else csv.excel
        reader = csv.DictReader(handle, dialect=dialect)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in ("name", "klantmanager") if c not in header]
        if missing:
            return [], [(1, f"missing column(s): {', '.join(missing)}")]
        reader.fieldnames = header
        seen: set[str] = set()
        for number, raw in enumerate(reader, start=2):
            row = {k: (v or "").strip() for k, v in raw.items() if k}
            name = " ".join(row.get("name", "").split())
            if not name:
                rejected.append((number, "name is empty"))
                continue
            if mask_bsn(name)[1]:  # never echo the number, not even in the report
                rejected.append((number, "a name may not contain a BSN"))
                continue
            if name.lower() in seen:
                rejected.append((number, f"{name} appears twice in the file"))
                continue
            seen.add(name.lower())
            household = row.get("household") or Household.ALLEENSTAANDE.value
            if household not in {h.value for h in Household}:
                rejected.append((number, f"unknown household {household!r}"))
                continue
            start = None
            if row.get("start_date"):
                try:
                    start = date.fromisoformat(row["start_date"])
                except ValueError:
                    bad = row["start_date"]
                    rejected.append((number, f"start_date is not YYYY-MM-DD: {bad!r}"))
                    continue
            rows.append(
                CsvRow(
                    number,
                    name,
                    row.get("klantmanager") or None,
                    row.get("coach") or None,
                    start,
                    Household(household),
                )
            )
    return rows, rejected


async def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import a caseload: all rows or none."""
    try:
        rows, rejected = read_caseload(args.csv)
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        print(f"ptobot import: cannot read {args.csv}: {exc}", file=sys.stderr)
        return 1
    async with open_app(settings) as app:
        now = app.services.clock.now()
        invites = []
        if not rejected:
            try:
                async with app.services.db.transaction() as tx:
                    for row in rows:
                        if await people.person_by_name(tx, row.name):
                            raise _RowError(row.line, f"{row.name} already exists")
                        try:
                            invites.append(
                                await onboarding.create_invite(
                                    tx,
                                    now,
                                    role=Role.PARTICIPANT,
                                    name=row.name,
                                    ttl_days=settings.invite_ttl_days,
                                    klantmanager=row.klantmanager,
                                    coach=row.coach,
                                    start_date=row.start_date,
                                    household=row.household,
                                )
                            )
                        except DomainError as exc:
                            raise _RowError(row.line, _cli_text(exc)) from exc
            except _RowError as exc:
                rejected.append((exc.line, exc.reason))
                invites = []
        username = await _bot_username(app) if invites else PLACEHOLDER_BOT
    if rejected:
        report = [{"row": line, "reason": reason} for line, reason in sorted(rejected)]
        if args.json:
            print(json.dumps({"imported": 0, "rejected": report}))
        else:
            print(f"Nothing imported: {len(rejected)} row(s) rejected.", file=sys.stderr)
            for line, reason in sorted(rejected):
                print(f"  row {line}: {reason}", file=sys.stderr)
        return 1
    result = [
        {"name": i.name, "code": i.code, "link": deep_link(username, i.code)} for i in invites
    ]
    if args.json:
        print(json.dumps({"imported": len(result), "rejected": [], "invites": result}))
    else:
        print(f"Imported {len(result)} participant(s).")
        for item in result:
            print(f"  {item['name']}: {item['link']}")
    return 0


class _RowError(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


async def cmd_people(args: argparse.Namespace, settings: Settings) -> int:
    """List people with their role, klantmanager, coach, status and whether a chat is linked."""
    async with open_app(settings) as app, app.services.db.read() as tx:
        entries = await people.directory(tx)
    listed = [_person_data(e) for e in entries]
    if args.json:
        print(json.dumps(listed))
        return 0
    print(f"{'name':<24} {'role':<13} {'klantmanager':<20} {'coach':<16} {'status':<7} chat")
    for p in listed:
        print(
            f"{p['name']:<24} {p['role']:<13} {p['klantmanager'] or '-':<20} "
            f"{p['coach'] or '-':<16} {p['status'] or '-':<7} {'yes' if p['linked'] else 'no'}"
        )
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
    }
