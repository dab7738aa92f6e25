"""Privacy: retention (purge) and a participant's own data (/mijngegevens)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import utc_iso
from bot.domain.policy import Policy
from bot.storage import audit_log
from bot.storage.unit import Database, Row, Tx

log = logging.getLogger(__name__)

# Technical records only needed for a short while: Telegram re-delivers an update for at most a
# day, and wrong invite codes only count for an hour.
PROCESSED_UPDATES_DAYS = 7
INVITE_ATTEMPTS_DAYS = 2
# A /mijngegevens file only has to live until it is sent.
EXPORT_KEEP = timedelta(hours=24)
EXPORTS = "exports"
_EXPORT_STAMP = "%Y%m%d-%H%M%S"
# The time in the name (not the file's mtime), so retention follows the clock the app runs on.
_EXPORT_NAME = re.compile(r"mijngegevens-(\d{8}-\d{6})-[0-9a-f]{8}\.json")

# Tables /mijngegevens covers explicitly; other tables with a participant_id or person_id column
# (added by later features) are exported as they are, minus the ones below.
_EXPLICIT = {
    "people",
    "participants",
    "channel_identities",
    "conversation_state",
    "declarations",
    "proofs",
    "queue_items",
    "audit_log",
    "weekly_hours",
}
_NEVER_EXPORTED = {"invites", "outbox"}  # code hashes; the outbox is listed without contents


@dataclass(frozen=True)
class PurgeReport:
    """How many rows and files a purge deleted (or, in a dry run, would delete)."""

    dry_run: bool
    conversation_states: int = 0
    drafts: int = 0
    draft_proofs: int = 0
    declarations: int = 0
    proofs: int = 0
    weekly_hours: int = 0
    queue_items: int = 0
    audit_entries: int = 0
    processed_updates: int = 0
    invite_attempts: int = 0
    files: int = 0
    exports: int = 0

    def counts(self) -> dict[str, int]:
        """The counts by name, without the dry-run flag."""
        return {k: v for k, v in asdict(self).items() if k != "dry_run"}

    @property
    def total(self) -> int:
        """Everything together."""
        return sum(self.counts().values())


@dataclass(frozen=True)
class _Cutoffs:
    drafts: str
    retention: str
    updates: str
    attempts: str


def years_before(now: datetime, years: int) -> datetime:
    """The same moment `years` earlier (29 February becomes 28 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def _cutoffs(policy: Policy, now: datetime) -> _Cutoffs:
    return _Cutoffs(
        drafts=utc_iso(now - timedelta(days=policy.draft_retention_days)),
        retention=utc_iso(years_before(now, policy.declarations_retention_years)),
        updates=utc_iso(now - timedelta(days=PROCESSED_UPDATES_DAYS)),
        attempts=utc_iso(now - timedelta(days=INVITE_ATTEMPTS_DAYS)),
    )


# Every version of a month goes together, once the latest version is past the term.
_OLD_DECLARATIONS = (
    "SELECT d.id FROM declarations d JOIN ("
    " SELECT participant_id, period FROM declarations GROUP BY participant_id, period"
    " HAVING MAX(submitted_at) < ?) old"
    " ON old.participant_id = d.participant_id AND old.period = d.period"
)


async def purge(
    db: Database,
    policy: Policy,
    now: datetime,
    *,
    dry_run: bool = False,
    proof_dir: Path | None = None,
) -> PurgeReport:
    """Delete what is past its retention term; with `dry_run` only count it.

    Drafts and conversation state go after `policy.draft_retention_days` without a change,
    submitted declarations with their proof files, hours, closed queue items and audit entries
    after `policy.declarations_retention_years`. Proof files are deleted from disk after the rows
    are gone. With `proof_dir`, relative proof paths resolve there and old export files go too.
    """
    cut = _cutoffs(policy, now)
    if dry_run:
        async with db.read() as tx:
            doomed = await _collect(tx, cut)
        files = await asyncio.to_thread(_existing, [_resolve(p, proof_dir) for p in doomed.paths])
        exports = len(await asyncio.to_thread(_old_exports, proof_dir, now))
        return PurgeReport(True, **doomed.counts, files=files, exports=exports)
    async with db.transaction() as tx:
        doomed = await _collect(tx, cut)
        await _delete(tx, cut, doomed)
    # Files go after the commit: a crash in between leaves a stray file, never a dangling row.
    paths = [_resolve(p, proof_dir) for p in doomed.paths]
    files = await asyncio.to_thread(_unlink_all, paths)
    exports = await asyncio.to_thread(lambda: _unlink_all(_old_exports(proof_dir, now)))
    report = PurgeReport(False, **doomed.counts, files=files, exports=exports)
    log.info("purge deleted %s", report.counts())
    return report


async def _count(tx: Tx, sql: str, params: tuple[Any, ...]) -> int:
    return int(await tx.scalar(f"SELECT COUNT(*) FROM ({sql})", params) or 0)  # noqa: S608


async def _has_table(tx: Tx, name: str) -> bool:
    return bool(
        await tx.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    )


def _draft_proofs_sql(has_drafts: bool) -> str:
    """Proofs of an unsent declaration, untouched for the draft term (and no live draft)."""
    sql = "SELECT id, path FROM proofs WHERE declaration_id IS NULL AND created_at < ?"
    if has_drafts:
        sql += (
            " AND NOT EXISTS (SELECT 1 FROM declaration_drafts dd WHERE"
            " dd.participant_id = proofs.participant_id AND dd.period = proofs.period"
            " AND dd.updated_at >= ?)"
        )
    return sql


@dataclass(frozen=True)
class _Doomed:
    counts: dict[str, int]
    proof_ids: list[int]
    declaration_ids: list[int]
    paths: list[str]
    has_drafts: bool


async def _collect(tx: Tx, cut: _Cutoffs) -> _Doomed:
    has_drafts = await _has_table(tx, "declaration_drafts")
    draft_proofs = await tx.all(
        _draft_proofs_sql(has_drafts), (cut.drafts, cut.drafts) if has_drafts else (cut.drafts,)
    )
    declaration_ids = [int(r["id"]) for r in await tx.all(_OLD_DECLARATIONS, (cut.retention,))]
    old_proofs = await tx.all(
        f"SELECT id, path FROM proofs WHERE declaration_id IN ({_OLD_DECLARATIONS}) "  # noqa: S608
        "OR created_at < ?",
        (cut.retention, cut.retention),
    )
    draft_ids = {r["id"] for r in draft_proofs}
    old_proofs = [r for r in old_proofs if r["id"] not in draft_ids]
    counts = {
        "conversation_states": await _count(
            tx, "SELECT 1 FROM conversation_state WHERE updated_at < ?", (cut.drafts,)
        ),
        "drafts": await _count(
            tx, "SELECT 1 FROM declaration_drafts WHERE updated_at < ?", (cut.drafts,)
        )
        if has_drafts
        else 0,
        "draft_proofs": len(draft_proofs),
        "declarations": len(declaration_ids),
        "proofs": len(old_proofs),
        "weekly_hours": await _count(
            tx, "SELECT 1 FROM weekly_hours WHERE updated_at < ?", (cut.retention,)
        ),
        "queue_items": await _count(
            tx,
            "SELECT 1 FROM queue_items WHERE state = 'afgehandeld' AND updated_at < ?",
            (cut.retention,),
        ),
        "audit_entries": await _count(
            tx, "SELECT 1 FROM audit_log WHERE at < ?", (cut.retention,)
        ),
        "processed_updates": await _count(
            tx, "SELECT 1 FROM processed_updates WHERE processed_at < ?", (cut.updates,)
        ),
        "invite_attempts": await _count(
            tx, "SELECT 1 FROM invite_attempts WHERE at < ?", (cut.attempts,)
        ),
    }
    proofs = [*draft_proofs, *old_proofs]
    ids = [int(r["id"]) for r in proofs]
    doomed_ids = set(ids)
    # Files are stored by content, so two rows may share one; keep a file another row still needs.
    kept = {
        str(r["path"])
        for r in await tx.all("SELECT id, path FROM proofs")
        if r["id"] not in doomed_ids
    }
    paths = sorted({str(r["path"]) for r in proofs} - kept)
    return _Doomed(counts, ids, declaration_ids, paths, has_drafts)


async def _delete(tx: Tx, cut: _Cutoffs, doomed: _Doomed) -> None:
    # Proofs first: deleting a declaration would otherwise turn its proofs into drafts.
    await tx.executemany("DELETE FROM proofs WHERE id = ?", [(i,) for i in doomed.proof_ids])
    await tx.executemany(
        "DELETE FROM declarations WHERE id = ?", [(i,) for i in doomed.declaration_ids]
    )
    await tx.execute("DELETE FROM conversation_state WHERE updated_at < ?", (cut.drafts,))
    if doomed.has_drafts:  # the declaration feature's table
        await tx.execute("DELETE FROM declaration_drafts WHERE updated_at < ?", (cut.drafts,))
    await tx.execute("DELETE FROM weekly_hours WHERE updated_at < ?", (cut.retention,))
    await tx.execute(
        "DELETE FROM queue_items WHERE state = 'afgehandeld' AND updated_at < ?",
        (cut.retention,),
    )
    await tx.execute("DELETE FROM audit_log WHERE at < ?", (cut.retention,))
    await tx.execute("DELETE FROM processed_updates WHERE processed_at < ?", (cut.updates,))
    await tx.execute("DELETE FROM invite_attempts WHERE at < ?", (cut.attempts,))


def _resolve(path: str, proof_dir: Path | None) -> Path:
    candidate = Path(path)
    if candidate.is_absolute() or proof_dir is None or candidate.is_relative_to(proof_dir):
        return candidate
    return proof_dir / candidate


def _old_exports(proof_dir: Path | None, now: datetime) -> list[Path]:
    if proof_dir is None:
        return []
    folder = proof_dir / EXPORTS
    if not folder.is_dir():
        return []
    limit = now - EXPORT_KEEP
    old = []
    for path in folder.iterdir():
        match = _EXPORT_NAME.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        made = datetime.strptime(match.group(1), _EXPORT_STAMP).replace(tzinfo=UTC)
        if made < limit:
            old.append(path)
    return old


def _existing(paths: list[Path]) -> int:
    return sum(1 for p in paths if p.is_file())


def _unlink_all(paths: list[Path]) -> int:
    removed = 0
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            log.warning("could not delete a file past its retention term", exc_info=True)
            continue
        removed += 1
    return removed


# --- /mijngegevens ---------------------------------------------------------------------------


def _loads(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _without_notes(value: Any) -> Any:
    """Drop keys that hold a klantmanager's or coach's notes."""
    if isinstance(value, dict):
        return {k: _without_notes(v) for k, v in value.items() if "note" not in k.lower()}
    if isinstance(value, list):
        return [_without_notes(v) for v in value]
    return value


async def export_own_data(tx: Tx, person_id: int) -> dict[str, Any]:
    """Everything stored about this person, as a JSON-able dict (never someone else's data)."""
    person = await tx.one("SELECT * FROM people WHERE id = ?", (person_id,))
    if person is None:
        raise LookupError(person_id)
    data: dict[str, Any] = {
        "person": {
            "name": person["name"],
            "role": person["role"],
            "language": person["locale"],
            "created_at": person["created_at"],
        },
        "chats": [
            {"channel": r["channel"], "address": r["address"], "linked_at": r["created_at"]}
            for r in await tx.all(
                "SELECT * FROM channel_identities WHERE person_id = ? ORDER BY id", (person_id,)
            )
        ],
        "participant": await _participant(tx, person_id),
        "declarations": await _declarations(tx, person_id),
        "proofs": await _proofs(tx, person_id),
        "weekly_hours": [
            {"week": r["week"], "hours": r["hours"], "source": r["source"]}
            for r in await tx.all(
                "SELECT * FROM weekly_hours WHERE participant_id = ? ORDER BY week", (person_id,)
            )
        ],
        "queue_items": await _queue_items(tx, person_id),
        "audit_log": await _audit(tx, person_id),
        "conversation": await _conversation(tx, person_id),
        "messages_sent": [
            {"message": r["message_key"], "queued_at": r["created_at"], "sent_at": r["sent_at"]}
            for r in await tx.all(
                "SELECT message_key, created_at, sent_at FROM outbox WHERE person_id = ? "
                "ORDER BY id",
                (person_id,),
            )
        ],
    }
    other = await _other_tables(tx, person_id)
    if other:
        data["other"] = other
    return data


async def _participant(tx: Tx, person_id: int) -> dict[str, Any] | None:
    row = await tx.one(
        "SELECT p.*, km.name AS km_name, co.name AS coach_name FROM participants p "
        "LEFT JOIN people km ON km.id = p.klantmanager_id "
        "LEFT JOIN people co ON co.id = p.coach_id WHERE p.person_id = ?",
        (person_id,),
    )
    if row is None:
        return None
    return {
        "start_date": row["start_date"],
        "household": row["household"],
        "status": row["status"],
        "klantmanager": row["km_name"],
        "coach": row["coach_name"],
    }


async def _declarations(tx: Tx, person_id: int) -> list[dict[str, Any]]:
    rows = await tx.all(
        "SELECT * FROM declarations WHERE participant_id = ? ORDER BY period, version",
        (person_id,),
    )
    return [
        {
            "period": r["period"],
            "version": r["version"],
            "reference": r["reference"],
            "worked": bool(r["worked"]),
            "revenue_cents": r["revenue_cents"],
            "costs_cents": r["costs_cents"],
            "hours": r["hours"],
            "data": _loads(r["data"]),
            "flags": _loads(r["flags"]),
            "reason": r["reason"],
            "submitted_at": r["submitted_at"],
        }
        for r in rows
    ]


async def _proofs(tx: Tx, person_id: int) -> list[dict[str, Any]]:
    rows = await tx.all(
        "SELECT p.*, d.reference FROM proofs p "
        "LEFT JOIN declarations d ON d.id = p.declaration_id "
        "WHERE p.participant_id = ? ORDER BY p.id",
        (person_id,),
    )
    return [
        {
            "period": r["period"],
            "declaration": r["reference"],
            "file": Path(r["path"]).name,
            "original_name": r["original_name"],
            "mime": r["mime"],
            "size": r["size"],
            "sha256": r["sha256"],
            "received_at": r["created_at"],
        }
        for r in rows
    ]


async def _queue_items(tx: Tx, person_id: int) -> list[dict[str, Any]]:
    rows = await tx.all(
        "SELECT q.*, d.reference FROM queue_items q "
        "LEFT JOIN declarations d ON d.id = q.declaration_id "
        "WHERE q.participant_id = ? ORDER BY q.id",
        (person_id,),
    )
    # The details are the klantmanager's working notes: only what the item is and where it is.
    return [
        {
            "kind": r["kind"],
            "state": r["state"],
            "period": r["period"],
            "declaration": r["reference"],
            "created_at": r["created_at"],
            "updated_at": r["updated_at"],
        }
        for r in rows
    ]


async def _audit(tx: Tx, person_id: int) -> list[dict[str, Any]]:
    rows = await tx.all(
        "SELECT a.*, p.name AS actor_name, p.role AS actor_role FROM audit_log a "
        "LEFT JOIN people p ON p.id = a.actor_id "
        "WHERE a.subject_id = ? OR a.actor_id = ? ORDER BY a.id",
        (person_id, person_id),
    )
    return [
        {
            "at": r["at"],
            "action": r["action"],
            "by": None
            if r["actor_id"] is None
            else (
                "you" if r["actor_id"] == person_id else f"{r['actor_name']} ({r['actor_role']})"
            ),
            "about_you": r["subject_id"] == person_id,
            "details": _without_notes(_loads(r["details"])),
        }
        for r in rows
    ]


async def _conversation(tx: Tx, person_id: int) -> dict[str, Any] | None:
    row = await tx.one("SELECT * FROM conversation_state WHERE person_id = ?", (person_id,))
    if row is None:
        return None
    return {
        "flow": row["flow"],
        "step": row["step"],
        "data": _loads(row["data"]),
        "updated_at": row["updated_at"],
    }


async def _other_tables(tx: Tx, person_id: int) -> dict[str, list[dict[str, Any]]]:
    """Rows about this person in tables later features added (notes excluded)."""
    found: dict[str, list[dict[str, Any]]] = {}
    tables = await tx.all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    for table_row in tables:
        table = str(table_row["name"])
        if table in _EXPLICIT or table in _NEVER_EXPORTED or "note" in table.lower():
            continue
        columns = [str(c["name"]) for c in await tx.all(f"PRAGMA table_info('{table}')")]
        key = next((c for c in ("participant_id", "person_id") if c in columns), None)
        if key is None:
            continue
        rows = await tx.all(
            f'SELECT * FROM "{table}" WHERE "{key}" = ?',  # noqa: S608 - names from the schema
            (person_id,),
        )
        if rows:
            found[table] = [
                {
                    c: _without_notes(_loads(r[c]) if isinstance(r[c], str) else r[c])
                    for c in columns
                    if "note" not in c.lower()
                }
                for r in rows
            ]
    return found


@dataclass(frozen=True)
class ProofFile:
    """A stored proof file this person may receive."""

    path: Path
    name: str
    period: str


@dataclass(frozen=True)
class Export:
    """The written /mijngegevens file and the proof files to send with it."""

    path: Path
    proofs: list[ProofFile] = field(default_factory=list)
    missing: int = 0


async def export_for_chat(tx: Tx, now: datetime, proof_dir: Path, person_id: int) -> Export:
    """Write this person's data to a JSON file, list their proof files, record it in the audit."""
    data = {"exported_at": utc_iso(now), **await export_own_data(tx, person_id)}
    rows = await tx.all(
        "SELECT path, original_name, period FROM proofs WHERE participant_id = ? ORDER BY id",
        (person_id,),
    )
    proofs, missing = await asyncio.to_thread(_existing_proofs, rows, proof_dir)
    stamp = now.astimezone(UTC).strftime(_EXPORT_STAMP)
    name = f"mijngegevens-{stamp}-{secrets.token_hex(4)}.json"
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    path = await asyncio.to_thread(_write_private, proof_dir / EXPORTS, name, text)
    await asyncio.to_thread(lambda: _unlink_all(_old_exports(proof_dir, now)))
    await audit_log.record(tx, now, person_id, "data.exported", person_id, proofs=len(proofs))
    return Export(path, proofs, missing)


def _existing_proofs(rows: list[Row], proof_dir: Path) -> tuple[list[ProofFile], int]:
    root = proof_dir.resolve()
    found: list[ProofFile] = []
    missing = 0
    for r in rows:
        path = _resolve(str(r["path"]), proof_dir).resolve()
        # Only files inside the proof folder, whatever a row says.
        if path.is_relative_to(root) and path.is_file():
            found.append(ProofFile(path, r["original_name"] or path.name, r["period"]))
        else:
            missing += 1
    return found, missing


def _write_private(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path
