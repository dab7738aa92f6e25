"""Records the reminder sweeps and coach pushes work on: frozen values, never database rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import NamedTuple

from bot.domain.models import ParticipantStatus
from bot.domain.reminders import Facts

ONCE, WEEKLY = "once", "weekly"


class Candidate(NamedTuple):
    """One participant a sweep has to look at, with what the rules need to know about them.

    A NamedTuple (immutable, and cheap to build: a sweep makes one per participant of 100k).
    """

    person_id: int
    start_date: date
    name: str
    submitted: frozenset[str]  # the calendar's periods with a submitted declaration
    weeks: frozenset[str]  # the calendar's weeks with hours recorded
    decided: frozenset[str]  # key names (rules.key_name) of the sweep's items decided already
    pushes_today: int  # reminder pushes queued for them today (local day)
    end_date: date | None = None  # the trajectory's moved last day (an extension), if any

    def facts(self, person_id: int | None = None) -> Facts:
        """What the rules need to know (as if about `person_id`, when given)."""
        return Facts(
            self.person_id if person_id is None else person_id,
            ParticipantStatus.ACTIVE,
            self.start_date,
            self.submitted,
            self.weeks,
            self.end_date,
        )


@dataclass(frozen=True)
class CoachPush:
    """A coach's stored push: once at `at`, or weekly on `weekday` at local `at_time`."""

    id: int
    coach_id: int
    text: str
    schedule: str  # ONCE | WEEKLY
    at: datetime | None
    weekday: int | None
    at_time: time | None
    created_at: datetime


@dataclass(frozen=True)
class ListedPush:
    """A push as the coach sees it in the list."""

    id: int
    text: str
    schedule: str
    at: datetime | None
    weekday: int | None
    at_time: str | None  # local 'HH:MM'
    names: tuple[str, ...]
    next_at: datetime | None


@dataclass(frozen=True)
class OpenPush:
    """A push that is neither cancelled nor done, with its coach's name and number of targets."""

    push: CoachPush
    coach_name: str
    targets: int


@dataclass(frozen=True)
class PushRun:
    """A due push and what a sweep decided for it: (participant id, 'queued' | 'dropped')."""

    due: OpenPush
    decided: tuple[tuple[int, str], ...] = ()  # empty in a dry run
