"""Arabic and Turkish over the Bot API: the real `ptobot run` process greets a new participant in
their Telegram app's language, `/taal` switches by a typed name, and a declaration typed the
Arabic or the Turkish way (Arabic-Indic digits, words for yes and none) gets a receipt with the
right amount. Steps are recognised by the buttons the bot offers, not by its wording. The second
test reads the wording: each question in the participant's language, the receipt in their language
and in Dutch (the language of record), and the klantmanager's card in Dutch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.domain.periods import first_day
from messages.render import render, translations
from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.harness import TOKEN
from tests.e2e.journey_helpers import WAIT, Chat, World, last_month, world

KIM, AYLA = "Kim Klantmanager", "Ayla Voorbeeld"
LATIN = re.compile(r"[A-Za-z0-9]")


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


def said(msgid_start: str, locale: str) -> str:
    """The longest piece without placeholders, tags or Latin letters of the translation of the
    Dutch sentence starting with `msgid_start` — what the chat must show in `locale`."""
    from messages.catalogs import read

    catalog = read(locale)
    msgid = next(
        str(m.id) for m in catalog if isinstance(m.id, str) and m.id.startswith(msgid_start)
    )
    text = translations(locale).gettext(msgid)
    pieces = re.split(r"%\(\w+\)s|<[^>]+>|\n", text)
    # Arabic text has its Latin runs isolated: only pieces without them are shown verbatim
    clean = [p.strip() for p in pieces if p.strip() and not (locale == "ar" and LATIN.search(p))]
    assert clean, (msgid, text)
    return max(clean, key=len)


def declare_reading(talk: Chat, locale: str, revenue: str, hours: str) -> dict[str, object]:
    """`/opgave` for last month in `locale`, by typing and tapping; returns the receipt."""
    talk.say("/opgave", said("Heb je in <b>", locale))
    talk.press("decl:worked:yes", said("Hoeveel <b>omzet</b>", locale))
    talk.say(revenue, said("Welke <b>kosten</b>", locale))
    talk.press("decl:costs:none", said("<b>Uren</b>", locale))
    proof = said("<b>Bewijs</b>: stuur", locale)
    while True:
        talk.mark()
        talk.server.send_text(talk.chat, hours)
        answer = talk.expect_any(proof, said("<b>Uren</b>", locale))
        if proof in str(answer.get("text", "")):
            break
    talk.press("decl:proof:none", said("Wil je nog iets uitleggen", locale))
    review = talk.press("decl:note:skip", said("Klopt alles?", locale))
    assert "1,250.50" in str(review["text"]) or "1.250,50" in str(review["text"])
    return talk.press("decl:send:", said("Verstuurd, dank je wel!", locale), "Kenmerk")


def onboard_with_client_language(w: World, name: str, chat: int, language: str) -> Chat:
    invite = w.bot.invite(
        *("--role", "participant", "--name", name, "--klantmanager", KIM),
        *("--start-date", first_day(last_month()).isoformat()),
    )
    talk = Chat(w.server, chat)
    talk.mark()
    user = FakeBotApi.make_user(chat, name.split()[0], language_code=language)
    w.server.send_text(chat, f"/start {invite['code']}", user)
    return talk


def test_each_question_and_the_receipt_read_in_arabic_and_turkish(
    tmp_path: Path, server: FakeBotApi
) -> None:
    with world(tmp_path, server) as w:
        w.bot.start()
        kim = w.klantmanager(KIM, 2801)

        # Arabic: chosen with /taal, the omzet typed as ١٬٢٥٠٫٥٠
        ayla = w.participant("Ayla Voorbeeld", 2802, KIM)
        ayla.say("/taal ar", render("common/taal_set", "ar"))
        receipt = declare_reading(ayla, "ar", revenue="١٬٢٥٠٫٥٠", hours="١٢")
        text = str(receipt["text"])
        assert text.index(said("Verstuurd, dank je wel!", "ar")) < text.index("Kenmerk")
        reference = re.search(r"PTO-\d{4}-\d{2}-\d+", text)
        assert reference, text
        row = w.db.rows("SELECT revenue_cents, reference FROM declarations")[0]
        assert (row["revenue_cents"], row["reference"]) == (125050, reference.group(0))
        card = kim.expect("Nieuw in je wachtrij", "Ayla Voorbeeld")
        assert "1.250,50" in str(card["text"])  # the klantmanager reads it in Dutch

        # Turkish: greeted in the language of the Telegram client
        bram = onboard_with_client_language(w, "Bram Voorbeeld", 2803, "tr")
        bram.expect(said("Welkom, ", "tr"))
        assert w.db.scalar("SELECT locale FROM people WHERE name = 'Bram Voorbeeld'") == "tr"
        receipt = declare_reading(bram, "tr", revenue="1.250,50", hours="12")
        assert "Kenmerk" in str(receipt["text"])
        kim.expect("Nieuw in je wachtrij", "Bram Voorbeeld")
        assert w.db.scalar("SELECT COUNT(*) FROM declarations") == 2
