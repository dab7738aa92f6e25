"""PostgreSQL's catalogue: `information_schema` (see `bot/storage/schema.py`)."""

from __future__ import annotations

from bot.storage.tables import PERSON_KEYS, PersonTable
from bot.storage.unit import Tx

# The migrations' own bookkeeping, not the installation's data.
INTERNAL = ("schema_migrations",)


async def has_table(tx: Tx, name: str) -> bool:
    """True when the table `name` exists in the current schema."""
    return bool(
        await tx.scalar(
            "SELECT 1 FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name = ?",
            (name,),
        )
    )


async def table_names(tx: Tx) -> list[str]:
    """The installation's tables, by name (not the migrations' own table)."""
    rows = await tx.all(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    return [str(r[0]) for r in rows if str(r[0]) not in INTERNAL]


async def foreign_keys(tx: Tx) -> list[tuple[str, str, str]]:
    """Every foreign key as (table, column, referenced table)."""
    rows = await tx.all(
        "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text "
        "FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid "
        "AND a.attnum = ANY (c.conkey) WHERE c.contype = 'f' "
        "AND c.connamespace = current_schema()::regnamespace ORDER BY 1, 2"
    )
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


async def after_copy(tx: Tx, tables: list[str]) -> None:
    """Rows were copied in with their ids: each identity continues after the largest one."""
    with_id = {
        str(r[0])
        for r in await tx.all(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'id'"
        )
    }
    for table in (t for t in tables if t in with_id):
        sequence = await tx.scalar("SELECT pg_get_serial_sequence(?, 'id')", (table,))
        if sequence:
            await tx.scalar(
                f'SELECT setval(?, COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)',  # noqa: S608
                (sequence,),
            )


async def tables_with_person_columns(tx: Tx) -> list[PersonTable]:
    """Every table with a `participant_id` or `person_id` column (that one first), by name."""
    rows = await tx.all(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
        "AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE' "
        "WHERE c.table_schema = current_schema() ORDER BY c.table_name, c.ordinal_position"
    )
    columns: dict[str, list[str]] = {}
    for r in rows:
        if str(r["table_name"]) not in INTERNAL:
            columns.setdefault(str(r["table_name"]), []).append(str(r["column_name"]))
    found = []
    for table, names in columns.items():
        key = next((k for k in PERSON_KEYS if k in names), None)
        if key is not None:
            found.append(PersonTable(table, key, tuple(names)))
    return found
