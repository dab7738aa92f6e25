"""SQLite's catalogue: `sqlite_master` and `pragma_table_info` (see `bot/storage/schema.py`)."""

from __future__ import annotations

from bot.storage.tables import PERSON_KEYS, PersonTable
from bot.storage.unit import Tx


async def has_table(tx: Tx, name: str) -> bool:
    """True when the table `name` exists."""
    return bool(
        await tx.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    )


async def table_names(tx: Tx) -> list[str]:
    """The installation's tables, by name."""
    rows = await tx.all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [str(r[0]) for r in rows]


async def foreign_keys(tx: Tx) -> list[tuple[str, str, str]]:
    """Every foreign key as (table, column, referenced table)."""
    rows = await tx.all(
        'SELECT m.name, f."from", f."table" FROM sqlite_master m '
        "JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table' ORDER BY m.name"
    )
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


async def after_copy(tx: Tx, tables: list[str]) -> None:
    """Nothing to do after rows were copied in with their ids: a rowid continues after the
    largest one."""


async def tables_with_person_columns(tx: Tx) -> list[PersonTable]:
    """Every table with a `participant_id` or `person_id` column (that one first), by name."""
    rows = await tx.all(
        "SELECT m.name AS table_name, c.name AS column_name FROM sqlite_master m "
        "JOIN pragma_table_info(m.name) c "
        "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, c.cid"
    )
    columns: dict[str, list[str]] = {}
    for r in rows:
        columns.setdefault(str(r["table_name"]), []).append(str(r["column_name"]))
    found = []
    for table, names in columns.items():
        key = next((k for k in PERSON_KEYS if k in names), None)
        if key is not None:
            found.append(PersonTable(table, key, tuple(names)))
    return found
