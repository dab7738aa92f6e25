"""Retention: `purge` deletes what is past its term (files too); a dry run changes nothing."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.cli import main
from bot.clock import SystemClock, utc_iso
from bot.config import Settings
from bot.services.privacy import purge
from bot.storage import schema
from bot.storage.unit import Tx
from tests.privacy import data
from tests.privacy.conftest import Folks, seed_folks

DAY = timedelta(days=1)


async def _has(tx: Tx, table: str) -> bool:
    return await schema.has_table(tx, table)


async def _state(tx: Tx, person_id: int, at: datetime) -> None:
    await tx.execute(
        "INSERT INTO conversation_state (person_id, flow, step, data, updated_at) "
        "VALUES (?, 'declaration', 'revenue', '{\"revenue\": 4200}', ?)",
        (person_id, utc_iso(at)),
    )


async def _draft(tx: Tx, person_id: int, period: str, at: datetime) -> None:
    if await _has(tx, "declaration_drafts"):
        await tx.execute(
            "INSERT INTO declaration_drafts (participant_id, period, nonce, step, data, "
            "created_at, updated_at) VALUES (?, ?, 'n', 'revenue', '{}', ?, ?)",
            (person_id, period, utc_iso(at), utc_iso(at)),
        )


async def _history(app: App, settings: Settings, folks: Folks, now: datetime) -> dict[str, Path]:
    """Old and recent data of Ayla and Bram; returns the proof files by name."""
    files: dict[str, Path] = {}
    proof_dir = settings.proof_dir
    ayla, bram = folks.ayla.id, folks.bram.id
    async with app.services.db.transaction() as tx:
        await _state(tx, ayla, now - 31 * DAY)  # stale: goes
        await _state(tx, bram, now - DAY)  # recent: stays
        await _draft(tx, ayla, "2026-10", now - 31 * DAY)
        await _draft(tx, bram, "2026-10", now - DAY)
        # draft proofs: Ayla's old one goes; Bram's old one belongs to a live draft and stays
        files["ayla_draft"] = await data.proof(
            tx, proof_dir, ayla, "2026-10", "oud.pdf", now - 40 * DAY, relative=True
        )
        files["bram_draft"] = await data.proof(
            tx, proof_dir, bram, "2026-10", "live.pdf", now - 40 * DAY
        )
        files["ayla_new_draft"] = await data.proof(
            tx, proof_dir, ayla, "2026-11", "nieuw.pdf", now - 5 * DAY
        )
        # declarations: a month whose latest version is past ten years goes with its proof
        old1 = await data.declaration(
            tx,
            ayla,
            "2015-11",
            "PTO-2015-11-0001",
            100,
            datetime.fromisoformat("2015-12-05T10:00:00+00:00"),
        )
        await data.declaration(
            tx,
            ayla,
            "2015-11",
            "PTO-2015-11-0002",
            200,
            datetime.fromisoformat("2016-01-10T10:00:00+00:00"),
            version=2,
        )
        files["ayla_old_decl"] = await data.proof(
            tx,
            proof_dir,
            ayla,
            "2015-11",
            "2015.pdf",
            datetime.fromisoformat("2016-11-01T10:00:00+00:00"),
            old1,
        )
        # a month corrected within the term stays whole
        await data.declaration(
            tx,
            ayla,
            "2016-10",
            "PTO-2016-10-0001",
            300,
            datetime.fromisoformat("2016-11-05T10:00:00+00:00"),
        )
        await data.declaration(
            tx,
            ayla,
            "2016-10",
            "PTO-2016-10-0002",
            400,
            datetime.fromisoformat("2017-02-01T10:00:00+00:00"),
            version=2,
        )
        recent = await data.declaration(tx, bram, "2026-11", "PTO-2026-11-0001", 500, now)
        files["bram_recent"] = await data.proof(
            tx, proof_dir, bram, "2026-11", "bon.pdf", now, recent
        )
        old_at = datetime.fromisoformat("2015-06-01T10:00:00+00:00")
        await data.hours(tx, ayla, "2015-W22", 10, old_at)
        await data.hours(tx, ayla, "2026-W48", 11, now)
        await data.queue_item(tx, folks.km.id, ayla, None, old_at, "oud")
        await tx.execute(
            "INSERT INTO processed_updates VALUES ('telegram', '1', ?), ('telegram', '2', ?)",
            (utc_iso(now - 8 * DAY), utc_iso(now - DAY)),
        )
        await tx.execute(
            "INSERT INTO invite_attempts VALUES ('telegram', 'h1', ?), ('telegram', 'h2', ?)",
            (utc_iso(now - 3 * DAY), utc_iso(now)),
        )
    exports = proof_dir / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    stamp = (now - 2 * DAY).strftime("%Y%m%d-%H%M%S")
    files["old_export"] = exports / f"mijngegevens-{stamp}-0123abcd.json"
    files["old_export"].write_text("{}")
    files["new_export"] = exports / f"mijngegevens-{now:%Y%m%d-%H%M%S}-89abcdef.json"
    files["new_export"].write_text("{}")
    return files


async def _dump(app: App) -> dict[str, list[tuple[object, ...]]]:
    async with app.services.db.read() as tx:
        tables = await schema.table_names(tx)
        return {
            t: [tuple(r) for r in await tx.all(f'SELECT * FROM "{t}"')]  # noqa: S608
            for t in tables
        }


EXPECTED = {
    "conversation_states": 1,
    "draft_proofs": 1,
    "declarations": 2,
    "proofs": 1,
    "weekly_hours": 1,
    "queue_items": 1,
    "processed_updates": 1,
    "invite_attempts": 1,
    "files": 2,
    "exports": 1,
}


async def test_a_dry_run_counts_and_changes_nothing(
    app: App, settings: Settings, folks: Folks
) -> None:
    now = app.services.clock.now()
    files = await _history(app, settings, folks, now)
    before = await _dump(app)
    report = await purge(
        app.services.db, app.services.policy, now, dry_run=True, proof_dir=settings.proof_dir
    )
    assert report.dry_run
    counts = report.counts()
    for name, expected in EXPECTED.items():
        assert counts[name] == expected, name
    assert counts["audit_entries"] >= 1
    assert await _dump(app) == before
    assert all(p.exists() for p in files.values())


async def test_purge_deletes_what_is_past_its_term_and_keeps_the_rest(
    app: App, settings: Settings, folks: Folks
) -> None:
    now = app.services.clock.now()
    files = await _history(app, settings, folks, now)
    dry = await purge(
        app.services.db, app.services.policy, now, dry_run=True, proof_dir=settings.proof_dir
    )
    report = await purge(app.services.db, app.services.policy, now, proof_dir=settings.proof_dir)
    assert not report.dry_run
    assert report.counts() == dry.counts()
    gone = {"ayla_draft", "ayla_old_decl", "old_export"}
    for name, path in files.items():
        assert path.exists() == (name not in gone), name
    async with app.services.db.read() as tx:
        states = [r[0] for r in await tx.all("SELECT person_id FROM conversation_state")]
        refs = [r[0] for r in await tx.all("SELECT reference FROM declarations ORDER BY id")]
        weeks = [r[0] for r in await tx.all("SELECT week FROM weekly_hours")]
        queue = await tx.scalar("SELECT COUNT(*) FROM queue_items")
        updates = [r[0] for r in await tx.all("SELECT update_id FROM processed_updates")]
        attempts = [r[0] for r in await tx.all("SELECT address FROM invite_attempts")]
        proofs = sorted(r[0] for r in await tx.all("SELECT original_name FROM proofs"))
        drafts = (
            [r[0] for r in await tx.all("SELECT participant_id FROM declaration_drafts")]
            if await _has(tx, "declaration_drafts")
            else [folks.bram.id]
        )
    assert states == [folks.bram.id]
    assert drafts == [folks.bram.id]
    assert refs == ["PTO-2016-10-0001", "PTO-2016-10-0002", "PTO-2026-11-0001"]
    assert weeks == ["2026-W48"]
    assert queue == 0
    assert updates == ["2"]
    assert attempts == ["h2"]
    assert proofs == ["bon.pdf", "live.pdf", "nieuw.pdf"]
    again = await purge(app.services.db, app.services.policy, now, proof_dir=settings.proof_dir)
    assert again.total == 0


async def test_purge_without_a_proof_dir_uses_the_stored_absolute_paths(
    app: App, settings: Settings, folks: Folks
) -> None:
    """The scheduler may call `purge(db, policy, now)` exactly like that."""
    now = app.services.clock.now()
    async with app.services.db.transaction() as tx:
        path = await data.proof(
            tx, settings.proof_dir, folks.ayla.id, "2026-09", "a.pdf", now - 40 * DAY
        )
    report = await purge(app.services.db, app.services.policy, now)
    assert report.draft_proofs == 1
    assert report.files == 1
    assert not path.exists()


def test_the_cli_prints_the_counts(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PTO_PROOF_DIR", str(settings.proof_dir))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "")

    async def prepare() -> dict[str, Path]:
        now = SystemClock().now()
        async with open_app(settings) as app:
            folks = await seed_folks(app, now)
            return await _history(app, settings, folks, now)

    files = asyncio.run(prepare())
    assert main(["purge", "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["dry_run"] is True
    assert dry["declarations"] == 2
    assert all(p.exists() for p in files.values())
    assert main(["purge"]) == 0
    out = capsys.readouterr().out
    assert "Deleted" in out
    assert "declarations: 2" in out
    assert not files["ayla_old_decl"].exists()
    assert main(["purge", "--dry-run"]) == 0
    assert "Dry run: nothing deleted. A purge would delete 0 item(s)" in capsys.readouterr().out


@pytest.mark.sqlite_only  # reads the SQLite file's bytes
async def test_purged_rows_do_not_linger_in_the_database_file(
    app: App, settings: Settings, folks: Folks
) -> None:
    now = app.services.clock.now()
    await _history(app, settings, folks, now)
    async with app.services.db.read() as tx:
        assert await tx.scalar("PRAGMA secure_delete") == 1
    await purge(app.services.db, app.services.policy, now, proof_dir=settings.proof_dir)
    await app.services.db.close()
    db = settings.database_path
    stored = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    for purged in (b"PTO-2015-11-0001", b"PTO-2015-11-0002", b"oud.pdf", b"2015-W22"):
        assert purged not in stored, purged


async def test_a_file_shared_with_a_kept_proof_stays(
    app: App, settings: Settings, folks: Folks
) -> None:
    """Proof files are stored by content: an old draft row may share its file with a newer row."""
    now = app.services.clock.now()
    async with app.services.db.transaction() as tx:
        path = await data.proof(
            tx, settings.proof_dir, folks.ayla.id, "2026-10", "x.pdf", now - 40 * DAY
        )
        await tx.execute(
            "INSERT INTO proofs (participant_id, period, sha256, path, mime, size, created_at) "
            "VALUES (?, '2026-10', 'abc', ?, 'application/pdf', 9, ?)",
            (folks.ayla.id, str(path), utc_iso(now)),
        )
    report = await purge(app.services.db, app.services.policy, now, proof_dir=settings.proof_dir)
    assert report.draft_proofs == 1
    assert report.files == 0
    assert path.exists()


def test_relative_proof_paths_resolve_in_the_proof_folder(tmp_path: Path) -> None:
    from bot.services.privacy import resolve_proof_path as _resolve

    proof_dir = Path("data/proof")
    assert _resolve("data/proof/3/2026-11/ab.pdf", proof_dir) == Path(
        "data/proof/3/2026-11/ab.pdf"
    )
    assert _resolve("3/2026-11/ab.pdf", proof_dir) == Path("data/proof/3/2026-11/ab.pdf")
    assert _resolve(str(tmp_path / "a.pdf"), proof_dir) == tmp_path / "a.pdf"


async def test_the_scheduled_purge_job_runs_this_purge(
    app: App, settings: Settings, folks: Folks
) -> None:
    from scheduler.jobs import run_job

    now = app.services.clock.now()
    files = await _history(app, settings, folks, now)
    dry = await run_job(app.services, "purge", now, dry_run=True)
    assert "declarations=2" in " ".join(dry.lines)
    assert files["ayla_old_decl"].exists()
    done = await run_job(app.services, "purge", now)
    assert "dry_run=False" in " ".join(done.lines)
    assert not files["ayla_old_decl"].exists()
