"""Rows past their retention term: find them (for a count or a dry run) and delete them.

The terms come from the caller (`Cutoffs`); which rows belong together is decided here: every
version of a month goes once its latest version is past the term, a proof goes with its
declaration, and a proof file shared by a row that stays is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.clock import utc_iso
from bot.storage import schema
from bot.storage.unit import Tx

DRAFTS_TABLE = "declaration_drafts"  # the declaration feature's table


@dataclass(frozen=True)
class Cutoffs:
    """Rows last changed before these moments are past their term."""

    drafts: datetime
    retention: datetime
    updates: datetime
    attempts: datetime


@dataclass(frozen=True)
class Expired:
    """What a purge deletes: counts by name, the proof and declaration rows, orphaned files."""

    counts: dict[str, int]
    proof_ids: tuple[int, ...]
    declaration_ids: tuple[int, ...]
    paths: tuple[str, ...]
    drafts_table: bool


# (count name, table, condition, its cutoff): counted and deleted by the same condition, in
# this order. Proofs and declarations are handled apart (they go together, by id).
_EXPIRING: tuple[tuple[str, str, str, Callable[[Cutoffs], datetime]], ...] = (
    ("conversation_states", "conversation_state", "updated_at < ?", lambda c: c.drafts),
    ("drafts", DRAFTS_TABLE, "updated_at < ?", lambda c: c.drafts),
    ("weekly_hours", "weekly_hours", "updated_at < ?", lambda c: c.retention),
    (
        "queue_items",
        "queue_items",
        "state = 'afgehandeld' AND updated_at < ?",
        lambda c: c.retention,
    ),
    ("audit_entries", "audit_log", "at < ?", lambda c: c.retention),
    ("processed_updates", "processed_updates", "processed_at < ?", lambda c: c.updates),
    ("invite_attempts", "invite_attempts", "at < ?", lambda c: c.attempts),
)

# Every version of a month goes together, once the latest version is past the term.
_OLD_DECLARATIONS = (
    "SELECT d.id FROM declarations d JOIN ("
    " SELECT participant_id, period FROM declarations GROUP BY participant_id, period"
    " HAVING MAX(submitted_at) < ?) old"
    " ON old.participant_id = d.participant_id AND old.period = d.period"
)


def _draft_proofs_sql(drafts_table: bool) -> str:
    """Proofs of an unsent declaration, untouched for the draft term (and no live draft)."""
    sql = "SELECT id, path FROM proofs WHERE declaration_id IS NULL AND created_at < ?"
    if drafts_table:
        sql += (
            " AND NOT EXISTS (SELECT 1 FROM declaration_drafts dd WHERE"
            " dd.participant_id = proofs.participant_id AND dd.period = proofs.period"
            " AND dd.updated_at >= ?)"
        )
    return sql


async def collect_expired(tx: Tx, cut: Cutoffs) -> Expired:
    """Everything past its term, counted; nothing is changed."""
    drafts_table = await schema.has_table(tx, DRAFTS_TABLE)
    drafts = utc_iso(cut.drafts)
    retention = utc_iso(cut.retention)
    draft_proofs = await tx.all(
        _draft_proofs_sql(drafts_table), (drafts, drafts) if drafts_table else (drafts,)
    )
    declaration_ids = tuple(int(r["id"]) for r in await tx.all(_OLD_DECLARATIONS, (retention,)))
    old_proofs = await tx.all(
        f"SELECT id, path FROM proofs WHERE declaration_id IN ({_OLD_DECLARATIONS}) "  # noqa: S608
        "OR created_at < ?",
        (retention, retention),
    )
    draft_ids = {r["id"] for r in draft_proofs}
    old_proofs = [r for r in old_proofs if r["id"] not in draft_ids]
    counts = {"draft_proofs": len(draft_proofs), "declarations": len(declaration_ids)}
    counts["proofs"] = len(old_proofs)
    for name, table, condition, cutoff in _EXPIRING:
        if table == DRAFTS_TABLE and not drafts_table:
            counts[name] = 0
            continue
        counts[name] = int(
            await tx.scalar(
                f"SELECT COUNT(*) FROM {table} WHERE {condition}",  # noqa: S608 - fixed names
                (utc_iso(cutoff(cut)),),
            )
            or 0
        )
    proofs = [*draft_proofs, *old_proofs]
    ids = tuple(int(r["id"]) for r in proofs)
    doomed = set(ids)
    # Files are stored by content, so two rows may share one; keep a file another row still needs.
    kept = {
        str(r["path"])
        for r in await tx.all("SELECT id, path FROM proofs")
        if r["id"] not in doomed
    }
    paths = tuple(sorted({str(r["path"]) for r in proofs} - kept))
    return Expired(counts, ids, declaration_ids, paths, drafts_table)


async def delete_expired(tx: Tx, cut: Cutoffs, expired: Expired) -> None:
    """Delete what `collect_expired` found, in the same unit of work."""
    # Proofs first: deleting a declaration would otherwise turn its proofs into drafts.
    await _delete_ids(tx, "proofs", expired.proof_ids)
    await _delete_ids(tx, "declarations", expired.declaration_ids)
    for _, table, condition, cutoff in _EXPIRING:
        if table == DRAFTS_TABLE and not expired.drafts_table:
            continue
        await tx.execute(
            f"DELETE FROM {table} WHERE {condition}",  # noqa: S608 - fixed names
            (utc_iso(cutoff(cut)),),
        )


async def _delete_ids(tx: Tx, table: str, ids: Sequence[int]) -> None:
    await tx.executemany(f"DELETE FROM {table} WHERE id = ?", [(i,) for i in ids])  # noqa: S608
