"""Trajectory outcomes: every recording a row (the latest counts), and a trajectory's moved end.

Rows become `bot.domain.outcomes.Outcome`; reads of many participants are one query each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.clock import parse_utc, utc_iso
from bot.domain.models import Household
from bot.domain.outcomes import MonthFigure, Outcome
from bot.storage.unit import Row, Tx

_COLUMNS = (
    "o.id, o.participant_id, o.code, o.outcome_on, o.new_end_date, o.note, o.recorded_by, "
    "o.recorded_at"
)
_LATEST = (
    "o.id = (SELECT MAX(x.id) FROM trajectory_outcomes x "
    "WHERE x.participant_id = o.participant_id)"
)


def _outcome(row: Row) -> Outcome:
    return Outcome(
        id=int(row[0]),
        participant_id=int(row[1]),
        code=row[2],
        on=date.fromisoformat(row[3]),
        new_end=date.fromisoformat(row[4]) if row[4] else None,
        note=row[5],
        recorded_by=row[6],
        recorded_at=parse_utc(row[7]),
    )


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


async def add(
    tx: Tx,
    now: datetime,
    participant_id: int,
    code: str,
    on: date,
    new_end: date | None,
    note: str | None,
    recorded_by: int | None,
) -> int:
    """Store one recording; returns its id."""
    found = await tx.insert(
        "INSERT INTO trajectory_outcomes (participant_id, code, outcome_on, new_end_date, note, "
        "recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            participant_id,
            code,
            on.isoformat(),
            new_end.isoformat() if new_end else None,
            note,
            recorded_by,
            utc_iso(now),
        ),
    )
    return int(found or 0)


async def history(tx: Tx, participant_id: int) -> list[Outcome]:
    """Every recording for this participant, newest first."""
    rows = await tx.all(
        f"SELECT {_COLUMNS} FROM trajectory_outcomes o WHERE o.participant_id = ? "  # noqa: S608
        "ORDER BY o.id DESC",
        (participant_id,),
    )
    return [_outcome(r) for r in rows]


async def latest_of(tx: Tx, participant_ids: Sequence[int]) -> list[Outcome]:
    """The latest recording of each of these participants that has one."""
    if not participant_ids:
        return []
    rows = await tx.all(
        f"SELECT {_COLUMNS} FROM trajectory_outcomes o "  # noqa: S608
        f"WHERE o.participant_id IN ({_marks(participant_ids)}) AND {_LATEST} "
        "ORDER BY o.participant_id",
        list(participant_ids),
    )
    return [_outcome(r) for r in rows]


async def latest_in(tx: Tx, first: date, last: date) -> list[tuple[Outcome, str, str | None]]:
    """Every participant's latest recording that took effect from `first` to `last`, with the
    participant's name and klantmanager's name, by day and id."""
    rows = await tx.all(
        f"SELECT {_COLUMNS}, pe.name, km.name FROM trajectory_outcomes o "  # noqa: S608
        "JOIN people pe ON pe.id = o.participant_id "
        "JOIN participants pa ON pa.person_id = o.participant_id "
        "LEFT JOIN people km ON km.id = pa.klantmanager_id "
        f"WHERE {_LATEST} AND o.outcome_on >= ? AND o.outcome_on <= ? "
        "ORDER BY o.outcome_on, o.id",
        (first.isoformat(), last.isoformat()),
    )
    return [(_outcome(r), r[8], r[9]) for r in rows]


async def set_end_date(tx: Tx, participant_id: int, end: date) -> None:
    """Move the trajectory's last day (an extension)."""
    await tx.execute(
        "UPDATE participants SET end_date = ? WHERE person_id = ?",
        (end.isoformat(), participant_id),
    )


async def end_dates(tx: Tx, participant_ids: Sequence[int]) -> dict[int, date]:
    """The moved last days of these participants (those without one are left out)."""
    if not participant_ids:
        return {}
    rows = await tx.all(
        "SELECT person_id, end_date FROM participants "  # noqa: S608
        f"WHERE person_id IN ({_marks(participant_ids)}) AND end_date IS NOT NULL",
        list(participant_ids),
    )
    return {int(r[0]): date.fromisoformat(r[1]) for r in rows}


async def year_months(
    tx: Tx, participant_ids: Sequence[int], first_period: str, last_period: str
) -> list[MonthFigure]:
    """The latest version of each declared month from `first_period` to `last_period`."""
    if not participant_ids:
        return []
    rows = await tx.all(
        "SELECT d.participant_id, d.period, d.revenue_cents - d.costs_cents, pa.household "  # noqa: S608
        "FROM declarations d JOIN participants pa ON pa.person_id = d.participant_id "
        f"WHERE d.participant_id IN ({_marks(participant_ids)}) "
        "AND d.period >= ? AND d.period <= ? AND d.version = (SELECT MAX(x.version) "
        "FROM declarations x WHERE x.participant_id = d.participant_id AND x.period = d.period)",
        [*participant_ids, first_period, last_period],
    )
    return [MonthFigure(int(r[0]), r[1], int(r[2]), Household(r[3])) for r in rows]


async def all_months(tx: Tx, first_period: str, last_period: str) -> list[MonthFigure]:
    """`year_months` for every participant (the operator's export)."""
    rows = await tx.all(
        "SELECT d.participant_id, d.period, d.revenue_cents - d.costs_cents, pa.household "
        "FROM declarations d JOIN participants pa ON pa.person_id = d.participant_id "
        "WHERE d.period >= ? AND d.period <= ? AND d.version = (SELECT MAX(x.version) "
        "FROM declarations x WHERE x.participant_id = d.participant_id AND x.period = d.period)",
        (first_period, last_period),
    )
    return [MonthFigure(int(r[0]), r[1], int(r[2]), Household(r[3])) for r in rows]
