"""A receipt means the declaration survives a power cut: the submit commits with
synchronous=FULL, every other unit stays at NORMAL (WAL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import App
from bot.domain.models import Role
from bot.storage import people
from bot.storage.sqlite.db import SYNC_FULL, SYNC_NORMAL, NeedsDurable, Tx
from bot.storage.sqlite.probes import Statements
from tests import factories as f
from tests.handlers.test_declaration_flow import Chat, _fill_november, _people

pytestmark = pytest.mark.sqlite_only  # SQLite's synchronous levels (PostgreSQL: always durable)

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
async def chat(app: App) -> Chat:
    await _people(app)
    return Chat(app)


async def _synchronous(app: App) -> int:
    async with app.services.db.read() as tx:
        return int(await tx.scalar("PRAGMA synchronous"))


async def test_the_submit_commits_with_synchronous_full(app: App, chat: Chat) -> None:
    db = f.sqlite_db(app)
    await _fill_november(chat)
    async with Statements(db) as steps:
        await chat.say("/hulp")
        await chat.tap("decl:edit:revenue")
        await chat.say("1 500")
    assert chat.keys() == ["declaration/review"]
    assert not [s for s in steps.seen if s.startswith("PRAGMA")]  # ordinary steps: NORMAL
    send = next(b for b in chat.buttons() if b.startswith("decl:send:"))

    async with Statements(db) as submit:
        await chat.tap(send)
    assert chat.keys() == ["declaration/receipt"]
    seen = submit.seen
    stored = max(i for i, s in enumerate(seen) if s.startswith("INSERT INTO declarations"))
    commit = seen.index("COMMIT", stored)
    pragmas = [s for s in seen[:commit] if s.startswith("PRAGMA synchronous")]
    assert pragmas[-1] == SYNC_FULL  # set before the BEGIN of the transaction that commits
    assert seen.index(SYNC_FULL) < seen.index("BEGIN IMMEDIATE", seen.index(SYNC_FULL))
    assert seen[commit + 1] == SYNC_NORMAL  # and back right after its COMMIT
    assert seen.count("COMMIT") == 1  # the first, NORMAL attempt was rolled back
    assert await _synchronous(app) == 1  # NORMAL again for everything after


async def test_a_durable_unit_is_run_again_with_full_sync(app: App) -> None:
    db = f.sqlite_db(app)
    runs: list[bool] = []

    async def work(tx: Tx) -> int:
        runs.append(tx.full_sync)
        tx.durable()
        return await people.insert_person(tx, "Ayla Voorbeeld", Role.PARTICIPANT, NOW)

    async with Statements(db) as log:
        await db.run(work)
    assert runs == [False, True]
    assert log.seen.count("COMMIT") == 1
    assert log.seen.count("ROLLBACK") == 1
    async with db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM people") == 1
    assert await _synchronous(app) == 1


async def test_a_transaction_begun_without_durability_refuses_to_commit_a_durable_unit(
    app: App,
) -> None:
    db = f.sqlite_db(app)
    with pytest.raises(NeedsDurable):
        async with db.transaction() as tx:
            await people.insert_person(tx, "Ayla Voorbeeld", Role.PARTICIPANT, NOW)
            tx.durable()
    async with Statements(db) as log, db.transaction(durable=True) as tx:
        await people.insert_person(tx, "Ayla Voorbeeld", Role.PARTICIPANT, NOW)
        tx.durable()
    assert log.seen[0] == SYNC_FULL
    assert log.seen[-1] == SYNC_NORMAL
    async with db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM people") == 1
