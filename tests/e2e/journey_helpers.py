"""Helpers for journeys over HTTP: people with chats, waiting for what the bot says, pressing
the buttons it offers (found in its messages, never guessed), and peeking into the database."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import AMSTERDAM, SystemClock
from bot.domain.periods import first_day, period_of, previous_period
from bot.domain.policy import load_policy
from bot.domain.timeliness import due_date
from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.harness import ROOT, BotProcess
from tests.pg_cluster import postgres_rows

WAIT = 15.0  # seconds; generous for CI with two cores
RECEIPT_JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + bytes(range(256)) * 4
    + b"\xff\xd9"
)


def policy_without_quiet_hours(workdir: Path) -> Path:
    """The default policy with quiet hours off, so pushes go out whatever the time of day."""
    text = (ROOT / "bot" / "domain" / "default_policy.toml").read_text(encoding="utf-8")
    text = text.replace('start = "21:00"\nend = "08:00"', 'start = "00:00"\nend = "00:00"')
    if 'start = "00:00"' not in text:
        raise AssertionError("the default policy's quiet hours changed; update this helper")
    path = workdir / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def last_month(today: date | None = None) -> str:
    """The most recent closed month (what a participant declares now)."""
    return previous_period(period_of(today or SystemClock().now().astimezone(AMSTERDAM).date()))


def month_past_due(days_after: int = 0, today: date | None = None) -> str:
    """The most recent month whose due date (default policy), plus `days_after`, lies before
    today: a job run "at" that moment is in the past, so the running bot sends what it makes."""
    today = today or SystemClock().now().astimezone(AMSTERDAM).date()
    period = last_month(today)
    while due_date(load_policy(), period) + timedelta(days=days_after) >= today:
        period = previous_period(period)
    return period


@dataclass
class Person:
    """Someone with a Telegram chat."""

    name: str
    chat: int
    person_id: int = 0


@dataclass
class Chat:
    """Talk in one chat and wait for what the bot answers, from a mark onwards."""

    server: FakeBotApi
    chat: int
    seen: int = 0
    log: list[str] = field(default_factory=list)

    def mark(self) -> None:
        """Only messages after this point count for the next `expect`."""
        self.seen = len(self.server.sent_messages(self.chat))

    def expect(self, *needles: str, timeout: float = WAIT) -> dict[str, Any]:
        """Wait for a new bot message containing every needle; returns it (and moves on)."""
        deadline = time.monotonic() + timeout

        def found() -> bool:
            return self._match(needles) is not None

        try:
            self.server.wait_until_sync(found, timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            texts = self.server.sent_texts(self.chat)[self.seen :]
            raise AssertionError(
                f"chat {self.chat}: no message with {needles!r}; new messages: {texts}"
            ) from None
        index, message = self._match(needles) or (0, {})
        self.seen = index + 1
        return message

    def expect_any(self, *alternatives: str, timeout: float = WAIT) -> dict[str, Any]:
        """Wait for a new bot message containing one of the alternatives."""

        def first() -> str | None:
            return next((n for n in alternatives if self._match((n,)) is not None), None)

        try:
            self.server.wait_until_sync(lambda: first() is not None, timeout=timeout)
        except TimeoutError:
            texts = self.server.sent_texts(self.chat)[self.seen :]
            raise AssertionError(
                f"chat {self.chat}: none of {alternatives!r} in {texts}"
            ) from None
        return self.expect(first() or "", timeout=0)

    def _match(self, needles: tuple[str, ...]) -> tuple[int, dict[str, Any]] | None:
        messages = self.server.sent_messages(self.chat)
        for index in range(self.seen, len(messages)):
            text = str(messages[index].get("text", messages[index].get("caption", "")))
            if all(n in text for n in needles):
                return index, messages[index]
        return None

    def say(self, text: str, *needles: str) -> dict[str, Any]:
        """Type `text` and wait for the answer containing `needles`."""
        self.mark()
        if text.startswith("/"):
            command, _, args = text[1:].partition(" ")
            self.server.send_command(self.chat, command, args)
        else:
            self.server.send_text(self.chat, text)
        return self.expect(*needles)

    def button(self, prefix: str) -> tuple[int, str]:
        """(message id, callback data) of the newest offered button whose data starts so."""
        for message in reversed(self.server.sent_messages(self.chat)):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            for row in rows:
                for b in row:
                    if str(b.get("callback_data", "")).startswith(prefix):
                        return int(message["message_id"]), str(b["callback_data"])
        offered = [
            b.get("callback_data")
            for m in self.server.sent_messages(self.chat)
            for row in (m.get("reply_markup") or {}).get("inline_keyboard") or []
            for b in row
        ]
        raise AssertionError(f"chat {self.chat}: no button {prefix!r}; offered: {offered}")

    def press(self, prefix: str, *needles: str) -> dict[str, Any]:
        """Press the newest button whose data starts with `prefix`; wait for the answer."""
        message_id, data = self.button(prefix)
        self.mark()
        self.server.press_button(self.chat, message_id, data)
        return self.expect(*needles)

    def photo(self, data: bytes, *needles: str) -> dict[str, Any]:
        """Send a photo and wait for the answer."""
        self.mark()
        self.server.send_photo(self.chat, data, width=40, height=30)
        return self.expect(*needles)


class Db:
    """Read-only questions to the bot's database: its SQLite file (WAL, so safe while the bot
    runs) or its PostgreSQL database (`DATABASE_URL`)."""

    def __init__(self, path: Path, url: str | None = None) -> None:
        self.path = path
        self.url = url

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """All rows of a query (by name and by position)."""
        if self.url and self.url.startswith("postgresql"):
            return postgres_rows(self.url, sql, params)
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            return list(conn.execute(sql, params))
        finally:
            conn.close()

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        """The first column of the first row."""
        found = self.rows(sql, params)
        return found[0][0] if found else None

    def person_id(self, name: str) -> int:
        """The id of a person by name."""
        value = self.scalar("SELECT id FROM people WHERE name = ?", (name,))
        if value is None:
            raise AssertionError(f"no person {name!r}")
        return int(value)


class World:
    """A bot installation with its fake Telegram: onboard people, then let them talk."""

    def __init__(self, bot: BotProcess, server: FakeBotApi) -> None:
        self.bot = bot
        self.server = server
        self.db = Db(bot.workdir / "pto.db", bot.env.get("DATABASE_URL"))
        self.chats: dict[str, Chat] = {}

    def klantmanager(self, name: str, chat: int) -> Chat:
        """Invite a klantmanager and let them redeem the code."""
        return self._onboard(name, chat, "--role", "klantmanager", "--name", name)

    def coach(self, name: str, chat: int) -> Chat:
        """Invite a coach and let them redeem the code."""
        return self._onboard(name, chat, "--role", "coach", "--name", name)

    def participant(
        self,
        name: str,
        chat: int,
        klantmanager: str,
        coach: str | None = None,
        start: date | None = None,
    ) -> Chat:
        """Invite a participant whose trajectory starts at the first day of last month."""
        start = start or first_day(last_month())
        args = [
            "--role",
            "participant",
            "--name",
            name,
            "--klantmanager",
            klantmanager,
            "--start-date",
            start.isoformat(),
        ]
        if coach:
            args += ["--coach", coach]
        return self._onboard(name, chat, *args)

    def _onboard(self, name: str, chat: int, *args: str) -> Chat:
        invite = self.bot.invite(*args)
        talk = Chat(self.server, chat)
        # A phone set to Dutch: a new person is greeted in their Telegram app's language.
        talk.mark()
        dutch_phone = self.server.make_user(chat, language_code="nl")
        self.server.send_command(chat, "start", invite["code"], user=dutch_phone)
        talk.expect(f"Welkom, {name}")
        self.chats[name] = talk
        return talk


@contextmanager
def world(workdir: Path, server: FakeBotApi, **env: str) -> Iterator[World]:
    """A bot with quiet hours off, stopped at the end (its log shown when something failed)."""
    extra = {"PTO_POLICY": str(policy_without_quiet_hours(workdir))} | env
    bot = BotProcess(workdir, server, extra)
    try:
        yield World(bot, server)
    except BaseException:
        print(bot.collect()[-6000:])  # noqa: T201 - shown by pytest for a failing test
        raise
    finally:
        bot.stop()


def local_iso(day: date, hour: int, minute: int = 0) -> str:
    """An Amsterdam moment as ISO-8601 with offset, for `--now`."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM).isoformat()


def days_before(day: date, n: int) -> date:
    """`n` days earlier."""
    return day - timedelta(days=n)


def declare(
    talk: Chat, revenue: str = "1250", hours: str = "12", photo: bool = True, send: bool = True
) -> dict[str, Any]:
    """Walk `/opgave` for last month by typing and tapping; returns the receipt (or review)."""
    talk.say("/opgave", "gewerkt")
    talk.press("decl:worked:yes", "omzet")
    talk.say(revenue, "kosten")
    talk.press("decl:costs:none", "Uren")
    return finish_from_hours(talk, hours, photo, send)


def finish_from_hours(
    talk: Chat, hours: str = "12", photo: bool = True, send: bool = True
) -> dict[str, Any]:
    """From the first hours question: hours per week, proof, no note, review, send."""
    while True:
        talk.mark()
        talk.server.send_text(talk.chat, hours)
        if "Bewijs" in str(talk.expect_any("Uren", "Bewijs").get("text", "")):
            break
    if photo:
        talk.photo(RECEIPT_JPEG, "Meer sturen mag")
        talk.press("decl:proof:done", "uitleggen")
    else:
        talk.press("decl:proof:none", "uitleggen")
    review = talk.press("decl:note:skip", "Controleer")
    if not send:
        return review
    return talk.press("decl:send:", "Kenmerk")
