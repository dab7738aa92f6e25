"""SQLite: one aiosqlite connection per process, numbered migrations, serialised writes.

Implements `bot.storage.unit.Database` and `Tx`; everything aiosqlite- or SQLite-specific that
the unit of work needs (PRAGMAs, the inline unit in the connection's thread) stays in this file.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.storage.unit import Row

log = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
BUSY_TIMEOUT_MS = 5000

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")
_inline = threading.local()


class NeedsEventLoop(Exception):
    """A unit of work awaited real I/O, so it cannot run inline in the database thread."""


class NeedsDurable(Exception):
    """A unit asked for a durable commit in a transaction begun without it (run it again)."""


# WAL with synchronous=NORMAL: a commit is atomic and consistent but may be lost in a power cut
# until the next checkpoint; FULL syncs the log at the commit. SQLite refuses to change the level
# inside a transaction ("Safety level may not be changed inside a transaction"), so a unit that
# asks for durability (`Tx.durable`) is rolled back and run again with FULL set before BEGIN.
SYNC_NORMAL = "PRAGMA synchronous = NORMAL"
SYNC_FULL = "PRAGMA synchronous = FULL"
# SQLite's own page cache: 512 KiB instead of its default 2 MiB. The operating system caches the
# file anyway, so a page SQLite no longer holds costs a read from memory, not the disk; a sweep
# over 10,000 participants filled the default cache and kept 1.5 MiB more resident (bench P5).
CACHE_SIZE = "PRAGMA cache_size = -512"


def run_inline(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends (all its awaits are on an `InlineTx`) to the end."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise NeedsEventLoop


def inline() -> bool:
    """True inside a unit of work running in the database thread (blocking calls are fine)."""
    return bool(getattr(_inline, "active", False))


def migrations() -> list[tuple[int, str, str]]:
    """The shipped migrations as (number, name, sql), in order of their unique numbers."""
    found = []
    for entry in resources.files("bot.storage.sqlite.migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two migrations share a number: {[name for _, name, _ in found]}")
    return found


class Database:
    """A connection with WAL, foreign keys and a busy timeout; writes go through transaction()."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Open (and create) the database file at `path`."""
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute(SYNC_NORMAL)
            await conn.execute(CACHE_SIZE)
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA secure_delete = ON")  # purged data leaves the file
        except BaseException:
            await conn.close()  # a file that cannot be set up leaves no connection behind
            raise
        return cls(conn, path)

    async def close(self) -> None:
        """Close the connection."""
        await self.conn.close()

    async def user_version(self) -> int:
        """The number of the last migration applied."""
        async with self.conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[bool]:
        """Always True: one instance per file (`instance_lock`), so nobody else holds it."""
        yield True

    async def holds(self, name: str) -> bool:
        """Always True: nobody else can take it (`exclusive`)."""
        return True

    async def instances(self) -> int:
        """Always 1: one instance per file (`instance_lock`)."""
        return 1

    async def version(self) -> int:
        """The number of the last migration applied (`Database.version`)."""
        return await self.user_version()

    async def migrate(self) -> list[str]:
        """Apply the migrations this file has not seen yet; returns their names."""
        applied = []
        async with self._write_lock:
            current = await self.user_version()
            for number, name, sql in migrations():
                if number <= current:
                    continue
                # executescript commits first; the migration itself runs in one transaction.
                await self.conn.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;"
                )
                applied.append(name)
                log.info("applied migration %s", name)
        return applied

    @asynccontextmanager
    async def transaction(self, durable: bool = False) -> AsyncIterator[Tx]:
        """One write transaction: committed when the block ends, rolled back on an error.

        `durable`: commit with synchronous=FULL. A block that calls `tx.durable()` without it is
        rolled back with NeedsDurable (`run` then runs the work again durably).
        """
        async with self._write_lock:
            if durable:
                await self.conn.execute(SYNC_FULL)
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
                tx = Tx(self.conn, durable)
                try:
                    yield tx
                    if tx.wants_durable and not durable:
                        raise NeedsDurable
                except BaseException:
                    await self.conn.execute("ROLLBACK")
                    raise
                else:
                    await self.conn.execute("COMMIT")
            finally:
                if durable:
                    await self.conn.execute(SYNC_NORMAL)

    async def run(self, work: Callable[[Tx], Coroutine[Any, Any, T]]) -> T:
        """`work` as one write transaction: inline in one round trip when it does no other I/O.

        Work that awaits real I/O (a file, the network) cannot run inline; it is rolled back and
        run again as an ordinary transaction on the event loop (durably when it asks to be).
        """
        try:
            return await self.unit(work)
        except NeedsEventLoop:
            try:
                async with self.transaction() as tx:
                    return await work(tx)
            except NeedsDurable:
                async with self.transaction(durable=True) as tx:
                    return await work(tx)

    async def unit(self, work: Callable[[Tx], Coroutine[Any, Any, T]]) -> T:
        """Run `work(tx)` as one write transaction in ONE round trip to the database thread.

        The coroutine runs inside aiosqlite's own thread with a Tx whose awaits never suspend, so
        an update costs one thread hop instead of one per statement, and a busy database waits in
        that thread, never on the event loop. Work that awaits real I/O raises NeedsEventLoop
        (rolled back); the caller then runs it with `transaction()`.
        """

        def attempt(conn: sqlite3.Connection, durable: bool) -> T:
            conn.execute("BEGIN IMMEDIATE")
            _inline.active = True
            tx = InlineTx(conn, durable)
            try:
                result = run_inline(work(tx))
                if tx.wants_durable and not durable:
                    raise NeedsDurable
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            finally:
                _inline.active = False
            conn.execute("COMMIT")
            return result

        def job(conn: sqlite3.Connection) -> T:
            try:
                return attempt(conn, durable=False)
            except NeedsDurable:
                pass
            conn.execute(SYNC_FULL)  # outside a transaction, where SQLite allows it
            try:
                return attempt(conn, durable=True)
            finally:
                conn.execute(SYNC_NORMAL)

        async with self._write_lock:
            # aiosqlite has no public "run this function in the connection's thread"; _execute
            # is that (stable from 0.17 to 0.22; pinned in pyproject and covered by tests).
            raw: sqlite3.Connection = self.conn._conn
            return await self.conn._execute(job, raw)  # type: ignore[no-untyped-call,no-any-return]

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """A consistent read snapshot (no write lock held by this process)."""
        async with self._write_lock:
            await self.conn.execute("BEGIN")
            try:
                yield Tx(self.conn)
            finally:
                await self.conn.execute("ROLLBACK")


class Tx:
    """The handle services use inside a transaction: parameters always apart from SQL."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, durable: bool = False) -> None:
        self.conn = conn
        self.full_sync = durable  # this transaction commits with synchronous=FULL
        self.wants_durable = False

    async def serialize(self, key: str) -> None:
        """Nothing to do: one writer at a time per file (BEGIN IMMEDIATE)."""

    def durable(self) -> None:
        """Make this unit's commit survive a power cut: it commits with synchronous=FULL."""
        self.wants_durable = True

    async def savepoint(self, name: str) -> None:
        """Mark a point to roll back to without losing the rest of the unit."""
        await self.execute(f"SAVEPOINT {_name(name)}")

    async def rollback_to(self, name: str) -> None:
        """Undo everything since the savepoint `name`."""
        await self.execute(f"ROLLBACK TO {_name(name)}")

    async def release(self, name: str) -> None:
        """Forget the savepoint `name`, keeping its work."""
        await self.execute(f"RELEASE {_name(name)}")

    def escalate(self, error: BaseException) -> None:
        """Inline, an unexpected error may come from I/O that needs the loop: re-run there."""
        if inline():
            raise NeedsEventLoop from error

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows changed."""
        async with self.conn.execute(sql, params) as cur:
            return cur.rowcount

    async def insert(self, sql: str, params: Params = ()) -> int | None:
        """Run an INSERT; returns the new row id, or None when nothing was inserted (OR IGNORE)."""
        async with self.conn.execute(sql, params) as cur:
            return cur.lastrowid if cur.rowcount else None

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for many parameter rows."""
        await self.conn.executemany(sql, rows)

    async def one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row, or None."""
        async with self.conn.execute(sql, params) as cur:
            return await cur.fetchone()

    async def all(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows."""
        async with self.conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None."""
        row = await self.one(sql, params)
        return None if row is None else row[0]


class InlineTx(Tx):
    """A Tx on the raw sqlite3 connection, used inside the database thread: awaits never wait."""

    def __init__(self, raw: sqlite3.Connection, durable: bool = False) -> None:
        self.raw = raw
        self.full_sync = durable
        self.wants_durable = False

    # Inline, a savepoint is only a mark: rolling back to it re-runs the whole unit as an
    # ordinary transaction (as `escalate` does), where savepoints are real. Two statements less
    # for every update that does not fail.
    async def savepoint(self, name: str) -> None:
        """Mark a point to roll back to (nothing to run inline)."""
        _name(name)

    async def rollback_to(self, name: str) -> None:
        """Undo since the savepoint: the unit runs again on the event loop."""
        raise NeedsEventLoop

    async def release(self, name: str) -> None:
        """Forget the savepoint (nothing to run inline)."""
        _name(name)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows changed."""
        return self.raw.execute(sql, params).rowcount

    async def insert(self, sql: str, params: Params = ()) -> int | None:
        """Run an INSERT; returns the new row id, or None when nothing was inserted."""
        cur = self.raw.execute(sql, params)
        return cur.lastrowid if cur.rowcount else None

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for many parameter rows."""
        self.raw.executemany(sql, rows)

    async def one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row, or None."""
        row: Row | None = self.raw.execute(sql, params).fetchone()
        return row

    async def all(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows."""
        return list(self.raw.execute(sql, params).fetchall())

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.raw.execute(sql, params).fetchone()
        return None if row is None else row[0]


_SAVEPOINT = re.compile(r"^[a-z_]{1,32}$")


def _name(name: str) -> str:
    """A savepoint name: a fixed identifier from our own code, never user input."""
    if not _SAVEPOINT.match(name):
        raise ValueError(f"bad savepoint name {name!r}")
    return name
