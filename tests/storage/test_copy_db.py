"""`ptobot copy-db`: the demo installation moves from SQLite to PostgreSQL and back, row for row;
a non-empty target is refused; the bot runs on the copy."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot import demo
from bot.app import open_app
from bot.cli import main
from bot.clock import FixedClock
from bot.config import Settings
from bot.domain.models import Role
from bot.storage import people, schema
from bot.storage.backends import open_database
from bot.storage.copy import CopyRefused, copy_order
from tests.pg_cluster import fresh_database


async def _dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    db = await open_database(url)
    try:
        async with db.read() as tx:
            return {
                t: sorted(tuple(r) for r in await tx.all(f'SELECT * FROM "{t}"'))  # noqa: S608
                for t in await schema.table_names(tx)
            }
    finally:
        await db.close()


async def _demo(tmp_path: Path, clock: FixedClock) -> str:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    settings = Settings(database_url=url, proof_dir=tmp_path / "proof", demo=True)
    async with open_app(settings, clock) as app:
        assert await demo.seed_if_empty(app.services.db, clock.now(), settings.proof_dir)
    return url


def test_the_demo_moves_to_postgres_and_back_row_for_row(
    tmp_path: Path,
    postgres_server: str,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    source = asyncio.run(_demo(tmp_path, clock))
    before = asyncio.run(_dump(source))
    assert sum(len(rows) for rows in before.values()) > 50
    with fresh_database(postgres_server) as target:
        assert main(["copy-db", "--from", source, "--to", target]) == 0
        out = capsys.readouterr().out
        assert "counts verified" in out
        assert "geheim" not in out
        assert asyncio.run(_dump(target)) == before

        # A second copy into the same target is refused, and nothing changes.
        assert main(["copy-db", "--from", source, "--to", target]) == 1
        assert "the target is not empty" in capsys.readouterr().err
        assert asyncio.run(_dump(target)) == before

        # The bot runs on the copy: the demo is recognised, a new row gets a fresh id.
        settings = Settings(database_url=target, proof_dir=tmp_path / "proof", demo=True)
        assert asyncio.run(_runs_on(settings, clock)) > max(r[0] for r in before["people"])

        back = f"sqlite:///{tmp_path / 'back.db'}"
        assert main(["copy-db", "--from", target, "--to", back, "--json"]) == 0
        capsys.readouterr()
        assert asyncio.run(_dump(back)) == asyncio.run(_dump(target))  # Nina included


async def _runs_on(settings: Settings, clock: FixedClock) -> int:
    """Open the app on the copy: the demo is recognised; a new person's id (fresh)."""
    async with open_app(settings, clock) as app:
        assert await demo.is_demo(app.services.db)
        async with app.services.db.transaction() as tx:
            return await people.insert_person(tx, "Nina Nieuw", Role.PARTICIPANT, clock.now())


def test_a_missing_source_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = f"sqlite:///{tmp_path / 'nothing.db'}"
    assert main(["copy-db", "--from", missing, "--to", f"sqlite:///{tmp_path / 'b.db'}"]) == 1
    assert "no database file" in capsys.readouterr().err
    assert not (tmp_path / "nothing.db").exists()


def test_tables_go_after_the_tables_they_refer_to() -> None:
    keys = [("outbox", "person_id", "people"), ("outbox", "edit_of", "outbox")]
    keys += [
        ("reminder_keys", "outbox_id", "outbox"),
        ("reminder_keys", "participant_id", "people"),
    ]
    assert copy_order(["reminder_keys", "outbox", "people", "meta"], keys) == [
        "meta",
        "people",
        "outbox",
        "reminder_keys",
    ]
    with pytest.raises(CopyRefused, match="circle"):
        copy_order(["a", "b"], [("a", "x", "b"), ("b", "y", "a")])
