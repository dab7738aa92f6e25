"""PostgreSQL: a psycopg 3 connection pool, numbered migrations, one transaction per unit.

Implements `bot.storage.unit.Database` and `Tx` beside `bot/storage/sqlite/db.py`, so the
repositories in `bot/storage/*.py` run unchanged. Why psycopg 3 rather than asyncpg: it speaks
the same DB-API style as sqlite3 (execute, rowcount, fetchone), so the repositories' portable
SQL only needs its `?` placeholders turned into `%s` once per statement text; it has a real
async connection pool (psycopg_pool) that waits for a free connection and then fails clearly;
COPY for moving an installation (`ptobot copy-db`); and its binary wheel needs no compiler.

Differences from SQLite that are handled here, so the SQL stays the same:
- parameters: integers and booleans go to the server untyped (like a quoted literal), so the
  server infers their type from where they stand, as SQLite's loose typing did (`blocked = ?`,
  `(x OR ?)`, `LIMIT ?` all work with a Python int);
- `Tx.insert` appends `RETURNING id` (tables with an id column) instead of reading lastrowid;
- transactions: READ COMMITTED for units of work (the outbox claim is one conditional UPDATE
  whose rowcount decides, so two instances never both win); REPEATABLE READ for a read snapshot;
- durability: synchronous_commit stays on (the server's default), so every commit is durable
  and `Tx.durable()` has nothing to add;
- migrations: numbered files in `bot/storage/postgres/migrations/` with the same numbers and
  names as SQLite's, tracked in the table `schema_migrations` (SQLite uses PRAGMA user_version),
  run under an advisory lock so two instances starting at once apply each migration once.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any, TypeVar

import psycopg
from psycopg import errors
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from bot.storage.postgres.adapt import Untyped, describe, lock_key, pg_rows, translate
from bot.storage.postgres.instances import holds_lock, running
from bot.storage.unit import DatabaseUnavailable, Row

log = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
MIGRATION_LOCK = 7_201_401  # pg_advisory_lock key: one migrating instance at a time
CONNECT_TIMEOUT_S = 10
POOL_TIMEOUT_S = 30.0  # a unit waits this long for a free connection, then fails clearly
POOL_MAX = 10

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")


def _params(params: Params) -> Sequence[Any]:
    if isinstance(params, dict):
        raise TypeError("the repositories pass positional parameters only")
    return tuple(params)


def migrations() -> list[tuple[int, str, str]]:
    """The shipped PostgreSQL migrations as (number, name, sql), in order."""
    found = []
    for entry in resources.files("bot.storage.postgres.migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two migrations share a number: {[name for _, name, _ in found]}")
    return found


async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
    conn.adapters.register_dumper(int, Untyped)
    conn.adapters.register_dumper(bool, Untyped)


class Database:
    """A pool of autocommit connections; each unit of work is one explicit transaction."""

    dialect = "postgresql"

    def __init__(self, pool: AsyncConnectionPool[Any], url: str) -> None:
        self.pool = pool
        self.url = url
        self.id_tables: frozenset[str] = frozenset()  # tables with an `id` column (insert ids)
        self.held: dict[str, int] = {}  # `exclusive` locks held: name → the backend holding it

    @classmethod
    async def open(
        cls, url: str, *, min_size: int = 1, max_size: int = POOL_MAX, wait: float = POOL_TIMEOUT_S
    ) -> Database:
        """Connect (one clear DatabaseUnavailable when the server cannot be reached) and pool."""
        try:
            probe = await psycopg.AsyncConnection.connect(url, connect_timeout=CONNECT_TIMEOUT_S)
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            raise DatabaseUnavailable(f"cannot connect to {describe(url)}: {reason}") from None
        try:
            cur = await probe.execute(
                "SELECT datcollate FROM pg_database WHERE datname = current_database()"
            )
            row = await cur.fetchone()
            if row and row[0] not in ("C", "POSIX"):
                log.warning(
                    "database collation %s: text sorts and compares by language rules, not byte "
                    "by byte as on SQLite; create the database with --locale C",
                    row[0],
                )
        finally:
            await probe.close()
        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            timeout=wait,
            open=False,
            kwargs={"autocommit": True, "row_factory": pg_rows},
            configure=_configure,
            # A connection the server dropped while it sat in the pool (a restart, a failover)
            # is replaced before a unit gets it; one lost mid-unit fails that unit, rolled back.
            check=AsyncConnectionPool.check_connection,
            name="pto",
        )
        await pool.open(wait=True, timeout=wait)
        db = cls(pool, url)
        await db._load_id_tables()
        return db

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.pool.close()

    async def _load_id_tables(self) -> None:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT table_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND column_name = 'id'"
            )
            self.id_tables = frozenset(str(r[0]) for r in await cur.fetchall())

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[bool]:
        """A session advisory lock keyed by `name`, tried (never waited for) on a connection
        held for the block; the server drops it if this process dies."""
        key = lock_key(name)
        async with self._connection() as conn:
            cur = await conn.execute("SELECT pg_try_advisory_lock(%s::bigint)", (key,))
            row = await cur.fetchone()
            got = bool(row and row[0])
            if got:
                self.held[name] = conn.info.backend_pid
            try:
                yield got
            finally:
                if got:
                    self.held.pop(name, None)
                    with contextlib.suppress(psycopg.OperationalError):  # gone with its connection
                        await conn.execute("SELECT pg_advisory_unlock(%s::bigint)", (key,))

    async def holds(self, name: str) -> bool:
        """Whether the lock `name` taken with `exclusive` is still this process's: False once
        its connection was lost (the server dropped the lock; another may hold it now)."""
        pid = self.held.get(name)
        if pid is None:
            return False
        async with self._connection() as conn:
            return await holds_lock(conn, pid, lock_key(name))

    async def instances(self) -> int:
        """How many instances run on this database now (`bot.storage.postgres.instances`)."""
        async with self._connection() as conn:
            return await running(conn)

    async def version(self) -> int:
        """The number of the last migration applied (0 on an empty database)."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT to_regclass('schema_migrations') IS NOT NULL AS known"
            )
            row = await cur.fetchone()
            if not row or not row[0]:
                return 0
            cur = await conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            row = await cur.fetchone()
            return int(row[0]) if row else 0

    async def migrate(self) -> list[str]:
        """Apply the migrations not applied yet, each in its own transaction; returns their names.

        An advisory lock held for the whole run makes a second instance wait, then find every
        migration applied.
        """
        applied = []
        async with self.pool.connection() as conn:
            await conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            try:
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                    "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                )
                cur = await conn.execute("SELECT version FROM schema_migrations")
                done = {int(r[0]) for r in await cur.fetchall()}
                for number, name, sql in migrations():
                    if number in done:
                        continue
                    async with conn.transaction():
                        await conn.execute(sql.encode())  # a script: no parameters, no parsing
                        await conn.execute(
                            "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                            (number, name),
                        )
                    applied.append(name)
                    log.info("applied migration %s", name)
            finally:
                await conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
        await self._load_id_tables()
        return applied

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        held: psycopg.AsyncConnection[Any] | None = None
        try:
            async with self.pool.connection() as conn:
                held = conn
                yield conn
        except PoolTimeout as exc:
            raise DatabaseUnavailable(
                f"no free connection to {describe(self.url)} within {self.pool.timeout:.0f} s "
                f"({self.pool.max_size} in use)"
            ) from exc
        except psycopg.OperationalError as exc:
            if held is None or not held.broken:
                raise
            # The server went away mid-unit: its transaction is gone with the connection (the
            # pool drops it and connects anew for the next unit).
            raise DatabaseUnavailable(
                f"the connection to {describe(self.url)} was lost during a unit of work"
            ) from exc

    @asynccontextmanager
    async def transaction(self, durable: bool = False) -> AsyncIterator[Tx]:
        """One write transaction (READ COMMITTED): committed at the end, rolled back on error.

        Every commit is durable (synchronous_commit on), so `durable` changes nothing.
        """
        async with self._connection() as conn:
            await conn.execute("BEGIN")
            try:
                yield Tx(conn, self.id_tables)
            except BaseException:
                if not conn.broken:
                    await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")

    async def run(self, work: Callable[[Tx], Coroutine[Any, Any, T]]) -> T:
        """`work` as one write transaction; run again once when the server picked it as a
        deadlock victim or a serialization failure (nothing of the first try was kept)."""
        for attempt in (1, 2):
            try:
                async with self.transaction() as tx:
                    return await work(tx)
            except (errors.DeadlockDetected, errors.SerializationFailure):
                if attempt == 2:
                    raise
                log.warning("unit of work retried after a deadlock or serialization failure")
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """A consistent read snapshot (REPEATABLE READ), always rolled back."""
        async with self._connection() as conn:
            await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            try:
                yield Tx(conn, self.id_tables)
            finally:
                if not conn.broken:
                    await conn.execute("ROLLBACK")


_INTO = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)


class Tx:
    """A unit of work on one pooled connection, inside BEGIN … COMMIT."""

    dialect = "postgresql"

    def __init__(self, conn: psycopg.AsyncConnection[Any], id_tables: frozenset[str]) -> None:
        self.conn = conn
        self.id_tables = id_tables

    async def serialize(self, key: str) -> None:
        """A transaction-level advisory lock on `key`: waits for the unit holding it."""
        await self.conn.execute("SELECT pg_advisory_xact_lock(%s::bigint)", (lock_key(key),))

    def durable(self) -> None:
        """Nothing to do: synchronous_commit is on, every commit survives a power cut."""

    def escalate(self, error: BaseException) -> None:
        """Nothing to do: units run on the event loop already (see `Tx.escalate`)."""

    async def savepoint(self, name: str) -> None:
        """Mark a point to roll back to without losing the rest of the unit."""
        await self.conn.execute(f"SAVEPOINT {_name(name)}")

    async def rollback_to(self, name: str) -> None:
        """Undo everything since the savepoint `name`."""
        await self.conn.execute(f"ROLLBACK TO SAVEPOINT {_name(name)}")

    async def release(self, name: str) -> None:
        """Forget the savepoint `name`, keeping its work."""
        await self.conn.execute(f"RELEASE SAVEPOINT {_name(name)}")

    async def _run(self, sql: str, params: Params) -> psycopg.AsyncCursor[Any]:
        return await self.conn.execute(translate(sql), _params(params))

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows changed."""
        return (await self._run(sql, params)).rowcount

    async def insert(self, sql: str, params: Params = ()) -> int | None:
        """Run an INSERT; the new row's id (`RETURNING id`), or None when nothing was inserted.

        For a table without an id column, 1 when a row was inserted (SQLite's lastrowid means
        nothing there either; callers only ask whether it was inserted).
        """
        match = _INTO.match(sql)
        if match and match.group(1) in self.id_tables and not _RETURNING.search(sql):
            row = await (await self._run(sql + " RETURNING id", params)).fetchone()
            return None if row is None else int(row[0])
        changed = (await self._run(sql, params)).rowcount
        return changed if changed > 0 else None

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for many parameter rows."""
        async with self.conn.cursor() as cur:
            await cur.executemany(translate(sql), [_params(r) for r in rows])

    async def one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row, or None."""
        row: Row | None = await (await self._run(sql, params)).fetchone()
        return row

    async def all(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows."""
        return list(await (await self._run(sql, params)).fetchall())

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None."""
        row = await self.one(sql, params)
        return None if row is None else row[0]


_SAVEPOINT = re.compile(r"^[a-z_]{1,32}$")


def _name(name: str) -> str:
    """A savepoint name: a fixed identifier from our own code, never user input."""
    if not _SAVEPOINT.match(name):
        raise ValueError(f"bad savepoint name {name!r}")
    return name
