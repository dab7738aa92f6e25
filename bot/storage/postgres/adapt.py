"""PostgreSQL adaptation for the portable repositories: `?` → `%s`, untyped integers, rows that
read like sqlite3.Row, advisory lock keys, URLs without passwords (see `db.py`)."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from psycopg.adapt import Buffer, Dumper


class Untyped(Dumper):
    """An int or bool sent as text with no type (oid 0): the server types it by its place."""

    oid = 0

    def dump(self, obj: Any) -> Buffer:
        return str(int(obj)).encode()


class PgRow(tuple[Any, ...]):
    """A result row readable by position, by column name and with `keys()`, like sqlite3.Row."""

    _index: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        """The column names, in order."""
        return list(self._index)


@functools.lru_cache(maxsize=1024)
def _shape(names: tuple[str, ...]) -> type[PgRow]:
    """One small PgRow class per result shape (its column names)."""
    return type("Row", (PgRow,), {"_index": {n: i for i, n in enumerate(names)}})


def pg_rows(cursor: Any) -> Callable[[Sequence[Any]], PgRow]:
    """psycopg row factory making `PgRow`s."""
    shape = _shape(tuple(c.name for c in cursor.description or ()))

    def make(values: Sequence[Any]) -> PgRow:
        return shape(values)

    return make


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """The repositories' `?` placeholders as psycopg's `%s` (and a literal `%` as `%%`).

    A `?` inside a quoted string, a quoted identifier or a comment is left alone. Each distinct
    statement text is translated once (the repositories build a bounded set of them).
    """
    out: list[str] = []
    quote: str | None = None
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if quote is None:
            if ch in "'\"":
                quote = ch
            elif ch == "-" and sql.startswith("--", i):
                end = sql.find("\n", i)
                end = n if end < 0 else end
                out.append(sql[i:end].replace("%", "%%"))
                i = end
                continue
            elif ch == "?":
                out.append("%s")
                i += 1
                continue
        elif ch == quote:
            quote = None
        out.append("%%" if ch == "%" else ch)
        i += 1
    return "".join(out)


def lock_key(name: str) -> int:
    """A stable 64-bit advisory lock key for a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def describe(url: str) -> str:
    """The URL without its password, for messages: postgresql://user@host:port/db."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"
