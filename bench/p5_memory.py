"""P5: resident memory of the real `python -m bot run` with 10k and 100k participants, with its
web inbox (the default, on a free port) and without (PTO_WEB=false), and the time from starting
the process to its first getUpdates (ready)."""

from __future__ import annotations

import shutil
import tempfile
import urllib.request
from pathlib import Path

from bench import seed
from bench.common import TOKEN, Result, check
from bench.proc import BotUnderTest
from tests.e2e.fakebotapi import FakeBotApi


def _one(size: int, root: Path, web: bool) -> tuple[float, float, float, float | None]:
    """(RSS MiB after a few updates, ready seconds, RSS MiB right at ready, RSS MiB after one
    inbox page, when the inbox is on)."""
    workdir = root / f"p5-{size}-{'web' if web else 'noweb'}"
    workdir.mkdir()
    shutil.copy(seed.cached(size, root), workdir / "pto.db")
    chats = [seed.CHAT_BASE + size // 100 + size // 200 + n for n in (1, 2, 3)]
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as server:
        bot = BotUnderTest(workdir, server, extra_env={"PTO_WEB": "true" if web else "false"})
        try:
            ready = bot.start()
            at_ready = bot.rss_mib()
            for chat in chats:
                server.send_command(chat, "hulp")
                server.send_command(chat, "opgave")
                server.send_command(chat, "overzicht")
            for chat in chats:
                server.wait_for_messages_sync(chat, 3, timeout=30)
            rss = bot.rss_mib()
            paged = None
            if web:  # the inbox's code loads at its first connection
                url = f"http://127.0.0.1:{bot.env['PTO_WEB_PORT']}/"
                with urllib.request.urlopen(url, timeout=30) as page:
                    page.read()
                paged = bot.rss_mib()
        finally:
            bot.stop()
    return rss, ready, at_ready, paged


def run(quick: bool, root: Path | None = None) -> list[Result]:
    """10k and 100k participants (quick: 10k only)."""
    sizes = (10_000,) if quick else (10_000, 100_000)
    limits = {10_000: 60.0, 100_000: 120.0}
    results = []
    with tempfile.TemporaryDirectory(prefix="pto-bench-p5-") as tmp:
        base = root or Path(tmp)
        readiness = []
        for size in sizes:
            for web in (True, False):
                rss, ready, at_ready, paged = _one(size, base, web)
                readiness.append(ready)
                results.append(
                    Result(
                        f"P5-{size // 1000}k" + ("" if web else "-noweb"),
                        f"RSS with {size:,} participants, "
                        + ("web inbox on (the default)" if web else "PTO_WEB=false"),
                        rss,
                        "MiB",
                        f"≤ {limits[size]:.0f} MiB",
                        check(rss, limits[size]),
                        "VmRSS of `python -m bot run` (polling the fake"
                        + (", serving the inbox on a free port" if web else ", no inbox")
                        + f"): {at_ready:.1f} MiB when ready, {rss:.1f} MiB after 9 updates "
                        "(/hulp, /opgave, /overzicht × 3)"
                        + ("; the inbox's code loads at its first page" if web else ""),
                    )
                )
                if paged is not None:
                    results.append(
                        Result(
                            f"P5-{size // 1000}k-inbox",
                            f"RSS with {size:,} participants, after one inbox page",
                            paged,
                            "MiB",
                            f"≤ {limits[size]:.0f} MiB",
                            check(paged, limits[size]),
                            "the same process after a GET of the inbox (login page): uvicorn, "
                            "Starlette and the pages loaded",
                        )
                    )
        worst = max(readiness)
        results.append(
            Result(
                "P5-start",
                "start to ready (first getUpdates)",
                worst,
                "s",
                "≤ 1 s",
                check(worst, 1.0),
                "process start to its first getUpdates, worst of: "
                + ", ".join(f"{r:.2f} s" for r in readiness),
            )
        )
    return results
