"""The inbox's layout as a person meets it, in Debian's headless Chromium: the demo seeded by
the terminal chat, `ptobot web` alone, Kim logged in with `ptobot web-link`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.screenshots import ROOT, _ptobot, _wait
from tests.web.test_browser import ARGS, CHROMIUM, STEP_MS, free_port

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)


@pytest.fixture
def kim_page(tmp_path: Path) -> Iterator[tuple[Any, str]]:
    """A browser page logged in as the demo's Kim, and the inbox's base address."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PTO_", "TELEGRAM_", "SMTP_"))}
    env |= {"PYTHONPATH": str(ROOT), "PTO_WEB_PORT": str(port), "PTO_WEB_BASE_URL": base}
    _ptobot(tmp_path, env | {"PTO_WEB": "false"}, "chat")  # seeds the demo people
    server = subprocess.Popen([sys.executable, "-m", "bot", "web"], cwd=tmp_path, env=env)
    try:
        _wait(f"{base}/login")
        link = json.loads(_ptobot(tmp_path, env, "web-link", "--name", "kim", "--json"))["url"]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.set_default_timeout(STEP_MS)
                page.goto(link)
                page.get_by_role("button", name="Inloggen").click()
                page.wait_for_url(f"{base}/wachtrij")
                yield page, base
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_each_outcome_choice_sits_on_the_line_of_its_label(kim_page: tuple[Any, str]) -> None:
    page, _ = kim_page
    page.get_by_role("link", name="Deelnemers").click()
    page.get_by_role("link", name="Ayla Voorbeeld").click()
    radios = page.get_by_role("radio")
    assert radios.count() == 6
    for i in range(radios.count()):
        radio = radios.nth(i)
        label = page.locator(f"label[for='{radio.get_attribute('id')}']")
        r, lab = radio.bounding_box(), label.bounding_box()
        middle = r["y"] + r["height"] / 2
        assert lab["y"] <= middle <= lab["y"] + lab["height"], (r, lab)
        assert r["x"] < lab["x"]


def test_the_weekly_overview_fits_a_phone(kim_page: tuple[Any, str]) -> None:
    page, base = kim_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/weekoverzicht")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    back = page.get_by_role("link", name="Terug naar de wachtrij").bounding_box()
    assert back["x"] >= 8  # not glued to the screen's edge


def test_a_refused_action_says_why_instead_of_doing_nothing(kim_page: tuple[Any, str]) -> None:
    from playwright.sync_api import expect

    page, _ = kim_page
    page.get_by_role("link", name="Deelnemers").click()
    page.get_by_role("link", name="Ayla Voorbeeld").click()
    page.get_by_role("radio", name="Verlenging PTO").check()  # without the new end date
    with page.expect_response(lambda r: r.url.endswith("/uitkomst")) as answer:
        page.get_by_role("button", name="Uitkomst vastleggen").click()
    assert answer.value.status == 400
    expect(page.get_by_text("Een verlenging heeft een nieuwe einddatum nodig")).to_be_visible()
