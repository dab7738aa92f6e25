"""The web inbox in a real headless Chromium (Debian's `chromium`, driven by Playwright), next
to the real `ptobot run` on a Bot API server on 127.0.0.1: log in with a link from
`ptobot web-link`, see the declaration in the queue, open it, press Afgehandeld; the chat's card
and /wachtrij follow, another klantmanager gets 404, a POST without the CSRF token is refused and
a used link does not log in again."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.harness import TOKEN
from tests.e2e.journey_helpers import World, declare, world

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
KIM, KARIN, AYLA = "Kim Klantmanager", "Karin Klantmanager", "Ayla Voorbeeld"
KIM_CHAT, KARIN_CHAT, AYLA_CHAT = 2601, 2602, 2603
STEP_MS = 15_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """A fake Bot API in its own thread."""
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as fake:
        yield fake


@pytest.fixture
def inbox(tmp_path: Path, server: FakeBotApi) -> Iterator[tuple[World, str]]:
    """`ptobot run` with the web inbox on a free port; Kim, Karin and Ayla onboarded."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with world(
        tmp_path, server, PTO_WEB="true", PTO_WEB_PORT=str(port), PTO_WEB_BASE_URL=base
    ) as w:
        w.bot.start()
        yield w, base


def web_link(w: World, name: str) -> str:
    """A login link printed by `ptobot web-link --json`."""
    printed = w.bot.cli("web-link", "--name", name, "--json").stdout
    url = json.loads(printed)["url"]
    assert isinstance(url, str)
    return url


def _card_says(w: World, card: dict[str, object], needle: str) -> bool:
    """Whether the chat card (edited in place) now shows `needle`."""
    sent = w.server.sent_messages(KIM_CHAT)
    shown = next(m for m in sent if m["message_id"] == card["message_id"])
    return needle in str(shown.get("text", ""))


def test_a_klantmanager_works_an_item_in_the_browser(inbox: tuple[World, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    w, base = inbox
    kim = w.klantmanager(KIM, KIM_CHAT)
    w.klantmanager(KARIN, KARIN_CHAT)
    ayla = w.participant(AYLA, AYLA_CHAT, KIM)
    declare(ayla, revenue="900")
    card = kim.expect("Nieuw in je wachtrij", AYLA)
    link = web_link(w, "kim")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            desk = browser.new_context(viewport={"width": 1280, "height": 900})
            page = desk.new_page()
            page.set_default_timeout(STEP_MS)
            problems: list[str] = []  # a script or style the Content-Security-Policy blocked
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.goto(link)
            page.get_by_role("button", name="Inloggen").click()
            page.wait_for_url(f"{base}/wachtrij")  # loaded, htmx included
            expect(page.get_by_role("heading", name="Wachtrij")).to_be_visible()
            page.get_by_label("Status", exact=True).select_option(
                "afgehandeld"
            )  # htmx swaps the list
            expect(page).to_have_url(re.compile(r"status=afgehandeld"))
            expect(page.get_by_text("Geen punten met deze filters")).to_be_visible()
            page.get_by_label("Status", exact=True).select_option("")
            row = page.get_by_role("row", name=re.compile(AYLA))
            expect(row).to_contain_text("Opgave ingediend")
            page.keyboard.press("Tab")  # the first stop skips to the content
            expect(page.locator(":focus")).to_have_text("Naar de inhoud")
            row.get_by_role("link", name=AYLA).focus()
            page.keyboard.press("Enter")
            expect(page.get_by_role("heading", level=1)).to_contain_text(AYLA)
            expect(page.locator("dl.figures")).to_contain_text("900,00")
            item_path = page.url.removeprefix(base)
            item_id = int(item_path.rsplit("/", 1)[1])
            proof_path = f"{item_path}/bewijs/1"
            expect(page.locator(f'img[src="{proof_path}"]')).to_be_visible()
            page.get_by_role("button", name="Afgehandeld").click()
            expect(page.get_by_role("status")).to_contain_text("Afgehandeld")

            assert problems == []
            state = w.db.scalar("SELECT state FROM queue_items WHERE id = ?", (item_id,))
            assert state == "afgehandeld"
            listing = kim.say("/wachtrij", "Je wachtrij")
            assert "0 punten open" in listing["text"]
            w.server.wait_until_sync(lambda: _card_says(w, card, "Status: afgehandeld"), 15)

            refused = desk.request.post(f"{base}{item_path}/afgehandeld", max_redirects=0)
            assert refused.status == 403

            other = browser.new_context(viewport={"width": 390, "height": 844})
            phone = other.new_page()
            phone.set_default_timeout(STEP_MS)
            phone.goto(web_link(w, "karin"))
            phone.get_by_role("button", name="Inloggen").click()
            expect(phone.get_by_role("heading", name="Wachtrij")).to_be_visible()
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the phone page is {width} px wide"
            for path in (item_path, proof_path):
                answer = phone.goto(f"{base}{path}")
                assert answer is not None
                assert answer.status == 404
            assert desk.request.get(f"{base}{proof_path}").status == 200

            stranger = browser.new_context()
            again = stranger.new_page()
            answer = again.goto(link)
            assert answer is not None
            assert answer.status == 400
            expect(again.get_by_role("heading", level=1)).to_have_text("Deze link werkt niet")
            again.goto(f"{base}/wachtrij")
            assert again.url.endswith("/login")
        finally:
            browser.close()
