"""Versions of a month as the queue sees them: a correction that changes nothing is refused
kindly (`queue/correction_unchanged`) before it is stored, so it never becomes a version."""

from __future__ import annotations

from bot.domain.answers import Draft
from bot.domain.changes import unchanged
from bot.domain.errors import DomainError
from bot.storage import declarations, proofs
from bot.storage.unit import Tx


async def refuse_unchanged(tx: Tx, participant_id: int, draft: Draft) -> None:
    """Raise DomainError("queue/correction_unchanged") when the correction `draft` has the same
    answers as the version it corrects and brings no new proof files."""
    if not draft.correction:
        return
    current = await declarations.latest(tx, participant_id, draft.period)
    if current is None:
        return
    new_files = await proofs.count_loose(tx, participant_id, draft.period)
    if unchanged(current.answers, draft.month(new_files), new_files):
        raise DomainError("queue/correction_unchanged", period=draft.period)
