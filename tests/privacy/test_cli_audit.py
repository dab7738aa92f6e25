"""The command line's look at personal data is audited, and the files it writes are private."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from bot.app import open_app
from bot.cli import main
from bot.cli.output import open_private, os_user
from bot.clock import FixedClock
from bot.config import Settings
from tests import factories_queue as fq
from tests.factories_queue import AYLA, KIM


@pytest.fixture
def seeded(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> dict[str, int]:
    """Two caseloads with a November declaration of Ayla; the CLI pointed at that database."""

    async def seed() -> dict[str, int]:
        async with open_app(settings, clock) as app:
            ids = await fq.caseloads(app, clock.now())
            await fq.submit(app, clock.now(), ids[AYLA], "2026-11")
            return ids

    ids = asyncio.run(seed())
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PTO_PROOF_DIR", str(settings.proof_dir))
    monkeypatch.setenv("PTO_DEMO", "false")
    monkeypatch.chdir(tmp_path)
    return ids


def audit_rows(settings: Settings, clock: FixedClock) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        async with open_app(settings, clock) as app, app.services.db.read() as tx:
            rows = await tx.all(
                "SELECT actor_id, action, subject_id, details FROM audit_log "
                "WHERE action LIKE 'cli.%' ORDER BY id"
            )
        return [{"actor": r[0], "action": r[1], "subject": r[2], **json.loads(r[3])} for r in rows]

    return asyncio.run(read())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_digest_dossier_and_export_each_write_an_audit_entry_with_ids_not_names(
    seeded: dict[str, int], settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    assert main(["digest", "--klantmanager", KIM, "--out", str(tmp_path / "d.txt")]) == 0
    assert main(["dossier", "--participant", AYLA, "--out", str(tmp_path / "a.html")]) == 0
    assert main(["export", "--period", "2026-11"]) == 0  # to stdout
    assert main(["dossier", "--participant", "Niemand", "--out", str(tmp_path / "x.html")]) == 1
    digest, dossier, export = audit_rows(settings, clock)
    assert [digest["action"], dossier["action"], export["action"]] == [
        "cli.digest",
        "cli.dossier",
        "cli.export",
    ]
    for entry in (digest, dossier, export):
        assert entry["actor"] is None
        assert entry["os_user"] == os_user() != ""
        assert all(isinstance(pid, int) for pid in entry["participants"])
        assert AYLA not in json.dumps(entry)  # ids, never names
    assert digest["command"] == "ptobot digest"
    assert seeded[AYLA] in digest["participants"]
    assert digest["out"] == str(tmp_path / "d.txt")
    assert (dossier["subject"], dossier["participants"]) == (seeded[AYLA], [seeded[AYLA]])
    assert dossier["out"] == str(tmp_path / "a.html")
    assert (export["participants"], export["out"], export["period"]) == (
        [seeded[AYLA]],
        "stdout",
        "2026-11",
    )


def test_the_os_user_falls_back_gracefully(monkeypatch: pytest.MonkeyPatch) -> None:
    def nobody() -> str:
        raise OSError("no user")

    monkeypatch.setattr("getpass.getuser", nobody)
    assert os_user() == f"uid {os.getuid()}"


def test_files_with_personal_data_are_created_0600(seeded: dict[str, int], tmp_path: Path) -> None:
    old = os.umask(0o022)  # a usual umask would leave new files world-readable
    try:
        paths = [tmp_path / "d.html", tmp_path / "a.html", tmp_path / "nov.csv"]
        html = ["--format", "html", "--out", str(paths[0])]
        assert main(["digest", "--klantmanager", KIM, *html]) == 0
        assert main(["dossier", "--participant", AYLA, "--out", str(paths[1])]) == 0
        assert main(["export", "--period", "2026-11", "--out", str(paths[2])]) == 0
    finally:
        os.umask(old)
    for path in paths:
        assert mode(path) == 0o600, path
        assert path.stat().st_size > 0


def test_an_existing_file_is_made_0600_before_it_is_overwritten(
    seeded: dict[str, int], tmp_path: Path
) -> None:
    sheet = tmp_path / "nov.csv"
    sheet.write_text("old content that is longer than nothing\n" * 100, encoding="utf-8")
    sheet.chmod(0o644)
    assert main(["export", "--period", "2026-11", "--out", str(sheet)]) == 0
    assert mode(sheet) == 0o600
    text = sheet.read_text(encoding="utf-8")
    assert "old content" not in text
    assert text.count("PTO-2026-11-") == 1


def test_no_moment_where_the_new_data_is_readable_by_others(tmp_path: Path) -> None:
    existing = tmp_path / "existing.txt"
    existing.write_text("x", encoding="utf-8")
    existing.chmod(0o666)
    for path in (tmp_path / "new.txt", existing):
        with open_private(path) as handle:
            assert mode(path) == 0o600  # before a byte is written
            assert path.stat().st_size == 0
            handle.write("personal")
        assert path.read_text(encoding="utf-8") == "personal"
