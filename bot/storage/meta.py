"""Small key-value facts about the installation (the meta table)."""

from __future__ import annotations

from bot.storage.unit import Tx


async def meta_get(tx: Tx, key: str) -> str | None:
    """A value from the meta table."""
    value = await tx.scalar("SELECT value FROM meta WHERE key = ?", (key,))
    return None if value is None else str(value)


async def meta_set(tx: Tx, key: str, value: str) -> None:
    """Store a value in the meta table."""
    await tx.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
