"""`/overzicht`: the last six closed months and the next deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bot.domain.answers import Declaration
from bot.domain.localtime import local_day
from bot.domain.models import Participant
from bot.domain.norms import norm_for_period, share_of_norm
from bot.domain.periods import period_of
from bot.domain.policy import Policy
from bot.domain.timeliness import due_date, is_on_time, is_past_due
from bot.services.declarations import closed_periods, open_periods
from bot.storage import declarations
from bot.storage.unit import Tx

OVERVIEW_MONTHS = 6


@dataclass(frozen=True)
class MonthLine:
    """One month: 'open' or 'late' without a declaration; else its latest version's figures."""

    period: str
    status: str  # open, late, sent, late_sent, corrected
    sent: Declaration | None = None
    share_pct: int | None = None

    @property
    def profit_cents(self) -> int | None:
        """Omzet minus kosten of the latest version."""
        return None if self.sent is None else self.sent.profit_cents

    @property
    def hours(self) -> Decimal | None:
        """The month's hours."""
        return None if self.sent is None else self.sent.hours

    @property
    def reference(self) -> str | None:
        """The latest version's reference."""
        return None if self.sent is None else self.sent.reference


@dataclass(frozen=True)
class Overview:
    """The months newest first, and the next month to declare with its due date."""

    months: tuple[MonthLine, ...]
    next_period: str
    next_due: date
    open_count: int
    overdue: bool


async def overview(tx: Tx, policy: Policy, participant: Participant, now: datetime) -> Overview:
    """The last six closed months and the next deadline, for /overzicht.

    A first version is 'sent' or 'late_sent' by bot.domain.timeliness; a month with more
    versions is 'corrected' (its timeliness is not shown).
    """
    today = local_day(now)
    months = closed_periods(participant, today)[-OVERVIEW_MONTHS:]
    lines: list[MonthLine] = []
    for period in reversed(months):
        found = await declarations.latest(tx, participant.person_id, period)
        if found is None:
            lines.append(MonthLine(period, "late" if is_past_due(policy, period, now) else "open"))
            continue
        if found.version > 1:
            status = "corrected"
        else:
            status = "sent" if is_on_time(policy, period, found.submitted_at) else "late_sent"
        norm = norm_for_period(policy, participant.household, period)
        lines.append(MonthLine(period, status, found, share_of_norm(found.profit_cents, norm)))
    waiting = await open_periods(tx, participant, today)
    next_period = waiting[0] if waiting else period_of(today)
    next_due = due_date(policy, next_period)
    overdue = is_past_due(policy, next_period, now)
    return Overview(tuple(lines), next_period, next_due, len(waiting), overdue)
