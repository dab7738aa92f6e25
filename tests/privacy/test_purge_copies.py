"""Purge means gone: once a month is past its term, no copy of it is left anywhere.

A participant declares two months (one corrected) in early 2016, with proofs, queue cards sent
and unsent, a correction request, a reminder, a digest and audit entries. Ten years later, with
a conversation and a /mijngegevens file that still mention the old month, the purge runs. Then
the database file (after a WAL checkpoint) and every file in the data folder are searched byte
by byte for the amounts in every format, the name, the references and the notes: none is found.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.cli import main
from bot.clock import FixedClock, utc_iso
from bot.config import Settings
from bot.domain.models import Role
from bot.services import personal_data, queue
from bot.services.privacy import purge
from bot.storage import audit_log, conversations, outbox, people
from tests.factories import sqlite_db
from tests.factories_queue import RecordingTransport, declaration, drain
from tests.factories_queue import person as add_person
from tests.factories_queue import proof as add_proof

pytestmark = pytest.mark.sqlite_only  # reads the SQLite file and its WAL

NAME = "Quirijn Zandvoort"  # invented
FIRST = "Quirijn"
KM = "Kim Klantmanager"
REVENUE, COSTS = 123_456, 65_432  # profit 58_024
REVENUE_2 = 134_579  # the corrected version
AMOUNTS = (REVENUE, REVENUE_2, COSTS, REVENUE - COSTS, REVENUE_2 - COSTS)
NOTE_REQUEST = "Graag de bon van de bouwmarkt erbij"  # the klantmanager's correction request
NOTE_REASON = "Vergeten factuur toegevoegd"  # the participant's reason for the correction
_LATE = {"key": "reminders/decl_late", "kind": "declaration", "stage": "late"}
_LATE |= {"period": "2015-12", "due": "2016-01-10"}
START = datetime(2016, 1, 5, 10, 0, tzinfo=UTC)


def _amounts(cents: int) -> list[bytes]:
    euros, rest = divmod(cents, 100)
    dotted = f"{euros:,}".replace(",", ".")
    return [
        s.encode()
        for s in (
            str(cents),
            f"{euros}.{rest:02d}",
            f"{euros},{rest:02d}",
            f"{dotted},{rest:02d}",
            f"{euros:,}.{rest:02d}",
        )
    ]


@dataclass
class Seeded:
    participant: int
    references: list[str]
    proofs: list[Path]


async def _seed(app: App, clock: FixedClock) -> Seeded:
    """Two months of 2016 with every copy the bot makes of them; the clock ends in 2016."""
    db, policy, proof_dir = app.services.db, app.services.policy, app.services.settings.proof_dir
    transport = RecordingTransport()
    now = clock.now()
    async with db.transaction() as tx:
        km = await add_person(tx, now, KM, Role.KLANTMANAGER, "8001")
        pid = await add_person(tx, now, NAME, Role.PARTICIPANT, "8002", klantmanager=km)
    refs: list[str] = []
    proofs: list[Path] = []

    async def submit(period: str, revenue: int, version: int, reason: str | None) -> int:
        at = clock.now()
        async with db.transaction() as tx:
            decl = await declaration(
                tx, at, pid, period, version=version, revenue=revenue, costs=COSTS, reason=reason
            )
            ref = str(await tx.scalar("SELECT reference FROM declarations WHERE id = ?", (decl,)))
            refs.append(ref)
            profit = revenue - COSTS
            # what the declaration service copies into the item and the audit log
            item = await queue.open_item(
                tx,
                at,
                pid,
                queue.CORRECTED if version > 1 else queue.SUBMITTED,
                declaration_id=decl,
                period=period,
                dedupe_key=f"declaration:{decl}",
                policy=policy,
                details={
                    "reference": ref,
                    "version": version,
                    "reason": reason,
                    "profit_cents": profit,
                    "hours": 40.0,
                    "flags": [],
                },
            )
            await audit_log.record(
                tx, at, pid, "declaration.submitted", pid, reference=ref, period=period
            )
        proofs.append(await add_proof(app, at, pid, period, decl, f"bon-{ref}.pdf"))
        assert item is not None
        return item

    first = await submit("2015-12", REVENUE, 1, None)
    await drain(app, transport, clock.now())  # the first card is delivered
    async with db.transaction() as tx:
        viewer = await people.person_by_id(tx, km)
        assert viewer is not None
        await queue.open_card(tx, clock.now(), viewer, first, policy)
        await queue.request_correction(tx, clock.now(), viewer, first, NOTE_REQUEST)
        # a reminder and a digest that name the month and its figures
        reminder = await outbox.enqueue(
            tx,
            pid,
            "reminders/push",
            clock.now(),
            context={"name": FIRST, "items": [_LATE]},
            dedupe_key="reminder:1",
        )
        await tx.execute(
            "INSERT INTO reminder_keys (participant_id, kind, period, stage, status, day, "
            "outbox_id, created_at) VALUES (?, 'declaration', '2015-12', 'due', 'queued', "
            "'2016-01-05', ?, ?)",
            (pid, reminder, utc_iso(clock.now())),
        )
        await outbox.enqueue(
            tx,
            km,
            "digest/chat_part",
            clock.now(),
            context={"text": f"{NAME}: winst 580,24 ({refs[0]})"},
            dedupe_key="digest:1",
        )
    await drain(app, transport, clock.now())  # the request and the reminder go out
    clock.advance(timedelta(days=14))
    await submit("2015-12", REVENUE_2, 2, NOTE_REASON)
    await drain(app, transport, clock.now())
    clock.advance(timedelta(days=20))
    second = await submit("2016-01", REVENUE, 1, None)  # its card stays unsent
    async with db.transaction() as tx:
        viewer = await people.person_by_id(tx, km)
        assert viewer is not None
        await queue.open_card(tx, clock.now(), viewer, second, policy)
    async with db.read() as tx:
        sent = await tx.scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
        unsent = await tx.scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
    assert sent >= 4
    assert unsent >= 1
    assert proof_dir.is_dir()
    return Seeded(pid, refs, proofs)


async def _later_copies(app: App, seeded: Seeded, now: datetime) -> Path:
    """Ten years later: a conversation about the old month and a fresh /mijngegevens file."""
    db, proof_dir = app.services.db, app.services.settings.proof_dir
    async with db.transaction() as tx:
        await conversations.save_state(
            tx,
            seeded.participant,
            "declaration",
            "revenue",
            {"period": "2015-12", "revenue": REVENUE, "reference": seeded.references[1]},
            now,
        )
        await audit_log.record(
            tx,
            now,
            None,
            "participant.viewed",
            seeded.participant,
            reference=seeded.references[0],
            period="2015-12",
            what="overview",
        )
        export = await personal_data.export_for_chat(
            tx, now - timedelta(hours=1), proof_dir, seeded.participant
        )
    assert seeded.references[0].encode() in export.path.read_bytes()
    return export.path


def _needles(seeded: Seeded) -> list[bytes]:
    found = [r.encode() for r in seeded.references]
    for cents in AMOUNTS:
        found += _amounts(cents)
    return [*found, NAME.encode(), FIRST.encode(), NOTE_REQUEST.encode(), NOTE_REASON.encode()]


def _stored_bytes(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _found(folder: Path, needles: list[bytes]) -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(folder)), needle.decode())
        for path, content in _stored_bytes(folder).items()
        for needle in needles
        if needle in content
    ]


async def _checkpoint_and_forget_the_name(app: App, person_id: int) -> None:
    """The person row is the one place a name may stay while the person is in the programme:
    overwrite it (as a person's removal would), then write the WAL into the file and empty it."""
    async with app.services.db.transaction() as tx:
        await tx.execute("UPDATE people SET name = 'Verwijderd' WHERE id = ?", (person_id,))
    db = sqlite_db(app)
    await db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


async def test_no_copy_of_a_purged_month_is_left_in_the_database_or_the_data_folder(
    settings: Settings, tmp_path: Path
) -> None:
    clock = FixedClock(START)
    async with open_app(settings, clock) as app:
        seeded = await _seed(app, clock)
        needles = _needles(seeded)
        clock.set(datetime(2026, 12, 3, 10, 0, tzinfo=UTC))
        now = clock.now()
        export = await _later_copies(app, seeded, now)
        await sqlite_db(app).conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = {needle for _, needle in _found(tmp_path, needles)}
        # the search sees the copies: every reference, the name, the notes, the amounts in cents
        assert {*seeded.references, NAME, FIRST, NOTE_REQUEST, NOTE_REASON} <= before
        assert {str(c) for c in AMOUNTS} <= before
        dry = await purge(
            app.services.db, app.services.policy, now, dry_run=True, proof_dir=settings.proof_dir
        )
        report = await purge(
            app.services.db, app.services.policy, now, proof_dir=settings.proof_dir
        )
        assert report.counts() == dry.counts()
        assert report.declarations == 3
        assert report.outbox_payloads >= 4
        assert report.outbox_withheld >= 1
        # the first item was superseded by the correction (issue 11): closed and past the term,
        # it is deleted whole, so the figures of the two items left are taken out
        assert report.queue_details == 2
        assert report.queue_items == 1  # the superseded item, with its history (the request)
        assert report.queue_notes == 0  # the one note with content was in that history
        assert report.audit_details == 1
        assert report.open_flows == 1
        assert report.exports == 1
        assert not export.exists()
        assert not any(p.exists() for p in seeded.proofs)
        async with app.services.db.read() as tx:
            rows = await tx.all("SELECT * FROM outbox ORDER BY id")
            items = await tx.scalar("SELECT COUNT(*) FROM queue_items")
        # the send log stays: who, which message, when, and whether it went
        assert rows
        assert all(r["context"] == "{}" and r["buttons"] == "[]" for r in rows)
        assert all(r["sent_at"] is not None or r["parked_at"] is not None for r in rows)
        assert {r["last_error"] for r in rows if r["sent_at"] is None} == {"purged"}
        assert items == 2  # the open items stay, without their figures
        assert await drain(app, RecordingTransport(), now) == 0  # a withheld row is never sent
        await _checkpoint_and_forget_the_name(app, seeded.participant)
        assert _found(tmp_path, needles) == []
        again = await purge(
            app.services.db, app.services.policy, now, proof_dir=settings.proof_dir
        )
        assert again.total == 0


def test_ptobot_purge_leaves_no_copy_either(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same through the command line, on the system clock (2016 is past the term there)."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PTO_PROOF_DIR", str(settings.proof_dir))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "")

    async def prepare() -> Seeded:
        clock = FixedClock(START)
        async with open_app(settings, clock) as app:
            seeded = await _seed(app, clock)
        async with open_app(settings) as app:
            await _later_copies(app, seeded, app.services.clock.now())
        return seeded

    async def forget(person_id: int) -> None:
        async with open_app(settings) as app:
            await _checkpoint_and_forget_the_name(app, person_id)

    seeded = asyncio.run(prepare())
    assert main(["purge", "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["declarations"] == 3
    assert dry["outbox_payloads"] >= 4
    assert dry["outbox_withheld"] >= 1
    assert main(["purge", "--json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done == {**dry, "dry_run": False}
    asyncio.run(forget(seeded.participant))
    assert _found(tmp_path, _needles(seeded)) == []
