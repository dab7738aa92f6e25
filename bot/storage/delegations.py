"""Delegations and caseloads: whose participants a klantmanager (or coach) works on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.clock import utc_iso
from bot.storage.unit import Tx


async def delegators(tx: Tx, to_id: int, day: date) -> list[int]:
    """The klantmanagers who delegated their caseload to `to_id`, still running on `day`."""
    rows = await tx.all(
        "SELECT from_id FROM delegations WHERE to_id = ? AND until >= ? ORDER BY from_id",
        (to_id, day.isoformat()),
    )
    return [int(r["from_id"]) for r in rows]


async def delegates(tx: Tx, from_id: int, day: date) -> list[int]:
    """The colleagues `from_id` delegated their caseload to, still running on `day`."""
    rows = await tx.all(
        "SELECT to_id FROM delegations WHERE from_id = ? AND until >= ? ORDER BY to_id",
        (from_id, day.isoformat()),
    )
    return [int(r["to_id"]) for r in rows]


async def upsert(tx: Tx, now: datetime, from_id: int, to_id: int, until: date) -> None:
    """Let `to_id` see `from_id`'s caseload until `until`; replaces an earlier delegation."""
    await tx.execute(
        "INSERT INTO delegations (from_id, to_id, until, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (from_id, to_id) DO UPDATE SET until = excluded.until, "
        "created_at = excluded.created_at",
        (from_id, to_id, until.isoformat(), utc_iso(now)),
    )


async def every_participant(tx: Tx) -> list[tuple[int, str]]:
    """Every participant as (id, name), by name."""
    rows = await tx.all(
        "SELECT pa.person_id AS id, pe.name FROM participants pa "
        "JOIN people pe ON pe.id = pa.person_id ORDER BY pe.name"
    )
    return [(int(r["id"]), r["name"]) for r in rows]


async def caseload_of(tx: Tx, klantmanager_ids: Sequence[int]) -> list[tuple[int, str]]:
    """The participants of these klantmanagers as (id, name), by name."""
    marks = ", ".join("?" for _ in klantmanager_ids)
    rows = await tx.all(
        "SELECT pa.person_id AS id, pe.name FROM participants pa "  # noqa: S608
        f"JOIN people pe ON pe.id = pa.person_id WHERE pa.klantmanager_id IN ({marks}) "
        "ORDER BY pe.name",
        list(klantmanager_ids),
    )
    return [(int(r["id"]), r["name"]) for r in rows]


async def coached_by(tx: Tx, coach_id: int) -> list[tuple[int, str]]:
    """The participants of a coach as (id, name), by name."""
    rows = await tx.all(
        "SELECT pa.person_id AS id, pe.name FROM participants pa "
        "JOIN people pe ON pe.id = pa.person_id WHERE pa.coach_id = ? ORDER BY pe.name",
        (coach_id,),
    )
    return [(int(r["id"]), r["name"]) for r in rows]


async def responsible(tx: Tx, participant_id: int) -> tuple[int | None, int | None] | None:
    """A participant's (klantmanager id, coach id); None when there is no such participant."""
    row = await tx.one(
        "SELECT klantmanager_id, coach_id FROM participants WHERE person_id = ?",
        (participant_id,),
    )
    if row is None:
        return None
    km, coach = row["klantmanager_id"], row["coach_id"]
    return (None if km is None else int(km), None if coach is None else int(coach))
