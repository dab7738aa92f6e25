"""Big invented caseloads, written fast: executemany in one transaction on a migrated database."""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bot.domain.weeks import add_weeks, iso_week, weeks_ending
from bot.storage.sqlite.db import Database

CREATED = "2026-01-05T09:00:00Z"
CHAT_BASE = 500_000_000  # telegram chat id = CHAT_BASE + person id


@dataclass(frozen=True)
class Caseload:
    """What was seeded: ids of the klantmanagers, coaches and participants."""

    klantmanagers: list[int]
    coaches: list[int]
    participants: list[int]

    @staticmethod
    def chat(person_id: int) -> int:
        """The Telegram chat of a seeded person."""
        return CHAT_BASE + person_id


async def migrate_async(path: Path) -> None:
    """Create the schema (all shipped migrations), from inside an event loop."""
    db = await Database.open(path)
    try:
        await db.migrate()
    finally:
        await db.close()


def migrate(path: Path) -> None:
    """Create the schema (all shipped migrations) in a new database file."""
    asyncio.run(migrate_async(path))


def _months_before(period: str, n: int) -> str:
    year, month = map(int, period.split("-"))
    index = year * 12 + month - 1 - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def seed(
    path: Path,
    participants: int,
    klantmanagers: int = 1,
    coaches: int = 1,
    *,
    history_months: int = 0,
    last_period: str = "2026-11",
    history_weeks: int = 0,
    today: date = date(2026, 12, 7),
    submitted_share: float = 0.8,
    seed_value: int = 42,
    start_date: date | None = None,
) -> Caseload:
    """Add people with Telegram chats and (optionally) declarations and weekly hours.

    Participants are spread evenly over the klantmanagers and coaches; `history_months`
    declarations end at `last_period`, each submitted with probability `submitted_share`.
    """
    rng = random.Random(seed_value)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN IMMEDIATE")
        start = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM people").fetchone()[0]) + 1
        km = list(range(start, start + klantmanagers))
        co = list(range(km[-1] + 1 if km else start, (km[-1] + 1 if km else start) + coaches))
        first = (co[-1] if co else (km[-1] if km else start - 1)) + 1
        pa = list(range(first, first + participants))
        people = [(i, f"Klantmanager {n:04d}", "klantmanager") for n, i in enumerate(km, 1)]
        people += [(i, f"Coach {n:04d}", "coach") for n, i in enumerate(co, 1)]
        people += [(i, f"Deelnemer {n:06d}", "participant") for n, i in enumerate(pa, 1)]
        conn.executemany(
            "INSERT INTO people (id, name, role, locale, created_at) VALUES (?, ?, ?, 'nl', ?)",
            [(i, name, role, CREATED) for i, name, role in people],
        )
        conn.executemany(
            "INSERT INTO channel_identities (channel, address, person_id, created_at) "
            "VALUES ('telegram', ?, ?, ?)",
            [(str(CHAT_BASE + i), i, CREATED) for i, _, _ in people],
        )
        households = ("alleenstaande", "alleenstaande_ouder", "gehuwden")
        conn.executemany(
            "INSERT INTO participants (person_id, klantmanager_id, coach_id, start_date, "
            "household) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    p,
                    km[n % len(km)] if km else None,
                    co[n % len(co)] if co else None,
                    (start_date or date(2026, 1, 1) + timedelta(days=n % 200)).isoformat(),
                    households[n % 3],
                )
                for n, p in enumerate(pa)
            ],
        )
        if history_months:
            _declarations(conn, rng, pa, history_months, last_period, submitted_share)
        if history_weeks:
            weeks = weeks_ending(add_weeks(iso_week(today), -1), history_weeks)[::-1]
            conn.executemany(
                "INSERT INTO weekly_hours (participant_id, week, hours, source, updated_at) "
                "VALUES (?, ?, ?, 'checkin', ?)",
                [
                    (p, w, float(rng.choice((8, 12, 16, 22, 24))), CREATED)
                    for p in pa
                    for w in weeks
                ],
            )
        conn.execute("COMMIT")
    finally:
        conn.close()
    return Caseload(km, co, pa)


def _declarations(
    conn: sqlite3.Connection,
    rng: random.Random,
    participants: list[int],
    months: int,
    last_period: str,
    share: float,
) -> None:
    rows = []
    for back in range(months):
        period = _months_before(last_period, back)
        sequence = 0
        for p in participants:
            if rng.random() > share:
                continue
            sequence += 1
            revenue = rng.randrange(0, 300_000)
            costs = rng.randrange(0, revenue // 2 + 1)
            hours = float(rng.randrange(20, 90))
            data = {
                "costs": [{"category": "inkoop", "amount_cents": costs}],
                "weeks": [],
                "note": None,
                "proof_count": 1,
                "no_proof": False,
            }
            rows.append(
                (
                    p,
                    period,
                    1,
                    f"PTO-{period}-{sequence:06d}",
                    1,
                    revenue,
                    costs,
                    hours,
                    json.dumps(data),
                    "[]",
                    f"{_months_before(period, -1)}-05T10:00:00Z",
                )
            )
    conn.executemany(
        "INSERT INTO declarations (participant_id, period, version, reference, worked, "
        "revenue_cents, costs_cents, hours, data, flags, submitted_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


_CACHE: dict[str, Path] = {}


def cached(size: int, workroot: Path) -> Path:
    """A migrated database with `size` participants (100 per klantmanager), made once per run."""
    key = f"{size}"
    if key not in _CACHE:
        path = workroot / f"caseload-{size}.db"
        migrate(path)
        seed(
            path,
            size,
            klantmanagers=max(1, size // 100),
            coaches=max(1, size // 200),
            history_months=3,
            history_weeks=4,
        )
        _CACHE[key] = path
    return _CACHE[key]
