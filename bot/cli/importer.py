"""`ptobot import CSV`: participants and their invites from a caseload file, all rows or none.

Every row is checked against everything in one run, and every problem is reported at once: an
empty name, a BSN in any column (never echoed), a name twice in the file, a bad household or
start date, an e-mail address that is not usable, appears twice or belongs to someone already,
a name that already exists, a klantmanager or coach nobody is called (or several
are; names match like `/deelnemer`, `bot.services.names`). Only a file without any problem is
imported, in one transaction.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.app import open_app
from bot.cli.core import PLACEHOLDER_BOT, bot_username
from bot.config import Settings
from bot.domain.bsn import mask_bsn
from bot.domain.email import normalise_email
from bot.domain.errors import DomainError
from bot.domain.invites import deep_link
from bot.domain.models import Household, Role
from bot.services import names, onboarding
from bot.storage import people
from bot.storage.unit import Tx
from messages import render

CSV_COLUMNS = ("name", "klantmanager", "coach", "start_date", "household", "email")
Problem = tuple[int, str]  # (row number in the file, reason)


def register(sub: Any) -> None:
    """Add the import subcommand."""
    p = sub.add_parser("import", help="create participants and invites from a caseload CSV")
    p.add_argument("csv", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)


@dataclass(frozen=True)
class CsvRow:
    """One row with a usable name (its other problems, if any, are reported separately)."""

    line: int
    name: str
    klantmanager: str | None
    coach: str | None
    start_date: date | None
    household: Household
    email: str | None = None  # checked and normalised (`bot.domain.email`)


def _text(exc: DomainError) -> str:
    return render(exc.key, "en", **exc.context)


def read_caseload(path: Path) -> tuple[list[CsvRow], list[Problem]]:
    """Parse the caseload CSV: the rows to check against the database, and every problem the
    file itself shows (a row may have several)."""
    rows: list[CsvRow] = []
    problems: list[Problem] = []
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
        addresses: set[str] = set()
        for number, raw in enumerate(reader, start=2):
            row = {k: (v or "").strip() for k, v in raw.items() if k}
            found, usable = _row_problems(row)
            problems.extend((number, reason) for reason in found)
            name = " ".join(row.get("name", "").split())
            if not usable:
                continue
            if name.casefold() in seen:
                problems.append((number, f"{name} appears twice in the file"))
                continue
            seen.add(name.casefold())
            email = _email(row.get("email", ""))
            if email is not None and email in addresses:
                problems.append((number, f"e-mail address {email} appears twice in the file"))
                continue
            if email is not None:
                addresses.add(email)
            household = row.get("household") or Household.ALLEENSTAANDE.value
            rows.append(
                CsvRow(
                    number,
                    name,
                    None if mask_bsn(row.get("klantmanager", ""))[1] else row.get("klantmanager"),
                    None if mask_bsn(row.get("coach", ""))[1] else row.get("coach"),
                    _start(row.get("start_date", "")),
                    Household(household) if household in _HOUSEHOLDS else Household.ALLEENSTAANDE,
                    email,
                )
            )
    return rows, problems


_HOUSEHOLDS = {h.value for h in Household}


def _start(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _email(text: str) -> str | None:
    """The row's address as stored; None when empty or not usable (reported by _row_problems)."""
    try:
        return normalise_email(text) if text else None
    except DomainError:
        return None


def _row_problems(row: dict[str, str]) -> tuple[list[str], bool]:
    """What is wrong with one row by itself, and whether its name is usable for more checks."""
    found: list[str] = []
    name = " ".join(row.get("name", "").split())
    usable = True
    if not name:
        found.append("name is empty")
        usable = False
    elif mask_bsn(name)[1]:  # never echo the number, not even in the report
        found.append("a name may not contain a BSN")
        usable = False
    elif len(name) > 80:
        found.append("a name has at most 80 characters")
        usable = False
    for column in ("klantmanager", "coach"):
        if mask_bsn(row.get(column, ""))[1]:
            found.append(f"the {column} column may not contain a BSN")
    household = row.get("household") or Household.ALLEENSTAANDE.value
    if household not in _HOUSEHOLDS:
        found.append(f"unknown household {household!r}")
    if row.get("email"):
        try:
            normalise_email(row["email"])
        except DomainError as exc:  # the BSN message never repeats the number
            found.append(_text(exc))
    if row.get("start_date") and _start(row["start_date"]) is None:
        found.append(f"start_date is not YYYY-MM-DD: {row['start_date']!r}")
    return found, usable


async def check_rows(tx: Tx, rows: list[CsvRow]) -> tuple[list[Problem], list[CsvRow]]:
    """Every problem of the rows against the database (names that exist, klantmanagers and
    coaches nobody or several are called); the rows with those two names written in full."""
    problems: list[Problem] = []
    resolved: list[CsvRow] = []
    known: dict[tuple[Role, str], str | DomainError] = {}

    async def full_name(query: str | None, role: Role) -> str | DomainError | None:
        if not query:
            return None
        key = (role, names.tidy(query))
        if key not in known:
            try:
                known[key] = (await names.person_named(tx, query, role)).name
            except DomainError as exc:
                known[key] = exc
        return known[key]

    for row in rows:
        if await people.person_by_name(tx, row.name) is not None:
            problems.append((row.line, f"{row.name} already exists"))
        if row.email and await people.person_by_email(tx, row.email) is not None:
            taken = DomainError("people/email_taken", address=row.email)
            problems.append((row.line, _text(taken)))
        km = await full_name(row.klantmanager, Role.KLANTMANAGER)
        coach = await full_name(row.coach, Role.COACH)
        for found in (km, coach):
            if isinstance(found, DomainError):
                problems.append((row.line, _text(found)))
        resolved.append(
            CsvRow(
                row.line,
                row.name,
                km if isinstance(km, str) else None,
                coach if isinstance(coach, str) else None,
                row.start_date,
                row.household,
                row.email,
            )
        )
    return problems, resolved


async def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import a caseload: all rows or none, every problem reported in one run."""
    try:
        rows, problems = read_caseload(args.csv)
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        print(f"ptobot import: cannot read {args.csv}: {exc}", file=sys.stderr)
        return 1
    async with open_app(settings) as app:
        now = app.services.clock.now()
        invites: list[onboarding.Invite] = []
        try:
            async with app.services.db.transaction() as tx:
                found, resolved = await check_rows(tx, rows)
                problems.extend(found)
                if not problems:
                    for row in resolved:
                        try:
                            invites.append(await _invite(tx, now, settings, row))
                        except DomainError as exc:  # a safety net: check_rows saw nothing
                            problems.append((row.line, _text(exc)))
                            raise _Undo() from exc
        except _Undo:
            invites = []
        username = await bot_username(app) if invites else PLACEHOLDER_BOT
    if problems:
        return _report(problems, as_json=args.json)
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


async def _invite(tx: Tx, now: datetime, settings: Settings, row: CsvRow) -> onboarding.Invite:
    return await onboarding.create_invite(
        tx,
        now,
        role=Role.PARTICIPANT,
        name=row.name,
        ttl_days=settings.invite_ttl_days,
        klantmanager=row.klantmanager,
        coach=row.coach,
        start_date=row.start_date,
        household=row.household,
        email=row.email,
    )


def _report(problems: list[Problem], *, as_json: bool) -> int:
    """Every problem, by row (a row's problems in the order they were found); exit code 1."""
    ordered = sorted(problems, key=lambda problem: problem[0])
    if as_json:
        report = [{"row": line, "reason": reason} for line, reason in ordered]
        print(json.dumps({"imported": 0, "rejected": report}))
    else:
        rows = len({line for line, _ in ordered})
        print(f"Nothing imported: {len(ordered)} problem(s) in {rows} row(s).", file=sys.stderr)
        for line, reason in ordered:
            print(f"  row {line}: {reason}", file=sys.stderr)
    return 1


class _Undo(Exception):
    """Roll the import back (the transaction ends with an exception)."""
