"""`ptobot delegate --list` shows the running delegations; `--cancel` ends one, audited, and the
colleague's view of the caseload ends with it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.app import open_app
from bot.cli import main
from bot.clock import FixedClock
from bot.config import Settings
from bot.services import access
from bot.storage import people
from tests.channels.cli_seed import audit_entries, query, seed_cli
from tests.factories_queue import AYLA, KARIN, KIM


@pytest.fixture
def seeded(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> dict[str, int]:
    return seed_cli(settings, tmp_path, monkeypatch, clock)


def karin_sees(settings: Settings) -> list[str]:
    async def read() -> list[str]:
        async with open_app(settings) as app, app.services.db.read() as tx:
            karin = await people.person_by_name(tx, KARIN)
            assert karin is not None
            seen = await access.visible_participants(tx, karin, app.services.clock.now())
            return [name for _, name, _ in seen]

    return asyncio.run(read())


def test_list_then_cancel(
    seeded: dict[str, int], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["delegate", "--list"]) == 0
    assert capsys.readouterr().out.strip() == "No delegations are running."
    assert main(["delegate", "--from", "kim", "--to", "karin", "--until", "2099-12-31"]) == 0
    assert main(["delegate", "--from", "karin", "--to", "kim", "--until", "2099-01-31"]) == 0
    capsys.readouterr()
    assert main(["delegate", "--list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"from": KARIN, "to": KIM, "until": "2099-01-31"},
        {"from": KIM, "to": KARIN, "until": "2099-12-31"},
    ]
    assert main(["delegate", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["FROM", "TO", "UNTIL"]
    assert lines[2].split() == [*KIM.split(), *KARIN.split(), "2099-12-31"]
    assert AYLA in karin_sees(settings)

    assert main(["delegate", "--cancel", "--from", "Kim", "--to", "Karin"]) == 0
    said = capsys.readouterr().out
    assert f"{KARIN} no longer sees the caseload of {KIM}" in said
    assert AYLA not in karin_sees(settings)
    assert query(settings, "SELECT from_id, to_id FROM delegations") == [
        (seeded[KARIN], seeded[KIM])
    ]
    (cancelled,) = audit_entries(settings, "queue.delegation_cancelled")
    assert (cancelled["from"], cancelled["to"], cancelled["until"]) == (
        seeded[KIM],
        seeded[KARIN],
        "2099-12-31",
    )
    assert cancelled["actor"] is None
    assert KIM not in json.dumps(cancelled)


def test_cancel_what_is_not_running_changes_nothing(
    seeded: dict[str, int], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["delegate", "--cancel", "--from", "kim", "--to", "karin"]) == 1
    assert f"no running delegation from {KIM} to {KARIN}" in capsys.readouterr().err
    assert main(["delegate", "--cancel", "--from", "kim", "--to", "cas"]) == 1
    assert "cas is not a klantmanager" in capsys.readouterr().err
    assert main(["delegate", "--cancel", "--from", "kim"]) == 2
    assert "--to needed" in capsys.readouterr().err
    assert main(["delegate", "--from", "kim", "--to", "karin"]) == 2
    assert "--until needed" in capsys.readouterr().err
    assert audit_entries(settings, "queue.delegation_cancelled") == []


def test_an_expired_delegation_is_not_listed_nor_cancelled(
    seeded: dict[str, int], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    async def expired() -> None:
        async with open_app(settings) as app, app.services.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO delegations (from_id, to_id, until, created_at) "
                "VALUES (?, ?, '2020-01-31', '2020-01-01T00:00:00+00:00')",
                (seeded[KIM], seeded[KARIN]),
            )

    asyncio.run(expired())
    assert main(["delegate", "--list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["delegate", "--cancel", "--from", "kim", "--to", "karin"]) == 1
    assert audit_entries(settings, "queue.delegation_cancelled") == []
