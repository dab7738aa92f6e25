"""PostgreSQL's SQL of the reminder sweeps: string_agg per participant, jsonb batches.

The twin of `bot/storage/sqlite/reminders.py` (same functions, same parameters, same results).

Called through `bot.storage.reminders`, never directly by services. Each function is one
statement for a whole batch, always the same SQL text for the same shape of calendar (rows
travel as one JSON parameter), so the connection's statement cache does not fill up.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.domain.pushes import Candidate
from bot.storage.candidates import read_candidates
from bot.storage.unit import Tx

Key = tuple[int, str, str, str]  # participant, kind, period, stage


async def candidates(tx: Tx, **batch: Any) -> list[Candidate]:
    """The sweep's candidates (`bot.storage.candidates.read_candidates`) with this dialect's
    aggregate."""
    return await read_candidates(tx, _joined, **batch)


def _joined(expr: str) -> str:
    """PostgreSQL: string_agg with a comma."""
    return f"string_agg({expr}, ',')"


async def insert_keys(
    tx: Tx, keys: Sequence[tuple[int, str, str, str, str]], day: str, stamp: str
) -> dict[Key, int]:
    """Insert each (participant, kind, period, stage, status) key; the ids of those that were new.

    The unique key decides: a key another sweep wrote first is not inserted and does not come
    back.
    """
    rows = await tx.all(
        "INSERT INTO reminder_keys (participant_id, kind, period, stage, status, day, "
        "created_at) SELECT (v->>0)::integer, v->>1, v->>2, v->>3, v->>4, "
        "?, ? FROM jsonb_array_elements(?::jsonb) v ON CONFLICT DO NOTHING "
        "RETURNING id, participant_id, kind, period, stage",
        (day, stamp, json.dumps([list(key) for key in keys])),
    )
    return {(r[1], r[2], r[3], r[4]): r[0] for r in rows}


async def known_queue_keys(tx: Tx, keys: Sequence[str]) -> set[str]:
    """The queue item dedupe keys among `keys` that exist already."""
    rows = await tx.all(
        "SELECT dedupe_key FROM queue_items "
        "WHERE dedupe_key IN (SELECT jsonb_array_elements_text(?::jsonb))",
        (json.dumps(list(keys)),),
    )
    return {r[0] for r in rows}
