"""What the schema holds, asked in a way that does not depend on the database behind `Tx`.

Reading the catalogue is dialect-specific (SQLite has its own catalogue tables and pragmas,
PostgreSQL `information_schema`), so each backend answers in its own folder; this module picks
the backend by `tx.dialect`.
"""

from __future__ import annotations

from typing import Protocol

from bot.storage.tables import PERSON_KEYS, PersonTable
from bot.storage.unit import Tx

__all__ = [
    "PERSON_KEYS",
    "PersonTable",
    "after_copy",
    "foreign_keys",
    "has_table",
    "table_names",
    "tables_with_person_columns",
]


async def has_table(tx: Tx, name: str) -> bool:
    """True when the table `name` exists."""
    return await _backend(tx).has_table(tx, name)


async def table_names(tx: Tx) -> list[str]:
    """The installation's tables, by name."""
    return await _backend(tx).table_names(tx)


async def foreign_keys(tx: Tx) -> list[tuple[str, str, str]]:
    """Every foreign key as (table, column, referenced table)."""
    return await _backend(tx).foreign_keys(tx)


async def after_copy(tx: Tx, tables: list[str]) -> None:
    """What the backend needs after rows were copied in with their own ids (identities)."""
    await _backend(tx).after_copy(tx, tables)


async def tables_with_person_columns(tx: Tx) -> list[PersonTable]:
    """Every table with a `participant_id` or `person_id` column (that one first), by name."""
    return await _backend(tx).tables_with_person_columns(tx)


class Catalogue(Protocol):
    """What a dialect's `schema` module answers."""

    async def has_table(self, tx: Tx, name: str) -> bool: ...

    async def table_names(self, tx: Tx) -> list[str]: ...

    async def foreign_keys(self, tx: Tx) -> list[tuple[str, str, str]]: ...

    async def after_copy(self, tx: Tx, tables: list[str]) -> None: ...

    async def tables_with_person_columns(self, tx: Tx) -> list[PersonTable]: ...


def _backend(tx: Tx) -> Catalogue:
    """The dialect's catalogue module."""
    if tx.dialect == "sqlite":
        from bot.storage.sqlite import schema

        return schema
    if tx.dialect == "postgresql":
        from bot.storage.postgres import schema as pg_schema

        return pg_schema
    raise NotImplementedError(f"schema reads for {tx.dialect}")
