"""Shared fixtures: a real SQLite file per test, a fixed clock, the real router."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.clock import FixedClock
from bot.config import Settings

# python-telegram-bot 22 warns when RetryAfter.retry_after is read as a number: use timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")
# `ptobot run` started in-process serves no web inbox on port 8080 unless a test asks for it.
os.environ.setdefault("PTO_WEB", "false")

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing at 3 December 2026, 11:00 in Amsterdam."""
    return FixedClock(NOW)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with the database and proof folder in the test's own folder."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'pto.db'}",
        proof_dir=tmp_path / "proof",
        demo=False,
    )


@pytest.fixture
async def app(settings: Settings, clock: FixedClock) -> AsyncIterator[App]:
    """A migrated app on a real SQLite file."""
    async with open_app(settings, clock) as running:
        yield running
