"""The draft of a declaration: start one (new or a correction), keep it, throw it away."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from bot.domain.answers import Draft
from bot.domain.errors import DomainError
from bot.domain.models import Participant
from bot.storage import declarations, drafts, proofs
from bot.storage.unit import Tx


async def load_draft(tx: Tx, participant_id: int) -> Draft | None:
    """The participant's draft, if any."""
    return await drafts.load(tx, participant_id)


async def save_draft(tx: Tx, now: datetime, draft: Draft) -> None:
    """Store the draft (it survives /stop, pauses and restarts)."""
    await drafts.save(tx, now, draft)


async def start_draft(
    tx: Tx, now: datetime, participant: Participant, period: str, *, correction_of: int | None
) -> Draft:
    """Begin a fresh draft for `period`, replacing any earlier one (and its loose proofs)."""
    await discard_draft(tx, participant.person_id)
    data: dict[str, Any] = {"mode": "new", "costs": {}, "weeks": {}}
    step = "worked"
    if correction_of is not None:
        base = await declarations.latest(tx, participant.person_id, period)
        if base is None:
            raise DomainError("declaration/nothing_to_correct")
        answers = base.answers
        data = {
            "mode": "correction",
            "base_version": base.version,
            "worked": answers.worked,
            "revenue_cents": answers.revenue_cents,
            "costs": dict(answers.costs),
            "weeks": {k: float(v) for k, v in answers.weeks.items()},
            "note": answers.note,
            "no_proof": answers.no_proof,
            "earlier_proofs": answers.proof_count,
        }
        step = "reason"
    draft = Draft(participant.person_id, period, secrets.token_hex(4), step, data)
    await drafts.insert(tx, now, draft)
    return draft


async def discard_draft(tx: Tx, participant_id: int) -> None:
    """Throw a draft away, with the proof files it had not yet linked."""
    await proofs.delete_loose(tx, participant_id)
    await drafts.delete(tx, participant_id)
