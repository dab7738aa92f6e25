"""One truth for proof counts: the demo's seeded declarations carry the files they claim.

The card (`Bewijsstukken: N`), *Bewijs* (the files behind it), `/deelnemer`, the export and the
dossier all count the proof files stored with that version.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

from bot import demo
from bot.app import App
from bot.clock import FixedClock
from bot.domain.proof import sniff
from bot.services import caseload, exports, queue
from bot.storage import declarations, people, proofs
from tests import factories_queue as fq


async def _seed(app: App, now: datetime) -> Path:
    proof_dir = app.services.settings.proof_dir
    assert await demo.seed_if_empty(app.services.db, now, proof_dir)
    return proof_dir


async def test_bewijs_on_a_seeded_card_shows_the_files_the_card_counts(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    proof_dir = await _seed(app, now)
    kim = await fq.who(app, demo.KLANTMANAGER)
    async with app.services.db.transaction() as tx:
        page = await queue.open_items(tx, now, kim)
        assert page.items, "the demo puts declarations in Kim's queue"
        for item in page.items:
            card = await queue.open_card(tx, now, kim, item.id, app.services.policy)
            assert card.figures is not None
            files = await queue.proof_files(tx, now, kim, item.id, proof_dir)
            assert card.figures.proof_count == len(files) == 2
            for file in files:
                assert file.exists
                data = await asyncio.to_thread(Path(file.path).read_bytes)
                assert sniff(data) in {"image/jpeg", "application/pdf"}
            assert sorted(f.name.rsplit(".", 1)[1] for f in files) == ["jpg", "pdf"]


async def test_every_seeded_version_has_its_files_everywhere(app: App, clock: FixedClock) -> None:
    now = clock.now()
    await _seed(app, now)
    policy = app.services.policy
    kim = await fq.who(app, demo.KLANTMANAGER)
    async with app.services.db.transaction() as tx:
        for name in ("Ayla Voorbeeld", "Bram Voorbeeld"):
            person = await people.person_by_name(tx, name)
            assert person is not None
            versions = await declarations.of_participant(tx, person.id)
            assert versions
            stored = {d.reference: await proofs.count_stored(tx, d.id) for d in versions}
            assert set(stored.values()) == {2}
            assert all(d.answers.proof_count == 2 for d in versions)  # what the card claims
            overview = await caseload.amounts_overview(tx, policy, kim, now, person.id)
            assert overview["months"]
            assert {m["proof_count"] for m in overview["months"]} == {2}
            dossier = await exports.dossier_context(tx, policy, name, "nl", now)
            assert {d["reference"]: d["proof_files"] for d in dossier["declarations"]} == stored
            assert len(dossier["proofs"]) == 2 * len(versions)
            period = versions[0].period
            rows = await exports.export_rows(tx, policy, period)
            assert [r["proof_files"] for r in rows if r["participant"] == name] == ["2"]


async def test_without_a_proof_folder_the_demo_claims_no_files(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    assert await demo.seed_if_empty(app.services.db, now)
    async with app.services.db.read() as tx:
        person = await people.person_by_name(tx, "Ayla Voorbeeld")
        assert person is not None
        for d in await declarations.of_participant(tx, person.id):
            assert d.answers.proof_count == await proofs.count_stored(tx, d.id) == 0


async def test_counts_ignore_a_claim_without_files(app: App, clock: FixedClock) -> None:
    """A version whose answers claim files that are not stored counts what is stored (none)."""
    now = clock.now()
    ids = await fq.caseloads(app, now)
    decl_id, _ = await fq.submit(app, now, ids[fq.AYLA], "2026-11")
    kim = await fq.who(app, fq.KIM)
    async with app.services.db.transaction() as tx:
        data = json.loads(
            await tx.scalar("SELECT data FROM declarations WHERE id = ?", (decl_id,))
        )
        await tx.execute(
            "UPDATE declarations SET data = ? WHERE id = ?",
            (json.dumps({**data, "proof_count": 3}), decl_id),
        )
        overview = await caseload.amounts_overview(tx, app.services.policy, kim, now, ids[fq.AYLA])
        rows = await exports.export_rows(tx, app.services.policy, "2026-11")
    assert overview["months"][0]["proof_count"] == 0
    assert [r["proof_files"] for r in rows] == ["0"]
