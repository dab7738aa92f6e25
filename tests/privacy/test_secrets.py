"""The bot token and the webhook secret never reach a log line or an error message.

A full `ptobot run` against a fake Bot API on 127.0.0.1, at DEBUG level, with an exception in a
handler and Telegram errors whose text carries the token; then the captured output is searched.
"""

from __future__ import annotations

import asyncio
import gc
import io
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

import bot.app
from bot.app import SecretFilter, open_app, setup_logging
from bot.cli import main
from bot.config import ConfigError, Settings, load_settings
from bot.domain.models import Role
from bot.storage import people
from handlers import build_router
from handlers.base import Ctx
from handlers.router import Router
from tests.e2e.fakebotapi import FakeBotApi

TOKEN = "987654:AAH-super-secret-token_xyz"
WEBHOOK_SECRET = "whsec-Very-Secret-42"
CHAT = 8123
SECRETS = (TOKEN, WEBHOOK_SECRET, TOKEN.split(":", 1)[1])


@pytest.fixture(autouse=True)
def _restore_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`setup_logging` rewires the root logger; give pytest its own back afterwards."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    names = ("httpx", "httpcore", "apscheduler", "telegram", "bot", *bot.app.THIRD_PARTY_CAPS)
    levels = {n: logging.getLogger(n).level for n in names}
    yield
    root.handlers[:], root.level = saved[0], saved[1]
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def _env(monkeypatch: pytest.MonkeyPatch, settings: Settings, base_url: str) -> None:
    for key, value in {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": base_url,
        "TELEGRAM_WEBHOOK_URL": "",
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "DATABASE_URL": settings.database_url,
        "PTO_PROOF_DIR": str(settings.proof_dir),
        "LOG_LEVEL": "DEBUG",
        "PTO_DEMO": "false",
    }.items():
        monkeypatch.setenv(key, value)


def _router_with_a_crash() -> Router:
    router = build_router()

    @router.command("kapot")
    async def kapot(ctx: Ctx) -> None:
        raise RuntimeError(
            f"could not reach https://api.example.org/bot{TOKEN}/x {WEBHOOK_SECRET}"
        )

    return router


async def _bind(settings: Settings) -> None:
    async with open_app(settings) as app, app.services.db.transaction() as tx:
        now = datetime(2026, 11, 2, tzinfo=UTC)
        person = await people.insert_person(tx, "Ayla Voorbeeld", Role.PARTICIPANT, now)
        await people.bind_identity(tx, "telegram", str(CHAT), person, now)


def _stop_when(fake: FakeBotApi, replies: int, failures: list[BaseException]) -> None:
    """From a helper thread: wait for the bot to start and answer, then send SIGTERM."""
    try:
        fake.wait_for_requests_sync("getMe", timeout=20)  # signal handlers are in place now
        try:
            fake.wait_for_messages_sync(CHAT, count=replies, timeout=20)
        except TimeoutError as exc:
            failures.append(exc)
    finally:
        os.kill(os.getpid(), signal.SIGTERM)


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_a_full_run_logs_no_secret(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(bot.app, "build_router", _router_with_a_crash)
    with FakeBotApi(token=TOKEN).run_in_thread() as fake:
        _env(monkeypatch, settings, fake.base_url)
        asyncio.run(_bind(settings))
        # a reply fails with a Telegram error that quotes the token
        fake.fail_next("sendMessage", 400, description=f"Bad Request: token {TOKEN} unknown")
        fake.send_text(CHAT, "/hulp")
        fake.send_text(CHAT, "/kapot")
        fake.send_text(CHAT, "hallo")
        fake.send_document(CHAT, b"MZ\x90\x00", "tool.exe", "application/x-msdownload")
        failures: list[BaseException] = []
        helper = threading.Thread(target=_stop_when, args=(fake, 3, failures))
        helper.start()
        try:
            code = main(["run"])
        finally:
            helper.join()
        sent = fake.sent_texts(CHAT)
        file_calls = fake.calls("getFile")
    out = capsys.readouterr()
    logged = out.err + out.out
    assert failures == []
    assert code == 0
    assert "RuntimeError" in logged  # the exception path was logged ...
    assert "could not reply" in logged  # ... and the failed reply too
    assert "DEBUG" in logged
    assert not _leaks(logged)
    assert not any(_leaks(t) for t in sent)
    assert file_calls == []  # a file that is not an image or PDF is never fetched


def test_httpx_request_lines_are_masked_even_when_enabled(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_settings = Settings(telegram_bot_token=TOKEN, telegram_webhook_secret=WEBHOOK_SECRET)
    setup_logging(secret_settings)
    logging.getLogger("httpx").setLevel(logging.DEBUG)  # as if someone turned it on
    with FakeBotApi(token=TOKEN).run_in_thread() as fake:
        response = httpx.get(f"{fake.base_url}{TOKEN}/getMe")
    assert response.status_code == 200
    try:
        raise ValueError(f"wrapped {TOKEN}")
    except ValueError:
        logging.getLogger("bot.test").exception("failed with %s", WEBHOOK_SECRET)
    err = capsys.readouterr().err
    assert "HTTP Request" in err
    assert "[secret]" in err
    assert not _leaks(err)


def test_the_filter_masks_args_messages_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretFilter([TOKEN, WEBHOOK_SECRET]))
    log = logging.getLogger("tests.privacy.secrets")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("url %s", f"https://x/bot{TOKEN}/getMe")
        log.warning(f"direct {WEBHOOK_SECRET}")  # noqa: G004
        try:
            raise KeyError(TOKEN)
        except KeyError:
            log.exception("boom")
        log.warning("chained", exc_info=_chained())
    finally:
        log.removeHandler(handler)
        log.propagate = True
    text = stream.getvalue()
    assert text.count("[secret]") >= 4
    assert not _leaks(text)


def _collect_quietly() -> None:
    """PTB leaves its HTTP connections open when `initialize` fails; drop them here, silently."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook


def _chained() -> BaseException:
    try:
        try:
            raise OSError(f"inner {TOKEN}")
        except OSError as inner:
            raise RuntimeError("outer") from inner
    except RuntimeError as exc:
        return exc


def test_settings_never_show_secrets() -> None:
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET},
        env_file=None,
    )
    assert not _leaks(repr(settings))
    assert not _leaks(str(settings))


def test_webhook_url_without_secret_is_refused_and_the_error_names_no_token() -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET") as caught:
        load_settings(
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/h"},
            env_file=None,
        )
    assert not _leaks(str(caught.value))


def test_a_rejected_token_is_not_printed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeBotApi(token="111:the-right-one").run_in_thread() as fake:
        _env(monkeypatch, settings, fake.base_url)
        try:
            main(["run"])
        except BaseException as exc:  # what the interpreter would print
            shown = "".join(traceback.format_exception(exc))
        else:
            shown = ""
        finally:
            _collect_quietly()
    out = capsys.readouterr()
    assert not _leaks(out.err + out.out + shown), (out.err + shown)[-2000:]
