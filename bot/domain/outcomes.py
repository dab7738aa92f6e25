"""Trajectory outcomes and the year KPI: pure rules (docs/domain.md, "Outcomes" and "KPI").

- An outcome is recorded by the klantmanager, as often as needed: the latest record of a
  participant counts, earlier ones are history.
- An outcome takes effect on the trajectory's last day, or on the day it is recorded when that
  is earlier (a trajectory stopped early); that day's calendar year is the outcome's year.
- An extension (*verlenging*) needs a new end date after today and after the current end;
  *anders* needs a note (BSN-masked, at most NOTE_MAX characters).
- The KPI of a year (seed 003, Drentsche Aa): per participant, the months of that year they
  declared, with a known norm; their share is the total profit as a share of the total norm of
  those months (`share_of_norm`: average profit over average norm, € 466 of € 1.141 → 41 %). A
  participant reaches the KPI when that share is at least `kpi.threshold_pct`; the year's KPI
  is how many of them do, and that number as a whole percentage of them (rounded half up).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.domain.bsn import mask_bsn
from bot.domain.errors import DomainError
from bot.domain.models import Household
from bot.domain.norms import norm_for_period, round_half_up, share_of_norm
from bot.domain.outcome_kinds import ASKS_END_DATE, ASKS_NOTE, OutcomeKind
from bot.domain.policy import Policy

NOTE_MAX = 500
PAGE_SIZE = 4  # outcome buttons per page in chat (a channel with 3 buttons shows a list)


@dataclass(frozen=True)
class Outcome:
    """One recording of how a participant's trajectory ended (or continues: an extension)."""

    id: int
    participant_id: int
    code: str
    on: date  # the day it took effect
    new_end: date | None
    note: str | None
    recorded_by: int | None
    recorded_at: datetime


@dataclass(frozen=True)
class MonthFigure:
    """One declared month (its latest version) as the year KPI needs it."""

    participant_id: int
    period: str
    profit_cents: int
    household: Household


_DATE = re.compile(r"\s*(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}))\s*")


def parse_day(text: str) -> date | None:
    """'31-12-2027', '31/12/2027' or '2027-12-31' → a date; None when it is not one."""
    match = _DATE.fullmatch(text or "")
    if not match:
        return None
    g = match.groups()
    year, month, day = (g[0], g[1], g[2]) if g[0] else (g[5], g[4], g[3])
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def outcome_names(policy: Policy) -> dict[str, dict[str, str]]:
    """Each outcome's names per language, by code."""
    return {o.code: dict(o.names) for o in policy.outcomes}


def kind_of(policy: Policy, code: str) -> OutcomeKind:
    """The policy's outcome with this code; a DomainError for an unknown code."""
    found = policy.outcome(code)
    if found is None:
        raise DomainError("outcomes/unknown")
    return found


def checked(
    kind: OutcomeKind,
    today: date,
    current_end: date,
    new_end: date | None,
    note: str | None,
) -> tuple[date | None, str | None]:
    """The new end date and the (BSN-masked) note this outcome keeps; DomainError when missing.

    Only an extension keeps an end date (after today and after `current_end`); only an outcome
    that asks for a note keeps one (and needs it).
    """
    if kind.asks == ASKS_END_DATE:
        if new_end is None:
            raise DomainError("outcomes/end_date_needed")
        if new_end <= max(today, current_end):
            raise DomainError("outcomes/end_date_early", end=current_end.isoformat())
    else:
        new_end = None
    text = (note or "").strip()
    if kind.asks == ASKS_NOTE:
        if not text:
            raise DomainError("outcomes/note_needed")
        if len(text) > NOTE_MAX:
            raise DomainError("outcomes/note_long", limit=NOTE_MAX)
        return new_end, mask_bsn(text)[0]
    return new_end, None


def effective_day(today: date, trajectory_end: date) -> date:
    """The day an outcome recorded `today` takes effect: the end, or today when earlier."""
    return min(today, trajectory_end)


def latest(records: Iterable[Outcome]) -> dict[int, Outcome]:
    """Each participant's latest record (the highest id): the one that counts."""
    found: dict[int, Outcome] = {}
    for record in records:
        held = found.get(record.participant_id)
        if held is None or record.id > held.id:
            found[record.participant_id] = record
    return found


@dataclass(frozen=True)
class YearTotals:
    """Per participant: the profit, norm and number of the year's declared months with a norm."""

    profit: Counter[int]
    norm: Counter[int]
    months: Counter[int]

    def share(self, participant_id: int) -> int | None:
        """The participant's share of the norm over the year (average profit / average norm)."""
        if participant_id not in self.norm:
            return None
        return share_of_norm(self.profit[participant_id], self.norm[participant_id])


def year_totals(policy: Policy, year: int, months: Iterable[MonthFigure]) -> YearTotals:
    """Add up each participant's declared months of `year` that have a norm."""
    totals = YearTotals(Counter(), Counter(), Counter())
    prefix = f"{year:04d}-"
    for m in months:
        if not m.period.startswith(prefix):
            continue
        cents = norm_for_period(policy, m.household, m.period)
        if cents is None:
            continue
        totals.profit[m.participant_id] += m.profit_cents
        totals.norm[m.participant_id] += cents
        totals.months[m.participant_id] += 1
    return totals


def reaches(policy: Policy, share: int | None) -> bool:
    """Whether a year's share of the norm reaches the KPI threshold."""
    return share is not None and share >= policy.kpi_threshold_pct


def year_kpi(policy: Policy, year: int, months: Iterable[MonthFigure]) -> dict[str, Any]:
    """The KPI of `year` over these months (see the module's docstring), as plain data."""
    totals = year_totals(policy, year, months)
    counted = len(totals.norm)
    reached = sum(1 for pid in totals.norm if reaches(policy, totals.share(pid)))
    total_profit, total_norm = sum(totals.profit.values()), sum(totals.norm.values())
    return {
        "threshold": policy.kpi_threshold_pct,
        "participants": counted,
        "reached": reached,
        "reached_pct": round_half_up(reached * 100, counted) if counted else None,
        "months": sum(totals.months.values()),
        "avg_profit_cents": _average(total_profit, totals.months),
        "avg_norm_cents": _average(total_norm, totals.months),
        "group_share_pct": share_of_norm(total_profit, total_norm),
    }


def _average(total_cents: int, months: Counter[int]) -> int | None:
    """A monthly average in whole cents (half up; a negative total is rounded the same way)."""
    count = sum(months.values())
    if not count:
        return None
    sign = -1 if total_cents < 0 else 1
    return sign * round_half_up(abs(total_cents), count)


def year_summary(
    policy: Policy,
    year: int,
    records: Mapping[int, Outcome],
    months: Iterable[MonthFigure],
) -> dict[str, Any]:
    """One year's outcomes (the latest record per participant, counted per code in the
    policy's order; codes no longer in the policy last) next to that year's KPI."""
    counts = Counter(r.code for r in records.values() if r.on.year == year)
    known = [o.code for o in policy.outcomes]
    order = known + sorted(set(counts) - set(known))
    rows = []
    for code in order:
        kind = policy.outcome(code)
        rows.append(
            {
                "code": code,
                "names": dict(kind.names) if kind else {"nl": code, "en": code},
                "count": counts.get(code, 0),
            }
        )
    return {
        "year": year,
        "outcomes": rows,
        "total": sum(counts.values()),
        "kpi": year_kpi(policy, year, months),
    }
