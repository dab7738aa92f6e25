"""Reminder sweep candidates from the rows each dialect's batch read returns (one home for both
`bot/storage/sqlite/reminders.py` and `bot/storage/postgres/reminders.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from bot.domain.pushes import Candidate
from bot.storage.unit import Row


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
