"""A bot process (the real `python -m bot run`, or a comparison bot) against the fake Bot API."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from bench.common import ROOT, TOKEN, python
from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.harness import bot_environment

BOT_CPU = 1  # the bot under test runs on this core; the fake server and the benchmark on core 0


def pin(cpu: int) -> list[str]:
    """A command prefix that keeps a process on one core (when the machine has more)."""
    if (os.cpu_count() or 1) > 1 and shutil.which("taskset"):
        return ["taskset", "-c", str(cpu)]
    return []


def free_port() -> int:
    """A TCP port nothing listens on now (for the web inbox `ptobot run` serves by default)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pin_self(cpu: int) -> set[int]:
    """Keep this process (the fake server) on `cpu`; returns the previous set."""
    before = os.sched_getaffinity(0)
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {cpu})
    return before


class BotUnderTest:
    """A process polling the fake; `start` returns the seconds until its first getUpdates."""

    def __init__(
        self,
        workdir: Path,
        server: FakeBotApi,
        module: str = "bot",
        args: tuple[str, ...] = ("run",),
        extra_env: dict[str, str] | None = None,
        cpu: int | None = BOT_CPU,
    ) -> None:
        self.workdir = workdir
        self.server = server
        self.command = [*(pin(cpu) if cpu is not None else []), python(), "-m", module, *args]
        self.env = bot_environment(
            server,
            TOKEN,
            **{
                "PYTHONPATH": str(ROOT),
                "DATABASE_URL": f"sqlite:///{workdir / 'pto.db'}",
                "PTO_PROOF_DIR": str(workdir / "proof"),
                "PTO_DEMO": "false",
                "PTO_WEB_PORT": str(free_port()),  # the web inbox is on by default
                "LOG_LEVEL": os.environ.get("BENCH_BOT_LOG_LEVEL", "WARNING"),
            }
            | (extra_env or {}),
        )
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = workdir / f"{module.replace('.', '_')}.log"

    def start(self, timeout: float = 30.0) -> float:
        """Start and wait for the first getUpdates; the start-to-ready time in seconds."""
        polls = len(self.server.calls("getUpdates"))
        began = time.perf_counter()
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603
                self.command, cwd=self.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = began + timeout
        while len(self.server.calls("getUpdates")) <= polls:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.command} exited early:\n{self.log.read_text()[-3000:]}")
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{self.command} did not poll:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.002)
        return time.perf_counter() - began

    @property
    def pid(self) -> int:
        """The process id."""
        if self.proc is None:
            raise RuntimeError("not running")
        return self.proc.pid

    def rss_mib(self) -> float:
        """Resident memory of the bot (VmRSS) in MiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        """User + system CPU the bot used so far."""
        return cpu_seconds(self.pid)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not stop."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.proc = None
