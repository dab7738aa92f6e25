"""The draft of a declaration: start one (new or a correction), keep it, throw it away."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime

from bot.domain.answers import Draft, DraftAnswers
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
    tx: Tx, now: datetime, participant: Participant, period: str, step: str, *, correction: bool
) -> Draft:
    """Begin a fresh draft for `period` at `step`, replacing any earlier one (and its proofs).

    A correction starts from the answers of the month's latest version.
    """
    await discard_draft(tx, participant.person_id)
    answers = DraftAnswers()
    if correction:
        base = await declarations.latest(tx, participant.person_id, period)
        if base is None:
            raise DomainError("declaration/nothing_to_correct")
        # The earlier files are the ones stored with that version (carried over on submit).
        stored = await proofs.count_stored(tx, base.id)
        answers = replace(DraftAnswers.correcting(base), earlier_proofs=stored)
    draft = Draft(participant.person_id, period, secrets.token_hex(4), step, answers)
    await drafts.insert(tx, now, draft)
    return draft


async def discard_draft(tx: Tx, participant_id: int) -> None:
    """Throw a draft away, with the proof files it had not yet linked."""
    await proofs.delete_loose(tx, participant_id)
    await drafts.delete(tx, participant_id)
