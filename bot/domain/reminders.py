"""What the bot should say on its own at `now`: pure rules, no I/O, no clock.

Every reminder is an `Item` with a unique key (participant, kind, period, stage), the moment it
becomes due (`at`) and the moment it stops being useful (`expires`). A sweep asks `useful_items`
which items to send now and `expired_items` which ones were missed for good (to log and drop).
`plan_push` merges everything useful for one participant into one message, at most
`policy.max_pushes_per_day` per local day, never during quiet hours.

Calendar rules (DOMAIN.md §0, §8): the declaration of period P opens on the 1st of the next month
and is due on `policy.due_day` of that month, moved to the next working day. Reminders go out at
`policy.reminder_time` (Europe/Amsterdam) on the 1st, on each `remind_days_before_due` and
`remind_days_after_due` day. An item missed on its own day (quiet hours, the daily maximum, the bot
being down) waits for the next morning's `reminder_time`, as long as it is still useful then.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from bot.clock import AMSTERDAM
from bot.domain.models import ParticipantStatus
from bot.domain.periods import (
    add_months,
    due_date,
    first_day,
    last_day,
    next_period,
    period_of,
)
from bot.domain.policy import Policy

DECLARATION = "declaration"
HOURS = "hours"
TRAJECTORY = "trajectory"
KINDS = (DECLARATION, TRAJECTORY, HOURS)  # also the order inside a merged message
HOURS_EXPIRE_AFTER = timedelta(days=3)
CHECKIN_EXPIRE_AFTER = timedelta(days=7)
DROP_LOOKBACK = timedelta(days=14)  # how far back a sweep still records missed items
HOURS_CHOICES = (0, 5, 10, 15, 20, 25)


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about one participant."""

    person_id: int
    status: ParticipantStatus
    start_date: date
    submitted: frozenset[str] = frozenset()  # periods with a submitted declaration
    hours_weeks: frozenset[str] = frozenset()  # ISO weeks ('2026-W49') with hours recorded


@dataclass(frozen=True)
class Item:
    """One reminder for one participant, with its exactly-once key."""

    participant_id: int
    kind: str
    period: str  # 'YYYY-MM', an ISO week 'YYYY-Www', or the trajectory's start date
    stage: str
    at: datetime  # UTC: when it becomes due
    expires: datetime  # UTC: when it stops being useful
    message_key: str
    ctx: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str, str, str]:
        """The exactly-once key."""
        return (self.participant_id, self.kind, self.period, self.stage)


@dataclass(frozen=True)
class Push:
    """One outgoing message to one participant, merging one or more items."""

    participant_id: int
    items: tuple[Item, ...]


# ---------------------------------------------------------------------------- local time


def local_moment(day: date, at: time) -> datetime:
    """`day` at local time `at` in Europe/Amsterdam, as UTC (DST-safe)."""
    return datetime.combine(day, at, tzinfo=AMSTERDAM).astimezone(UTC)


def local_day(moment: datetime) -> date:
    """The Amsterdam calendar day of a moment."""
    return moment.astimezone(AMSTERDAM).date()


def end_of_day(day: date) -> datetime:
    """Local midnight after `day`, as UTC."""
    return local_moment(day + timedelta(days=1), time(0, 0))


def in_quiet_hours(policy: Policy, now: datetime) -> bool:
    """True between `quiet_start` and `quiet_end` (local time; the window may cross midnight)."""
    start, end = policy.quiet_start, policy.quiet_end
    clock = now.astimezone(AMSTERDAM).time().replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def quiet_until(policy: Policy, now: datetime) -> datetime:
    """`now` outside quiet hours, else the moment the quiet hours end (the morning)."""
    if not in_quiet_hours(policy, now):
        return now
    today = local_day(now)
    for day in (today, today + timedelta(days=1)):
        end = local_moment(day, policy.quiet_end)
        if end > now:
            return end
    return local_moment(today + timedelta(days=2), policy.quiet_end)


# ---------------------------------------------------------------------------- the items


def declaration_items(policy: Policy, facts: Facts, now: datetime) -> list[Item]:
    """Reminders for the two most recent closed periods, submitted or not."""
    this_period = period_of(local_day(now))
    periods = []
    period = this_period
    for _ in range(2):
        period = _previous(period)
        periods.append(period)
    items: list[Item] = []
    for period in sorted(periods):
        items.extend(_declaration_stages(policy, facts.person_id, period))
    return items


def _previous(period: str) -> str:
    return period_of(first_day(period) - timedelta(days=1))


def _declaration_stages(policy: Policy, pid: int, period: str) -> list[Item]:
    due = due_date(period, policy.due_day)
    opens = first_day(next_period(period))
    stages: list[tuple[str, date, str]] = [("open", opens, "reminders/decl_open")]
    for n in sorted(set(policy.remind_days_before_due), reverse=True):
        key = "reminders/decl_due_today" if n == 0 else "reminders/decl_before"
        stages.append(("due" if n == 0 else f"due-{n}", due - timedelta(days=n), key))
    for n in sorted(set(policy.remind_days_after_due)):
        stages.append((f"due+{n}", due + timedelta(days=n), "reminders/decl_late"))
    stages.sort(key=lambda s: s[1])
    items = []
    for i, (stage, day, key) in enumerate(stages):
        at = local_moment(day, policy.reminder_time)
        following = [local_moment(s[1], policy.reminder_time) for s in stages[i + 1 :]]
        expires = min(following) if following else end_of_day(day)
        if day <= due:  # "due in N days" or "today" is never said after the due day
            expires = min(expires, end_of_day(due))
        ctx = {"period": period, "due": due.isoformat(), "days": (due - day).days}
        items.append(Item(pid, DECLARATION, period, stage, at, expires, key, ctx))
    return items


def hours_items(policy: Policy, facts: Facts, now: datetime) -> list[Item]:
    """The weekly hours check-in of this week and the week before."""
    today = local_day(now)
    latest = today - timedelta(days=(today.weekday() - policy.hours_checkin.weekday) % 7)
    items = []
    for day in (latest - timedelta(days=7), latest):
        week = iso_week(day)
        at = local_moment(day, policy.hours_checkin.at)
        ctx = {"week": week, "first": week_start(week).isoformat(), "choices": HOURS_CHOICES}
        items.append(
            Item(
                facts.person_id,
                HOURS,
                week,
                "checkin",
                at,
                at + HOURS_EXPIRE_AFTER,
                "reminders/hours_checkin",
                ctx,
            )
        )
    return items


def trajectory_items(policy: Policy, facts: Facts, now: datetime) -> list[Item]:
    """Check-ins after 3, 6, 9 months and warnings 60 and 30 days before the end."""
    _ = now
    start = facts.start_date
    end = trajectory_end(policy, start)
    items = []
    for months in sorted(set(policy.checkin_months)):
        day = add_months(start, months)
        if day >= end:
            continue
        at = local_moment(day, policy.reminder_time)
        items.append(
            Item(
                facts.person_id,
                TRAJECTORY,
                start.isoformat(),
                f"checkin{months}",
                at,
                at + CHECKIN_EXPIRE_AFTER,
                "reminders/trajectory_checkin",
                {"months": months, "end": end.isoformat()},
            )
        )
    warnings = sorted(set(policy.warn_days_before_end), reverse=True)
    for i, days in enumerate(warnings):
        day = end - timedelta(days=days)
        at = local_moment(day, policy.reminder_time)
        later = warnings[i + 1 :]
        expires = (
            local_moment(end - timedelta(days=later[0]), policy.reminder_time)
            if later
            else (end_of_day(end))
        )
        items.append(
            Item(
                facts.person_id,
                TRAJECTORY,
                start.isoformat(),
                f"end-{days}",
                at,
                expires,
                "reminders/trajectory_end",
                {"days": days, "end": end.isoformat()},
            )
        )
    return items


def trajectory_end(policy: Policy, start: date) -> date:
    """The last day of the trajectory."""
    return add_months(start, policy.trajectory_months)


_BUILDERS = {DECLARATION: declaration_items, HOURS: hours_items, TRAJECTORY: trajectory_items}


def all_items(
    policy: Policy, facts: Facts, now: datetime, kinds: Iterable[str] = KINDS
) -> list[Item]:
    """Every item of `kinds` around `now` that applies to this participant at all."""
    if facts.status != ParticipantStatus.ACTIVE:
        return []
    items: list[Item] = []
    for kind in kinds:
        items.extend(i for i in _BUILDERS[kind](policy, facts, now) if _applies(i, facts))
    return items


def _applies(item: Item, facts: Facts) -> bool:
    if item.kind == DECLARATION:
        started = facts.start_date <= last_day(item.period)
        return started and item.period not in facts.submitted
    if item.kind == HOURS:
        ends = week_start(item.period) + timedelta(days=6)
        return facts.start_date <= ends and item.period not in facts.hours_weeks
    return True


def eligible_from(policy: Policy, item: Item, now: datetime) -> datetime:
    """When the item may go out: its moment, or the morning's reminder time for a late one."""
    today = local_day(now)
    if local_day(item.at) < today:
        return max(item.at, local_moment(today, policy.reminder_time))
    return item.at


def useful_items(
    policy: Policy, facts: Facts, now: datetime, kinds: Iterable[str] = KINDS
) -> list[Item]:
    """Items that may go out at `now` (quiet hours and the daily maximum aside)."""
    return Calendar(policy, now).useful(facts, kinds)


def expired_items(
    policy: Policy, facts: Facts, now: datetime, kinds: Iterable[str] = KINDS
) -> list[Item]:
    """Items whose useful time ended recently: if never sent, they are dropped (and logged)."""
    return Calendar(policy, now).expired(facts, kinds)


def plan_push(
    policy: Policy,
    now: datetime,
    participant_id: int,
    useful: Iterable[Item],
    pushes_today: int,
    triggers: Iterable[str] = KINDS,
) -> Push | None:
    """One merged message, or None: quiet hours, the daily maximum, or nothing of `triggers`."""
    return _merge(
        in_quiet_hours(policy, now) or pushes_today >= policy.max_pushes_per_day,
        participant_id,
        useful,
        triggers,
    )


def _merge(
    held: bool, participant_id: int, useful: Iterable[Item], triggers: Iterable[str]
) -> Push | None:
    if held:
        return None
    items = [i for i in useful if i.participant_id == participant_id]
    wanted = set(triggers)
    if not any(i.kind in wanted for i in items):
        return None
    items.sort(key=lambda i: (KINDS.index(i.kind), i.period, i.at))
    return Push(participant_id, tuple(items))


def key_name(kind: str, period: str, stage: str) -> str:
    """'declaration 2026-11 due-3': an exactly-once key without its participant, as text."""
    return f"{kind} {period} {stage}"


# ---------------------------------------------------------------------------- one sweep's calendar


@dataclass(frozen=True)
class _Template:
    """An item without its participant, and what decides whether it applies to one."""

    item: Item  # participant_id 0
    name: str  # key_name(...) of the item
    until: date  # applies to participants who started on or before this day


@dataclass(frozen=True)
class _Window:
    """The templates of one kind (or one trajectory start) that matter at `now`."""

    useful: tuple[_Template, ...]
    expired: tuple[_Template, ...]
    ending: tuple[_Template, ...] = ()  # trajectory end warnings whose moment is now


@dataclass(frozen=True)
class Watch:
    """Which participants a sweep has to look at (a superset; the rules decide exactly).

    Anyone who has not submitted one of `periods`, has not recorded hours for one of `weeks`, or
    (when `first` is set) whose start date is in `starts` or outside `first`..`last`. Everyone
    else has nothing of the sweep's kinds that is useful or expired at the moment.
    """

    periods: tuple[str, ...] = ()
    weeks: tuple[str, ...] = ()
    starts: tuple[date, ...] = ()
    first: date | None = None
    last: date | None = None

    @property
    def empty(self) -> bool:
        """True when nobody can have anything."""
        return not (self.periods or self.weeks or self.first)


class Calendar:
    """What `now` means for every participant alike, worked out once per sweep.

    The due dates, local reminder moments, windows and quiet hours are the same for everyone;
    only which items apply (start date, submitted periods, recorded weeks, keys already decided)
    differs per participant. `useful`, `expired`, `overdue` and `ending` answer exactly what
    `useful_items`, `expired_items`, `overdue_periods` and the trajectory end warnings would,
    at a fraction of the cost per participant.
    """

    TRAJECTORY_CACHE = 4096  # start dates remembered per sweep (bounded memory)

    def __init__(self, policy: Policy, now: datetime) -> None:
        self.policy = policy
        self.now = now
        self.today = local_day(now)
        self.quiet = in_quiet_hours(policy, now)
        probe = Facts(0, ParticipantStatus.ACTIVE, self.today)  # the builders need no more
        declarations = declaration_items(policy, probe, now)
        hours = hours_items(policy, probe, now)
        self._windows = {
            DECLARATION: self._window(
                declarations, {i.period: last_day(i.period) for i in declarations}
            ),
            HOURS: self._window(
                hours, {i.period: week_start(i.period) + timedelta(days=6) for i in hours}
            ),
        }
        self._trajectory: dict[date, _Window] = {}
        self.periods = tuple(sorted({i.period for i in declarations}))
        self.weeks = tuple(sorted({i.period for i in hours}))
        overdue: list[tuple[str, date]] = []
        if not self.quiet:
            for item in declarations:
                if item.stage != "open":
                    continue
                due = due_date(item.period, policy.due_day)
                moment = local_moment(
                    due + timedelta(days=policy.escalate_days_after_due), policy.reminder_time
                )
                if moment <= now and self.today <= due + timedelta(days=60):
                    overdue.append((item.period, last_day(item.period)))
        self._overdue = tuple(overdue)

    def _window(self, items: Iterable[Item], until: Mapping[str, date]) -> _Window:
        now = self.now
        useful, expired, ending = [], [], []
        for item in items:
            template = _Template(
                item,
                key_name(item.kind, item.period, item.stage),
                until.get(item.period, date.max),
            )
            if eligible_from(self.policy, item, now) <= now < item.expires:
                useful.append(template)
            if now - DROP_LOOKBACK < item.expires <= now and item.at <= now:
                expired.append(template)
            if item.stage.startswith("end-") and item.at <= now < item.expires:
                ending.append(template)
        return _Window(tuple(useful), tuple(expired), tuple(ending))

    def _window_of(self, kind: str, start: date) -> _Window:
        if kind != TRAJECTORY:
            return self._windows[kind]
        window = self._trajectory.get(start)
        if window is None:
            if len(self._trajectory) >= self.TRAJECTORY_CACHE:
                self._trajectory.clear()
            probe = Facts(0, ParticipantStatus.ACTIVE, start)
            window = self._window(trajectory_items(self.policy, probe, self.now), {})
            self._trajectory[start] = window
        return window

    def _trajectory_watch(self, which: str) -> Watch:
        """Start dates (in a range around now, outside of which participants are looked at one
        by one) whose trajectory has something in `which` now."""
        first = add_months(self.today, -(self.policy.trajectory_months + 2))
        starts = []
        day = first
        while day <= self.today:
            if getattr(self._window_of(TRAJECTORY, day), which):
                starts.append(day)
            day += timedelta(days=1)
        return Watch(starts=tuple(starts), first=first, last=self.today)

    def watch(self, kinds: Iterable[str] = KINDS) -> Watch:
        """Who a sweep of `kinds` has to look at: who may have a useful or expired item."""
        wanted = set(kinds)
        periods: set[str] = set()
        weeks: set[str] = set()
        for kind, found in ((DECLARATION, periods), (HOURS, weeks)):
            if kind in wanted:
                window = self._windows[kind]
                found.update(t.item.period for t in (*window.useful, *window.expired))
        if TRAJECTORY in wanted:
            trajectory = self._trajectory_watch("useful")
            more = set(trajectory.starts) | set(self._trajectory_watch("expired").starts)
            return Watch(
                tuple(sorted(periods)),
                tuple(sorted(weeks)),
                tuple(sorted(more)),
                trajectory.first,
                trajectory.last,
            )
        return Watch(tuple(sorted(periods)), tuple(sorted(weeks)))

    def watch_overdue(self) -> Watch:
        """Who may have an overdue declaration."""
        return Watch(periods=tuple(period for period, _ in self._overdue))

    def watch_ending(self) -> Watch:
        """Who may have a trajectory end warning now."""
        return self._trajectory_watch("ending")

    @staticmethod
    def _applies(template: _Template, facts: Facts) -> bool:
        kind = template.item.kind
        if facts.start_date > template.until:
            return False
        if kind == DECLARATION:
            return template.item.period not in facts.submitted
        if kind == HOURS:
            return template.item.period not in facts.hours_weeks
        return True

    def _pick(
        self,
        facts: Facts,
        kinds: Iterable[str],
        which: str,
        skip: Container[str],
    ) -> list[Item]:
        if facts.status != ParticipantStatus.ACTIVE:
            return []
        pid = facts.person_id
        result = []
        for kind in kinds:
            for t in getattr(self._window_of(kind, facts.start_date), which):
                if t.name not in skip and self._applies(t, facts):
                    i = t.item
                    result.append(
                        Item(pid, i.kind, i.period, i.stage, i.at, i.expires, i.message_key, i.ctx)
                    )
        return result

    def useful(
        self, facts: Facts, kinds: Iterable[str] = KINDS, skip: Container[str] = ()
    ) -> list[Item]:
        """`useful_items` for this participant, leaving out the key names in `skip`."""
        return self._pick(facts, kinds, "useful", skip)

    def expired(
        self, facts: Facts, kinds: Iterable[str] = KINDS, skip: Container[str] = ()
    ) -> list[Item]:
        """`expired_items` for this participant, leaving out the key names in `skip`."""
        return self._pick(facts, kinds, "expired", skip)

    def ending(self, facts: Facts) -> list[Item]:
        """Trajectory end warnings whose moment is now (for the klantmanager)."""
        return self._pick(facts, (TRAJECTORY,), "ending", ())

    def plan(
        self,
        participant_id: int,
        useful: Iterable[Item],
        pushes_today: int,
        triggers: Iterable[str] = KINDS,
    ) -> Push | None:
        """`plan_push` at this sweep's moment."""
        held = self.quiet or pushes_today >= self.policy.max_pushes_per_day
        return _merge(held, participant_id, useful, triggers)

    def overdue(self, facts: Facts) -> list[str]:
        """`overdue_periods` for this participant."""
        if facts.status != ParticipantStatus.ACTIVE:
            return []
        return [
            period
            for period, until in self._overdue
            if facts.start_date <= until and period not in facts.submitted
        ]


# ---------------------------------------------------------------------------- escalation


def overdue_periods(policy: Policy, facts: Facts, now: datetime) -> list[str]:
    """Periods whose deadline passed `escalate_days_after_due` days ago without a declaration."""
    return Calendar(policy, now).overdue(facts)


# ---------------------------------------------------------------------------- hours


def iso_week(day: date) -> str:
    """'2026-W49' for a day."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def week_start(week: str) -> date:
    """The Monday of an ISO week; ValueError for anything else."""
    match = _WEEK.match(week)
    if not match:
        raise ValueError(f"not an ISO week (YYYY-Www): {week!r}")
    return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)


def rolling_average(hours_by_week: Mapping[str, float], week: str, weeks: int) -> Decimal:
    """Average over `weeks` ISO weeks ending with `week`; a week without an answer counts as 0."""
    monday = week_start(week)
    total = sum(
        (
            Decimal(str(hours_by_week.get(iso_week(monday - timedelta(weeks=k)), 0)))
            for k in range(weeks)
        ),
        Decimal(0),
    )
    return (total / weeks).quantize(Decimal("0.1"))


def parse_hours(text: str, maximum: Decimal) -> Decimal | None:
    """'12,5', '12.5 uur', '8' → hours; None when not a number between 0 and `maximum`."""
    match = re.fullmatch(r"\s*(\d{1,3})(?:[.,](\d{1,2}))?\s*(?:u|uur|h|hours?)?\s*", text.lower())
    if not match:
        return None
    value = Decimal(f"{match.group(1)}.{match.group(2) or '0'}")
    return value if value <= maximum else None


# ---------------------------------------------------------------------------- coach pushes


def parse_local_datetime(text: str, now: datetime) -> datetime | None:
    """'14-12-2026 10:00', '14-12 10:00' or '2026-12-14 10:00' (Amsterdam) → UTC; None if bad."""
    match = re.fullmatch(
        r"\s*(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[-/](\d{1,2})(?:[-/](\d{4}))?)"
        r"\s+(?:om\s+|at\s+)?(\d{1,2})[:.](\d{2})\s*",
        text.lower(),
    )
    if not match:
        return None
    g = match.groups()
    if g[0]:
        year, month, day = int(g[0]), int(g[1]), int(g[2])
    else:
        day, month = int(g[3]), int(g[4])
        year = int(g[5]) if g[5] else local_day(now).year
    try:
        moment = local_moment(date(year, month, day), time(int(g[6]), int(g[7])))
    except ValueError:
        return None
    if not g[0] and not g[5] and moment <= now:  # no year given: the next such day
        try:
            moment = local_moment(date(year + 1, month, day), time(int(g[6]), int(g[7])))
        except ValueError:
            return None
    return moment


def parse_local_time(text: str) -> time | None:
    """'10:00', '9.30' → a time; None when not a time of day."""
    match = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def weekly_occurrence(weekday: int, at: time, now: datetime) -> datetime:
    """The latest moment on `weekday` at local `at` that is not after `now`."""
    today = local_day(now)
    day = today - timedelta(days=(today.weekday() - weekday) % 7)
    moment = local_moment(day, at)
    if moment > now:
        moment = local_moment(day - timedelta(days=7), at)
    return moment


def next_weekly(weekday: int, at: time, now: datetime) -> datetime:
    """The first moment on `weekday` at local `at` after `now`."""
    return local_moment(local_day(weekly_occurrence(weekday, at, now)) + timedelta(days=7), at)
