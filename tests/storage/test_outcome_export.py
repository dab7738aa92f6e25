"""`ptobot export --outcomes --year YYYY` (issue 17): codes, documented columns, audited, 0600,
and `ptobot export --period` unchanged."""

from __future__ import annotations

import asyncio
import csv
import io
import os
from datetime import date
from pathlib import Path

import pytest

from bot.app import open_app
from bot.cli import main
from bot.clock import FixedClock
from bot.config import Settings
from bot.domain.models import Person, Role
from bot.services import outcome_export, outcomes
from tests import factories_queue as fq
from tests.factories_queue import AYLA, BRAM, KIM
from tests.privacy.test_cli_audit import audit_rows, mode


@pytest.fixture
def seeded(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> dict[str, int]:
    """Ayla: € 466 profit a month for three months, then Bbz (corrected from 'stopped');
    Bram: an extension. The CLI pointed at that database."""

    async def seed() -> dict[str, int]:
        now = clock.now()
        async with open_app(settings, clock) as app:
            ids = await fq.caseloads(app, now)
            for period in ("2026-09", "2026-10", "2026-11"):
                await fq.submit(app, now, ids[AYLA], period, revenue=66_600, costs=20_000)
            kim = Person(ids[KIM], KIM, Role.KLANTMANAGER, "nl")
            policy = app.services.policy
            async with app.services.db.transaction() as tx:
                await outcomes.record(tx, now, kim, policy, ids[AYLA], "stopped")
                await outcomes.record(tx, now, kim, policy, ids[AYLA], "bbz")
                await outcomes.record(
                    tx, now, kim, policy, ids[BRAM], "extension", new_end=date(2027, 12, 31)
                )
            return ids

    ids = asyncio.run(seed())
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PTO_PROOF_DIR", str(settings.proof_dir))
    monkeypatch.setenv("PTO_DEMO", "false")
    monkeypatch.chdir(tmp_path)
    return ids


def test_the_outcomes_of_a_year_as_csv_with_codes_audited_and_private(
    seeded: dict[str, int], settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    sheet = tmp_path / "uitkomsten.csv"
    old = os.umask(0o022)
    try:
        assert main(["export", "--outcomes", "--year", "2026", "--out", str(sheet)]) == 0
    finally:
        os.umask(old)
    assert mode(sheet) == 0o600
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    assert list(rows[0].keys()) == list(outcome_export.COLUMNS)
    by_id = {int(r["participant_id"]): r for r in rows}
    ayla, bram = by_id[seeded[AYLA]], by_id[seeded[BRAM]]
    assert (ayla["outcome_code"], ayla["recordings"], ayla["outcome_on"]) == (
        "bbz",
        "2",
        "2026-12-03",
    )
    assert (ayla["year_share_of_norm_pct"], ayla["kpi_reached"]) == ("33", "1")
    assert (bram["outcome_code"], bram["new_end_date"], bram["kpi_reached"]) == (
        "extension",
        "2027-12-31",
        "",
    )
    assert main(["export", "--outcomes", "--year", "2025", "--out", str(sheet)]) == 0
    assert sheet.read_text(encoding="utf-8").strip() == ",".join(outcome_export.COLUMNS)
    entries = [e for e in audit_rows(settings, clock) if e.get("outcomes")]
    assert [(e["action"], e["year"], e["rows"]) for e in entries] == [
        ("cli.export", 2026, 2),
        ("cli.export", 2025, 0),
    ]
    assert sorted(entries[0]["participants"]) == sorted([seeded[AYLA], seeded[BRAM]])


def test_the_period_export_keeps_working_and_wrong_combinations_are_refused(
    seeded: dict[str, int], tmp_path: Path
) -> None:
    sheet = tmp_path / "nov.csv"
    assert main(["export", "--period", "2026-11", "--out", str(sheet)]) == 0
    assert sheet.read_text(encoding="utf-8").count("PTO-2026-11-") == 1
    assert main(["export", "--outcomes"]) == 2
    assert main(["export", "--outcomes", "--year", "2026", "--period", "2026-11"]) == 2
    assert main(["export"]) == 2


def test_the_documented_outcome_columns_match_the_code() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "export.md").read_text(encoding="utf-8")
    section = doc.split("\n## Outcomes", 1)[1]
    documented = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
    assert documented == list(outcome_export.COLUMNS)
