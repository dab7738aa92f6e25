"""Subcommands of the queue feature: delegate, export, dossier (digest: `bot.cli.digest`).

Names are matched like `/deelnemer` (`bot.services.names`): `--from kim --to karin` is enough
when only one klantmanager fits each.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.app import open_app
from bot.cli import outcome_export
from bot.cli.output import audit, open_private
from bot.config import Settings
from bot.domain.errors import DomainError
from bot.domain.languages import STAFF_LOCALES
from bot.domain.models import Role
from bot.domain.periods import parse_period
from bot.domain.policy import Policy
from bot.services import delegations, exports, names
from bot.storage.unit import Tx
from messages import render
from messages.dossier import render_dossier


def register(sub: Any) -> None:
    """Add the queue feature's subcommands to `sub` (argparse subparsers)."""
    p = sub.add_parser(
        "delegate",
        help="let a colleague see a klantmanager's caseload for a while; --list, --cancel",
    )
    what = p.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true", help="show the running delegations")
    what.add_argument(
        "--cancel", action="store_true", help="end the delegation from --from to --to now"
    )
    p.add_argument("--from", dest="from_name", metavar="NAME", help="the klantmanager away")
    p.add_argument("--to", dest="to_name", metavar="NAME", help="the colleague standing in")
    p.add_argument("--until", type=_date, metavar="YYYY-MM-DD", help="the last day (inclusive)")
    p.add_argument("--json", action="store_true", help="with --list: print one JSON array")
    p.set_defaults(func=cmd_delegate)

    p = sub.add_parser(
        "export",
        help="declarations of one month (--period) or the outcomes of a year (--outcomes --year) "
        "as CSV (see docs/export.md)",
    )
    p.add_argument("--period", type=_period, metavar="YYYY-MM")
    outcome_export.add_arguments(p)
    p.add_argument("--format", choices=("csv",), default="csv")
    p.add_argument("--out", type=Path, metavar="FILE")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("dossier", help="one participant's declarations, queue and proof as HTML")
    p.add_argument("--participant", required=True, metavar="NAME")
    p.add_argument("--out", required=True, type=Path, metavar="FILE")
    p.add_argument("--lang", choices=STAFF_LOCALES, default="nl")
    p.set_defaults(func=cmd_dossier)


WIDTHS = (("FROM", "from_name"), ("TO", "to_name"))  # the columns of `delegate --list`


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


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
    """Start (--from --to --until), list (--list) or end (--cancel --from --to) a delegation."""
    if args.list:
        return await _list_delegations(args, settings)
    needed = ["--from", "--to"] if args.cancel else ["--from", "--to", "--until"]
    given = {"--from": args.from_name, "--to": args.to_name, "--until": args.until}
    missing = [flag for flag in needed if given[flag] is None]
    if missing:
        print(
            f"ptobot delegate: {' and '.join(missing)} needed "
            "(start: --from --to --until; end: --cancel --from --to; show: --list)",
            file=sys.stderr,
        )
        return 2
    async with open_app(settings) as app:
        now = app.services.clock.now()
        try:
            async with app.services.db.transaction() as tx:
                if args.cancel:
                    source, target, until = await delegations.cancel(
                        tx, now, args.from_name, args.to_name
                    )
                else:
                    source, target = await delegations.delegate(
                        tx, now, args.from_name, args.to_name, args.until
                    )
        except DomainError as exc:
            return _fail("delegate", exc)
    if args.cancel:
        print(
            f"{target.name} no longer sees the caseload of {source.name} "
            f"(the delegation would have run until {until})."
        )
    else:
        print(f"{target.name} sees the caseload of {source.name} until {args.until} (inclusive).")
    return 0


async def _list_delegations(args: argparse.Namespace, settings: Settings) -> int:
    async with open_app(settings) as app, app.services.db.read() as tx:
        found = await delegations.running(tx, app.services.clock.now())
    if args.json:
        print(
            json.dumps(
                [
                    {"from": d.from_name, "to": d.to_name, "until": d.until.isoformat()}
                    for d in found
                ]
            )
        )
        return 0
    if not found:
        print("No delegations are running.")
        return 0
    from_width, to_width = (max(len(x), *(len(getattr(d, f)) for d in found)) for x, f in WIDTHS)
    print(f"{'FROM':<{from_width}}  {'TO':<{to_width}}  UNTIL")
    for d in found:
        print(f"{d.from_name:<{from_width}}  {d.to_name:<{to_width}}  {d.until.isoformat()}")
    return 0


async def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write one CSV row per declaration of the month (latest version), or the year's outcomes."""
    if args.outcomes or args.period is None:
        return await outcome_export.cmd_export_outcomes(args, settings)
    period = args.period

    async def read(tx: Tx, policy: Policy) -> list[dict[str, str]]:
        return await exports.export_rows(tx, policy, period)

    rows = await outcome_export.audited_rows(settings, read, args.out, period=period)
    if outcome_export.write_rows(rows, args.out, exports.COLUMNS):
        return 1
    print(f"{len(rows)} declaration(s) for {period}", file=sys.stderr)
    return 0


async def cmd_dossier(args: argparse.Namespace, settings: Settings) -> int:
    """Write one participant's dossier as an HTML page."""
    async with open_app(settings) as app:
        services = app.services
        try:
            async with services.db.read() as tx:
                person = await names.person_named(
                    tx,
                    args.participant,
                    Role.PARTICIPANT,
                    unknown="queue/cli_unknown_participant",
                )
                context = await exports.dossier_context(
                    tx, services.policy, person.name, args.lang, services.clock.now()
                )
        except DomainError as exc:
            return _fail("dossier", exc)
        await audit(
            services.db,
            services.clock.now(),
            "dossier",
            participants=[person.id],
            out=args.out,
            subject_id=person.id,
            lang=args.lang,
        )
    return _write(render_dossier(context, args.lang), args.out, "dossier")
