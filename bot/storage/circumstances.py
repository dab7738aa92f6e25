"""Changes in circumstances (/wijziging): one draft per participant, sent exactly once."""

from __future__ import annotations

from datetime import date, datetime

from bot.clock import parse_utc, utc_iso
from bot.domain.circumstances import ChangeReport, Document, ReportedChange
from bot.storage.unit import Row, Tx

_COLUMNS = (
    "id, participant_id, kind, happens_on, explanation, document_path, document_mime, "
    "document_size, document_sha256, document_name, reference, created_at, updated_at, sent_at"
)


def _report(row: Row) -> ChangeReport:
    document = None
    if row["document_path"] is not None:
        document = Document(
            str(row["document_path"]),
            str(row["document_mime"]),
            int(row["document_size"]),
            str(row["document_sha256"]),
            row["document_name"],
        )
    return ChangeReport(
        id=int(row["id"]),
        participant_id=int(row["participant_id"]),
        kind=str(row["kind"]),
        happens_on=date.fromisoformat(row["happens_on"]) if row["happens_on"] else None,
        explanation=row["explanation"],
        document=document,
        created_at=parse_utc(row["created_at"]),
        updated_at=parse_utc(row["updated_at"]),
        sent_at=parse_utc(row["sent_at"]) if row["sent_at"] else None,
        reference=row["reference"],
    )


async def draft(tx: Tx, participant_id: int) -> ChangeReport | None:
    """The participant's unsent change, if any."""
    row = await tx.one(
        f"SELECT {_COLUMNS} FROM circumstance_changes "  # noqa: S608 - fixed columns
        "WHERE participant_id = ? AND sent_at IS NULL",
        (participant_id,),
    )
    return None if row is None else _report(row)


async def by_id(tx: Tx, change_id: int) -> ChangeReport | None:
    """A change by id (sent or not)."""
    row = await tx.one(
        f"SELECT {_COLUMNS} FROM circumstance_changes WHERE id = ?",  # noqa: S608
        (change_id,),
    )
    return None if row is None else _report(row)


async def of_participant(tx: Tx, participant_id: int) -> list[ChangeReport]:
    """Every change of the participant (drafts included), oldest first."""
    rows = await tx.all(
        f"SELECT {_COLUMNS} FROM circumstance_changes "  # noqa: S608 - fixed columns
        "WHERE participant_id = ? ORDER BY id",
        (participant_id,),
    )
    return [_report(r) for r in rows]


async def delete_draft(tx: Tx, participant_id: int) -> str | None:
    """Forget the participant's unsent change; the path of its document, if it had one."""
    found = await draft(tx, participant_id)
    if found is None:
        return None
    await tx.execute("DELETE FROM circumstance_changes WHERE id = ?", (found.id,))
    return found.document.path if found.document else None


async def start(tx: Tx, now: datetime, participant_id: int, kind: str) -> int:
    """A new draft of `kind` (the participant has none: `delete_draft` first)."""
    new_id = await tx.insert(
        "INSERT INTO circumstance_changes (participant_id, kind, created_at, updated_at) "
        "VALUES (?, ?, ?, ?)",
        (participant_id, kind, utc_iso(now), utc_iso(now)),
    )
    if new_id is None:
        raise LookupError("change draft not stored")
    return new_id


async def set_date(tx: Tx, now: datetime, change_id: int, on: date) -> None:
    """The day the change happens (or happened)."""
    await tx.execute(
        "UPDATE circumstance_changes SET happens_on = ?, updated_at = ? "
        "WHERE id = ? AND sent_at IS NULL",
        (on.isoformat(), utc_iso(now), change_id),
    )


async def set_explanation(tx: Tx, now: datetime, change_id: int, text: str) -> None:
    """The participant's short explanation."""
    await tx.execute(
        "UPDATE circumstance_changes SET explanation = ?, updated_at = ? "
        "WHERE id = ? AND sent_at IS NULL",
        (text, utc_iso(now), change_id),
    )


async def set_document(tx: Tx, now: datetime, change_id: int, document: Document) -> None:
    """The one file sent as proof (a later file replaces it)."""
    await tx.execute(
        "UPDATE circumstance_changes SET document_path = ?, document_mime = ?, "
        "document_size = ?, document_sha256 = ?, document_name = ?, updated_at = ? "
        "WHERE id = ? AND sent_at IS NULL",
        (
            document.path,
            document.mime,
            document.size,
            document.sha256,
            document.name,
            utc_iso(now),
            change_id,
        ),
    )


async def mark_sent(tx: Tx, now: datetime, participant_id: int, change_id: int) -> bool:
    """Send the draft, exactly once: False when it was sent before (or is not theirs)."""
    changed = await tx.execute(
        "UPDATE circumstance_changes SET sent_at = ?, updated_at = ? "
        "WHERE id = ? AND participant_id = ? AND sent_at IS NULL",
        (utc_iso(now), utc_iso(now), change_id, participant_id),
    )
    return changed == 1


async def set_reference(tx: Tx, change_id: int, reference: str) -> None:
    """The reference handed out when it was sent."""
    await tx.execute(
        "UPDATE circumstance_changes SET reference = ? WHERE id = ?", (reference, change_id)
    )


async def path_in_use(tx: Tx, path: str) -> bool:
    """Whether a stored change still points at this document file."""
    found = await tx.scalar(
        "SELECT 1 FROM circumstance_changes WHERE document_path = ? LIMIT 1", (path,)
    )
    return found is not None


async def open_reported(tx: Tx, participant_ids: list[int], closed: str) -> list[ReportedChange]:
    """The reported changes whose queue item is not `closed` yet, for these participants."""
    if not participant_ids:
        return []
    marks = ", ".join("?" for _ in participant_ids)
    rows = await tx.all(
        "SELECT c.participant_id, c.kind, c.happens_on, c.reference, c.sent_at "  # noqa: S608
        "FROM queue_items q JOIN circumstance_changes c ON q.dedupe_key = 'change:' || c.id "
        f"WHERE q.kind = 'change_reported' AND q.state != ? AND q.state != 'vervangen' "
        f"AND c.participant_id IN ({marks}) ORDER BY c.sent_at, c.id",
        [closed, *participant_ids],
    )
    return [
        ReportedChange(
            int(r["participant_id"]),
            str(r["kind"]),
            date.fromisoformat(r["happens_on"]) if r["happens_on"] else None,
            str(r["reference"]),
            str(r["sent_at"]),
        )
        for r in rows
    ]
