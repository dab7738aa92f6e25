"""The weekly digest's rules: what is late, big changes, endings, covering the norm, the KPI.

Pure functions of a participant's figures (`Facts`), the policy and the digest's moment: nothing
here reads the database, the clock or a template. `assemble` puts one klantmanager's caseload
together as the digest's template context; `bot.services.digest` gathers the figures and
`messages.digest` renders them. Heuristics that are not municipal policy (what counts as a big
change) are constants below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from bot.clock import AMSTERDAM, parse_utc, utc_iso
from bot.domain import hours
from bot.domain.circumstances import ReportedChange, digest_lines
from bot.domain.hours import HoursAverage
from bot.domain.localtime import local_day
from bot.domain.models import Household, Person
from bot.domain.norms import round_half_up, share_of_norm
from bot.domain.periods import parse_period, period_of, previous_period
from bot.domain.policy import Policy
from bot.domain.timeliness import due_date, is_past_due
from bot.domain.weeks import iso_week, week_monday

CORRECTION_WAIT = timedelta(days=7)
ENDING_DAYS_DEFAULT = 60
HOUR_FLAGS = ("average_over_cap", "year_pace_over_cap")
LOOKBACK_MONTHS = 12


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


@dataclass(frozen=True, slots=True)
class Waiting:
    """A correction request waiting on the participant."""

    participant_id: int
    name: str
    period: str
    updated_at: str


def months_back(period: str, count: int) -> list[str]:
    """`count` periods ending with `period`, oldest first."""
    year, month = parse_period(period)
    result = []
    for back in range(count - 1, -1, -1):
        index = year * 12 + month - 1 - back
        result.append(f"{index // 12:04d}-{index % 12 + 1:02d}")
    return result


@dataclass(frozen=True)
class Window:
    """The moment a digest describes."""

    week: str
    as_of: datetime

    @property
    def day(self) -> date:
        """The local day of the digest."""
        return local_day(self.as_of)


def window_for(policy: Policy, now: datetime, week: str | None = None) -> Window:
    """The digest window: now's week, or the given week's Monday at the digest time."""
    if week is None:
        return Window(iso_week(local_day(now)), now)
    monday = week_monday(week)
    moment = datetime.combine(monday, policy.digest.at, tzinfo=AMSTERDAM)
    return Window(week, moment)


@lru_cache(maxsize=256)
def _back(period: str, count: int) -> tuple[str, ...]:
    return tuple(months_back(period, count))


@dataclass(frozen=True)
class Calendar:
    """The periods and weeks every participant's figures are measured against at one moment."""

    day: date
    closed: tuple[str, ...]  # the closed months of the look-back, oldest first
    past_due: frozenset[str]  # those whose deadline has passed
    due: Mapping[str, date]  # the due date of each of those
    lookback_first: str
    recent: tuple[str, ...]  # the two months before this one
    kpi_periods: tuple[str, ...]  # the three months before this one
    last: str  # the month before this one
    last_late: bool  # its deadline has passed
    rolling: tuple[str, ...]  # the last `rolling_weeks` ISO weeks before this one, newest first
    year: str  # 'YYYY-W' of this ISO year
    this_week: str
    done_weeks: int
    since_week: str  # the oldest week any figure uses

    @classmethod
    def of(cls, policy: Policy, as_of: datetime) -> Calendar:
        """Everything that depends on the digest's moment only, computed once per digest run."""
        day = local_day(as_of)
        period = period_of(day)
        closed = _back(period, LOOKBACK_MONTHS + 1)[:-1]
        past_due = frozenset(p for p in closed if is_past_due(policy, p, as_of))
        monday = day - timedelta(days=day.weekday())
        rolling = tuple(
            iso_week(monday - timedelta(weeks=n)) for n in range(1, policy.rolling_weeks + 1)
        )
        year = f"{monday.isocalendar()[0]:04d}-W"
        last = previous_period(period)
        return cls(
            day=day,
            closed=closed,
            past_due=past_due,
            due=MappingProxyType({p: due_date(policy, p) for p in past_due}),
            lookback_first=_back(period, LOOKBACK_MONTHS)[0],
            recent=_back(period, 3)[:-1],
            kpi_periods=_back(period, 4)[:-1],
            last=last,
            last_late=last in past_due,
            rolling=rolling,
            year=year,
            this_week=iso_week(monday),
            done_weeks=max(0, monday.isocalendar()[1] - 1),
            since_week=min((*rolling, year)),
        )

    @property
    def since_period(self) -> str:
        """The oldest month any figure uses (each participant's newest month comes too)."""
        return _back(period_of(self.day), LOOKBACK_MONTHS + 1)[0]


def late_months(f: Facts, cal: Calendar) -> dict[str, Any] | None:
    """The closed months of the look-back without a declaration after their deadline.

    The one judgement of lateness the digest makes: the late exceptions list it, and the table
    marks exactly these participants as late (`participant_row`). A month before the start
    month is never late.
    """
    first = max(period_of(f.start_date), cal.lookback_first)
    missing = [p for p in cal.closed if p >= first and p not in f.months and p in cal.past_due]
    if not missing:
        return None
    days = (cal.day - cal.due[missing[0]]).days
    return {"name": f.name, "periods": missing, "days_late": days}


def hours_average(f: Facts, cal: Calendar) -> HoursAverage | None:
    """Hours per week over the rolling weeks before this one (the rule of bot.domain.hours)."""
    return hours.average_over(f.weeks, cal.rolling)


def hours_exception(
    f: Facts, policy: Policy, cal: Calendar, average: HoursAverage | None, recent: list[str]
) -> dict[str, Any] | None:
    """Hours over the weekly cap on average, on pace past the year cap, or flagged lately."""
    cap = float(policy.hour_cap_per_week)
    ytd = sum(h for w, h in f.weeks.items() if w.startswith(cal.year) and w < cal.this_week)
    pace = ytd / cal.done_weeks * 52 if cal.done_weeks >= policy.rolling_weeks else None
    flags = [fl for p in recent for fl in f.months[p].flags if fl.get("code") in HOUR_FLAGS]
    over_pace = pace is not None and pace > float(policy.annual_hour_cap)
    over_average = average is not None and float(average.hours) > cap
    if not over_average and not over_pace and not flags:
        return None
    return {
        "name": f.name,
        "average": float(average.hours) if average is not None else None,
        "weeks": average.weeks if average is not None else 0,
        "cap": cap,
        "over_average": over_average,
        "pace": round(pace) if over_pace and pace is not None else None,
        "annual_cap": float(policy.annual_hour_cap),
        "flags": flags,
    }


def big_change(f: Facts, policy: Policy, recent: list[str]) -> dict[str, Any] | None:
    """The newest recent month's profit moved a lot against the month before it."""
    if not recent:
        return None
    latest = f.months[recent[-1]]
    before = f.months.get(previous_period(latest.period))
    if before is None:
        return None
    delta = latest.profit_cents - before.profit_cents
    base = max(abs(before.profit_cents), 1)
    if abs(delta) < policy.big_change_cents or abs(delta) * 100 < policy.big_change_pct * base:
        return None
    return {
        "name": f.name,
        "period": latest.period,
        "previous_cents": before.profit_cents,
        "current_cents": latest.profit_cents,
        "up": delta > 0,
    }


def ending_soon(f: Facts, policy: Policy, day: date) -> dict[str, Any] | None:
    """The trajectory ends within the furthest warning horizon."""
    horizon = max(policy.warn_days_before_end, default=ENDING_DAYS_DEFAULT)
    days = (f.trajectory_end - day).days
    if not 0 <= days <= horizon:
        return None
    return {"name": f.name, "end": f.trajectory_end.isoformat(), "days": days}


def covering_norm(f: Facts, recent: list[str]) -> dict[str, Any] | None:
    """Profit covered the norm three months in a row, up to the newest recent month."""
    if not recent:
        return None
    run = list(_back(recent[-1], 3))
    months = [f.months.get(p) for p in run]
    if any(m is None or m.norm_cents is None or m.profit_cents < m.norm_cents for m in months):
        return None
    shares = [m.share_pct or 0 for m in months if m is not None]
    average_share = round_half_up(sum(shares), 3)  # as every share
    return {"name": f.name, "periods": run, "average_share": average_share}


def kpi_share(f: Facts, cal: Calendar) -> int | None:
    """The average share of the norm over the KPI months that have one."""
    shares = [
        share
        for p in cal.kpi_periods
        if (m := f.months.get(p)) is not None and (share := m.share_pct) is not None
    ]
    if not shares:
        return None
    return round_half_up(sum(shares), len(shares))  # half up, as every share


def row_status(f: Facts, cal: Calendar, late: dict[str, Any] | None) -> str:
    """Last month's status in the table, from the same judgement as the late exceptions.

    'before_start' when last month lies before the start month (never late), 'submitted' when
    it has a declaration, 'late' when `late_months` found it late, else 'open'.
    """
    if cal.last < period_of(f.start_date):
        return "before_start"
    if cal.last in f.months:
        return "submitted"
    return "late" if late is not None and cal.last in late["periods"] else "open"


def participant_row(
    f: Facts,
    cal: Calendar,
    open_items: int,
    average: HoursAverage | None,
    late: dict[str, Any] | None,
) -> dict[str, Any]:
    """One participant's line of the digest's table (`late`: what `late_months` found).

    `late_periods` are exactly the months of the late exceptions: a row is marked late (red)
    when, and only when, its participant is in that list.
    """
    latest = max(f.months) if f.months else None
    month = f.months.get(latest) if latest else None
    return {
        "name": f.name,
        "last_period": cal.last,
        "status": row_status(f, cal, late),
        "late_periods": list(late["periods"]) if late is not None else [],
        "period": latest,
        "profit_cents": month.profit_cents if month else None,
        "share_pct": month.share_pct if month else None,
        "kpi_share": kpi_share(f, cal),
        "hours_avg": float(average.hours) if average is not None else None,
        "hours_weeks": average.weeks if average is not None else 0,
        "open_items": open_items,
        "end": f.trajectory_end.isoformat(),
    }


def assemble(
    policy: Policy,
    klantmanager: Person,
    window: Window,
    cal: Calendar,
    facts: Sequence[Facts],
    waiting: Iterable[Waiting],
    open_count: dict[int, int],
    reported: Sequence[ReportedChange] = (),
) -> dict[str, Any]:
    """The digest's template context from the caseload's active participants (by name);
    `reported`: changes reported with /wijziging whose queue item is still open."""
    day = cal.day
    late: list[dict[str, Any]] = []
    hours: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    ending: list[dict[str, Any]] = []
    covering: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for f in facts:  # one pass; each list keeps the participants' order (by name)
        average = hours_average(f, cal)
        recent = [p for p in cal.recent if p in f.months]
        found_late = late_months(f, cal)
        if found_late is not None:
            late.append(found_late)
        if x := hours_exception(f, policy, cal, average, recent):
            hours.append(x)
        if x := big_change(f, policy, recent):
            changes.append(x)
        if x := ending_soon(f, policy, day):
            ending.append(x)
        if x := covering_norm(f, recent):
            covering.append(x)
        rows.append(participant_row(f, cal, open_count.get(f.id, 0), average, found_late))
    exceptions: dict[str, list[dict[str, Any]]] = {
        "late": late,
        "hours": hours,
        "corrections": [
            {
                "name": w.name,
                "period": w.period,
                "since": w.updated_at,
                "days": (window.as_of - parse_utc(w.updated_at)).days,
            }
            for w in waiting
        ],
        "changes": changes,
        "ending": ending,
        "covering": covering,
        "reported": digest_lines(
            policy.change_kinds, {f.id: f.name for f in facts}, list(reported)
        ),
    }
    reached = sum(1 for r in rows if (r["kpi_share"] or 0) >= policy.kpi_threshold_pct)
    return {
        "klantmanager": klantmanager.name,
        "municipality": policy.municipality,
        "week": window.week,
        "day": day.isoformat(),
        "generated_at": utc_iso(window.as_of),
        "exceptions": exceptions,
        "exception_count": sum(len(v) for v in exceptions.values()),
        "kpi": {
            "threshold": policy.kpi_threshold_pct,
            "reached": reached,
            "total": len(rows),
            "target": policy.kpi_target_participants,
        },
        "rows": rows,
    }
