"""What the bot should say on its own at `now`, worked out once per sweep: pure, no I/O, no clock.

The items themselves (which reminders exist, when each is due and expires) are defined in
bot.domain.reminder_items; this module is the public face of the reminder rules. A sweep builds
one `Calendar` for its moment: which items are useful or expired at `now`, who has an overdue
declaration, which trajectories end soon, and `plan` merges everything useful for one
participant into one message, at most `policy.max_pushes_per_day` per local day, never during
quiet hours (docs/domain.md, "Reminders"). `Watch` tells the sweep which participants it has to
look at. tests/oracle/reminder_rules.py holds the same rules written item by item, as the oracle
the tests compare this calendar against.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.localtime import in_quiet_hours, local_day, local_moment
from bot.domain.models import ParticipantStatus
from bot.domain.periods import add_months, last_day
from bot.domain.policy import Policy
from bot.domain.reminder_items import DECLARATION as DECLARATION
from bot.domain.reminder_items import DROP_LOOKBACK as DROP_LOOKBACK
from bot.domain.reminder_items import HOURS as HOURS
from bot.domain.reminder_items import HOURS_CHOICES as HOURS_CHOICES
from bot.domain.reminder_items import KINDS as KINDS
from bot.domain.reminder_items import TRAJECTORY as TRAJECTORY
from bot.domain.reminder_items import Facts as Facts
from bot.domain.reminder_items import Item as Item
from bot.domain.reminder_items import Push as Push
from bot.domain.reminder_items import (
    declaration_items,
    eligible_from,
    hours_items,
    merge_push,
    trajectory_items,
)
from bot.domain.reminder_items import key_name as key_name
from bot.domain.reminder_items import trajectory_end as trajectory_end
from bot.domain.timeliness import due_date
from bot.domain.weeks import week_monday


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
    extended: bool = False  # also everyone whose trajectory an extension moved (issue 17)

    @property
    def empty(self) -> bool:
        """True when nobody can have anything."""
        return not (self.periods or self.weeks or self.first)


class Calendar:
    """What `now` means for every participant alike, worked out once per sweep.

    The due dates, local reminder moments, windows and quiet hours are the same for everyone;
    only which items apply (start date, submitted periods, recorded weeks, keys already decided)
    differs per participant. `useful`, `expired`, `overdue` and `ending` answer exactly what the
    rules give item by item (tests/oracle/reminder_rules.py), at a fraction of the cost per
    participant.
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
                hours, {i.period: week_monday(i.period) + timedelta(days=6) for i in hours}
            ),
        }
        self._trajectory: dict[tuple[date, date | None], _Window] = {}
        self.periods = tuple(sorted({i.period for i in declarations}))
        self.weeks = tuple(sorted({i.period for i in hours}))
        overdue: list[tuple[str, date]] = []
        if not self.quiet:
            for item in declarations:
                if item.stage != "open":
                    continue
                due = due_date(policy, item.period)
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

    def _window_of(self, kind: str, start: date, end: date | None = None) -> _Window:
        if kind != TRAJECTORY:
            return self._windows[kind]
        window = self._trajectory.get((start, end))
        if window is None:
            if len(self._trajectory) >= self.TRAJECTORY_CACHE:
                self._trajectory.clear()
            probe = Facts(0, ParticipantStatus.ACTIVE, start, end_date=end)
            window = self._window(trajectory_items(self.policy, probe, self.now), {})
            self._trajectory[(start, end)] = window
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
        return Watch(starts=tuple(starts), first=first, last=self.today, extended=True)

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
                extended=True,
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
            for t in getattr(self._window_of(kind, facts.start_date, facts.end_date), which):
                if t.name not in skip and self._applies(t, facts):
                    i = t.item
                    result.append(
                        Item(pid, i.kind, i.period, i.stage, i.at, i.expires, i.message_key, i.ctx)
                    )
        return result

    def useful(
        self, facts: Facts, kinds: Iterable[str] = KINDS, skip: Container[str] = ()
    ) -> list[Item]:
        """Items that may go out now (quiet hours and the daily maximum aside), minus `skip`."""
        return self._pick(facts, kinds, "useful", skip)

    def expired(
        self, facts: Facts, kinds: Iterable[str] = KINDS, skip: Container[str] = ()
    ) -> list[Item]:
        """Items whose useful time ended recently (dropped if never sent), minus `skip`."""
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
        """One merged message, or None: quiet hours, the daily cap, or nothing of `triggers`."""
        held = self.quiet or pushes_today >= self.policy.max_pushes_per_day
        return merge_push(held, participant_id, useful, triggers)

    def overdue(self, facts: Facts) -> list[str]:
        """Periods due `escalate_days_after_due` days ago or more, still without a declaration."""
        if facts.status != ParticipantStatus.ACTIVE:
            return []
        return [
            period
            for period, until in self._overdue
            if facts.start_date <= until and period not in facts.submitted
        ]
