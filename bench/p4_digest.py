"""P4: the Monday digests for 1,000 klantmanagers with 50 participants each."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import seed
from bench.common import Result, check, unavailable
from bot.domain.policy import load_policy
from bot.storage.sqlite.db import Database
from messages.digest import render_chat_parts

MONDAY = datetime(2026, 12, 7, 8, 5, tzinfo=UTC)  # 09:05 in Amsterdam


async def run(quick: bool) -> list[Result]:
    """Seed the caseloads, then time `weekly_digests` (it writes every digest to the outbox)."""
    try:
        from bot.services import digest
    except ImportError as exc:
        return [unavailable("P4", "weekly digests", str(exc), "≤ 5 s")]
    klantmanagers = 100 if quick else 1000
    with tempfile.TemporaryDirectory(prefix="pto-bench-p4-") as tmp:
        path = Path(tmp) / "p4.db"
        await seed.migrate_async(path)
        seed.seed(
            path,
            klantmanagers * 50,
            klantmanagers=klantmanagers,
            coaches=max(1, klantmanagers // 4),
            history_months=4,
            history_weeks=6,
        )
        db = await Database.open(path)
        try:
            began = time.perf_counter()
            count = await digest.weekly_digests(
                db, load_policy(None), MONDAY, render=render_chat_parts
            )
            elapsed = time.perf_counter() - began
            async with db.read() as tx:
                parts = await tx.scalar("SELECT COUNT(*) FROM outbox")
        finally:
            await db.close()
    target = 5.0 * klantmanagers / 1000
    return [
        Result(
            "P4",
            f"weekly digests, {klantmanagers:,} klantmanagers × 50",
            elapsed,
            "s",
            "≤ 5 s" if not quick else f"≤ {target:.1f} s (scaled)",
            check(elapsed, target),
            f"wall time of one weekly_digests run (read, render, write to the outbox): "
            f"{count} digests, {parts} chat parts in the outbox",
        )
    ]
