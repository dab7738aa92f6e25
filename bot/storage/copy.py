"""Moving house: every table of one installation's database into an empty other one.

`ptobot copy-db --from sqlite:///data/pto.db --to postgresql://…` (or the other way round) reads
the source in one snapshot and writes the target in one transaction: all of it or nothing. Rows
keep their ids, so every reference between rows (and each proof's path to its file) stays
true; the target's identities continue after the largest id. Tables go parents first (by their
foreign keys); a table that refers to itself gets those columns filled in afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.storage import schema
from bot.storage.unit import Database, Tx


class CopyRefused(Exception):
    """The copy cannot be made (nothing was written)."""


def copy_order(tables: Sequence[str], keys: Sequence[tuple[str, str, str]]) -> list[str]:
    """`tables` with every referenced table before the tables that refer to it."""
    needs = {t: {ref for table, _, ref in keys if table == t and ref != t} for t in tables}
    order: list[str] = []
    while needs:
        ready = sorted(t for t, refs in needs.items() if not refs - set(order))
        if not ready:
            raise CopyRefused(f"the tables refer to each other in a circle: {sorted(needs)}")
        order.extend(ready)
        for t in ready:
            del needs[t]
    return order


async def _refuse_unless_empty(tx: Tx, tables: Sequence[str]) -> None:
    for table in tables:
        if await tx.scalar(f'SELECT 1 FROM "{table}" LIMIT 1'):  # noqa: S608 - from the catalogue
            raise CopyRefused(f"the target is not empty (table {table} has rows)")


async def _copy_table(src: Tx, dst: Tx, table: str, later: Sequence[str]) -> int:
    """Copy one table's rows; columns in `later` (references to the same table) are set after
    every row is in. Returns the number of rows."""
    rows = await src.all(f'SELECT * FROM "{table}"')  # noqa: S608 - a name from the catalogue
    if not rows:
        return 0
    columns = list(rows[0].keys())
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    await dst.executemany(
        f'INSERT INTO "{table}" ({names}) VALUES ({marks})',  # noqa: S608
        [[None if c in later else r[c] for c in columns] for r in rows],
    )
    for column in later:
        await dst.executemany(
            f'UPDATE "{table}" SET "{column}" = ? WHERE id = ?',  # noqa: S608
            [(r[column], r["id"]) for r in rows if r[column] is not None],
        )
    return len(rows)


async def copy_database(source: Database, target: Database) -> Mapping[str, int]:
    """Copy every table of `source` into `target` (migrated first, and empty); the number of
    rows per table, each checked against the target afterwards."""
    await target.migrate()
    have, want = await source.version(), await target.version()
    if have != want:
        raise CopyRefused(
            f"the source is at migration {have}, the target at {want}: "
            "run ptobot migrate on the source first"
        )
    counts: dict[str, int] = {}
    async with source.read() as src, target.transaction() as dst:
        tables = await schema.table_names(src)
        if sorted(tables) != sorted(await schema.table_names(dst)):
            raise CopyRefused("the source and the target do not have the same tables")
        await _refuse_unless_empty(dst, tables)
        keys = await schema.foreign_keys(src)
        for table in copy_order(tables, keys):
            later = [column for t, column, ref in keys if t == table and ref == table]
            counts[table] = await _copy_table(src, dst, table, later)
        await schema.after_copy(dst, tables)
        for table, expected in counts.items():
            found = await dst.scalar(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
            if found != expected:
                raise CopyRefused(f"table {table}: {found} rows in the target, {expected} copied")
    return counts
