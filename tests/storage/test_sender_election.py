"""The outbox sender's election across instances on one PostgreSQL: one holds the lock; one
whose connection is lost (a failover, a network cut) knows it and stands down, and another
instance takes over."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime

import pytest

from bot.channels.base import Outgoing
from bot.outbox import run_forever
from bot.storage.postgres import db as pg
from tests.pg_cluster import fresh_database, terminate

LOCK = "outbox-sender:telegram"


class Quiet:
    """A transport with nothing to do (the outbox stays empty)."""

    name = "telegram"

    async def deliver(self, address: str, message: Outgoing) -> None:
        raise AssertionError("nothing should be sent")


async def _not(answer: Awaitable[bool]) -> bool:
    return not await answer


async def _until(check: object) -> None:
    for _ in range(1000):  # a bound for a failing test only
        if await check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition never held")


async def test_a_holder_that_lost_its_connection_knows_and_another_takes_over(
    postgres_server: str,
) -> None:
    with fresh_database(postgres_server) as url:
        one, two = await pg.Database.open(url), await pg.Database.open(url)
        try:
            async with one.exclusive(LOCK) as mine:
                assert mine
                assert await one.holds(LOCK)
                async with two.exclusive(LOCK) as theirs:
                    assert not theirs
                assert not await two.holds(LOCK)
                terminate(postgres_server, one.held[LOCK])  # as a failover would
                # pg_terminate_backend only signals: the lock goes when that process has ended
                await _until(lambda: _not(one.holds(LOCK)))
                async with two.exclusive(LOCK) as theirs_now:
                    assert theirs_now
            assert LOCK not in one.held  # the block ended quietly without its connection
        finally:
            await one.close()
            await two.close()


async def test_the_elected_sender_stands_down_when_its_lock_is_lost(
    postgres_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="bot.outbox")
    with fresh_database(postgres_server) as url:
        db = await pg.Database.open(url)
        await db.migrate()
        stop = asyncio.Event()
        now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
        sender = asyncio.create_task(run_forever(db, Quiet(), lambda: now, 5, stop, 0.05))
        try:
            await _until(lambda: asyncio.sleep(0, LOCK in db.held))
            first = db.held[LOCK]
            terminate(postgres_server, first)
            await _until(lambda: asyncio.sleep(0, db.held.get(LOCK) not in (None, first)))
        finally:
            stop.set()
            await sender
            await db.close()
    assert "the outbox sender lost its lock" in caplog.text  # then it was elected anew
    assert "Traceback" not in caplog.text
