"""Several instances on one PostgreSQL: who runs, and who must run alone.

Every `ptobot run` (and terminal chat) holds the advisory lock `INSTANCE_LOCK` *shared* on a
connection of its own while it runs, so any number of them run side by side; the server drops
it when a process dies. Work that needs the database to itself (`ptobot copy-db`) takes the
same lock *exclusively*: refused while any instance runs, and an instance that starts during a
copy is refused until it is done. The shared holders are also how an instance learns how many
run (`running`), to take its share of the bot-wide send budget (`bot.channels.ratelimit`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg

from bot.storage.postgres.adapt import describe

INSTANCE_LOCK = 7_201_402  # the advisory lock key: shared by instances, exclusive for copy-db


class Refused(Exception):
    """The lock is held the other way: `alone` and an instance runs, or a copy runs."""


@asynccontextmanager
async def instance_lock(url: str, *, alone: bool) -> AsyncIterator[None]:
    """Hold the instance lock on a connection of its own while the block runs: shared (an
    instance among others) or, with `alone`, exclusive; Refused at once when it can't be had."""
    how = "pg_try_advisory_lock" if alone else "pg_try_advisory_lock_shared"
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        cur = await conn.execute(f"SELECT {how}(%s::bigint)", (INSTANCE_LOCK,))
        row = await cur.fetchone()
        if not row or not row[0]:
            if alone:
                raise Refused(
                    f"another ptobot is already running on {describe(url)}; stop it first"
                )
            raise Refused(
                f"ptobot copy-db is using {describe(url)}; start again when it has finished"
            )
        yield


async def running(conn: psycopg.AsyncConnection[Any]) -> int:
    """How many processes hold the instance lock on this database now (at least 1: a caller
    that asks is one of them, even when it started without the lock, as a test may)."""
    where, params = _lock_filter(INSTANCE_LOCK)
    cur = await conn.execute(f"SELECT COUNT(*) FROM pg_locks WHERE {where}", params)  # noqa: S608
    row = await cur.fetchone()
    return max(1, int(row[0]) if row else 0)


def _lock_filter(key: int) -> tuple[str, tuple[int, int]]:
    """The pg_locks condition for the advisory lock `key` (a bigint key shows as its high and
    low 32 bits in classid and objid, objsubid 1), with its parameters."""
    return (
        "locktype = 'advisory' AND granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND classid::text::bigint = %s::bigint AND objid::text::bigint = %s::bigint "
        "AND objsubid = 1",
        ((key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF),
    )


async def holds_lock(conn: psycopg.AsyncConnection[Any], pid: int, key: int) -> bool:
    """Whether the server process `pid` still holds the advisory lock `key`."""
    where, params = _lock_filter(key)
    cur = await conn.execute(
        f"SELECT EXISTS (SELECT 1 FROM pg_locks WHERE {where} AND pid = %s)",  # noqa: S608
        (*params, pid),
    )
    row = await cur.fetchone()
    return bool(row and row[0])
