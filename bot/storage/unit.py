"""The storage contract every backend implements: a Database that hands out units of work.

Services and repositories are written against these protocols only. A unit of work (`Tx`) is
one transaction; the repositories in `bot/storage/*.py` take it as their first argument and
return frozen domain objects, so rows never leave `bot/storage/`. The SQLite implementation is
in `bot/storage/sqlite/`, the PostgreSQL one in `bot/storage/postgres/`; `bot.storage.backends`
opens the one `DATABASE_URL` names.

SQL in the repositories is portable (standard SQL plus `ON CONFLICT … DO NOTHING/UPDATE`, which
both SQLite and PostgreSQL speak) with `?` placeholders; a backend translates placeholders if
its driver needs another style. Dialect-specific SQL lives under that backend's folder.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, TypeVar

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")


class DatabaseUnavailable(Exception):
    """The database cannot be reached (or no connection is free in time): one clear line."""


class Row(Protocol):
    """One result row: by column name or position (only ever seen inside `bot/storage/`)."""

    def __getitem__(self, key: str | int, /) -> Any: ...

    def keys(self) -> list[str]: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...


class Tx(Protocol):
    """A unit of work: one transaction, parameters always apart from SQL."""

    dialect: str

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows changed."""
        ...

    async def insert(self, sql: str, params: Params = ()) -> int | None:
        """Run an INSERT; the new row id, or None when nothing was inserted (a conflict)."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for many parameter rows."""
        ...

    async def one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row, or None."""
        ...

    async def all(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows."""
        ...

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None."""
        ...

    async def savepoint(self, name: str) -> None:
        """Mark a point to roll back to without losing the rest of the unit."""
        ...

    async def rollback_to(self, name: str) -> None:
        """Undo everything since the savepoint `name` (which stays open)."""
        ...

    async def release(self, name: str) -> None:
        """Forget the savepoint `name`, keeping its work."""
        ...

    async def serialize(self, key: str) -> None:
        """Wait until no other unit holding `key` is running, and hold it until this one ends.

        The dispatcher takes one per chat, so the updates of one person go one at a time
        whichever instance received them. SQLite: writes are serialised already (no-op);
        PostgreSQL: a transaction-level advisory lock.
        """
        ...

    def durable(self) -> None:
        """Ask that this unit's commit survive a power cut (a receipt is promised on it).

        SQLite commits it with synchronous=FULL; the other units stay at NORMAL in WAL mode
        (atomic and consistent, but the last commits may be lost in a power cut). The backend
        may run the unit again to honour it, so ask early.
        """
        ...

    def escalate(self, error: BaseException) -> None:
        """Re-raise `error` when the backend can retry the whole unit in another way.

        Called by code that is about to swallow an unexpected error: a backend that ran the
        unit in a mode where the error may come from that mode itself (SQLite's inline unit,
        see `bot/storage/sqlite/db.py`) raises so the unit re-runs; others do nothing.
        """
        ...


class Database(Protocol):
    """A database: write units of work, read snapshots, migrations."""

    async def run(self, work: Callable[[Tx], Coroutine[Any, Any, T]]) -> T:
        """Run `work(tx)` as one write transaction, committed when it returns.

        The backend picks the cheapest way (SQLite: one round trip to its thread), so one
        inbound update costs one hop; `work` may be run twice when the first way cannot finish.
        """
        ...

    def transaction(self, durable: bool = False) -> AbstractAsyncContextManager[Tx]:
        """One write transaction as a context: committed at the end, rolled back on error.

        `durable`: the commit must survive a power cut (see `Tx.durable`); PostgreSQL's always do.
        """
        ...

    def read(self) -> AbstractAsyncContextManager[Tx]:
        """A consistent read snapshot."""
        ...

    def exclusive(self, name: str) -> AbstractAsyncContextManager[bool]:
        """Hold the lock `name` across instances while the block runs: True when this process
        got it, False at once when another holds it (the caller skips, never waits).

        For work one instance at a time should do (a scheduled sweep). SQLite runs one instance
        per file (`instance_lock`), so there it is always True.
        """
        ...

    async def holds(self, name: str) -> bool:
        """Whether this process still holds the lock `name` it took with `exclusive`: a holder
        whose database connection was lost has lost it (the server dropped it, another instance
        may hold it now), and stops the work it guarded (the outbox sender checks every round).
        """
        ...

    async def instances(self) -> int:
        """How many instances run on this database now, this one included (SQLite: 1; see
        `bot.storage.backends.instance_lock`). Each takes its share of the bot-wide send budget.
        """
        ...

    async def migrate(self) -> list[str]:
        """Apply the migrations not applied yet; returns their names."""
        ...

    async def version(self) -> int:
        """The number of the last migration applied."""
        ...

    async def close(self) -> None:
        """Close the connection(s)."""
        ...
