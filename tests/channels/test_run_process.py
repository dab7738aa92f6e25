"""`ptobot run` as real processes: one per database file, a patient start, a quiet stop."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.harness import TOKEN, running_bot

ROOT = Path(__file__).resolve().parents[2]


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "PTO_", "DATABASE_URL"))
    }
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'pto.db'}",
            "PTO_PROOF_DIR": str(tmp_path / "proof"),
            "PTB_TIMEDELTA": "true",
            "PTO_WEB": "false",  # no web inbox on port 8080 next to other tests
        }
    )
    env.update(extra)
    return env


def ptobot(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bot", *args],
        input="",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment(tmp_path, **extra),
        timeout=60,
        check=False,
    )


def held(lock: Path) -> bool:
    """True while another process holds the flock on `lock`."""
    if not lock.exists():
        return False
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops the lock if this test took it
    return False


def wait_until(check: object, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@contextmanager
def terminal_run(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`ptobot run` without a token: the terminal chat, its stdin a pipe kept open."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
        env=environment(tmp_path),
    )
    try:
        wait_until(lambda: held(tmp_path / "pto.db.lock") or proc.poll() is not None, "the lock")
        assert proc.poll() is None, "the first ptobot run ended early"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=20)
        if proc.stdin is not None:
            proc.stdin.close()


def test_a_second_run_on_the_same_database_exits_at_once_and_the_cli_stays_usable(
    tmp_path: Path,
) -> None:
    with terminal_run(tmp_path) as first:
        started = time.monotonic()
        second = ptobot(tmp_path, "run")
        assert second.returncode == 2
        assert time.monotonic() - started < 20
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, second.stderr
        assert str(tmp_path / "pto.db") in lines[0]
        assert "already running" in lines[0]
        assert ptobot(tmp_path, "chat").returncode == 2  # the terminal chat is an instance too
        for args in (
            ("migrate",),
            ("people",),
            ("invite", "--role", "klantmanager", "--name", "Kim Klantmanager"),
            ("export", "--period", "2026-11"),
            ("purge", "--dry-run"),
            ("jobs", "run", "declaration_reminders"),
        ):
            result = ptobot(tmp_path, *args)
            assert result.returncode == 0, (args, result.stderr)
        assert first.poll() is None
        assert first.stdin is not None
        first.stdin.close()  # end of input: the terminal chat ends, and so does the lock
        assert first.wait(timeout=30) == 0
    assert not held(tmp_path / "pto.db.lock")
    assert ptobot(tmp_path, "run").returncode == 0


def test_the_lock_goes_with_a_killed_process(tmp_path: Path) -> None:
    with terminal_run(tmp_path) as first:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
    assert not held(tmp_path / "pto.db.lock")
    result = ptobot(tmp_path, "run")
    assert result.returncode == 0, result.stderr


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_no_network_at_start_says_one_line_and_retries_until_stopped(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{closed_port()}/bot"
    err = tmp_path / "stderr.txt"
    with err.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=sink,
            cwd=tmp_path,
            env=environment(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=base),
        )
    try:
        wait_until(lambda: err.read_text().count("retrying in") >= 2, "two retries")
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
    text = err.read_text()
    assert code == 0, text
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if "cannot reach" in line]
    assert lines[0].startswith(f"ptobot: cannot reach the Telegram Bot API at {base}: ")
    assert lines[0].endswith("retrying in 1 s")
    assert lines[1].endswith("retrying in 2 s")
    assert TOKEN not in text


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """A fake Bot API in its own thread."""
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as fake:
        yield fake


def test_a_rejected_token_keeps_its_clear_message(tmp_path: Path, server: FakeBotApi) -> None:
    result = ptobot(
        tmp_path,
        "run",
        TELEGRAM_BOT_TOKEN="999:not-the-token",
        TELEGRAM_BASE_URL=server.base_url,
    )
    assert result.returncode == 2
    assert "rejected TELEGRAM_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_running_bot_stops_without_a_traceback(tmp_path: Path, server: FakeBotApi) -> None:
    with running_bot(tmp_path, server) as bot:
        bot.start()
        assert held(tmp_path / "pto.db.lock")
        assert bot.stop() == 0
        log = bot.collect()
    assert "Traceback" not in log
    assert "CancelledError" not in log


def test_polling_imports_no_webhook_server_and_webhook_mode_still_serves(
    tmp_path: Path, server: FakeBotApi
) -> None:
    profile = {"PYTHONPROFILEIMPORTTIME": "1"}  # every import is logged
    with running_bot(tmp_path / "polling", server, profile) as bot:
        (tmp_path / "polling").mkdir()
        bot.start()
        assert bot.stop() == 0
        log = bot.collect()
    assert re.search(r"\|\s+telegram\.ext\._updater$", log, re.MULTILINE)
    assert re.search(r"\|\s+httpx$", log, re.MULTILINE)
    assert "tornado" not in log
    assert "pygments" not in log  # nor httpx's command line (bot.cli.run.without_httpx_cli)
    assert "aiosmtplib" not in log  # nor the SMTP client before a mail goes out

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    webhook = {
        "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "TELEGRAM_WEBHOOK_SECRET": "a-long-enough-secret",
        "TELEGRAM_WEBHOOK_PORT": str(port),
    }
    (tmp_path / "webhook").mkdir()
    log_file = tmp_path / "webhook" / "run.log"
    with log_file.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path / "webhook",
            env=environment(
                tmp_path / "webhook",
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_BASE_URL=server.base_url,
                PYTHONPATH=str(ROOT),
                **profile,
                **webhook,
            ),
        )
    try:
        wait_until(lambda: server.calls("setWebhook") or proc.poll() is not None, "setWebhook")
        with socket.create_connection(("127.0.0.1", port), timeout=10):
            pass  # the webhook server listens
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    assert re.search(r"\|\s+tornado\.web$", log_file.read_text(errors="replace"), re.MULTILINE)
