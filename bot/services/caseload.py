"""Facts about participants for overviews, the digest and exports: months declared, hours, end.

`participant_overview` answers `/deelnemer <naam>`: a klantmanager gets amounts and flags, a coach
only hours and progress (the figures with amounts never reach the coach's template).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.clock import parse_utc, to_local
from bot.domain.errors import DomainError
from bot.domain.models import Household, Person
from bot.domain.norms import norm_for_period, share_of_norm
from bot.domain.periods import add_months, due_date, parse_period, period_of
from bot.domain.policy import Policy
from bot.services import access
from bot.services.access import View
from bot.storage import audit_log
from bot.storage.unit import Row, Tx
from messages.flags import flag_line

OVERVIEW_MONTHS = 6


@dataclass(frozen=True, slots=True)
class Month:
    """The latest version of one month's declaration, with its computed figures."""

    period: str
    version: int
    reference: str
    worked: bool
    revenue_cents: int
    costs_cents: int
    hours: float
    flags: list[dict[str, Any]]
    submitted_at: str
    norm_cents: int | None
    proof_count: int

    @property
    def profit_cents(self) -> int:
        """Omzet − kosten."""
        return self.revenue_cents - self.costs_cents

    @property
    def submitted_day(self) -> date:
        """The local day it was submitted."""
        return to_local(parse_utc(self.submitted_at)).date()

    @property
    def share_pct(self) -> int | None:
        """Profit as a share of the norm (an indication)."""
        return share_of_norm(self.profit_cents, self.norm_cents)


@dataclass(frozen=True, slots=True)
class Facts:
    """One participant as overviews and the digest see them."""

    id: int
    name: str
    household: Household
    start_date: date
    status: str
    klantmanager_id: int | None
    coach_id: int | None
    trajectory_end: date
    months: dict[str, Month] = field(default_factory=dict)
    weeks: dict[str, float] = field(default_factory=dict)


def iso_week(day: date) -> str:
    """'2026-W49' for a day."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def week_monday(week: str) -> date:
    """The Monday of an ISO week 'YYYY-Www'; ValueError otherwise."""
    year, _, number = week.partition("-W")
    if len(year) != 4 or len(number) != 2 or not (year + number).isdigit():
        raise ValueError(f"not an ISO week (YYYY-Www): {week!r}")
    return date.fromisocalendar(int(year), int(number), 1)


def months_back(period: str, count: int) -> list[str]:
    """`count` periods ending with `period`, oldest first."""
    year, month = parse_period(period)
    result = []
    for back in range(count - 1, -1, -1):
        index = year * 12 + month - 1 - back
        result.append(f"{index // 12:04d}-{index % 12 + 1:02d}")
    return result


async def load_facts(tx: Tx, policy: Policy, participant_ids: list[int]) -> list[Facts]:
    """Facts for these participants, by name."""
    if not participant_ids:
        return []
    marks = ", ".join("?" for _ in participant_ids)
    rows = FactRows(
        participants=await tx.all(
            f"SELECT {_PARTICIPANT_COLUMNS} FROM participants pa "  # noqa: S608
            f"JOIN people pe ON pe.id = pa.person_id WHERE pa.person_id IN ({marks}) "
            "ORDER BY pe.name",
            participant_ids,
        ),
        declarations=await tx.all(
            f"SELECT {_DECLARATION_COLUMNS} FROM declarations d "  # noqa: S608
            f"WHERE d.participant_id IN ({marks}) AND {_LATEST_VERSION} "
            "ORDER BY d.participant_id, d.period",
            participant_ids,
        ),
        hours=await tx.all(
            "SELECT participant_id, week, hours FROM weekly_hours "  # noqa: S608
            f"WHERE participant_id IN ({marks}) ORDER BY participant_id, week",
            participant_ids,
        ),
    )
    return rows.facts(policy)


@dataclass(frozen=True)
class FactRows:
    """The rows facts are made of: read inside a transaction, turned into Facts outside it."""

    participants: list[Row]  # _PARTICIPANT_COLUMNS, by name
    declarations: list[Row]  # _DECLARATION_COLUMNS, latest versions, by period
    hours: list[Row]  # participant_id, week, hours; by week

    def facts(self, policy: Policy) -> list[Facts]:
        """The participants' Facts, in the order of their rows."""
        return _facts(policy, self)


async def load_caseload_rows(
    tx: Tx, klantmanager_ids: list[int], since_period: str, since_week: str
) -> FactRows:
    """The rows for every participant of these klantmanagers' caseloads, in three queries.

    Only what an overview of recent weeks needs: the latest version of each month from
    `since_period` on (plus each participant's newest month, however old), and the weekly hours
    from `since_week` on ('YYYY-Www' compares as text). `.facts(policy)` makes the Facts.
    """
    if not klantmanager_ids:
        return FactRows([], [], [])
    marks = ", ".join("?" for _ in klantmanager_ids)
    return FactRows(
        participants=await tx.all(
            f"SELECT {_PARTICIPANT_COLUMNS} FROM participants pa "  # noqa: S608
            f"JOIN people pe ON pe.id = pa.person_id WHERE pa.klantmanager_id IN ({marks}) "
            "ORDER BY pe.name",
            klantmanager_ids,
        ),
        declarations=await tx.all(
            f"SELECT {_DECLARATION_COLUMNS} FROM participants pa "  # noqa: S608
            "JOIN declarations d ON d.participant_id = pa.person_id "
            f"WHERE pa.klantmanager_id IN ({marks}) AND {_LATEST_VERSION} AND (d.period >= ? "
            "OR d.period = (SELECT MAX(y.period) FROM declarations y "
            "WHERE y.participant_id = d.participant_id)) ORDER BY d.participant_id, d.period",
            [*klantmanager_ids, since_period],
        ),
        hours=await tx.all(
            "SELECT h.participant_id, h.week, h.hours FROM participants pa "  # noqa: S608
            "JOIN weekly_hours h ON h.participant_id = pa.person_id "
            f"WHERE pa.klantmanager_id IN ({marks}) AND h.week >= ? "
            "ORDER BY h.participant_id, h.week",
            [*klantmanager_ids, since_week],
        ),
    )


_PARTICIPANT_COLUMNS = (
    "pa.person_id, pa.klantmanager_id, pa.coach_id, pa.start_date, pa.household, pa.status, "
    "pe.name"
)
_DECLARATION_COLUMNS = (
    "d.participant_id, d.period, d.version, d.reference, d.worked, d.revenue_cents, "
    "d.costs_cents, d.hours, d.flags, d.submitted_at, "
    "(SELECT COUNT(*) FROM proofs pr WHERE pr.declaration_id = d.id), "
    "json_extract(NULLIF(d.data, ''), '$.proof_count')"
)
_LATEST_VERSION = (
    "d.version = (SELECT MAX(x.version) FROM declarations x "
    "WHERE x.participant_id = d.participant_id AND x.period = d.period)"
)


def _facts(policy: Policy, rows: FactRows) -> list[Facts]:
    norms: dict[tuple[str, str], int | None] = {}
    households = {r[0]: r[4] for r in rows.participants}
    months_of: dict[int, dict[str, Month]] = {}
    for pid, period, *values, flags, submitted_at, files, data_proofs in rows.declarations:
        household = households.get(pid)
        if household is None:
            continue
        version, reference, worked, revenue, costs, hours = values
        norm_key = (household, period)
        if norm_key not in norms:
            norms[norm_key] = norm_for_period(policy, Household(household), period)
        month = Month(
            period,
            int(version),
            reference,
            bool(worked),
            int(revenue),
            int(costs),
            float(hours),
            [] if flags == "[]" or not flags else json.loads(flags),
            submitted_at,
            norms[norm_key],
            int(files or data_proofs or 0),
        )
        if pid in months_of:
            months_of[pid][period] = month
        else:
            months_of[pid] = {period: month}
    weeks_of: dict[int, dict[str, float]] = {}
    for pid, week, hours in rows.hours:
        if pid in weeks_of:
            weeks_of[pid][week] = float(hours)
        else:
            weeks_of[pid] = {week: float(hours)}
    starts: dict[str, tuple[date, date]] = {}
    result = []
    for pid, klantmanager_id, coach_id, start_text, household, status, name in rows.participants:
        if start_text not in starts:
            start = date.fromisoformat(start_text)
            starts[start_text] = (start, add_months(start, policy.trajectory_months))
        start, end = starts[start_text]
        result.append(
            Facts(
                int(pid),
                name,
                Household(household),
                start,
                status,
                klantmanager_id,
                coach_id,
                end,
                months_of.get(pid, {}),
                weeks_of.get(pid, {}),
            )
        )
    return result


async def find_participant(
    tx: Tx, viewer: Person, now: datetime, query: str
) -> tuple[int, str, View]:
    """A participant `viewer` may see, by (part of) the name.

    Unknown and not-yours give the same answer, so the reply never reveals who exists.
    """
    wanted = " ".join(query.split()).casefold()
    if not wanted:
        raise DomainError("queue/participant_ask")
    visible = await access.visible_participants(tx, viewer, now)
    exact = [p for p in visible if p[1].casefold() == wanted]
    if exact:
        return exact[0]
    partial = [p for p in visible if wanted in p[1].casefold()]
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        raise DomainError("queue/participant_ambiguous", names=[p[1] for p in partial[:10]])
    raise DomainError("queue/participant_unknown", query=query.strip()[:60])


async def participant_overview(
    tx: Tx, policy: Policy, viewer: Person, now: datetime, query: str, locale: str
) -> tuple[str, dict[str, Any]]:
    """The reply for `/deelnemer <naam>`: (message key, context) fitting the viewer's role."""
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
        return "queue/participant", await amounts_overview(
            tx, policy, viewer, now, participant_id, locale
        )
    return "queue/participant_progress", await progress_overview(
        tx, policy, viewer, now, participant_id
    )


async def amounts_overview(
    tx: Tx, policy: Policy, viewer: Person, now: datetime, participant_id: int, locale: str
) -> dict[str, Any]:
    """Declarations with amounts and flags of the last months; klantmanagers (and admins) only."""
    await access.require_amounts(tx, viewer, participant_id, now)
    (facts,) = await load_facts(tx, policy, [participant_id])
    versions = await tx.all(
        "SELECT period, COUNT(*) AS n FROM declarations WHERE participant_id = ? GROUP BY period",
        (participant_id,),
    )
    count = {r["period"]: int(r["n"]) for r in versions}
    periods = sorted(facts.months, reverse=True)[:OVERVIEW_MONTHS]
    open_items = await tx.scalar(
        "SELECT COUNT(*) FROM queue_items WHERE participant_id = ? AND state != 'afgehandeld'",
        (participant_id,),
    )
    return {
        "name": facts.name,
        "trajectory_end": facts.trajectory_end.isoformat(),
        "open_items": int(open_items or 0),
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
                "flag_lines": [flag_line(f, locale) for f in m.flags],
            }
            for m in (facts.months[p] for p in periods)
        ],
    }


async def progress_overview(
    tx: Tx, policy: Policy, viewer: Person, now: datetime, participant_id: int
) -> dict[str, Any]:
    """Hours and progress only (what a coach may see): no amounts, no flags about money."""
    await access.view_of(tx, viewer, participant_id, now)
    (facts,) = await load_facts(tx, policy, [participant_id])
    today = access.local_day(now)
    current = period_of(today)
    periods = [
        p
        for p in months_back(current, OVERVIEW_MONTHS + 1)[:-1]
        if p >= period_of(facts.start_date)
    ]
    months = []
    for period in reversed(periods):
        month = facts.months.get(period)
        due = due_date(period, policy.due_day)
        months.append(
            {
                "period": period,
                "submitted": month is not None,
                "on_time": month is not None and month.submitted_day <= due,
                "overdue": month is None and today > due,
                "hours": month.hours if month else None,
            }
        )
    recent = [
        facts.weeks.get(iso_week(date.fromordinal(today.toordinal() - 7 * back)), 0.0)
        for back in range(1, policy.rolling_weeks + 1)
    ]
    return {
        "name": facts.name,
        "trajectory_end": facts.trajectory_end.isoformat(),
        "average_hours": sum(recent) / len(recent),
        "weeks": policy.rolling_weeks,
        "cap": float(policy.hour_cap_per_week),
        "months": months,
    }
