"""Reminder sweep candidates: the one batch query, with each dialect's comma-joining aggregate,
and its rows as Candidates (one home for `bot/storage/sqlite/reminders.py` and
`bot/storage/postgres/reminders.py`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from bot.domain.pushes import Candidate
from bot.storage.unit import Row, Tx

KEY_TEXT = "k.kind || ' ' || k.period || ' ' || k.stage"  # a reminder key as one text


def _interned() -> dict[str | None, frozenset[str]]:
    """Comma-separated text → frozenset, one object per distinct text (cheap to hash again)."""
    return {None: frozenset(), "": frozenset()}


def to_candidates(rows: Iterable[Row]) -> list[Candidate]:
    """(person_id, start_date, name, submitted, recorded, decided, pushes, end_date) rows as
    Candidates; the three sets arrive as comma-separated text, end_date (an extension) or NULL."""
    sets = _interned()
    starts: dict[str, date] = {}

    def names(text: str | None) -> frozenset[str]:
        found = sets.get(text)
        if found is None:
            found = sets[text] = frozenset(str(text).split(","))
        return found

    result = []
    for pid, start, name, submitted, recorded, decided, pushes, moved in rows:
        day = starts.get(start)
        if day is None:
            day = starts[start] = date.fromisoformat(start)
        end = date.fromisoformat(moved) if moved else None  # an extension (issue 17)
        result.append(
            Candidate(
                pid, day, name, names(submitted), names(recorded), names(decided), pushes, end
            )
        )
    return result


async def read_candidates(
    tx: Tx,
    agg: Callable[[str], str],
    *,
    after: int,
    last: int,
    periods: Sequence[str],
    weeks: Sequence[str],
    today: date,
    interest: str,
    interest_params: Sequence[Any],
    reachable_only: bool,
) -> list[Candidate]:
    """Participants with `after` < id <= `last` that are active and match `interest`.

    Each comes with the calendar's `periods` they submitted, the `weeks` they recorded hours
    for, the sweep's keys already decided (trajectory keys, and those of `periods` / `weeks`),
    and their reminder pushes queued on `today`. With `reachable_only`, only participants with
    a chat that is not blocked come back. `agg(expr)` is the dialect's comma-joining aggregate.
    """
    marks_p = ", ".join("?" * len(periods))
    marks_w = ", ".join("?" * len(weeks))
    rows = await tx.all(
        "SELECT p.person_id, p.start_date, (SELECT pe.name FROM people pe "  # noqa: S608
        "WHERE pe.id = p.person_id), "
        f"(SELECT {agg('DISTINCT d.period')} FROM declarations d "
        f"WHERE d.participant_id = p.person_id AND d.period IN ({marks_p})), "
        f"(SELECT {agg('w.week')} FROM weekly_hours w "
        f"WHERE w.participant_id = p.person_id AND w.week IN ({marks_w})), "
        f"(SELECT {agg(KEY_TEXT)} FROM reminder_keys k "
        "WHERE k.participant_id = p.person_id AND (k.kind = 'trajectory' "
        f"OR (k.kind = 'declaration' AND k.period IN ({marks_p})) "
        f"OR (k.kind = 'hours' AND k.period IN ({marks_w})))), "
        "(SELECT COUNT(DISTINCT k.outbox_id) FROM reminder_keys k "
        "WHERE k.participant_id = p.person_id AND k.day = ? AND k.status = 'queued'), "
        "p.end_date FROM participants p WHERE p.person_id > ? AND p.person_id <= ? "
        f"AND p.status = 'active' AND ({interest}) "
        "AND EXISTS (SELECT 1 FROM channel_identities ci WHERE ci.person_id = p.person_id "
        "AND (ci.blocked = 0 OR ?)) ORDER BY p.person_id",
        (
            *periods,
            *weeks,
            *periods,
            *weeks,
            today.isoformat(),
            after,
            last,
            *interest_params,
            0 if reachable_only else 1,
        ),
    )
    return to_candidates(rows)
