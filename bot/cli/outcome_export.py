"""`ptobot export --outcomes --year YYYY`: the trajectory outcomes of a year as CSV (issue 17).

Audited and written 0600 like every export; without `--out` the CSV goes to standard output.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.app import open_app
from bot.cli.output import audit, open_private
from bot.config import Settings
from bot.domain.policy import Policy
from bot.services import exports, outcome_export
from bot.storage.unit import Tx

Read = Callable[[Tx, Policy], Awaitable[list[dict[str, str]]]]


def _year(text: str) -> int:
    if not (len(text) == 4 and text.isascii() and text.isdigit()) or int(text) < 1900:
        raise argparse.ArgumentTypeError(f"not a year (YYYY): {text!r}")
    return int(text)


def add_arguments(parser: Any) -> None:
    """Add --outcomes and --year to `ptobot export`."""
    parser.add_argument(
        "--outcomes", action="store_true", help="the trajectory outcomes of --year instead"
    )
    parser.add_argument("--year", type=_year, metavar="YYYY", help="with --outcomes")


async def cmd_export_outcomes(args: argparse.Namespace, settings: Settings) -> int:
    """Write one CSV row per participant whose latest outcome took effect in the year."""
    if not args.outcomes or args.year is None or args.period is not None:
        print(
            "ptobot export: give --period YYYY-MM, or --outcomes --year YYYY (not both)",
            file=sys.stderr,
        )
        return 2
    year = args.year

    async def read(tx: Tx, policy: Policy) -> list[dict[str, str]]:
        return await outcome_export.outcome_rows(tx, policy, year)

    rows = await audited_rows(settings, read, args.out, outcomes=True, year=year)
    if write_rows(rows, args.out, outcome_export.COLUMNS):
        return 1
    print(f"{len(rows)} outcome(s) for {year}", file=sys.stderr)
    return 0


async def audited_rows(
    settings: Settings, read: Read, out: Path | None, **what: Any
) -> list[dict[str, str]]:
    """The rows an export command writes, read in one transaction, and its audit record (the
    participants it holds, where it goes and `what` was asked)."""
    async with open_app(settings) as app:
        services = app.services
        async with services.db.read() as tx:
            rows = await read(tx, services.policy)
        await audit(
            services.db,
            services.clock.now(),
            "export",
            participants=[int(row["participant_id"]) for row in rows],
            out=out,
            **what,
            rows=len(rows),
        )
    return rows


def write_rows(rows: list[dict[str, str]], out: Path | None, columns: tuple[str, ...]) -> int:
    """The CSV to `out` (0600) or standard output; 1 when the file cannot be written."""
    if out is None:
        exports.write_csv(rows, sys.stdout, columns)
        return 0
    try:
        with open_private(out) as handle:
            exports.write_csv(rows, handle, columns)
    except OSError as exc:
        print(f"ptobot export: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0
