"""Arabic and Turkish over a Bot API server (issue 18): the real `ptobot run`, a participant who
switches with `/taal ar` and declares in Arabic, typing the omzet in Arabic-Indic digits, and one
whose Telegram speaks Turkish, greeted and declaring in Turkish. Both get their receipt in their
language and in Dutch; their klantmanager reads the declaration in Dutch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from messages.render import render, translations
from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.harness import TOKEN
from tests.e2e.journey_helpers import Chat, World, last_month, world

KIM = "Kim Klantmanager"
LATIN = re.compile(r"[A-Za-z0-9]")


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as fake:
        yield fake


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


def declare(talk: Chat, locale: str, revenue: str, hours: str) -> dict[str, object]:
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
        "--role", "participant", "--name", name, "--klantmanager", KIM,
        "--start-date", f"{last_month()}-01",
    )  # fmt: skip
    talk = Chat(w.server, chat)
    talk.mark()
    user = FakeBotApi.make_user(chat, name.split()[0], language_code=language)
    w.server.send_text(chat, f"/start {invite['code']}", user)
    return talk


def test_arabic_and_turkish_declarations_with_receipts(tmp_path: Path, server: FakeBotApi) -> None:
    with world(tmp_path, server) as w:
        w.bot.start()
        kim = w.klantmanager(KIM, 2801)

        # Arabic: chosen with /taal, the omzet typed as ١٬٢٥٠٫٥٠
        ayla = w.participant("Ayla Voorbeeld", 2802, KIM)
        ayla.say("/taal ar", render("common/taal_set", "ar"))
        receipt = declare(ayla, "ar", revenue="١٬٢٥٠٫٥٠", hours="١٢")
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
        receipt = declare(bram, "tr", revenue="1.250,50", hours="12")
        assert "Kenmerk" in str(receipt["text"])
        kim.expect("Nieuw in je wachtrij", "Bram Voorbeeld")
        assert w.db.scalar("SELECT COUNT(*) FROM declarations") == 2
