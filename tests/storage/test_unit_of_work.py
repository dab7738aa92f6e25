"""One update = one round trip to the database thread; real I/O falls back to the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.app import App
from bot.clock import FixedClock
from bot.domain.models import Role
from bot.storage import people
from bot.storage.sqlite.db import NeedsEventLoop, Tx
from tests import factories as f

pytestmark = pytest.mark.sqlite_only  # SQLite's inline unit in its connection thread


async def test_a_unit_commits_in_one_go(app: App, clock: FixedClock) -> None:
    async def work(tx: Tx) -> int:
        return await people.insert_person(tx, "Ayla Voorbeeld", Role.PARTICIPANT, clock.now())

    pid = await f.sqlite_db(app).unit(work)
    async with app.services.db.read() as tx:
        assert (await people.person_by_id(tx, pid)) is not None


async def test_a_failing_unit_leaves_nothing(app: App, clock: FixedClock) -> None:
    async def work(tx: Tx) -> None:
        await people.insert_person(tx, "Ayla Voorbeeld", Role.PARTICIPANT, clock.now())
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        await f.sqlite_db(app).unit(work)
    async with app.services.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM people") == 0


async def test_a_unit_that_awaits_real_io_is_refused_and_rolled_back(
    app: App, clock: FixedClock
) -> None:
    async def work(tx: Tx) -> None:
        await people.insert_person(tx, "Ayla Voorbeeld", Role.PARTICIPANT, clock.now())
        await asyncio.sleep(0)

    with pytest.raises(NeedsEventLoop):
        await f.sqlite_db(app).unit(work)
    async with app.services.db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM people") == 0


async def test_updates_run_inline_without_an_event_loop_transaction(
    app: App, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    chats = await f.caseload(app, clock.now())

    @asynccontextmanager
    async def forbidden(*args: Any) -> AsyncIterator[None]:
        raise AssertionError("handled on the event loop instead of in one round trip")
        yield

    monkeypatch.setattr(app.services.db, "transaction", forbidden)
    ayla = chats["Ayla Voorbeeld"]
    for inbound in (
        f.command(ayla, "/taal en"),
        f.command(ayla, "/opgave"),
        f.button(ayla, "decl:worked:yes"),
        f.text(ayla, "1.250,50"),
        f.command(ayla, "/hulp"),
        f.command(chats["Kim Klantmanager"], "/wachtrij"),
    ):
        outcome = await app.dispatcher.handle(inbound)
        assert outcome.replies
        assert all(r.key != "common/error" for r in outcome.replies)
