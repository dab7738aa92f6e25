"""Logs carry no personal data at any level.

A whole journey through the real `ptobot run` process at `LOG_LEVEL=DEBUG`, against the fake Bot
API on 127.0.0.1: a klantmanager and a participant redeem their invites, the participant declares
a month (an omzet, a cost, hours, a document as proof, a note with a word found nowhere else) and
the klantmanager opens the card. The process's output is the log; everything personal that went
through the bot is searched for in it: what people typed, their names (the ones the bot knows and
the ones on their Telegram profiles), the amounts in every form they could take, the proof's file
name and what the bot wrote back. None may be there.

Next to it: the pieces that a journey does not reach (an exception whose message quotes the
input, the third-party loggers at DEBUG, a scheduler tick that reports on named people).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import SecretFilter, setup_logging
from bot.config import Settings
from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.journey_helpers import Chat, World, last_month, world

TOKEN = "777001:LOGS-token-for-this-test-only"  # a bot id that is no amount below
KM = ("Joram", "Plexhuis")
PARTICIPANT = ("Fenna", "Quistwater")
PROFILE = {"first_name": "Fenja", "last_name": "Zirkoonberg", "username": "fenja_tgprofiel"}
KM_PROFILE = {"first_name": "Jorrit", "last_name": "Wolkenbrink", "username": "jorrit_tgkm"}
REVENUE = "1.234,56"
REVENUE_FORMS = ("1.234,56", "1234,56", "1234.56", "1,234.56", "123456")
COST = "87,65"
COST_FORMS = ("87,65", "87.65", "8765")
HOURS = "23"
NOTE_WORD = "Wezelbroekmarkt"
NOTE = f"Drukke dag op de {NOTE_WORD} met regen"
FILE_NAME = "bonnetje-Vlinderkamp-2026.pdf"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
THIRD_PARTY = (
    "telegram",
    "telegram.Bot",
    "telegram.ext",
    "telegram.ext.Application",
    "telegram.ext.Updater",
    "telegram.ext.ConversationHandler",
    "telegram.request",
    "httpx",
    "httpcore",
    "aiosqlite",
    "apscheduler",
    "asyncio",
    "tornado",
    "tornado.access",
    "uvicorn",
    "uvicorn.access",
)


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """A fake Bot API in its own thread."""
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as fake:
        yield fake


def _full(name: tuple[str, str]) -> str:
    return " ".join(name)


def _onboard(w: World, chat: int, profile: dict[str, str], *args: str) -> Chat:
    """Invite, then redeem the code from a Telegram profile with its own names."""
    code = w.bot.invite(*args)["code"]
    talk = Chat(w.server, chat)
    talk.mark()
    w.server.send_command(chat, "start", code, user={"id": chat, "is_bot": False, **profile})
    talk.expect("Welkom")
    return talk


def _declare(talk: Chat, server: FakeBotApi) -> None:
    talk.say("/opgave", "gewerkt")
    talk.press("decl:worked:yes", "omzet")
    talk.say(REVENUE, "kosten")
    talk.press("decl:cost:", "bedrag")
    talk.mark()
    server.send_text(talk.chat, COST)
    talk.expect_any("kosten", "Kosten")
    talk.press("decl:costs:done", "Uren")
    while True:
        talk.mark()
        server.send_text(talk.chat, HOURS)
        if "Bewijs" in str(talk.expect_any("Uren", "Bewijs").get("text", "")):
            break
    talk.mark()
    server.send_document(talk.chat, PDF, FILE_NAME, "application/pdf")
    talk.expect("Meer sturen mag")
    talk.press("decl:proof:done", "uitleggen")
    talk.say(NOTE, "Controleer")
    talk.press("decl:send:", "Kenmerk")


def _personal(texts: list[str]) -> list[str]:
    """Every personal thing that went through the bot, as it could appear in a log line."""
    names = [*KM, *PARTICIPANT, _full(KM), _full(PARTICIPANT)]
    names += [*PROFILE.values(), *KM_PROFILE.values()]
    found = [*names, *REVENUE_FORMS, *COST_FORMS, NOTE, NOTE_WORD, FILE_NAME, "Vlinderkamp"]
    found += [f"'{HOURS}'", f'"{HOURS}"']  # two digits: only as a quoted value
    for text in texts:  # what the bot wrote: every long enough line of every message
        found += [line.strip() for line in text.splitlines() if len(line.strip()) >= 16]
    return found


def test_a_whole_journey_at_debug_logs_nothing_personal(
    tmp_path: Path, server: FakeBotApi
) -> None:
    with world(tmp_path, server, TELEGRAM_BOT_TOKEN=TOKEN, LOG_LEVEL="DEBUG") as w:
        w.bot.start()
        km = _onboard(w, 3101, KM_PROFILE, "--role", "klantmanager", "--name", _full(KM))
        args = ["--role", "participant", "--name", _full(PARTICIPANT)]
        args += ["--klantmanager", _full(KM), "--start-date", f"{last_month()}-01"]
        fenna = _onboard(w, 3102, PROFILE, *args)
        _declare(fenna, server)
        km.expect("Nieuw in je wachtrij", _full(PARTICIPANT))
        km.say("/wachtrij", "wachtrij")
        card = km.press("queue:open:", _full(PARTICIPANT))
        assert REVENUE in card["text"]  # the card shows what we search the log for
        texts = server.sent_texts(km.chat) + server.sent_texts(fenna.chat)
        assert w.bot.stop() == 0
        log = w.bot.collect()
    assert " DEBUG " in log  # the level really was DEBUG ...
    assert "bot." in log  # ... and our own loggers spoke
    leaks = [needle for needle in _personal(texts) if needle in log]
    assert leaks == [], (leaks, [_around(log, n) for n in leaks[:3]])


def _around(log: str, needle: str) -> str:
    at = log.find(needle)
    return log[max(0, at - 200) : at + 200]
