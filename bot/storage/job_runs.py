"""Which scheduled tick of a sweep already ran: one run per job and tick across instances."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import utc_iso
from bot.storage.unit import Tx

KEPT = timedelta(days=7)


def tick_of(now: datetime) -> str:
    """The tick `now` belongs to: its minute in UTC (the schedules tick at whole minutes)."""
    return utc_iso(now.replace(second=0, microsecond=0))


async def claim(tx: Tx, job: str, tick: str, now: datetime) -> bool:
    """Record that `job` runs for `tick`; False when an instance ran it for that tick before.
    Forgets the job's runs older than a week."""
    await tx.execute(
        "DELETE FROM job_runs WHERE job = ? AND started_at < ?", (job, utc_iso(now - KEPT))
    )
    inserted = await tx.insert(
        "INSERT INTO job_runs (job, tick, started_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (job, tick, utc_iso(now)),
    )
    return inserted is not None


async def runs(tx: Tx, job: str) -> list[tuple[str, str]]:
    """The recorded (tick, started at) of `job`, oldest first."""
    rows = await tx.all(
        "SELECT tick, started_at FROM job_runs WHERE job = ? ORDER BY tick", (job,)
    )
    return [(str(r["tick"]), str(r["started_at"])) for r in rows]
