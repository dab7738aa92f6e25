"""Reference numbers: one running sequence per series, e.g. a month of declarations (`2026-11`)
or of reported changes (`WIJZ:2026-11`)."""

from __future__ import annotations

from bot.storage.unit import Tx


async def next_number(tx: Tx, period: str) -> int:
    """Hand out the next sequence number of `period`, a series name (1, 2, ...)."""
    await tx.execute(
        "INSERT INTO declaration_sequences (period, last) VALUES (?, 1) "
        "ON CONFLICT (period) DO UPDATE SET last = declaration_sequences.last + 1",
        (period,),
    )
    last = await tx.scalar("SELECT last FROM declaration_sequences WHERE period = ?", (period,))
    return int(last)
