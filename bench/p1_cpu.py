"""P1: CPU per update of a declaration step (its state durable before the reply) against two bare
python-telegram-bot bots, all through the same offline Bot API (`bench.offline`).

Every update takes the path a real one takes: JSON bytes from getUpdates → PTB's decoding and
`Update.de_json` → the Updater → `Application.update_queue` → the application's update processor
→ the handler → the reply encoded for the wire → the response body decoded. Three bots, one
process, alternating in every round, medians of the rounds:
- the bare echo bot: `message.reply_text(text)`;
- the bare keyboard bot: `bot.send_message` with the same text and the same 9-button inline
  keyboard the assistant answers this step with (built as `InlineKeyboardButton`s each time);
- the assistant (`TelegramChannel.run`, as `ptobot run` does): typing the revenue of a
  declaration — dedupe, identity, draft and state committed to SQLite (WAL) before the reply.
CPU is the process's (all threads: the event loop and aiosqlite's), minus what the offline
server spent building its responses.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench import steps
from bench.common import TOKEN, Result, check
from bench.offline import OfflineBotApi
from bench.updates import text_update
from bot.app import App, open_app
from bot.channels.telegram import TelegramChannel
from bot.clock import FixedClock
from bot.config import Settings
from bot.domain.models import Household, Role
from bot.storage import participants, people
from bot.storage.sqlite.probes import RoundTrips, Statements

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
ROUNDS = 5
AnyApp = Application[Any, Any, Any, Any, Any, Any]
Make = Callable[[int], list[dict[str, Any]]]


class Bot:
    """One bot under measurement: its transport and how to make its next n updates."""

    def __init__(self, name: str, request: OfflineBotApi, make: Make) -> None:
        self.name = name
        self.request = request
        self.make = make
        self.cpu: list[float] = []
        self.server: list[float] = []

    async def measure(self, n: int) -> None:
        """Feed n updates, wait for n replies; record bot CPU µs per update (server's out)."""
        updates = self.make(n)
        target = len(self.request.sent) + n
        gc.collect()
        server = self.request.server_cpu
        cpu = time.process_time()
        self.request.queue(updates)
        await self.request.sends(target)
        cpu = time.process_time() - cpu
        server = self.request.server_cpu - server
        self.cpu.append((cpu - server) / n * 1e6)
        self.server.append(server / n * 1e6)

    @property
    def median(self) -> float:
        """Median CPU µs per update over the rounds."""
        return statistics.median(self.cpu)


class _Polling:
    """A bare PTB application polling the offline API (as `run_polling` does, minus signals)."""

    def __init__(self, application: AnyApp) -> None:
        self.application = application

    async def __aenter__(self) -> AnyApp:
        await self.application.initialize()
        await self.application.start()
        updater = self.application.updater
        assert updater is not None
        await updater.start_polling(poll_interval=0.0, timeout=10)
        return self.application

    async def __aexit__(self, *exc: object) -> None:
        updater = self.application.updater
        assert updater is not None
        await updater.stop()
        await self.application.stop()
        await self.application.shutdown()


def echo_application(request: OfflineBotApi) -> AnyApp:
    """The bare echo bot: PTB's defaults, `reply_text`."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Send the text back."""
        if update.message and update.message.text:
            await update.message.reply_text(update.message.text)

    application = ApplicationBuilder().token(TOKEN).request(request)
    application = application.get_updates_request(request)
    built = application.build()
    built.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return built


def keyboard_application(
    request: OfflineBotApi, text: str, rows: list[list[tuple[str, str]]], parse_mode: str | None
) -> AnyApp:
    """The bare bot answering with `text` and the inline keyboard `rows` via `send_message`."""

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer with the keyboard, built as PTB objects like any PTB bot does."""
        if update.effective_chat is None:
            return
        markup = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                for row in rows
            ]
        )
        await context.bot.send_message(
            update.effective_chat.id, text, parse_mode=parse_mode, reply_markup=markup
        )

    builder = ApplicationBuilder().token(TOKEN).request(request).get_updates_request(request)
    built = builder.build()
    built.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, answer))
    return built


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


def _rows(markup: Any) -> list[list[tuple[str, str]]]:
    import json

    data = json.loads(markup) if isinstance(markup, str) else markup
    return [[(b["text"], b["callback_data"]) for b in row] for row in data["inline_keyboard"]]


@contextlib.asynccontextmanager
async def _assistant_running(channel: TelegramChannel, request: OfflineBotApi) -> Any:
    """`TelegramChannel.run` in a task, until it polls; stopped at the end."""
    stop = asyncio.Event()
    task = asyncio.create_task(channel.run(stop))
    while request.counts.get("getUpdates", 0) == 0:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield
    finally:
        stop.set()
        await task


async def measure(quick: bool, workdir: Path) -> dict[str, Any]:
    """All three bots, ROUNDS rounds alternating; the medians and what was seen."""
    n_bare, n_bot, warmup, probe = (200, 60, 20, 10) if quick else (600, 200, 40, 20)
    settings = Settings(
        telegram_bot_token=TOKEN,
        database_url=f"sqlite:///{workdir / 'p1.db'}",
        proof_dir=workdir / "proof",
        demo=False,
        flood_limit_per_minute=1_000_000,
    )
    async with open_app(settings, FixedClock(NOW)) as app:
        step = steps.pick(app)
        chats = await _participants(app, warmup + ROUNDS * n_bot + probe)
        for chat in chats:  # everyone at the question that is measured (not measured)
            await step.prepare(app, chat, NOW)
        real = TelegramChannel(app).application.bot.request  # the transport `ptobot run` uses
        request = OfflineBotApi(
            parse=real.parse_json_payload, encode=getattr(real, "encode_body", None)
        )
        channel = TelegramChannel(app, request=request)
        pending = iter(chats)

        def next_steps(n: int) -> list[dict[str, Any]]:
            return [step.update(next(pending)) for _ in range(n)]

        assistant = Bot("assistant", request, next_steps)
        async with _assistant_running(channel, request):
            await assistant.measure(warmup)  # warm-up, then the reply shape to copy
            assistant.cpu.clear()
            assistant.server.clear()
            shape = request.sent[-1]
            echo_request, kb_request = OfflineBotApi(), OfflineBotApi()
            echo_ids = iter(range(10**9))
            echo = Bot(
                "echo",
                echo_request,
                lambda n: [text_update(7_000 + next(echo_ids) % 50, "1.250,50") for _ in range(n)],
            )
            keyboard = Bot(
                "keyboard",
                kb_request,
                lambda n: [text_update(8_000 + next(echo_ids) % 50, "1.250,50") for _ in range(n)],
            )
            kb_app = keyboard_application(
                kb_request,
                str(shape["text"]),
                _rows(shape["reply_markup"]),
                shape.get("parse_mode"),
            )
            async with _Polling(echo_application(echo_request)), _Polling(kb_app):
                await echo.measure(warmup)
                await keyboard.measure(warmup)
                for bot in (echo, keyboard):
                    bot.cpu.clear()
                    bot.server.clear()
                for _ in range(ROUNDS):
                    await echo.measure(n_bare)
                    await keyboard.measure(n_bare)
                    await assistant.measure(n_bot)
            measured = chats[warmup : warmup + ROUNDS * n_bot]
            async with Statements(app.services.db) as statements:  # type: ignore[arg-type]
                with RoundTrips() as hops:
                    await assistant.measure(probe)  # traced: slower, so not a round
            assistant.cpu.pop()
            assistant.server.pop()
            sent_after = len(request.sent)
        problems = await step.verify(app, measured)
    expected = warmup + ROUNDS * n_bot + probe
    if sent_after != expected:
        problems.append(f"{sent_after} replies for {expected} updates")
    return {
        "echo": echo,
        "keyboard": keyboard,
        "assistant": assistant,
        "step": step.name,
        "transport": type(real).__name__,
        "statements_per_update": round(
            sum(1 for s in statements.seen if not s.startswith("PRAGMA")) / probe, 1
        ),
        "sqlite_thread_hops_per_update": round(hops.hops / probe, 1),
        "problems": problems,
        "n": {"bare": n_bare, "assistant": n_bot, "rounds": ROUNDS},
    }


async def run(quick: bool) -> list[Result]:
    """Measure the three bots and the two ratios."""
    with tempfile.TemporaryDirectory(prefix="pto-bench-p1-") as tmp:
        m = await measure(quick, Path(tmp))
    echo, keyboard, assistant = m["echo"], m["keyboard"], m["assistant"]
    vs_echo = assistant.median / echo.median
    vs_keyboard = assistant.median / keyboard.median
    how = (
        f"median of {ROUNDS} rounds alternating, process CPU (all threads) per update through "
        "getUpdates JSON → Updater → update processor → handler → encoded reply, offline "
        "server's CPU taken out"
    )
    note = (
        f"step: {m['step']}; {m['statements_per_update']} SQL statements and "
        f"{m['sqlite_thread_hops_per_update']} SQLite thread hops per update; "
        f"transport of `ptobot run`: {m['transport']}"
    )
    if m["problems"]:
        note += f"; PROBLEM: {m['problems']}"

    def rounds(bot: Bot) -> dict[str, Any]:
        return {
            "rounds_us": [round(x) for x in bot.cpu],
            "server_us_excluded": round(statistics.median(bot.server)),
        }

    return [
        Result(
            "P1a",
            "CPU per update, bare PTB echo bot (reply_text)",
            echo.median,
            "µs",
            note=how,
            extra={"n": m["n"]["bare"]} | rounds(echo),
        ),
        Result(
            "P1b",
            "CPU per update, bare PTB bot answering with the same 9-button keyboard",
            keyboard.median,
            "µs",
            note=how,
            extra={"n": m["n"]["bare"]} | rounds(keyboard),
        ),
        Result(
            "P1c",
            "CPU per update, assistant declaration step (state durable before the reply)",
            assistant.median,
            "µs",
            note=note,
            extra={"n": m["n"]["assistant"]}
            | rounds(assistant)
            | {
                k: m[k] for k in ("step", "statements_per_update", "sqlite_thread_hops_per_update")
            },
        ),
        Result(
            "P1", "CPU ratio assistant / echo bot", vs_echo, "×", "≤ 1.5×", check(vs_echo, 1.5)
        ),
        Result(
            "P1-kb",
            "CPU ratio assistant / keyboard bot",
            vs_keyboard,
            "×",
            "≤ 0.6×",
            check(vs_keyboard, 0.6),
        ),
    ]


Runner = Callable[[bool], Awaitable[list[Result]]]
