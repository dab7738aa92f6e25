"""P1: CPU per update of the assistant (state durable before the reply) vs a bare PTB echo bot.

Both bots run in this process on the same offline Bot API transport (`bench.offline`), so the
numbers are CPU spent by python-telegram-bot, the bot's own code, SQLite and its thread; not a
network. Each update goes through `Application.process_update`, as the running bot does.
"""

from __future__ import annotations

import gc
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench import steps
from bench.common import TOKEN, Result, check
from bench.offline import OfflineRequest
from bench.updates import text_update
from bot.app import App, open_app
from bot.channels.telegram import TelegramChannel
from bot.clock import FixedClock
from bot.config import Settings
from bot.domain.models import Household, Role
from bot.storage import participants, people
from bot.storage.sqlite.db import RoundTrips

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
AnyApp = Application[Any, Any, Any, Any, Any, Any]


async def _cpu_per_update(
    application: AnyApp, updates: list[dict[str, Any]]
) -> tuple[float, float, float]:
    """(CPU µs per update, of it in the event loop's thread, wall seconds) for `updates`."""
    gc.collect()
    wall = time.perf_counter()
    loop_cpu = time.thread_time()
    cpu = time.process_time()
    for data in updates:
        await application.process_update(Update.de_json(data, application.bot))
    cpu = time.process_time() - cpu
    loop_cpu = time.thread_time() - loop_cpu
    wall = time.perf_counter() - wall
    return cpu / len(updates) * 1e6, loop_cpu / len(updates) * 1e6, wall


async def echo_bot(n: int, warmup: int) -> tuple[float, OfflineRequest]:
    """The bare python-telegram-bot echo bot: CPU µs per text update."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Send the text back."""
        if update.message and update.message.text:
            await update.message.reply_text(update.message.text)

    request = OfflineRequest()
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(request)
        .get_updates_request(request)
        .updater(None)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with application:
        await _cpu_per_update(application, [text_update(7, "1.250,50") for _ in range(warmup)])
        updates = [text_update(1000 + i, "1.250,50") for i in range(n)]
        per_update, _, _ = await _cpu_per_update(application, updates)
    return per_update, request


async def _participants(app: App, count: int) -> list[int]:
    """`count` participants with Telegram chats; returns the chat ids."""
    chats = []
    async with app.services.db.transaction() as tx:
        km = await people.insert_person(tx, "Klantmanager Bench", Role.KLANTMANAGER, NOW)
        coach = await people.insert_person(tx, "Coach Bench", Role.COACH, NOW)
        for i in range(count):
            person = await people.insert_person(tx, f"Deelnemer {i:05d}", Role.PARTICIPANT, NOW)
            await participants.insert_participant(
                tx, person, km, coach, date(2026, 6, 1), Household.ALLEENSTAANDE
            )
            chat = 700_000_000 + person
            await people.bind_identity(tx, "telegram", str(chat), person, NOW)
            chats.append(chat)
    return chats


async def assistant(n: int, warmup: int, workdir: Path) -> tuple[float, dict[str, Any]]:
    """The assistant's TelegramChannel on the offline transport: CPU µs per measured step."""
    settings = Settings(
        telegram_bot_token=TOKEN,
        database_url=f"sqlite:///{workdir / 'p1.db'}",
        proof_dir=workdir / "proof",
        demo=False,
        flood_limit_per_minute=1_000_000,
    )
    async with open_app(settings, FixedClock(NOW)) as app:
        step = steps.pick(app)
        chats = await _participants(app, n + warmup)
        for chat in chats:  # bring everyone to the question that is measured (not measured)
            await step.prepare(app, chat, NOW)
        request = OfflineRequest()
        channel = TelegramChannel(app, request=request)
        application = channel.application
        async with application:
            await _cpu_per_update(application, [step.update(c) for c in chats[:warmup]])
            sent_before = request.sent()
            measured = chats[warmup:]
            with RoundTrips() as hops:
                per_update, loop_us, wall = await _cpu_per_update(
                    application, [step.update(c) for c in measured]
                )
            replies = request.sent() - sent_before
        problems = await step.verify(app, measured)
    return per_update, {
        "step": step.name,
        "replies": replies,
        "sqlite_thread_hops_per_update": round(hops.hops / len(measured), 1),
        "wall_seconds": round(wall, 2),
        "event_loop_thread_us": round(loop_us),
        "other_threads_us": round(per_update - loop_us),
        "problems": problems,
    }


async def run(quick: bool) -> list[Result]:
    """Measure both bots and the ratio."""
    n_echo, n_bot = (500, 120) if quick else (3000, 360)
    warmup = 30
    echo_us, _ = await echo_bot(n_echo, warmup)
    with tempfile.TemporaryDirectory(prefix="pto-bench-p1-") as tmp:
        bot_us, info = await assistant(n_bot, warmup, Path(tmp))
    ratio = bot_us / echo_us
    note = (
        f"step: {info['step']}; {info['sqlite_thread_hops_per_update']} SQLite thread hops"
        f"/update; {info['event_loop_thread_us']} µs in the event loop, "
        f"{info['other_threads_us']} µs in aiosqlite's thread"
    )
    if info["problems"]:
        note += f"; PROBLEM: {info['problems']}"
    return [
        Result("P1a", "CPU per update, bare PTB echo bot", echo_us, "µs", extra={"n": n_echo}),
        Result(
            "P1b",
            "CPU per update, assistant step",
            bot_us,
            "µs",
            note=note,
            extra={"n": n_bot} | info,
        ),
        Result("P1", "CPU ratio assistant / echo", ratio, "×", "≤ 1.5×", check(ratio, 1.5)),
    ]


Runner = Callable[[bool], Awaitable[list[Result]]]
