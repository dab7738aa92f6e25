"""What the schema holds, asked in a way that does not depend on the database behind `Tx`.

Reading the catalogue is dialect-specific (SQLite has its own catalogue tables and pragmas,
PostgreSQL `information_schema`), so each backend answers in its own folder; this module picks
the backend by `tx.dialect`.
"""

from __future__ import annotations

from bot.storage.tables import PERSON_KEYS, PersonTable
from bot.storage.unit import Tx

__all__ = ["PERSON_KEYS", "PersonTable", "has_table", "tables_with_person_columns"]


async def has_table(tx: Tx, name: str) -> bool:
    """True when the table `name` exists."""
    if tx.dialect == "sqlite":
        from bot.storage.sqlite import schema

        return await schema.has_table(tx, name)
    raise NotImplementedError(f"schema reads for {tx.dialect}")


async def tables_with_person_columns(tx: Tx) -> list[PersonTable]:
    """Every table with a `participant_id` or `person_id` column (that one first), by name."""
    if tx.dialect == "sqlite":
        from bot.storage.sqlite import schema

        return await schema.tables_with_person_columns(tx)
    raise NotImplementedError(f"schema reads for {tx.dialect}")
