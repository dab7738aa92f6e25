"""Storage on a real SQLite file: pragmas, migrations, transactions, exactly-once keys."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.app import App
from bot.clock import FixedClock
from bot.domain.models import Role
from bot.storage import conversations, outbox, people
from bot.storage.backends import open_database
from bot.storage.sqlite.db import Database, migrations
from tests import factories as f


async def test_pragmas_and_migrations(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "sub" / "pto.db")
    try:
        applied = await db.migrate()
        assert applied[0] == "0001_foundation.sql"
        assert await db.user_version() == migrations()[-1][0]
        assert await db.migrate() == []  # idempotent
        async with db.read() as tx:
            assert await tx.scalar("PRAGMA journal_mode") == "wal"
            assert await tx.scalar("PRAGMA foreign_keys") == 1
            assert await tx.scalar("PRAGMA busy_timeout") == 5000
    finally:
        await db.close()
    with closing(sqlite3.connect(tmp_path / "sub" / "pto.db")) as conn:
        tables = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    for needed in (
        "people",
        "channel_identities",
        "participants",
        "invites",
        "conversation_state",
        "processed_updates",
        "outbox",
        "audit_log",
    ):
        assert needed in tables


async def test_transaction_rolls_back_on_error(app: App, clock: FixedClock) -> None:
    db = app.services.db
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await people.insert_person(tx, "Ayla Voorbeeld", Role.PARTICIPANT, clock.now())
            raise RuntimeError("boom")
    async with db.read() as tx:
        assert await tx.scalar("SELECT COUNT(*) FROM people") == 0


async def test_foreign_keys_are_enforced(app: App, clock: FixedClock) -> None:
    with pytest.raises(f.INTEGRITY_ERRORS):
        async with app.services.db.transaction() as tx:
            await people.bind_identity(tx, "telegram", "1", 999, clock.now())


async def test_processed_updates_and_outbox_keys_are_exactly_once(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    async with app.services.db.transaction() as tx:
        pid = await people.insert_person(tx, "Ayla Voorbeeld", Role.PARTICIPANT, now)
        assert await conversations.mark_processed(tx, "telegram", "17", now)
        assert not await conversations.mark_processed(tx, "telegram", "17", now)
        first = await outbox.enqueue(tx, pid, "common/taal_set", now, dedupe_key="k1")
        second = await outbox.enqueue(tx, pid, "common/taal_set", now, dedupe_key="k1")
    assert first is not None
    assert second is None


async def test_state_survives_reopening_the_file(app: App, clock: FixedClock) -> None:
    now = clock.now()
    async with app.services.db.transaction() as tx:
        pid = await people.insert_person(tx, "Ayla Voorbeeld", Role.PARTICIPANT, now)
        await conversations.save_state(
            tx, pid, "declaration", "revenue", {"period": "2026-11"}, now
        )
    db = await open_database(app.services.settings.database_url)
    try:
        async with db.read() as tx:
            assert await conversations.load_state(tx, pid) == (
                "declaration",
                "revenue",
                {"period": "2026-11"},
            )
    finally:
        await db.close()
