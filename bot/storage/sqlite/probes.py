"""Measurement hooks on the SQLite database: thread round trips and the statements it runs.

For the benchmark and tests only; they patch or trace process-wide while their block runs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import aiosqlite

from bot.storage.sqlite.db import Database


class RoundTrips:
    """Counts the calls that cross to aiosqlite's thread while the block runs (the benchmark's
    measure of "one round trip per update"); process-wide, so for measurements only."""

    def __init__(self) -> None:
        self.hops = 0
        self._original: Any = None

    def __enter__(self) -> RoundTrips:
        original: Any = aiosqlite.Connection._execute
        self._original = original

        async def counted(conn: aiosqlite.Connection, fn: Any, *a: Any, **k: Any) -> Any:
            self.hops += 1
            return await original(conn, fn, *a, **k)

        setattr(aiosqlite.Connection, "_execute", counted)  # noqa: B010 - a measurement hook
        return self

    def __exit__(self, *exc: object) -> None:
        setattr(aiosqlite.Connection, "_execute", self._original)  # noqa: B010


class Statements:
    """Records the SQL statements the connection runs while the block is open, values filled in
    (tests and the benchmark's statements per update; never logged)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.seen: list[str] = []

    async def _trace(self, callback: Callable[[str], object] | None) -> None:
        raw: sqlite3.Connection = self.db.conn._conn
        await self.db.conn._execute(raw.set_trace_callback, callback)  # type: ignore[no-untyped-call]

    async def __aenter__(self) -> Statements:
        await self._trace(self.seen.append)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._trace(None)
