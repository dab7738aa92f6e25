"""APScheduler wiring (filled in by the reminders issue)."""

from __future__ import annotations

from typing import Any

from bot.app import App


def start_scheduler(app: App) -> Any:
    """Start the scheduler for `app`; returns it (or None when there is nothing to schedule)."""
    _ = app
    return None
