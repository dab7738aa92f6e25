"""Screenshots of the web inbox for the README: `python -m tests.web.screenshots [DIR]`.

Seeds the demo people into a fresh database (the terminal chat with empty input), serves the
inbox with `ptobot web` on a free port, logs in as Kim with `ptobot web-link`, and saves the
queue and an item (desk width) and the queue on a phone as PNG files in DIR (default docs/).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.web.test_browser import ARGS, CHROMIUM, free_port

ROOT = Path(__file__).resolve().parents[2]


def _ptobot(workdir: Path, env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bot", *args],
        cwd=workdir,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def _wait(url: str) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - our own 127.0.0.1
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(url)


def _extra(page: Any, out: Path, base: str) -> None:
    """More pages, for a person checking the layout: a participant, the week, a phone."""
    page.get_by_role("link", name="Alles van deze deelnemer").click()
    page.wait_for_selector("svg")
    page.screenshot(path=out / "inbox-participant.png", full_page=True)
    page.goto(f"{base}/weekoverzicht")
    page.screenshot(path=out / "inbox-week.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/wachtrij")
    page.screenshot(path=out / "inbox-queue-phone.png", full_page=True)
    page.locator("table.list a").first.click()
    page.wait_for_selector("h1")
    page.screenshot(path=out / "inbox-item-phone.png", full_page=True)


def main(out: Path, extra: bool = False) -> None:
    """Make the screenshots."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PTO_", "TELEGRAM_"))}
        env |= {"PYTHONPATH": str(ROOT), "PTO_WEB_PORT": str(port), "PTO_WEB_BASE_URL": base}
        _ptobot(workdir, env | {"PTO_WEB": "false"}, "chat")  # seeds the demo people
        server = subprocess.Popen([sys.executable, "-m", "bot", "web"], cwd=workdir, env=env)
        try:
            _wait(f"{base}/login")
            link = json.loads(_ptobot(workdir, env, "web-link", "--name", "kim", "--json"))["url"]
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
                desk = browser.new_page(viewport={"width": 1280, "height": 800})
                desk.goto(link)
                desk.get_by_role("button", name="Inloggen").click()
                desk.wait_for_url(f"{base}/wachtrij")
                desk.screenshot(path=out / "inbox-queue.png", full_page=True)
                desk.locator("table.list a").first.click()
                desk.wait_for_selector("h1")
                desk.screenshot(path=out / "inbox-item.png", full_page=True)
                if extra:
                    _extra(desk, out, base)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs", "--all" in sys.argv)
