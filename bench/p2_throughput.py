"""P2: updates per second over loopback HTTP, the same workload for the bare echo bot and the
assistant, order checked message by message in every chat.

The fake Bot API (`tests/e2e/fakebotapi.py`) runs in this process on core 0; the bot under test is
a separate process on core 1, polling getUpdates (up to 100 per call) and replying over HTTP.
Workload: N chats each type the 11 answers of a month's declaration ("/opgave", "ja", "1250",
"geen", hours per week, "geen", "geen"), interleaved across chats, all queued at once; the clock
runs from queueing to the last reply. Order: the echo bot must answer every chat with its own
texts in order; the assistant must send every chat exactly the texts (and parts) the dispatcher
gives for that script, worked out beforehand in this process on a copy of the same database.
Three rounds (one with --quick), the bots alternating; the median round of each bot counts (the
machine is shared, so a single loopback run varies by a factor of two).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import seed
from bench.common import TOKEN, Result, check
from bench.proc import BotUnderTest, pin_self
from bot.clock import FixedClock, SystemClock
from bot.domain.localtime import local_day
from bot.domain.periods import first_day, period_of, previous_period
from tests.e2e.fakebotapi import FakeBotApi

HOURS_REPLY = "12"
TARGET = 1.5  # × the bare echo bot with its default (httpx) client


class SendClock:
    """Times every sendMessage the fake answers and keeps its text per chat (`set_handler`)."""

    def __init__(self, server: FakeBotApi) -> None:
        self.server = server
        self.times: list[float] = []
        self.texts: dict[int, list[str]] = {}
        self._lock = threading.Lock()
        server.set_handler("sendMessage", self._send)

    def _send(self, params: dict[str, Any]) -> Any:
        result = self.server._m_send_message(params)
        with self._lock:
            self.times.append(time.perf_counter())
            self.texts.setdefault(int(params["chat_id"]), []).append(str(params.get("text")))
        return result

    def wait(self, count: int, timeout: float) -> bool:
        """Block until `count` messages were sent (polling; this is a benchmark, not a test)."""
        deadline = time.perf_counter() + timeout
        while len(self.times) < count:
            if time.perf_counter() > deadline:
                return False
            time.sleep(0.01)
        return True


def declaration_script(now: datetime) -> list[str]:
    """What a participant types for last month's declaration, answer by answer."""
    from bot.domain.weeks import week_slots

    period = previous_period(period_of(local_day(now)))
    hours = [HOURS_REPLY] * len(week_slots(period))
    return ["/opgave", "ja", "1250", "geen", *hours, "geen", "geen"]


async def expected_replies(
    db: Path, scripts: dict[int, list[str]], now: datetime
) -> dict[int, list[str]]:
    """The texts the assistant sends each chat for its script, through the dispatcher and the
    renderer on a copy of `db` (a Telegram message per part of a long text)."""
    from bot.app import open_app
    from bot.channels.base import render_reply, split_text
    from bot.config import Settings
    from bot.contract import Inbound, Kind, command_parts

    copy = db.with_name("expected.db")
    shutil.copy(db, copy)
    settings = Settings(
        database_url=f"sqlite:///{copy}",
        proof_dir=db.parent / "expected-proof",
        demo=False,
        flood_limit_per_minute=1_000_000,
    )
    texts: dict[int, list[str]] = {}
    async with open_app(settings, FixedClock(now)) as app:
        n = 0
        for chat, script in scripts.items():
            out = texts.setdefault(chat, [])
            for typed in script:
                n += 1
                if typed.startswith("/"):
                    command, args = command_parts(typed)
                    inbound = Inbound(
                        "telegram", str(chat), Kind.COMMAND, f"x{n}", typed, command, args
                    )
                else:
                    inbound = Inbound("telegram", str(chat), Kind.TEXT, f"x{n}", typed)
                outcome = await app.dispatcher.handle(inbound, now=now)
                for reply in outcome.replies:
                    out += split_text(render_reply(reply, outcome.locale).text)
    copy.unlink()
    return texts


def _measure(
    server: FakeBotApi, bot: BotUnderTest, scripts: dict[int, list[str]], replies: int
) -> dict[str, Any]:
    clock = SendClock(server)
    try:
        bot.start()
        cpu_before = bot.cpu_seconds()
        began = time.perf_counter()
        longest = max(len(s) for s in scripts.values())
        for k in range(longest):  # interleave the chats, as real traffic would
            for chat, script in scripts.items():
                if k < len(script):
                    server.send_text(chat, script[k])
        complete = clock.wait(replies, timeout=60 + replies / 20)
        ended = clock.times[-1] if clock.times else time.perf_counter()
        cpu = bot.cpu_seconds() - cpu_before
    finally:
        bot.stop()
        server.set_handler("sendMessage", None)
    updates = sum(len(s) for s in scripts.values())
    elapsed = max(ended - began, 1e-9)
    return {
        "updates": updates,
        "chats": len(scripts),
        "replies": len(clock.times),
        "expected_replies": replies,
        "complete": complete,
        "seconds": round(elapsed, 2),
        "per_second": updates / elapsed,
        "bot_cpu_seconds": round(cpu, 2),
        "bot_cpu_share_of_one_core": round(cpu / elapsed, 2),
        "texts": clock.texts,
    }


def _order(got: dict[int, list[str]], want: dict[int, list[str]]) -> tuple[bool, int]:
    """Whether every chat got exactly its expected texts in order; how many chats did not."""
    wrong = sum(1 for chat, texts in want.items() if got.get(chat) != texts)
    return wrong == 0, wrong


def _echo(workdir: Path, scripts: dict[int, list[str]], concurrent: bool) -> dict[str, Any]:
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as server:
        bot = BotUnderTest(
            workdir,
            server,
            module="bench.echo_bot",
            extra_env={"ECHO_CONCURRENT": "1" if concurrent else "0"},
        )
        replies = sum(len(s) for s in scripts.values())
        result = _measure(server, bot, scripts, replies)
    texts = result.pop("texts")
    result["order_kept"], result["chats_out_of_order"] = _order(texts, scripts)
    return result


def _prepare(root: Path, chats: int) -> tuple[Path, dict[int, list[str]], dict[int, list[str]]]:
    """A seeded database, the scripts per chat and the replies expected in every chat."""
    now = SystemClock().now()
    db = root / "template.db"
    seed.migrate(db)
    start = first_day(previous_period(period_of(local_day(now))))
    caseload = seed.seed(db, chats, start_date=start)
    script = declaration_script(now)
    scripts = {caseload.chat(p): script for p in caseload.participants}
    return db, scripts, asyncio.run(expected_replies(db, scripts, now))


def _assistant(
    workdir: Path, template: Path, scripts: dict[int, list[str]], want: dict[int, list[str]]
) -> dict[str, Any]:
    shutil.copy(template, workdir / "pto.db")
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as server:
        bot = BotUnderTest(workdir, server)
        result = _measure(server, bot, scripts, sum(len(t) for t in want.values()))
    texts = result.pop("texts")
    result["order_kept"], result["chats_out_of_order"] = _order(texts, want)
    return result


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median rate, with every run's rate and all runs' checks."""
    ordered = sorted(runs, key=lambda r: r["per_second"])
    middle = dict(ordered[len(ordered) // 2])
    middle["rounds_per_second"] = [round(r["per_second"]) for r in runs]
    middle["order_kept"] = all(r["order_kept"] for r in runs)
    middle["chats_out_of_order"] = max(r["chats_out_of_order"] for r in runs)
    middle["complete"] = all(r["complete"] for r in runs)
    return middle


def _row(id_: str, name: str, r: dict[str, Any], how: str) -> Result:
    note = (
        f"{r['updates']} updates ({r['chats']} chats × 11) in {r['seconds']} s, {how}; bot CPU "
        f"{r['bot_cpu_share_of_one_core']:.0%} of one core; order kept in every chat: "
        f"{'yes' if r['order_kept'] else 'NO (' + str(r['chats_out_of_order']) + ' chats)'}"
    )
    if not r["complete"]:
        note += f"; INCOMPLETE: {r['replies']} of {r['expected_replies']} replies"
    return Result(id_, name, r["per_second"], "upd/s", note=note, extra=r)


def run(quick: bool) -> list[Result]:
    """The echo bot (default and concurrent) and the assistant on the same workload, in rounds
    alternating between them; the median round of each."""
    chats, rounds = (40, 1) if quick else (200, 3)
    before = pin_self(0)
    runs: dict[str, list[dict[str, Any]]] = {"echo": [], "echo_c": [], "bot": []}
    try:
        with tempfile.TemporaryDirectory(prefix="pto-bench-p2-") as tmp:
            root = Path(tmp)
            template, scripts, want = _prepare(root, chats)
            echo_scripts = {9_000_000 + c: s for c, s in enumerate(scripts.values())}
            for r in range(rounds):
                for name in runs:
                    (work := root / f"{name}-{r}").mkdir()
                    if name == "bot":
                        runs[name].append(_assistant(work, template, scripts, want))
                    else:
                        runs[name].append(_echo(work, echo_scripts, name == "echo_c"))
    finally:
        os.sched_setaffinity(0, before)
    echo, echo_c, bot = (_median(runs[k]) for k in ("echo", "echo_c", "bot"))
    ratio = bot["per_second"] / echo["per_second"]
    how = f"median of {rounds} rounds alternating"
    return [
        _row(
            "P2a",
            "throughput, bare PTB echo bot (defaults: httpx, sequential)",
            echo,
            f"echo, {how}",
        ),
        _row(
            "P2b",
            "throughput, bare PTB echo bot (httpx, concurrent_updates=256)",
            echo_c,
            f"echo, {how}; order not promised",
        ),
        _row("P2c", "throughput, assistant (declaration steps)", bot, f"the declaration, {how}"),
        Result(
            "P2",
            "throughput ratio assistant / echo bot (defaults), same workload",
            ratio,
            "×",
            f"≥ {TARGET}×",
            check(ratio, TARGET, at_most=False) and bot["order_kept"] and bot["complete"],
            f"medians of {rounds} rounds: "
            f"{bot['rounds_per_second']} / {echo['rounds_per_second']} upd/s",
        ),
    ]
