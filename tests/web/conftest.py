"""The web inbox over httpx's ASGI transport: a logged-in client per person."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import httpx
import pytest

from bot.app import App, open_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.domain.web_links import login_url
from bot.services import web_login
from bot.web.app import create_app
from tests.factories_queue import caseloads, submit, who

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
BASE = "http://testserver"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')

Login = Callable[[str], Awaitable[httpx.AsyncClient]]


@pytest.fixture
def settings(tmp_path):  # type: ignore[no-untyped-def]
    """Settings with the web inbox's secret fixed and its base the test client's."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'pto.db'}",
        proof_dir=tmp_path / "proof",
        demo=False,
        web_base_url=BASE,
        web_secret="a-test-secret-that-is-long-enough-0123456789",
    )


@pytest.fixture
async def app(settings: Settings, clock: FixedClock) -> AsyncIterator[App]:
    """A migrated app on a real SQLite file."""
    async with open_app(settings, clock) as running:
        yield running


@pytest.fixture
async def ids(app: App, clock: FixedClock) -> dict[str, int]:
    """Kim (Ayla, Bram), Karin (Dirk), coach Cas; Ayla declared November."""
    found = await caseloads(app, clock.now())
    _, item_id = await submit(app, clock.now(), found["Ayla Voorbeeld"], "2026-11")
    found["item"] = item_id or 0
    return found


@pytest.fixture
async def clients() -> AsyncIterator[list[httpx.AsyncClient]]:
    """Every client made in the test, closed at its end."""
    made: list[httpx.AsyncClient] = []
    yield made
    for client in made:
        await client.aclose()


def new_client(app: App, made: list[httpx.AsyncClient]) -> httpx.AsyncClient:
    """A browser-like client of the inbox (cookies kept, redirects not followed)."""
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(app)), base_url=BASE)
    made.append(client)
    return client


async def link_for(app: App, name: str) -> str:
    """A fresh login link for `name`, as /inbox makes it."""
    now = app.services.clock.now()
    person = await who(app, name)
    async with app.services.db.transaction() as tx:
        token = await web_login.create_link(tx, now, person, via="test")
    return login_url(BASE, token)


def csrf_of(page: str) -> str:
    """The CSRF token of the page's first form."""
    found = CSRF.search(page)
    assert found, page[:500]
    return found.group(1)


async def log_in(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """Open the link and press Inloggen, as a person does."""
    shown = await client.get(url)
    if shown.status_code != 200:
        return shown
    return await client.post(url, data={"csrf": csrf_of(shown.text)})


@pytest.fixture
def login(app: App, clients: list[httpx.AsyncClient]) -> Login:
    """A client logged in as the person named."""

    async def logged_in(name: str) -> httpx.AsyncClient:
        client = new_client(app, clients)
        answer = await log_in(client, await link_for(app, name))
        assert answer.status_code == 303, answer.text
        return client

    return logged_in
