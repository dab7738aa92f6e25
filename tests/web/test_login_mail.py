"""The login page's "mail me a link": the same answer for a known and an unknown address, a
mail through the outbox only for a known klantmanager, and throttled requests."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from bot.app import App, open_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.storage import people
from tests.factories_queue import KIM, caseloads
from tests.web.conftest import csrf_of, new_client


@pytest.fixture
async def mail_app(settings: Settings, clock: FixedClock) -> AsyncIterator[App]:
    """The app with SMTP configured (nothing is sent: no sender runs here)."""
    with_mail = replace(settings, smtp_host="127.0.0.1", smtp_from="pto@example.org")
    async with open_app(with_mail, clock) as running:
        ids = await caseloads(running, clock.now())
        async with running.services.db.transaction() as tx:
            await people.set_email(tx, ids[KIM], "kim@example.org")
        yield running


async def _ask(client: httpx.AsyncClient, address: str) -> httpx.Response:
    page = await client.get("/login")
    return await client.post("/login", data={"csrf": csrf_of(page.text), "email": address})


def _without_token(text: str) -> str:
    return re.sub(r'(name="csrf" value=|"X-CSRF-Token": )"[^"]+"', "", text)


async def _mails(app: App) -> list[str]:
    async with app.services.db.read() as tx:
        rows = await tx.all("SELECT message_key FROM outbox WHERE channel = 'email'")
    return [r["message_key"] for r in rows]


async def test_known_and_unknown_addresses_get_the_same_answer(
    mail_app: App, clients: list[httpx.AsyncClient]
) -> None:
    client = new_client(mail_app, clients)
    known = await _ask(client, "Kim@Example.org")
    unknown = await _ask(new_client(mail_app, clients), "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert _without_token(known.text) == _without_token(unknown.text)
    assert "krijg je binnen een paar minuten een mail" in known.text
    assert await _mails(mail_app) == ["mail/login_link"]


async def test_requests_for_links_are_throttled(
    mail_app: App, clients: list[httpx.AsyncClient]
) -> None:
    client = new_client(mail_app, clients)
    answers = [(await _ask(client, f"x{n}@example.org")).status_code for n in range(6)]
    assert answers == [200] * 5 + [429]
    assert (await _ask(client, "kim@example.org")).status_code == 429
    assert await _mails(mail_app) == []


async def test_without_smtp_the_login_page_says_no_mail_goes(
    app: App, clients: list[httpx.AsyncClient]
) -> None:
    page = await new_client(app, clients).get("/login")
    assert "e-mail is nu niet ingesteld" in page.text
