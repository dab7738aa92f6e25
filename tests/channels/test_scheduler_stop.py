"""Stopping the scheduler while a job runs: the run is cancelled and awaited, nothing is logged
as an error (before, every stop during the catch-up logged a CancelledError traceback)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.app import App
from scheduler import setup


async def test_a_stop_during_the_catch_up_cancels_it_quietly(
    app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    began = asyncio.Event()
    ended: list[str] = []

    async def slow_job(services: Any, name: str, now: Any, **kwargs: Any) -> Any:
        began.set()
        try:
            await asyncio.sleep(3600)
        finally:
            ended.append(name)

    monkeypatch.setattr(setup, "run_job", slow_job)
    caplog.set_level(logging.DEBUG)
    scheduler = setup.start_scheduler(app)
    await asyncio.wait_for(began.wait(), 10)
    await setup.stop_scheduler(scheduler)
    assert ended == ["overdue_escalation"]  # the first sweep of the catch-up, cancelled
    await asyncio.sleep(0.05)  # the shutdown runs in the loop; so would a late error log
    assert not scheduler.running
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert noisy == [], [r.getMessage() for r in noisy]
    assert "job catch_up stopped with the assistant" in caplog.messages
