"""The one place that asks the time; everything else receives `now` or a Clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests, demos and `--now`."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        """Return the fixed moment."""
        return self._at

    def set(self, at: datetime) -> None:
        """Move the clock to `at`."""
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by `delta`."""
        self._at += delta


def to_local(moment: datetime) -> datetime:
    """Show a stored UTC moment in Europe/Amsterdam."""
    return moment.astimezone(AMSTERDAM)


def utc_iso(moment: datetime) -> str:
    """Format a moment for storage: UTC ISO-8601 with seconds."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_utc(text: str) -> datetime:
    """Read a stored UTC ISO-8601 moment."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
