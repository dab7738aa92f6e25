"""Monthly declarations: which months are due, the declared hours, submit exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bot.clock import utc_iso
from bot.domain import declaration as rules
from bot.domain.circumstances import mentions_change
from bot.domain.errors import AccessDenied, DomainError
from bot.domain.hours import typed_form
from bot.domain.models import Participant
from bot.domain.periods import (
    next_period,
    parse_period,
    period_of,
    periods_between,
    previous_period,
)
from bot.domain.policy import Policy
from bot.domain.weeks import WeekSlot, week_slots
from bot.services import queue, queue_versions, review
from bot.storage import (
    audit_log,
    declarations,
    drafts,
    participants,
    proofs,
    references,
    weekly_hours,
)
from bot.storage.unit import Tx


@dataclass(frozen=True)
class Receipt:
    """What the participant is told after Verstuur."""

    reference: str
    period: str
    version: int
    submitted_at: str
    already: bool = False  # this tap found the declaration already sent
    mentions_change: bool = False  # the note mentions a change to report with /wijziging


# ---------------------------------------------------------------- participants and periods


async def participant_of(tx: Tx, person_id: int) -> Participant:
    """The participant record of the person asking; AccessDenied for anyone else."""
    found = await participants.participant(tx, person_id)
    if found is None:
        raise AccessDenied()
    return found


def closed_periods(participant: Participant, today: date) -> list[str]:
    """Months from the start month up to last month: the ones a declaration is due for."""
    first = period_of(participant.start_date)
    last = previous_period(period_of(today))
    return periods_between(first, last) if first <= last else []


async def sent_periods(tx: Tx, participant_id: int) -> set[str]:
    """Periods with at least one declaration."""
    return await declarations.sent_periods(tx, participant_id)


async def open_periods(tx: Tx, participant: Participant, today: date) -> list[str]:
    """Closed months without a declaration, oldest first."""
    sent = await sent_periods(tx, participant.person_id)
    return [p for p in closed_periods(participant, today) if p not in sent]


async def period_status(tx: Tx, participant: Participant, period: str, today: date) -> str:
    """'open', 'sent', 'not_yet' (month not over), 'before_start' or 'invalid'."""
    try:
        parse_period(period)
    except ValueError:
        return "invalid"
    if period >= period_of(today):
        return "not_yet"
    if period < period_of(participant.start_date):
        return "before_start"
    found = await declarations.latest(tx, participant.person_id, period)
    return "open" if found is None else "sent"


async def recent_sent(tx: Tx, participant_id: int, limit: int = 3) -> list[str]:
    """The most recent months that were sent, newest first (to offer a correction)."""
    return await declarations.recent_periods(tx, participant_id, limit)


# ---------------------------------------------------------------- hours


async def prefill(tx: Tx, participant_id: int, slot: WeekSlot) -> Decimal | None:
    """What the weekly check-in said about a week that lies wholly inside the month."""
    if not slot.complete:
        return None
    value = await weekly_hours.of_week(tx, participant_id, slot.key)
    return None if value is None else typed_form(value)


async def write_weeks(tx: Tx, now: datetime, participant_id: int, answers: rules.Answers) -> None:
    """Store the declared hours per ISO week (a week shared with the next month adds up)."""
    for slot in week_slots(answers.period):
        hours = answers.weeks.get(slot.key)
        if hours is None:
            continue
        if not slot.complete:
            # The week is shared with the neighbouring month: add that month's part when known.
            neighbour = (
                previous_period(answers.period)
                if slot.first.day == 1
                else next_period(answers.period)
            )
            other = await _declared_week(tx, participant_id, neighbour, slot.key)
            if other is None and await weekly_hours.has_week(tx, participant_id, slot.key):
                continue  # the neighbour is not declared: keep what is known for the week
            hours += other or Decimal(0)
        await weekly_hours.put(tx, now, participant_id, slot.key, hours, weekly_hours.DECLARATION)


async def _declared_week(tx: Tx, participant_id: int, period: str, week: str) -> Decimal | None:
    found = await declarations.latest(tx, participant_id, period)
    return None if found is None else found.answers.weeks.get(week)


# ---------------------------------------------------------------- submit


async def submit(
    tx: Tx, now: datetime, policy: Policy, participant: Participant, period: str, nonce: str
) -> Receipt:
    """Store the draft as an immutable declaration, exactly once, with queue item and audit."""
    pid = participant.person_id
    draft = await drafts.load(tx, pid)
    if draft is None or draft.nonce != nonce or draft.period != period:
        return await _already_sent(tx, pid, period)
    version = await declarations.last_version(tx, pid, period) + 1
    if not draft.correction and version > 1:
        raise DomainError("declaration/already_sent_use_fix", period=period)
    if draft.correction and draft.answers.base_version != version - 1:
        raise DomainError("declaration/changed_meanwhile", period=period)
    await queue_versions.refuse_unchanged(tx, pid, draft)
    tx.durable()  # the receipt promises the declaration survives a power cut
    if not await drafts.spend(tx, pid, nonce):
        return await _already_sent(tx, pid, period)
    answers, figures = await review.compute(tx, policy, participant, draft)
    corrected = await declarations.latest(tx, pid, period) if draft.correction else None
    declaration_id, reference = await store_declaration(
        tx, now, participant, answers, figures, version, draft.answers.reason
    )
    if corrected is not None:  # the correction keeps the earlier version's files
        await proofs.carry_over(tx, corrected.id, declaration_id)
    await proofs.link(tx, pid, period, declaration_id)
    sent = Receipt(
        reference, period, version, utc_iso(now), mentions_change=mentions_change(answers.note)
    )
    await _announce(tx, now, policy, pid, declaration_id, sent, draft.answers.reason, figures)
    return sent


async def _announce(
    tx: Tx,
    now: datetime,
    policy: Policy,
    participant_id: int,
    declaration_id: int,
    sent: Receipt,
    reason: str | None,
    figures: rules.Figures,
) -> None:
    """Put the declaration in the klantmanager's queue and in the audit log."""
    corrected = sent.version > 1
    await queue.open_item(
        tx,
        now,
        participant_id,
        queue.CORRECTED if corrected else queue.SUBMITTED,
        declaration_id=declaration_id,
        period=sent.period,
        dedupe_key=f"declaration:{declaration_id}",
        policy=policy,
        details={
            "reference": sent.reference,
            "version": sent.version,
            "reason": reason,
            "profit_cents": figures.profit_cents,
            "share_pct": figures.share_pct,
            "hours": float(figures.hours),
            "flags": figures.flags,
        },
    )
    await audit_log.record(
        tx,
        now,
        participant_id,
        "declaration.corrected" if corrected else "declaration.submitted",
        participant_id,
        declaration=declaration_id,
        reference=sent.reference,
        period=sent.period,
        version=sent.version,
    )


async def _already_sent(tx: Tx, participant_id: int, period: str) -> Receipt:
    found = await declarations.latest(tx, participant_id, period)
    if found is None:
        raise DomainError("declaration/no_draft")
    return Receipt(
        found.reference, period, found.version, utc_iso(found.submitted_at), already=True
    )


async def next_reference(tx: Tx, period: str) -> str:
    """PTO-2026-11-0042: the period and its next sequence number."""
    number = await references.next_number(tx, period)
    return f"PTO-{period}-{number:04d}"


async def store_declaration(
    tx: Tx,
    now: datetime,
    participant: Participant,
    answers: rules.Answers,
    figures: rules.Figures,
    version: int,
    reason: str | None,
) -> tuple[int, str]:
    """Insert one immutable declaration row and its weekly hours; returns (id, reference)."""
    reference = await next_reference(tx, answers.period)
    declaration_id = await declarations.insert(
        tx,
        now,
        participant.person_id,
        answers,
        version=version,
        reference=reference,
        flags=figures.flags,
        reason=reason,
    )
    if answers.worked:
        await write_weeks(tx, now, participant.person_id, answers)
    return declaration_id, reference
