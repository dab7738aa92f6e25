"""SQLite-only SQL of the reminder sweeps: group_concat per participant, json_each batches.

Called through `bot.storage.reminders`, never directly by services. Each function is one
statement for a whole batch, always the same SQL text for the same shape of calendar (rows
travel as one JSON parameter), so the connection's statement cache does not fill up.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.domain.pushes import Candidate
from bot.storage.unit import Tx

Key = tuple[int, str, str, str]  # participant, kind, period, stage


def _interned() -> dict[str | None, frozenset[str]]:
    """Comma-separated text → frozenset, one object per distinct text (cheap to hash again)."""
    return {None: frozenset(), "": frozenset()}


async def candidates(
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
) -> list[Candidate]:
    """Participants with `after` < id <= `last` that are active and match `interest`.

    Each comes with the calendar's `periods` they submitted, the `weeks` they recorded hours
    for, the sweep's keys already decided (trajectory keys, and those of `periods` / `weeks`),
    and their reminder pushes queued on `today`. With `reachable_only`, only participants with
    a chat that is not blocked come back.
    """
    marks_p = ", ".join("?" * len(periods))
    marks_w = ", ".join("?" * len(weeks))
    rows = await tx.all(
        "SELECT p.person_id, p.start_date, (SELECT pe.name FROM people pe "  # noqa: S608
        "WHERE pe.id = p.person_id), "
        "(SELECT group_concat(DISTINCT d.period) FROM declarations d "
        f"WHERE d.participant_id = p.person_id AND d.period IN ({marks_p})), "
        "(SELECT group_concat(w.week) FROM weekly_hours w "
        f"WHERE w.participant_id = p.person_id AND w.week IN ({marks_w})), "
        "(SELECT group_concat(k.kind || ' ' || k.period || ' ' || k.stage) FROM reminder_keys k "
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


async def insert_keys(
    tx: Tx, keys: Sequence[tuple[int, str, str, str, str]], day: str, stamp: str
) -> dict[Key, int]:
    """Insert each (participant, kind, period, stage, status) key; the ids of those that were new.

    The unique key decides: a key another sweep wrote first is not inserted and does not come
    back.
    """
    rows = await tx.all(
        "INSERT INTO reminder_keys (participant_id, kind, period, stage, status, day, "
        "created_at) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), "
        "json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]'), "
        "?, ? FROM json_each(?) WHERE true ON CONFLICT DO NOTHING "
        "RETURNING id, participant_id, kind, period, stage",
        (day, stamp, json.dumps([list(key) for key in keys])),
    )
    return {(r[1], r[2], r[3], r[4]): r[0] for r in rows}


async def known_queue_keys(tx: Tx, keys: Sequence[str]) -> set[str]:
    """The queue item dedupe keys among `keys` that exist already."""
    rows = await tx.all(
        "SELECT dedupe_key FROM queue_items WHERE dedupe_key IN (SELECT value FROM json_each(?))",
        (json.dumps(list(keys)),),
    )
    return {r[0] for r in rows}
