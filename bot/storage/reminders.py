"""Reminder keys and the batch reads of the reminder sweeps.

A reminder key (participant, kind, period, stage) is written once, when its reminder is queued
or dropped; the unique key makes a second, overlapping or late sweep harmless. Participants go
in batches by id, one statement per batch. The statements that need SQLite's own functions
(group_concat, json_each) live in `bot/storage/sqlite/reminders.py`; this module picks the
backend's version by `tx.dialect`, so services only ever call the functions here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol

from bot.clock import utc_iso
from bot.domain.pushes import Candidate
from bot.domain.reminders import Watch
from bot.storage.unit import Tx

Key = tuple[int, str, str, str]  # participant, kind, period, stage
NewKey = tuple[int, str, str, str, str]  # participant, kind, period, stage, 'queued' | 'dropped'


class Backend(Protocol):
    """The statements a dialect has to provide (see `bot/storage/sqlite/reminders.py`)."""

    async def candidates(
        self,
        tx: Tx,
        *,
        after: int,
        last: int,
        periods: Sequence[str],
        weeks: Sequence[str],
        today: date,
        interest: str,
        interest_params: Sequence[Any],
        reachable_only: bool,
    ) -> list[Candidate]: ...

    async def insert_keys(
        self, tx: Tx, keys: Sequence[NewKey], day: str, stamp: str
    ) -> dict[Key, int]: ...

    async def known_queue_keys(self, tx: Tx, keys: Sequence[str]) -> set[str]: ...


def _backend(tx: Tx) -> Backend:
    """The dialect's module for the statements that are not portable."""
    if tx.dialect == "sqlite":
        from bot.storage.sqlite import reminders

        return reminders
    raise NotImplementedError(f"reminder sweeps have no SQL for {tx.dialect!r}")


def watch_sql(watch: Watch) -> tuple[str, list[Any]]:
    """The WHERE term (on `participants p`) that keeps only participants the sweep looks at."""
    terms: list[str] = []
    params: list[Any] = []
    for period in watch.periods:
        terms.append(
            "NOT EXISTS (SELECT 1 FROM declarations d "
            "WHERE d.participant_id = p.person_id AND d.period = ?)"
        )
        params.append(period)
    for week in watch.weeks:
        terms.append(
            "NOT EXISTS (SELECT 1 FROM weekly_hours w "
            "WHERE w.participant_id = p.person_id AND w.week = ?)"
        )
        params.append(week)
    if watch.first is not None and watch.last is not None:
        terms.append("p.start_date < ? OR p.start_date > ?")
        params += [watch.first.isoformat(), watch.last.isoformat()]
        if watch.starts:
            terms.append(f"p.start_date IN ({', '.join('?' * len(watch.starts))})")
            params += [day.isoformat() for day in watch.starts]
        if watch.extended:
            terms.append("p.end_date IS NOT NULL")
    return " OR ".join(f"({term})" for term in terms) or "1 = 0", params


async def batch_end(tx: Tx, after: int, limit: int) -> int | None:
    """The id of the `limit`-th participant after `after` (or the last one); None: no more."""
    last = await tx.scalar(
        "SELECT MAX(person_id) FROM (SELECT person_id FROM participants WHERE person_id > ? "
        "ORDER BY person_id LIMIT ?) AS batch",
        (after, limit),
    )
    return None if last is None else int(last)


async def load_batch(
    tx: Tx,
    *,
    after: int,
    limit: int,
    periods: Sequence[str],
    weeks: Sequence[str],
    today: date,
    watch: Watch,
    reachable_only: bool = True,
) -> tuple[int, list[Candidate]]:
    """The next `limit` participants by id after `after`: those the sweep has to look at.

    Only active participants that `watch` keeps, with a chat that is not blocked (unless
    `reachable_only` is False), come back, each with what the sweep needs: submitted periods
    and recorded weeks among `periods` and `weeks`, the sweep's keys already decided, and the
    reminder pushes of `today`. Returns where the next batch starts (0: this was the last).
    """
    last = await batch_end(tx, after, limit)
    if last is None:
        return 0, []
    interest, interest_params = watch_sql(watch)
    found = await _backend(tx).candidates(
        tx,
        after=after,
        last=last,
        periods=periods,
        weeks=weeks,
        today=today,
        interest=interest,
        interest_params=interest_params,
        reachable_only=reachable_only,
    )
    return last, found


async def insert_keys(tx: Tx, keys: Sequence[NewKey], day: date, now: datetime) -> dict[Key, int]:
    """Write the keys decided on local `day`; the ids of those that were new, by key.

    One statement for the whole batch; a key written before (by another sweep) is left alone
    and does not come back.
    """
    if not keys:
        return {}
    return await _backend(tx).insert_keys(tx, keys, day.isoformat(), utc_iso(now))


async def link_keys(tx: Tx, links: Sequence[tuple[int | None, int]]) -> None:
    """Point keys at their outbox row: (outbox id, key id) pairs."""
    if links:
        await tx.executemany("UPDATE reminder_keys SET outbox_id = ? WHERE id = ?", links)


async def known_queue_keys(tx: Tx, keys: Sequence[str]) -> set[str]:
    """The queue item dedupe keys among `keys` that exist already (for dry runs)."""
    if not keys:
        return set()
    return await _backend(tx).known_queue_keys(tx, keys)
