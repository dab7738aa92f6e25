"""Declaration drafts: the one month a participant is filling in, kept across restarts."""

from __future__ import annotations

from datetime import datetime

from bot.clock import parse_utc, utc_iso
from bot.domain.answers import Draft, DraftAnswers
from bot.storage import codec
from bot.storage.unit import Tx


async def load(tx: Tx, participant_id: int) -> Draft | None:
    """The participant's draft, if any."""
    row = await tx.one(
        "SELECT participant_id, period, nonce, step, data, updated_at FROM declaration_drafts "
        "WHERE participant_id = ?",
        (participant_id,),
    )
    if row is None:
        return None
    return Draft(
        int(row["participant_id"]),
        str(row["period"]),
        str(row["nonce"]),
        str(row["step"]),
        DraftAnswers.from_data(codec.loads(row["data"])),
        parse_utc(row["updated_at"]),
    )


async def insert(tx: Tx, now: datetime, draft: Draft) -> None:
    """Store a new draft (the participant has none: `delete` first)."""
    await tx.execute(
        "INSERT INTO declaration_drafts (participant_id, period, nonce, step, data, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            draft.participant_id,
            draft.period,
            draft.nonce,
            draft.step,
            codec.dumps(draft.answers.to_data()),
            utc_iso(now),
            utc_iso(now),
        ),
    )


async def save(tx: Tx, now: datetime, draft: Draft) -> None:
    """Store the draft's step and answers (only while its nonce is unspent)."""
    await tx.execute(
        "UPDATE declaration_drafts SET step = ?, data = ?, updated_at = ? "
        "WHERE participant_id = ? AND nonce = ?",
        (
            draft.step,
            codec.dumps(draft.answers.to_data()),
            utc_iso(now),
            draft.participant_id,
            draft.nonce,
        ),
    )


async def delete(tx: Tx, participant_id: int) -> None:
    """Remove the participant's draft."""
    await tx.execute("DELETE FROM declaration_drafts WHERE participant_id = ?", (participant_id,))


async def spend(tx: Tx, participant_id: int, nonce: str) -> bool:
    """Remove the draft with this nonce; False when another submit spent it already."""
    removed = await tx.execute(
        "DELETE FROM declaration_drafts WHERE participant_id = ? AND nonce = ?",
        (participant_id, nonce),
    )
    return removed == 1
