"""The CSV export (latest version, documented columns), the dossier and the queue CLI."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.cli import main
from bot.clock import FixedClock
from bot.config import Settings
from bot.services import caseload, exports, queue
from messages.dossier import render_dossier
from tests import factories_queue as fq
from tests.factories_queue import AYLA, BRAM, CAS, KIM


async def test_one_row_per_declaration_with_the_latest_version(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    await fq.submit(app, now, ids[AYLA], "2026-11", revenue=100_000, costs=0)
    await fq.submit(app, now, ids[AYLA], "2026-11", revenue=120_000, costs=5_000, reason="=1+1")
    await fq.submit(
        app, now, ids[BRAM], "2026-11", flags=[{"code": "no_proof"}, {"code": "needs_approval"}]
    )
    await fq.submit(app, now, ids[BRAM], "2026-10")
    async with app.services.db.read() as tx:
        rows = await exports.export_rows(tx, app.services.policy, "2026-11")
    out = io.StringIO(newline="")
    exports.write_csv(rows, out)
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(parsed[0].keys()) == list(exports.COLUMNS)
    by_name = {r["participant"]: r for r in parsed}
    assert sorted(by_name) == [AYLA, BRAM]
    ayla = by_name[AYLA]
    assert (ayla["version"], ayla["versions"]) == ("2", "2")
    assert (ayla["revenue_eur"], ayla["costs_eur"], ayla["profit_eur"]) == (
        "1200.00",
        "50.00",
        "1150.00",
    )
    assert ayla["norm_eur"] == "1401.50"
    assert ayla["share_of_norm_pct"] == "82"
    assert ayla["correction_reason"] == "'=1+1"  # never a spreadsheet formula
    assert ayla["klantmanager"] == KIM
    assert ayla["due_date"] == "2026-12-10"
    assert ayla["on_time"] == "1"
    assert by_name[BRAM]["flags"] == "no_proof|needs_approval"


def test_the_documented_columns_match_the_code() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "export.md").read_text(encoding="utf-8")
    monthly = doc.split("\n## Outcomes", 1)[0]  # the outcomes' columns: test_outcome_export.py
    documented = [line.split("`")[1] for line in monthly.splitlines() if line.startswith("| `")]
    assert documented == list(exports.COLUMNS)


async def test_the_dossier_lists_versions_history_and_proof(app: App, clock: FixedClock) -> None:
    now = clock.now()
    ids = await fq.caseloads(app, now)
    decl_id, item_id = await fq.submit(app, now, ids[AYLA], "2026-11")
    await fq.proof(app, now, ids[AYLA], "2026-11", decl_id, "factuur-17.pdf")
    kim = await fq.who(app, KIM)
    async with app.services.db.transaction() as tx:
        assert item_id is not None
        await queue.request_correction(tx, now, kim, item_id, "Graag de factuur van klant B")
    await fq.submit(app, now + timedelta(hours=1), ids[AYLA], "2026-11", reason="aangevuld")
    async with app.services.db.read() as tx:
        context = await exports.dossier_context(tx, app.services.policy, AYLA, "nl", now)
    page = render_dossier(context, "nl")
    assert page.startswith("<!DOCTYPE html>")
    assert [d["version"] for d in context["declarations"]] == [2, 1]
    assert "Graag de factuur van klant B" in page
    assert "correctie gevraagd" in page
    assert "factuur-17.pdf" in page


def test_the_cli_renders_digest_export_and_delegation(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> None:
    async def seed() -> None:
        async with open_app(settings, clock) as app:
            ids = await fq.caseloads(app, clock.now())
            await fq.submit(app, clock.now(), ids[AYLA], "2026-11")

    asyncio.run(seed())
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PTO_PROOF_DIR", str(settings.proof_dir))
    monkeypatch.setenv("PTO_DEMO", "false")
    monkeypatch.chdir(tmp_path)
    page = tmp_path / "digest.html"
    assert main(["digest", "--klantmanager", KIM, "--format", "html", "--out", str(page)]) == 0
    assert "<title>Weekoverzicht" in page.read_text(encoding="utf-8")
    sheet = tmp_path / "nov.csv"
    assert main(["export", "--period", "2026-11", "--format", "csv", "--out", str(sheet)]) == 0
    assert sheet.read_text(encoding="utf-8").count("PTO-2026-11-") == 1
    until = ["--until", "2099-01-01"]
    assert main(["delegate", "--from", KIM, "--to", "Karin Klantmanager", *until]) == 0
    assert main(["delegate", "--from", KIM, "--to", "Cas Coach", *until]) == 1
    assert main(["dossier", "--participant", "Niemand", "--out", str(tmp_path / "x.html")]) == 1
    dossier = tmp_path / "ayla.html"
    assert main(["dossier", "--participant", AYLA, "--out", str(dossier)]) == 0
    assert "PTO-2026-11-" in dossier.read_text(encoding="utf-8")


async def test_a_correction_asked_for_keeps_the_timeliness_of_what_it_corrects(
    app: App, clock: FixedClock
) -> None:
    now = clock.now()  # 3 December 2026: November is due 10 December, October was due 10 November
    after = now + timedelta(days=14)  # past November's deadline
    ids = await fq.caseloads(app, now)
    kim, cas = await fq.who(app, KIM), await fq.who(app, CAS)
    _, ayla_item = await fq.submit(app, now, ids[AYLA], "2026-11")
    _, ayla_october = await fq.submit(app, now, ids[AYLA], "2026-10")  # late already
    await fq.submit(app, now, ids[BRAM], "2026-11")
    async with app.services.db.transaction() as tx:
        for item_id in (ayla_item, ayla_october):
            assert item_id is not None
            await queue.request_correction(tx, now, kim, item_id, "Graag de factuur erbij")
    await fq.submit(app, after, ids[AYLA], "2026-11", reason="gevraagd")
    await fq.submit(app, after, ids[AYLA], "2026-10", reason="gevraagd")
    await fq.submit(app, after, ids[BRAM], "2026-11", reason="uit mezelf")
    async with app.services.db.read() as tx:
        november = await exports.export_rows(tx, app.services.policy, "2026-11")
        october = await exports.export_rows(tx, app.services.policy, "2026-10")
        progress = await caseload.progress_overview(tx, app.services.policy, cas, after, ids[AYLA])
    by_name = {r["participant"]: r for r in november}
    assert (by_name[AYLA]["version"], by_name[AYLA]["on_time"]) == ("2", "1")  # asked for
    assert (by_name[BRAM]["version"], by_name[BRAM]["on_time"]) == ("2", "0")  # its own moment
    assert [(r["participant"], r["on_time"]) for r in october] == [(AYLA, "0")]  # stays late
    on_time = {m["period"]: m["on_time"] for m in progress["months"]}
    assert (on_time["2026-11"], on_time["2026-10"]) == (True, False)  # the coach sees the same
