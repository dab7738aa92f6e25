"""Property-based: random texts, commands, buttons and files from every role never crash a flow.

Each example opens a fresh database with two caseloads and sends a random sequence of inputs from
random people (and a stranger). Every input must get at least one reply, no reply may be the
"common/error" apology (that would mean a handler raised), and every reply must render.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import open_app
from bot.clock import FixedClock
from bot.config import Settings
from bot.contract import FileIn, Inbound, Kind
from handlers import build_router
from messages import render, render_buttons
from tests.privacy.conftest import CHANNEL, seed_folks

ROUTER = build_router()
COMMANDS = sorted(ROUTER.commands)
PREFIXES = sorted(ROUTER.callbacks)
START = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
# More examples for a bug hunt: PTO_FUZZ_EXAMPLES=2000 pytest tests/privacy/test_fuzz.py
EXAMPLES = int(os.environ.get("PTO_FUZZ_EXAMPLES", "60"))

ANSWERS = st.sampled_from(
    [
        "ja",
        "nee",
        "0",
        "12",
        "12,50",
        "€ 1.234,56",
        "-5",
        "1e9",
        "99999999999",
        "klaar",
        "geen",
        "2026-11",
        "2026-13",
        "20 uur",
        "x" * 70,
        "",
        " ",
        "/",
        "\u202e",
        "<b>hi</b>",
        "{{ 7*7 }}",
    ]
)
# Ids beyond SQLite's integer range are tested per button prefix in test_access_matrix.py.
IDS = st.one_of(st.integers(-2, 12).map(str), st.sampled_from(["", "x", "1:2", "9" * 18]))
TEXTS = st.one_of(ANSWERS, st.text(max_size=200))
ARGS = st.one_of(st.just(""), ANSWERS, IDS, st.text(max_size=60))
GARBAGE_COMMANDS = st.one_of(
    st.sampled_from(["", "x", "START", "opgave@pto_bot", "hulp_", "a" * 40]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", max_size=20),
)
SUFFIXES = st.one_of(
    st.lists(
        st.one_of(
            IDS,
            st.sampled_from(
                [
                    "edit",
                    "done",
                    "fix",
                    "open",
                    "page",
                    "proof",
                    "send",
                    "worked",
                    "yes",
                    "no",
                    "none",
                    "cost",
                    "costs",
                    "hours",
                    "note",
                    "skip",
                    "x",
                    "t",
                    "wd",
                    "revenue",
                    "en",
                    "nl",
                ]
            ),
        ),
        max_size=4,
    ).map(":".join),
    st.text(max_size=40),
)
MIMES = st.one_of(
    st.sampled_from(
        [
            "image/jpeg",
            "image/png",
            "image/webp",
            "application/pdf",
            "image/gif",
            "application/x-msdownload",
            "text/plain",
            "application/octet-stream",
        ]
    ),
    st.text(max_size=20),
)
FILE_DATA = st.one_of(
    st.none(),  # what a channel passes for a file too large or not allowed
    st.binary(max_size=600),
    st.binary(max_size=300).map(lambda b: b"%PDF-1.4\n" + b),
    st.binary(max_size=300).map(lambda b: b"\xff\xd8\xff\xe0" + b),
    st.binary(max_size=300).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),
)


@dataclass(frozen=True)
class Step:
    """One input: who sends it and what."""

    who: int  # index into the people; the last index is a stranger
    kind: str
    payload: Any
    minutes: int


STEP = st.builds(
    Step,
    who=st.integers(0, 7),
    kind=st.sampled_from(
        [
            "text",
            "command",
            "garbage_command",
            "button",
            "garbage_button",
            "press_last",
            "press_last",
            "file",
            "edited",
            "unsupported",
        ]
    ),
    payload=st.tuples(
        TEXTS,
        st.sampled_from(COMMANDS),
        ARGS,
        GARBAGE_COMMANDS,
        st.sampled_from(PREFIXES),
        SUFFIXES,
        FILE_DATA,
        MIMES,
        st.one_of(st.none(), st.text(max_size=30)),
        st.integers(0, 20),
    ),
    minutes=st.integers(0, 60 * 24 * 3),
)


def _inbound(step: Step, address: str, n: int, last: list[str]) -> Inbound:
    text, cmd, args, junk_cmd, prefix, suffix, data, mime, name, pick = step.payload
    update = f"fuzz-{n}"
    if step.kind == "press_last" and last:
        return Inbound(CHANNEL, address, Kind.BUTTON, update, button=last[pick % len(last)])
    if step.kind in ("command", "garbage_command"):
        name_ = cmd if step.kind == "command" else junk_cmd
        line = f"/{name_} {args}".strip()
        return Inbound(
            CHANNEL,
            address,
            Kind.COMMAND,
            update,
            text=line,
            command=name_.lower(),
            args=args.strip(),
        )
    if step.kind == "button":
        return Inbound(CHANNEL, address, Kind.BUTTON, update, button=f"{prefix}:{suffix}"[:64])
    if step.kind == "garbage_button":
        return Inbound(CHANNEL, address, Kind.BUTTON, update, button=suffix)
    if step.kind == "file":
        kind = "photo" if mime == "image/jpeg" and name is None else "document"
        size = len(data) if data is not None else 30 * 1024 * 1024
        return Inbound(
            CHANNEL,
            address,
            Kind.FILE,
            update,
            text=text[:100],
            file=FileIn(kind, mime, size, data, name),
        )
    if step.kind == "edited":
        return Inbound(CHANNEL, address, Kind.EDITED, update)
    if step.kind == "unsupported":
        return Inbound(CHANNEL, address, Kind.UNSUPPORTED, update)
    return Inbound(CHANNEL, address, Kind.TEXT, update, text=text)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=1, max_size=25))
async def test_random_input_from_every_role_is_always_answered(steps: list[Step]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'pto.db'}",
            proof_dir=Path(tmp) / "proof",
            demo=False,
            flood_limit_per_minute=1_000_000,
        )
        clock = FixedClock(START)
        async with open_app(config, clock) as app:
            folks = await seed_folks(app, START)
            addresses = [p.address for p in folks.everyone()] + ["99999"]
            last: dict[str, list[str]] = {}
            now = START
            for n, step in enumerate(steps):
                now += timedelta(minutes=step.minutes)
                clock.set(now)
                address = addresses[step.who]
                inbound = _inbound(step, address, n, last.get(address, []))
                outcome = await app.dispatcher.handle(inbound, now=now)
                keys = [r.key for r in outcome.replies]
                assert keys, f"no reply to {inbound}"
                assert "common/error" not in keys, f"a handler raised on {inbound}"
                buttons: list[str] = []
                for reply in outcome.replies:
                    assert render(reply.key, outcome.locale, **reply.ctx).strip()
                    rows = render_buttons(reply.buttons, outcome.locale)
                    buttons += [data for row in rows for _, data in row]
                    assert all(len(d.encode()) <= 64 for d in buttons), buttons
                last[address] = buttons or last.get(address, [])
