"""Rows past their retention term: find them (for a count or a dry run) and delete them.

The terms come from the caller (`Cutoffs`); which rows belong together is decided here: every
version of a month goes once its latest version is past the term, a proof goes with its
declaration, and a proof file shared by a row that stays is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import utc_iso
from bot.storage import circumstances_retention, outbox, schema
from bot.storage.circumstances_retention import NO_CHANGES, ExpiredChanges
from bot.storage.unit import Row, Tx

DRAFTS_TABLE = "declaration_drafts"  # the declaration feature's table


@dataclass(frozen=True)
class Cutoffs:
    """Rows last changed before these moments are past their term."""

    drafts: datetime
    retention: datetime
    updates: datetime
    attempts: datetime
    now: datetime  # when the purge runs (a withheld outbox row is parked at this moment)


@dataclass(frozen=True)
class Copies:
    """Copies of purged data in rows that stay: what to blank, rewrite or delete."""

    outbox_sent: tuple[int, ...] = ()  # delivered (or parked) rows: the payload goes
    outbox_unsent: tuple[int, ...] = ()  # not sent yet: the payload goes and they are parked
    queue_details: tuple[tuple[int, str], ...] = ()  # (item id, details without the figures)
    queue_notes: tuple[int, ...] = ()  # queue_history ids whose note goes
    audit_details: tuple[tuple[int, str], ...] = ()  # (audit id, details without the copies)
    conversations: tuple[int, ...] = ()  # person ids: a conversation about a purged month
    drafts: tuple[int, ...] = ()  # participant ids: a draft of a purged month

    def counts(self) -> dict[str, int]:
        """The counts by name (new keys of the purge report)."""
        return {
            "outbox_payloads": len(self.outbox_sent),
            "outbox_withheld": len(self.outbox_unsent),
            "queue_details": len(self.queue_details),
            "queue_notes": len(self.queue_notes),
            "audit_details": len(self.audit_details),
            "open_flows": len(self.conversations) + len(self.drafts),
        }


@dataclass(frozen=True)
class Expired:
    """What a purge deletes: counts by name, the proof and declaration rows, orphaned files."""

    counts: dict[str, int]
    proof_ids: tuple[int, ...]
    declaration_ids: tuple[int, ...]
    paths: tuple[str, ...]
    drafts_table: bool
    copies: Copies = Copies()
    references: tuple[str, ...] = ()  # of the purged declarations, to find them in files
    changes: ExpiredChanges = NO_CHANGES  # reported changes (/wijziging) past their term


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
    "SELECT d.id, d.participant_id, d.period, d.reference FROM declarations d JOIN ("
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
    old_declarations = await tx.all(_OLD_DECLARATIONS, (retention,))
    declaration_ids = tuple(int(r["id"]) for r in old_declarations)
    old_proofs = await tx.all(
        "SELECT id, path FROM proofs WHERE declaration_id IN "  # noqa: S608
        f"(SELECT id FROM ({_OLD_DECLARATIONS})) "
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
    changes = await circumstances_retention.collect(tx, retention, drafts)
    counts["changes"], counts["change_drafts"] = changes.sent, changes.drafts
    paths = tuple(sorted({*paths, *changes.paths}))
    copies = await _copies(tx, cut, old_declarations, drafts_table, changes)
    counts.update(copies.counts())
    references = tuple(
        sorted({str(r["reference"]) for r in old_declarations} | set(changes.references))
    )
    return Expired(counts, ids, declaration_ids, paths, drafts_table, copies, references, changes)


async def delete_expired(tx: Tx, cut: Cutoffs, expired: Expired) -> None:
    """Delete what `collect_expired` found, in the same unit of work."""
    # Proofs first: deleting a declaration would otherwise turn its proofs into drafts.
    await _delete_ids(tx, "proofs", expired.proof_ids)
    await _delete_ids(tx, "declarations", expired.declaration_ids)
    await circumstances_retention.delete(tx, expired.changes)
    for _, table, condition, cutoff in _EXPIRING:
        if table == DRAFTS_TABLE and not expired.drafts_table:
            continue
        await tx.execute(
            f"DELETE FROM {table} WHERE {condition}",  # noqa: S608 - fixed names
            (utc_iso(cutoff(cut)),),
        )
    await _take_copies(tx, cut, expired.copies)


async def _delete_ids(tx: Tx, table: str, ids: Sequence[int]) -> None:
    await tx.executemany(f"DELETE FROM {table} WHERE id = ?", [(i,) for i in ids])  # noqa: S608


# --- Copies: purged figures, names, references and notes in rows that stay ---------------------

_CHUNK = 500  # ids per IN (...), well below SQLite's limit on bound parameters
# History notes the queue writes itself (which item answered or closed this one): no content.
_TECHNICAL_NOTE = re.compile(r"(corrected|with):\d+")
_OLD_CLOSED_ITEMS = "SELECT id FROM queue_items WHERE state = 'afgehandeld' AND updated_at < ?"


def _chunks(ids: Iterable[Any]) -> list[list[Any]]:
    items = list(ids)
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


async def _rows_in(tx: Tx, sql: str, ids: Iterable[Any], params: Sequence[Any] = ()) -> list[Row]:
    """`sql` with one `{ids}` placeholder for a list of ids, run per chunk; all rows."""
    rows: list[Row] = []
    for chunk in _chunks(ids):
        marks = ", ".join("?" for _ in chunk)
        rows += await tx.all(sql.format(ids=marks), (*chunk, *params))
    return rows


def _mentions(text: str, needles: Iterable[str]) -> bool:
    return any(n in text for n in needles)


async def _copies(
    tx: Tx,
    cut: Cutoffs,
    old: Sequence[Row],
    drafts_table: bool,
    changes: ExpiredChanges = NO_CHANGES,
) -> Copies:
    """Where purged data is copied into rows that stay (or rows past no term of their own)."""
    retention, drafts = utc_iso(cut.retention), utc_iso(cut.drafts)
    months = {(int(r["participant_id"]), str(r["period"])) for r in old}
    refs = {str(r["reference"]) for r in old} | set(changes.references)
    declaration_ids = {int(r["id"]) for r in old}
    pids = sorted({pid for pid, _ in months} | set(changes.participants))
    periods: dict[int, set[str]] = {}
    for pid, period in months:
        periods.setdefault(pid, set()).add(period)
    closed = {int(r["id"]) for r in await tx.all(_OLD_CLOSED_ITEMS, (retention,))}
    # Queue items about a purged month: their figures (details) and notes go, the item stays.
    about: dict[int, Row] = {
        int(r["id"]): r
        for r in await _rows_in(
            tx,
            "SELECT id, participant_id, period, declaration_id, details FROM queue_items "
            "WHERE participant_id IN ({ids})",
            pids,
        )
        if (int(r["participant_id"]), r["period"]) in months
        or r["declaration_id"] in declaration_ids
    }
    change_items = dict(changes.items)  # a purged change's items: its details go
    kept = sorted((set(about) | set(change_items)) - closed)
    details = []
    for item_id in kept:
        if item_id in change_items:
            details.append(
                (item_id, circumstances_retention.scrubbed_details(change_items[item_id]))
            )
            continue
        was = json.loads(about[item_id]["details"] or "{}")
        left = {"answers": was["answers"]} if "answers" in was else {}
        if was != left:
            details.append((item_id, json.dumps(left)))
    notes: list[int] = []
    if kept and await schema.has_table(tx, "queue_history"):
        notes = [
            int(r["id"])
            for r in await _rows_in(
                tx,
                "SELECT id, note FROM queue_history WHERE note IS NOT NULL AND item_id IN ({ids})",
                kept,
            )
            if not _TECHNICAL_NOTE.fullmatch(str(r["note"]))
        ]
    sent, unsent = await _outbox_copies(tx, cut, months, set(about) | closed | set(change_items))
    audit = []
    for r in await _rows_in(
        tx,
        "SELECT id, subject_id, details FROM audit_log WHERE subject_id IN ({ids}) AND at >= ?",
        pids,
        (retention,),
    ):
        was = json.loads(r["details"] or "{}")
        own = periods.get(int(r["subject_id"]), set())
        left = {
            k: v
            for k, v in was.items()
            if not (isinstance(v, str) and (v in refs or (k == "period" and v in own)))
        }
        if left != was:
            audit.append((int(r["id"]), json.dumps(left, default=str)))
    conversations = [
        int(r["person_id"])
        for r in await _rows_in(
            tx,
            "SELECT person_id, data FROM conversation_state "
            "WHERE person_id IN ({ids}) AND updated_at >= ?",
            pids,
            (drafts,),
        )
        if _mentions(
            str(r["data"]), refs | {f'"{p}"' for p in periods.get(int(r["person_id"]), set())}
        )
    ]
    open_drafts: list[int] = []
    if drafts_table:
        open_drafts = [
            int(r["participant_id"])
            for r in await _rows_in(
                tx,
                "SELECT participant_id, period FROM declaration_drafts "
                "WHERE participant_id IN ({ids}) AND updated_at >= ?",
                pids,
                (drafts,),
            )
            if (int(r["participant_id"]), r["period"]) in months
        ]
    return Copies(
        tuple(sent),
        tuple(unsent),
        tuple(details),
        tuple(notes),
        tuple(audit),
        tuple(conversations),
        tuple(open_drafts),
    )


async def _outbox_copies(
    tx: Tx, cut: Cutoffs, months: set[tuple[int, str]], items: set[int]
) -> tuple[list[int], list[int]]:
    """Outbox rows whose payload goes: (sent ones, unsent ones).

    A row goes when it is about a purged or purging queue item (its card, a correction request),
    when its queue item no longer exists, when it is a reminder about a purged month, and when it
    was queued before the retention cutoff (a digest, a coach's message: past any term).
    """
    reminders: set[int] = set()
    if months and await schema.has_table(tx, "reminder_keys"):
        reminders = {
            int(r["outbox_id"])
            for r in await _rows_in(
                tx,
                "SELECT outbox_id, participant_id, period FROM reminder_keys "
                "WHERE outbox_id IS NOT NULL AND participant_id IN ({ids})",
                sorted({pid for pid, _ in months}),
            )
            if (int(r["participant_id"]), r["period"]) in months
        }
    rows = await outbox.copies(tx, cut.retention, sorted(reminders))
    named = {c.item_id for c in rows if c.item_id is not None}
    existing = {
        int(r["id"])
        for r in await _rows_in(tx, "SELECT id FROM queue_items WHERE id IN ({ids})", named)
    }
    going = [
        c
        for c in rows
        if c.old
        or c.id in reminders
        or (c.item_id is not None and (c.item_id in items or c.item_id not in existing))
    ]
    return [c.id for c in going if not c.unsent], [c.id for c in going if c.unsent]


async def _take_copies(tx: Tx, cut: Cutoffs, copies: Copies) -> None:
    """Blank, rewrite or delete the copies `_copies` found, in the purge's unit of work."""
    await outbox.scrub(tx, [*copies.outbox_sent, *copies.outbox_unsent], cut.now)
    await tx.executemany(
        "UPDATE queue_items SET details = ? WHERE id = ?",
        [(d, i) for i, d in copies.queue_details],
    )
    await tx.executemany(
        "UPDATE queue_history SET note = NULL WHERE id = ?", [(i,) for i in copies.queue_notes]
    )
    await tx.executemany(
        "UPDATE audit_log SET details = ? WHERE id = ?", [(d, i) for i, d in copies.audit_details]
    )
    await tx.executemany(
        "DELETE FROM conversation_state WHERE person_id = ?",
        [(i,) for i in copies.conversations],
    )
    await tx.executemany(
        f"DELETE FROM {DRAFTS_TABLE} WHERE participant_id = ?",  # noqa: S608 - a fixed name
        [(i,) for i in copies.drafts],
    )
