"""Reported changes past their term (retention like declarations; an unsent one like a draft).

A sent change goes once it was sent longer ago than the declarations' term; an unsent draft
once it was untouched for the drafts' term. Its document file goes with it unless another
change still points at it. The queue items of a purged change stay as long as their own term
says (closed items: the declarations' term), but lose the change's details
(bot/storage/retention.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.storage.unit import Tx


@dataclass(frozen=True)
class ExpiredChanges:
    """Changes to delete: ids, counts, files no longer used, their queue items and references."""

    ids: tuple[int, ...] = ()
    sent: int = 0
    drafts: int = 0
    paths: tuple[str, ...] = ()
    items: tuple[tuple[int, str], ...] = ()  # (queue item id, its details as stored)
    references: tuple[str, ...] = ()
    participants: tuple[int, ...] = ()


NO_CHANGES = ExpiredChanges()


async def collect(tx: Tx, retention: str, drafts: str) -> ExpiredChanges:
    """The changes past their term (`retention`, `drafts`: UTC ISO cutoffs); nothing changes."""
    rows = await tx.all(
        "SELECT id, participant_id, reference, document_path, sent_at FROM circumstance_changes "
        "WHERE (sent_at IS NOT NULL AND sent_at < ?) OR (sent_at IS NULL AND updated_at < ?)",
        (retention, drafts),
    )
    if not rows:
        return NO_CHANGES
    ids = {int(r["id"]) for r in rows}
    kept = {
        str(r["document_path"])
        for r in await tx.all(
            "SELECT id, document_path FROM circumstance_changes WHERE document_path IS NOT NULL"
        )
        if int(r["id"]) not in ids
    }
    paths = {str(r["document_path"]) for r in rows if r["document_path"] is not None} - kept
    keys = {f"change:{i}" for i in ids}
    items = tuple(
        (int(r["id"]), str(r["details"] or "{}"))
        for r in await tx.all(
            "SELECT id, dedupe_key, details FROM queue_items WHERE kind = 'change_reported'"
        )
        if r["dedupe_key"] in keys
    )
    sent = sum(1 for r in rows if r["sent_at"] is not None)
    return ExpiredChanges(
        ids=tuple(sorted(ids)),
        sent=sent,
        drafts=len(rows) - sent,
        paths=tuple(sorted(paths)),
        items=items,
        references=tuple(sorted(str(r["reference"]) for r in rows if r["reference"])),
        participants=tuple(sorted({int(r["participant_id"]) for r in rows})),
    )


def scrubbed_details(details: str) -> str:
    """A change item's details without the change's reference and kind."""
    was = json.loads(details or "{}")
    return json.dumps({k: v for k, v in was.items() if k == "answers"})


async def delete(tx: Tx, expired: ExpiredChanges) -> None:
    """Delete the changes `collect` found, in the purge's unit of work."""
    await tx.executemany(
        "DELETE FROM circumstance_changes WHERE id = ?", [(i,) for i in expired.ids]
    )
