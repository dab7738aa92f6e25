"""Start the real `ptobot` as a process against the fake Bot API, as a user's machine would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.e2e.fakebotapi import FakeBotApi

TOKEN = "123456:TEST-token-for-e2e-only"
ROOT = Path(__file__).resolve().parents[2]


def bot_environment(server: FakeBotApi, token: str, **settings: str) -> dict[str, str]:
    """This process's environment without the assistant's own settings, pointed at `server`
    (the token, the fake's addresses, durations as timedelta), with `settings` on top."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "PTO_", "DATABASE_URL"))
    }
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_BASE_URL": server.base_url,
            "TELEGRAM_BASE_FILE_URL": server.base_file_url,
            "PTB_TIMEDELTA": "true",
        }
    )
    env.update(settings)
    return env


class BotProcess:
    """One `ptobot` installation: a data folder, an environment, and a running process."""

    def __init__(self, workdir: Path, server: FakeBotApi, extra: dict[str, str] | None = None):
        self.workdir = workdir
        self.server = server
        self.env = bot_environment(
            server,
            TOKEN,
            **{
                "DATABASE_URL": f"sqlite:///{workdir / 'pto.db'}",
                "PTO_PROOF_DIR": str(workdir / "proof"),
                "PTO_WEB": "false",  # the web inbox only where a test asks for it
                "LOG_LEVEL": "INFO",
            }
            | (extra or {}),
        )
        self.proc: subprocess.Popen[bytes] | None = None
        self.runs = 0

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a `ptobot` subcommand to completion."""
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bot", *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"ptobot {' '.join(args)} failed: {result.stderr}")
        return result

    def invite(self, *args: str) -> dict[str, Any]:
        """`ptobot invite ... --json`, parsed."""
        data: dict[str, Any] = json.loads(self.cli("invite", *args, "--json").stdout)
        return data

    def start(self, ready_timeout: float = 20.0) -> None:
        """Start `ptobot run` and wait until it polls for updates."""
        polls_before = len(self.server.calls("getUpdates"))
        self.runs += 1
        with (self.workdir / f"bot-{self.runs}.log").open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + ready_timeout
        while len(self.server.calls("getUpdates")) <= polls_before:
            if self.proc.poll() is not None:
                raise AssertionError(f"ptobot run exited early:\n{self.collect()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"ptobot run did not start polling:\n{self.collect()}")
            time.sleep(0.05)

    def stop(self, kill: bool = False) -> int:
        """SIGTERM (a clean stop) or SIGKILL (a crash); returns the exit code."""
        if self.proc is None:
            return 0
        self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout=5)
        self.proc = None
        return code

    def collect(self) -> str:
        """Everything the bot processes logged so far."""
        return "".join(
            (self.workdir / f"bot-{n}.log").read_text(errors="replace")
            for n in range(1, self.runs + 1)
        )


@contextmanager
def running_bot(
    workdir: Path, server: FakeBotApi, extra: dict[str, str] | None = None
) -> Iterator[BotProcess]:
    """A bot process that is always stopped at the end."""
    bot = BotProcess(workdir, server, extra)
    try:
        yield bot
    finally:
        bot.stop()
