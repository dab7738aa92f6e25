"""Crash safety (issue 7, item 9): SIGKILL the real bot at seeded random moments during scripted
declarations, restart it, and find every confirmed declaration stored exactly once, no queue item
or push doubled, and every unfinished conversation resuming where it was."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.fakebotapi import FakeBotApi
from tests.e2e.harness import TOKEN, BotProcess
from tests.e2e.journey_helpers import WAIT, Chat, World, world

KIM = "Kim Klantmanager"
PARTICIPANTS = {"Ayla Voorbeeld": 3101, "Bram Voorbeeld": 3102, "Noor Voorbeeld": 3103}
SEED = 20261207
KILLS = 5

# What the newest question says → how the participant answers it. Order matters: the review
# mentions every part, and the hours question says "gewerkt".
ANSWERS: list[tuple[str, tuple[str, str] | None]] = [
    ("Kenmerk", None),
    ("alles doorgegeven", None),
    ("al verstuurd", None),
    ("doorgaan", ("press", "decl:resume")),
    ("Controleer", ("press", "decl:send:")),
    ("Bewijs", ("press", "decl:proof:none")),
    ("uitleggen", ("press", "decl:note:skip")),
    ("Uren", ("type", "12")),
    ("kosten", ("press", "decl:costs:none")),
    ("omzet", ("type", "1250")),
    ("gewerkt", ("press", "decl:worked:yes")),
]
NEEDLES = tuple(needle for needle, _ in ANSWERS)


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """A fake Bot API in its own thread."""
    with FakeBotApi(token=TOKEN, max_long_poll=1.0).run_in_thread() as fake:
        yield fake


def _text(message: dict[str, Any]) -> str:
    return str(message.get("text", message.get("caption", "")))


def next_question(talk: Chat) -> str:
    """Wait for the bot's next question (or final word); returns its text."""

    def newest() -> str | None:
        for message in reversed(talk.server.sent_messages(talk.chat)[talk.seen :]):
            if any(n in _text(message) for n in NEEDLES):
                return _text(message)
        return None

    try:
        talk.server.wait_until_sync(lambda: newest() is not None, timeout=WAIT)
    except TimeoutError:
        new = talk.server.sent_texts(talk.chat)[talk.seen :]
        raise AssertionError(f"chat {talk.chat}: no question among {new}") from None
    talk.mark()
    return newest() or talk.server.sent_texts(talk.chat)[-1]


def answer_for(question: str) -> tuple[str, str] | None:
    """How to answer; None when the declaration is done."""
    for needle, action in ANSWERS:
        if needle in question:
            return action
    raise AssertionError(f"unknown question: {question}")


def act(talk: Chat, action: tuple[str, str]) -> None:
    """Type or press, without waiting for the reply."""
    kind, value = action
    talk.mark()
    if kind == "type":
        talk.server.send_text(talk.chat, value)
    else:
        message_id, data = talk.button(value)
        talk.server.press_button(talk.chat, message_id, data)


def crash_and_restart(bot: BotProcess, rng: random.Random) -> None:
    """SIGKILL a moment after the last update was sent, then start again."""
    time.sleep(rng.uniform(0.0, 0.15))  # where in the handling the kill lands
    bot.stop(kill=True)
    bot.start()


def reopen(talk: Chat) -> str:
    """After a restart the participant asks for the declaration again."""
    talk.mark()
    talk.server.send_command(talk.chat, "opgave")
    return next_question(talk)


def declare_with_crashes(w: World, talk: Chat, kill_at: set[int], rng: random.Random) -> int:
    """Answer question after question; kill the bot after the answers in `kill_at`."""
    question = reopen(talk)
    kills = 0
    for step in range(60):
        action = answer_for(question)
        if action is None:
            return kills
        act(talk, action)
        if step in kill_at:
            crash_and_restart(w.bot, rng)
            kills += 1
            question = reopen(talk)
            continue
        question = next_question(talk)
    raise AssertionError(f"chat {talk.chat}: the declaration never finished")


def test_killed_at_random_points_nothing_lost_nothing_doubled(
    tmp_path: Path, server: FakeBotApi
) -> None:
    rng = random.Random(SEED)
    with world(tmp_path, server) as w:
        w.bot.start()
        w.klantmanager(KIM, 3100)
        talks = {name: w.participant(name, chat, KIM) for name, chat in PARTICIPANTS.items()}
        plan: dict[str, set[int]] = {name: set() for name in talks}
        for _ in range(KILLS):
            plan[rng.choice(sorted(talks))].add(rng.randrange(0, 12))
        kills = sum(declare_with_crashes(w, talk, plan[name], rng) for name, talk in talks.items())
        assert kills == sum(len(steps) for steps in plan.values()) >= 3

        # An unfinished conversation: killed right after the revenue was typed.
        late = w.participant("Sem Voorbeeld", 3104, KIM)
        late.say("/opgave", "gewerkt")
        late.press("decl:worked:yes", "omzet")
        late.say("777", "kosten")
        crash_and_restart(w.bot, rng)
        assert "doorgaan" in reopen(late)
        late.press("decl:resume", "kosten")

        ids = {name: w.db.person_id(name) for name in talks}
        for name, pid in ids.items():
            rows = w.db.rows("SELECT * FROM declarations WHERE participant_id = ?", (pid,))
            assert [(r["version"], r["revenue_cents"]) for r in rows] == [(1, 125000)], name
            items = w.db.rows(
                "SELECT id FROM queue_items WHERE participant_id = ? AND declaration_id = ?",
                (pid, rows[0]["id"]),
            )
            assert len(items) == 1, name
        assert w.db.scalar("SELECT COUNT(*) FROM declaration_drafts") == 1  # Sem's, kept
        duplicates = w.db.rows(
            "SELECT person_id, message_key, context, COUNT(*) AS n FROM outbox "
            "GROUP BY person_id, message_key, context HAVING n > 1"
        )
        assert [dict(r) for r in duplicates] == []
        reminders = w.db.rows(
            "SELECT participant_id, kind, period, stage, COUNT(*) AS n FROM reminder_keys "
            "GROUP BY participant_id, kind, period, stage HAVING n > 1"
        )
        assert reminders == []
        # Nothing the bot owes anyone is lost: every push is sent or still waiting to go
        # (a row claimed by the killed sender goes out once its lease has run out).
        lost = w.db.rows(
            "SELECT id, message_key, last_error FROM outbox WHERE parked_at IS NOT NULL"
        )
        assert [dict(r) for r in lost] == []
        cards = w.db.scalar(
            "SELECT COUNT(*) FROM outbox WHERE person_id = ? AND message_key LIKE 'queue/%' "
            "AND edit_of IS NULL",  # a card's edits (its state changed) are not new cards
            (w.db.person_id(KIM),),
        )
        assert cards == w.db.scalar("SELECT COUNT(*) FROM queue_items")
