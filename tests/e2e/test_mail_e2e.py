"""The running `ptobot run` mails: the weekly digest reaches an SMTP server on 127.0.0.1 once,
with HTML and text parts, though the job runs twice (next to the bot, from the command line)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from bot.clock import AMSTERDAM, SystemClock
from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.harness import TOKEN
from tests.e2e.journey_helpers import WAIT, local_iso, world
from tests.mail.smtpsink import Sink

KIM, AYLA = "Kim Klantmanager", "Ayla Voorbeeld"
KIM_MAIL = "kim@gemeente.example"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """A fake Bot API in its own thread."""
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as fake:
        yield fake


@pytest.fixture
def sink() -> Iterator[Sink]:
    """The mail sink in a thread of its own (the bot is another process)."""
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()


def wait_for(found: Callable[[], bool], timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not found():
        if time.monotonic() > deadline:
            raise AssertionError("nothing arrived in time")
        time.sleep(0.05)


def test_the_running_bot_mails_the_weekly_digest_once(
    tmp_path: Path, server: FakeBotApi, sink: Sink
) -> None:
    smtp = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(sink.port),
        "SMTP_FROM": "PTO assistent <pto@gemeente.example>",
        "SMTP_STARTTLS": "false",
        "PTO_WEB_BASE_URL": "https://inbox.gemeente.example",
    }
    today = SystemClock().now().astimezone(AMSTERDAM).date()
    monday = today - timedelta(days=today.weekday() + 7)  # last week's Monday: in the past
    with world(tmp_path, server, **smtp) as w:
        w.bot.start()
        w.klantmanager(KIM, 2701)
        w.participant(AYLA, 2702, KIM)
        w.bot.cli("people", "--set-email", "kim", KIM_MAIL)
        moment = local_iso(monday, 8, 5)
        for _ in range(2):
            w.bot.cli("jobs", "run", "weekly_digest", "--now", moment)
        rows = w.db.rows("SELECT id FROM outbox WHERE channel = 'email'")
        assert len(rows) == 1
        wait_for(
            lambda: (
                w.db.scalar("SELECT sent_at FROM outbox WHERE id = ?", (rows[0]["id"],))
                is not None
            )
        )
        assert len(sink.received) == 1
        message = sink.received[0]
        assert message["To"] == KIM_MAIL
        assert message["Subject"].startswith("Weekoverzicht ")
        kinds = [part.get_content_type() for part in message.iter_parts()]
        assert kinds == ["text/plain", "text/html"]
        html = message.get_body(("html",))
        assert html is not None
        assert AYLA in html.get_content()
        assert "not delivered" not in w.bot.collect()  # no failed attempt on the way
