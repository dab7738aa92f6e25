"""Several `ptobot run` instances in webhook mode on one PostgreSQL, and a flood of updates.

Shared by the three-instance test (`tests/e2e/test_instances.py`) and the benchmark's part P7
(`bench/p7_instances.py`). The installation is made as an operator would: a caseload seeded in
a SQLite file, moved to PostgreSQL with `ptobot copy-db`; the replies every chat must get are
worked out beforehand by the dispatcher on a copy of that file (`bench.p2_throughput`). The
updates are real Telegram update JSON, posted with the secret token header to the instances'
webhook ports round-robin (update k of the flood to instance k mod n), each chat's next update
only after the answer to its previous one (as Telegram delivers a chat), chats side by side.
The fake Bot API (`tests/e2e/fakebotapi.py`) is where every instance sends.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bench import seed
from bench.p2_throughput import SendClock, declaration_script, expected_replies
from bot.clock import SystemClock, utc_iso
from bot.domain.localtime import local_day
from bot.domain.periods import first_day, period_of, previous_period
from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.harness import ROOT, TOKEN, bot_environment
from tests.e2e.journey_helpers import policy_without_quiet_hours
from tests.pg_cluster import postgres_rows

SECRET = "flood-secret-0123456789"  # the webhook's secret token in these tests
HOOK_URL = "https://bot.example.invalid/tg/hook"  # the load balancer's address Telegram posts to
PUSH_TEXT = "Vergeet je opgave niet"  # the coach's push to every participant


@dataclass
class Flood:
    """The updates of one run, in the order they are posted, and what each chat must get."""

    updates: list[tuple[int, dict[str, Any]]]  # (chat, update), interleaved across chats
    want: dict[int, list[str]]  # per chat: the reply texts, in order
    participants: list[int] = field(default_factory=list)
    coach: int = 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _script(now: datetime, length: int) -> list[str]:
    """What each participant types: last month's declaration, step by step, and again."""
    one = declaration_script(now)
    return (one * (length // len(one) + 1))[:length]


def prepare(workdir: Path, server: FakeBotApi, url: str, chats: int, per_chat: int) -> Flood:
    """Seed `chats` participants (one klantmanager, one coach), work out every reply and move
    the installation to the empty PostgreSQL database `url`."""
    now = SystemClock().now()
    template = workdir / "template.db"
    seed.migrate(template)
    start = first_day(previous_period(period_of(local_day(now))))
    caseload = seed.seed(template, chats, start_date=start)
    scripts = {caseload.chat(p): _script(now, per_chat) for p in caseload.participants}
    want = asyncio.run(expected_replies(template, scripts, now))
    _ptobot(workdir, url, "copy-db", "--from", f"sqlite:///{template}", "--to", url)
    updates = []
    for k in range(per_chat):  # interleaved: every chat's k-th update before any (k+1)-th
        for chat, script in scripts.items():
            typed = script[k]
            if typed.startswith("/"):
                command, _, args = typed[1:].partition(" ")
                update = server.send_command(chat, command, args, enqueue=False)
            else:
                update = server.send_text(chat, typed, enqueue=False)
            updates.append((chat, update))
    return Flood(updates, want, caseload.participants, caseload.coaches[0])


def add_coach_push(url: str, flood: Flood) -> None:
    """A once-push of the coach to every participant, due a minute ago: the first instance's
    catch-up sweep (or the next minute's tick) queues it, the elected sender sends it."""
    asyncio.run(_coach_push(url, flood))


async def _coach_push(url: str, flood: Flood) -> None:
    from bot.storage import coach
    from bot.storage.backends import open_database

    at = SystemClock().now() - timedelta(minutes=1)
    db = await open_database(url)
    try:
        async with db.transaction() as tx:
            await coach.insert_push(
                tx, at, flood.coach, PUSH_TEXT, "once",
                at=at, weekday=None, at_time=None, targets=flood.participants,
            )  # fmt: skip
    finally:
        await db.close()


def environment(workdir: Path, server: FakeBotApi, url: str, **extra: str) -> dict[str, str]:
    """What every instance shares: the token, the fake, the database, the proof folder, the
    webhook's public address and secret, a policy without quiet hours."""
    return bot_environment(
        server,
        TOKEN,
        **{
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_WEBHOOK_URL": HOOK_URL,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "DATABASE_URL": url,
            "PTO_PROOF_DIR": str(workdir / "proof"),
            "PTO_POLICY": str(policy_without_quiet_hours(workdir)),
            "PTO_WEB": "false",
            "LOG_LEVEL": "INFO",
        }
        | extra,
    )


def _ptobot(workdir: Path, url: str, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PTO_", "DATABASE_URL"))}
    env.update({"PYTHONPATH": str(ROOT), "DATABASE_URL": url})
    subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-m", "bot", *args],
        cwd=workdir, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip


class Instances:
    """`n` real `ptobot run` processes in webhook mode, each on a port of its own."""

    def __init__(self, workdir: Path, server: FakeBotApi, url: str, n: int) -> None:
        self.workdir, self.server, self.url = workdir, server, url
        self.ports = [_free_port() for _ in range(n)]
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs = [workdir / f"instance-{i + 1}.log" for i in range(n)]

    def start(self, timeout: float = 60.0) -> None:
        """Start them all at once; wait until each listens on its port."""
        for port, log in zip(self.ports, self.logs, strict=True):
            env = environment(self.workdir, self.server, self.url,
                              TELEGRAM_WEBHOOK_PORT=str(port))  # fmt: skip
            with log.open("wb") as out:
                command = [sys.executable, "-m", "bot", "run"]
                proc = subprocess.Popen(command, cwd=self.workdir, env=env, stdout=out, stderr=out)  # noqa: S603
                self.procs.append(proc)
        deadline = time.monotonic() + timeout
        for port, proc in zip(self.ports, self.procs, strict=True):
            while not _listening(port):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"an instance did not start:\n{self.collect()}")
                time.sleep(0.05)

    def wait_settled(self, timeout: float = 60.0) -> None:
        """Wait until every instance's start-up sweeps (`scheduler.setup.CATCH_UP`, one after
        the other) have begun or been skipped: what follows is measured (nearly) without them."""
        from scheduler.setup import CATCH_UP

        deadline = time.monotonic() + timeout
        for log in self.logs:
            while True:
                text = log.read_text(errors="replace")
                seen = set(re.findall(r"job (\w+): (?:tick \S+ runs here|.*skipped)", text))
                if set(CATCH_UP) <= seen:  # the last one began: the others are done
                    break
                if time.monotonic() > deadline:
                    raise AssertionError(f"the start-up sweeps did not end:\n{self.collect()}")
                time.sleep(0.1)

    def stop(self) -> list[int]:
        """SIGTERM each; their exit codes."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        codes = []
        for proc in self.procs:
            try:
                codes.append(proc.wait(timeout=30))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(proc.wait(timeout=5))
        return codes

    def collect(self) -> str:
        """Every instance's log, one after the other."""
        shown = [log for log in self.logs if log.exists()]
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')}" for log in shown)

    def pids(self) -> list[int]:
        """The processes' ids."""
        return [p.pid for p in self.procs]


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Posted:
    """What posting a flood took: seconds overall and per update (post to answer)."""

    seconds: float
    latencies: list[float]
    statuses: Counter[int]

    def p95(self) -> float:
        """The 95th percentile of the per-update latency."""
        ordered = sorted(self.latencies)
        return ordered[max(0, int(len(ordered) * 0.95) - 1)] if ordered else 0.0


async def post_all(
    updates: list[tuple[int, dict[str, Any]]], ports: list[int], twice_every: int = 0
) -> Posted:
    """Post every update to port k mod n (k: its place in the flood); a chat's updates one
    after the other, each after the previous one's answer; chats side by side. With
    `twice_every`, every such update also goes to the next instance at the same moment, as a
    delivery Telegram retries while the first is still being handled."""
    per_chat: dict[int, list[tuple[list[int], dict[str, Any]]]] = {}
    n = len(ports)
    for k, (chat, update) in enumerate(updates):
        doubled = twice_every and n > 1 and k % twice_every == 0
        to = [ports[k % n], ports[(k + 1) % n]] if doubled else [ports[k % n]]
        per_chat.setdefault(chat, []).append((to, update))
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    # aiohttp: a few hundred µs of CPU per request where httpx takes about a millisecond and
    # gets worse with many connections (bot/channels/telegram_clients.py); the poster shares
    # its process with the fake Bot API, and must not be what limits the instances.
    connector = aiohttp.TCPConnector(limit=2 * len(per_chat))
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def post(port: int, update: dict[str, Any]) -> None:
            url = f"http://127.0.0.1:{port}/tg/hook"
            async with session.post(url, json=update, headers=headers) as answer:
                await answer.read()
            statuses[answer.status] += 1

        async def chat_run(items: list[tuple[list[int], dict[str, Any]]]) -> None:
            for to, update in items:
                began = time.perf_counter()
                await asyncio.gather(*(post(port, update) for port in to))
                latencies.append(time.perf_counter() - began)

        began = time.perf_counter()
        await asyncio.gather(*(chat_run(items) for items in per_chat.values()))
        seconds = time.perf_counter() - began
    return Posted(seconds, latencies, statuses)


def wait_for_pushes(url: str, timeout: float = 60.0) -> int:
    """Wait until the outbox has nothing left to send now; how many rows were sent."""
    deadline = time.monotonic() + timeout
    while True:
        left = postgres_rows(
            url,
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND parked_at IS NULL "
            "AND not_before <= ?",
            (utc_iso(SystemClock().now()),),
        )[0][0]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return int(postgres_rows(url, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")[0][0])


@dataclass
class Checked:
    """What the checks found (empty lists: all well)."""

    chats_wrong: list[str]  # a chat whose replies were not its expected ones in order
    pushes_wrong: list[str]  # a push not delivered exactly once
    ticks_twice: list[str]  # a sweep tick that ran on more than one instance
    handled: int  # processed updates recorded
    pushes: int  # pushes sent
    tick_firings: Counter[str]  # per job: how often an instance's scheduler fired it

    @property
    def ok(self) -> bool:
        """Every check held."""
        return not (self.chats_wrong or self.pushes_wrong or self.ticks_twice)


def check(flood: Flood, sent: SendClock, url: str, logs: str) -> Checked:
    """Replies in order per chat, each push once, each sweep tick on one instance."""
    pushes = asyncio.run(_push_texts(url))
    chats_wrong, pushes_wrong = [], []
    for chat in sorted(set(flood.want) | set(sent.texts) | set(pushes)):
        got = list(sent.texts.get(chat, []))
        for row, texts in pushes.get(chat, []):
            for text in texts:
                if got.count(text) < 1:
                    pushes_wrong.append(f"chat {chat}: outbox row {row} not delivered")
                elif text in got:
                    got.remove(text)  # the push's place among the replies is its own
        if got != flood.want.get(chat, []):
            chats_wrong.append(f"chat {chat}: got {got[:3]}… want {flood.want.get(chat, [])[:3]}…")
    delivered = postgres_rows(
        url,
        "SELECT o.id, COUNT(a.id) FROM outbox o LEFT JOIN audit_log a "
        "ON a.action = 'push.delivered' AND a.details LIKE '%\"outbox\": ' || o.id || ',%' "
        "WHERE o.sent_at IS NOT NULL GROUP BY o.id",
    )
    pushes_wrong += [f"outbox row {r[0]}: {r[1]} deliveries" for r in delivered if r[1] != 1]
    runs = Counter(re.findall(r"job (\w+): tick (\S+) runs here", logs))
    fired = Counter(
        m.group(1) for m in re.finditer(r"job (\w+): (?:tick \S+ runs here|.*skipped)", logs)
    )
    handled = postgres_rows(url, "SELECT COUNT(*) FROM processed_updates")[0][0]
    return Checked(
        chats_wrong,
        pushes_wrong,
        [f"{job} {tick}: {n} runs" for (job, tick), n in runs.items() if n > 1],
        int(handled),
        len(delivered),
        fired,
    )


async def _push_texts(url: str) -> dict[int, list[tuple[int, list[str]]]]:
    """Per chat, each sent outbox row with the texts it became (as `sendMessage` got them)."""
    from bot.channels.base import render_reply, split_text
    from bot.storage import outbox
    from bot.storage.backends import open_database

    db = await open_database(url)
    try:
        async with db.read() as tx:
            rows = await tx.all(
                "SELECT o.id, ci.address FROM outbox o JOIN channel_identities ci "
                "ON ci.person_id = o.person_id AND ci.channel = 'telegram' "
                "WHERE o.sent_at IS NOT NULL AND o.channel IS NULL ORDER BY o.id"
            )
            found: dict[int, list[tuple[int, list[str]]]] = {}
            for r in rows:
                stored = await outbox.reply_of(tx, int(r["id"]))
                assert stored is not None
                text = render_reply(*stored).text
                found.setdefault(int(r["address"]), []).append((int(r["id"]), split_text(text)))
    finally:
        await db.close()
    return found
