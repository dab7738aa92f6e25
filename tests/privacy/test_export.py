"""/mijngegevens: a participant gets their own data and proof files, and nobody else's."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.app import App
from bot.clock import FixedClock
from bot.config import Settings
from bot.services.personal_data import export_own_data
from messages import render
from tests.privacy import data
from tests.privacy.conftest import Folks, command

SECRET_NOTE = "Bellen over de caravan"  # a klantmanager's working note


def _read(path: Path) -> tuple[int, str]:
    return path.stat().st_mode, path.read_text(encoding="utf-8")


def _exists(path: Path) -> bool:
    return path.is_file()


async def _history(app: App, settings: Settings, folks: Folks, clock: FixedClock) -> None:
    now = clock.now()
    async with app.services.db.transaction() as tx:
        for who, ref, cents in (
            (folks.ayla, "PTO-2026-11-0001", 123_456),
            (folks.bram, "PTO-2026-11-0002", 987_654),
        ):
            decl = await data.declaration(tx, who.id, "2026-11", ref, cents, now)
            await data.proof(
                tx,
                settings.proof_dir,
                who.id,
                "2026-11",
                f"bon-{who.name.split()[0]}.pdf",
                now,
                decl,
            )
            km = folks.km if who is folks.ayla else folks.other_km
            await data.queue_item(tx, km.id, who.id, decl, now, SECRET_NOTE)
            await data.hours(tx, who.id, "2026-W45", 12.5, now)
        await data.proof(
            tx, settings.proof_dir, folks.ayla.id, "2026-12", "draft-bon.pdf", now, relative=True
        )


async def test_a_participant_receives_own_data_and_proofs_only(
    app: App, settings: Settings, folks: Folks, clock: FixedClock
) -> None:
    await _history(app, settings, folks, clock)
    outcome = await app.dispatcher.handle(command(folks.ayla.address, "/mijngegevens"))
    keys = [r.key for r in outcome.replies]
    assert keys == ["privacy/export_ready", "privacy/export_proof", "privacy/export_proof"]
    first = outcome.replies[0]
    assert first.document is not None
    export = Path(first.document)
    assert export.parent == settings.proof_dir / "exports"
    mode, body = _read(export)
    assert mode & 0o077 == 0  # readable by the bot only
    dumped = json.loads(body)
    assert dumped["person"]["name"] == "Ayla Voorbeeld"
    assert [d["reference"] for d in dumped["declarations"]] == ["PTO-2026-11-0001"]
    assert dumped["declarations"][0]["revenue_cents"] == 123_456
    assert dumped["participant"]["klantmanager"] == "Kim Klantmanager"
    assert {p["original_name"] for p in dumped["proofs"]} == {"bon-Ayla.pdf", "draft-bon.pdf"}
    assert dumped["weekly_hours"] == [{"week": "2026-W45", "hours": 12.5, "source": "checkin"}]
    assert [q["state"] for q in dumped["queue_items"]] == ["afgehandeld"]
    assert any(a["action"] == "queue.done" for a in dumped["audit_log"])
    # nothing of Bram, and no klantmanager notes
    for foreign in ("Bram", "PTO-2026-11-0002", "987654", "Karel", SECRET_NOTE):
        assert foreign not in body, foreign
    sent = [Path(r.document or "") for r in outcome.replies[1:]]
    assert all(p.is_file() and f"/{folks.ayla.id}/" in str(p) for p in sent)
    assert {p.name for p in sent} == {"2026-11-bon-Ayla.pdf", "2026-12-draft-bon.pdf"}
    text = render(first.key, outcome.locale, **first.ctx)
    assert "2 bonnetjes" in text


async def test_the_export_is_in_the_audit_log(
    app: App, settings: Settings, folks: Folks, clock: FixedClock
) -> None:
    await app.dispatcher.handle(command(folks.ayla.address, "/mijngegevens"))
    async with app.services.db.read() as tx:
        rows = await tx.all(
            "SELECT actor_id, subject_id FROM audit_log WHERE action = 'data.exported'"
        )
    assert [(r["actor_id"], r["subject_id"]) for r in rows] == [(folks.ayla.id, folks.ayla.id)]


async def test_other_roles_are_refused(app: App, folks: Folks) -> None:
    for who in (folks.km, folks.coach, folks.admin):
        outcome = await app.dispatcher.handle(command(who.address, "/mijngegevens"))
        assert [r.key for r in outcome.replies] == ["common/not_allowed"]
    stranger = await app.dispatcher.handle(command("31337", "/mijngegevens"))
    assert [r.key for r in stranger.replies] == ["onboarding/need_invite"]


async def test_a_proof_row_pointing_outside_the_proof_folder_is_not_sent(
    app: App, settings: Settings, folks: Folks, clock: FixedClock, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.pdf"
    outside.write_bytes(b"%PDF-1.4 not a proof")
    async with app.services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO proofs (participant_id, period, sha256, path, mime, size, created_at) "
            "VALUES (?, '2026-11', 'x', ?, 'application/pdf', 1, '2026-11-30T10:00:00+00:00')",
            (folks.ayla.id, "../elsewhere.pdf"),
        )
    outcome = await app.dispatcher.handle(command(folks.ayla.address, "/mijngegevens"))
    assert [r.key for r in outcome.replies] == ["privacy/export_ready"]
    assert outcome.replies[0].ctx["missing"] == 1


async def test_export_own_data_covers_later_tables_without_notes(
    app: App, folks: Folks, clock: FixedClock
) -> None:
    async with app.services.db.transaction() as tx:
        await tx.execute(
            "CREATE TABLE probe_extra (participant_id INTEGER, value TEXT, km_note TEXT)"
        )
        await tx.execute(
            "INSERT INTO probe_extra VALUES (?, 'mine', 'secret'), (?, 'theirs', 'secret')",
            (folks.ayla.id, folks.bram.id),
        )
        dumped = await export_own_data(tx, folks.ayla.id)
    assert dumped["other"]["probe_extra"] == [{"participant_id": folks.ayla.id, "value": "mine"}]
    json.dumps(dumped)  # JSON-able


async def test_old_export_files_are_cleaned_up_by_the_next_export(
    app: App, settings: Settings, folks: Folks, clock: FixedClock
) -> None:
    first = await app.dispatcher.handle(command(folks.ayla.address, "/mijngegevens"))
    old = Path(first.replies[0].document or "")
    clock.advance(timedelta(days=2))
    second = await app.dispatcher.handle(command(folks.bram.address, "/mijngegevens"))
    assert not _exists(old)
    assert _exists(Path(second.replies[0].document or ""))
