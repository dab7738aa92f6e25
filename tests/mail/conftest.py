"""Fixtures of the mail tests: an SMTP sink on 127.0.0.1 and an app configured to mail to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest

from bot.app import App, open_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.services import mail
from tests.mail.smtpsink import Sink, smtp_sink

SENDER = "PTO assistent <pto@gemeente.example>"
BASE_URL = "https://inbox.gemeente.example"


@pytest.fixture(autouse=True)
def mail_off_afterwards() -> Iterator[None]:
    """Mail is configured per process; leave it off for the tests that follow."""
    yield
    mail.configure(False, "http://127.0.0.1:8080")


@pytest.fixture
async def sink() -> AsyncIterator[Sink]:
    async with smtp_sink() as running:
        yield running


@pytest.fixture
def mail_settings(settings: Settings, sink: Sink) -> Settings:
    return replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=sink.port,
        smtp_from=SENDER,
        smtp_starttls=False,
        web_base_url=BASE_URL,
        outbox_max_attempts=3,
    )


@pytest.fixture
async def mail_app(mail_settings: Settings, clock: FixedClock) -> AsyncIterator[App]:
    async with open_app(mail_settings, clock) as running:
        yield running
