"""Issue 11 over a Bot API server on 127.0.0.1: queue states people can see, cards edited in
place, a superseded version closed, and the overdue card's own buttons (Herinner nu, once)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.periods import first_day
from bot.domain.policy import load_policy
from bot.domain.timeliness import due_date
from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.harness import TOKEN
from tests.e2e.journey_helpers import (
    WAIT,
    declare,
    last_month,
    local_iso,
    month_past_due,
    world,
)

KIM, AYLA = "Kim Klantmanager", "Ayla Voorbeeld"
KIM_CHAT, AYLA_CHAT = 2501, 2502


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """A fake Bot API in its own thread."""
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as fake:
        yield fake


def _message(server: FakeBotApi, chat: int, message_id: int) -> dict[str, object]:
    return next(m for m in server.sent_messages(chat) if m["message_id"] == message_id)


def _wait_text(server: FakeBotApi, chat: int, message_id: int, *needles: str) -> str:
    def shows() -> bool:
        text = str(_message(server, chat, message_id).get("text", ""))
        return all(n in text for n in needles)

    try:
        server.wait_until_sync(shows, timeout=WAIT)
    except TimeoutError:
        raise AssertionError(
            f"message {message_id} never showed {needles}: {_message(server, chat, message_id)}"
        ) from None
    return str(_message(server, chat, message_id)["text"])


def _buttons(message: dict[str, object]) -> list[str]:
    markup = message.get("reply_markup") or {}
    rows = markup.get("inline_keyboard") or [] if isinstance(markup, dict) else []
    return [str(b.get("callback_data")) for row in rows for b in row]


def test_a_correction_round_trip_edits_the_cards_and_leaves_one_open_item(
    tmp_path: Path, server: FakeBotApi
) -> None:
    with world(tmp_path, server) as w:
        w.bot.start()
        kim = w.klantmanager(KIM, KIM_CHAT)
        ayla = w.participant(AYLA, AYLA_CHAT, KIM)
        declare(ayla, revenue="900")
        first = kim.expect("Nieuw in je wachtrij", AYLA, "Status: nieuw")
        first_id = int(first["message_id"])
        kim.press("queue:fix:", "reden")
        kim.say("De omzet mist de factuur van de markt.", "Verstuurd")
        waiting = kim.say("/wachtrij", "Je wachtrij")
        assert "correctie gevraagd: 1" in waiting["text"]
        _wait_text(
            server, KIM_CHAT, first_id, "Status: correctie gevraagd", "factuur van de markt"
        )

        ayla.expect("vraagt je iets aan te passen")
        ayla.press("decl:fix:", "wijzigen")
        ayla.say("Factuur van de markt vergeten", "Controleer")
        ayla.press("decl:edit:revenue", "omzet")
        ayla.say("1100", "Controleer")
        ayla.press("decl:send:", "versie 2")

        new_card = kim.expect("verbeterde versie", AYLA)
        assert "Omzet: was €\xa0900,00, nu €\xa01.100,00" in new_card["text"]
        old = _wait_text(server, KIM_CHAT, first_id, "Status: vervangen")
        assert "Bijgewerkt" in old
        assert _buttons(_message(server, KIM_CHAT, first_id)) == []
        assert server.calls("editMessageText")
        period = last_month()
        open_items = w.db.scalar(
            "SELECT COUNT(*) FROM queue_items WHERE period = ? AND state != 'afgehandeld'",
            (period,),
        )
        assert open_items == 1
        listing = kim.say("/wachtrij", "Je wachtrij")
        assert "1 punt open" in listing["text"]

        new_id = int(new_card["message_id"])
        kim.mark()
        server.press_button(KIM_CHAT, new_id, f"queue:done:{_done_item(new_card)}")
        kim.expect("Afgehandeld")
        _wait_text(server, KIM_CHAT, new_id, "Status: afgehandeld")
        assert _buttons(_message(server, KIM_CHAT, new_id)) == []
        after = kim.say("/wachtrij", "Je wachtrij")
        assert "0 punten open" in after["text"]


def _done_item(card: dict[str, object]) -> str:
    done = next(d for d in _buttons(card) if d.startswith("queue:done:"))
    return done.rsplit(":", 1)[1]


def test_an_overdue_card_offers_herinner_nu_which_reaches_the_participant_once(
    tmp_path: Path, server: FakeBotApi
) -> None:
    period = month_past_due(days_after=2)  # the escalation moment must lie in the past
    due = due_date(load_policy(), period)
    with world(tmp_path, server) as w:
        w.bot.start()
        kim = w.klantmanager(KIM, KIM_CHAT)
        ayla = w.participant(AYLA, AYLA_CHAT, KIM, start=first_day(period))
        moment = local_iso(due + timedelta(days=2), 9, 5)
        w.bot.cli("jobs", "run", "overdue_escalation", "--now", moment)
        card = kim.expect("Opgave te laat", AYLA)
        buttons = _buttons(card)
        assert [b.rsplit(":", 1)[0] for b in buttons] == ["queue:remind", "queue:done"]
        assert not any(b.startswith(("queue:fix:", "queue:proof:")) for b in buttons)
        ayla.mark()
        remind = next(b for b in buttons if b.startswith("queue:remind:"))
        kim.mark()
        server.press_button(KIM_CHAT, int(card["message_id"]), remind)
        kim.expect("Herinnering")
        server.press_button(KIM_CHAT, int(card["message_id"]), remind)
        kim.expect("er gaat geen tweede")
        ayla.expect("herinnert je aan je opgave")
        pushes = w.db.scalar(
            "SELECT COUNT(*) FROM outbox WHERE person_id = ? "
            "AND message_key = 'queue/remind_push'",
            (w.db.person_id(AYLA),),
        )
        assert pushes == 1
        texts = [t for t in server.sent_texts(AYLA_CHAT) if "herinnert je aan je opgave" in t]
        assert len(texts) == 1
