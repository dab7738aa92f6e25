"""The deadline of a month's declaration and whether a declaration came in on time.

Decisions (docs/domain.md, "Deadline" and "On time"):
- The declaration of month P is due on `policy.due_day` of the month after P. A due day on a
  Saturday, Sunday or one of the policy's feestdagen moves to the next working day
  (bot.domain.feestdagen; Algemene termijnenwet art. 1 and 3).
- The deadline is the end of the due day in Europe/Amsterdam: a declaration submitted before
  local midnight after the due day is on time, whatever the daylight-saving time.
- A correction the klantmanager asked for keeps the timeliness of the version it corrects
  (asking for a correction after the deadline must not make the participant late). A correction
  on the participant's own initiative is judged by its own submission time, like a first one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.clock import AMSTERDAM
from bot.domain.feestdagen import next_working_day
from bot.domain.periods import first_day, next_period
from bot.domain.policy import Policy


def due_date_for(period: str, due_day: int, feestdagen: tuple[str, ...]) -> date:
    """`due_day` of the month after `period`, moved to the next working day."""
    return next_working_day(first_day(next_period(period)).replace(day=due_day), feestdagen)


def due_date(policy: Policy, period: str) -> date:
    """The due date of the declaration of `period` ('2026-11') under `policy`."""
    return due_date_for(period, policy.due_day, policy.feestdagen)


def deadline(policy: Policy, period: str) -> datetime:
    """The first moment (UTC) that is too late: local midnight after the due day."""
    after = due_date(policy, period) + timedelta(days=1)
    return datetime.combine(after, time(0, 0), tzinfo=AMSTERDAM).astimezone(UTC)


def is_past_due(policy: Policy, period: str, now: datetime) -> bool:
    """True once the due day of `period` has ended in Amsterdam (`now` must be aware)."""
    _aware(now)
    return now >= deadline(policy, period)


def is_on_time(
    policy: Policy,
    period: str,
    submitted_at: datetime,
    corrects_on_time: bool | None = None,
) -> bool:
    """Whether a version of the declaration of `period` counts as on time.

    `submitted_at` is when this version was submitted (aware). `corrects_on_time` is None for a
    first version and for a correction on the participant's own initiative: then the version is
    on time when submitted before the end of the due day. For a correction the klantmanager
    asked for, pass whether the version it corrects was on time: that answer is kept as is.
    """
    _aware(submitted_at)
    if corrects_on_time is not None:
        return corrects_on_time
    return submitted_at < deadline(policy, period)


@dataclass(frozen=True, slots=True)
class Submission:
    """One version of a month's declaration as the on-time rule sees it."""

    submitted_at: datetime
    asked: bool = False  # a correction the klantmanager asked for


def latest_is_on_time(policy: Policy, period: str, versions: Iterable[Submission]) -> bool:
    """Whether the newest of `versions` (every version of the month, oldest first) is on time.

    `is_on_time` applied version by version: each correction the klantmanager asked for keeps
    the judgement of the version before it. ValueError without any version.
    """
    judged: bool | None = None
    for version in versions:
        kept = judged if version.asked else None
        judged = is_on_time(policy, period, version.submitted_at, kept)
    if judged is None:
        raise ValueError(f"no version of {period} to judge")
    return judged


def _aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"need an aware datetime, got {moment!r}")
