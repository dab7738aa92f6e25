"""Several instances on one PostgreSQL need webhook mode: a second `ptobot run` that would poll
Telegram for the same bot is refused with one line (two pollers would take each other's
updates); instances in webhook mode run side by side (tests/e2e/test_instances.py)."""

from __future__ import annotations

from pathlib import Path

from bot.cli.run import POLLING_LOCK
from bot.storage.postgres import db as pg
from tests.channels.test_run_process import ptobot
from tests.e2e.harness import TOKEN
from tests.pg_cluster import fresh_database


async def test_a_second_polling_instance_is_refused(tmp_path: Path, postgres_server: str) -> None:
    with fresh_database(postgres_server) as url:
        first = await pg.Database.open(url)  # the instance that polls now
        try:
            async with first.exclusive(POLLING_LOCK) as polling:
                assert polling
                second = ptobot(
                    tmp_path,
                    "run",
                    DATABASE_URL=url,
                    TELEGRAM_BOT_TOKEN=TOKEN,
                    TELEGRAM_BASE_URL="http://127.0.0.1:9/bot",  # never reached
                )
        finally:
            await first.close()
    assert second.returncode == 2
    lines = [line for line in second.stderr.splitlines() if line.startswith("ptobot:")]
    assert len(lines) == 1, second.stderr  # beside the log (the migrations it applied)
    assert lines[0].startswith(
        "ptobot: another ptobot polls Telegram for this bot on postgresql://"
    )
    assert lines[0].endswith("several instances need webhook mode (TELEGRAM_WEBHOOK_URL)")
