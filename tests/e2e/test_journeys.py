"""Whole journeys as people make them: the real `ptobot run` process, talked to over HTTP
through a Bot API server on 127.0.0.1. Texts and buttons are read from what the bot sends."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain.periods import first_day
from bot.domain.policy import load_policy
from bot.domain.timeliness import due_date
from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.harness import TOKEN
from tests.e2e.journey_helpers import (
    declare,
    finish_from_hours,
    last_month,
    local_iso,
    month_past_due,
    world,
)

pytestmark = pytest.mark.both_backends  # the real `ptobot run` on SQLite and on PostgreSQL


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """A fake Bot API in its own thread."""
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as fake:
        yield fake


KIM, AYLA, CAS = "Kim Klantmanager", "Ayla Voorbeeld", "Cas Coach"


def test_klantmanager_and_participant_onboard_with_invites(
    tmp_path: Path, server: FakeBotApi, database_url: str
) -> None:
    with world(tmp_path, server, DATABASE_URL=database_url) as w:
        w.bot.start()
        kim = w.klantmanager(KIM, 2001)
        ayla = w.participant(AYLA, 2002, KIM)
        ayla.say("/hulp", "/opgave")
        kim.say("/hulp", "/wachtrij")
        linked = w.db.rows(
            "SELECT p.name, p.role FROM channel_identities ci JOIN people p "
            "ON p.id = ci.person_id WHERE ci.channel = 'telegram' ORDER BY p.name"
        )
        assert [(r["name"], r["role"]) for r in linked] == [
            (AYLA, "participant"),
            (KIM, "klantmanager"),
        ]
        kim_id = w.db.person_id(KIM)
        assert w.db.scalar("SELECT klantmanager_id FROM participants") == kim_id


@pytest.mark.parametrize("client", ["aiohttp", "httpx"])
def test_declaration_with_receipt_photo_reaches_the_klantmanager(
    tmp_path: Path, server: FakeBotApi, client: str, database_url: str
) -> None:
    """With either HTTP client: texts, buttons, a photo downloaded and a document uploaded."""
    with world(tmp_path, server, DATABASE_URL=database_url, TELEGRAM_HTTP_CLIENT=client) as w:
        w.bot.start()
        kim = w.klantmanager(KIM, 2101)
        ayla = w.participant(AYLA, 2102, KIM)
        receipt = declare(ayla, revenue="1.250,50")
        reference = re.search(r"PTO-\d{4}-\d{2}-\d+", receipt["text"])
        assert reference, receipt["text"]
        card = kim.expect("Nieuw in je wachtrij", AYLA)
        assert "1.250,50" in card["text"]
        assert kim.button("queue:done:")
        assert kim.button("queue:proof:")
        row = w.db.rows("SELECT * FROM declarations")
        assert len(row) == 1
        assert (row[0]["period"], row[0]["revenue_cents"], row[0]["reference"]) == (
            last_month(),
            125050,
            reference.group(0),
        )
        proofs = w.db.rows("SELECT * FROM proofs")
        assert len(proofs) == 1
        assert proofs[0]["declaration_id"] == row[0]["id"]
        assert Path(proofs[0]["path"]).is_file() or (tmp_path / proofs[0]["path"]).is_file()
        message_id, data = kim.button("queue:proof:")
        server.press_button(kim.chat, message_id, data)
        sent = server.wait_for_requests_sync("sendDocument", 1, timeout=15)
        assert int(sent[0].params["chat_id"]) == kim.chat
        stored = Path(proofs[0]["path"])
        stored = stored if stored.is_file() else tmp_path / stored
        assert sent[0].params["document"].data == stored.read_bytes()  # uploaded intact


def test_correction_asked_made_and_closed(
    tmp_path: Path, server: FakeBotApi, database_url: str
) -> None:
    with world(tmp_path, server, DATABASE_URL=database_url) as w:
        w.bot.start()
        kim = w.klantmanager(KIM, 2201)
        ayla = w.participant(AYLA, 2202, KIM)
        declare(ayla, revenue="900")
        kim.expect("Nieuw in je wachtrij", AYLA)
        kim.press("queue:fix:", "reden")
        kim.say("De omzet mist de factuur van de markt.", "Verstuurd")
        ask = ayla.expect("vraagt je iets aan te passen", "factuur van de markt")
        assert ask
        ayla.press("decl:fix:", "wijzigen")
        ayla.say("Factuur van de markt vergeten", "Controleer")
        ayla.press("decl:edit:revenue", "omzet")
        ayla.say("1100", "Controleer")
        ayla.press("decl:send:", "versie 2")
        kim.expect("verbeterde versie", AYLA)
        kim.press("queue:done:", "Afgehandeld")
        versions = w.db.rows("SELECT version, revenue_cents FROM declarations ORDER BY version")
        assert [(r["version"], r["revenue_cents"]) for r in versions] == [(1, 90000), (2, 110000)]
        states = w.db.rows("SELECT state FROM queue_items")
        assert states
        assert all(r["state"] == "afgehandeld" for r in states)


def test_coach_schedules_a_push_that_reaches_the_participant(
    tmp_path: Path, server: FakeBotApi, database_url: str
) -> None:
    with world(tmp_path, server, DATABASE_URL=database_url) as w:
        w.bot.start()
        w.klantmanager(KIM, 2301)
        cas = w.coach(CAS, 2302)
        ayla = w.participant(AYLA, 2303, KIM, coach=CAS)
        cas.say("/herinnering", "Naar wie")
        cas.press("rem:t:", "Gekozen: 1")
        cas.press("rem:next", "tekst")
        cas.say("Vergeet je bonnetjes niet!", "Wanneer")
        cas.press("rem:now", "Klopt dit?")
        cas.press("rem:ok", "Geregeld")
        push = ayla.expect("Bericht van je coach", "Vergeet je bonnetjes niet!")
        assert CAS in push["text"]
        assert w.db.scalar("SELECT COUNT(*) FROM coach_pushes") == 1
        assert w.db.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE '%push%'") >= 1


def test_deadline_reminders_are_sent_once_by_the_jobs_command(
    tmp_path: Path, server: FakeBotApi, database_url: str
) -> None:
    period = month_past_due()  # before the 10th, last month's due day is still to come
    due = due_date(load_policy(), period)  # the bot runs the default policy (due day 10)
    with world(tmp_path, server, DATABASE_URL=database_url) as w:
        w.bot.start()
        w.klantmanager(KIM, 2401)
        ayla = w.participant(AYLA, 2402, KIM, start=first_day(period))
        ayla.mark()
        moment = local_iso(due, 9, 5)  # the due day, just after the reminder time
        first = w.bot.cli("jobs", "run", "declaration_reminders", "--now", moment)
        assert AYLA in first.stdout
        reminder = ayla.expect("opgave")
        again = w.bot.cli("jobs", "run", "declaration_reminders", "--now", moment)
        assert AYLA not in again.stdout
        assert ayla.button("decl:start:")[1] == f"decl:start:{period}"
        ayla.press("decl:start:", "gewerkt")
        assert reminder
        outbox = w.db.scalar(
            "SELECT COUNT(*) FROM outbox WHERE person_id = ? AND message_key LIKE 'reminders/%'",
            (w.db.person_id(AYLA),),
        )
        assert outbox == 1


def test_killed_in_the_middle_of_a_declaration_resumes_after_restart(
    tmp_path: Path, server: FakeBotApi, database_url: str
) -> None:
    with world(tmp_path, server, DATABASE_URL=database_url) as w:
        w.bot.start()
        kim = w.klantmanager(KIM, 2501)
        ayla = w.participant(AYLA, 2502, KIM)
        ayla.say("/opgave", "gewerkt")
        ayla.press("decl:worked:yes", "omzet")
        ayla.say("2000", "kosten")
        assert w.bot.stop(kill=True) == -9
        w.bot.start()
        ayla.say("/opgave", "doorgaan")
        ayla.press("decl:resume", "kosten")
        ayla.press("decl:costs:none", "Uren")
        receipt = finish_from_hours(ayla)
        assert "Kenmerk" in receipt["text"]
        kim.expect("Nieuw in je wachtrij", AYLA)
        assert w.db.scalar("SELECT revenue_cents FROM declarations") == 200000
