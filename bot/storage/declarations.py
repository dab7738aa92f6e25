"""Submitted declarations: immutable versions per participant and month.

"The latest declaration" of a month is its highest version; `latest` is the one query for it.
`submissions_*` read every version with whether the klantmanager asked for it, for the on-time
rule (bot.domain.timeliness).
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from bot.clock import parse_utc, utc_iso
from bot.domain.answers import Declaration, answers_from_data, answers_to_data
from bot.domain.declaration import Answers
from bot.domain.queue import CORRECTED
from bot.domain.timeliness import Submission
from bot.storage.unit import Row, Tx

COLUMNS = (
    "id, participant_id, period, version, reference, worked, revenue_cents, costs_cents, hours, "
    "data, flags, reason, submitted_at"
)


def declaration_from_row(row: Row) -> Declaration:
    """A `declarations` row (COLUMNS) as a Declaration."""
    answers = answers_from_data(
        row["period"], bool(row["worked"]), int(row["revenue_cents"]), json.loads(row["data"])
    )
    return Declaration(
        id=int(row["id"]),
        participant_id=int(row["participant_id"]),
        period=row["period"],
        version=int(row["version"]),
        reference=row["reference"],
        answers=answers,
        costs_cents=int(row["costs_cents"]),
        hours=Decimal(str(row["hours"])),
        reason=row["reason"],
        submitted_at=parse_utc(row["submitted_at"]),
        flags=tuple(json.loads(row["flags"] or "[]")),
    )


async def latest(tx: Tx, participant_id: int, period: str) -> Declaration | None:
    """The latest (highest) version of a participant's declaration for `period`."""
    row = await tx.one(
        f"SELECT {COLUMNS} FROM declarations WHERE participant_id = ? AND period = ? "  # noqa: S608
        "ORDER BY version DESC LIMIT 1",
        (participant_id, period),
    )
    return declaration_from_row(row) if row else None


async def by_id(tx: Tx, declaration_id: int) -> Declaration | None:
    """One declaration version by id."""
    row = await tx.one(
        f"SELECT {COLUMNS} FROM declarations WHERE id = ?",  # noqa: S608
        (declaration_id,),
    )
    return declaration_from_row(row) if row else None


async def of_participant(tx: Tx, participant_id: int) -> list[Declaration]:
    """Every version of every month of a participant, newest month and version first."""
    rows = await tx.all(
        f"SELECT {COLUMNS} FROM declarations WHERE participant_id = ? "  # noqa: S608
        "ORDER BY period DESC, version DESC",
        (participant_id,),
    )
    return [declaration_from_row(r) for r in rows]


async def insert(
    tx: Tx,
    now: datetime,
    participant_id: int,
    answers: Answers,
    *,
    version: int,
    reference: str,
    flags: list[dict[str, object]],
    reason: str | None,
) -> int:
    """Store one immutable version; returns its id."""
    declaration_id = await tx.insert(
        "INSERT INTO declarations (participant_id, period, version, reference, worked, "
        "revenue_cents, costs_cents, hours, data, flags, reason, submitted_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            participant_id,
            answers.period,
            version,
            reference,
            int(answers.worked),
            answers.revenue_cents if answers.worked else 0,
            answers.costs_cents,
            float(answers.hours),
            json.dumps(answers_to_data(answers)),
            json.dumps(flags),
            reason,
            utc_iso(now),
        ),
    )
    if declaration_id is None:
        raise RuntimeError("insert into declarations failed")
    return declaration_id


async def sent_periods(tx: Tx, participant_id: int) -> set[str]:
    """The months with at least one declaration."""
    rows = await tx.all(
        "SELECT DISTINCT period FROM declarations WHERE participant_id = ?", (participant_id,)
    )
    return {str(r["period"]) for r in rows}


async def recent_periods(tx: Tx, participant_id: int, limit: int) -> list[str]:
    """The most recent months with a declaration, newest first."""
    rows = await tx.all(
        "SELECT DISTINCT period FROM declarations WHERE participant_id = ? "
        "ORDER BY period DESC LIMIT ?",
        (participant_id, limit),
    )
    return [str(r["period"]) for r in rows]


async def last_version(tx: Tx, participant_id: int, period: str) -> int:
    """The highest version number of a month's declaration; 0 when none was sent."""
    value = await tx.scalar(
        "SELECT MAX(version) FROM declarations WHERE participant_id = ? AND period = ?",
        (participant_id, period),
    )
    return int(value or 0)


async def latest_of_year(
    tx: Tx, participant_id: int, year: str, excluding: str
) -> list[Declaration]:
    """The latest version of every month of `year` (like '2026') except the month `excluding`."""
    rows = await tx.all(
        f"SELECT {COLUMNS} FROM declarations d WHERE d.participant_id = ? "  # noqa: S608
        "AND d.period LIKE ? AND d.period != ? AND d.version = (SELECT MAX(e.version) "
        "FROM declarations e WHERE e.participant_id = d.participant_id AND e.period = d.period)",
        (participant_id, f"{year}-%", excluding),
    )
    return [declaration_from_row(r) for r in rows]


# A corrected version answers a correction request when its queue item (kind CORRECTED, opened
# when the version arrived) lists the requests it answers (`QueueItem.answers`).
_SUBMISSIONS = (
    "SELECT d.participant_id, d.period, d.version, d.submitted_at, q.details "
    "FROM declarations d LEFT JOIN queue_items q ON q.participant_id = d.participant_id "
    "AND q.period = d.period AND q.declaration_id = d.id AND q.kind = ? "
)


def _submissions(rows: list[Row]) -> dict[tuple[int, str], list[Submission]]:
    """The rows (oldest version first) as versions per (participant, month)."""
    found: dict[tuple[int, str], dict[int, Submission]] = {}
    for pid, period, version, submitted_at, details in rows:
        asked = bool(details) and bool(json.loads(details).get("answers"))
        versions = found.setdefault((int(pid), period), {})
        before = versions.get(int(version))
        if before is None or (asked and not before.asked):
            versions[int(version)] = Submission(parse_utc(submitted_at), asked)
    return {key: list(versions.values()) for key, versions in found.items()}


async def submissions_of_period(tx: Tx, period: str) -> dict[int, list[Submission]]:
    """Every version of every declaration of `period`, oldest first, by participant."""
    rows = await tx.all(
        _SUBMISSIONS + "WHERE d.period = ? ORDER BY d.participant_id, d.version",
        (CORRECTED, period),
    )
    return {pid: versions for (pid, _), versions in _submissions(rows).items()}


async def submissions_of_participant(tx: Tx, participant_id: int) -> dict[str, list[Submission]]:
    """Every version of every month of a participant, oldest first, by month."""
    rows = await tx.all(
        _SUBMISSIONS + "WHERE d.participant_id = ? ORDER BY d.period, d.version",
        (CORRECTED, participant_id),
    )
    return {period: versions for (_, period), versions in _submissions(rows).items()}
