"""`ptobot purge [--dry-run]`: delete what is past its retention term."""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.app import open_app
from bot.config import Settings
from bot.services.privacy import purge


def register(sub: Any) -> None:
    """Add the purge subcommand."""
    p = sub.add_parser(
        "purge", help="delete drafts, old declarations and proof files past their retention term"
    )
    p.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_purge)


async def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    """Run the retention purge and print the counts."""
    async with open_app(settings) as app:
        services = app.services
        report = await purge(
            services.db,
            services.policy,
            services.clock.now(),
            dry_run=args.dry_run,
            proof_dir=settings.proof_dir,
        )
    if args.json:
        print(json.dumps({"dry_run": report.dry_run, **report.counts()}))
        return 0
    if report.dry_run:
        print(f"Dry run: nothing deleted. A purge would delete {report.total} item(s):")
    else:
        print(f"Deleted {report.total} item(s):")
    for name, count in report.counts().items():
        print(f"  {name.replace('_', ' ')}: {count}")
    return 0
