"""The selection point: `DATABASE_URL` names the backend, this module opens it.

`sqlite:///path/to/file.db` (the default) opens `bot/storage/sqlite/`; `postgresql://…` opens
`bot/storage/postgres/`. Everything else — the app, the command line, the scheduler, purge,
exports and demo seeding — sees only `bot.storage.unit.Database`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.config import database_kind, database_path
from bot.storage.unit import Database

POSTGRES_INSTANCE_LOCK = 7_201_402  # pg_try_advisory_lock key held while an instance runs


class InstanceLocked(Exception):
    """Another process runs the assistant on this database."""


async def open_database(url: str) -> Database:
    """Open the database `url` names (not migrated yet: see `Database.migrate`)."""
    if database_kind(url) == "postgresql":
        from bot.storage.postgres.db import Database as PostgresDatabase

        return await PostgresDatabase.open(url)
    from bot.storage.sqlite.db import Database as SqliteDatabase

    return await SqliteDatabase.open(database_path(url))


def describe(url: str) -> str:
    """The database for messages: the SQLite file, or the PostgreSQL URL without its password."""
    if database_kind(url) == "postgresql":
        from bot.storage.postgres.adapt import describe as describe_postgres

        return describe_postgres(url)
    return str(database_path(url))


@asynccontextmanager
async def instance_lock(url: str) -> AsyncIterator[None]:
    """One running assistant per database while the block runs, or InstanceLocked at once.

    SQLite: an OS lock on `<db>.lock` (`bot.storage.sqlite.filelock.instance_lock`). PostgreSQL: a
    session advisory lock on a connection of its own, dropped by the server when the process
    dies. (Several instances on one PostgreSQL need the per-conversation locks and the shared
    sender of issue 14's part 3; until then one instance runs at a time there too.)
    """
    if database_kind(url) == "postgresql":
        import psycopg

        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            cur = await conn.execute("SELECT pg_try_advisory_lock(%s)", (POSTGRES_INSTANCE_LOCK,))
            row = await cur.fetchone()
            if not row or not row[0]:
                raise InstanceLocked(f"another ptobot is already running on {describe(url)}")
            yield
        return
    from bot.storage.sqlite.filelock import InstanceLocked as FileLocked
    from bot.storage.sqlite.filelock import instance_lock as file_lock

    try:
        with file_lock(database_path(url)):
            yield
    except FileLocked as exc:
        raise InstanceLocked(
            f"another ptobot is already running on {exc.database} (lock held on {exc.lock_file})"
        ) from None
