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


class InstanceLocked(Exception):
    """Another process runs the assistant on this database (its message says what to do)."""


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
async def instance_lock(url: str, *, alone: bool = False) -> AsyncIterator[None]:
    """Mark this process as running on the database while the block runs, or InstanceLocked at
    once.

    SQLite: one process per file, always (an OS lock on `<db>.lock`,
    `bot.storage.sqlite.filelock.instance_lock`); PostgreSQL is the way to run several. There
    every `ptobot run` holds an advisory lock shared with the others, and `alone` (for
    `ptobot copy-db`) takes it exclusively: refused while any instance runs
    (`bot.storage.postgres.instances`).
    """
    if database_kind(url) == "postgresql":
        from bot.storage.postgres.instances import Refused
        from bot.storage.postgres.instances import instance_lock as advisory_lock

        try:
            async with advisory_lock(url, alone=alone):
                yield
        except Refused as exc:
            raise InstanceLocked(str(exc)) from None
        return
    from bot.storage.sqlite.filelock import InstanceLocked as FileLocked
    from bot.storage.sqlite.filelock import instance_lock as file_lock

    try:
        with file_lock(database_path(url)):
            yield
    except FileLocked as exc:
        raise InstanceLocked(
            f"another ptobot is already running on {exc.database} (lock held on {exc.lock_file}); "
            "stop it first"
        ) from None
