"""`/overzicht`: the last six closed months and the next deadline."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.models import Participant
from bot.domain.norms import norm_for_period, share_of_norm
from bot.domain.periods import due_date, period_of
from bot.domain.policy import Policy
from bot.services.declarations import closed_periods, open_periods
from bot.storage import declarations
from bot.storage.unit import Tx

OVERVIEW_MONTHS = 6


async def overview(
    tx: Tx, policy: Policy, participant: Participant, today: date
) -> dict[str, Any]:
    """The last six closed months and the next deadline, for /overzicht."""
    months = closed_periods(participant, today)[-OVERVIEW_MONTHS:]
    rows: list[dict[str, Any]] = []
    for period in reversed(months):
        found = await declarations.latest(tx, participant.person_id, period)
        due = due_date(period, policy.due_day)
        if found is None:
            rows.append({"period": period, "status": "late" if today > due else "open"})
            continue
        sent_on = found.submitted_at.date()
        status = "corrected" if found.version > 1 else ("late_sent" if sent_on > due else "sent")
        rows.append(
            {
                "period": period,
                "status": status,
                "profit_cents": found.profit_cents,
                "share_pct": share_of_norm(
                    found.profit_cents, norm_for_period(policy, participant.household, period)
                ),
                "hours": found.hours,
                "reference": found.reference,
            }
        )
    waiting = await open_periods(tx, participant, today)
    next_period_due = waiting[0] if waiting else period_of(today)
    return {
        "months": rows,
        "next_period": next_period_due,
        "next_due": due_date(next_period_due, policy.due_day).isoformat(),
        "open_count": len(waiting),
        "overdue": due_date(next_period_due, policy.due_day) < today,
    }
