"""/inbox in the chat, and the inbox served by real processes: `ptobot run` next to the terminal
chat (the demo prints Kim's link) and `ptobot web` alone, both stopping cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.app import App
from bot.clock import FixedClock
from bot.config import load_settings
from messages import render
from tests import factories as f
from tests import factories_queue as fq
from tests.factories_queue import AYLA, CAS, CHATS, KIM
from tests.web.conftest import BASE, log_in, new_client
from tests.web.test_browser import free_port

ROOT = Path(__file__).resolve().parents[2]


async def test_inbox_sends_a_link_that_logs_in_once(
    app: App, clock: FixedClock, clients: list[httpx.AsyncClient]
) -> None:
    await fq.caseloads(app, clock.now())
    outcome = await app.dispatcher.handle(f.command(CHATS[KIM], "/inbox"), now=clock.now())
    (reply,) = outcome.replies
    assert reply.key == "common/inbox_link"
    assert reply.ctx["minutes"] == 15
    url = reply.ctx["url"]
    assert url.startswith(f"{BASE}/login/")
    assert url in render(reply.key, "nl", **reply.ctx)
    client = new_client(app, clients)
    assert (await log_in(client, url)).status_code == 303
    assert (await client.get("/wachtrij")).status_code == 200
    assert (await log_in(new_client(app, clients), url)).status_code == 400
    coach = await app.dispatcher.handle(f.command(CHATS[CAS], "/inbox"), now=clock.now())
    assert coach.replies[0].key == "common/inbox_link"
    participant = await app.dispatcher.handle(f.command(CHATS[AYLA], "/inbox"), now=clock.now())
    assert [r.key for r in participant.replies] == ["common/not_allowed"]
    async with app.services.db.read() as tx:
        stored = await tx.all("SELECT token_hash FROM web_login_links")
    assert stored
    assert all(url.rsplit("/", 1)[1] not in r["token_hash"] for r in stored)


def _env(tmp_path: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PTO_"))}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'pto.db'}",
        "PTO_PROOF_DIR": str(tmp_path / "proof"),
        "PTO_WEB_PORT": str(port),
        "PTO_WEB_BASE_URL": f"http://127.0.0.1:{port}",
        "PYTHONPATH": str(ROOT),
    }
    return env


def _wait_for(url: str, proc: subprocess.Popen[str]) -> httpx.Response:
    for _ in range(200):
        if proc.poll() is not None:
            raise AssertionError(f"the process ended early: {proc.returncode}")
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"nothing answered at {url}")


def test_ptobot_run_serves_the_inbox_next_to_the_terminal_chat(tmp_path: Path) -> None:
    port = free_port()
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=_env(tmp_path, port),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        _run_demo(proc, tmp_path)


def _run_demo(proc: subprocess.Popen[str], tmp_path: Path) -> None:
    try:
        assert proc.stdout is not None
        assert proc.stdin is not None
        line = proc.stdout.readline()
        assert line.startswith("Webinbox voor Kim Klantmanager"), line
        url = next(word for word in line.split() if word.startswith("http://"))
        page = _wait_for(url, proc)
        assert page.status_code == 200
        assert "Inloggen" in page.text
        assert (secret := tmp_path / "web_secret").is_file()
        assert secret.stat().st_mode & 0o777 == 0o600
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
        assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_ptobot_web_serves_alone_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = _env(tmp_path, port) | {"PTO_DEMO": "false"}
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "web"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        _web_alone(proc, port)


def _web_alone(proc: subprocess.Popen[str], port: int) -> None:
    try:
        page = _wait_for(f"http://127.0.0.1:{port}/wachtrij", proc)
        assert page.status_code == 303
        assert page.headers["location"] == "/login"
        assert "frame-ancestors" in page.headers["content-security-policy"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_ptobot_run_loads_the_inbox_at_its_first_connection(tmp_path: Path) -> None:
    port = free_port()
    imports = tmp_path / "imports.log"
    with (
        imports.open("w") as profile,
        subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env=_env(tmp_path, port) | {"PYTHONPROFILEIMPORTTIME": "1"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=profile,
            text=True,
        ) as proc,
    ):
        try:
            assert proc.stdout is not None
            assert proc.stdin is not None
            line = proc.stdout.readline()
            assert line.startswith("Webinbox voor Kim Klantmanager"), line
            url = next(word for word in line.split() if word.startswith("http://"))
            assert "starlette" not in imports.read_text()  # running, the inbox not loaded yet
            assert _wait_for(url, proc).status_code == 200  # the first visitor waits for it
            assert re.search(r"\|\s+starlette$", imports.read_text(), re.MULTILINE)
            proc.stdin.close()
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.mark.parametrize(
    ("env", "base"),
    [
        ({}, "http://127.0.0.1:8080"),
        ({"PTO_WEB_PORT": "9090"}, "http://127.0.0.1:9090"),
        ({"PTO_WEB_LISTEN": "0.0.0.0", "PTO_WEB_PORT": "9090"}, "http://127.0.0.1:9090"),  # noqa: S104
        ({"PTO_WEB_LISTEN": "10.0.0.5"}, "http://10.0.0.5:8080"),
        (
            {"PTO_WEB_PORT": "9090", "PTO_WEB_BASE_URL": "https://inbox.example/"},
            "https://inbox.example",
        ),
    ],
)
def test_links_point_where_the_inbox_listens_unless_a_base_url_is_set(
    env: dict[str, str], base: str, tmp_path: Path
) -> None:
    assert load_settings(env, env_file=tmp_path / "none.env").web_base_url == base
