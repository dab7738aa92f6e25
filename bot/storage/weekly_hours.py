"""Hours per ISO week, from the weekly check-in and from declarations (the last word counts)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from bot.clock import utc_iso
from bot.storage.unit import Tx

CHECKIN = "checkin"
DECLARATION = "declaration"


async def put(
    tx: Tx, now: datetime, participant_id: int, week: str, hours: Decimal, source: str
) -> None:
    """Store a week's hours (source 'checkin' or 'declaration'), replacing an earlier answer."""
    await tx.execute(
        "INSERT INTO weekly_hours (participant_id, week, hours, source, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (participant_id, week) DO UPDATE SET "
        "hours = excluded.hours, source = excluded.source, updated_at = excluded.updated_at",
        (participant_id, week, float(hours), source, utc_iso(now)),
    )


async def of_week(tx: Tx, participant_id: int, week: str) -> Decimal | None:
    """The hours known for one week."""
    value = await tx.scalar(
        "SELECT hours FROM weekly_hours WHERE participant_id = ? AND week = ?",
        (participant_id, week),
    )
    return None if value is None else Decimal(str(value))


async def has_week(tx: Tx, participant_id: int, week: str) -> bool:
    """True when hours are known for the week."""
    value = await tx.scalar(
        "SELECT 1 FROM weekly_hours WHERE participant_id = ? AND week = ?", (participant_id, week)
    )
    return value is not None


async def of_participant(tx: Tx, participant_id: int) -> dict[str, Decimal]:
    """Every week known for a participant."""
    rows = await tx.all(
        "SELECT week, hours FROM weekly_hours WHERE participant_id = ?", (participant_id,)
    )
    return {str(r["week"]): Decimal(str(r["hours"])) for r in rows}


async def between(tx: Tx, participant_id: int, after: str, until: str) -> dict[str, Decimal]:
    """The weeks after week `after` up to and including week `until`."""
    rows = await tx.all(
        "SELECT week, hours FROM weekly_hours WHERE participant_id = ? AND week > ? AND week <= ?",
        (participant_id, after, until),
    )
    return {str(r["week"]): Decimal(str(r["hours"])) for r in rows}
