"""`ptobot copy-db`: move an installation between databases (SQLite ↔ PostgreSQL)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.config import Settings, database_kind, database_path
from bot.storage.backends import describe, instance_lock, open_database
from bot.storage.copy import CopyRefused, copy_database


def register(sub: Any) -> None:
    """Add the copy-db subcommand."""
    p = sub.add_parser(
        "copy-db",
        help="copy an installation's database into an empty other one (SQLite and PostgreSQL)",
    )
    p.add_argument("--from", dest="source", required=True, metavar="DATABASE_URL")
    p.add_argument("--to", dest="target", required=True, metavar="DATABASE_URL")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_copy_db)


async def cmd_copy_db(args: argparse.Namespace, settings: Settings) -> int:
    """Copy every table, verify the counts; refuse a non-empty target (nothing written)."""
    for url in (args.source, args.target):
        database_kind(url)  # a malformed URL: a configuration error, one line
    if describe(args.source) == describe(args.target):
        print("ptobot copy-db: --from and --to name the same database", file=sys.stderr)
        return 1
    if database_kind(args.source) == "sqlite" and not database_path(args.source).is_file():
        print(f"ptobot copy-db: no database file {database_path(args.source)}", file=sys.stderr)
        return 1
    async with instance_lock(args.source, alone=True), instance_lock(args.target, alone=True):
        source = await open_database(args.source)
        try:
            target = await open_database(args.target)
            try:
                counts = await copy_database(source, target)
            except CopyRefused as exc:
                print(f"ptobot copy-db: {exc}; nothing was copied", file=sys.stderr)
                return 1
            finally:
                await target.close()
        finally:
            await source.close()
    total = sum(counts.values())
    if args.json:
        print(json.dumps({"tables": dict(counts), "rows": total}))
        return 0
    for table, rows in counts.items():
        print(f"{table:<28} {rows:>9}")
    print(
        f"copied {total} rows in {len(counts)} tables from {describe(args.source)} to "
        f"{describe(args.target)}; counts verified. Proof files stay where they are "
        "(PTO_PROOF_DIR): the copied rows refer to them by path."
    )
    return 0
