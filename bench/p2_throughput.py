"""P2: updates per second over loopback HTTP, many chats at once, order kept within each chat.

The fake Bot API runs in this process (pinned to core 0); the bot under test is a separate
process pinned to core 1, polling with getUpdates (batches of up to 100) and replying over HTTP.
All updates are queued at once; the clock stops at the last reply.
"""

from __future__ import annotations

import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import seed
from bench.common import TOKEN, Result, check
from bench.proc import BotUnderTest, pin_self
from bot.clock import SystemClock
from bot.domain.localtime import local_day
from bot.domain.periods import first_day, period_of, previous_period
from tests.e2e.fakebotapi import FakeBotApi

HOURS_REPLY = "12"


class SendClock:
    """Times every sendMessage the fake answers (installed with `set_handler`)."""

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


def declaration_script(today: date) -> list[str]:
    """What a participant types for last month's declaration, answer by answer."""
    from bot.domain.weeks import week_slots

    period = previous_period(period_of(today))
    hours = [HOURS_REPLY] * len(week_slots(period))
    return ["/opgave", "ja", "1250", "geen", *hours, "geen", "geen"]


def _measure(
    server: FakeBotApi,
    bot: BotUnderTest,
    scripts: dict[int, list[str]],
    expected_replies: int,
    timeout: float,
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
        complete = clock.wait(expected_replies, timeout)
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
        "complete": complete,
        "seconds": round(elapsed, 2),
        "per_second": updates / elapsed,
        "bot_cpu_seconds": round(cpu, 2),
        "bot_cpu_share_of_one_core": round(cpu / elapsed, 2),
        "texts": clock.texts,
    }


def _echo(workdir: Path, chats: int, per_chat: int, concurrent: bool) -> dict[str, Any]:
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as server:
        scripts = {9_000_000 + c: [f"{c}:{k}" for k in range(per_chat)] for c in range(chats)}
        bot = BotUnderTest(
            workdir,
            server,
            module="bench.echo_bot",
            extra_env={"ECHO_CONCURRENT": "1" if concurrent else "0"},
        )
        result = _measure(server, bot, scripts, chats * per_chat, timeout=120)
    texts = result.pop("texts")
    result["order_kept"] = all(texts.get(chat) == script for chat, script in scripts.items())
    return result


def _assistant(workdir: Path, chats: int, module: str, timeout: float) -> dict[str, Any]:
    today = local_day(SystemClock().now())
    db = workdir / "pto.db"
    seed.migrate(db)
    caseload = seed.seed(db, chats, start_date=first_day(previous_period(period_of(today))))
    script = declaration_script(today)
    scripts = {caseload.chat(p): script for p in caseload.participants}
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as server:
        bot = BotUnderTest(workdir, server, module=module)
        result = _measure(server, bot, scripts, chats * len(script), timeout)
    result.pop("texts")
    import sqlite3

    with sqlite3.connect(db) as conn:
        at_review = conn.execute(
            "SELECT COUNT(*) FROM declaration_drafts WHERE step = 'review' "
            "AND data LIKE '%\"revenue_cents\":125000%'"
        ).fetchone()[0]
    result["order_kept"] = at_review == chats
    result["drafts_at_review"] = at_review
    return result


def _row(id_: str, name: str, r: dict[str, Any], target: bool) -> Result:
    note = (
        f"{r['updates']} updates in {r['chats']} chats, {r['seconds']} s; bot CPU "
        f"{r['bot_cpu_share_of_one_core']:.0%} of one core; order kept: "
        f"{'yes' if r['order_kept'] else 'NO'}"
    )
    if not r["complete"]:
        note += f"; INCOMPLETE: {r['replies']} replies"
    met = check(r["per_second"], 600, at_most=False) and r["order_kept"] if target else None
    return Result(
        id_, name, r["per_second"], "upd/s", "≥ 600/s" if target else "", met, note, extra=r
    )


def run(quick: bool) -> list[Result]:
    """Echo bot, the assistant as built, and the assistant with its reply cap lifted."""
    chats_echo, per_chat = (60, 10) if quick else (200, 10)
    chats_built, chats_free = (10, 40) if quick else (30, 200)
    before = pin_self(0)
    echo_c: dict[str, Any]
    try:
        with tempfile.TemporaryDirectory(prefix="pto-bench-p2-") as tmp:
            root = Path(tmp)
            for sub in ("echo", "echo_concurrent", "built", "free"):
                (root / sub).mkdir()
            echo = _echo(root / "echo", chats_echo, per_chat, concurrent=False)
            echo_c = _echo(root / "echo_concurrent", chats_echo, per_chat, concurrent=True)
            built = _assistant(root / "built", chats_built, "bot", timeout=120)
            free = _assistant(root / "free", chats_free, "bench.assistant_unthrottled", 180)
    finally:
        import os

        os.sched_setaffinity(0, before)
    return [
        _row("P2a", "throughput, bare PTB echo bot (sequential)", echo, target=False),
        _row("P2c", "throughput, bare PTB echo bot (concurrent)", echo_c, target=False),
        _row("P2", "throughput, assistant as built (declaration steps)", built, target=True),
        _row("P2b", "throughput, assistant, 30 msg/s reply cap lifted", free, target=False),
    ]
