"""Issue 17 over a Bot API server on 127.0.0.1: `/wijziging` → the participant's receipt with a
reference and the klantmanager's card (Afgehandeld, Bewijs), edited when it is closed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.harness import TOKEN
from tests.e2e.journey_helpers import RECEIPT_JPEG, WAIT, world
from tests.e2e.test_queue_states import _buttons

KIM, AYLA = "Kim Klantmanager", "Ayla Voorbeeld"
KIM_CHAT, AYLA_CHAT = 2701, 2702


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """A fake Bot API in its own thread."""
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as fake:
        yield fake


def test_wijziging_gives_a_receipt_and_a_card_the_klantmanager_closes(
    tmp_path: Path, server: FakeBotApi
) -> None:
    with world(tmp_path, server) as w:
        w.bot.start()
        kim = w.klantmanager(KIM, KIM_CHAT)
        ayla = w.participant(AYLA, AYLA_CHAT, KIM)

        menu = ayla.say("/wijziging", "Wat verandert er?")
        assert "chg:kind:buitenland" in _buttons(menu)
        ayla.press("chg:kind:buitenland", "Op welke dag", "28 dagen")
        ayla.say("1-2-2027", "Vertel kort")
        ayla.say("Drie maanden naar Marokko voor familie", "document")
        ayla.photo(RECEIPT_JPEG, "Klopt dit?", "Drie maanden naar Marokko")
        receipt = ayla.press("chg:send:", "Doorgegeven", "Kenmerk")
        assert "WIJZ-" in str(receipt["text"])
        # A second tap on the same button reports nothing twice.
        ayla.press("chg:send:", "al doorgegeven")

        card = kim.expect("Nieuw in je wachtrij", "Wijziging doorgegeven", AYLA)
        text = str(card["text"])
        assert "Verblijf in het buitenland" in text
        assert "1 februari 2027" in text
        assert "Drie maanden naar Marokko voor familie" in text
        buttons = _buttons(card)
        assert [b.split(":")[1] for b in buttons] == ["done", "proof"]
        assert w.db.scalar("SELECT COUNT(*) FROM circumstance_changes") == 1
        assert w.db.scalar("SELECT COUNT(*) FROM queue_items WHERE kind = 'change_reported'") == 1

        kim.mark()
        server.press_button(KIM_CHAT, int(card["message_id"]), buttons[0])
        kim.expect("Afgehandeld")

        def closed() -> bool:
            state = w.db.scalar("SELECT state FROM queue_items WHERE kind = 'change_reported'")
            return bool(state == "afgehandeld")

        server.wait_until_sync(closed, timeout=WAIT)
