"""Issue 17 over a Bot API server on 127.0.0.1: the outcome recorded on a "traject loopt af"
card shows up in the weekly digest and in `ptobot export --outcomes`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import AMSTERDAM, SystemClock
from bot.domain.periods import add_months
from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.harness import TOKEN
from tests.e2e.journey_helpers import local_iso, world

KIM, AYLA = "Kim Klantmanager", "Ayla Voorbeeld"
KIM_CHAT, AYLA_CHAT = 2901, 2902


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """A fake Bot API in its own thread."""
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as fake:
        yield fake


def test_an_outcome_recorded_on_the_ending_card_reaches_the_digest_and_the_export(
    tmp_path: Path, server: FakeBotApi
) -> None:
    now = SystemClock().now()
    today = now.astimezone(AMSTERDAM).date()
    end = today + timedelta(days=45)
    end = end.replace(day=min(end.day, 28))  # a day every month has: start + 12 months = end
    start = add_months(end, -12)
    with world(tmp_path, server) as w:
        w.bot.start()
        kim = w.klantmanager(KIM, KIM_CHAT)
        w.participant(AYLA, AYLA_CHAT, KIM, start=start)
        # The 60-days warning's moment lies in the past: the running bot sends Kim the card.
        w.bot.cli(
            "jobs",
            "run",
            "trajectory_milestones",
            "--now",
            local_iso(end - timedelta(days=60), 9, 5),
        )
        card = kim.expect("Traject loopt af", AYLA)
        assert any(
            str(b.get("callback_data", "")).startswith("outcome:item:")
            for row in card["reply_markup"]["inline_keyboard"]
            for b in row
        )
        kim.press("outcome:item:", "Hoe eindigt het traject", AYLA)
        kim.press("outcome:page:", "pagina 2 van 2")
        kim.press("outcome:page:", "pagina 1 van 2")
        kim.press("outcome:set:", "Vastgelegd", "Uitstroom naar werk in loondienst")
        participant = w.db.person_id(AYLA)
        assert (
            w.db.scalar(
                "SELECT code FROM trajectory_outcomes WHERE participant_id = ?", (participant,)
            )
            == "employment"
        )

        moment = (now - timedelta(minutes=2)).isoformat()
        w.bot.cli("jobs", "run", "weekly_digest", "--now", moment)
        kim.expect(f"Uitkomsten {today.year}", "Uitstroom naar werk in loondienst: 1")

        sheet = tmp_path / "uitkomsten.csv"
        w.bot.cli("export", "--outcomes", "--year", str(today.year), "--out", str(sheet))
        rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8"))))
        assert [(r["participant_id"], r["outcome_code"]) for r in rows] == [
            (str(participant), "employment")
        ]
        assert rows[0]["outcome_on"] == today.isoformat()
        assert sheet.stat().st_mode & 0o077 == 0
