"""One participant for a klantmanager or coach: `/deelnemer <naam>` and its two overviews.

`overview` answers `/deelnemer <naam>` with data: a klantmanager gets amounts and flags, a coach
only hours and progress (the figures with amounts never reach the coach's template). The
participants' figures (`Facts`) are read by `bot.storage.caseload`; the template renders the
flags (`messages/render.py`'s `flag_lines` filter).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.clock import parse_utc
from bot.domain.digest import Facts, Month, months_back
from bot.domain.errors import DomainError
from bot.domain.hours import rolling_average
from bot.domain.localtime import local_day
from bot.domain.models import Person
from bot.domain.periods import period_of
from bot.domain.policy import Policy
from bot.domain.timeliness import Submission, is_past_due, latest_is_on_time
from bot.domain.weeks import iso_week
from bot.services import access, names
from bot.services.access import View
from bot.storage import audit_log, caseload, declarations
from bot.storage import queue as queue_items
from bot.storage.caseload import load_facts
from bot.storage.unit import Tx

__all__ = [
    "OVERVIEW_MONTHS",
    "Facts",
    "Month",
    "amounts_overview",
    "find_participant",
    "load_facts",
    "months_back",
    "overview",
    "progress_overview",
]

OVERVIEW_MONTHS = 6


async def find_participant(
    tx: Tx, viewer: Person, now: datetime, query: str
) -> tuple[int, str, View]:
    """A participant `viewer` may see, by (part of) the name.

    Unknown and not-yours give the same answer, so the reply never reveals who exists.
    """
    if not names.tidy(query):
        raise DomainError("queue/participant_ask")
    visible = await access.visible_participants(tx, viewer, now)
    found = names.matches(visible, query, lambda p: p[1])  # one rule with the command line
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise DomainError("queue/participant_ambiguous", names=[p[1] for p in found[:10]])
    raise DomainError("queue/participant_unknown", query=query.strip()[:60])


async def overview(
    tx: Tx, policy: Policy, viewer: Person, now: datetime, query: str
) -> tuple[str, dict[str, Any]]:
    """`/deelnemer <naam>` as data: (message key, figures fitting the viewer's role)."""
    participant_id, _, view = await find_participant(tx, viewer, now, query)
    await audit_log.record(
        tx,
        now,
        viewer.id,
        "participant.viewed",
        participant_id,
        what="overview",
        amounts=view == View.AMOUNTS,
    )
    if view == View.AMOUNTS:
        return "queue/participant", await amounts_overview(tx, policy, viewer, now, participant_id)
    return "queue/participant_progress", await progress_overview(
        tx, policy, viewer, now, participant_id
    )


async def amounts_overview(
    tx: Tx,
    policy: Policy,
    viewer: Person,
    now: datetime,
    participant_id: int,
    locale: str | None = None,
) -> dict[str, Any]:
    """Declarations with amounts and flags of the last months; klantmanagers (and admins) only.

    The figures are the same in every language (`messages.dossier` renders the flags), so
    `locale` is not used; it stays for the callers of this round.
    """
    await access.require_amounts(tx, viewer, participant_id, now)
    (facts,) = await load_facts(tx, policy, [participant_id])
    count = await caseload.versions_per_period(tx, participant_id)
    periods = sorted(facts.months, reverse=True)[:OVERVIEW_MONTHS]
    open_states = await queue_items.open_states_of(tx, participant_id)
    return {
        "participant_id": participant_id,
        "name": facts.name,
        "trajectory_end": facts.trajectory_end.isoformat(),
        "open_items": sum(open_states.values()),
        "open_states": open_states,
        "months": [
            {
                "period": m.period,
                "version": m.version,
                "versions": count.get(m.period, 1),
                "worked": m.worked,
                "revenue_cents": m.revenue_cents,
                "costs_cents": m.costs_cents,
                "profit_cents": m.profit_cents,
                "share_pct": m.share_pct,
                "hours": m.hours,
                "proof_count": m.proof_count,
                "flags": m.flags,
            }
            for m in (facts.months[p] for p in periods)
        ],
    }


async def progress_overview(
    tx: Tx, policy: Policy, viewer: Person, now: datetime, participant_id: int
) -> dict[str, Any]:
    """Hours and progress only (what a coach may see): no amounts, no flags about money.

    A month is on time by bot.domain.timeliness: a correction the klantmanager asked for keeps
    the judgement of the version it corrects.
    """
    await access.view_of(tx, viewer, participant_id, now)
    (facts,) = await load_facts(tx, policy, [participant_id])
    versions = await declarations.submissions_of_participant(tx, participant_id)
    today = local_day(now)
    current = period_of(today)
    periods = [
        p
        for p in months_back(current, OVERVIEW_MONTHS + 1)[:-1]
        if p >= period_of(facts.start_date)
    ]
    months = []
    for period in reversed(periods):
        month = facts.months.get(period)
        on_time = month is not None and latest_is_on_time(
            policy,
            period,
            versions.get(period) or (Submission(parse_utc(month.submitted_at)),),
        )
        months.append(
            {
                "period": period,
                "submitted": month is not None,
                "on_time": on_time,
                "overdue": month is None and is_past_due(policy, period, now),
                "hours": month.hours if month else None,
            }
        )
    last_week = iso_week(today - timedelta(weeks=1))  # complete weeks, as in the digest
    average = rolling_average(facts.weeks, last_week, policy.rolling_weeks)
    return {
        "name": facts.name,
        "trajectory_end": facts.trajectory_end.isoformat(),
        "average_hours": float(average.hours) if average is not None else None,
        "average_weeks": average.weeks if average is not None else 0,
        "weeks": policy.rolling_weeks,
        "cap": float(policy.hour_cap_per_week),
        "months": months,
    }
