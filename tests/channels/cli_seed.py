"""A seeded database for in-process `bot.cli.main` tests: two caseloads of invented people."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from bot.app import open_app
from bot.clock import FixedClock
from bot.config import Settings
from tests import factories_queue as fq


def seed_cli(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> dict[str, int]:
    """Kim (Ayla, Bram), Karin (Dirk), coach Cas; a November declaration of Ayla. The command
    line (in this process) is pointed at that database. Name → id."""

    async def seed() -> dict[str, int]:
        async with open_app(settings, clock) as app:
            ids = await fq.caseloads(app, clock.now())
            await fq.submit(app, clock.now(), ids[fq.AYLA], "2026-11")
            return ids

    ids = asyncio.run(seed())
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PTO_PROOF_DIR", str(settings.proof_dir))
    monkeypatch.setenv("PTO_DEMO", "false")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.chdir(tmp_path)
    return ids


def query(settings: Settings, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of one read-only query on the test database (the SQL stays in tests)."""

    async def read() -> list[tuple[Any, ...]]:
        async with open_app(settings) as app, app.services.db.read() as tx:
            return [tuple(r) for r in await tx.all(sql, params)]

    return asyncio.run(read())


def audit_entries(settings: Settings, action: str) -> list[dict[str, Any]]:
    """The audit entries of one action, details unpacked, oldest first."""
    rows = query(
        settings,
        "SELECT actor_id, subject_id, details FROM audit_log WHERE action = ? ORDER BY id",
        (action,),
    )
    return [{"actor": a, "subject": s, **json.loads(d)} for a, s, d in rows]
