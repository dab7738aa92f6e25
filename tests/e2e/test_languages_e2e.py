"""Arabic and Turkish over the Bot API: the real `ptobot run` process greets a new participant in
their Telegram app's language, `/taal` switches by a typed name, and a declaration typed the
Arabic or the Turkish way (Arabic-Indic digits, words for yes and none) gets a receipt with the
right amount. Steps are recognised by the buttons the bot offers, not by its wording."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.domain.periods import first_day
from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.harness import TOKEN
from tests.e2e.journey_helpers import WAIT, Chat, last_month, world

KIM, AYLA = "Kim Klantmanager", "Ayla Voorbeeld"


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """A fake Bot API in its own thread."""
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as fake:
        yield fake


def _buttons(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [str(b.get("callback_data", "")) for row in rows for b in row]


def _type(talk: Chat, text: str, *prefixes: str) -> str:
    """Type `text` and wait for a message offering a button starting with one of `prefixes`;
    returns the prefix offered."""
    talk.mark()
    if text.startswith("/"):
        command, _, args = text[1:].partition(" ")
        talk.server.send_command(talk.chat, command, args)
    else:
        talk.server.send_text(talk.chat, text)

    def offered() -> str | None:
        for message in talk.server.sent_messages(talk.chat)[talk.seen :]:
            for data in _buttons(message):
                for prefix in prefixes:
                    if data.startswith(prefix):
                        return prefix
        return None

    try:
        talk.server.wait_until_sync(lambda: offered() is not None, timeout=WAIT)
    except TimeoutError:
        texts = talk.server.sent_texts(talk.chat)[talk.seen :]
        raise AssertionError(f"after {text!r} no button {prefixes!r}: {texts}") from None
    return offered() or ""


TYPED = {
    "ar": {
        "phone": "ar",
        "taal": "/taal العربية",
        "worked": "نعم",
        "revenue": "١٬٢٥٠٫٥٠",
        "costs": "لا شيء",
        "hours": "١٢٫٥",
        "proof": "لا شيء",
        "note": "لا",
    },
    "tr": {
        "phone": "en-GB",
        "taal": "/taal Türkçe",
        "worked": "evet",
        "revenue": "1.250,50 avro",
        "costs": "yok",
        "hours": "12,5 saat",
        "proof": "yok",
        "note": "hiçbir şey",
    },
}


@pytest.mark.parametrize("language", ["ar", "tr"])
def test_a_declaration_typed_in_arabic_or_turkish_gets_the_right_receipt(
    tmp_path: Path, server: FakeBotApi, database_url: str, language: str
) -> None:
    typed = TYPED[language]
    with world(tmp_path, server, DATABASE_URL=database_url) as w:
        w.bot.start()
        w.klantmanager(KIM, 2501)
        invite = w.bot.invite(
            *("--role", "participant", "--name", AYLA, "--klantmanager", KIM),
            *("--start-date", first_day(last_month()).isoformat()),
        )
        ayla = Chat(server, 2502)
        ayla.mark()
        phone = server.make_user(2502, language_code=typed["phone"])
        server.send_command(2502, "start", invite["code"], user=phone)
        ayla.expect()
        locale = "SELECT locale FROM people WHERE name = ?"
        assert w.db.scalar(locale, (AYLA,)) == typed["phone"][:2]  # the app's language

        ayla.say(typed["taal"])
        assert w.db.scalar(locale, (AYLA,)) == language

        assert _type(ayla, "/opgave", "decl:worked:") == "decl:worked:"
        ayla.say(typed["worked"])  # the omzet question: no buttons
        assert _type(ayla, typed["revenue"], "decl:cost") == "decl:cost"
        assert _type(ayla, typed["costs"], "decl:hours:") == "decl:hours:"
        weeks = [_type(ayla, typed["hours"], "decl:hours:", "decl:proof:") for _ in range(4)]
        while weeks[-1] == "decl:hours:" and len(weeks) < 7:  # a month has 4 to 6 ISO weeks
            weeks.append(_type(ayla, typed["hours"], "decl:hours:", "decl:proof:"))
        assert weeks[-1] == "decl:proof:"
        assert _type(ayla, typed["proof"], "decl:note:") == "decl:note:"
        assert _type(ayla, typed["note"], "decl:send:") == "decl:send:"
        receipt = ayla.press("decl:send:", "PTO-")

        [decl] = w.db.rows("SELECT revenue_cents, costs_cents, reference FROM declarations")
        assert (decl["revenue_cents"], decl["costs_cents"]) == (125_050, 0)
        assert decl["reference"] in receipt["text"]
