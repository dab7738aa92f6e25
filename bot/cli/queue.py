"""Subcommands of the queue feature: delegate, digest, export, dossier."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.app import open_app
from bot.channels.base import html_to_text
from bot.cli.output import audit, open_private
from bot.config import Settings
from bot.domain.errors import DomainError
from bot.domain.models import LOCALES, Role
from bot.domain.periods import parse_period
from bot.domain.weeks import week_monday
from bot.services import access, digest, exports
from bot.storage import people
from messages import render
from messages.digest import render_chat_parts, render_html
from messages.dossier import render_dossier


def register(sub: Any) -> None:
    """Add the queue feature's subcommands to `sub` (argparse subparsers)."""
    p = sub.add_parser(
        "delegate", help="let a colleague see a klantmanager's caseload for a while"
    )
    p.add_argument("--from", dest="from_name", required=True, metavar="NAME")
    p.add_argument("--to", dest="to_name", required=True, metavar="NAME")
    p.add_argument("--until", required=True, type=_date, metavar="YYYY-MM-DD")
    p.set_defaults(func=cmd_delegate)

    p = sub.add_parser("digest", help="render a klantmanager's weekly digest")
    p.add_argument("--klantmanager", required=True, metavar="NAME")
    p.add_argument("--week", type=_week, metavar="YYYY-Www")
    p.add_argument("--format", choices=("html", "text"), default="text")
    p.add_argument("--out", type=Path, metavar="FILE")
    p.set_defaults(func=cmd_digest)

    p = sub.add_parser("export", help="declarations of one month as CSV (see docs/export.md)")
    p.add_argument("--period", required=True, type=_period, metavar="YYYY-MM")
    p.add_argument("--format", choices=("csv",), default="csv")
    p.add_argument("--out", type=Path, metavar="FILE")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("dossier", help="one participant's declarations, queue and proof as HTML")
    p.add_argument("--participant", required=True, metavar="NAME")
    p.add_argument("--out", required=True, type=Path, metavar="FILE")
    p.add_argument("--lang", choices=LOCALES, default="nl")
    p.set_defaults(func=cmd_dossier)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _week(text: str) -> str:
    try:
        week_monday(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO week (YYYY-Www): {text!r}") from None
    return text


def _period(text: str) -> str:
    try:
        parse_period(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}") from None
    return text


def _fail(command: str, exc: DomainError) -> int:
    print(f"ptobot {command}: {render(exc.key, 'en', **exc.context)}", file=sys.stderr)
    return 1


def _write(text: str, out: Path | None, command: str) -> int:
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return 0
    try:
        with open_private(out) as handle:
            handle.write(text)
    except OSError as exc:
        print(f"ptobot {command}: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {out}", file=sys.stderr)
    return 0


async def cmd_delegate(args: argparse.Namespace, settings: Settings) -> int:
    """Let --to see --from's caseload until --until (inclusive)."""
    async with open_app(settings) as app:
        now = app.services.clock.now()
        try:
            async with app.services.db.transaction() as tx:
                source, target = await access.delegate(
                    tx, now, args.from_name, args.to_name, args.until
                )
        except DomainError as exc:
            return _fail("delegate", exc)
    print(f"{target.name} sees the caseload of {source.name} until {args.until} (inclusive).")
    return 0


async def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    """Render the digest of one klantmanager, as chat text or a standalone HTML page."""
    async with open_app(settings) as app:
        services = app.services
        window = digest.window_for(services.policy, services.clock.now(), args.week)
        async with services.db.read() as tx:
            person = await people.person_by_name(tx, args.klantmanager)
            if person is None or person.role != Role.KLANTMANAGER:
                return _fail(
                    "digest",
                    DomainError("queue/cli_not_klantmanager", name=args.klantmanager),
                )
            figures = await digest.build_digest(tx, services.policy, person, window)
            seen = await access.visible_participants(tx, person, window.as_of)
        await audit(
            services.db,
            services.clock.now(),
            "digest",
            participants=[pid for pid, _, _ in seen],
            out=args.out,
            klantmanager_id=person.id,
            week=window.week,
            format=args.format,
        )
    if args.format == "html":
        text = render_html(figures, person.locale)
    else:
        parts = render_chat_parts(figures, person.locale)
        text = "\n\n".join(html_to_text(part) for part in parts) + "\n"
    return _write(text, args.out, "digest")


async def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write one CSV row per declaration of the month (latest version)."""
    async with open_app(settings) as app:
        services = app.services
        async with services.db.read() as tx:
            rows = await exports.export_rows(tx, services.policy, args.period)
        await audit(
            services.db,
            services.clock.now(),
            "export",
            participants=[int(row["participant_id"]) for row in rows],
            out=args.out,
            period=args.period,
            rows=len(rows),
        )
    if args.out is None:
        exports.write_csv(rows, sys.stdout)
    else:
        try:
            with open_private(args.out) as handle:
                exports.write_csv(rows, handle)
        except OSError as exc:
            print(f"ptobot export: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
            return 1
    print(f"{len(rows)} declaration(s) for {args.period}", file=sys.stderr)
    return 0


async def cmd_dossier(args: argparse.Namespace, settings: Settings) -> int:
    """Write one participant's dossier as an HTML page."""
    async with open_app(settings) as app:
        services = app.services
        try:
            async with services.db.read() as tx:
                context = await exports.dossier_context(
                    tx, services.policy, args.participant, args.lang, services.clock.now()
                )
                person = await people.person_by_name(tx, args.participant)
        except DomainError as exc:
            return _fail("dossier", exc)
        subject = person.id if person is not None else None
        await audit(
            services.db,
            services.clock.now(),
            "dossier",
            participants=[subject] if subject is not None else [],
            out=args.out,
            subject_id=subject,
            lang=args.lang,
        )
    return _write(render_dossier(context, args.lang), args.out, "dossier")
