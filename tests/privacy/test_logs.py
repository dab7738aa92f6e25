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
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from telegram.error import BadRequest

from bot.app import THIRD_PARTY_CAPS, App, SecretFilter, private_traceback, setup_logging
from bot.clock import AMSTERDAM, FixedClock
from bot.config import Settings
from bot.domain.models import Role
from bot.storage import people
from handlers.base import Ctx
from scheduler.jobs import run_job
from scheduler.setup import tick
from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.journey_helpers import Chat, World, last_month, world
from tests.privacy.conftest import Folks, command

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
    "aiohttp",
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
    assert " DEBUG bot.dispatcher: handled " in log  # DEBUG, and our own loggers spoke
    assert " DEBUG telegram" not in log  # python-telegram-bot's DEBUG stays out
    leaks = [needle for needle in _personal(texts) if needle in log]
    assert leaks == [], (leaks, [_around(log, n) for n in leaks[:3]])


def _around(log: str, needle: str) -> str:
    at = log.find(needle)
    return log[max(0, at - 200) : at + 200]


# ---------------------------------------------------------------- what a journey does not reach


@pytest.fixture
def _restore_logging() -> Iterator[None]:
    """`setup_logging` rewires the root logger and caps loggers; put everything back after."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    names = [*THIRD_PARTY, *THIRD_PARTY_CAPS]
    levels = {n: logging.getLogger(n).level for n in names}
    yield
    root.handlers[:], root.level = saved
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def _third_party_loggers() -> list[str]:
    """Every logger the libraries created, once their modules are imported."""
    import apscheduler.schedulers.asyncio  # noqa: F401
    import httpx  # noqa: F401
    import telegram.ext
    import telegram.request  # noqa: F401

    roots = {n.split(".")[0] for n in THIRD_PARTY}
    known = list(logging.root.manager.loggerDict)
    return sorted({*THIRD_PARTY, *(n for n in known if n.split(".")[0] in roots)})


@pytest.mark.parametrize("level", ["DEBUG", "INFO", "WARNING", "ERROR"])
@pytest.mark.usefixtures("_restore_logging")
def test_third_party_loggers_are_capped_whatever_log_level_says(level: str) -> None:
    setup_logging(Settings(log_level=level))
    asked = logging.getLevelName(level)
    for name in _third_party_loggers():
        logger = logging.getLogger(name)
        assert not logger.isEnabledFor(logging.DEBUG), name  # updates, calls, SQL parameters
        assert logger.getEffectiveLevel() >= asked, name  # and never chattier than asked
    for name in ("aiosqlite", "httpx", "httpcore", "aiohttp", "telegram.request"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
    for name in ("bot.dispatcher", "handlers.declaration", "scheduler.setup"):
        assert logging.getLogger(name).getEffectiveLevel() == asked  # ours follow LOG_LEVEL


@pytest.mark.usefixtures("_restore_logging")
async def test_sql_parameters_are_not_logged_at_debug(
    app: App, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging(Settings(log_level="DEBUG"))
    logging.getLogger("bot.test").debug("our own line")
    async with app.services.db.transaction() as tx:  # aiosqlite runs it, parameters and all
        await people.insert_person(tx, NOTE, Role.PARTICIPANT, clock.now())
    err = capsys.readouterr().err
    assert "our own line" in err
    assert NOTE_WORD not in err


@pytest.mark.usefixtures("_restore_logging")
async def test_an_exception_quoting_the_input_is_logged_without_its_message(
    app: App, folks: Folks, capsys: pytest.CaptureFixture[str]
) -> None:
    @app.router.command("kapot")
    async def kapot(ctx: Ctx) -> None:
        raise ValueError(f"could not read {ctx.inbound.args!r} as an amount")

    setup_logging(Settings(log_level="DEBUG"))
    outcome = await app.dispatcher.handle(command(folks.ayla.address, f"/kapot {NOTE} {REVENUE}"))
    assert [r.key for r in outcome.replies] == ["common/error"]
    err = capsys.readouterr().err
    assert f"error handling command from a telegram chat (person {folks.ayla.id}" in err
    assert "Traceback (most recent call last)" in err  # where it happened stays readable
    assert "in kapot" in err
    assert "ValueError (message not logged)" in err
    assert NOTE_WORD not in err
    assert not [form for form in REVENUE_FORMS if form in err]
    assert folks.ayla.name not in err


def _chained() -> BaseException:
    try:
        try:
            open(f"/nonexistent/{FILE_NAME}")  # noqa: PTH123, SIM115
        except OSError as inner:
            raise KeyError(NOTE) from inner
    except KeyError as middle:
        try:
            raise RuntimeError(f"while handling {NOTE}")
        except RuntimeError as exc:
            return exc if exc.__context__ is middle else middle
    raise AssertionError("unreachable")


def test_a_traceback_keeps_types_frames_and_library_states_not_messages() -> None:
    text = private_traceback(_chained())
    assert text.count("Traceback (most recent call last)") == 3
    assert "FileNotFoundError: [Errno 2] No such file or directory" in text
    assert "direct cause of the following exception" in text
    assert "KeyError (message not logged)" in text
    assert "During handling of the above exception" in text
    assert "RuntimeError (message not logged)" in text
    assert "in _chained" in text
    assert NOTE_WORD not in text
    assert "Vlinderkamp" not in text
    assert private_traceback(sqlite3.OperationalError("database is locked")).endswith(
        "sqlite3.OperationalError: database is locked"
    )
    assert private_traceback(BadRequest("Message is too long")).endswith(
        "telegram.error.BadRequest: Message is too long"
    )
    group = private_traceback(ExceptionGroup("two", [ValueError(NOTE), TypeError(NOTE)]))
    assert "ValueError (message not logged)" in group
    assert "TypeError (message not logged)" in group
    assert NOTE_WORD not in group


def test_the_private_filter_still_masks_secrets_in_library_messages() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretFilter([TOKEN], private=True))
    log = logging.getLogger("tests.privacy.logs")
    log.addHandler(handler)
    log.propagate = False
    try:
        try:
            raise BadRequest(f"token {TOKEN} unknown")
        except BadRequest:
            log.exception("a call failed")
        try:
            raise ValueError(NOTE)
        except ValueError:
            log.exception("parse failed")
    finally:
        log.removeHandler(handler)
        log.propagate = True
    text = stream.getvalue()
    assert "BadRequest: token [secret] unknown" in text
    assert TOKEN not in text
    assert "ValueError (message not logged)" in text
    assert NOTE_WORD not in text


async def test_a_scheduler_tick_logs_ids_not_names(
    app: App, folks: Folks, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.set(datetime(2026, 12, 7, 9, 5, tzinfo=AMSTERDAM))  # a reminder moment, due - 3
    with caplog.at_level(logging.INFO):
        await tick(app.services, "declaration_reminders")
    logged = [r.getMessage() for r in caplog.records if r.name == "scheduler.setup"]
    assert any(f"push to #{folks.ayla.id}:" in line for line in logged), logged
    names = [p.name for p in folks.everyone()]
    assert not [n for n in names for line in logged if n in line]
    # the command line (`ptobot jobs run`) still names who it concerns
    result = await run_job(app.services, "declaration_reminders", clock.now(), dry_run=True)
    assert result.lines == [] or any(folks.ayla.name in line for line in result.lines)
