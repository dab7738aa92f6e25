"""Delegations and caseloads: whose participants a klantmanager (or coach) works on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Running:
    """One delegation still running: who stands in for whom, until which day (inclusive)."""

    from_id: int
    from_name: str
    to_id: int
    to_name: str
    until: date


async def running(tx: Tx, day: date) -> list[Running]:
    """Every delegation still running on `day`, by the away klantmanager's name, then the
    colleague's."""
    rows = await tx.all(
        "SELECT d.from_id, f.name AS from_name, d.to_id, t.name AS to_name, d.until "
        "FROM delegations d JOIN people f ON f.id = d.from_id JOIN people t ON t.id = d.to_id "
        "WHERE d.until >= ? ORDER BY f.name, t.name",
        (day.isoformat(),),
    )
    return [
        Running(
            int(r["from_id"]),
            r["from_name"],
            int(r["to_id"]),
            r["to_name"],
            date.fromisoformat(r["until"]),
        )
        for r in rows
    ]


async def remove(tx: Tx, from_id: int, to_id: int, day: date) -> date | None:
    """End the delegation from `from_id` to `to_id` if it still runs on `day`: its last day
    (until), or None when none was running. An expired one is removed too, quietly."""
    row = await tx.one(
        "SELECT until FROM delegations WHERE from_id = ? AND to_id = ?", (from_id, to_id)
    )
    if row is None:
        return None
    await tx.execute("DELETE FROM delegations WHERE from_id = ? AND to_id = ?", (from_id, to_id))
    until = date.fromisoformat(row["until"])
    return until if until >= day else None


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
