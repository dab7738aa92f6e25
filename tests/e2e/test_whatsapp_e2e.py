"""WhatsApp end to end: the real `ptobot run` with Telegram (the fake Bot API) and WhatsApp (the
fake Graph API), webhooks posted and signed as WhatsApp does."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.channels.whatsapp_inbound import stored_id
from bot.domain.periods import first_day
from bot.domain.policy import load_policy
from bot.domain.timeliness import due_date
from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.fakegraphapi import FakeGraphApi, post_webhook, status_event, webhook_body
from tests.e2e.harness import TOKEN
from tests.e2e.journey_helpers import RECEIPT_JPEG, last_month, local_iso, month_past_due, world
from tests.e2e.whatsapp_helpers import (
    WaChat,
    free_port,
    invite_participant,
    wait_for_webhook,
    whatsapp_env,
)

KIM, AYLA = "Kim Klantmanager", "Ayla Voorbeeld"
AYLA_PHONE = "31612345001"  # an invented number


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as fake:
        yield fake


@pytest.fixture
def graph() -> Iterator[FakeGraphApi]:
    with FakeGraphApi().run_in_thread() as fake:
        yield fake


def test_a_participant_declares_on_whatsapp_and_the_klantmanager_gets_the_card(
    tmp_path: Path, server: FakeBotApi, graph: FakeGraphApi
) -> None:
    port = free_port()
    with world(tmp_path, server, **whatsapp_env(graph, port)) as w:
        w.bot.start()
        wait_for_webhook(port)
        kim = w.klantmanager(KIM, 3101)
        invite = invite_participant(w.bot, AYLA, KIM, first_day(last_month()))
        assert invite["whatsapp_link"].startswith("https://wa.me/31201234567?text=%2Fstart%20")
        ayla = WaChat(graph, port, AYLA_PHONE)

        # A wrongly signed or unsigned webhook: 403, nothing processed.
        ayla.post({"type": "text", "text": {"body": f"/start {invite['code']}"}}, "wrong")
        ayla.post({"type": "text", "text": {"body": "hallo"}}, None)
        # A number that is not bound: the same answer as /start without a code.
        ayla.say("hallo", "uitnodigingscode")
        bound = "SELECT COUNT(*) FROM channel_identities WHERE channel = 'whatsapp'"
        assert w.db.scalar(bound) == 0

        # Binding with the code; the same webhook twice is handled once.
        ayla.say(f"/start {invite['code']}", f"Welkom, {AYLA}")
        assert post_webhook(ayla.url, ayla.bodies[-1]) == 200
        ayla.say("/hulp", "/opgave")
        texts = [m.get("text", {}).get("body", "") for m in graph.messages_to(AYLA_PHONE)]
        assert sum(f"Welkom, {AYLA}" in t for t in texts) == 1, texts
        assert not any("code" in t and "gebruikt" in t for t in texts), texts
        identity = w.db.rows("SELECT * FROM channel_identities WHERE channel = 'whatsapp'")
        assert [r["address"] for r in identity] == [AYLA_PHONE]

        # A month declared with buttons, typed answers and a photo as proof.
        ayla.say("/opgave", "gewerkt")
        ayla.press("decl:worked:yes", "omzet")
        ayla.say("1250", "kosten")
        ayla.press("decl:costs:none", "Uren")
        for _ in range(6):
            ayla.mark()
            ayla.post({"type": "text", "text": {"body": "12"}})
            if "Bewijs" in str(ayla.expect_any("Uren", "Bewijs")):
                break
        ayla.photo("media-receipt-1", RECEIPT_JPEG, "Meer sturen mag")
        ayla.press("decl:proof:done", "uitleggen")
        ayla.press("decl:note:skip", "Controleer")
        receipt = ayla.press("decl:send:", "Kenmerk")
        reference = re.search(r"PTO-\d{4}-\d{2}-\d+", str(receipt))
        assert reference, receipt
        card = kim.expect("Nieuw in je wachtrij", AYLA)
        assert "1.250" in card["text"]
        proofs = w.db.rows("SELECT * FROM proofs")
        assert len(proofs) == 1
        declaration = w.db.rows("SELECT id FROM declarations")
        assert proofs[0]["declaration_id"] == declaration[0]["id"]
        assert Path(proofs[0]["path"]).is_file() or (tmp_path / proofs[0]["path"]).is_file()
        # Nothing the bot sent broke Meta's rules (buttons, lists, lengths).
        assert graph.refused == [], graph.refused
        assert AYLA_PHONE not in w.bot.collect()  # the number is never logged


def test_a_reminder_outside_the_24_hour_window_goes_as_the_template(
    tmp_path: Path, server: FakeBotApi, graph: FakeGraphApi
) -> None:
    period = month_past_due()
    due = due_date(load_policy(), period)
    port = free_port()
    with world(tmp_path, server, **whatsapp_env(graph, port)) as w:
        w.bot.start()
        wait_for_webhook(port)
        kim = w.klantmanager(KIM, 3201)
        invite = invite_participant(w.bot, AYLA, KIM, first_day(period))
        ayla = WaChat(graph, port, AYLA_PHONE)
        ayla.say(invite["code"], f"Welkom, {AYLA}")  # the code alone binds too
        graph.close_window(AYLA_PHONE)  # WhatsApp says: more than 24 hours ago
        ayla.mark()
        ran = w.bot.cli("jobs", "run", "declaration_reminders", "--now", local_iso(due, 9, 5))
        assert AYLA in ran.stdout
        sent = ayla.expect("template:pto_herinnering")
        assert sent["template"]["language"] == {"code": "nl"}
        parameters = sent["template"]["components"][0]["parameters"]
        assert parameters == [{"type": "text", "text": "Ayla"}]
        assert [e["error"]["code"] for _, e in graph.refused] == [131047]
        query = "SELECT channel_message_id FROM outbox WHERE message_key = 'reminders/push'"
        assert graph.wait_for(lambda: w.db.scalar(query)) == stored_id(sent["id"])

        # WhatsApp's delivery reports land on the outbox row; undeliverable gives Kim the card.
        def report(status: str, code: int | None = None) -> None:
            item = status_event(sent["id"], status, AYLA_PHONE, code)
            assert post_webhook(ayla.url, webhook_body(AYLA_PHONE, statuses=[item])) == 200

        state = "SELECT delivery_status FROM outbox WHERE message_key = 'reminders/push'"
        report("delivered")
        report("read")
        assert graph.wait_for(lambda: w.db.scalar(state) == "read")
        report("failed", 131026)
        kim.expect("bereikbaar", AYLA)
        assert w.db.scalar(state) == "failed"
        blocked = "SELECT blocked FROM channel_identities WHERE channel = 'whatsapp'"
        assert w.db.scalar(blocked) == 1
        ayla.say("/hulp", "/opgave")  # writing again makes the number reachable again
        assert w.db.scalar(blocked) == 0
        # The reminder that came as a template now follows in full, with its button.
        assert ayla.choice("decl:start:") == f"decl:start:{period}"
        ayla.press("decl:start:", "gewerkt")
        assert w.db.scalar("SELECT COUNT(*) FROM template_follow_ups") == 0


def test_whatsapp_alone_runs_without_telegram_or_the_terminal_chat(
    tmp_path: Path, server: FakeBotApi, graph: FakeGraphApi
) -> None:
    port = free_port()
    env = {**whatsapp_env(graph, port), "TELEGRAM_BOT_TOKEN": ""}
    with world(tmp_path, server, **env) as w:
        w.bot.runs = 1
        with (tmp_path / "bot-1.log").open("wb") as log:
            w.bot.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=tmp_path,
                env=w.bot.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_webhook(port)
        invite = w.bot.invite("--role", "participant", "--name", AYLA)
        ayla = WaChat(graph, port, AYLA_PHONE)
        ayla.say(f"/start {invite['code']}", f"Welkom, {AYLA}")
        ayla.post({"type": "sticker", "sticker": {"id": "s1", "mime_type": "image/webp"}})
        ayla.expect("kan ik niet lezen")
        ayla.say("/mijngegevens", "document")  # the export, uploaded and sent as a document
        assert graph.uploads
        assert server.calls("getUpdates") == []
        assert w.bot.proc.poll() is None
        assert "running on WhatsApp" in w.bot.collect()
        assert w.bot.stop() == 0
